// --compare (and --history): the figures of tests side by side, with the change (`+3`, `−2.5 pts`,
// `−4 min`). Changes are computed on the figures as displayed (durations rounded to the minute),
// so that the reader's own subtraction agrees with the change column. Shares are compared only
// under thresholds both tests used; populations that differ are said plainly.
import type { BucketStat, CountryResult, Stats } from '../stats/types.js';
import { formatDuration } from '../core/duration.js';
import { foldCountryName, isoForCountry } from '../directory/countries.js';
import type { Formatter } from './format.js';
import { MINUS } from './wording.js';
import type { TextKey } from './i18n.js';

const sign = (d: number) => (d > 0 ? '+' : d < 0 ? MINUS : '');

/** `+3`, `−2`, `0`. */
export function countDelta(earlier: number, current: number, fmt: Formatter): string {
  const d = current - earlier;
  return `${sign(d)}${fmt.int(Math.abs(d))}`;
}

/** Percentage points: `+3.47 pts`, `−2.5 pts`, `0 pts`. */
export function pointsDelta(earlier: number, current: number, fmt: Formatter): string {
  const d = Math.round((current - earlier) * 100) / 100;
  return fmt.t('compare.points', { n: `${sign(d)}${fmt.decimal(Math.abs(d), 2)}` });
}

/** Seconds as displayed: whole seconds under a minute, else whole minutes (half up). */
function displayed(seconds: number): number {
  const s = Math.floor(seconds + 0.5);
  return s < 60 ? s : Math.floor(seconds / 60 + 0.5) * 60;
}

/** `−4 min`, `+1h 2 min`, `0 min`; empty when either side has no figure. */
export function durationDelta(earlier: number | null | undefined, current: number | null | undefined, fmt?: Formatter): string {
  if (earlier === null || earlier === undefined || current === null || current === undefined) return '';
  const d = displayed(current) - displayed(earlier);
  const text = (s: number) => (fmt ? fmt.duration(s) : formatDuration(s));
  return d === 0 ? (fmt ? fmt.t('duration.minutes', { m: 0 }) : '0 min') : `${sign(d)}${text(Math.abs(d))}`;
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
      label: fmt.threshold(s),
      responded: both ? countDelta(e.responded, c.responded, fmt) : '',
      share: both ? pointsDelta(e.share, c.share, fmt) : '',
      average: both ? durationDelta(e.averageSeconds, c.averageSeconds, fmt) : '',
      median: both ? durationDelta(e.medianSeconds, c.medianSeconds, fmt) : '',
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

/** The outcome counts of a test, in table order: label key and count. */
export function outcomeCounts(s: Stats): Array<[TextKey, number]> {
  return [
    ['compare.tested', s.population],
    ['compare.answeredWindow', s.buckets.at(-1)?.responded ?? 0],
    ['compare.late', s.late.length],
    ['compare.automatic', s.automaticOnly.length],
    ['compare.unreachable', (s.unreachable ?? []).length],
    ['compare.silent', s.silent.length],
    ['compare.failed', s.findings.filter((x) => x.status === 'failed').length],
  ];
}

/** Population and outcome counts of both tests. */
export function compareOutcomes(earlier: Stats, current: Stats, fmt: Formatter): CompareCountRow[] {
  const e = outcomeCounts(earlier);
  const c = outcomeCounts(current);
  return e.map(([key, n], i) => ({ label: fmt.t(key), earlier: n, current: c[i]![1], change: countDelta(n, c[i]![1], fmt) }));
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

/** A country across tests: its ISO code (given, or known from its name), else its folded name. */
export function countryKey(c: { country: string; iso?: string }): string {
  const iso = c.iso ?? isoForCountry(c.country);
  return iso ? `iso:${iso.toUpperCase()}` : `name:${foldCountryName(c.country)}`;
}

/** Every country of a test (parties), keyed across tests → its name as shown. `data` holds the
 * names as computed (the keys), `shown` the same countries in the same order as displayed. */
export function countriesByKey(data: Stats, shown: Stats): Map<string, string> {
  const out = new Map<string, string>();
  data.countries.forEach((c, i) => out.set(countryKey(c), shown.countries[i]?.country ?? c.country));
  return out;
}

/** At most `max` names, then `and N others`, in the language. */
export function shortList(names: string[], fmt: Formatter, max = 10): string {
  const sorted = [...names].sort((a, b) => a.localeCompare(b, fmt.locale));
  if (sorted.length <= max) return fmt.list(sorted);
  return fmt.list([...sorted.slice(0, max), fmt.n('compare.more', sorted.length - max)]);
}

export function thresholdList(buckets: BucketStat[], fmt: Formatter): string {
  return fmt.list(buckets.map((b) => fmt.threshold(b.thresholdSeconds)));
}

interface Comparable {
  stats: Stats;
  data: Stats;
  label: string;
}

/** What a reader must know before comparing two tests: populations that differ (who joined, who
 * was not tested), thresholds that differ (then shares are not compared). */
export function comparisonNotes(earlier: Comparable, current: Comparable, fmt: Formatter): string[] {
  const notes: string[] = [];
  const e = countriesByKey(earlier.data, earlier.stats);
  const c = countriesByKey(current.data, current.stats);
  const joined = [...c.keys()].filter((k) => !e.has(k)).map((k) => c.get(k)!);
  const left = [...e.keys()].filter((k) => !c.has(k)).map((k) => e.get(k)!);
  const countries = (n: number) => fmt.n('facts.countries', n);
  if (joined.length || left.length || earlier.stats.population !== current.stats.population) {
    notes.push(
      fmt.t('compare.populationsDiffer', {
        earlierCount: countries(earlier.stats.population),
        earlier: earlier.label,
        currentCount: countries(current.stats.population),
        current: current.label,
      }),
    );
    if (joined.length) notes.push(fmt.t('compare.joined', { current: current.label, earlier: earlier.label, names: shortList(joined, fmt) }));
    if (left.length) notes.push(fmt.t('compare.left', { current: current.label, earlier: earlier.label, names: shortList(left, fmt) }));
  }
  const es = earlier.stats.buckets.map((b) => b.thresholdSeconds);
  const cs = current.stats.buckets.map((b) => b.thresholdSeconds);
  const shared = cs.filter((s) => es.includes(s));
  if (shared.length === 0) {
    notes.push(
      fmt.t('compare.thresholdsDiffer', {
        earlierList: thresholdList(earlier.stats.buckets, fmt),
        earlier: earlier.label,
        currentList: thresholdList(current.stats.buckets, fmt),
        current: current.label,
      }),
    );
  } else if (shared.length < Math.max(es.length, cs.length)) {
    notes.push(fmt.t('compare.thresholdsPartly', { list: fmt.list(shared.map((s) => fmt.threshold(s))) }));
  }
  return notes;
}

/** The bucket of `b`'s threshold in `other`, when that test used the same threshold. */
export function sameThreshold(other: Stats | undefined, b: BucketStat | undefined): BucketStat | undefined {
  return b ? other?.buckets.find((x) => x.thresholdSeconds === b.thresholdSeconds) : undefined;
}

/** A CountryResult list's names, sorted in the language, with a detail each. */
export function namesWith(fmt: Formatter, items: CountryResult[], detail: (c: CountryResult) => string = () => ''): Array<{ name: string; detail: string }> {
  return items
    .map((c) => ({ name: c.country, detail: detail(c) }))
    .sort((a, b) => a.name.localeCompare(b.name, fmt.locale));
}

