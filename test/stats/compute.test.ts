import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import { readEvents } from '../../src/core/event-log.js';
import type { EventInput, RunEvent } from '../../src/core/events.js';
import { statsFromEvents } from '../../src/stats/compute.js';

const fixture = (p: string) => new URL(`../../fixtures/events/${p}`, import.meta.url).pathname;
const directory = JSON.parse(readFileSync(fixture('run-small/directory.json'), 'utf8')) as Directory;
const DEFAULT = [900, 1800, 3600, 43200, 86400];

describe('statsFromEvents on the small run fixture', async () => {
  const { events } = await readEvents(fixture('small.jsonl'));
  const stats = statsFromEvents(events, directory, { bucketSeconds: DEFAULT, includeObservers: true });
  const country = (name: string) => stats.countries.find((c) => c.country === name)!;

  it('counts the parties, observers apart', () => {
    expect(stats.population).toBe(6);
    expect(stats.observers?.population).toBe(1);
    expect(stats.observers?.buckets[0]).toMatchObject({ responded: 1, share: 100, averageSeconds: 600 });
    expect(stats.countries.map((c) => c.country)).not.toContain('Republic of Korea');
  });

  it('times answers from the send time of the ping they answer, the fastest contact point counting', () => {
    // AL-PRO: sent 08:00:02, auto-reply at :05 (not counted), reply at 08:03:02 → 180 s; AL-POL 360 s.
    expect(country('Albania')).toMatchObject({ outcome: 'answered', responseSeconds: 180, contactId: 'AL-PRO', timezone: 'Europe/Tirane' });
    expect(country('Ghana')).toMatchObject({ outcome: 'answered', responseSeconds: 900 }); // exactly 15:00
    expect(stats.buckets.map((b) => b.responded)).toEqual([2, 3, 3, 3, 3]);
    expect(stats.buckets[0]).toMatchObject({ share: 33.33, averageSeconds: 540, medianSeconds: 540 });
    expect(stats.buckets[4]!.share).toBe(50);
  });

  it('applies overrides and lists them', () => {
    // FR-POL's ticket-system message was classified automatic; the contact override makes it a reply.
    expect(country('France')).toMatchObject({ outcome: 'answered', responseSeconds: 1200 });
    // DE-POL's reply was marked not-an-answer: only its read receipt remains.
    expect(country('Germany')).toMatchObject({ outcome: 'automatic-only', received: ['read-receipt'] });
    expect(stats.overrides.map((o) => [o.contactId ?? o.messageKey, o.as, o.applied])).toEqual([
      ['FR-POL', 'reply', true],
      ['imap:INBOX:1686124800:11', 'not-an-answer', true],
      ['CV-POL', 'reply', false],
    ]);
  });

  it('records late, silent and automatic-only countries', () => {
    expect(stats.late.map((c) => [c.country, c.responseSeconds])).toEqual([['Tonga', 90000]]);
    // Issue 10: Cabo Verde's only address was refused (550): unreachable, no longer silent.
    expect(stats.silent.map((c) => c.country)).toEqual([]);
    expect(stats.unreachable.map((c) => c.country)).toEqual(['Cabo Verde']);
    expect(stats.automaticOnly.map((c) => c.country)).toEqual(['Germany']);
  });

  it('finds the failed, delayed, unanswered and uncertain addresses', () => {
    expect(stats.findings.map((f) => [f.country, f.contactId, f.channel, f.address, f.status])).toEqual([
      ['Cabo Verde', 'CV-POL', 'email', 'poc@police.cv.example', 'failed'],
      ['Ghana', 'GH-POL', 'email', 'poc@police.gh.example', 'failed'],
      ['Ghana', 'GH-PRO', 'sms', '+233201234567', 'uncertain'],
      ['Tonga', 'TO-POL', 'voice', '+6767712340', 'no-answer'],
      ['Tonga', 'TO-POL', 'email', 'poc@police.to.example', 'delayed'],
    ]);
    expect(stats.findings[0]!.detail).toMatch(/550 5\.1\.1/);
    expect(stats.findings[1]!.detail).toMatch(/5\.1\.1/);
  });

  it('ignores a message recorded twice under the same key', () => {
    const keys = events.filter((e) => e.type === 'message-received').map((e) => (e as { key: string }).key);
    expect(new Set(keys).size).toBeLessThan(keys.length);
    const seen = new Set<string>();
    const firstOnly = events.filter((e) => e.type !== 'message-received' || (!seen.has(e.key) && seen.add(e.key)));
    expect(firstOnly.length).toBe(events.length - 1);
    const once = statsFromEvents(firstOnly, directory, { bucketSeconds: DEFAULT, includeObservers: true });
    expect(once).toEqual(stats);
  });

  it('leaves observers out when they were not tested', () => {
    expect(statsFromEvents(events, directory, { bucketSeconds: DEFAULT }).observers).toBeUndefined();
  });

  it('splits the figures by kind of contact point', () => {
    expect(stats.byKind?.police?.population).toBe(6);
    expect(stats.byKind?.prosecution?.population).toBe(2);
    // Albania's prosecutor answered in 3 min; its police contact point in 6 min.
    expect(stats.byKind?.police?.countries.find((c) => c.country === 'Albania')?.responseSeconds).toBe(360);
    expect(stats.byKind?.prosecution?.buckets[0]).toMatchObject({ responded: 2, averageSeconds: 540 });
  });
});

describe('statsFromEvents rules', () => {
  let clock = Date.UTC(2023, 5, 7, 8, 0, 0);
  const at = (s: number) => new Date(clock + s * 1000).toISOString();
  const dir: Directory = {
    network: 't',
    parties: [
      { country: 'Albania', iso: 'AL', status: 'party', contacts: [] },
      { country: 'Ghana', iso: 'GH', status: 'party', contacts: [] },
    ],
  };
  const log = (...items: Array<[number, EventInput]>): RunEvent[] => items.map(([s, e]) => ({ v: 1, at: at(s), ...e }));
  const started = (pingId: string, contactId: string, address: string, channel: 'email' | 'sms' = 'email'): EventInput => ({
    type: 'ping-started',
    pingId,
    contactId,
    iso: contactId.slice(0, 2),
    channel,
    address,
    token: `RC-${pingId}`,
    attempt: 1,
  });
  const sent = (pingId: string, s: number): EventInput => ({ type: 'ping-sent', pingId, sentAt: at(s) });
  const msg = (key: string, s: number, cls: 'reply' | 'automatic' | 'bounce' | 'delay', pingId?: string, extra: object = {}): EventInput =>
    ({ type: 'message-received', key, channel: 'email', receivedAt: at(s), from: 'x@y.example', class: cls, reasons: [], ...(pingId ? { pingId } : {}), ...extra });
  const run = (events: RunEvent[]) => statsFromEvents(events, dir, { bucketSeconds: DEFAULT });

  it('measures from ping-sent, never from when the ping was started or the log line was written', () => {
    clock += 1e7;
    const s = run(log([0, started('a', 'AL-POL', 'a@al.example')], [30, sent('a', 30)], [500, msg('k1', 390, 'reply', 'a')]));
    expect(s.countries.find((c) => c.iso === 'AL')!.responseSeconds).toBe(360);
  });

  it('lets an override naming a message and a contact point count a message matched to no ping', () => {
    const s = run(
      log(
        [0, started('a', 'AL-POL', 'a@al.example')],
        [0, sent('a', 0)],
        [100, msg('k-unmatched', 100, 'reply')],
        [200, { type: 'override', messageKey: 'k-unmatched', contactId: 'AL-POL', as: 'reply', note: 'from the unit’s other address' }],
      ),
    );
    expect(s.countries.find((c) => c.iso === 'AL')).toMatchObject({ outcome: 'answered', responseSeconds: 100 });
    expect(s.overrides[0]!.applied).toBe(true);
  });

  it('reclassifies a contact point’s replies as automatic, and the last override wins', () => {
    const events = log(
      [0, started('a', 'AL-POL', 'a@al.example')],
      [0, sent('a', 0)],
      [60, msg('k', 60, 'reply', 'a')],
      [70, { type: 'override', contactId: 'AL-POL', as: 'reply', note: 'first thought' }],
      [80, { type: 'override', contactId: 'AL-POL', as: 'automatic', note: 'it is the ticket robot' }],
    );
    expect(run(events).automaticOnly.map((c) => c.iso)).toEqual(['AL']);
  });

  it('credits a bounce to the address its DSN names, and drops the uncertain state of an answered ping', () => {
    const s = run(
      log(
        [0, started('a', 'AL-POL', 'one@al.example')],
        [0, sent('a', 0)],
        [0, started('b', 'AL-POL', 'two@al.example')],
        [0, sent('b', 0)],
        [0, started('g', 'GH-POL', 'g@gh.example')], // never confirmed...
        [5, msg('k1', 5, 'bounce', 'a', { bounce: { recipient: 'rfc822; Two@AL.example', status: '5.1.1', action: 'failed' } })],
        [9, msg('k2', 9, 'reply', 'g')], // ...but answered: it was sent
      ),
    );
    expect(s.findings.map((f) => [f.address, f.status])).toEqual([['two@al.example', 'failed']]);
    expect(s.countries.find((c) => c.iso === 'GH')!.outcome).toBe('answered');
  });

  it('marks a ping whose last attempt failed for now as delayed, and a rejected or unanswered number as failed or no-answer', () => {
    const s = run(
      log(
        [0, started('a', 'AL-POL', 'a@al.example')],
        [1, { type: 'ping-failed', pingId: 'a', attempt: 1, permanent: false, code: 451, response: '451 4.7.1 try later' }],
        [0, started('s', 'GH-POL', '+233201234567', 'sms')],
        [0, sent('s', 0)],
        [9, { type: 'delivery-status', pingId: 's', channel: 'sms', status: 'undelivered', errorCode: 30003, final: true }],
      ),
    );
    expect(s.findings.map((f) => [f.address, f.status, f.detail])).toEqual([
      ['a@al.example', 'delayed', 'not sent yet: 451 4.7.1 try later'],
      ['+233201234567', 'failed', 'SMS undelivered (error 30003)'],
    ]);
  });
});
