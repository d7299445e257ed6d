// Where a run stands, read from its folder without touching it: phase, planned start, pings by
// sending state, answers by bucket and outcomes (so far, or final once ended, marks applied), and
// whether a process holds its lock. Works while another process runs the run (the event log is
// only appended to).
import type { InputProblem } from '../core/errors.js';
import { inspectLock, type LockInfo } from './lock.js';
import { RunProgress, type OriginCounts, type OutcomeCounts, type RecentMessage } from './progress.js';
import type { OverrideSummary } from '../stats/types.js';
import { RunFolder } from '../core/run-folder.js';
import type { RunEvent } from '../core/events.js';
import { directoryAndFold, foldLog } from '../stats/source.js';
import { missingReports } from './finish.js';

/**
 * - `scheduled`: not started, its start still ahead, no process waiting for it (resume starts it);
 * - `waiting`: a process waits for the planned start;
 * - `sending` / `watching`: a process runs it, pings still to send / all sent;
 * - `stopped`: started, not ended, no process on it (resume continues it); or not started though
 *   its start time has passed and no process is on it (it stopped on an error before its first
 *   event, or its process was ended: resume starts it);
 * - `ended`: the window closed.
 */
export type RunPhase = 'scheduled' | 'waiting' | 'sending' | 'watching' | 'stopped' | 'ended';

export interface RunStatus {
  runId: string;
  runDir: string;
  network: string;
  phase: RunPhase;
  plannedStart: string;
  /** Drawn at random with --between: not to be announced to the network. */
  unannouncedStart: boolean;
  between?: string;
  tz: string;
  startedAt?: string;
  windowEnd?: string;
  endedAt?: string;
  channels: string[];
  simulated: boolean;
  pings: {
    planned: number;
    sent: number;
    failed: number;
    /** Transient failure, another attempt due. */
    retrying: number;
    /** Handed to a channel, outcome not recorded: in flight while a process runs, else uncertain. */
    inFlight: number;
    uncertain: number;
    notStarted: number;
  };
  answers: {
    /** The run has ended: these are its final figures (marks applied), not figures so far. */
    final: boolean;
    population: number;
    answered: number;
    buckets: Array<{ thresholdSeconds: number; responded: number }>;
    /** Countries by outcome: answered, late, automatic-only, unreachable, silent. */
    outcomes: OutcomeCounts;
    recent: RecentMessage[];
    /** Messages that were not the test's (no ping, no rollcall token, no address of the
     * directory): counted, neither kept nor shown. */
    ignored: number;
    /** Corrections and answers entered by hand (`rollcall mark`). */
    overrides: OverrideSummary[];
    /** How the answers' origin was checked (DKIM, SPF, DMARC); absent when nothing was checked. */
    authenticity?: OriginCounts;
  };
  lock: { held: false } | { held: true; stale: boolean; pid?: number; host?: string; since?: string; command?: string };
  /** An ended run's reports not in its folder (its process was killed before writing them):
   * `resume` writes them. */
  missingReports?: string[];
  warnings: InputProblem[];
}

export async function readRunStatus(runDir: string, opts: { now?: Date } = {}): Promise<RunStatus> {
  const now = (opts.now ?? new Date()).getTime();
  const folder = RunFolder.open(runDir);
  const plan = folder.plan();
  // Read as `rollcall stats` reads a run folder: the log folded as it is read, slimmed, beside
  // the directory (in a worker when it is large); never held whole.
  const lastUncertain = new Map<string, number>();
  const noteUncertain = (e: RunEvent) => {
    if (e.type === 'ping-uncertain') lastUncertain.set(e.pingId, e.attempt);
  };
  const { directory, state, warnings } = await directoryAndFold(folder, plan.channels, foldLog(folder.paths.events, noteUncertain));
  const progress = new RunProgress(plan, directory, [], state);
  const snap = progress.snapshot(5);
  const lock = inspectLock(runDir);
  const live = lock.held && !lock.stale;
  const c = snap.counts;
  // Pings the running process already found uncertain (the answer never came after DATA): not in
  // flight any more.
  let declared = 0;
  for (const [id, rec] of state.pings) if (rec.state === 'unconfirmed' && lastUncertain.get(id) === rec.started.attempt) declared++;
  const toSend = c.notStarted + c.retrying + c.unconfirmed;
  const phase: RunPhase = state.endedAt
    ? 'ended'
    : !state.startedAt
      ? live
        ? 'waiting'
        : Date.parse(plan.startAt) <= now
          ? 'stopped'
          : 'scheduled'
      : !live
        ? 'stopped'
        : toSend > 0
          ? 'sending'
          : 'watching';
  const info: LockInfo | undefined = lock.held ? lock.info : undefined;
  return {
    runId: plan.id,
    runDir,
    network: plan.network,
    phase,
    plannedStart: plan.startAt,
    unannouncedStart: plan.schedule.kind === 'between',
    ...(plan.schedule.between ? { between: plan.schedule.between } : {}),
    tz: plan.schedule.tz,
    ...(state.startedAt ? { startedAt: state.startedAt.toISOString(), windowEnd: new Date(state.startedAt.getTime() + plan.windowSeconds * 1000).toISOString() } : {}),
    ...(state.endedAt ? { endedAt: state.endedAt.toISOString() } : {}),
    channels: plan.channels,
    simulated: Boolean(plan.simulated),
    pings: {
      planned: c.planned,
      sent: c.sent,
      failed: c.failed,
      retrying: c.retrying,
      inFlight: live ? c.unconfirmed - declared : 0,
      uncertain: live ? declared : c.unconfirmed,
      notStarted: c.notStarted,
    },
    answers: {
      final: Boolean(state.endedAt),
      population: snap.population,
      answered: snap.answered,
      buckets: snap.buckets,
      outcomes: snap.outcomes,
      recent: snap.recent,
      ignored: snap.ignored,
      overrides: snap.overrides,
      ...(snap.authenticity ? { authenticity: snap.authenticity } : {}),
    },
    lock: lock.held
      ? { held: true, stale: lock.stale, ...(info ? { pid: info.pid, host: info.host, since: info.startedAt, command: info.command } : {}) }
      : { held: false },
    ...(state.endedAt ? { missingReports: missingReports(runDir, plan) } : {}),
    warnings,
  };
}
