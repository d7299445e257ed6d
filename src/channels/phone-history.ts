// What the run's state already says about a phone channel's pings, so that a restarted watcher
// knows which messages and calls to follow and which statuses are already recorded. Read from the
// one fold of the log (src/core/run-state.ts), which the recorder keeps up to date: the run does
// not hold its events.
import type { ChannelName, DeliveryStatusEvent } from '../core/events.js';
import type { RunState } from '../core/run-state.js';
import { addTo } from '../core/group.js';

export interface PhoneHistory {
  /** Pings of this channel the provider accepted: pingId → provider id (SID) of the send. */
  sent: Map<string, string | undefined>;
  /** This channel's delivery-status events of each ping, in log order. */
  statuses: Map<string, DeliveryStatusEvent[]>;
  /** Pings of this channel with a recorded final status. */
  finals: Set<string>;
  /** Pings answered on this channel (a reply message matched to them). */
  answered: Set<string>;
}

export function phoneHistory(state: RunState, channel: ChannelName): PhoneHistory {
  const history: PhoneHistory = { sent: new Map(), statuses: new Map(), finals: new Set(), answered: new Set() };
  for (const rec of state.pings.values()) if (rec.started.channel === channel && rec.state === 'sent') history.sent.set(rec.started.pingId, rec.providerId);
  for (const [pingId, events] of state.phoneEvents) {
    for (const e of events) {
      if (e.type !== 'delivery-status' || e.channel !== channel) continue;
      addTo(history.statuses, pingId, e);
      if (e.final) history.finals.add(pingId);
    }
  }
  for (const m of state.messages) if (m.channel === channel && m.class === 'reply' && m.pingId) history.answered.add(m.pingId);
  return history;
}

/**
 * When a ping was first started, if an attempt at it failed without a clear refusal (a
 * ping-failed that is not permanent): that attempt may have reached the provider. Undefined
 * when none did. Looks at the ping's own phone events only (constant time in the run's size).
 */
export function startedBeforeUnclearFailure(state: RunState, pingId: string): string | undefined {
  const events = state.phoneEvents.get(pingId);
  if (!events || !events.some((e) => e.type === 'ping-failed' && !e.permanent)) return undefined;
  return state.pings.get(pingId)?.firstStartedAt;
}
