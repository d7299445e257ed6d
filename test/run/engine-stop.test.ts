// A channel that cannot go on (revoked credentials, our own bad sender) stops the run at once,
// instead of leaving it idle until the window closes.
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/channels/channel.js';
import type { SendOutcome } from '../../src/core/ping.js';
import { WorkError } from '../../src/core/errors.js';
import { runEngine } from '../../src/run/engine.js';
import { mulberry32 } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { eventsOf, newRun, syntheticDirectory, T0, tempDir } from './support.js';

const dirs: Array<{ remove(): void }> = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

describe('engine', () => {
  it('stops as soon as a send throws a user-fixable error, without waiting out the window', async () => {
    const tmp = tempDir();
    dirs.push(tmp);
    const directory = syntheticDirectory(5);
    const { runDir, plan } = newRun(tmp.path, directory);
    const clock = new VirtualClock({ start: T0 });
    let sends = 0;
    const broken: Channel = {
      name: 'sim',
      open: async () => {},
      close: async () => {},
      send: async (): Promise<SendOutcome> => {
        sends++;
        throw new WorkError('the provider refused our credentials');
      },
      watch: (ctx) => new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true })),
    };
    await expect(runEngine({ runDir, plan, directory, channels: [broken], clock, random: mulberry32(1), concurrency: 1 })).rejects.toThrow(
      'the provider refused our credentials',
    );
    expect(sends).toBe(1);
    // The virtual clock jumps to the next timer when idle: had the engine waited for the window
    // (24 h), its time would be at the window's end.
    expect(clock.now().getTime() - T0.getTime()).toBeLessThan(3_600_000);
    const events = await eventsOf(runDir);
    expect(events.filter((e) => e.type === 'ping-failed')).toHaveLength(1);
    expect(events.some((e) => e.type === 'run-ended')).toBe(false);
  });
});
