// A small run to put marks on (test/stats/override-fate.test.ts, test/report/override-fate.test.ts):
// three countries of one police contact point each, pinged at T; AL-POL replied at 60 s (message
// `al-1`), LV-POL and GH-POL said nothing.
import type { Directory } from '../../src/core/directory.js';
import type { EventInput, RunEvent } from '../../src/core/events.js';
import { statsFromEvents } from '../../src/stats/compute.js';
import type { Stats } from '../../src/stats/types.js';

export const T = Date.UTC(2024, 5, 5, 8, 0, 0);
export const at = (s: number) => new Date(T + s * 1000).toISOString();
const contact = (id: string, email: string) => ({ id, unit: id, kind: 'police' as const, emails: [email], phones: [], sms: [], timezone: 'Europe/Riga', languages: ['en'] });
export const directory: Directory = {
  network: 't',
  parties: [
    { country: 'Albania', iso: 'AL', status: 'party', contacts: [contact('AL-POL', 'poc@al.example')] },
    { country: 'Latvia', iso: 'LV', status: 'party', contacts: [contact('LV-POL', 'poc@lv.example')] },
    { country: 'Ghana', iso: 'GH', status: 'party', contacts: [contact('GH-POL', 'poc@gh.example')] },
  ],
};

export type Mark = Omit<Extract<EventInput, { type: 'override' }>, 'type'>;

/** The run's statistics with these marks, the i-th entered at `markAt(i)`. */
export function statsWithMarks(marks: Mark[], markAt: (i: number) => string): Stats {
  const events: RunEvent[] = [{ v: 1, at: at(0), type: 'run-started', runId: 'r' }];
  for (const id of ['AL-POL', 'LV-POL', 'GH-POL']) {
    const pingId = `${id}/email/1`;
    events.push(
      { v: 1, at: at(0), type: 'ping-started', pingId, contactId: id, iso: id.slice(0, 2), channel: 'email', address: `poc@${id.slice(0, 2).toLowerCase()}.example`, token: `RC-${id.slice(0, 2)}AAAA`, attempt: 1 },
      { v: 1, at: at(0), type: 'ping-sent', pingId, sentAt: at(0) },
    );
  }
  events.push({ v: 1, at: at(60), type: 'message-received', key: 'al-1', channel: 'email', receivedAt: at(60), from: 'poc@al.example', class: 'reply', reasons: [], pingId: 'AL-POL/email/1' });
  marks.forEach((m, i) => events.push({ v: 1, at: markAt(i), type: 'override', ...m }));
  return statsFromEvents(events, directory, { bucketSeconds: [900, 3600, 86400] });
}
