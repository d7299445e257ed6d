// Wall-clock times in IANA time zones, the one place rollcall does zone arithmetic (with
// date-fns and @date-fns/tz): what `--at 10:30 --tz Europe/Paris` and `--between 09:00-17:00
// --on 2024-03-31` mean, and how an instant is written in a zone in messages and reports. Which
// zone names exist is zone.ts's job (Intl only, cheap to load).
import { TZDate, tzOffset } from '@date-fns/tz';
// lightFormat: the patterns here need no locale data, and format() would load it (start-up time).
import { lightFormat as format } from 'date-fns/lightFormat';

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

/** The wall time at an instant in a zone. */
export function wallTimeAt(instant: Date, tz: string): Required<WallTime> {
  const d = new TZDate(instant.getTime(), tz);
  return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate(), hour: d.getHours(), minute: d.getMinutes(), second: d.getSeconds() };
}

/** UTC offset of a zone at an instant, in ms (Paris in summer: +7,200,000). */
export function offsetAt(instant: Date, tz: string): number {
  return tzOffset(tz, instant) * 60_000;
}

/**
 * The instant a wall time names in a zone. On the day clocks go back, a time that occurs twice
 * is its first occurrence; on the day they go forward, a time that does not exist is moved
 * forward by the gap (02:30 in Paris on 2024-03-31 is 03:30 CEST) — as Temporal's
 * "compatible" disambiguation does. @date-fns/tz moves gaps forward but picks either occurrence
 * of a repeated time depending on the zone, so the first one is looked for here.
 */
export function instantOf(wall: WallTime, tz: string): Date {
  const t = TZDate.tz(tz, wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0).getTime();
  const DAY = 86_400_000;
  const earlierOffset = offsetAt(new Date(t - DAY), tz);
  const shift = earlierOffset - offsetAt(new Date(t), tz);
  if (shift > 0) {
    const first = t - shift;
    const w = wallTimeAt(new Date(first), tz);
    if (w.year === wall.year && w.month === wall.month && w.day === wall.day && w.hour === wall.hour && w.minute === wall.minute) return new Date(first);
  }
  return new Date(t);
}

/** The date (YYYY-MM-DD) of an instant in a zone. */
export function dateIn(instant: Date, tz: string): string {
  return format(new TZDate(instant.getTime(), tz), 'yyyy-MM-dd');
}

/** `2024-06-05 09:31` in the zone (for messages; seconds left out). */
export function formatWall(instant: Date, tz: string): string {
  return format(new TZDate(instant.getTime(), tz), 'yyyy-MM-dd HH:mm');
}

/** The same instant as local ISO 8601 with its offset: `2023-06-07T04:00:43-04:00` (`Z` in UTC). */
export function isoLocal(instant: Date, tz: string): string {
  const d = new TZDate(instant.getTime(), tz);
  const minutes = tzOffset(tz, instant);
  if (minutes === 0) return format(d, "yyyy-MM-dd'T'HH:mm:ss") + 'Z';
  const abs = Math.abs(minutes);
  const offset = `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return format(d, "yyyy-MM-dd'T'HH:mm:ss") + offset;
}

/** Hour of day (0–23) of an instant in a zone. */
export function hourIn(instant: Date, tz: string): number {
  return new TZDate(instant.getTime(), tz).getHours();
}
