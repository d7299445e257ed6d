// The pings of a run, rebuilt from its state (the fold of its event log), for matching answers
// outside the engine: `rollcall inspect --run`, tests.
import type { Directory } from '../core/directory.js';
import type { RunEvent } from '../core/events.js';
import { MemoryPingIndex, pingFromStarted, type PingContact } from '../core/ping-index.js';
import { foldRunState, type RunState } from '../core/run-state.js';

export function pingIndexFromState(state: RunState, directory?: Directory): MemoryPingIndex {
  const contacts = new Map<string, PingContact>();
  for (const party of directory?.parties ?? []) {
    for (const c of party.contacts) contacts.set(c.id, { country: party.country, unit: c.unit, timezone: c.timezone, languages: c.languages });
  }
  const index = new MemoryPingIndex();
  for (const rec of state.pings.values()) {
    index.add(pingFromStarted(rec.started, contacts.get(rec.started.contactId)));
    if (rec.sentAt !== undefined) index.markSent(rec.started.pingId, new Date(rec.sentAt));
  }
  return index;
}

export function pingIndexFromEvents(events: Iterable<RunEvent>, directory?: Directory): MemoryPingIndex {
  return pingIndexFromState(foldRunState(events), directory);
}
