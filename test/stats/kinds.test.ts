// `--by kind`: the kinds of contact point are the directory's, never guessed from a contact id.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import type { InputProblem } from '../../src/core/errors.js';
import { readEvents } from '../../src/core/event-log.js';
import { readDirectory } from '../../src/directory/load.js';
import { statsFromEvents } from '../../src/stats/compute.js';
import { contactKind, knowsKinds } from '../../src/stats/population.js';
import { statsFromReplies } from '../../src/stats/replies.js';
import { ReplyLogParser } from '../../src/stats/reply-log.js';
import type { ResponseTally } from '../../src/stats/tally.js';

const BUCKETS = [900, 1800, 3600, 43200, 86400];
const replies2023 = readFileSync(new URL('../../fixtures/replies-2023.csv', import.meta.url), 'utf8');
const directory = await readDirectory(new URL('../../fixtures/directory.yaml', import.meta.url).pathname);

function tallyOf(csv: string): ResponseTally {
  const p = new ReplyLogParser('replies.csv');
  p.push(csv);
  return p.end().tally;
}

const HEADER = 'country,contact,channel,sent_at,replied_at,kind\n';

/** A directory of two parties, each contact point's kind unlike what its id would suggest. */
const SMALL: Directory = {
  network: 'Test',
  parties: [
    {
      country: 'Albania',
      iso: 'AL',
      status: 'party',
      contacts: [
        { id: 'AL-1', unit: 'u', kind: 'prosecution', emails: ['a@al.example'], phones: [], sms: [], timezone: 'Europe/Tirane', languages: ['en'] },
        { id: 'AL-POL', unit: 'u', kind: 'other', emails: ['b@al.example'], phones: [], sms: [], timezone: 'Europe/Tirane', languages: ['en'] },
      ],
    },
    {
      country: 'Ghana',
      iso: 'GH',
      status: 'party',
      contacts: [{ id: 'GH-2', unit: 'u', kind: 'police', emails: ['c@gh.example'], phones: [], sms: [], timezone: 'Africa/Accra', languages: ['en'] }],
    },
  ],
};

describe('kinds of contact point from a reply log', () => {
  it('without a directory: no kinds (nothing guessed from -POL / -PRO ids)', () => {
    const stats = statsFromReplies(tallyOf(replies2023), undefined, { bucketSeconds: BUCKETS, file: 'replies.csv' });
    expect(stats.population).toBe(68);
    expect(stats.byKind).toEqual({});
    // Renamed ids make no difference: nothing is read from them.
    const renamed = statsFromReplies(tallyOf(replies2023.replace(/-PRO,/g, '-PROS,')), undefined, { bucketSeconds: BUCKETS, file: 'replies.csv' });
    expect(renamed.byKind).toEqual({});
  });

  it('with --directory: the directory says the kind; an id it does not list is "other", with one warning', () => {
    const warnings: InputProblem[] = [];
    const stats = statsFromReplies(tallyOf(replies2023), directory, { bucketSeconds: BUCKETS, file: 'replies.csv', warnings });
    // fixtures/directory.yaml: every party has a police contact point, 14 a prosecution one (as
    // `XX-PROS`); the log's 32 `XX-PRO` ids are not in it.
    expect(stats.byKind?.police?.population).toBe(68);
    expect(stats.byKind?.prosecution?.population).toBe(14);
    // `other`: the 32 countries of those ids, and Hungary (its HU-OTH is listed as `other`;
    // Luxembourg's LU-OTH is, too, and LU-PRO is one of the 32).
    expect(stats.byKind?.other?.population).toBe(33);
    expect(warnings).toEqual([
      { file: 'replies.csv', message: '32 contact ids are not in the directory (AL-PRO, AD-PRO, AR-PRO, AT-PRO, AZ-PRO, ...); counted as kind "other"' },
    ]);
  });

  it('reads the kind from the directory whatever the id looks like', () => {
    const csv =
      HEADER +
      'Albania,AL-1,email,2023-06-07T08:00:00Z,2023-06-07T08:05:00Z,reply\n' +
      'Albania,AL-POL,email,2023-06-07T08:00:00Z,2023-06-07T08:10:00Z,reply\n' +
      'Ghana,GH-2,email,2023-06-07T08:00:00Z,2023-06-07T08:20:00Z,reply\n' +
      'Ghana,GH-PRO,email,2023-06-07T08:00:00Z,2023-06-07T08:01:00Z,reply\n';
    const warnings: InputProblem[] = [];
    const stats = statsFromReplies(tallyOf(csv), SMALL, { bucketSeconds: BUCKETS, file: 'replies.csv', warnings });
    expect(stats.byKind?.prosecution?.countries.map((c) => [c.country, c.contactId, c.responseSeconds])).toEqual([['Albania', 'AL-1', 300]]);
    expect(stats.byKind?.police?.countries.map((c) => [c.country, c.contactId, c.responseSeconds])).toEqual([['Ghana', 'GH-2', 1200]]);
    // AL-POL is listed as `other`; GH-PRO is not listed at all: `other` too, and warned of.
    expect(stats.byKind?.other?.countries.map((c) => [c.country, c.contactId]).sort()).toEqual([
      ['Albania', 'AL-POL'],
      ['Ghana', 'GH-PRO'],
    ]);
    expect(warnings).toEqual([{ file: 'replies.csv', message: '1 contact id is not in the directory (GH-PRO); counted as kind "other"' }]);
  });

  it('warns of no contact id when the log has no contact column (its countries name its contact points)', () => {
    const csv = 'country,channel,sent_at,replied_at,kind\n' + 'Albania,email,2023-06-07T08:00:00Z,2023-06-07T08:05:00Z,reply\n' + 'Ghana,email,2023-06-07T08:00:00Z,,\n';
    const warnings: InputProblem[] = [];
    statsFromReplies(tallyOf(csv), SMALL, { bucketSeconds: BUCKETS, file: 'replies.csv', warnings });
    expect(warnings).toEqual([]);
  });

  it('warns of nothing when the directory lists every contact id of the log', () => {
    const csv = HEADER + 'Albania,AL-1,email,2023-06-07T08:00:00Z,2023-06-07T08:05:00Z,reply\n' + 'Ghana,GH-2,email,2023-06-07T08:00:00Z,,\n';
    const warnings: InputProblem[] = [];
    statsFromReplies(tallyOf(csv), SMALL, { bucketSeconds: BUCKETS, file: 'replies.csv', warnings });
    expect(warnings).toEqual([]);
  });
});

describe('kinds of contact point from an event log', () => {
  it('an events.jsonl without a directory has no kinds either (its countries list no contact point)', async () => {
    const { events } = await readEvents(new URL('../../fixtures/events/small.jsonl', import.meta.url).pathname);
    // As source.ts builds it from the pings when no --directory is given.
    const bare: Directory = { network: '', parties: ['AL', 'CV', 'FR', 'DE', 'GH', 'JP', 'KR'].map((iso) => ({ country: iso, iso, status: 'party', contacts: [] })) };
    expect(statsFromEvents(events, bare, { bucketSeconds: BUCKETS }).byKind).toEqual({});
  });

  it('an events.jsonl with --directory: its contact ids the directory does not list are other, and said so', async () => {
    const { loadStatsSource } = await import('../../src/stats/source.js');
    const file = new URL('../../fixtures/events/run-small/events.jsonl', import.meta.url).pathname;
    const { stats, warnings } = await loadStatsSource(file, { directory: new URL('../../fixtures/directory.yaml', import.meta.url).pathname });
    expect(warnings).toEqual([{ file, message: '2 contact ids are not in the directory (AL-PRO, GH-PRO); counted as kind "other"' }]);
    expect(stats.byKind?.other?.countries.map((c) => c.contactId).sort()).toEqual(expect.arrayContaining(['AL-PRO']));
    // Without a directory: no kinds, nothing to say.
    expect((await loadStatsSource(file)).warnings).toEqual([]);
  });

  it('contactKind and knowsKinds: the directory or nothing', () => {
    const member = { key: 'AL', country: 'Albania', contacts: SMALL.parties[0]!.contacts };
    expect(contactKind(member, 'AL-1')).toBe('prosecution');
    expect(contactKind(member, 'AL-PRO')).toBe('other');
    expect(knowsKinds([member])).toBe(true);
    expect(knowsKinds([{ key: 'Albania', country: 'Albania' }])).toBe(false);
  });
});
