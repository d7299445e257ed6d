// Automatic answers as reports show them. A bounce is never an automatic answer
// (docs/measurement.md): the statistics decide each country's outcome, reports only draw it.
import type { CountryResult } from '../stats/types.js';

/** The kinds of message that make an automatic answer: an auto-reply or a read receipt. */
export function automaticKinds(received: readonly string[] | undefined): string[] {
  return (received ?? []).filter((k) => k === 'auto-reply' || k === 'read-receipt');
}

/** Whether a result (a country's or a contact point's) is an automatic answer. */
export function isAutomaticAnswer(c: CountryResult): boolean {
  return c.outcome === 'automatic-only';
}
