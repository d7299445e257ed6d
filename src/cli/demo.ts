// rollcall demo [--directory F [--sheet S]] [--speed N|max] [--seed S] [--runs-dir D] [--json]: a
// whole test against simulated contact points, no set-up: prints the table and where the run
// folder and reports are. Without --directory, on the example directory (68 parties); with it,
// on the secretariat's own directory, after showing what the validator warns about, so that a
// network is rehearsed before its real test. --json prints { runDir, stats } (stats as
// `rollcall stats --json` prints them), and with --directory also { directory, warnings }.
import { resolve } from 'node:path';
import { collectNow, governHeap } from '../core/heap-governor.js';
import { EXIT, formatProblem, InputError, UsageError, type InputProblem } from '../core/errors.js';
import { loadDirectory, readDirectory } from '../directory/load.js';
import type { Directory } from '../core/directory.js';
import { DEMO_SPEED, DEMO_WINDOW_SECONDS, demoDirectoryPath, simChannelSetup, type SimSetup } from '../run/demo.js';
import { DirectoryHandover } from '../run/engine.js';
import type { RunPlan } from '../core/run-folder.js';
import { describeFailure, shown, writeEnd } from './end-summary.js';
import { createRunView } from './live-view.js';
import { countPings, createRun, directorySnapshot } from '../run/plan.js';
import { seedFrom } from '../core/random.js';
import { runSession } from '../run/session.js';
import { stopOnSignals, stoppedExitCode } from '../run/stop-signals.js';
import { DEFAULT_BUCKET_SECONDS } from '../stats/buckets.js';
import { commandLine, type Output } from './output.js';
import { writeJson } from '../core/json-text.js';
import type { DemoOptions } from './commands.js';

/** Warnings listed before a rehearsal; `directory validate` lists them all. */
const WARNINGS_SHOWN = 10;

/** `--speed`: a factor of real time, or `max` (0 in run.json: as fast as the machine goes). */
export function parseSpeed(text: string | undefined): number {
  if (text === undefined) return DEMO_SPEED;
  if (text.trim().toLowerCase() === 'max') return 0;
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new UsageError(`--speed: "${text}" is not a positive number or max (times real time; ${DEMO_SPEED} runs 24 h in ${Math.round(86_400 / DEMO_SPEED)} s)`);
  }
  return speed;
}

export async function run(_args: string[], opts: DemoOptions, o: Output): Promise<number> {
  const speed = parseSpeed(opts.speed);
  const seedText = opts.seed;
  const seed = /^\d+$/.test(seedText) ? Number(seedText) >>> 0 : seedFrom(seedText);
  const given = opts.directory;
  if (opts.sheet !== undefined && given === undefined) throw new UsageError('--sheet names a sheet of the --directory workbook; give --directory too');
  // The directory is handed to the engine, which lets go of it once the pings are planned; only
  // the live view (not --json) keeps it.
  governHeap();
  const { runDir, plan, sim, handover, shownDirectory, warnings } = await prepare(opts, o, { given, seed, seedText, speed });
  collectNow();
  const { clock, channels, random, from } = sim;
  const stop = stopOnSignals({ err: o.err, continueWith: commandLine(o, `resume ${shown(runDir, o.cwd)}`), quit: (code) => process.exit(code) });
  try {
    const result = await runSession({
      runDir,
      plan,
      directory: handover,
      channels,
      clock,
      command: 'demo',
      signal: stop.signal,
      random,
      from,
      // --json prints only the result: no event lines here.
      ...(shownDirectory ? { view: (events) => createRunView(o, { plan, directory: shownDirectory, runDir, clock, events, lineIntervalMs: 5000 }) } : {}),
    });
    if (o.json && result.outcome !== 'stopped') {
      const rehearsal = given === undefined ? {} : { directory: given, warnings };
      await writeJson(o.out, { runDir: shown(runDir, o.cwd), ...rehearsal, stats: result.stats });
    } else {
      await writeEnd(o, result, { runDir, stoppedBy: stop.received, table: true });
    }
    return result.outcome === 'stopped' ? stoppedExitCode(stop) : EXIT.ok;
  } catch (e) {
    return describeFailure(e, o.err, runDir, o.cwd, o.invocation);
  } finally {
    stop.dispose();
  }
}

/** Loads and checks the directory, says what is about to run, creates the run folder and the
 * simulated world. */
async function prepare(
  opts: DemoOptions,
  o: Output,
  { given, seed, seedText, speed }: { given: string | undefined; seed: number; seedText: string; speed: number },
): Promise<{ runDir: string; plan: RunPlan; sim: SimSetup; handover: DirectoryHandover; shownDirectory: Directory | undefined; warnings: InputProblem[] }> {
  let directory: Directory;
  let warnings: InputProblem[] = [];
  if (given === undefined) {
    directory = await readDirectory(demoDirectoryPath());
  } else {
    const check = await loadDirectory(given, { cwd: o.cwd, ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}) });
    if (!check.directory) throw new InputError(check.errors.length ? check.errors : [{ file: given, message: 'not a valid directory' }]);
    directory = check.directory;
    warnings = check.warnings;
  }
  // What reading and checking the directory made is garbage now (a phase's end, see heap-governor).
  collectNow();
  const snapshot = directorySnapshot(directory, false);
  const pings = countPings(snapshot, ['sim']);
  if (given !== undefined && pings === 0) {
    const observers = directory.parties.length - snapshot.parties.length;
    const also = observers > 0 ? ` (its ${observers} observer${observers === 1 ? ' is' : 's are'} not tested)` : '';
    throw new UsageError(`no party in ${given} has a contact point with an e-mail address${also}: the demo's simulated contact points answer e-mail pings`);
  }
  const contacts = snapshot.parties.reduce((n, p) => n + p.contacts.length, 0);

  if (!o.json && warnings.length > 0) {
    const more = warnings.length - WARNINGS_SHOWN;
    o.out.write(
      `${warnings.length} warning${warnings.length === 1 ? '' : 's'} about ${given}${more > 0 ? ` (the first ${WARNINGS_SHOWN}; rollcall directory validate ${given} lists them all)` : ''}:\n` +
        warnings.slice(0, WARNINGS_SHOWN).map((w) => `  ${formatProblem(w)}\n`).join('') +
        (more > 0 ? `  ... and ${more} more\n` : ''),
    );
  }

  const now = new Date();
  const { runDir, plan } = createRun({
    runsDir: resolve(o.cwd, opts.runsDir),
    directory,
    directoryFile: given ?? 'fixtures/directory.yaml',
    schedule: { startAt: now, plan: { kind: 'now', tz: 'UTC' } },
    windowSeconds: DEMO_WINDOW_SECONDS,
    bucketSeconds: [...DEFAULT_BUCKET_SECONDS],
    channels: ['sim'],
    includeObservers: false,
    folders: [],
    tz: 'UTC',
    simulated: true,
    sim: { seed, speed },
    now,
    random: Math.random,
  });
  if (!o.json) {
    const pace = speed > 0 ? `at ${speed}× speed (about ${Math.round(DEMO_WINDOW_SECONDS / speed)} s)` : 'as fast as the machine goes';
    const what = given === undefined ? `${snapshot.parties.length} parties of the ${directory.network}` : `${snapshot.parties.length} parties, ${contacts} contact points (${pings} addresses) of ${given}`;
    o.out.write(
      `Demo: ${what}, simulated contact points (seed ${seedText}), a ${DEMO_WINDOW_SECONDS / 3600}-hour window ${pace}.\n` +
        `Run folder: ${shown(runDir, o.cwd)}\n`,
    );
  }
  const sim = await simChannelSetup(runDir, plan, snapshot, now);
  return { runDir, plan, sim, handover: new DirectoryHandover(snapshot), shownDirectory: o.json ? undefined : snapshot, warnings };
}
