// One sitting of work on a run, for `run`, `resume` and `demo`: takes the lock, runs the engine
// with a view attached, and when the window has closed computes the statistics from the run
// folder (exactly what `rollcall stats <runDir>` prints) and writes the reports into it.
import type { Channel } from '../channels/channel.js';
import type { Directory } from '../core/directory.js';
import type { PingStartedEvent, RunEvent } from '../core/events.js';
import type { SourceMeta } from '../stats/source.js';
import { DEFAULT_REPORT_FORMATS, writeRunReports, type FoldedRun } from './finish.js';
import { collectNow, endPhase } from '../core/heap-governor.js';
import type { Stats } from '../stats/types.js';
import type { InputProblem } from '../core/errors.js';
import type { Clock } from '../core/clock.js';
import type { RetryPolicy } from './dispatch.js';
import { runEngine, type DirectoryHandover, type EngineResult } from './engine.js';
import { acquireLock } from './lock.js';
import type { RunPlan } from '../core/run-folder.js';
import type { EnginePhase } from './engine.js';
import type { RunNotifier } from './notify.js';

/** What watches a sitting as it goes (the CLI's live view): the phases and every event. */
export interface RunView {
  phase(p: EnginePhase): void;
  event(e: RunEvent): void;
  /** Last redraw; stops the timers. */
  stop(): void;
}

export interface SessionOptions {
  runDir: string;
  plan: RunPlan;
  /** The snapshot; handed over, the engine lets go of it once the pings are planned. */
  directory: Directory | DirectoryHandover;
  channels: Channel[];
  clock: Clock;
  /** Names the holder in the lock (`run`, `resume`, `demo`). */
  command: string;
  signal?: AbortSignal;
  resendUncertain?: boolean;
  random?: () => number;
  from?: string;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Builds the view once the log has been read (it gets the events already there). */
  view?: (events: RunEvent[]) => Promise<RunView> | RunView;
  /** Report formats written into <runDir>/reports/ at the end (default md, json, html). */
  reportFormats?: string[];
  /** Tells the secretariat (--notify): run started, stopped on an error, ended. */
  notify?: RunNotifier;
}

export interface SessionResult {
  outcome: EngineResult['outcome'];
  uncertain: PingStartedEvent[];
  stats?: Stats;
  meta?: SourceMeta;
  reports: string[];
  /** Reports could not be written (the run itself is complete; `rollcall report` can redo them). */
  reportError?: string;
  warnings: InputProblem[];
  /** Messages that were not the test's, counted and forgotten. */
  ignored?: number;
}

export { DEFAULT_REPORT_FORMATS };

export async function runSession(opts: SessionOptions): Promise<SessionResult> {
  const lock = acquireLock(opts.runDir, opts.command);
  let view: RunView | undefined;
  // The lock is held until the reports are written: a kill before then leaves a stale lock that
  // tells `resume` (and `status`) the run is not finished.
  try {
    let engine: EngineResult | undefined;
    try {
      engine = await runEngine({
        runDir: opts.runDir,
        plan: opts.plan,
        directory: opts.directory,
        channels: opts.channels,
        clock: opts.clock,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.resendUncertain ? { resendUncertain: true } : {}),
        ...(opts.random ? { random: opts.random } : {}),
        ...(opts.from ? { from: opts.from } : {}),
        ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
        ...(opts.retry ? { retry: opts.retry } : {}),
        ...(opts.view
          ? {
              onLoaded: async (events: RunEvent[]) => {
                view = await opts.view!(events);
              },
              onPhase: (p: EnginePhase) => view?.phase(p),
            }
          : {}),
        ...(opts.view || opts.notify
          ? {
              onEvent: (e: RunEvent) => {
                view?.event(e);
                if (e.type === 'run-started') opts.notify?.started(new Date(e.at));
              },
            }
          : {}),
      });
    } catch (e) {
      view?.stop();
      view = undefined;
      await opts.notify?.failed(e);
      throw e;
    } finally {
      view?.stop();
    }
    const result: SessionResult = { outcome: engine.outcome, uncertain: engine.uncertain, reports: [], warnings: [], ignored: engine.state.ignored };
    const outcome = engine.outcome;
    // When nothing but this sitting wrote to the log, its state is the fold of the whole log:
    // the reports are computed from it and from the directory the engine kept. Otherwise (a
    // `rollcall mark` meanwhile) they read the run folder again, and the state is let go first.
    const folded: FoldedRun | undefined = outcome === 'ended' && engine.ownLog ? { state: engine.state, directory: engine.countingDirectory } : undefined;
    // What the sitting made and no longer holds (its pings, the channels' queues) is garbage now.
    collectNow();
    endPhase();
    // Its checkpoint, for `stats` and `report` to read instead of the log (best effort).
    if (folded?.state && folded.directory && engine.logBytes !== undefined) {
      const { writeCheckpoint } = await import('../stats/checkpoint.js');
      // The reports are computed from the rows it wrote: the state (several times their size
      // at 100,000 contact points) is let go first.
      folded.rows = await writeCheckpoint(opts.runDir, folded.state, folded.directory, opts.plan.directoryHash, opts.plan.channels, engine.logBytes);
      if (folded.rows) folded.state = undefined;
    }
    engine = undefined;
    if (outcome === 'stopped') {
      await opts.notify?.settled();
      return result;
    }
    const { stats, meta, warnings, reports, reportError } = await writeRunReports(opts.runDir, opts.plan, opts.reportFormats ?? DEFAULT_REPORT_FORMATS, folded);
    Object.assign(result, { stats, meta, warnings, reports }, reportError !== undefined ? { reportError } : {});
    // Told once, when this sitting closed the window (not when resuming a run already ended).
    if (outcome === 'ended') await opts.notify?.ended(result);
    await opts.notify?.settled();
    return result;
  } finally {
    lock.release();
  }
}
