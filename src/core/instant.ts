// An instant as the log writes it (ISO 8601, UTC), one string for a millisecond met again in a row:
// a run records thousands of events within a millisecond (a burst of sends, a virtual clock held
// still), and the run's state keeps each ping's start and send times (10 MB of strings in a run
// of 100,000 contact points, each of them the same few).
let lastMs = NaN;
let lastIso = '';

/** `date.toISOString()`, the same string as the last call's when the instant is the same. */
export function isoOf(date: Date): string {
  const ms = date.getTime();
  if (ms !== lastMs) {
    lastIso = date.toISOString(); // throws for an invalid date, as before
    lastMs = ms;
  }
  return lastIso;
}
