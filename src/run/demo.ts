// The demo: a whole test with no set-up, through the same engine, on the example directory (or
// the secretariat's own) and simulated contact points, in paced virtual time (24 hours in about
// 20 seconds by default) or as fast as the machine goes (speed 0, `--speed max`).
import { fileURLToPath } from 'node:url';
import type { Channel } from '../channels/channel.js';
import { SimChannel } from '../channels/sim.js';
import { SimWorld } from '../channels/sim-world.js';
import type { Directory } from '../core/directory.js';
import { streamEvents } from '../core/event-log.js';
import type { Clock } from '../core/clock.js';
import { streamFor } from '../core/random.js';
import { runPaths, type RunPlan } from '../core/run-folder.js';
import { VirtualClock } from '../core/virtual-clock.js';

/** 24 hours in about 17 seconds: the demo's 25-hour window in 18 s, so that the whole demo,
 * start-up and reports included, stays well under half a minute. */
export const DEMO_SPEED = 5000;
/** The demo watches an hour past the 24-hour bucket, so that a late answer shows as late. */
export const DEMO_WINDOW_SECONDS = 25 * 3600;
export const DEMO_FROM = '24/7 Network Secretariat <secretariat@rollcall.example>';

/** fixtures/directory.yaml of the installed package (not of the working directory). */
export function demoDirectoryPath(): string {
  return fileURLToPath(new URL('../../fixtures/directory.yaml', import.meta.url));
}

export interface SimSetup {
  clock: Clock;
  channels: Channel[];
  random: () => number;
  from: string;
}

/** The simulated world of a demo run and its clock. A resumed demo goes on from the clock time
 * of its last event. */
export async function simChannelSetup(runDir: string, plan: RunPlan, directory: Directory, start?: Date): Promise<SimSetup> {
  const sim = plan.sim ?? { seed: 0, speed: DEMO_SPEED };
  let at = start;
  let tokens = 'tokens';
  if (!at) {
    // The time of the last event and how many there are, streamed: the log of a large rehearsal
    // is not held for two numbers.
    let count = 0;
    let lastAt = 0;
    for await (const e of streamEvents(runPaths(runDir).events)) {
      count++;
      lastAt = Date.parse(e.at);
    }
    at = new Date(Math.max(Date.parse(plan.createdAt), lastAt));
    // Another stream than the first sitting's; the engine skips any token already used.
    tokens = `tokens:resumed:${count}`;
  }
  // Speed 0 (`--speed max`): the clock jumps from timer to timer without waiting.
  const clock = new VirtualClock({ start: at, ...(sim.speed > 0 ? { pace: sim.speed } : {}) });
  const world = new SimWorld(directory, sim.seed);
  return {
    clock,
    channels: [new SimChannel({ world, clock, from: DEMO_FROM, network: plan.network })],
    random: streamFor(sim.seed, tokens),
    from: DEMO_FROM,
  };
}
