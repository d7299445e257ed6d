// How the answers' origin was checked (DKIM, SPF, DMARC), in the report's language: the totals
// by verdict, the policy in one sentence, and the answers whose origin could not be confirmed.
import type { AuthenticitySummary } from '../stats/types.js';
import type { Messages } from './i18n.js';

export const VERDICT_ORDER = ['pass', 'none', 'unknown', 'fail', 'unchecked'] as const;

export interface AuthenticityView {
  rows: Array<{ label: string; count: number }>;
  policy: string;
  unconfirmed: string[];
  bounces?: string;
}

export function authenticityView(w: Pick<Messages, 't' | 'n' | 'country'>, a: AuthenticitySummary, when: (iso: string) => string): AuthenticityView {
  const view: AuthenticityView = {
    rows: VERDICT_ORDER.filter((v) => a.counted[v] > 0 || v === 'pass' || v === 'fail').map((v) => ({ label: w.t(`authenticity.${v}`), count: a.counted[v] })),
    policy: w.t(a.policy === 'require' ? 'authenticity.policyRequire' : 'authenticity.policyReport'),
    unconfirmed: a.unconfirmed.map((u) =>
      w.t('authenticity.unconfirmed', {
        country: w.country(u.country, u.iso),
        contact: u.contactId,
        from: u.from,
        time: when(u.receivedAt),
        status: w.t(u.counted ? 'authenticity.counted' : 'authenticity.notCounted'),
      }),
    ),
  };
  if (a.unauthenticatedBounces > 0) view.bounces = w.n('authenticity.bounces', a.unauthenticatedBounces);
  return view;
}
