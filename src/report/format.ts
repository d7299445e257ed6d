// Locale-aware formatting of the numbers, dates and durations in reports (Intl), with the wording
// of the locale's catalogue (i18n.ts): a Formatter is everything a renderer needs to write in the
// reader's language.
import { UsageError } from '../core/errors.js';
import { createMessages, type Messages } from './i18n.js';

/** U+2212, the typographic minus used in deltas (`−2.5 pts`). */
export const MINUS = '\u2212';

export interface Formatter extends Messages {
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
  /** 2023-style duration in the language: `6 min`, `1h 37 min`, `45 s` (`1 h 37 min` in French). */
  duration(seconds: number | null | undefined): string;
  /** A threshold as the 2023 report words it: `15 minutes`, `1 hour`, `24 heures`. */
  threshold(seconds: number): string;
  /** Short time for chart axes: `30 s`, `15 min`, `1 h`, `1 h 30`. */
  axisTime(seconds: number): string;
  /** Coarse period of day, for anonymized reports where an exact local time would reveal the zone. */
  periodOfDay(hour: number): string;
}

/** Durations rounded as DESIGN.md section 1 says: whole minutes half up; under a minute, seconds. */
export function durationIn(m: Pick<Messages, 't'>, seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return m.t('duration.none');
  const s = Math.floor(seconds + 0.5);
  if (s < 60) return m.t('duration.seconds', { s });
  const minutes = Math.floor(seconds / 60 + 0.5);
  const h = Math.floor(minutes / 60);
  const min = minutes % 60;
  if (h === 0) return m.t('duration.minutes', { m: min });
  return min === 0 ? m.t('duration.hours', { h }) : m.t('duration.hoursMinutes', { h, m: min });
}

export function thresholdIn(m: Pick<Messages, 't' | 'n'>, seconds: number): string {
  if (seconds % 3600 === 0) return m.n('threshold.hours', seconds / 3600);
  if (seconds % 60 === 0) {
    return seconds > 3600 ? m.t('threshold.hoursMinutes', { h: Math.floor(seconds / 3600), m: (seconds % 3600) / 60 }) : m.n('threshold.minutes', seconds / 60);
  }
  return m.n('threshold.seconds', seconds);
}

export function axisTimeIn(m: Pick<Messages, 't'>, seconds: number): string {
  if (seconds < 60) return m.t('axis.seconds', { n: seconds });
  if (seconds < 3600) return seconds % 60 === 0 ? m.t('axis.minutes', { n: seconds / 60 }) : m.t('axis.minutesSeconds', { m: Math.floor(seconds / 60), s: seconds % 60 });
  const h = Math.floor(seconds / 3600);
  const min = Math.round((seconds % 3600) / 60);
  return min === 0 ? m.t('axis.hours', { n: h }) : m.t('axis.hoursMinutes', { h, mm: String(min).padStart(2, '0') });
}

export function periodOfDayIn(m: Pick<Messages, 't'>, hour: number): string {
  return m.t(hour < 6 ? 'period.night' : hour < 12 ? 'period.morning' : hour < 18 ? 'period.afternoon' : 'period.evening');
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
  const int = (n: number) => intFmt.format(n);
  const msgs = createMessages(loc, int);
  return {
    ...msgs,
    locale: loc,
    tz,
    int,
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
    duration: (seconds) => durationIn(msgs, seconds),
    threshold: (seconds) => thresholdIn(msgs, seconds),
    axisTime: (seconds) => axisTimeIn(msgs, seconds),
    periodOfDay: (hour) => periodOfDayIn(msgs, hour),
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

