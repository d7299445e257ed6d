// Pings as composed (token, Message-ID, languages, no Auto-Submitted) and the server settings
// that decide TLS and hide passwords.
import { describe, expect, it } from 'vitest';
import type { Ping } from '../../src/core/ping.js';
import { hideSecret, imapServer, smtpServer } from '../../src/channels/email-servers.js';
import { emailFolders } from '../../src/channels/email.js';
import { messageFileName } from '../../src/channels/email-watch.js';
import { SettingsError } from '../../src/core/errors.js';
import { composePing, renderSubject } from '../../src/mail/compose.js';
import { pickLanguage } from '../../src/mail/ping-texts.js';
import { newMessageId, newToken, tokenCandidates } from '../../src/mail/token.js';
import { mulberry32 } from '../../src/core/random.js';
import { DEFAULT_SUBJECT } from '../../src/settings.js';

const ping = (over: Partial<Ping> = {}): Ping => ({
  pingId: 'FR-POL:email:1',
  contactId: 'FR-POL',
  iso: 'FR',
  country: 'France',
  unit: 'OFAC',
  channel: 'email',
  address: 'poc@police.fr.example',
  token: 'RC-7QK3MZ',
  messageId: '<RC-7QK3MZ.abcdefghjk@coe.example>',
  languages: ['fr', 'en'],
  timezone: 'Europe/Paris',
  ...over,
});

describe('tokens and Message-IDs', () => {
  it('makes RC- tokens of six unambiguous characters, repeatable with a seeded random', () => {
    const a = newToken(mulberry32(7));
    expect(a).toMatch(/^RC-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$/);
    expect(newToken(mulberry32(7))).toBe(a);
    const many = new Set(Array.from({ length: 2000 }, () => newToken()));
    expect(many.size).toBeGreaterThan(1990);
  });

  it('puts the token and the sender domain in the Message-ID', () => {
    expect(newMessageId('RC-7QK3MZ', '24/7 Secretariat <secretariat@coe.example>', mulberry32(1))).toMatch(/^<RC-7QK3MZ\.[a-z0-9]{10}@coe\.example>$/);
  });

  it('finds token candidates in any case, once each', () => {
    expect(tokenCandidates('ref rc-7qk3mz and RC-7QK3MZ, also RC-ABCDEF.')).toEqual(['RC-7QK3MZ', 'RC-ABCDEF']);
  });
});

describe('composePing', () => {
  it('fills the subject template, and adds the token when the template has none', () => {
    expect(renderSubject(DEFAULT_SUBJECT, 'RC-7QK3MZ', '24/7 Network')).toBe('[24/7 Network] Responsiveness test RC-7QK3MZ - please reply');
    expect(renderSubject('Test of {network}', 'RC-7QK3MZ', 'N')).toBe('Test of N [RC-7QK3MZ]');
  });

  it('writes in the contact point language first, then English, and says it is a test', () => {
    const m = composePing(ping(), { from: 'S <secretariat@coe.example>', subject: DEFAULT_SUBJECT, network: '24/7 Network' });
    expect(m.language).toBe('fr');
    expect(m.text.indexOf('Ceci est un TEST')).toBeLessThan(m.text.indexOf('This is a TEST'));
    expect(m.text).toContain('RC-7QK3MZ');
    expect(m.html).toContain('<strong>RC-7QK3MZ</strong>');
    expect(m.messageId).toBe('<RC-7QK3MZ.abcdefghjk@coe.example>');
    expect(m.headers).toEqual({ 'X-Rollcall-Token': 'RC-7QK3MZ' });
    expect(Object.keys(m.headers).map((h) => h.toLowerCase())).not.toContain('auto-submitted');
  });

  it('has texts in English, French, Spanish, German, Italian and Portuguese, English by default', () => {
    for (const [langs, word] of [
      [['es'], 'PRUEBA'],
      [['de-AT'], 'TEST der Erreichbarkeit'],
      [['it'], 'TEST della reperibilità'],
      [['pt'], 'TESTE'],
      [['sq', 'en'], 'This is a TEST'],
      [[], 'This is a TEST'],
    ] as Array<[string[], string]>) {
      expect(composePing(ping({ languages: langs }), { from: 's@coe.example', subject: DEFAULT_SUBJECT, network: 'N' }).text).toContain(word);
    }
    expect(pickLanguage(['sq', 'el'])).toBe('en');
    expect(pickLanguage(['el', 'fr-BE'])).toBe('fr');
  });

  it('makes its own Message-ID when the engine gave none', () => {
    const m = composePing(ping({ messageId: undefined }), { from: 'S <secretariat@coe.example>', subject: DEFAULT_SUBJECT, network: 'N' });
    expect(m.messageId).toMatch(/^<RC-7QK3MZ\.[a-z0-9]+@coe\.example>$/);
  });
});

describe('server settings', () => {
  it('requires STARTTLS off loopback unless --insecure-tls, and takes smtps:// as implicit TLS', () => {
    expect(smtpServer('smtp://u:p@mail.example.org:587')).toMatchObject({ host: 'mail.example.org', port: 587, secure: false, requireTLS: true });
    expect(smtpServer('smtp://u:p@mail.example.org:587', { insecureTls: true }).requireTLS).toBe(false);
    expect(smtpServer('smtps://u:p@mail.example.org')).toMatchObject({ port: 465, secure: true, requireTLS: false });
    expect(smtpServer('smtp://127.0.0.1:2525')).toMatchObject({ requireTLS: false });
    expect(smtpServer('smtp://[::1]:2525').requireTLS).toBe(false);
    expect(imapServer('imap://u:p@imap.example.org/INBOX').doSTARTTLS).toBe(true);
    expect(imapServer('imap://u:p@imap.example.org/INBOX', { insecureTls: true }).doSTARTTLS).toBeUndefined();
    expect(imapServer('imaps://u:p@imap.example.org')).toMatchObject({ port: 993, secure: true, mailbox: 'INBOX' });
    expect(imapServer('imap://u:p@localhost:1143/Shared%2FDesk').mailbox).toBe('Shared/Desk');
  });

  it('decodes credentials and never shows them', () => {
    const s = smtpServer('smtp://desk%40coe.example:p%40ss%3Aword@mail.example.org');
    expect(s.auth).toEqual({ user: 'desk@coe.example', pass: 'p@ss:word' });
    expect(s.shown).toBe('smtp://***@mail.example.org');
    expect(hideSecret('login failed for p@ss:word at smtp://desk:p%40ss%3Aword@mail.example.org', s.auth)).not.toMatch(/p@ss:word|p%40ss/);
  });

  it('refuses an IMAP URL without credentials or with the wrong scheme, naming the variable', () => {
    expect(() => imapServer('imaps://imap.example.org/INBOX')).toThrow(SettingsError);
    expect(() => smtpServer('http://mail.example.org')).toThrow(/ROLLCALL_SMTP_URL/);
  });

  it('watches the URL mailbox, the settings folders and the extra ones, once each', () => {
    expect(emailFolders({ imapUrl: 'imaps://u:p@h/INBOX', subject: '', folders: ['Junk'] }, ['INBOX', 'Junk', 'Spam'])).toEqual(['INBOX', 'Junk', 'Spam']);
  });

  it('names raw copies after their key, safely and distinctly', () => {
    expect(messageFileName('imap:INBOX:1717:42')).toBe('imap-INBOX-1717-42.eml');
    expect(messageFileName('imap:Junk/Spam:1:2')).not.toBe(messageFileName('imap:Junk_Spam:1:2'));
    expect(messageFileName('imap:../x:1:2')).not.toContain('/');
  });
});
