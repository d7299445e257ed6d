// Small helpers shared by the benchmarks: timing spawned commands and summarising samples.
import { spawnSync } from 'node:child_process';

export function timeCommand(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median of `n` runs of a command, after one warm-up run. */
export function medianTime(cmd, args, n = 15, opts = {}) {
  timeCommand(cmd, args, opts);
  return median(Array.from({ length: n }, () => timeCommand(cmd, args, opts)));
}
