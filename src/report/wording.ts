// Locale-aware wording of figures (Intl number formats, durations, thresholds) with the locale's
// catalogue (i18n.ts): what the terminal tables and every report need. No dates and no zones here
// (format.ts adds them), so that `rollcall stats` does not load the zone arithmetic.
import { UsageError } from '../core/errors.js';
import { createMessages, type Messages } from './i18n.js';

/** U+2212, the typographic minus used in deltas (`−2.5 pts`). */
export const MINUS = '\u2212';

export interface Wording extends Messages {
  /** The locale used by Intl (bare `en` becomes `en-GB`: day month year, 24-hour clock). */
  locale: string;
  int(n: number): string;
  /** A share in percent units (89.71) → `89.71%`, `89,71 %`; two decimals, as in the figures,
   * unless `digits` says otherwise (axis labels). */
  percent(share: number, digits?: number): string;
  /** Plain decimal, up to `digits` fraction digits. */
  decimal(n: number, digits?: number): string;
  /** 2023-style duration in the language: `6 min`, `1h 37 min`, `45 s` (`1 h 37 min` in French). */
  duration(seconds: number | null | undefined): string;
  /** A threshold as the 2023 report words it: `15 minutes`, `1 hour`, `24 heures`. */
  threshold(seconds: number): string;
  /** Short time for chart axes: `30 s`, `15 min`, `1 h`, `1 h 30`. */
  axisTime(seconds: number): string;
  /** Coarse period of day, for anonymized reports where an exact local time would reveal the zone. */
  periodOfDay(hour: number): string;
}

/** Durations rounded as docs/measurement.md ("Display") says: whole minutes half up; under a minute, seconds. */
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

export function createWording(locale = 'en'): Wording {
  const loc = checkLocale(locale);
  const intFmt = new Intl.NumberFormat(loc, { maximumFractionDigits: 0 });
  const pctFmt = new Intl.NumberFormat(loc, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const pct0Fmt = new Intl.NumberFormat(loc, { style: 'percent', maximumFractionDigits: 0 });
  const decFmt = new Map<number, Intl.NumberFormat>();
  const int = (n: number) => intFmt.format(n);
  const msgs = createMessages(loc, int);
  return {
    ...msgs,
    locale: loc,
    int,
    percent: (share, digits = 2) => (digits === 2 ? pctFmt : pct0Fmt).format(share / 100),
    decimal: (n, digits = 2) => {
      let f = decFmt.get(digits);
      if (!f) decFmt.set(digits, (f = new Intl.NumberFormat(loc, { maximumFractionDigits: digits })));
      return f.format(n);
    },
    duration: (seconds) => durationIn(msgs, seconds),
    threshold: (seconds) => thresholdIn(msgs, seconds),
    axisTime: (seconds) => axisTimeIn(msgs, seconds),
    periodOfDay: (hour) => periodOfDayIn(msgs, hour),
  };
}
