// `rollcall stats` speed (issue 3): on a generated 1,000,000-row reply log against the floor — a
// minimal single-pass Node loop over the same file that splits rows and parses both timestamps —
// measured in the same run (target: at most 1.5 × the floor, peak RSS under 300 MB); and on a
// 100-row log against bare `node -e 0` (target: at most +200 ms). Run after a build:
//   node bench/stats.bench.mjs [rows]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, medianTime, timeCommand, writeReplyLog } from './lib.mjs';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const bin = fileURLToPath(new URL('../bin/rollcall.js', import.meta.url));
const mainJs = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1' };
const tmp = mkdtempSync(join(tmpdir(), 'rollcall-bench-stats-'));

const FLOOR = `
import { createReadStream } from 'node:fs';
let rest = '';
let ok = 0;
for await (const chunk of createReadStream(process.argv[2], { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (rest + chunk).split('\\n');
  rest = lines.pop();
  for (const line of lines) {
    const cells = line.split(',');
    const sent = Date.parse(cells[3]);
    const replied = Date.parse(cells[4]);
    if (sent <= replied) ok++;
  }
}
console.log(ok);
`;

const GNU_TIME = existsSync('/usr/bin/time') && spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0 ? '/usr/bin/time' : undefined;
const timeFile = join(tmp, 'time.txt');

/** One run: wall time (ms), and with GNU time also CPU time (user + system, ms) and peak RSS
 * (MB). Without GNU time, peak RSS comes from process.resourceUsage() in a child that runs the
 * CLI in-process. */
function measure(args) {
  if (!GNU_TIME) return { wall: timeCommand(process.execPath, args, { env, maxBuffer: 1 << 28 }) };
  const wall = timeCommand(GNU_TIME, ['-o', timeFile, '-f', '%U %S %M', process.execPath, ...args], { env, maxBuffer: 1 << 28 });
  const [user, sys, kb] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-3).map(Number);
  return { wall, cpu: (user + sys) * 1000, rss: kb / 1024 };
}

function peakRssInProcess(args) {
  const code = `const { main } = await import(${JSON.stringify(mainJs)}); const { Writable } = await import('node:stream');
const sink = new Writable({ write(_c, _e, cb) { cb(); } });
process.exitCode = await main(${JSON.stringify(args)}, { out: sink, err: process.stderr });
console.log(process.resourceUsage().maxRSS);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env });
  return Number(r.stdout.trim()) / 1024;
}

try {
  const big = join(tmp, 'replies-1m.csv');
  const small = join(tmp, 'replies-100.csv');
  const floorJs = join(tmp, 'floor.mjs');
  writeReplyLog(big, ROWS);
  writeReplyLog(small, 100);
  writeFileSync(floorJs, FLOOR);
  const mb = (statSync(big).size / 1e6).toFixed(0);

  // Alternate the two, so that machine noise hits both alike; median of 3 each after a warm-up.
  const statsArgs = [bin, 'stats', big, '--json'];
  const floorArgs = [floorJs, big];
  measure(floorArgs);
  measure(statsArgs);
  const floorRuns = [];
  const statsRuns = [];
  for (let i = 0; i < 3; i++) {
    floorRuns.push(measure(floorArgs));
    statsRuns.push(measure(statsArgs));
  }
  const f = median(floorRuns.map((r) => r.wall));
  const s = median(statsRuns.map((r) => r.wall));
  const rss = GNU_TIME ? Math.max(...statsRuns.map((r) => r.rss)) : peakRssInProcess(['stats', big, '--json']);
  const cpu = GNU_TIME ? `; CPU ${(median(statsRuns.map((r) => r.cpu)) / 1000).toFixed(2)} s vs ${(median(floorRuns.map((r) => r.cpu)) / 1000).toFixed(2)} s, ratio ${(median(statsRuns.map((r) => r.cpu)) / median(floorRuns.map((r) => r.cpu))).toFixed(2)}` : '';
  const label = ROWS === 1_000_000 ? '1M' : String(ROWS);
  console.log(
    `stats ${label} rows (${mb} MB): ${(s / 1000).toFixed(2)} s, floor ${(f / 1000).toFixed(2)} s, ratio ${(s / f).toFixed(2)} (target ≤ 1.5), peak RSS ${rss.toFixed(0)} MB (target < 300 MB)${cpu}`,
  );

  const base = medianTime(process.execPath, ['-e', '0'], 9, { env });
  const text = medianTime(process.execPath, [bin, 'stats', small], 9, { env });
  const json = medianTime(process.execPath, [bin, 'stats', small, '--json'], 9, { env });
  const base2 = medianTime(process.execPath, ['-e', '0'], 9, { env });
  const nodeMs = Math.min(base, base2);
  console.log(`stats 100 rows: ${text.toFixed(0)} ms (--json ${json.toFixed(0)} ms), node -e 0: ${nodeMs.toFixed(0)} ms, +${(text - nodeMs).toFixed(0)} ms (target ≤ +200 ms)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
