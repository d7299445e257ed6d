// The pings of a run, rebuilt from its event log (ping-started, ping-sent), for matching answers
// outside the engine: `rollcall inspect --run`, tests.
import type { Ping } from '../channels/channel.js';
import type { Directory } from '../directory/model.js';
import type { RunEvent } from '../log/events.js';
import { MemoryPingIndex } from '../run/ping-index.js';

export function pingIndexFromEvents(events: Iterable<RunEvent>, directory?: Directory): MemoryPingIndex {
  const contacts = new Map<string, { country: string; unit: string; timezone: string; languages: string[] }>();
  for (const party of directory?.parties ?? []) {
    for (const c of party.contacts) contacts.set(c.id, { country: party.country, unit: c.unit, timezone: c.timezone, languages: c.languages });
  }
  const index = new MemoryPingIndex();
  for (const e of events) {
    if (e.type === 'ping-started') {
      const c = contacts.get(e.contactId);
      const ping: Ping = {
        pingId: e.pingId,
        contactId: e.contactId,
        iso: e.iso,
        country: c?.country ?? e.iso,
        unit: c?.unit ?? '',
        channel: e.channel,
        address: e.address,
        token: e.token,
        languages: c?.languages ?? [],
        timezone: c?.timezone ?? 'UTC',
      };
      if (e.messageId) ping.messageId = e.messageId;
      index.add(ping);
    } else if (e.type === 'ping-sent') {
      index.markSent(e.pingId, new Date(e.sentAt));
    }
  }
  return index;
}
