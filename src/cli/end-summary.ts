// The words printed when a sitting on a run ends (run, resume, demo): the table, where the run
// folder and reports are, the outcomes of the countries, the mail left out, the uncertain pings,
// or how to continue after a stop.
import { relative, isAbsolute } from 'node:path';
import type { PingStartedEvent } from '../core/events.js';
import { RunFolder } from '../core/run-folder.js';
import type { SessionResult } from '../run/session.js';
import type { CountryOutcome } from '../stats/types.js';
import { ignoredLine, originLine, outcomeLine } from './outcome-words.js';
import { testProblems, type TestProblem } from '../stats/phone-findings.js';
import type { Writable } from 'node:stream';
import { DiskFullError, EXIT, RollcallError } from '../core/errors.js';
import { writeBug, type Output } from './output.js';
import { RunLockedError } from '../run/lock.js';
import { palette } from '../core/palette.js';

export interface EndSummaryOptions {
  runDir: string;
  cwd: string;
  color: boolean;
  /** What stopped it (SIGINT...), for a stopped run. */
  stoppedBy?: string;
  /** Show the statistics table (not needed when --json printed the events). */
  table: boolean;
  /** How the user invoked rollcall (Output.invocation), for the commands suggested. */
  invocation?: string;
}

/** The end of a sitting in words, for `run`, `resume` and `demo`: on stdout, or on stderr when
 * --json keeps stdout for data. `table`: the statistics table too. */
export async function writeEnd(o: Output, result: SessionResult, opts: { runDir: string; stoppedBy: string | undefined; table: boolean }): Promise<void> {
  const text = await describeEnd(result, {
    runDir: opts.runDir,
    cwd: o.cwd,
    color: o.color,
    ...(o.invocation ? { invocation: o.invocation } : {}),
    table: opts.table,
    ...(opts.stoppedBy ? { stoppedBy: opts.stoppedBy } : {}),
  });
  (o.json ? o.err : o.out).write(text);
}

/** A path as short as it can be from the working directory. */
export function shown(path: string, cwd: string): string {
  if (!isAbsolute(path)) return path;
  const r = relative(cwd, path);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : path;
}

/** The pings a stop left uncertain: listed one by one, or (when the statistics' findings above
 * list them already) counted. */
export function uncertainLines(uncertain: PingStartedEvent[], runDir: string, windowOpen: boolean, listed: boolean, invocation = 'rollcall'): string[] {
  if (uncertain.length === 0) return [];
  const n = uncertain.length;
  const head =
    `${n} ping${n === 1 ? ' was' : 's were'} handed to ${n === 1 ? 'its' : 'their'} channel but never confirmed (the process stopped, or the connection was cut, before the server answered): ` +
    `${n === 1 ? 'it' : 'they'} may or may not have left, and ${n === 1 ? 'was' : 'were'} not sent again${listed ? ' (see the findings above)' : ''}.`;
  return [
    head,
    ...(listed ? [] : uncertain.map((p) => `  ${p.pingId}  ${p.address}  (attempt ${p.attempt}, started ${p.at})`)),
    ...(windowOpen ? [`To send ${n === 1 ? 'it' : 'them'} once more while the window is open: ${invocation} resume ${runDir} --resend-uncertain`] : []),
  ];
}

/** Problems of the test itself (webhooks that stopped arriving), said loudly: they mean answers
 * may be missing from the figures. */
export function testProblemLines(problems: TestProblem[], color: boolean): string[] {
  const c = palette(color);
  const loud = (t: string) => c.bold(c.red(t));
  return problems.map((p) => {
    const period = p.until ? `from ${p.since} to ${p.until}` : `from ${p.since} to the end of this sitting`;
    return loud(`WARNING, about the test itself: ${p.detail}`) + ` (${period}; pings affected: ${p.pingIds.join(', ')})`;
  });
}

async function problemsOf(runDir: string): Promise<TestProblem[]> {
  try {
    const folder = RunFolder.at(runDir);
    return folder.hasEvents() ? testProblems((await folder.events()).events) : [];
  } catch {
    return []; // the summary must not fail for this; `rollcall stats` names a broken log
  }
}

export async function describeEnd(result: SessionResult, opts: EndSummaryOptions): Promise<string> {
  const dir = shown(opts.runDir, opts.cwd);
  const rollcall = opts.invocation ?? 'rollcall';
  const out: string[] = testProblemLines(await problemsOf(opts.runDir), opts.color);
  if (result.outcome === 'stopped') {
    out.push(
      `Stopped${opts.stoppedBy ? ` (${opts.stoppedBy})` : ''} before the window closed. Nothing is lost: every ping and answer so far is in ${dir}/events.jsonl.`,
      `Continue with: ${rollcall} resume ${dir}`,
    );
    out.push(...uncertainLines(result.uncertain, dir, true, false, rollcall));
    return out.join('\n') + '\n';
  }
  if (opts.table && result.stats) {
    const { renderStatsText } = await import('../report/terminal.js');
    out.push(renderStatsText(result.stats, { color: opts.color }).trimEnd(), '');
    const counts: Record<CountryOutcome, number> = { answered: 0, late: 0, 'automatic-only': 0, unreachable: 0, silent: 0 };
    for (const c of result.stats.countries) counts[c.outcome]++;
    out.push(`Outcomes: ${outcomeLine(counts)} (of ${result.stats.population} countries).`);
    const a = result.stats.authenticity;
    if (a) {
      const counted = a.unconfirmed.filter((u) => u.counted).length;
      out.push(`Origin: ${originLine({ policy: a.policy, unconfirmed: a.unconfirmed.length, unconfirmedCounted: counted, unauthenticatedBounces: a.unauthenticatedBounces })}.`);
    }
  }
  if (result.ignored) out.push(`${ignoredLine(result.ignored)}.`);
  if (result.outcome === 'already-ended') out.push('This run had already ended; nothing was sent.');
  out.push(...uncertainLines(result.uncertain, dir, false, opts.table && Boolean(result.stats), rollcall));
  out.push(`Run folder: ${dir}`);
  if (result.reports.length > 0) out.push(`Reports:    ${result.reports.map((r) => shown(r, opts.cwd)).join(', ')}`);
  if (result.reportError) out.push(`Reports could not be written: ${result.reportError}. Try: ${rollcall} report ${dir}`);
  out.push(`Figures again: ${rollcall} stats ${dir}`);
  return out.join('\n') + '\n';
}

/** A sitting that failed (a server out of reach, a full disk, a bug): the cause first, then that
 * nothing is lost and how to go on. Returns the exit code. */
export function describeFailure(e: unknown, err: Writable, runDir: string, cwd: string, invocation = 'rollcall'): number {
  const dir = shown(runDir, cwd);
  if (e instanceof RunLockedError) {
    err.write(`rollcall: ${e.message}\n`);
    return e.exitCode;
  }
  if (e instanceof RollcallError) err.write(`rollcall: ${e.message}\n`);
  else writeBug(err, e);
  const how = e instanceof DiskFullError ? 'Free some space, then continue with' : 'Continue with';
  err.write(`rollcall: the run stopped; nothing is lost (every ping and answer so far is in ${dir}/events.jsonl). ${how}: ${invocation} resume ${dir}\n`);
  return e instanceof RollcallError ? e.exitCode : EXIT.problems;
}
