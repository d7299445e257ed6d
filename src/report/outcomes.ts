// Automatic answers as reports show them. A bounce is never an automatic answer
// (docs/measurement.md): the statistics decide each country's outcome, reports only draw it.
// Likewise what became of a correction (`rollcall mark`), as the statistics say.
import type { CountryResult, OverrideSummary } from '../stats/types.js';

/** The kinds of message that make an automatic answer: an auto-reply or a read receipt. */
export function automaticKinds(received: readonly string[] | undefined): string[] {
  return (received ?? []).filter((k) => k === 'auto-reply' || k === 'read-receipt');
}

/** Whether a result (a country's or a contact point's) is an automatic answer. */
export function isAutomaticAnswer(c: CountryResult): boolean {
  return c.outcome === 'automatic-only';
}

/** What became of a correction, for its line in the reports: counted (`applied`); replaced by a
 * later mark for the same target; withdrawn by a later `not-an-answer`; replaced, though the
 * answer entered by hand it withdrew stays withdrawn; an answer entered by hand that no ping had
 * left for; nothing to reclassify. `when` is the later mark's `at`. */
export type OverrideFate =
  | { fate: 'applied' }
  | { fate: 'replaced' | 'withdrawn' | 'replacedWithdrawalStands'; when: string }
  | { fate: 'handNotApplied' | 'notApplied' };

export function overrideFate(o: OverrideSummary): OverrideFate {
  if (o.withdrawnBy) return { fate: 'withdrawn', when: o.withdrawnBy };
  if (o.replacedBy) return { fate: o.applied === false ? 'replaced' : 'replacedWithdrawalStands', when: o.replacedBy };
  if (o.applied !== false) return { fate: 'applied' };
  return { fate: o.handEntered && !o.messageKey ? 'handNotApplied' : 'notApplied' };
}
