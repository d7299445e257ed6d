// How far a run has got, from its state (the one fold of its events): pings by sending state,
// countries answered by bucket and the outcome of each country so far (the statistics' own
// rules, marks applied), the last messages received, the messages ignored. Feeds the live view
// and `rollcall status`.
import type { Directory } from '../core/directory.js';
import type { AuthenticityVerdict, MessageClass, OtherTestReference, RunEvent } from '../core/events.js';
import type { AuthenticityPolicy } from '../settings.js';
import { normalizeAddress } from '../core/ping-index.js';
import { statsFromState } from '../stats/compute.js';
import type { CountryOutcome, OverrideSummary, Stats } from '../stats/types.js';
import { countPings } from './plan.js';
import type { RunPlan } from '../core/run-folder.js';
import { applyEvent, earliestCopyMs, emptyRunState, sendCounts, type RunState, type SendCounts } from '../core/run-state.js';

export interface RecentMessage {
  receivedAt: string;
  country: string;
  contactId?: string;
  class: MessageClass;
  /** From the earliest send time of the ping it answers, for a message matched to a ping. */
  responseSeconds?: number;
  /** It answers another test (a ping that is not this run's): counts for nothing here. */
  otherTest?: OtherTestReference;
}

export type OutcomeCounts = Record<CountryOutcome, number>;

export interface ProgressSnapshot {
  counts: SendCounts;
  population: number;
  /** Countries with an acknowledgement so far, within the window. */
  answered: number;
  buckets: Array<{ thresholdSeconds: number; responded: number }>;
  /** Countries of the population by outcome (so far, while the run runs). */
  outcomes: OutcomeCounts;
  recent: RecentMessage[];
  /** Messages that were not the test's: counted, neither kept nor shown. */
  ignored: number;
  /** Corrections and answers entered by hand (`rollcall mark`), as the statistics applied them. */
  overrides: OverrideSummary[];
  /** How the answers' origin was checked; absent when no message carries a verdict. */
  authenticity?: OriginCounts;
}

/** The statistics' authenticity summary, counted (docs/authenticity.md). */
export interface OriginCounts {
  policy: AuthenticityPolicy;
  /** Verdicts of the answers that counted, one per country answered or late. */
  counted: Record<AuthenticityVerdict | 'unchecked', number>;
  /** Answers whose origin could not be confirmed (verdict fail)... */
  unconfirmed: number;
  /** ...of which counted (policy report, or the message marked by hand). */
  unconfirmedCounted: number;
  unauthenticatedBounces: number;
}

/** Statistics that take less than this to compute are computed whenever asked (every small run). */
const SLOW_MS = 50;

export class RunProgress {
  private readonly planned: number;
  /** Contact point → country, and directory e-mail addresses → contact point (to name the sender
   * of an unmatched message): made when the last messages are first shown. */
  private names: { countryOf: Map<string, string>; contactOf: Map<string, { contactId: string; country: string }> } | undefined;
  private cached: Stats | undefined;
  /** Events came in since `cached` was computed. */
  private stale = true;
  /** When the statistics were last computed (performance.now()), and what that cost (ms). */
  private computedAt = 0;
  private costMs = 0;

  constructor(
    private readonly plan: RunPlan,
    private readonly directory: Directory,
    events: Iterable<RunEvent> = [],
    /** The state of the events so far, when the caller folded them itself (`rollcall status`). */
    readonly state: RunState = emptyRunState(),
  ) {
    this.planned = countPings(directory, plan.channels);
    for (const e of events) this.add(e);
  }

  private directoryNames(): NonNullable<RunProgress['names']> {
    if (this.names) return this.names;
    const countryOf = new Map<string, string>();
    const contactOf = new Map<string, { contactId: string; country: string }>();
    for (const p of this.directory.parties) {
      for (const c of p.contacts) {
        countryOf.set(c.id, p.country);
        for (const a of c.emails ?? []) contactOf.set(normalizeAddress(a, 'email'), { contactId: c.id, country: p.country });
      }
    }
    return (this.names = { countryOf, contactOf });
  }

  add(e: RunEvent): void {
    applyEvent(this.state, e);
    this.stale = true;
  }

  /**
   * The statistics now, marks applied; recomputed only when events came in since. On a large run,
   * where computing them takes a while (0.7 s at 100,000 contact points, redrawn up to four times
   * a second), at most once per ten times that cost, so that the live view never takes more than
   * a tenth of the run's time; `fresh` computes them now whatever (the last screen of a run).
   */
  stats(fresh = false): Stats {
    if (this.cached && !this.stale) return this.cached;
    if (this.cached && !fresh && this.costMs >= SLOW_MS && performance.now() - this.computedAt < this.costMs * 10) return this.cached;
    const t0 = performance.now();
    this.cached = statsFromState(this.state, this.directory, {
      bucketSeconds: this.plan.bucketSeconds,
      includeObservers: this.plan.includeObservers,
      ...(this.plan.authenticity ? { authenticity: this.plan.authenticity } : {}),
    });
    this.computedAt = performance.now();
    this.costMs = this.computedAt - t0;
    this.stale = false;
    return this.cached;
  }

  snapshot(recent = 5, fresh = false): ProgressSnapshot {
    const stats = this.stats(fresh);
    const last = stats.buckets[stats.buckets.length - 1];
    const outcomes: OutcomeCounts = { answered: 0, late: 0, 'automatic-only': 0, unreachable: 0, silent: 0 };
    for (const c of stats.countries) outcomes[c.outcome]++;
    return {
      counts: sendCounts(this.state, this.planned),
      population: stats.population,
      answered: last?.responded ?? 0,
      buckets: stats.buckets.map((b) => ({ thresholdSeconds: b.thresholdSeconds, responded: b.responded })),
      outcomes,
      recent: this.recentMessages(recent),
      ignored: this.state.ignored,
      overrides: stats.overrides,
      ...(stats.authenticity ? { authenticity: originCounts(stats.authenticity) } : {}),
    };
  }

  private recentMessages(n: number): RecentMessage[] {
    const out: RecentMessage[] = [];
    const messages = this.state.messages;
    if (messages.length === 0) return out;
    const { countryOf, contactOf } = this.directoryNames();
    for (let i = messages.length - 1; i >= 0 && out.length < n; i--) {
      const e = messages[i]!;
      const rec = e.pingId ? this.state.pings.get(e.pingId) : undefined;
      const sender = rec ? undefined : contactOf.get(normalizeAddress(e.from.replace(/^.*<([^>]+)>.*$/, '$1'), 'email'));
      const contactId = rec?.started.contactId ?? sender?.contactId;
      const sentMs = rec ? earliestCopyMs(rec) : undefined;
      out.push({
        receivedAt: e.receivedAt,
        country: (contactId && countryOf.get(contactId)) || e.from,
        ...(contactId ? { contactId } : {}),
        class: e.class,
        ...(sentMs !== undefined ? { responseSeconds: Math.max(0, (Date.parse(e.receivedAt) - sentMs) / 1000) } : {}),
        ...(e.otherTest ? { otherTest: e.otherTest } : {}),
      });
    }
    return out;
  }
}

function originCounts(a: NonNullable<Stats['authenticity']>): OriginCounts {
  return {
    policy: a.policy,
    counted: { ...a.counted },
    unconfirmed: a.unconfirmed.length,
    unconfirmedCounted: a.unconfirmed.filter((u) => u.counted).length,
    unauthenticatedBounces: a.unauthenticatedBounces,
  };
}
