// The pings of a run, rebuilt from its event log (ping-started, ping-sent), for matching answers
// outside the engine: `rollcall inspect --run`, tests.
import type { Directory } from '../core/directory.js';
import type { RunEvent } from '../core/events.js';
import { MemoryPingIndex, pingFromStarted, type PingContact } from '../core/ping-index.js';

export function pingIndexFromEvents(events: Iterable<RunEvent>, directory?: Directory): MemoryPingIndex {
  const contacts = new Map<string, PingContact>();
  for (const party of directory?.parties ?? []) {
    for (const c of party.contacts) contacts.set(c.id, { country: party.country, unit: c.unit, timezone: c.timezone, languages: c.languages });
  }
  const index = new MemoryPingIndex();
  for (const e of events) {
    if (e.type === 'ping-started') {
      index.add(pingFromStarted(e, contacts.get(e.contactId)));
    } else if (e.type === 'ping-sent') {
      index.markSent(e.pingId, new Date(e.sentAt));
    }
  }
  return index;
}
