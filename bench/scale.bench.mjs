// Scale (issue 17): generated directories of 10,000, 30,000 and 100,000 contact points through
// the CLI as a user runs it — `directory validate`, `demo --directory --speed max`, `stats` on the
// run folder, `report --format html,csv` — each a spawned process, timed (wall and CPU) with its
// peak RSS. Prints the time per contact point at each size and its ratio to the smallest size's,
// and `stats` on the run folder against `stats` on a reply log with as many rows as the run's
// event log: one over 10,000 contact points (the first reference, kept), and one over as many
// contact points and countries as the run's directory (`reply log 2`: the same test as a reply
// log). Targets: per contact point within 1.2× of the 10k figure at 100k; peak RSS under
// 300 MB at 100k; stats on the run folder within 2× the reply log's.
//
//   npm run bench -- scale                         10k, 30k, 100k, one run each
//   node bench/scale.bench.mjs 5000 20000          other sizes (the first is the reference)
//   ROLLCALL_BENCH_RUNS=3 node bench/scale.bench.mjs    median of 3 runs per step
//   ROLLCALL_BENCH_KEEP=1 ...                      keep the generated files and run folders
//
// Work happens on /dev/shm when there is one: a run flushes every event (fdatasync), and on a
// disk that flush, not rollcall, would be what is measured.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, writeReplyLog } from './lib.mjs';
import { writeBigDirectory } from '../fixtures/generate-big-directory.mjs';

const sizes = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);
const SIZES = sizes.length ? sizes : (process.env.ROLLCALL_BENCH_SIZES ?? '10000,30000,100000').split(',').map(Number);
const RUNS = Math.max(1, Number(process.env.ROLLCALL_BENCH_RUNS ?? 1));
const KEEP = Boolean(process.env.ROLLCALL_BENCH_KEEP);
const bin = fileURLToPath(new URL('../bin/rollcall.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1' };
const where = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const tmp = mkdtempSync(join(where, 'rollcall-bench-scale-'));
const GNU_TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;
const timeFile = join(tmp, 'time.txt');

/** One spawned CLI run: wall and CPU time (ms), peak RSS (MB), stdout. */
function measure(args) {
  const t0 = process.hrtime.bigint();
  const r = GNU_TIME
    ? spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', process.execPath, bin, ...args], { encoding: 'utf8', env, maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, ['-e', RSS_WRAPPER, bin, ...args], { encoding: 'utf8', env, maxBuffer: 1 << 30 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`rollcall ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  if (GNU_TIME) {
    const [user, sys, kb] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
    return { wall, cpu: (user + sys) * 1000, rss: kb / 1024, stdout: r.stdout };
  }
  const [out, usage] = r.stdout.split('\u0000RSS ');
  const u = JSON.parse(usage);
  return { wall, cpu: (u.userCPUTime + u.systemCPUTime) / 1000, rss: u.maxRSS / 1024, stdout: out };
}

/** Without GNU time: the CLI in a child that reports its own resource usage at exit. */
const RSS_WRAPPER = `process.argv.splice(1, 1); process.on('exit', () => process.stdout.write('\\u0000RSS ' + JSON.stringify(process.resourceUsage()))); await import(process.argv[1]);`;

/** Median of RUNS runs (the last run's stdout is kept). */
function step(label, size, args) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(measure(typeof args === 'function' ? args(i) : args));
  return {
    label,
    size,
    wall: median(runs.map((r) => r.wall)),
    cpu: median(runs.map((r) => r.cpu)),
    rss: Math.max(...runs.map((r) => r.rss)),
    stdout: runs[runs.length - 1].stdout,
  };
}

const results = [];
const lines = (file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
const [load1] = loadavg();
console.log(`scale: sizes ${SIZES.join(', ')}; ${RUNS} run${RUNS > 1 ? 's' : ''} per step (median); work in ${where}; load average at start ${load1.toFixed(2)}`);
try {
  for (const size of SIZES) {
    const dirFile = join(tmp, `directory-${size}.csv`);
    await writeBigDirectory(dirFile, { contacts: size, format: 'csv' });
    results.push(step('directory validate', size, ['directory', 'validate', dirFile]));
    const runsDir = join(tmp, `runs-${size}`);
    const demo = step('demo --speed max', size, ['demo', '--directory', dirFile, '--speed', 'max', '--seed', '7', '--runs-dir', runsDir, '--json']);
    results.push(demo);
    const runDir = join(runsDir, readdirSync(runsDir).sort().pop());
    const events = lines(join(runDir, 'events.jsonl'));
    results.push(step('stats <run>', size, ['stats', runDir, '--json']));
    const replies = join(tmp, `replies-${size}.csv`);
    writeReplyLog(replies, events);
    results.push({ ...step('stats <reply log>', size, ['stats', replies, '--json']), rows: events, contacts: 10_000 });
    // The same number of rows over as many contact points as the run, in as many countries.
    const same = join(tmp, `replies-same-${size}.csv`);
    writeReplyLog(same, events, { contacts: size, countries: countriesOf(dirFile) });
    results.push({ ...step('stats <reply log 2>', size, ['stats', same, '--json']), rows: events, contacts: size });
    results.push(step('report html,csv', size, (i) => ['report', runDir, '--format', 'html,csv', '--out', join(tmp, `reports-${size}-${i}`)]));
    const html = readdirSync(join(tmp, `reports-${size}-0`)).find((f) => f.endsWith('.html'));
    const htmlMb = html ? (statSync(join(tmp, `reports-${size}-0`, html)).size / 1e6).toFixed(1) : '?';
    console.log(`  ${size}: ${events} events, HTML report ${htmlMb} MB, validate ${ms(results.at(-6).wall)}, demo ${ms(demo.wall)}, stats ${ms(results.at(-4).wall)}, report ${ms(results.at(-1).wall)}`);
    if (!KEEP) {
      rmSync(runsDir, { recursive: true, force: true });
      for (let i = 0; i < RUNS; i++) rmSync(join(tmp, `reports-${size}-${i}`), { recursive: true, force: true });
    }
  }
  report();
} finally {
  if (KEEP) console.log(`kept: ${tmp}`);
  else rmSync(tmp, { recursive: true, force: true });
}

/** How many countries a generated directory CSV lists. */
function countriesOf(file) {
  const isos = new Set();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split(',');
    if (cells.length > 3 && /^[A-Z]{2}$/.test(cells[1])) isos.add(cells[1]);
  }
  return isos.size;
}

function ms(x) {
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}

function report() {
  const ref = SIZES[0];
  const big = SIZES[SIZES.length - 1];
  console.log(`\nper contact point (µs, wall / CPU), ratio to ${ref} (target at ${big}: ≤ 1.2), peak RSS (target at 100k: < 300 MB)`);
  for (const label of [...new Set(results.map((r) => r.label))]) {
    const base = results.find((r) => r.label === label && r.size === ref);
    const cells = results
      .filter((r) => r.label === label)
      .map((r) => {
        const w = (r.wall * 1000) / r.size;
        const c = (r.cpu * 1000) / r.size;
        const wr = w / ((base.wall * 1000) / base.size);
        const cr = c / ((base.cpu * 1000) / base.size);
        return `${r.size}: ${w.toFixed(0)}/${c.toFixed(0)} µs ×${wr.toFixed(2)}/×${cr.toFixed(2)} ${r.rss.toFixed(0)} MB`;
      });
    console.log(`  ${label.padEnd(19)} ${cells.join(' | ')}`);
  }
  for (const size of SIZES) {
    const run = results.find((r) => r.label === 'stats <run>' && r.size === size);
    for (const label of ['stats <reply log>', 'stats <reply log 2>']) {
      const log = results.find((r) => r.label === label && r.size === size);
      console.log(`  stats ${size}: run folder ${ms(run.wall)} (CPU ${ms(run.cpu)}) vs reply log of ${log.rows} rows, ${log.contacts} contact points: ${ms(log.wall)} (CPU ${ms(log.cpu)}): ×${(run.wall / log.wall).toFixed(2)} wall, ×${(run.cpu / log.cpu).toFixed(2)} CPU (target ≤ 2)`);
    }
  }
  console.log(`load average at end ${loadavg()[0].toFixed(2)}`);
}
