// How far a run has got, from its events: pings by sending state, countries answered by bucket
// so far (the statistics' own rules), the last messages received. Feeds the live view and
// `rollcall status`.
import type { Directory } from '../core/directory.js';
import type { MessageClass, RunEvent } from '../core/events.js';
import { statsFromEvents } from '../stats/compute.js';
import type { Stats } from '../stats/types.js';
import { planPings } from './plan.js';
import type { RunPlan } from '../core/run-folder.js';
import { applyEvent, emptyRunState, sendCounts, type RunState, type SendCounts } from '../core/run-state.js';

export interface RecentMessage {
  receivedAt: string;
  country: string;
  contactId?: string;
  class: MessageClass;
  /** From the ping's send time, for a message matched to a sent ping. */
  responseSeconds?: number;
}

export interface ProgressSnapshot {
  counts: SendCounts;
  population: number;
  /** Countries with an acknowledgement so far, within the window. */
  answered: number;
  buckets: Array<{ thresholdSeconds: number; responded: number }>;
  recent: RecentMessage[];
}

export class RunProgress {
  readonly state: RunState = emptyRunState();
  private readonly events: RunEvent[] = [];
  private readonly planned: number;
  private readonly countryOf = new Map<string, string>();
  private readonly recent: RecentMessage[] = [];
  private cached: Stats | undefined;

  constructor(
    private readonly plan: RunPlan,
    private readonly directory: Directory,
    events: Iterable<RunEvent> = [],
  ) {
    this.planned = planPings(directory, plan.channels).length;
    for (const p of directory.parties) for (const c of p.contacts) this.countryOf.set(c.id, p.country);
    for (const e of events) this.add(e);
  }

  add(e: RunEvent): void {
    this.events.push(e);
    applyEvent(this.state, e);
    this.cached = undefined;
    if (e.type === 'message-received') {
      const rec = e.pingId ? this.state.pings.get(e.pingId) : undefined;
      const contactId = rec?.started.contactId;
      const sentAt = rec?.sent ? Date.parse(rec.sent.sentAt) : undefined;
      this.recent.push({
        receivedAt: e.receivedAt,
        country: (contactId && this.countryOf.get(contactId)) || e.from,
        ...(contactId ? { contactId } : {}),
        class: e.class,
        ...(sentAt !== undefined ? { responseSeconds: Math.max(0, (Date.parse(e.receivedAt) - sentAt) / 1000) } : {}),
      });
      if (this.recent.length > 20) this.recent.shift();
    }
  }

  /** The figures now; the statistics are recomputed only when events came in since. */
  snapshot(recent = 5): ProgressSnapshot {
    this.cached ??= statsFromEvents(this.events, this.directory, { bucketSeconds: this.plan.bucketSeconds, includeObservers: this.plan.includeObservers });
    const stats = this.cached;
    const last = stats.buckets[stats.buckets.length - 1];
    return {
      counts: sendCounts(this.state, this.planned),
      population: stats.population,
      answered: last?.responded ?? 0,
      buckets: stats.buckets.map((b) => ({ thresholdSeconds: b.thresholdSeconds, responded: b.responded })),
      recent: this.recent.slice(-recent).reverse(),
    };
  }
}
