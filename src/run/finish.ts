// The end of a run that its window closed: the reports written into the run folder, and, for a
// run whose process was killed after `run-ended` (before its reports, or before it let go of the
// lock), `resume` finishing what is missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { InputProblem } from '../core/errors.js';
import { runPaths, type RunPlan } from '../core/run-folder.js';
import { loadStatsSource, statsOfRunState, type SourceMeta } from '../stats/source.js';
import type { RunState } from '../core/run-state.js';
import type { Directory } from '../core/directory.js';
import type { Stats } from '../stats/types.js';
import type { CheckpointRows } from '../stats/checkpoint.js';
import { reportBaseName } from '../report/write.js';
import { acquireLock, type LockInfo } from './lock.js';
import { collectNow } from '../core/heap-governor.js';

export const DEFAULT_REPORT_FORMATS = ['md', 'json', 'html'];

/** Where the end of a run writes each report format. */
export function runReportPaths(runDir: string, plan: RunPlan, formats: string[] = DEFAULT_REPORT_FORMATS): string[] {
  const base = reportBaseName({ kind: 'run', path: runDir, runId: plan.id, bucketSeconds: plan.bucketSeconds, windowSeconds: plan.windowSeconds });
  return formats.map((f) => join(runPaths(runDir).reports, `${base}.${f}`));
}

/** The run's reports that are not in its folder. */
export function missingReports(runDir: string, plan: RunPlan, formats: string[] = DEFAULT_REPORT_FORMATS): string[] {
  return runReportPaths(runDir, plan, formats).filter((p) => !existsSync(p));
}

export interface RunReports {
  stats: Stats;
  meta: SourceMeta;
  warnings: InputProblem[];
  reports: string[];
  /** Reports could not be written (the run itself is complete; `rollcall report` can redo them). */
  reportError?: string;
}

/** The whole log as the process that ran it folded it, and the directory as the statistics read
 * it: what the reports at the end of a sitting are computed from. Let go of (emptied) once the
 * statistics are computed, before the reports are rendered. */
export interface FoldedRun {
  state: RunState | undefined;
  /** The same state as the checkpoint written from it holds it (the state then let go). */
  rows?: CheckpointRows | undefined;
  directory?: Directory | undefined;
}

/** Statistics from the run folder (exactly what `rollcall stats <runDir>` prints), and the
 * reports in the given formats written into <runDir>/reports/. `folded`: the whole log as the
 * process that ran it folded it (the engine's `ownLog`), instead of reading the run folder again;
 * emptied once the statistics are computed. */
export async function writeRunReports(runDir: string, plan: RunPlan, formats: string[] = DEFAULT_REPORT_FORMATS, folded?: FoldedRun): Promise<RunReports> {
  const held = folded?.rows ?? folded?.state;
  const { stats, meta, warnings } = held ? await statsOfRunState(runDir, held, folded!.directory) : await loadStatsSource(runDir);
  if (folded) {
    // The run's state is not needed to render: a run of 100,000 contact points held 65 MB of it.
    folded.state = undefined;
    folded.rows = undefined;
    folded.directory = undefined;
    collectNow();
  }
  const out: RunReports = { stats, meta, warnings, reports: [] };
  try {
    const { writeReports } = await import('../report/write.js');
    out.reports = await writeReports({ stats, meta }, { formats, outDir: runPaths(runDir).reports, tz: plan.tz });
  } catch (e) {
    out.reportError = (e as Error)?.message ?? String(e);
  }
  return out;
}

export interface FinishedRun {
  /** Reports that were missing and are now written. */
  written: string[];
  /** Reports already there. */
  present: string[];
  /** The lock of a process that is gone, removed. */
  staleLock?: LockInfo;
  reportError?: string;
  warnings: InputProblem[];
}

/** Finishes a run that has ended: takes its lock (a stale one is removed; a live one is a
 * WorkError), writes the reports it is missing, lets go of the lock. */
export async function finishEndedRun(opts: { runDir: string; plan: RunPlan; command: string; formats?: string[] }): Promise<FinishedRun> {
  const formats = opts.formats ?? DEFAULT_REPORT_FORMATS;
  const lock = acquireLock(opts.runDir, opts.command);
  try {
    const all = runReportPaths(opts.runDir, opts.plan, formats);
    const missing = missingReports(opts.runDir, opts.plan, formats);
    const out: FinishedRun = { written: [], present: all.filter((p) => !missing.includes(p)), warnings: [], ...(lock.replaced ? { staleLock: lock.replaced } : {}) };
    if (missing.length > 0) {
      const missingFormats = formats.filter((_, i) => missing.includes(all[i]!));
      const r = await writeRunReports(opts.runDir, opts.plan, missingFormats);
      out.written = r.reports;
      out.warnings = r.warnings;
      if (r.reportError) out.reportError = r.reportError;
    }
    return out;
  } finally {
    lock.release();
  }
}
