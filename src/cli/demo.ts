// rollcall demo [--speed N] [--seed S] [--runs-dir D] [--json]: a whole test against simulated
// contact points, no set-up: prints the table and where the run folder and reports are.
// --json prints { runDir, stats } (stats as `rollcall stats --json` prints them).
import { resolve } from 'node:path';
import { EXIT, UsageError } from '../core/errors.js';
import { readDirectory } from '../directory/load.js';
import { DEMO_SPEED, DEMO_WINDOW_SECONDS, demoDirectoryPath, simChannelSetup } from '../run/demo.js';
import { describeEnd, describeFailure, shown } from './end-summary.js';
import { createRunView } from './live-view.js';
import { createRun, directorySnapshot } from '../run/plan.js';
import { seedFrom } from '../core/random.js';
import { runSession } from '../run/session.js';
import { stopOnSignals, stoppedExitCode } from '../run/stop-signals.js';
import { DEFAULT_BUCKET_SECONDS } from '../stats/buckets.js';
import { commandLine, type Output } from './output.js';
import type { DemoOptions } from './commands.js';

export async function run(_args: string[], opts: DemoOptions, o: Output): Promise<number> {
  const speedText = opts.speed;
  const speed = speedText === undefined ? DEMO_SPEED : Number(speedText);
  if (!Number.isFinite(speed) || speed <= 0) throw new UsageError(`--speed: "${speedText}" is not a positive number (times real time; ${DEMO_SPEED} runs 24 h in ${Math.round(86_400 / DEMO_SPEED)} s)`);
  const seedText = opts.seed;
  const seed = /^\d+$/.test(seedText) ? Number(seedText) >>> 0 : seedFrom(seedText);

  const directoryFile = demoDirectoryPath();
  const directory = await readDirectory(directoryFile);
  const snapshot = directorySnapshot(directory, false);
  const now = new Date();
  const { runDir, plan } = createRun({
    runsDir: resolve(o.cwd, opts.runsDir),
    directory,
    directoryFile: 'fixtures/directory.yaml',
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
    o.out.write(
      `Demo: ${snapshot.parties.length} parties of the ${directory.network}, simulated contact points (seed ${seedText}), ` +
        `a ${DEMO_WINDOW_SECONDS / 3600}-hour window at ${speed}× speed (about ${Math.round(DEMO_WINDOW_SECONDS / speed)} s).\n` +
        `Run folder: ${shown(runDir, o.cwd)}\n`,
    );
  }
  const { clock, channels, random, from } = await simChannelSetup(runDir, plan, snapshot, now);
  const stop = stopOnSignals({ err: o.err, continueWith: commandLine(o, `resume ${shown(runDir, o.cwd)}`), quit: (code) => process.exit(code) });
  try {
    const result = await runSession({
      runDir,
      plan,
      directory: snapshot,
      channels,
      clock,
      command: 'demo',
      signal: stop.signal,
      random,
      from,
      // --json prints only the result: no event lines here.
      ...(o.json ? {} : { view: (events) => createRunView(o, { plan, directory: snapshot, runDir, clock, events, lineIntervalMs: 5000 }) }),
    });
    if (o.json && result.outcome !== 'stopped') {
      o.out.write(JSON.stringify({ runDir: shown(runDir, o.cwd), stats: result.stats }, null, 2) + '\n');
    } else {
      const text = await describeEnd(result, { runDir, cwd: o.cwd, color: o.color, ...(o.invocation ? { invocation: o.invocation } : {}), table: true, ...(stop.received ? { stoppedBy: stop.received } : {}) });
      (o.json ? o.err : o.out).write(text);
    }
    return result.outcome === 'stopped' ? stoppedExitCode(stop) : EXIT.ok;
  } catch (e) {
    return describeFailure(e, o.err, runDir, o.cwd, o.invocation);
  } finally {
    stop.dispose();
  }
}
