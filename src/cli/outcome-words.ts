// The outcomes of the countries, the mail left out and the answers whose origin could not be
// confirmed, in the words of `status`, the live view and the end summary.
import type { AuthenticitySummary, CountryOutcome } from '../stats/types.js';

/** `45 answered, 1 late, 3 automatic only, 2 unreachable, 17 silent`. */
export function outcomeLine(o: Record<CountryOutcome, number>): string {
  return `${o.answered} answered, ${o.late} late, ${o['automatic-only']} automatic only, ${o.unreachable} unreachable, ${o.silent} silent`;
}

/** The secretariat's own mail, read but not kept: only counted. */
export function ignoredLine(n: number): string {
  return `${n} unrelated message${n === 1 ? '' : 's'} ignored (not the test's: neither kept nor shown)`;
}

/** How many answers could not be confirmed (DKIM/SPF/DMARC fail), and what the policy did with
 * them: `2 answers whose origin could not be confirmed, not counted (policy require); 1 bounce
 * failed the check (it marks no address failed)`. */
export function originLine(o: { policy: AuthenticitySummary['policy']; unconfirmed: number; unconfirmedCounted: number; unauthenticatedBounces: number }): string {
  const n = o.unconfirmed;
  const answers = `${n} answer${n === 1 ? '' : 's'} whose origin could not be confirmed`;
  const fate =
    n === 0 ? '' : o.unconfirmedCounted === n ? ', counted' : o.unconfirmedCounted === 0 ? ', not counted' : `: ${o.unconfirmedCounted} counted (marked by hand), ${n - o.unconfirmedCounted} not`;
  const b = o.unauthenticatedBounces;
  const bounces = b > 0 ? `; ${b} bounce${b === 1 ? '' : 's'} failed the check${o.policy === 'require' ? ` (${b === 1 ? 'it marks' : 'they mark'} no address failed)` : ''}` : '';
  return `${answers}${fate} (policy ${o.policy})${bounces}`;
}
