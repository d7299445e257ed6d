// The outcome of a country (docs/measurement.md, "Outcome of a country"), the timing of answers to
// a ping sent twice, and answers entered by hand: from event logs and from reply logs.
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import type { EventInput, RunEvent } from '../../src/core/events.js';
import { statsFromEvents } from '../../src/stats/compute.js';
import { ReplyLogParser } from '../../src/stats/reply-log.js';
import { statsFromReplies } from '../../src/stats/replies.js';
import { countryOutcome } from '../../src/stats/summarize.js';
import { KIND_BIT } from '../../src/stats/tally.js';
import type { Stats } from '../../src/stats/types.js';

const T = Date.UTC(2024, 5, 5, 8, 0, 0);
const at = (s: number) => new Date(T + s * 1000).toISOString();
const log = (...items: Array<[number, EventInput]>): RunEvent[] => items.map(([s, e]) => ({ v: 1, at: at(s), ...e }));
const BUCKETS = [900, 1800, 3600, 43200, 86400];

const contact = (id: string, emails: string[], more: { phones?: string[]; sms?: string[] } = {}) => ({
  id,
  unit: id,
  kind: 'police' as const,
  emails,
  phones: more.phones ?? [],
  sms: more.sms ?? [],
  timezone: 'Europe/Sofia',
  languages: ['en'],
});
const directory: Directory = {
  network: 't',
  parties: [
    { country: 'Bulgaria', iso: 'BG', status: 'party', contacts: [contact('BG-POL', ['dead@bg.example']), contact('BG-PRO', ['ooo@bg.example'])] },
    { country: 'Ghana', iso: 'GH', status: 'party', contacts: [contact('GH-POL', ['gone@gh.example'])] },
    { country: 'Portugal', iso: 'PT', status: 'party', contacts: [contact('PT-POL', ['pj@pt.example'], { sms: ['+351912345678'] })] },
    { country: 'Tonga', iso: 'TO', status: 'party', contacts: [contact('TO-POL', ['one@to.example', 'two@to.example'])] },
    { country: 'Chile', iso: 'CL', status: 'party', contacts: [contact('CL-POL', ['late@cl.example'])] },
    { country: 'Spain', iso: 'ES', status: 'party', contacts: [contact('ES-POL', ['busy@es.example'], { phones: ['+34600000000'] })] },
  ],
};

let n = 0;
const ping = (contactId: string, address: string, channel: 'email' | 'sms' | 'voice' = 'email'): [string, EventInput[]] => {
  const pingId = `${contactId}/${channel}/${++n}`;
  return [
    pingId,
    [
      { type: 'ping-started', pingId, contactId, iso: contactId.slice(0, 2), channel, address, token: `RC-${String(n).padStart(6, 'A')}`, attempt: 1 },
      { type: 'ping-sent', pingId, sentAt: at(0) },
    ],
  ];
};
const msg = (pingId: string, s: number, cls: 'reply' | 'automatic' | 'bounce' | 'delay' | 'read-receipt', extra: object = {}): EventInput =>
  ({ type: 'message-received', key: `k-${pingId}-${cls}-${s}`, channel: 'email', receivedAt: at(s), from: 'x@example', class: cls, reasons: [], pingId, ...extra });

function run(build: (add: (...e: EventInput[]) => void) => void): Stats {
  const events: EventInput[] = [{ type: 'run-started', runId: 'r' }];
  build((...e) => events.push(...e));
  return statsFromEvents(log(...events.map((e): [number, EventInput] => [0, e])), directory, { bucketSeconds: BUCKETS });
}
const outcome = (s: Stats, iso: string) => s.countries.find((c) => c.iso === iso)?.outcome;

describe('countryOutcome', () => {
  it('puts an acknowledgement first, then automatic answers, then failure, then silence', () => {
    expect(countryOutcome(60_000, 86_400_000, KIND_BIT['auto-reply'], true)).toBe('answered');
    expect(countryOutcome(90_000_000, 86_400_000, 0, false)).toBe('late');
    expect(countryOutcome(undefined, 86_400_000, KIND_BIT['auto-reply'] | KIND_BIT.bounce, true)).toBe('automatic-only');
    expect(countryOutcome(undefined, 86_400_000, KIND_BIT['read-receipt'], false)).toBe('automatic-only');
    expect(countryOutcome(undefined, 86_400_000, KIND_BIT.bounce, true)).toBe('unreachable');
    // A bounce or a delay notice is never an automatic answer.
    expect(countryOutcome(undefined, 86_400_000, KIND_BIT.bounce, false)).toBe('silent');
    expect(countryOutcome(undefined, 86_400_000, KIND_BIT.delay, false)).toBe('silent');
    expect(countryOutcome(undefined, 86_400_000, 0, false)).toBe('silent');
  });
});

describe('outcomes from a run', () => {
  it('a bounce plus an auto-reply in one country, a bounce alone in another, a refusal, a late answer', () => {
    const s = run((add) => {
      const [bg1, bg1e] = ping('BG-POL', 'dead@bg.example');
      const [bg2, bg2e] = ping('BG-PRO', 'ooo@bg.example');
      const [gh, ghe] = ping('GH-POL', 'gone@gh.example');
      const [cl, cle] = ping('CL-POL', 'late@cl.example');
      add(...bg1e, ...bg2e, ...ghe, ...cle);
      add(msg(bg1, 5, 'bounce', { bounce: { recipient: 'rfc822; dead@bg.example', action: 'failed', status: '5.1.1' } }));
      add(msg(bg2, 9, 'automatic'));
      add(msg(gh, 7, 'bounce', { bounce: { recipient: 'rfc822; gone@gh.example', action: 'failed', status: '5.1.1' } }));
      add({ type: 'ping-started', pingId: 'pt', contactId: 'PT-POL', iso: 'PT', channel: 'email', address: 'pj@pt.example', token: 'RC-PTPTPT', attempt: 1 });
      add({ type: 'ping-failed', pingId: 'pt', attempt: 1, permanent: true, code: 550, response: '550 5.1.1 user unknown' });
      add({ type: 'ping-started', pingId: 'pt-sms', contactId: 'PT-POL', iso: 'PT', channel: 'sms', address: '+351912345678', token: 'RC-PTPTP2', attempt: 1 });
      add({ type: 'ping-sent', pingId: 'pt-sms', sentAt: at(0) });
      add({ type: 'delivery-status', pingId: 'pt-sms', channel: 'sms', status: 'undelivered', errorCode: 30003, final: true });
      add(msg(cl, 90_000, 'reply'));
    });
    expect(outcome(s, 'BG')).toBe('automatic-only');
    expect(s.findings.find((f) => f.address === 'dead@bg.example')?.status).toBe('failed');
    expect(s.countries.find((c) => c.iso === 'BG')?.received).toEqual(['auto-reply', 'bounce']);
    expect(outcome(s, 'GH')).toBe('unreachable');
    expect(outcome(s, 'PT')).toBe('unreachable'); // e-mail refused (5xx) and SMS undelivered: every address failed
    expect(outcome(s, 'CL')).toBe('late');
    expect(s.unreachable.map((c) => c.iso)).toEqual(['GH', 'PT']);
    expect(s.automaticOnly.map((c) => c.iso)).toEqual(['BG']);
    expect(s.late.map((c) => c.iso)).toEqual(['CL']);
    // Every country exactly once.
    const all = [...s.countries.filter((c) => c.outcome === 'answered'), ...s.late, ...s.automaticOnly, ...s.unreachable, ...s.silent];
    expect(all.map((c) => c.iso).sort()).toEqual(directory.parties.map((p) => p.iso).sort());
  });

  it('keeps the outcome of a country with a failed address and a working or untried one', () => {
    const s = run((add) => {
      // Tonga: one address bounced, the other was pinged and stayed silent.
      const [t1, t1e] = ping('TO-POL', 'one@to.example');
      const [, t2e] = ping('TO-POL', 'two@to.example');
      add(...t1e, ...t2e, msg(t1, 5, 'bounce', { bounce: { recipient: 'rfc822; one@to.example', action: 'failed', status: '5.1.1' } }));
      // Portugal: its e-mail was refused; its SMS number (a channel of the run) was never pinged.
      add({ type: 'ping-started', pingId: 'pt', contactId: 'PT-POL', iso: 'PT', channel: 'email', address: 'pj@pt.example', token: 'RC-PTPTPT', attempt: 1 });
      add({ type: 'ping-failed', pingId: 'pt', attempt: 1, permanent: true, code: 550, response: '550 5.1.1 user unknown' });
      const [, other] = ping('ES-POL', '+34600000001', 'sms'); // the run pinged by SMS too
      add(...other);
    });
    expect(outcome(s, 'TO')).toBe('silent');
    expect(s.findings.find((f) => f.address === 'one@to.example')?.status).toBe('failed');
    expect(outcome(s, 'PT')).toBe('silent');
  });

  it('does not call a delay notice, a busy number or a number that never answered a failure', () => {
    const s = run((add) => {
      const [es, ese] = ping('ES-POL', 'busy@es.example');
      const [v, ve] = ping('ES-POL', '+34600000000', 'voice');
      add(...ese, ...ve, msg(es, 60, 'delay', { bounce: { recipient: 'rfc822; busy@es.example', action: 'delayed', status: '4.4.1' } }));
      add({ type: 'delivery-status', pingId: v, channel: 'voice', status: 'no-answer', final: true });
    });
    expect(outcome(s, 'ES')).toBe('silent');
    expect(s.findings.map((f) => f.status).sort()).toEqual(['delayed', 'no-answer']);
  });

  it('counts an answer despite a bounce of the same contact point', () => {
    const s = run((add) => {
      const [g, ge] = ping('GH-POL', 'gone@gh.example');
      add(...ge, msg(g, 3, 'bounce'), msg(g, 300, 'reply'));
    });
    expect(s.countries.find((c) => c.iso === 'GH')).toMatchObject({ outcome: 'answered', responseSeconds: 300 });
  });
});

describe('a ping sent twice (resume --resend-uncertain)', () => {
  it('times an answer to the first copy from that copy, not from the second one (issue 11, item 3)', () => {
    // 22:42:20 first attempt handed over, the process is killed; the answer lands at 22:42:23;
    // the resent copy is accepted at 22:42:25.8. Both copies share the Message-ID.
    const base = Date.UTC(2024, 5, 5, 22, 42, 20);
    const t = (ms: number) => new Date(base + ms).toISOString();
    const events: RunEvent[] = [
      { v: 1, at: t(-1000), type: 'run-started', runId: 'r' },
      { v: 1, at: t(0), type: 'ping-started', pingId: 'g', contactId: 'GH-POL', iso: 'GH', channel: 'email', address: 'gone@gh.example', token: 'RC-GGGGGG', messageId: '<RC-GGGGGG.aaaaaaaaaa@s.example>', attempt: 1 },
      { v: 1, at: t(5000), type: 'run-started', runId: 'r' },
      { v: 1, at: t(5100), type: 'ping-started', pingId: 'g', contactId: 'GH-POL', iso: 'GH', channel: 'email', address: 'gone@gh.example', token: 'RC-GGGGGG', messageId: '<RC-GGGGGG.aaaaaaaaaa@s.example>', attempt: 2 },
      { v: 1, at: t(5810), type: 'ping-sent', pingId: 'g', sentAt: t(5800) },
      { v: 1, at: t(6000), type: 'message-received', key: 'imap:INBOX:1:1', channel: 'email', receivedAt: t(3000), from: 'gone@gh.example', class: 'reply', reasons: [], pingId: 'g', matchedBy: 'in-reply-to' },
    ];
    const s = statsFromEvents(events, directory, { bucketSeconds: BUCKETS });
    expect(s.countries.find((c) => c.iso === 'GH')).toMatchObject({ outcome: 'answered', responseSeconds: 3, sentAt: t(0) });
    // Without the uncertain first copy the same ping is timed from its acceptance.
    const plain = statsFromEvents([events[0]!, events[3]!, events[4]!, { ...events[5]!, receivedAt: t(9800) } as RunEvent], directory, { bucketSeconds: BUCKETS });
    expect(plain.countries.find((c) => c.iso === 'GH')?.responseSeconds).toBe(4);
  });
});

describe('answers entered by hand', () => {
  const hand = (contactId: string, s: number, channel: 'phone' | 'email' | 'sms' | 'other', note = 'phoned'): EventInput => ({
    type: 'override',
    contactId,
    as: 'reply',
    note,
    answeredAt: at(s),
    channel,
  });

  it('counts at their time, from the contact point’s first ping, as entered by hand', () => {
    const s = run((add) => {
      const [, e] = ping('GH-POL', 'gone@gh.example');
      add(...e, hand('GH-POL', 4260, 'phone', 'the duty officer phoned back'));
    });
    expect(s.countries.find((c) => c.iso === 'GH')).toMatchObject({
      outcome: 'answered',
      responseSeconds: 4260,
      channel: 'voice',
      handEntered: { channel: 'phone', note: 'the duty officer phoned back' },
    });
    expect(s.byChannel).toEqual({ voice: 1 });
    expect(s.overrides).toEqual([expect.objectContaining({ contactId: 'GH-POL', applied: true, handEntered: { answeredAt: at(4260), channel: 'phone' } })]);
  });

  it('lets a faster recorded answer count, a later entry replace an earlier one, and not-an-answer withdraw it', () => {
    const replaced = run((add) => {
      const [, e] = ping('GH-POL', 'gone@gh.example');
      add(...e, hand('GH-POL', 600, 'phone', 'wrong time'), hand('GH-POL', 900, 'phone', 'right time'));
    });
    expect(replaced.countries.find((c) => c.iso === 'GH')?.responseSeconds).toBe(900);
    expect(replaced.overrides.map((o) => o.applied)).toEqual([false, true]);

    const faster = run((add) => {
      const [g, e] = ping('GH-POL', 'gone@gh.example');
      add(...e, msg(g, 120, 'reply'), hand('GH-POL', 900, 'phone'));
    });
    expect(faster.countries.find((c) => c.iso === 'GH')).toMatchObject({ responseSeconds: 120, channel: 'email' });
    expect(faster.countries.find((c) => c.iso === 'GH')?.handEntered).toBeUndefined();

    const withdrawn = run((add) => {
      const [, e] = ping('GH-POL', 'gone@gh.example');
      add(...e, hand('GH-POL', 900, 'phone'), { type: 'override', contactId: 'GH-POL', as: 'not-an-answer', note: 'entered by mistake' });
    });
    expect(outcome(withdrawn, 'GH')).toBe('silent');
    expect(withdrawn.overrides.map((o) => o.applied)).toEqual([false, true]);
  });

  it('does not count an answer entered before any ping of the contact point left', () => {
    const s = run((add) => {
      add({ type: 'ping-started', pingId: 'g', contactId: 'GH-POL', iso: 'GH', channel: 'email', address: 'gone@gh.example', token: 'RC-GGGGGG', attempt: 1 });
      add({ type: 'ping-failed', pingId: 'g', attempt: 1, permanent: true, response: '550' });
      add(hand('GH-POL', 900, 'phone'));
    });
    expect(s.overrides[0]?.applied).toBe(false);
  });
});

describe('outcomes from a reply log', () => {
  const replyLog = (text: string) => {
    const p = new ReplyLogParser('replies.csv');
    p.push(text);
    return statsFromReplies(p.end().tally, undefined, { bucketSeconds: BUCKETS, file: 'replies.csv' });
  };
  it('calls a country whose every channel bounced unreachable, never automatic only', () => {
    const s = replyLog(
      [
        'country,contact,channel,sent_at,replied_at,kind',
        'Ghana,GH-POL,email,2024-06-05T08:00:00Z,2024-06-05T08:00:09Z,bounce',
        'Bulgaria,BG-POL,email,2024-06-05T08:00:00Z,2024-06-05T08:00:09Z,bounce',
        'Bulgaria,BG-PRO,email,2024-06-05T08:00:00Z,2024-06-05T08:01:00Z,auto-reply',
        'Portugal,PT-POL,email,2024-06-05T08:00:00Z,2024-06-05T08:00:09Z,bounce',
        'Portugal,PT-POL,sms,2024-06-05T08:00:00Z,,',
        '',
      ].join('\n'),
    );
    expect(outcome(s, 'GH')).toBe('unreachable');
    expect(outcome(s, 'BG')).toBe('automatic-only');
    expect(outcome(s, 'PT')).toBe('silent'); // its SMS ping did not bounce
    expect(s.findings.map((f) => f.contactId).sort()).toEqual(['BG-POL', 'GH-POL', 'PT-POL']);
  });
});
