// What the run log already says about a phone channel's pings, so that a restarted watcher
// knows which messages and calls to follow and which statuses are already recorded.
import type { ChannelName, DeliveryStatusEvent, RunEvent } from '../core/events.js';

export interface PhoneHistory {
  /** Pings of this channel the provider accepted: pingId → provider id (SID) of the first send. */
  sent: Map<string, string | undefined>;
  /** This channel's delivery-status events, in log order. */
  statuses: DeliveryStatusEvent[];
  /** Pings of this channel with a recorded final status. */
  finals: Set<string>;
  /** Pings answered on this channel (a reply message matched to them). */
  answered: Set<string>;
}

export function phoneHistory(events: Iterable<RunEvent>, channel: ChannelName): PhoneHistory {
  const history: PhoneHistory = { sent: new Map(), statuses: [], finals: new Set(), answered: new Set() };
  const channelOf = new Map<string, ChannelName>();
  for (const e of events) {
    if (e.type === 'ping-started') channelOf.set(e.pingId, e.channel);
    else if (e.type === 'ping-sent' && channelOf.get(e.pingId) === channel) history.sent.set(e.pingId, e.providerId);
    else if (e.type === 'delivery-status' && e.channel === channel) {
      history.statuses.push(e);
      if (e.final) history.finals.add(e.pingId);
    } else if (e.type === 'message-received' && e.channel === channel && e.class === 'reply' && e.pingId) history.answered.add(e.pingId);
  }
  return history;
}

/**
 * Earlier attempts at pings that failed without a clear refusal (a ping-failed that is not
 * permanent), read from a run's history as it grows: each event is looked at once. (A scan of
 * the whole history for every ping sent grew with the square of a large run's size.)
 */
export class EarlierFailures {
  private read = 0;
  private readonly firstStarted = new Map<string, string>();
  private readonly failed = new Set<string>();
  /** Pings whose failure came after one of their starts: the first start. */
  private readonly startedBeforeFailure = new Map<string, string>();

  constructor(private readonly history: () => readonly RunEvent[]) {}

  private catchUp(): void {
    const events = this.history();
    if (events.length < this.read) {
      // Another history: read it from the start.
      this.read = 0;
      this.firstStarted.clear();
      this.failed.clear();
      this.startedBeforeFailure.clear();
    }
    for (; this.read < events.length; this.read++) {
      const e = events[this.read]!;
      if (e.type === 'ping-started') {
        if (!this.firstStarted.has(e.pingId)) this.firstStarted.set(e.pingId, e.at);
      } else if (e.type === 'ping-failed' && !e.permanent) {
        this.failed.add(e.pingId);
        const started = this.firstStarted.get(e.pingId);
        if (started !== undefined && !this.startedBeforeFailure.has(e.pingId)) this.startedBeforeFailure.set(e.pingId, started);
      }
    }
  }

  /** Whether the history has a failure of this ping that was not a clear refusal. */
  has(pingId: string): boolean {
    this.catchUp();
    return this.failed.has(pingId);
  }

  /** When this ping was first started, if a failure that was not a clear refusal followed. */
  startedBefore(pingId: string): string | undefined {
    this.catchUp();
    return this.startedBeforeFailure.get(pingId);
  }
}
