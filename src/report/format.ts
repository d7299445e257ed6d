// Locale-aware formatting of the numbers and dates in reports (Intl). The wording stays English;
// durations keep the 2023 report's style (`1h 37 min`) whatever the locale.
import { UsageError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';

/** U+2212, the typographic minus used in deltas (`−2.5 pts`). */
export const MINUS = '\u2212';

export interface Formatter {
  /** The locale used by Intl (bare `en` becomes `en-GB`: day month year, 24-hour clock). */
  locale: string;
  /** The secretariat's IANA zone. */
  tz: string;
  int(n: number): string;
  /** A share in percent units (89.71) → `89.71%`, `89,71 %`; two decimals, as in the figures,
   * unless `digits` says otherwise (axis labels). */
  percent(share: number, digits?: number): string;
  /** Plain decimal, up to `digits` fraction digits. */
  decimal(n: number, digits?: number): string;
  /** `7 June 2023` in the given zone (default: the secretariat's). */
  date(iso: string, zone?: string): string;
  /** `7 June 2023, 09:30` in the given zone. */
  dateTime(iso: string, zone?: string): string;
  /** `09:30` in the given zone. */
  time(iso: string, zone?: string): string;
  /** `UTC`, `UTC+2`, `UTC−3:30`: the zone's offset at that instant. */
  offset(iso: string, zone: string): string;
  /** 2023-style duration: `6 min`, `1h 37 min`, `45 s`. */
  duration(seconds: number | null | undefined): string;
}

/** Throws UsageError unless `zone` is an IANA zone Intl knows. */
export function checkTimeZone(zone: string, what = '--tz'): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    throw new UsageError(`${what}: unknown time zone "${zone}" (use an IANA name such as Europe/Paris or UTC)`);
  }
}

/** Throws UsageError unless `locale` is a well-formed BCP 47 tag with locale data in this Node. */
export function checkLocale(locale: string): string {
  let canonical: string;
  try {
    canonical = Intl.getCanonicalLocales(locale)[0] ?? '';
  } catch {
    throw new UsageError(`--locale: "${locale}" is not a locale (use en, fr, de, es, fr-CH...)`);
  }
  if (!canonical || Intl.NumberFormat.supportedLocalesOf([canonical]).length === 0) {
    throw new UsageError(`--locale: no number and date formats for "${locale}" in this Node.js`);
  }
  return canonical === 'en' ? 'en-GB' : canonical;
}

export function createFormatter(locale = 'en', tz = 'UTC'): Formatter {
  const loc = checkLocale(locale);
  checkTimeZone(tz);
  const intFmt = new Intl.NumberFormat(loc, { maximumFractionDigits: 0 });
  const pctFmt = new Intl.NumberFormat(loc, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const pct0Fmt = new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 0 });
  const dtf = (zone: string, kind: 'date' | 'dateTime' | 'time' | 'offset') =>
    kind === 'date'
      ? cachedDtf(loc, { timeZone: zone, day: 'numeric', month: 'long', year: 'numeric' })
      : kind === 'dateTime'
        ? cachedDtf(loc, { timeZone: zone, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        : kind === 'time'
          ? cachedDtf(loc, { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
          : cachedDtf('en', { timeZone: zone, timeZoneName: 'longOffset' });
  const decFmt = new Map<number, Intl.NumberFormat>();
  return {
    locale: loc,
    tz,
    int: (n) => intFmt.format(n),
    percent: (share, digits = 2) => (digits === 2 ? pctFmt : pct0Fmt).format(share / 100),
    decimal: (n, digits = 2) => {
      let f = decFmt.get(digits);
      if (!f) decFmt.set(digits, (f = new Intl.NumberFormat(loc, { maximumFractionDigits: digits })));
      return f.format(n);
    },
    date: (iso, zone = tz) => dtf(zone, 'date').format(new Date(iso)),
    dateTime: (iso, zone = tz) => dtf(zone, 'dateTime').format(new Date(iso)),
    time: (iso, zone = tz) => dtf(zone, 'time').format(new Date(iso)),
    offset: (iso, zone) => {
      const name = dtf(zone, 'offset').formatToParts(new Date(iso)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
      // `GMT`, `GMT+02:00`, `GMT-03:30` → `UTC`, `UTC+2`, `UTC−3:30`
      const m = /^GMT([+-])(\d\d):(\d\d)$/.exec(name);
      if (!m || (m[2] === '00' && m[3] === '00')) return 'UTC';
      const hours = String(Number(m[2]));
      return `UTC${m[1] === '-' ? MINUS : '+'}${hours}${m[3] === '00' ? '' : `:${m[3]}`}`;
    },
    duration: (seconds) => (seconds === null || seconds === undefined ? '—' : formatDuration(seconds)),
  };
}

/** ISO 8601 UTC with `Z`, without milliseconds when they are zero: `2023-06-07T09:30:00Z`. */
export function isoUtc(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().replace('.000Z', 'Z');
}

// Intl.DateTimeFormat objects are slow to build (about 1 ms each) and a report needs a few per
// time zone of the population: keep them.
const dtfCache = new Map<string, Intl.DateTimeFormat>();
function cachedDtf(locale: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(opts)}`;
  let f = dtfCache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, opts);
    dtfCache.set(key, f);
  }
  return f;
}

/** The same instant as local ISO 8601 with its offset: `2023-06-07T04:00:43-04:00`. */
export function isoLocal(iso: string, zone: string): string {
  const d = new Date(iso);
  const parts = Object.fromEntries(
    cachedDtf('en', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
      .formatToParts(d)
      .map((p) => [p.type, p.value]),
  );
  const name = cachedDtf('en', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const offset = name === 'GMT' ? '+00:00' : name.slice(3);
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset === '+00:00' ? 'Z' : offset}`;
}

/** Hour of day (0–23) at `iso` in `zone`. */
export function hourIn(iso: string, zone: string): number {
  return Number(cachedDtf('en', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(new Date(iso)));
}

/** Coarse period of day, for anonymized reports where an exact local time would reveal the zone. */
export function periodOfDay(hour: number): string {
  if (hour < 6) return 'night (00–06)';
  if (hour < 12) return 'morning (06–12)';
  if (hour < 18) return 'afternoon (12–18)';
  return 'evening (18–24)';
}
