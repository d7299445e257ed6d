// What the statistics compute: the shape `rollcall stats --json` prints and every report renders.
import type { ContactKind } from '../core/directory.js';
import type { ChannelName, HandEnteredChannel, OverrideClass, AuthenticityVerdict } from '../core/events.js';
import type { ReceivedKind } from './tally.js';
import type { AuthenticityPolicy } from '../settings.js';
import type { TestProblem } from './phone-findings.js';

export interface BucketStat {
  /** Threshold as given, normalised: `15m`, `30m`, `1h`, `12h`, `24h`. */
  threshold: string;
  thresholdSeconds: number;
  /** Countries whose response time is <= thresholdSeconds (cumulative, inclusive). */
  responded: number;
  /** Percent of the population, two decimals, half-up: 89.71. */
  share: number;
  /** Mean response time of the countries counted, seconds; null when none. */
  averageSeconds: number | null;
  medianSeconds: number | null;
}

/** Exactly one per country (docs/measurement.md): answered (in a bucket), late (after the last
 * threshold), automatic-only (an auto-reply or read receipt, no person), unreachable (every
 * address of every contact point failed: refused, bounced, rejected by the provider), silent
 * (nothing came back). A bounce is never an automatic answer. */
export type CountryOutcome = 'answered' | 'late' | 'automatic-only' | 'unreachable' | 'silent';

export interface CountryResult {
  country: string;
  iso?: string;
  status?: 'party' | 'observer';
  outcome: CountryOutcome;
  /** Shortest response time among its contact points, seconds (answered and late). */
  responseSeconds: number | null;
  /** The contact point, channel and times of the answer that counted. */
  contactId?: string;
  channel?: ChannelName;
  sentAt?: string;
  answeredAt?: string;
  /** IANA zone of the contact point that answered (or was pinged), for local time of day. */
  timezone?: string;
  /** Where the answer was found (IMAP folder), when not INBOX. */
  folder?: string;
  /** Kinds of message received from the country's contact points (reply, auto-reply, bounce,
   * delay, read-receipt): what an automatic-only country sent. */
  received?: ReceivedKind[];
  /** The answer that counted was entered by hand (`rollcall mark --as reply --at`). */
  handEntered?: { channel: HandEnteredChannel; note: string };
  /** Authenticity verdict of the e-mail answer that counted (DKIM/SPF/DMARC), when checked. */
  authenticity?: AuthenticityVerdict;
}

/** An answer whose origin could not be confirmed: its authenticity verdict is `fail`. */
export interface UnconfirmedAnswer {
  country: string;
  iso?: string;
  contactId: string;
  messageKey: string;
  from: string;
  receivedAt: string;
  /** Counted (policy `report`) or set aside (policy `require`). */
  counted: boolean;
  reasons: string[];
}

/** How the answers' origin was checked (docs/authenticity.md). */
export interface AuthenticitySummary {
  policy: AuthenticityPolicy;
  /** Verdicts of the e-mail answers that counted, one per country answered or late; answers by
   * SMS, voice, the demo or entered by hand carry none (`unchecked`). */
  counted: Record<AuthenticityVerdict | 'unchecked', number>;
  /** Answers whose origin could not be confirmed (verdict fail), counted or set aside. */
  unconfirmed: UnconfirmedAnswer[];
  /** Bounces that failed authentication: under `require` they mark no address as failed. */
  unauthenticatedBounces: number;
}

/** failed: refused for good (5xx, bounce, number rejected); opted-out: the number replied STOP to
 * an earlier text, texts cannot reach it until it sends START; delayed: a 4.x.x delay notice or
 * not sent yet; busy / no-answer: calls not answered by a person; uncertain: sending never
 * confirmed. */
export type FindingStatus = 'failed' | 'opted-out' | 'delayed' | 'busy' | 'no-answer' | 'uncertain';

export interface Finding {
  country: string;
  iso?: string;
  contactId?: string;
  channel: ChannelName;
  address: string;
  status: FindingStatus;
  /** The server's or provider's words. */
  detail: string;
  at?: string;
}

export interface OverrideSummary {
  at: string;
  messageKey?: string;
  contactId?: string;
  as: OverrideClass;
  note: string;
  /** False when the mark counts for nothing: a later mark replaced it (`replacedBy`), a later
   * `not-an-answer` withdrew it (`withdrawnBy`), or else there was nothing to reclassify (no such
   * message, no message of that contact, no ping an answer entered by hand could answer). */
  applied?: boolean;
  /** When the later mark for the same target (the same message; the same contact point; the same
   * contact point's answer entered by hand) that took its place was entered: its `at`. Absent when
   * no later mark replaced it. A `not-an-answer` contact mark that withdrew an answer entered by
   * hand stays `applied` though replaced: the withdrawal stands. */
  replacedBy?: string;
  /** An answer entered by hand that a later `not-an-answer` mark of its contact point withdrew:
   * that mark's `at`. */
  withdrawnBy?: string;
  /** An answer entered by hand (the contact point phoned): when it reached the secretariat and
   * how. It counts like any acknowledgement; reports list it as entered by hand. */
  handEntered?: { answeredAt: string; channel: HandEnteredChannel };
}

export interface Stats {
  /** Number of countries in the population (parties, or the countries of a reply log). */
  population: number;
  buckets: BucketStat[];
  late: CountryResult[];
  automaticOnly: CountryResult[];
  /** Every address of every contact point failed (5xx, bounce, provider refusal). */
  unreachable: CountryResult[];
  silent: CountryResult[];
  findings: Finding[];
  /** How the answers' origin was checked; absent when no message carries a verdict. */
  authenticity?: AuthenticitySummary;
  /** Problems of the test itself, not of a contact point (webhooks that never arrived: key
   * presses may be missing). Absent when there were none. */
  testProblems?: TestProblem[];
  /** Every country of the population with its outcome, sorted by response time then name. */
  countries: CountryResult[];
  overrides: OverrideSummary[];
  /** Acknowledgements by channel (countries whose counted answer came on that channel). */
  byChannel: Partial<Record<ChannelName, number>>;
  /** Observers, counted separately when they were tested (--include-observers). */
  observers?: Omit<Stats, 'observers'>;
  /** The same figures per kind of contact point (`--by kind`): population = the countries with a
   * contact point of that kind, response time = the shortest among those contact points. */
  byKind?: Partial<Record<ContactKind, GroupStats>>;
}

/** The figures of one group (a kind of contact point). */
export type GroupStats = Omit<Stats, 'observers' | 'byKind'>;
