// Bucket thresholds: `--buckets 5m,15m,1h` → seconds, ascending, without duplicates.
import { UsageError } from '../core/errors.js';
import { formatDuration, parseDuration } from '../core/duration.js';

/** The thresholds of the 2023 report: 15 min, 30 min, 1 h, 12 h, 24 h. */
export const DEFAULT_BUCKET_SECONDS: readonly number[] = [900, 1800, 3600, 43200, 86400];

/** Parses a comma-separated list of durations (`15m,30m,1h,12h,24h`); throws UsageError naming
 * the bad entry. Thresholds must be whole seconds. */
export function parseBuckets(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.every((p) => p === '')) throw new UsageError('--buckets: give at least one threshold, e.g. 15m,30m,1h,12h,24h');
  const seconds = new Set<number>();
  for (const p of parts) {
    if (p === '') throw new UsageError(`--buckets: empty threshold in "${text}"`);
    const s = parseDuration(p);
    if (s === undefined) throw new UsageError(`--buckets: "${p}" is not a duration (use s, m, h or d: 90s, 15m, 1h30m, 24h)`);
    if (!Number.isInteger(s)) throw new UsageError(`--buckets: "${p}" is not a whole number of seconds`);
    seconds.add(s);
  }
  return [...seconds].sort((a, b) => a - b);
}

/** The warning for thresholds asked of a run (--buckets) past the window it watched: nothing that
 * arrived after the window was looked for, so those thresholds count only what came within it. */
export function bucketsPastWindow(bucketSeconds: readonly number[], source: { kind: string; windowSeconds: number; path: string }): string | undefined {
  if (source.kind !== 'run') return undefined;
  const last = bucketSeconds[bucketSeconds.length - 1];
  if (last === undefined || last <= source.windowSeconds) return undefined;
  return `--buckets: the last threshold (${formatDuration(last)}) is longer than the window the run watched (${formatDuration(source.windowSeconds)}): answers after ${formatDuration(source.windowSeconds)} were not looked for, so it counts only those that came within the window`;
}
