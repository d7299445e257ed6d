// Nothing lost, nothing sent twice: a run stopped at any point (before its start, mid-sending with
// a ping whose acceptance never reached the log, mid-watch, after its window) and resumed sends
// every ping exactly once and counts every answer once, at its true arrival time. Simulated
// contact points and a virtual clock; the simulated world (the servers) outlives the engines.
import { describe, expect, it, afterAll } from 'vitest';
import type { Channel, WatchContext } from '../../src/channels/channel.js';
import type { Ping, SendOutcome } from '../../src/core/ping.js';
import { SimChannel } from '../../src/channels/sim.js';
import { SimWorld } from '../../src/channels/sim-world.js';
import type { MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import { runEngine, type EngineResult } from '../../src/run/engine.js';
import { directorySnapshot } from '../../src/run/plan.js';
import { mulberry32 } from '../../src/core/random.js';
import type { RunPlan } from '../../src/core/run-folder.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { statsFromEvents } from '../../src/stats/compute.js';
import { eventsOf, newRun, syntheticDirectory, T0, tempDir } from './support.js';

const tmp = tempDir('rollcall-resume-');
afterAll(() => tmp.remove());

const FROM = 'Secretariat <secretariat@rollcall.example>';
const SEED = 11;
const HOUR = 3600_000;
const WINDOW = 25 * 3600;
const directory = directorySnapshot(syntheticDirectory(40), false);

/** A channel that hands one ping to the servers and then never hears back: the process "dies"
 * between the server's acceptance and our ping-sent. */
class DiesMidSend implements Channel {
  readonly name = 'sim' as const;
  reached = false;
  constructor(
    private readonly inner: Channel,
    private readonly victim: (p: Ping) => boolean,
  ) {}
  open() {
    return this.inner.open();
  }
  close() {
    return this.inner.close();
  }
  watch(ctx: WatchContext) {
    return this.inner.watch(ctx);
  }
  async send(p: Ping): Promise<SendOutcome> {
    const out = await this.inner.send(p);
    if (!this.victim(p)) return out;
    this.reached = true;
    return new Promise<SendOutcome>(() => {});
  }
}

interface Sitting {
  done: Promise<EngineResult>;
  abort(): void;
  clock: VirtualClock;
  sim: SimChannel;
}

function sitting(runDir: string, plan: RunPlan, world: SimWorld, at: Date, opts: { wrap?: (c: Channel) => Channel; resendUncertain?: boolean; seed?: number } = {}): Sitting {
  const clock = new VirtualClock({ start: at });
  const sim = new SimChannel({ world, clock, from: FROM, network: directory.network });
  const ac = new AbortController();
  const done = runEngine({
    runDir,
    plan,
    directory,
    channels: [opts.wrap ? opts.wrap(sim) : sim],
    clock,
    signal: ac.signal,
    random: mulberry32(opts.seed ?? 5),
    from: FROM,
    concurrency: 4,
    ...(opts.resendUncertain ? { resendUncertain: true } : {}),
  });
  return { done, abort: () => ac.abort(), clock, sim };
}

let reference: { events: RunEvent[]; world: SimWorld } | undefined;
async function uninterrupted() {
  if (reference) return reference;
  const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: WINDOW });
  const world = new SimWorld(directory, SEED);
  const r = await sitting(runDir, plan, world, T0).done;
  expect(r.outcome).toBe('ended');
  reference = { events: await eventsOf(runDir), world };
  return reference;
}

const messages = (events: RunEvent[]) => events.filter((e): e is MessageReceivedEvent => e.type === 'message-received');
const stats = (events: RunEvent[]) => statsFromEvents(events, directory, { bucketSeconds: [900, 1800, 3600, 43_200, 86_400] });
const figures = (events: RunEvent[]) => {
  const s = stats(events);
  return { buckets: s.buckets, late: s.late.map((c) => c.country), silent: s.silent.map((c) => c.country), automaticOnly: s.automaticOnly.map((c) => c.country) };
};

/** Every ping the servers accepted, at most once each; every planned ping not refused, exactly once. */
function expectEachDeliveredOnce(world: SimWorld, events: RunEvent[]) {
  const count = new Map<string, number>();
  for (const d of world.deliveries) count.set(d.pingId, (count.get(d.pingId) ?? 0) + 1);
  for (const [id, n] of count) expect(n, id).toBe(1);
  const refused = new Set(events.filter((e) => e.type === 'ping-failed' && e.permanent).map((e) => (e as { pingId: string }).pingId));
  const planned = new Set(events.filter((e) => e.type === 'ping-started').map((e) => (e as { pingId: string }).pingId));
  for (const id of planned) expect(count.get(id) ?? 0, id).toBe(refused.has(id) ? 0 : 1);
  return count;
}

/** Every message once, at the arrival the servers gave it. */
function expectMessagesOnceAtTrueTime(world: SimWorld, events: RunEvent[]) {
  const ms = messages(events);
  expect(new Set(ms.map((m) => m.key)).size).toBe(ms.length);
  const deliveredAt = new Map(world.deliveries.map((d) => [d.pingId, d.at.getTime()]));
  for (const m of ms) {
    const [, pingId, kind, i] = /^sim:(.+):([a-z-]+):(\d+)$/.exec(m.key)!;
    const ping = events.find((e) => e.type === 'ping-started' && e.pingId === pingId) as { address: string };
    const answer = world.behaviour(ping.address).answers[Number(i) - 1]!;
    expect(answer.kind).toBe(kind);
    expect(Date.parse(m.receivedAt), m.key).toBe(deliveredAt.get(pingId!)! + answer.afterMs);
  }
}

describe('resume', () => {
  it('an uninterrupted run: every ping once, every answer once, 2023-like figures', async () => {
    const { events, world } = await uninterrupted();
    expectEachDeliveredOnce(world, events);
    expectMessagesOnceAtTrueTime(world, events);
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('run-started');
    expect(types[types.length - 1]).toBe('run-ended');
    // 40 parties on the 2023 curve (24, 35, 42, 59, 61 of 68), within one country.
    const expected = [24, 35, 42, 59, 61].map((n) => (n * 40) / 68);
    stats(events).buckets.forEach((b, i) => {
      expect(b.responded).toBeGreaterThanOrEqual(Math.floor(expected[i]!));
      expect(b.responded).toBeLessThanOrEqual(Math.ceil(expected[i]!));
    });
    expect(stats(events).late).toHaveLength(1);
  });

  it('a run stopped before its planned start waits for that start when resumed, and gives the same figures', async () => {
    const { events: ref } = await uninterrupted();
    const startAt = new Date(T0.getTime() + 2 * HOUR);
    const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: WINDOW, schedule: { startAt, plan: { kind: 'at', tz: 'UTC' } } });
    const world = new SimWorld(directory, SEED);
    const first = sitting(runDir, plan, world, T0);
    await first.clock.sleep(30 * 60_000);
    first.abort();
    expect((await first.done).outcome).toBe('stopped');
    expect(await eventsOf(runDir)).toEqual([]);

    const second = sitting(runDir, plan, world, new Date(T0.getTime() + HOUR));
    expect((await second.done).outcome).toBe('ended');
    const events = await eventsOf(runDir);
    expect(events[0]).toMatchObject({ type: 'run-started', at: startAt.toISOString() });
    expect(world.deliveries.every((d) => d.at.getTime() === startAt.getTime() || d.at.getTime() === startAt.getTime() + 60_000)).toBe(true);
    expectEachDeliveredOnce(world, events);
    expectMessagesOnceAtTrueTime(world, events);
    expect(figures(events)).toEqual(figures(ref));
  });

  it('a process that dies mid-send leaves an uncertain ping: reported, not sent again, its answer still counted', async () => {
    const { events: ref } = await uninterrupted();
    const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: WINDOW });
    const world = new SimWorld(directory, SEED);
    let n = 0;
    let victim = '';
    const dying = sitting(runDir, plan, world, T0, {
      wrap: (c) =>
        new DiesMidSend(c, (p) => {
          if (++n !== 10) return false;
          victim = p.pingId;
          return true;
        }),
    });
    // Stop it once the victim is in flight; its engine never finishes (the send never returns),
    // exactly like a process killed at that point.
    while (!victim) await dying.clock.sleep(1);
    dying.abort();
    await new Promise((r) => setTimeout(r, 50));
    const atDeath = await eventsOf(runDir);
    expect(atDeath.filter((e) => e.type === 'ping-started' && e.pingId === victim)).toHaveLength(1);
    expect(atDeath.filter((e) => e.type === 'ping-sent' && e.pingId === victim)).toHaveLength(0);
    expect(atDeath.some((e) => e.type === 'run-ended')).toBe(false);

    const resumed = sitting(runDir, plan, world, new Date(T0.getTime() + 60_000), { seed: 6 });
    const result = await resumed.done;
    expect(result.outcome).toBe('ended');
    expect(result.uncertain.map((e) => e.pingId)).toEqual([victim]);
    const events = await eventsOf(runDir);
    const count = expectEachDeliveredOnce(world, events);
    expect(count.get(victim)).toBe(1);
    expect(events.filter((e) => e.type === 'ping-started' && e.pingId === victim)).toHaveLength(1);
    expectMessagesOnceAtTrueTime(world, events);
    // Same answers as the uninterrupted run, the victim's included (it did reach its server).
    expect(messages(events).map((m) => m.key).sort()).toEqual(messages(ref).map((m) => m.key).sort());
    expect(figures(events).buckets.map((b) => b.responded)).toEqual(figures(ref).buckets.map((b) => b.responded));
  });

  it('--resend-uncertain sends the uncertain ping again (once more), with the same token', async () => {
    const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: WINDOW });
    const world = new SimWorld(directory, SEED);
    let victim = '';
    const dying = sitting(runDir, plan, world, T0, {
      wrap: (c) =>
        new DiesMidSend(c, (p) => {
          if (victim) return false;
          victim = p.pingId;
          return true;
        }),
    });
    while (!victim) await dying.clock.sleep(1);
    dying.abort();
    await new Promise((r) => setTimeout(r, 50));
    const result = await sitting(runDir, plan, world, new Date(T0.getTime() + 60_000), { resendUncertain: true, seed: 6 }).done;
    expect(result.uncertain).toEqual([]);
    const events = await eventsOf(runDir);
    const deliveries = world.deliveries.filter((d) => d.pingId === victim);
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]!.token).toBe(deliveries[1]!.token);
    const starts = events.filter((e) => e.type === 'ping-started' && e.pingId === victim);
    expect(starts.map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2]);
    expect(events.filter((e) => e.type === 'ping-sent' && e.pingId === victim)).toHaveLength(1);
    expect(world.deliveries.filter((d) => d.pingId !== victim).length).toBe(new Set(world.deliveries.map((d) => d.pingId)).size - 1);
  });

  it('a run stopped mid-watch finds, on resume, the answers that arrived while it was down, at their true time', async () => {
    const { events: ref } = await uninterrupted();
    const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: WINDOW });
    const world = new SimWorld(directory, SEED);
    const first = sitting(runDir, plan, world, T0);
    await first.clock.sleep(3 * HOUR);
    first.abort();
    expect((await first.done).outcome).toBe('stopped');
    const atStop = await eventsOf(runDir);
    expect(atStop.some((e) => e.type === 'run-ended')).toBe(false);
    const downFrom = Date.parse(atStop[atStop.length - 1]!.at);

    const resumed = sitting(runDir, plan, world, new Date(T0.getTime() + 5 * HOUR));
    expect((await resumed.done).outcome).toBe('ended');
    const events = await eventsOf(runDir);
    expect(events.filter((e) => e.type === 'run-started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'ping-started')).toHaveLength(ref.filter((e) => e.type === 'ping-started').length);
    expectEachDeliveredOnce(world, events);
    expectMessagesOnceAtTrueTime(world, events);
    const whileDown = messages(events).filter((m) => Date.parse(m.receivedAt) > downFrom && Date.parse(m.receivedAt) < T0.getTime() + 5 * HOUR);
    expect(whileDown.length).toBeGreaterThan(0);
    expect(messages(events).map((m) => [m.key, m.receivedAt, m.class]).sort()).toEqual(messages(ref).map((m) => [m.key, m.receivedAt, m.class]).sort());
    expect(stats(events)).toEqual(stats(ref));
  });

  it('resumed after the window closed: no ping sent, one catch-up scan, the run ends', async () => {
    const { events: ref } = await uninterrupted();
    const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: WINDOW });
    const world = new SimWorld(directory, SEED);
    const first = sitting(runDir, plan, world, T0);
    await first.clock.sleep(2 * HOUR);
    first.abort();
    await first.done;
    const delivered = world.deliveries.length;
    const later = sitting(runDir, plan, world, new Date(T0.getTime() + 30 * HOUR));
    const result = await later.done;
    expect(result.outcome).toBe('ended');
    expect(world.deliveries.length).toBe(delivered);
    const events = await eventsOf(runDir);
    expect(events[events.length - 1]).toMatchObject({ type: 'run-ended', reason: 'window-closed', at: new Date(T0.getTime() + 30 * HOUR).toISOString() });
    expectMessagesOnceAtTrueTime(world, events);
    expect(figures(events)).toEqual(figures(ref));
    // A second resume of an ended run does nothing.
    expect((await sitting(runDir, plan, world, new Date(T0.getTime() + 31 * HOUR)).done).outcome).toBe('already-ended');
    expect(await eventsOf(runDir)).toEqual(events);
  });
});

