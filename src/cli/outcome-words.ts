// The outcomes of the countries and the mail left out, in the words of `status`, the live view
// and the end summary.
import type { CountryOutcome } from '../stats/types.js';

/** `45 answered, 1 late, 3 automatic only, 2 unreachable, 17 silent`. */
export function outcomeLine(o: Record<CountryOutcome, number>): string {
  return `${o.answered} answered, ${o.late} late, ${o['automatic-only']} automatic only, ${o.unreachable} unreachable, ${o.silent} silent`;
}

/** The secretariat's own mail, read but not kept: only counted. */
export function ignoredLine(n: number): string {
  return `${n} unrelated message${n === 1 ? '' : 's'} ignored (not the test's: neither kept nor shown)`;
}
