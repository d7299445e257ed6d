// `rollcall inspect` on what is not a usable message: a file that is not an e-mail at all, a
// message too big for the parser (as the watcher meets them), and a message whose Subject holds
// terminal escape sequences.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printable } from '../../src/core/printable.js';
import { cliIn, STACK } from '../support/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-inspect-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, content: string | Buffer) => {
  writeFileSync(join(dir, name), content);
  return name;
};
const inspect = (...args: string[]) => cliIn(dir, ['inspect', ...args]);

const ESC = '\u001b';
const BEL = '\u0007';

describe('rollcall inspect refuses what is not an e-mail message', () => {
  it('a YAML directory: exit 2, "not an e-mail message: no header block"', async () => {
    const name = file('directory.yaml', 'network: 24/7 Network\nupdated: 2023-12-01\nparties:\n  - country: Albania\n    iso: AL\n');
    const r = await inspect(name);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${name}: not an e-mail message: no header block`);
    expect(r.out).toBe('');
    expect(r.err).not.toMatch(STACK);
  });

  it('an empty file, a binary file and a text without headers: exit 2', async () => {
    for (const [name, content] of [
      ['empty.eml', ''],
      ['binary.eml', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
      ['prose.eml', 'Dear colleague,\n\nplease find the directory attached.\n'],
    ] as const) {
      const r = await inspect(file(name, content));
      expect(r.code, name).toBe(2);
      expect(r.err, name).toContain('not an e-mail message: no header block');
    }
  });

  it('still reads a message that starts with an mbox "From " line, and one with headers only', async () => {
    const mbox = await inspect(file('mbox.eml', 'From someone@police.fr.test Mon Jun  3 10:00:00 2024\nFrom: someone@police.fr.test\nSubject: hello\n\nbody\n'));
    expect(mbox.code).toBe(0);
    expect(mbox.out).toContain('hello');
    const bare = await inspect(file('bare.eml', 'From: someone@police.fr.test\r\nSubject: headers only\r\n'));
    expect(bare.code).toBe(0);
    expect(bare.out).toContain('headers only');
  });
});

describe('rollcall inspect on messages too big for the parser', () => {
  it('a 2 MB Subject: explained as the watcher records it, no stack trace', async () => {
    const name = file('huge-subject.eml', `From: a@police.fr.test\r\nSubject: ${'x'.repeat(2 * 1024 * 1024)}\r\nMessage-ID: <big@police.fr.test>\r\n\r\nbody\r\n`);
    const r = await inspect(name);
    expect(r.err).not.toMatch(STACK);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Class: +unrelated/);
    expect(r.out).toMatch(/could not be parsed: .*header/i);
    expect(r.out).toContain('a run records such a message as unrelated');
    const json = await inspect(name, '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ class: 'unrelated', reasons: [expect.stringMatching(/^could not be parsed/)] });
  });

  it('1,000 MIME parts: explained, no stack trace', async () => {
    const parts = Array.from({ length: 1000 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\npart ${i}\r\n`).join('');
    const name = file('many-parts.eml', `From: a@police.fr.test\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`);
    const r = await inspect(name);
    expect(r.err).not.toMatch(STACK);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Class: +unrelated/);
    expect(r.out).toMatch(/could not be parsed: .*child nodes/i);
  });
});

describe('terminal escapes in message content', () => {
  it('printable() shows control characters as symbols and leaves text alone', () => {
    expect(printable(`${ESC}]0;pwned${BEL}${ESC}[2JHello`)).toBe('␛]0;pwned␇␛[2JHello');
    expect(printable('Réponse: reçu\tok')).toBe('Réponse: reçu ok');
    expect(printable('a\u009bb\u202ec\u007f')).toBe('a<U+009B>b<U+202E>c␡');
  });

  it('inspect prints a Subject holding ESC ] 0 ; ... BEL ESC [ 2 J visibly, never raw', async () => {
    const evil = `${ESC}]0;pwned${BEL}${ESC}[2J`;
    const name = file(
      'escapes.eml',
      `From: "Evil ${ESC}[31mName" <a@police.fr.test>\r\nSubject: Re: test ${evil}\r\nX-Autoreply: ${ESC}[8mhidden\r\nMessage-ID: <esc@police.fr.test>\r\n\r\nbody\r\n`,
    );
    const r = await inspect(name);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain(ESC);
    expect(r.out).not.toContain(BEL);
    expect(r.out).toContain('Re: test ␛]0;pwned␇␛[2J');
  });
});

describe('terminal escapes in the statistics shown on a terminal', () => {
  it("a bounce's diagnostic and a correction's note are shown with their control characters visible", async () => {
    const { statsFromEvents } = await import('../../src/stats/compute.js');
    const { renderStatsText } = await import('../../src/report/terminal.js');
    const directory = { network: 'Test', parties: [{ country: 'France', iso: 'FR', status: 'party' as const, contacts: [{ id: 'FR-POL', unit: 'Unit', kind: 'police' as const, emails: ['poc@police.fr.test'], phones: [], sms: [], timezone: 'Europe/Paris', languages: ['en'] }] }] };
    const at = '2024-06-05T08:00:00.000Z';
    const events = [
      { v: 1, at, type: 'run-started', runId: 'r' },
      { v: 1, at, type: 'ping-started', pingId: 'FR-POL/email/1', contactId: 'FR-POL', iso: 'FR', channel: 'email', address: 'poc@police.fr.test', token: 'RC-AAAAAA', attempt: 1 },
      { v: 1, at, type: 'ping-sent', pingId: 'FR-POL/email/1', sentAt: at },
      {
        v: 1, at: '2024-06-05T08:01:00.000Z', type: 'message-received', key: 'imap:INBOX:1:1', channel: 'email', receivedAt: '2024-06-05T08:01:00.000Z', from: 'MAILER-DAEMON@mx.test', class: 'bounce', reasons: [],
        pingId: 'FR-POL/email/1', matchedBy: 'token', bounce: { recipient: 'poc@police.fr.test', action: 'failed', status: '5.1.1', diagnostic: `550 ${ESC}]0;pwned${BEL}${ESC}[2J unknown` },
      },
      { v: 1, at, type: 'override', contactId: 'FR-POL', as: 'reply', note: `phoned ${ESC}[8mhidden` },
    ] as never;
    const text = renderStatsText(statsFromEvents(events, directory, { bucketSeconds: [900] }), { color: false });
    expect(text).not.toContain(ESC);
    expect(text).not.toContain(BEL);
    expect(text).toContain('␛]0;pwned␇␛[2J unknown');
  });
});
