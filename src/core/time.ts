// Wall-clock times in an IANA time zone and back, with Intl only (no time-zone package):
// what `--at 10:30 --tz Europe/Paris` and `--between 09:00-17:00 --on 2024-03-31` mean.

export interface WallTime {
  year: number;
  month: number; // 1-12
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Is this an IANA zone this Node knows? */
export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** The wall time at an instant in a zone. */
export function wallTimeAt(instant: Date, tz: string): Required<WallTime> {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(instant)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year!, month: parts.month!, day: parts.day!, hour: parts.hour! % 24, minute: parts.minute!, second: parts.second! };
}

/** UTC offset of a zone at an instant, in ms (Paris in summer: +7,200,000). */
export function offsetAt(instant: Date, tz: string): number {
  const w = wallTimeAt(instant, tz);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/**
 * The instant a wall time names in a zone. On the day clocks go back, a time that occurs twice
 * is its first occurrence; on the day they go forward, a time that does not exist is moved
 * forward by the gap (02:30 in Paris on 2024-03-31 is 03:30 CEST) — as Temporal's
 * "compatible" disambiguation does.
 */
export function instantOf(wall: WallTime, tz: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  const DAY = 86_400_000;
  // The offsets in force a day before and a day after bracket any transition near this time.
  const before = offsetAt(new Date(asUtc - DAY), tz);
  const after = offsetAt(new Date(asUtc + DAY), tz);
  const candidates = [...new Set([before, after])]
    .map((o) => asUtc - o)
    .filter((t) => offsetAt(new Date(t), tz) === asUtc - t)
    .sort((a, b) => a - b);
  if (candidates.length > 0) return new Date(candidates[0]!);
  // In the gap: read the wall time with the offset from before the transition.
  return new Date(asUtc - before);
}

/** Today's date (YYYY-MM-DD) in a zone. */
export function dateIn(instant: Date, tz: string): string {
  const w = wallTimeAt(instant, tz);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** `2024-06-05 09:31` in the zone (for messages; seconds left out). */
export function formatWall(instant: Date, tz: string): string {
  const w = wallTimeAt(instant, tz);
  return `${w.year}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
