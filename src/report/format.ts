// Dates and zones on top of the wording of figures (wording.ts): a Formatter is everything a
// report renderer needs to write in the reader's language and the secretariat's zone. Dates are
// written by Intl (localised month names); zone arithmetic is core/time.ts's.
import { offsetAt } from '../core/time.js';
import { checkTimeZone } from '../core/zone.js';
import { createWording, MINUS, type Wording } from './wording.js';

export interface Formatter extends Wording {
  /** The secretariat's IANA zone. */
  tz: string;
  /** `7 June 2023` in the given zone (default: the secretariat's). */
  date(iso: string, zone?: string): string;
  /** `7 June 2023, 09:30` in the given zone. */
  dateTime(iso: string, zone?: string): string;
  /** `09:30` in the given zone. */
  time(iso: string, zone?: string): string;
  /** `UTC`, `UTC+2`, `UTC−3:30`: the zone's offset at that instant. */
  offset(iso: string, zone: string): string;
}

export function createFormatter(locale = 'en', tz = 'UTC'): Formatter {
  const wording = createWording(locale);
  const zone = checkTimeZone(tz);
  const loc = wording.locale;
  const dtf = (z: string, kind: 'date' | 'dateTime' | 'time') =>
    kind === 'date'
      ? cachedDtf(loc, { timeZone: z, day: 'numeric', month: 'long', year: 'numeric' })
      : kind === 'dateTime'
        ? cachedDtf(loc, { timeZone: z, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
        : cachedDtf(loc, { timeZone: z, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  return {
    ...wording,
    tz: zone,
    date: (iso, z = zone) => dtf(z, 'date').format(new Date(iso)),
    dateTime: (iso, z = zone) => dtf(z, 'dateTime').format(new Date(iso)),
    time: (iso, z = zone) => dtf(z, 'time').format(new Date(iso)),
    offset: (iso, z) => utcOffset(Math.round(offsetAt(new Date(iso), z) / 60_000)),
  };
}

/** Minutes east of UTC as the reports write them: `UTC`, `UTC+2`, `UTC−3:30`. */
function utcOffset(minutes: number): string {
  if (minutes === 0) return 'UTC';
  const abs = Math.abs(minutes);
  const m = abs % 60;
  return `UTC${minutes < 0 ? MINUS : '+'}${Math.floor(abs / 60)}${m === 0 ? '' : `:${String(m).padStart(2, '0')}`}`;
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
