// The authenticity policy in the statistics (docs/authenticity.md, "The policy"): hand-built event
// logs with forged answers, a forged auto-reply, forged bounces and delay notices, marks by hand,
// counted under `report` and listed; set aside under `require`, the country falling to its next
// outcome; totals by verdict.
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import type { AuthenticityVerdict, EventInput, MessageAuthenticity, RunEvent } from '../../src/core/events.js';
import { statsFromEvents } from '../../src/stats/compute.js';
import type { Stats } from '../../src/stats/types.js';

const T = Date.UTC(2024, 5, 5, 8, 0, 0);
const at = (s: number) => new Date(T + s * 1000).toISOString();
const BUCKETS = [900, 1800, 3600, 43200, 86400];

const contact = (id: string, emails: string[]) => ({ id, unit: id, kind: 'police' as const, emails, phones: [], sms: [], timezone: 'Europe/Paris', languages: ['en'] });
const party = (country: string, iso: string, ...contacts: ReturnType<typeof contact>[]) => ({ country, iso, status: 'party' as const, contacts });
const directory: Directory = {
  network: 't',
  parties: [
    party('France', 'FR', contact('FR-POL', ['poc@police.fr.example'])),
    party('Albania', 'AL', contact('AL-POL', ['poc3@police.al.example']), contact('AL-PRO', ['duty@prosecution.al.example'])),
    party('Spain', 'ES', contact('ES-POL', ['ncu@policia.es.example'])),
    party('Italy', 'IT', contact('IT-POL', ['duty@polizia.it.example'])),
    party('Ghana', 'GH', contact('GH-POL', ['gone@police.gh.example'])),
    party('Germany', 'DE', contact('DE-POL', ['cyber@bka.de.example'])),
    party('Chile', 'CL', contact('CL-POL', ['pdi@pdi.cl.example'])),
    party('Tonga', 'TO', contact('TO-POL', ['duty@police.to.example'])),
    party('Portugal', 'PT', contact('PT-POL', ['pj@pj.pt.example'])),
  ],
};
const addressOf = new Map(directory.parties.flatMap((p) => p.contacts.map((c) => [c.id, c.emails[0]!] as const)));

const verdict = (v: AuthenticityVerdict, why = `verdict ${v}`): MessageAuthenticity => ({ verdict: v, source: 'authentication-results', authservId: 'mx.rollcall.example', reasons: [why] });
const FORGED = verdict('fail', 'police.example publishes a DMARC policy (p=reject) and this message does not meet it');

/** A run of the directory: every contact point pinged at 0 s, then what `more` adds. */
function events(more: (m: typeof message) => EventInput[]): RunEvent[] {
  const out: EventInput[] = [{ type: 'run-started', runId: 'r' }];
  for (const [contactId, address] of addressOf) {
    const pingId = `${contactId}/email/1`;
    out.push(
      { type: 'ping-started', pingId, contactId, iso: contactId.slice(0, 2), channel: 'email', address, token: `RC-${contactId.replace('-', '')}`, attempt: 1 },
      { type: 'ping-sent', pingId, sentAt: at(0) },
    );
  }
  out.push(...more(message));
  return out.map((e, i) => ({ v: 1, at: at(i / 100), ...e }));
}

function message(contactId: string, s: number, cls: 'reply' | 'automatic' | 'bounce' | 'delay' | 'read-receipt', authenticity?: MessageAuthenticity, key = `k-${contactId}-${cls}-${s}`): EventInput {
  const address = addressOf.get(contactId)!;
  const bounce = cls === 'bounce' || cls === 'delay';
  return {
    type: 'message-received',
    key,
    channel: 'email',
    receivedAt: at(s),
    from: bounce ? `MAILER-DAEMON@mx.${address.split('@')[1]}` : address,
    class: cls,
    reasons: [],
    pingId: `${contactId}/email/1`,
    ...(bounce ? { bounce: { recipient: `rfc822; ${address}`, action: cls === 'bounce' ? 'failed' : 'delayed', status: cls === 'bounce' ? '5.1.1' : '4.4.1', diagnostic: 'smtp; 550 5.1.1 user unknown' } } : {}),
    ...(authenticity ? { authenticity } : {}),
  };
}

const log = events((m) => [
  m('FR-POL', 120, 'reply', FORGED), // a forged human answer, the country's only one
  m('AL-PRO', 30, 'automatic', verdict('pass')), // a genuine out-of-office...
  m('AL-POL', 240, 'reply', FORGED), // ...and a forged human answer
  m('ES-POL', 60, 'automatic', FORGED), // a forged auto-reply alone
  m('IT-POL', 20, 'bounce', FORGED), // a forged bounce for a working address
  m('GH-POL', 25, 'bounce', verdict('none')), // a genuine bounce
  m('DE-POL', 300, 'reply', verdict('pass')),
  m('CL-POL', 400, 'reply', FORGED, 'k-cl-forged'), // forged, then confirmed by the secretariat
  { type: 'override', messageKey: 'k-cl-forged', as: 'reply', note: 'the duty officer confirmed this answer by phone' },
  m('TO-POL', 50, 'delay', FORGED), // a forged delay notice
  m('PT-POL', 500, 'reply', FORGED), // forged; the contact point phoned the secretariat later
  { type: 'override', contactId: 'PT-POL', as: 'reply', note: 'answered by phone', answeredAt: at(900), channel: 'phone' },
]);

const stats = (policy?: 'report' | 'require'): Stats => statsFromEvents(log, directory, { bucketSeconds: BUCKETS, ...(policy ? { authenticity: policy } : {}) });
const country = (s: Stats, iso: string) => s.countries.find((c) => c.iso === iso)!;
const finding = (s: Stats, iso: string) => s.findings.find((f) => f.iso === iso);

describe('authenticity policy: report (the default)', () => {
  const s = stats();

  it('counts forged answers as before, with their verdict', () => {
    expect(stats('report')).toEqual(s);
    expect(country(s, 'FR')).toMatchObject({ outcome: 'answered', responseSeconds: 120, authenticity: 'fail' });
    expect(country(s, 'AL')).toMatchObject({ outcome: 'answered', responseSeconds: 240, contactId: 'AL-POL', authenticity: 'fail' });
    expect(country(s, 'ES')).toMatchObject({ outcome: 'automatic-only', received: ['auto-reply'] });
    expect(country(s, 'DE')).toMatchObject({ outcome: 'answered', authenticity: 'pass' });
  });

  it('lists every forged answer as counted, with its reasons, and totals the verdicts of the answers that counted', () => {
    expect(s.authenticity?.policy).toBe('report');
    expect(s.authenticity?.unconfirmed.map((u) => [u.country, u.contactId, u.from, u.counted])).toEqual([
      ['France', 'FR-POL', 'poc@police.fr.example', true],
      ['Albania', 'AL-POL', 'poc3@police.al.example', true],
      ['Spain', 'ES-POL', 'ncu@policia.es.example', true],
      ['Chile', 'CL-POL', 'pdi@pdi.cl.example', true],
      ['Portugal', 'PT-POL', 'pj@pj.pt.example', true],
    ]);
    expect(s.authenticity?.unconfirmed[0]).toMatchObject({ messageKey: 'k-FR-POL-reply-120', receivedAt: at(120), reasons: FORGED.reasons });
    // Answered: FR, AL, CL, PT (by e-mail, 500 s, before the phone call) forged; DE genuine.
    expect(s.authenticity?.counted).toEqual({ pass: 1, fail: 4, none: 0, unknown: 0, unchecked: 0 });
    expect(country(s, 'PT')).toMatchObject({ outcome: 'answered', responseSeconds: 500, authenticity: 'fail' });
  });

  it('lets a forged bounce mark the address failed, and says it was unauthenticated', () => {
    expect(s.authenticity?.unauthenticatedBounces).toBe(2); // the bounce and the delay notice
    expect(country(s, 'IT').outcome).toBe('unreachable');
    expect(finding(s, 'IT')).toMatchObject({ status: 'failed', address: 'duty@polizia.it.example' });
    expect(finding(s, 'IT')!.detail).toBe('bounce: 5.1.1 failed smtp; 550 5.1.1 user unknown (unauthenticated bounce: its origin could not be confirmed)');
    expect(finding(s, 'TO')).toMatchObject({ status: 'delayed' });
    expect(finding(s, 'TO')!.detail).toMatch(/^delay notice: .* \(unauthenticated delay notice: its origin could not be confirmed\)$/);
    // A bounce whose origin was not contradicted is worded as always.
    expect(finding(s, 'GH')!.detail).toBe('bounce: 5.1.1 failed smtp; 550 5.1.1 user unknown');
    expect(country(s, 'GH').outcome).toBe('unreachable');
  });
});

describe('authenticity policy: require', () => {
  const s = stats('require');

  it('counts a forged answer for nothing: the country falls to its next outcome', () => {
    expect(country(s, 'FR')).toMatchObject({ outcome: 'silent', responseSeconds: null });
    expect(country(s, 'FR').authenticity).toBeUndefined();
    // Albania's genuine out-of-office remains.
    expect(country(s, 'AL')).toMatchObject({ outcome: 'automatic-only', received: ['auto-reply'] });
    // A forged auto-reply is no automatic answer either.
    expect(country(s, 'ES').outcome).toBe('silent');
    expect(country(s, 'DE')).toMatchObject({ outcome: 'answered', authenticity: 'pass' });
    expect(s.buckets.at(-1)!.responded).toBe(3); // DE, CL (marked), PT (by phone)
  });

  it('keeps a forged message that the secretariat marked itself, and an answer entered by hand', () => {
    expect(country(s, 'CL')).toMatchObject({ outcome: 'answered', responseSeconds: 400, authenticity: 'fail' });
    expect(country(s, 'PT')).toMatchObject({ outcome: 'answered', responseSeconds: 900, handEntered: { channel: 'phone', note: 'answered by phone' } });
    expect(country(s, 'PT').authenticity).toBeUndefined();
  });

  it('lists the forged answers as set aside, except the one marked by hand', () => {
    expect(s.authenticity?.policy).toBe('require');
    expect(s.authenticity?.unconfirmed.map((u) => [u.contactId, u.counted])).toEqual([
      ['FR-POL', false],
      ['AL-POL', false],
      ['ES-POL', false],
      ['CL-POL', true],
      ['PT-POL', false],
    ]);
    expect(s.authenticity?.counted).toEqual({ pass: 1, fail: 1, none: 0, unknown: 0, unchecked: 1 });
  });

  it('lets no forged bounce or delay notice mark an address, while a genuine bounce still does', () => {
    expect(s.authenticity?.unauthenticatedBounces).toBe(2);
    expect(finding(s, 'IT')).toBeUndefined();
    expect(finding(s, 'TO')).toBeUndefined();
    expect(country(s, 'IT').outcome).toBe('silent');
    expect(country(s, 'GH').outcome).toBe('unreachable');
    expect(finding(s, 'GH')).toMatchObject({ status: 'failed', detail: 'bounce: 5.1.1 failed smtp; 550 5.1.1 user unknown' });
  });

  it('does not spare a forged answer for a mark on its contact point: only a mark on the message itself', () => {
    const marked = events((m) => [m('FR-POL', 120, 'automatic', FORGED), { type: 'override', contactId: 'FR-POL', as: 'reply', note: 'their ticket system' }]);
    const r = statsFromEvents(marked, directory, { bucketSeconds: BUCKETS, authenticity: 'require' });
    expect(country(r, 'FR').outcome).toBe('silent');
    expect(r.authenticity?.unconfirmed).toMatchObject([{ contactId: 'FR-POL', counted: false }]);
    const rep = statsFromEvents(marked, directory, { bucketSeconds: BUCKETS, authenticity: 'report' });
    expect(country(rep, 'FR')).toMatchObject({ outcome: 'answered', responseSeconds: 120 });
  });

  it('lists nothing for a forged message marked not an answer', () => {
    const marked = events((m) => [m('FR-POL', 120, 'reply', FORGED, 'k-fr'), { type: 'override', messageKey: 'k-fr', as: 'not-an-answer', note: 'spam' }]);
    const r = statsFromEvents(marked, directory, { bucketSeconds: BUCKETS, authenticity: 'require' });
    expect(country(r, 'FR').outcome).toBe('silent');
    expect(r.authenticity?.unconfirmed).toEqual([]);
  });

  it('changes nothing for answers whose origin passes, has nothing to check or could not be checked', () => {
    const unforged = events((m) => [m('FR-POL', 120, 'reply', verdict('none')), m('AL-POL', 60, 'reply', verdict('unknown')), m('IT-POL', 20, 'bounce', verdict('unknown'))]);
    const rep = statsFromEvents(unforged, directory, { bucketSeconds: BUCKETS, authenticity: 'report' });
    const req = statsFromEvents(unforged, directory, { bucketSeconds: BUCKETS, authenticity: 'require' });
    expect({ ...req, authenticity: undefined }).toEqual({ ...rep, authenticity: undefined });
    expect(req.authenticity).toEqual({ policy: 'require', counted: { pass: 0, fail: 0, none: 1, unknown: 1, unchecked: 0 }, unconfirmed: [], unauthenticatedBounces: 0 });
    expect(country(req, 'IT').outcome).toBe('unreachable');
  });
});

describe('without verdicts', () => {
  it('has no authenticity section when no message was checked (the demo, SMS, an older run)', () => {
    const plain = events((m) => [m('FR-POL', 120, 'reply')]);
    expect(statsFromEvents(plain, directory, { bucketSeconds: BUCKETS, authenticity: 'require' }).authenticity).toBeUndefined();
    expect(country(statsFromEvents(plain, directory, { bucketSeconds: BUCKETS, authenticity: 'require' }), 'FR').outcome).toBe('answered');
  });
});
