// Classifies every sample in fixtures/mail/ (written after real Exchange, Gmail, Postfix, Exim,
// qmail and Dovecot formats) and matches it against the pings of fixtures/mail/run/.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import { readEvents } from '../../src/core/event-log.js';
import { arrivalFromHeaders, classifyMessage, classifyParsed, parseMessage } from '../../src/mail/classify.js';
import { pingIndexFromEvents } from '../../src/run/run-pings.js';
import { outOfOfficeSubject } from '../../src/mail/auto-reply.js';
import type { MemoryPingIndex } from '../../src/core/ping-index.js';

const dir = join(import.meta.dirname, '../../fixtures/mail');
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Record<string, string>;
let pings: MemoryPingIndex;

beforeAll(async () => {
  const { events } = await readEvents(join(dir, 'run/events.jsonl'));
  const directory = JSON.parse(readFileSync(join(dir, 'run/directory.json'), 'utf8')) as Directory;
  pings = pingIndexFromEvents(events, directory);
});

async function classifyFixture(file: string) {
  const raw = readFileSync(join(dir, file));
  const msg = await parseMessage(raw);
  const receivedAt = arrivalFromHeaders(msg);
  return classifyParsed(msg, { pings, ownAddress: 'secretariat@rollcall.example', ...(receivedAt ? { receivedAt } : {}) });
}

describe('fixtures/mail corpus', () => {
  it('has an expected class for every sample and a sample for every entry', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
    expect(Object.keys(expected).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(15);
  });

  for (const [file, cls] of Object.entries(expected)) {
    it(`${file} is ${cls}`, async () => {
      const c = await classifyFixture(file);
      expect(c.class, c.reasons.join('; ')).toBe(cls);
      expect(c.reasons.length).toBeGreaterThan(0);
      if (cls !== 'unrelated') expect(c.matching).toBe('matched');
    });
  }
});

describe('matching rules on the corpus', () => {
  const cases: Array<[string, string, string]> = [
    ['gmail-reply.eml', 'EE-POL:email:1', 'in-reply-to'],
    ['reply-quoted-outlook.eml', 'NL-POL:email:1', 'in-reply-to'],
    ['reply-token-only.eml', 'RO-POL:email:1', 'token'],
    ['ooo-french-subject.eml', 'BE-FCCU:email:1', 'token'],
    ['ooo-german-subject.eml', 'DE-BKA:email:1', 'sender'],
    ['exchange-auto-reply.eml', 'IE-GARDA:email:1', 'in-reply-to'],
    ['dovecot-vacation.eml', 'HR-MUP:email:1', 'in-reply-to'],
    ['read-receipt.eml', 'AT-BK:email:1', 'in-reply-to'],
    ['postfix-bounce.eml', 'PL-POL:email:1', 'references'],
    ['postfix-delay.eml', 'CZ-POL:email:1', 'references'],
    ['exim-failure.eml', 'SK-MIN:email:1', 'references'],
    ['qmail-failure.eml', 'CY-POL:email:1', 'references'],
    ['exchange-ndr.eml', 'MT-POL:email:1', 'in-reply-to'],
    ['vacation-unable-to-deliver.eml', 'MT-POL:email:1', 'in-reply-to'],
    ['outlook-read-notice.eml', 'SK-MIN:email:1', 'in-reply-to'],
  ];
  for (const [file, pingId, rule] of cases) {
    it(`${file} answers ${pingId} by ${rule}`, async () => {
      const c = await classifyFixture(file);
      expect(c.pingId).toBe(pingId);
      expect(c.matchedBy).toBe(rule);
    });
  }
});

describe('mail that only looks like a ping\'s bounce', () => {
  it('takes a vacation notice sent with a null sender for an auto-reply, even when it says it "could not be delivered"', async () => {
    // RFC 3834 auto-replies use a null Return-Path, as bounces do: without a mail-system sender or
    // a bounce's subject, the words of its text make no bounce, and no address failed.
    const c = await classifyFixture('vacation-unable-to-deliver.eml');
    expect(c.class).toBe('automatic');
    expect(c.bounce).toBeUndefined();
    expect(c.report).toBeUndefined();
  });

  it('does not match the bounce of other mail to a pinged address by its Final-Recipient', async () => {
    // The secretariat's case mail to cert@vp.lv.example bounced; the ping to that address did not.
    // The report returns a message that is not a ping (its Message-ID is not ours, no token).
    const c = await classifyFixture('bounce-of-case-mail.eml');
    expect(c.kind).toBe('bounce');
    expect(c.class).toBe('unrelated');
    expect(c.pingId).toBeUndefined();
    expect(c.matching).toBe('no-match');
  });

  it('still matches a bounce that returns no message by its failed address', async () => {
    const raw = readFileSync(join(dir, 'bounce-of-case-mail.eml'), 'utf8');
    // The same report without its returned headers: the failed address is all there is to go by.
    const cut = raw.replace(/--4VvQ9k2PqRz1sTL\.1717580412\/mx\.rollcall\.example\nContent-Description: Undelivered Message Headers[\s\S]*?(?=--4VvQ9k2PqRz1sTL\.1717580412\/mx\.rollcall\.example--)/, '');
    expect(cut).not.toContain('Case 2024/121');
    const msg = await parseMessage(Buffer.from(cut));
    const c = classifyParsed(msg, { pings, ownAddress: 'secretariat@rollcall.example', receivedAt: new Date('2024-06-05T09:40:12Z') });
    expect(c.class).toBe('bounce');
    expect(c.pingId).toBe('LV-POL:email:1');
    expect(c.matchedBy).toBe('sender');
  });
});

describe('delivery status details', () => {
  it('reads Final-Recipient, Action, Status and Diagnostic-Code of a Postfix bounce', async () => {
    const c = await classifyFixture('postfix-bounce.eml');
    expect(c.bounce).toEqual({
      recipient: 'cyber@policja.pl.example',
      action: 'failed',
      status: '5.1.1',
      diagnostic: 'smtp; 550 5.1.1 <cyber@policja.pl.example>: Recipient address rejected: User unknown in virtual mailbox table',
    });
    expect(c.report?.original?.messageId).toBe('<RC-P9XK4D.k2m4p6r8t5@rollcall.example>');
  });

  it('reads the delay of a Postfix warning as 4.4.1 delayed', async () => {
    const c = await classifyFixture('postfix-delay.eml');
    expect(c.bounce?.action).toBe('delayed');
    expect(c.bounce?.status).toBe('4.4.1');
  });

  it('takes the failed address of an Exim plain-text bounce, not our own', async () => {
    const c = await classifyFixture('exim-failure.eml');
    expect(c.bounce?.recipient).toBe('cyber@minv.sk.example');
    expect(c.bounce?.status).toBe('5.2.1');
    expect(c.report?.source).toBe('plain-text');
  });

  it('takes the address of a qmail failure notice from its body', async () => {
    const c = await classifyFixture('qmail-failure.eml');
    expect(c.bounce?.recipient).toBe('cybercrime@police.cy.example');
    expect(c.bounce?.status).toBe('5.1.1');
  });

  it('reads an Exchange NDR status 5.1.10 and the Gmail bounce 5.1.1', async () => {
    expect((await classifyFixture('exchange-ndr.eml')).bounce?.status).toBe('5.1.10');
    const g = await classifyFixture('gmail-bounce.eml');
    expect(g.bounce).toMatchObject({ recipient: 'poc@policija.lt.example', action: 'failed', status: '5.1.1' });
  });

  it('takes a read notice without an RFC 8098 part for a read receipt by its subject, in the languages Outlook writes', async () => {
    const c = await classifyFixture('outlook-read-notice.eml');
    expect(c.class).toBe('read-receipt');
    expect(c.reasons[0]).toBe('Subject "Read:" (a read notice without an RFC 8098 part)');
    const raw = readFileSync(join(dir, 'outlook-read-notice.eml'), 'utf8');
    for (const prefix of ['Lu :', 'Gelesen:', 'Leído:', 'Letto:', 'Gelezen:', 'Return Receipt:']) {
      const msg = await parseMessage(Buffer.from(raw.replace('Subject: Read:', `Subject: ${prefix}`)));
      expect(classifyParsed(msg, { pings }).class, prefix).toBe('read-receipt');
    }
    // A person's answer whose subject merely starts with the word is one.
    const reply = await parseMessage(Buffer.from(raw.replace('Subject: Read:', 'Subject: Re: Read this:').replace('Read: ', '')));
    expect(classifyParsed(reply, { pings }).class).toBe('reply');
  });

  it('reads the disposition of a read receipt', async () => {
    const c = await classifyFixture('read-receipt.eml');
    expect(c.receipt?.disposition).toBe('manual-action/MDN-sent-manually; displayed');
    expect(c.receipt?.originalMessageId).toBe('<RC-A8TN5F.k2m4p6r8t9@rollcall.example>');
  });

  it('matches a bounce by the Original-Envelope-Id (our DSN ENVID, the token) before its Final-Recipient', async () => {
    const raw = [
      'From: MAILER-DAEMON@mx.rollcall.example (Mail Delivery System)',
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'Could not deliver.',
      '--b1',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.rollcall.example',
      'Original-Envelope-Id: RC-P9XK4D',
      '',
      'Final-Recipient: rfc822; forwarded-to@elsewhere.example',
      'Action: failed',
      'Status: 5.2.2',
      '',
      '--b1--',
      '',
    ].join('\r\n');
    const c = await classifyMessage(Buffer.from(raw), { pings });
    expect(c).toMatchObject({ class: 'bounce', pingId: 'PL-POL:email:1', matchedBy: 'token' });
    expect(c.matchDetail).toContain('Original-Envelope-Id');
    expect(c.bounce).toMatchObject({ recipient: 'forwarded-to@elsewhere.example', status: '5.2.2' });
  });

  it('matches a bounce by its Final-Recipient when nothing else is left of the ping', async () => {
    const raw = readFileSync(join(dir, 'postfix-bounce.eml'), 'latin1')
      .replace(/^Message-ID: <RC-P9XK4D[^\n]*\n/m, '')
      .replace(/^X-Rollcall-Token[^\n]*\n/m, '')
      .replace(/RC-P9XK4D/g, 'the test');
    const c = await classifyMessage(Buffer.from(raw, 'latin1'), { pings, receivedAt: new Date('2024-06-05T09:31:00Z') });
    expect(c.class).toBe('bounce');
    expect(c.matchedBy).toBe('sender');
    expect(c.pingId).toBe('PL-POL:email:1');
  });
});

describe('rules that decide the class', () => {
  it('names Exchange headers for an Exchange out-of-office without Auto-Submitted', async () => {
    const c = await classifyFixture('exchange-auto-reply.eml');
    expect(c.headers['Auto-Submitted']).toBeUndefined();
    expect(c.reasons.join('\n')).toMatch(/X-MS-Exchange-Inbox-Rules-Loop.*X-Auto-Response-Suppress/);
  });

  it('recognises out-of-office subjects in six languages, accents or not', () => {
    expect(outOfOfficeSubject('Out of Office: test')?.language).toBe('English');
    expect(outOfOfficeSubject('Réponse automatique : test')?.language).toBe('French');
    expect(outOfOfficeSubject('Abwesenheitsnotiz: test')?.language).toBe('German');
    expect(outOfOfficeSubject('Respuesta automática: test')?.language).toBe('Spanish');
    expect(outOfOfficeSubject('Risposta automatica: test')?.language).toBe('Italian');
    expect(outOfOfficeSubject('Resposta automática: Fora do escritório')?.language).toBe('Portuguese');
    expect(outOfOfficeSubject('Re: [24/7 Network] Responsiveness test RC-ABCDEF - please reply')).toBeUndefined();
  });

  it("recognises Outlook's automatic-reply subject in the network's other languages", () => {
    const subjects: Array<[string, string]> = [
      ['Automatisch antwoord: Responsiveness test', 'Dutch'],
      ['Afwezig: Responsiveness test', 'Dutch'],
      ['Automatiskt svar: Responsiveness test', 'Swedish'],
      ['Automatisk svar: Responsiveness test', 'Danish or Norwegian'],
      ['Automaattinen vastaus: Responsiveness test', 'Finnish'],
      ['Automaatvastus: Responsiveness test', 'Estonian'],
      ['Automātiskā atbilde: Responsiveness test', 'Latvian'],
      ['Automatinis atsakymas: Responsiveness test', 'Lithuanian'],
      ['Automatyczna odpowiedź: Responsiveness test', 'Polish'],
      ['Automatická odpověď: Responsiveness test', 'Czech or Slovak'],
      ['Automatická odpoveď: Responsiveness test', 'Czech or Slovak'],
      ['Automatikus válasz: Responsiveness test', 'Hungarian'],
      ['Răspuns automat: Responsiveness test', 'Romanian'],
      ['Automatski odgovor: Responsiveness test', 'Croatian, Serbian or Bosnian'],
      ['Samodejni odgovor: Responsiveness test', 'Slovenian'],
      ['Αυτόματη απάντηση: Responsiveness test', 'Greek'],
      ['Автоматичен отговор: Responsiveness test', 'Bulgarian'],
      ['Автоматический ответ: Responsiveness test', 'Russian'],
      ['Автоматична відповідь: Responsiveness test', 'Ukrainian'],
      ['Otomatik yanıt: Responsiveness test', 'Turkish'],
      ['自動応答: Responsiveness test', 'Japanese'],
    ];
    for (const [subject, language] of subjects) expect(outOfOfficeSubject(subject)?.language, subject).toBe(language);
    // A person's answer in those languages is not one.
    for (const subject of ['Odp: Responsiveness test', 'Antw: Responsiveness test', 'SV: Responsiveness test', 'Vs: Responsiveness test', 'Ответ: Responsiveness test'])
      expect(outOfOfficeSubject(subject), subject).toBeUndefined();
  });

  it('treats Auto-Submitted: no as a human reply', async () => {
    const raw = readFileSync(join(dir, 'gmail-reply.eml'), 'latin1').replace('MIME-Version: 1.0', 'Auto-Submitted: no\nMIME-Version: 1.0');
    const c = await classifyMessage(Buffer.from(raw, 'latin1'), { pings });
    expect(c.class).toBe('reply');
  });

  it('counts Precedence: junk, X-Autoreply and X-Autorespond as automatic', async () => {
    for (const header of ['Precedence: junk', 'X-Autoreply: yes', 'X-Autorespond: yes', 'Precedence: auto_reply']) {
      const raw = readFileSync(join(dir, 'gmail-reply.eml'), 'latin1').replace('MIME-Version: 1.0', `${header}\nMIME-Version: 1.0`);
      const c = await classifyMessage(Buffer.from(raw, 'latin1'), { pings });
      expect(c.class, header).toBe('automatic');
      expect(c.reasons[0]).toContain(header.split(':')[0]);
    }
  });

  it('matches by References when In-Reply-To is gone', async () => {
    const raw = readFileSync(join(dir, 'gmail-reply.eml'), 'latin1').replace(/^In-Reply-To:.*\n/m, '');
    const c = await classifyMessage(Buffer.from(raw, 'latin1'), { pings });
    expect(c.matchedBy).toBe('references');
  });

  it('does not match a reply from the pinged address that arrived before the ping was sent', async () => {
    const c = await classifyMessage(readFileSync(join(dir, 'ooo-german-subject.eml')), { pings, receivedAt: new Date('2024-06-05T09:00:00Z') });
    expect(c.class).toBe('unrelated');
    expect(c.reasons.join('\n')).toContain('matched to no ping');
  });

  it('recognises a copy of our own ping as unrelated', async () => {
    const raw = [
      'From: 24/7 Network Secretariat <secretariat@rollcall.example>',
      'To: poc@politie.nl.example',
      'Subject: [24/7 Network (Budapest Convention)] Responsiveness test RC-N3LD7Y - please reply',
      'Message-ID: <RC-N3LD7Y.k2m4p6r8ta@rollcall.example>',
      'X-Rollcall-Token: RC-N3LD7Y',
      '',
      'Reference: RC-N3LD7Y',
    ].join('\r\n');
    const c = await classifyMessage(Buffer.from(raw), { pings });
    expect(c.class).toBe('unrelated');
    expect(c.pingId).toBeUndefined();
  });

  it('without pings gives the kind of message and checks no match', async () => {
    const c = await classifyMessage(readFileSync(join(dir, 'gmail-vacation.eml')));
    expect(c.class).toBe('automatic');
    expect(c.matching).toBe('not-checked');
    const n = await classifyMessage(readFileSync(join(dir, 'newsletter.eml')));
    expect(n.class).toBe('unrelated');
  });
});
