// The one line of `status` and of the end of a run about answers whose origin could not be
// confirmed (DKIM, SPF, DMARC), in each case the policy leaves.
import { describe, expect, it } from 'vitest';
import { originLine } from '../../src/cli/outcome-words.js';

describe('originLine', () => {
  it('says how many answers could not be confirmed and what the policy did with them', () => {
    expect(originLine({ policy: 'report', unconfirmed: 0, unconfirmedCounted: 0, unauthenticatedBounces: 0 })).toBe('0 answers whose origin could not be confirmed (policy report)');
    expect(originLine({ policy: 'report', unconfirmed: 1, unconfirmedCounted: 1, unauthenticatedBounces: 0 })).toBe('1 answer whose origin could not be confirmed, counted (policy report)');
    expect(originLine({ policy: 'require', unconfirmed: 3, unconfirmedCounted: 0, unauthenticatedBounces: 2 })).toBe(
      '3 answers whose origin could not be confirmed, not counted (policy require); 2 bounces failed the check (they mark no address failed)',
    );
    expect(originLine({ policy: 'require', unconfirmed: 3, unconfirmedCounted: 1, unauthenticatedBounces: 1 })).toBe(
      '3 answers whose origin could not be confirmed: 1 counted (marked by hand), 2 not (policy require); 1 bounce failed the check (it marks no address failed)',
    );
    expect(originLine({ policy: 'report', unconfirmed: 0, unconfirmedCounted: 0, unauthenticatedBounces: 1 })).toBe('0 answers whose origin could not be confirmed (policy report); 1 bounce failed the check');
  });
});
