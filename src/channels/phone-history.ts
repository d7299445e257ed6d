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
