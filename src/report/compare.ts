// --compare: the figures of two tests side by side, with the change (`+3`, `−2.5 pts`, `−4 min`).
// Changes are computed on the figures as displayed (durations rounded to the minute), so that
// the reader's own subtraction agrees with the change column.
import type { BucketStat, Stats } from '../stats/types.js';
import { formatDuration, thresholdLabel } from '../core/duration.js';
import { MINUS, type Formatter } from './format.js';

const sign = (d: number) => (d > 0 ? '+' : d < 0 ? MINUS : '');

/** `+3`, `−2`, `0`. */
export function countDelta(earlier: number, current: number, fmt: Formatter): string {
  const d = current - earlier;
  return `${sign(d)}${fmt.int(Math.abs(d))}`;
}

/** Percentage points: `+3.47 pts`, `−2.5 pts`, `0 pts`. */
export function pointsDelta(earlier: number, current: number, fmt: Formatter): string {
  const d = Math.round((current - earlier) * 100) / 100;
  return `${sign(d)}${fmt.decimal(Math.abs(d), 2)} pts`;
}

/** Seconds as displayed: whole seconds under a minute, else whole minutes (half up). */
function displayed(seconds: number): number {
  const s = Math.floor(seconds + 0.5);
  return s < 60 ? s : Math.floor(seconds / 60 + 0.5) * 60;
}

/** `−4 min`, `+1h 2 min`, `0 min`; empty when either side has no figure. */
export function durationDelta(earlier: number | null | undefined, current: number | null | undefined): string {
  if (earlier === null || earlier === undefined || current === null || current === undefined) return '';
  const d = displayed(current) - displayed(earlier);
  return d === 0 ? '0 min' : `${sign(d)}${formatDuration(Math.abs(d))}`;
}

export interface CompareBucketRow {
  thresholdSeconds: number;
  label: string;
  earlier?: BucketStat;
  current?: BucketStat;
  responded: string;
  share: string;
  average: string;
  median: string;
}

/** One row per threshold of either test (a threshold only one test used has no change). */
export function compareBuckets(earlier: Stats, current: Stats, fmt: Formatter): CompareBucketRow[] {
  const seconds = [...new Set([...earlier.buckets, ...current.buckets].map((b) => b.thresholdSeconds))].sort((a, b) => a - b);
  return seconds.map((s) => {
    const e = earlier.buckets.find((b) => b.thresholdSeconds === s);
    const c = current.buckets.find((b) => b.thresholdSeconds === s);
    const both = e && c;
    const row: CompareBucketRow = {
      thresholdSeconds: s,
      label: thresholdLabel(s),
      responded: both ? countDelta(e.responded, c.responded, fmt) : '',
      share: both ? pointsDelta(e.share, c.share, fmt) : '',
      average: both ? durationDelta(e.averageSeconds, c.averageSeconds) : '',
      median: both ? durationDelta(e.medianSeconds, c.medianSeconds) : '',
    };
    if (e) row.earlier = e;
    if (c) row.current = c;
    return row;
  });
}

export interface CompareCountRow {
  label: string;
  earlier: number;
  current: number;
  change: string;
}

/** Population and outcome counts of both tests. */
export function compareOutcomes(earlier: Stats, current: Stats, fmt: Formatter): CompareCountRow[] {
  const row = (label: string, f: (s: Stats) => number): CompareCountRow => ({
    label,
    earlier: f(earlier),
    current: f(current),
    change: countDelta(f(earlier), f(current), fmt),
  });
  const failed = (s: Stats) => s.findings.filter((x) => x.status === 'failed').length;
  return [
    row('Countries tested', (s) => s.population),
    row('Answered within the window', (s) => s.buckets.at(-1)?.responded ?? 0),
    row('Answered late', (s) => s.late.length),
    row('Automatic reply only', (s) => s.automaticOnly.length),
    row('No answer', (s) => s.silent.length),
    row('Addresses and numbers that failed', failed),
  ];
}

/** The cells of a comparison row as text, in table order: label, then earlier / current / change
 * for countries, share and average. Each format escapes them its own way. */
export function compareBucketCells(r: CompareBucketRow, fmt: Formatter): string[] {
  const either = <T>(b: BucketStat | undefined, f: (b: BucketStat) => T) => (b ? String(f(b)) : '—');
  return [
    r.label,
    either(r.earlier, (b) => fmt.int(b.responded)),
    either(r.current, (b) => fmt.int(b.responded)),
    r.responded,
    either(r.earlier, (b) => fmt.percent(b.share)),
    either(r.current, (b) => fmt.percent(b.share)),
    r.share,
    either(r.earlier, (b) => fmt.duration(b.averageSeconds)),
    either(r.current, (b) => fmt.duration(b.averageSeconds)),
    r.average,
  ];
}
