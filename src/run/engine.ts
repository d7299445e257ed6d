// The run engine: waits for the start, watches every channel, sends every ping (bounded, with
// retries), watches until the window closes, then ends the run. It always starts from the event
// log, so a new run and a resumed one take the same path: a ping recorded as sent is never sent
// again, one whose sending was never confirmed is re-sent only when asked. No protocol code here:
// channels, clock and randomness are given.
import { closeSync, existsSync, ftruncateSync, openSync, readSync, statSync } from 'node:fs';
import type { Channel } from '../channels/channel.js';
import type { Ping } from '../core/ping.js';
import type { Directory } from '../core/directory.js';
import type { ChannelName, PingStartedEvent, RunEvent } from '../core/events.js';
import { newMessageId, newToken } from '../mail/token.js';
import type { Clock } from '../core/clock.js';
import { dispatch, retryPolicyFor, type RetryPolicy, type SendJob } from './dispatch.js';
import { MemoryPingIndex, normalizeAddress, pingFromStarted } from '../core/ping-index.js';
import { planPings, type PlannedPing } from './plan.js';
import { Recorder } from './recorder.js';
import { RunFolder, type RunPlan } from '../core/run-folder.js';
import { holdClock } from '../core/virtual-clock.js';
import { applyEvent, emptyRunState, heldEvent, type RunState } from '../core/run-state.js';
import { OtherRuns } from './other-runs.js';
import { forCounting, fromWire, toWire, type WireDirectory } from '../stats/counting-directory.js';
import { RollcallError, WorkError } from '../core/errors.js';
import { heapTick } from '../core/heap-governor.js';

export type EnginePhase =
  | { phase: 'waiting'; startAt: Date }
  | { phase: 'opening' }
  | { phase: 'sending'; startedAt: Date; windowEnd: Date; jobs: number; uncertain: number }
  | { phase: 'watching'; startedAt: Date; windowEnd: Date }
  | { phase: 'catching-up' }
  | { phase: 'ended' };

export interface EngineOptions {
  runDir: string;
  plan: RunPlan;
  /** The snapshot in directory.json; handed over (a DirectoryHandover), the engine lets go of it
   * once the pings are planned. */
  directory: Directory | DirectoryHandover;
  channels: Channel[];
  clock: Clock;
  /** Aborting stops the run cleanly (pings in flight finish and are recorded). */
  signal?: AbortSignal;
  concurrency?: number;
  /** Default: 1, 5, 15 min, capped to fit the window (retryPolicyFor). */
  retry?: RetryPolicy;
  /** Send again the pings whose sending was never confirmed (resume --resend-uncertain). */
  resendUncertain?: boolean;
  /** Source of tokens and Message-IDs (seeded in the demo and the tests). */
  random?: () => number;
  /** ROLLCALL_FROM: the domain of our Message-IDs. */
  from?: string;
  /** The events already in the log, once read (a resumed run has some). */
  onLoaded?(events: RunEvent[]): Promise<void> | void;
  onEvent?(event: RunEvent): void;
  onPhase?(phase: EnginePhase): void;
}

export interface EngineResult {
  /** `ended`: the window closed and run-ended is written; `stopped`: the signal stopped it
   * (resume continues); `already-ended`: nothing to do. */
  outcome: 'ended' | 'stopped' | 'already-ended';
  /** Pings whose sending started but was never confirmed, left unsent (see resendUncertain). */
  uncertain: PingStartedEvent[];
  /** The run's state when the engine stopped. */
  state: RunState;
  /** The window closed and no other process appended to the log during this sitting (`rollcall
   * mark` may): `state` is the fold of the whole log, and the reports can be computed from it
   * instead of reading the log again. */
  ownLog?: boolean;
  /** With ownLog: the log's size when the window closed, all of which `state` folds. */
  logBytes?: number;
  /** The snapshot as the statistics read it (forCounting: what `rollcall stats` reads back from
   * directory.json), kept from planning for the reports at the end: a run of 100,000 contact
   * points no longer reads its 43 MB directory.json again (a worker's heap of 124 MB) on top of
   * everything it holds. */
  countingDirectory?: Directory;
}

/** Long waits are cut into steps of this much clock time, so that a machine that slept (or a
 * clock that jumped) is noticed within a minute. */
const SLEEP_STEP_MS = 60_000;

export async function runEngine(opts: EngineOptions): Promise<EngineResult> {
  const { clock, plan, runDir } = opts;
  const outer = opts.signal ?? new AbortController().signal;
  const folder = RunFolder.at(runDir);
  dropIncompleteLastLine(folder.paths.events);
  // Taken before the log is read: anything appended from now on by another process is noticed.
  const sizeAtLoad = existsSync(folder.paths.events) ? statSync(folder.paths.events).size : 0;
  // A virtual clock must not move while the log is being read (real I/O it cannot see).
  let loaded: RunEvent[] | undefined = (await holdClock(clock, folder.events())).events;
  await opts.onLoaded?.(loaded);
  // The run's state holds its messages lean (heldMessage), and the events read are let go: on a
  // resumed run of 100,000 contact points they were the log's whole 100 MB, held to the end.
  const state = emptyRunState();
  for (const e of loaded) applyEvent(state, heldEvent(e, false, state));
  loaded = undefined;
  const uncertain: PingStartedEvent[] = [];
  if (state.endedAt) return { outcome: 'already-ended', uncertain, state };

  const log = folder.openLog(() => clock.now());
  log.expect(sizeAtLoad);
  // The recorder keeps the state: every event recorded is folded in before listeners hear of it.
  const recorder = new Recorder(log, state, { lean: true });
  recorder.onEvent((e) => opts.onEvent?.(e));
  const channels = new Map<ChannelName, Channel>(opts.channels.map((c) => [c.name, c]));
  const snapshot = fromSnapshot(opts.directory, plan.channels);
  const { fromDirectory } = snapshot;
  // Dropped once the pings are made: a run of 100,000 contact points has no use for its plan after.
  let planned = snapshot.planned;
  snapshot.planned = [];
  const index = pingIndexOf(state, planned);
  let opened = false;
  try {
    if (!state.startedAt) {
      opts.onPhase?.({ phase: 'waiting', startAt: new Date(plan.startAt) });
      if (!(await sleepUntil(clock, Date.parse(plan.startAt), outer))) return { outcome: 'stopped', uncertain, state };
    }
    opts.onPhase?.({ phase: 'opening' });
    for (const c of opts.channels) {
      await holdClock(clock, c.open());
      opened = true;
    }
    if (outer.aborted) return { outcome: 'stopped', uncertain, state };
    if (!state.startedAt) await recorder.record({ type: 'run-started', runId: plan.id });
    const startedAt = state.startedAt!;
    const windowEnd = new Date(startedAt.getTime() + plan.windowSeconds * 1000);

    // Watch before sending: an answer can come back before its ping-sent is written.
    const watching = new AbortController();
    const sending = new AbortController();
    const stop = () => {
      sending.abort();
      watching.abort();
    };
    outer.addEventListener('abort', stop, { once: true });
    const others = new OtherRuns(runDir);
    const ctx = recorder.context({
      clock,
      pings: index,
      folder,
      signal: watching.signal,
      fromDirectory,
      otherTestRun: (token) => others.find(token),
    });
    let watchFailure: { channel: ChannelName; error: unknown } | undefined;
    const watchers = opts.channels.map((c) =>
      c.watch(ctx).then(
        () => {
          if (!watching.signal.aborted) throw new Error(`the ${c.name} watcher returned before the window closed`);
        },
      ).catch((error: unknown) => {
        if (watching.signal.aborted && !watchFailure) return;
        watchFailure ??= { channel: c.name, error };
        // Without a watcher the run cannot measure: stop, keep everything, let resume continue.
        stop();
      }),
    );

    let sendResult: Promise<unknown> = Promise.resolve();
    if (clock.now().getTime() < windowEnd.getTime()) {
      const jobs = sendJobs(planned, state, index, clock.now().getTime(), opts, uncertain);
      planned = [];
      opts.onPhase?.({ phase: 'sending', startedAt, windowEnd, jobs: jobs.length, uncertain: uncertain.length });
      sendResult = dispatch(jobs, {
        clock,
        channels,
        record: (e) => recorder.record(e),
        signal: sending.signal,
        ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
        retry: opts.retry ?? retryPolicyFor(plan.windowSeconds),
        // Its send time the index reads from the state (pingIndexOf), where ping-sent puts it.
        onStarted: (p) => index.add(p),
        onUncertain: (p) => {
          const rec = state.pings.get(p.pingId);
          if (rec) uncertain.push(rec.started);
        },
      }).then(
        () => {
          if (!sending.signal.aborted) opts.onPhase?.({ phase: 'watching', startedAt, windowEnd });
        },
        (e: unknown) => {
          // Sending cannot go on (revoked credentials, our own bad sender): stop now rather than
          // wait out the window; everything is logged and resume continues once it is fixed.
          stop();
          throw e;
        },
      );
    } else {
      for (const rec of state.pings.values()) if (rec.state === 'unconfirmed') uncertain.push(rec.started);
    }
    // The window closes for sending as well: a retry still due after it is not made.
    const windowClosed = await sleepUntil(clock, windowEnd.getTime(), watching.signal);
    sending.abort();
    let sendFailure: unknown;
    await sendResult.catch((e: unknown) => (sendFailure = e));
    watching.abort();
    await Promise.all(watchers);
    outer.removeEventListener('abort', stop);
    if (sendFailure !== undefined) throw sendFailure;
    if (watchFailure) {
      const e = watchFailure.error as Error;
      // Our own side's failure (a full disk) keeps its words; a channel's is named.
      if (e instanceof RollcallError) throw e;
      throw new WorkError(`watching ${watchFailure.channel} failed: ${e?.message ?? String(e)}`);
    }
    if (!windowClosed || outer.aborted) return { outcome: 'stopped', uncertain, state };

    // One last scan from each watcher's cursor, so that what arrived up to now is recorded
    // (an answer that landed just before the window closed, or while no process was running).
    opts.onPhase?.({ phase: 'catching-up' });
    const done = AbortSignal.abort();
    for (const c of opts.channels) await c.watch({ ...ctx, signal: done });
    await recorder.record({ type: 'run-ended', reason: 'window-closed' });
    opts.onPhase?.({ phase: 'ended' });
    const logBytes = log.vouchedSize();
    return { outcome: 'ended', uncertain, state, ownLog: logBytes !== undefined, ...(logBytes !== undefined ? { logBytes } : {}), countingDirectory: fromWire(snapshot.countingDirectory) };
  } finally {
    if (opened) await Promise.allSettled(opts.channels.map((c) => c.close()));
    log.close();
  }
}

/** A directory given to the engine to keep no longer than it needs: a large one (100,000 contact
 * points, ~70 MB) is not held through a run that only needs its pings and addresses. */
export class DirectoryHandover {
  constructor(private directory: Directory | undefined) {}

  /** The directory, once; the handover holds it no more. */
  take(): Directory {
    const d = this.directory;
    if (!d) throw new Error('the directory was already taken');
    this.directory = undefined;
    return d;
  }
}

/** What the run needs of its directory: the pings it calls for, which addresses are its own, and
 * the directory as the statistics at its end read it. */
function fromSnapshot(
  given: Directory | DirectoryHandover,
  channels: readonly ChannelName[],
): { planned: PlannedPing[]; fromDirectory: (address: string) => boolean; countingDirectory: WireDirectory } {
  const directory = given instanceof DirectoryHandover ? given.take() : given;
  // Only the e-mail watcher asks (a set of 100,000 addresses kept through a run for nothing else).
  const fromDirectory = channels.includes('email') ? directoryAddresses(directory) : () => false;
  // Kept packed (toWire: a few arrays instead of an object and a list or two per contact point,
  // 11 MB less through a run of 100,000), unpacked for the reports at the end.
  return { planned: planPings(directory, channels), fromDirectory, countingDirectory: toWire(forCounting(directory, channels)) };
}

/** The pings already started (a resumed run), by Message-ID, token and address. */
function pingIndexOf(state: RunState, planned: PlannedPing[]): MemoryPingIndex {
  // Send times as the state records them (the recorder folds each ping-sent in before onSent).
  const index = new MemoryPingIndex((pingId) => state.pings.get(pingId)?.sentAt);
  // A new run has none: no map of its 100,000 planned pings to build for nothing.
  if (state.pings.size === 0) return index;
  const byId = new Map(planned.map((p) => [p.pingId, p]));
  for (const rec of state.pings.values()) {
    const ping = pingFromStarted(rec.started, byId.get(rec.started.pingId));
    index.add(ping);
  }
  return index;
}

/** What remains to send: never-started pings, due retries, and (when asked) unconfirmed ones. */
function sendJobs(planned: PlannedPing[], state: RunState, index: MemoryPingIndex, now: number, opts: EngineOptions, uncertain: PingStartedEvent[]): SendJob[] {
  const random = opts.random ?? Math.random;
  const jobs: SendJob[] = [];
  for (const p of planned) {
    heapTick();
    const rec = state.pings.get(p.pingId);
    if (!rec) {
      jobs.push({ ping: newPing(p, index, random, opts.from), attempt: 1, dueAt: now });
      continue;
    }
    const ping = index.get(p.pingId)!;
    if (rec.state === 'retrying') {
      const retryAt = rec.lastFailure?.retryAt ? Date.parse(rec.lastFailure.retryAt) : now;
      jobs.push({ ping, attempt: rec.started.attempt + 1, dueAt: retryAt });
    } else if (rec.state === 'unconfirmed') {
      if (opts.resendUncertain) jobs.push({ ping, attempt: rec.started.attempt + 1, dueAt: now });
      else uncertain.push(rec.started);
    }
  }
  return jobs;
}

function newPing(p: PlannedPing, index: MemoryPingIndex, random: () => number, from: string | undefined): Ping {
  let token = newToken(random);
  while (index.byToken(token)) token = newToken(random);
  const withMessageId = p.channel === 'email' || p.channel === 'sim';
  // Written out, not spread: an object spread with more fields after it takes four times the
  // memory of this literal (400 bytes more per ping in V8), and a run keeps every ping.
  const { pingId, contactId, iso, country, unit, channel, address, languages, timezone } = p;
  if (!withMessageId) return { pingId, contactId, iso, country, unit, channel, address, token, languages, timezone };
  const messageId = newMessageId(token, from ?? 'rollcall.invalid', random);
  return { pingId, contactId, iso, country, unit, channel, address, token, messageId, languages, timezone };
}

/** Is an e-mail address one of the directory's, pinged or not? What the e-mail watcher asks of a
 * sender (mail from the directory is the test's); nothing asks it of a number. */
export function directoryAddresses(directory: Directory): (address: string) => boolean {
  const known = new Set<string>();
  for (const party of directory.parties) for (const c of party.contacts) for (const a of c.emails ?? []) known.add(normalizeAddress(a, 'email'));
  return (address) => known.has(normalizeAddress(address, 'email'));
}

/** Sleeps until a clock time; false when the signal stopped the wait. */
export async function sleepUntil(clock: Clock, at: number, signal: AbortSignal): Promise<boolean> {
  for (;;) {
    if (signal.aborted) return false;
    const left = at - clock.now().getTime();
    if (left <= 0) return true;
    try {
      await clock.sleep(Math.min(left, SLEEP_STEP_MS), signal);
    } catch {
      return false;
    }
  }
}

/**
 * A crash in the middle of an append leaves a last line without its newline. That event was
 * never recorded (append returns only once the line is on disk, and nothing acts on an event
 * before that), so the fragment is cut off before appending after it; otherwise it would become
 * a corrupt line in the middle of the log.
 */
export function dropIncompleteLastLine(path: string): void {
  if (!existsSync(path)) return;
  const size = statSync(path).size;
  if (size === 0) return;
  const fd = openSync(path, 'r+');
  try {
    const chunk = Buffer.alloc(Math.min(size, 64 * 1024));
    let end = size;
    // Find the last newline, reading backwards.
    for (;;) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      if (start + n === size && chunk[n - 1] === 0x0a) return; // ends cleanly
      const i = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (i >= 0) {
        ftruncateSync(fd, start + i + 1);
        return;
      }
      if (start === 0) {
        ftruncateSync(fd, 0);
        return;
      }
      end = start;
    }
  } finally {
    closeSync(fd);
  }
}
