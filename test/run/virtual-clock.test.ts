// The virtual clock: time jumps from timer to timer when nothing else runs; held still by
// asynchronous work; paced against real time for the demo.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { sleepUntil } from '../../src/run/engine.js';

const start = new Date('2024-06-05T07:30:00Z');

describe('VirtualClock', () => {
  it('runs a day of timers at once, in order, each at its own time', async () => {
    const clock = new VirtualClock({ start });
    const seen: string[] = [];
    const t0 = Date.now();
    await Promise.all(
      [3600_000, 60_000, 86_400_000, 60_000].map(async (ms, i) => {
        await clock.sleep(ms);
        seen.push(`${i}@${(clock.now().getTime() - start.getTime()) / 1000}`);
      }),
    );
    expect(seen).toEqual(['1@60', '3@60', '0@3600', '2@86400']);
    expect(Date.now() - t0).toBeLessThan(1000);
  });

  it('lets work that does not sleep finish before time moves', async () => {
    const clock = new VirtualClock({ start });
    const log: string[] = [];
    const worker = (async () => {
      // Several turns of the event loop without touching the clock.
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      log.push(`work done at ${clock.now().toISOString()}`);
    })();
    await clock.hold(worker);
    await clock.sleep(1000);
    log.push(`slept to ${clock.now().toISOString()}`);
    expect(log).toEqual(['work done at 2024-06-05T07:30:00.000Z', 'slept to 2024-06-05T07:30:01.000Z']);

    // A timer due meanwhile waits for held work.
    const order: string[] = [];
    const timer = clock.sleep(10).then(() => order.push('timer'));
    await clock.hold(new Promise<void>((r) => setTimeout(r, 30)).then(() => order.push('held work')));
    await timer;
    expect(order).toEqual(['held work', 'timer']);
  });

  it('rejects an aborted sleep with the reason and forgets its timer', async () => {
    const clock = new VirtualClock({ start });
    const ac = new AbortController();
    const p = clock.sleep(3600_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
    await clock.sleep(5);
    expect(clock.now().getTime() - start.getTime()).toBe(5);
  });

  it('sleepUntil steps through long waits and reports an abort', async () => {
    const clock = new VirtualClock({ start });
    expect(await sleepUntil(clock, start.getTime() + 5 * 3600_000, new AbortController().signal)).toBe(true);
    expect(clock.now().getTime()).toBe(start.getTime() + 5 * 3600_000);
    const ac = new AbortController();
    const p = sleepUntil(clock, clock.now().getTime() + 3600_000, ac.signal);
    await clock.hold(Promise.resolve());
    ac.abort();
    expect(await p).toBe(false);
  });

  it('paces jumps against real time when asked', async () => {
    const clock = new VirtualClock({ start, pace: 3600 }); // an hour a second
    const t0 = Date.now();
    await clock.sleep(900_000); // 15 min: 250 ms of real time
    const real = Date.now() - t0;
    expect(real).toBeGreaterThanOrEqual(200);
    expect(real).toBeLessThan(1500);
    expect(clock.now().getTime() - start.getTime()).toBe(900_000);
    const shown = clock.approximateNow();
    expect(shown.getTime()).toBe(clock.now().getTime()); // no timer pending: no estimate
  });
});
