// A directory handed over to the engine (the demo's large rehearsals) is let go of once the
// pings are planned: the engine takes it exactly once, needs nothing of it later, and the run
// records what it records with the directory given as is.
import { afterAll, describe, expect, it } from 'vitest';
import { SimChannel } from '../../src/channels/sim.js';
import { SimWorld } from '../../src/channels/sim-world.js';
import type { Directory } from '../../src/core/directory.js';
import { DirectoryHandover, runEngine } from '../../src/run/engine.js';
import { directorySnapshot } from '../../src/run/plan.js';
import { mulberry32 } from '../../src/core/random.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { eventsOf, newRun, syntheticDirectory, T0, tempDir } from './support.js';

const tmp = tempDir('rollcall-handover-');
afterAll(() => tmp.remove());

async function simulatedRun(directory: Directory, given: Directory | DirectoryHandover) {
  const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: 86_400 });
  const clock = new VirtualClock({ start: T0 });
  const sim = new SimChannel({ world: new SimWorld(directory, 11), clock, from: 'S <s@rollcall.test>', network: 'N' });
  const result = await runEngine({ runDir, plan, directory: given, channels: [sim], clock, random: mulberry32(4) });
  return { result, events: await eventsOf(runDir) };
}

/** An event without what differs from run to run (time of writing, run id). */
function comparable(e: object): object {
  const { at: _at, runId: _runId, ...rest } = e as Record<string, unknown>;
  return rest;
}

describe('a directory handed over to the engine', () => {
  it('is taken once, and the run records the same events as with the directory given as is', async () => {
    const directory = directorySnapshot(syntheticDirectory(30), false);
    const handover = new DirectoryHandover(directory);
    const handed = await simulatedRun(directory, handover);
    expect(handed.result.outcome).toBe('ended');
    // Let go of: nothing is left to take, so nothing after the planning could have used it.
    expect(() => handover.take()).toThrow(/already taken/);
    const plain = await simulatedRun(directory, directory);
    expect(handed.events.length).toBeGreaterThan(60);
    expect(handed.events.map(comparable)).toEqual(plain.events.map(comparable));
    expect(handed.events.some((e) => e.type === 'message-received')).toBe(true);
  });
});
