// No secret shown: settings that can hold a secret (the mail server URLs, the Twilio credentials
// and API URL) are never echoed when they are malformed — an unencoded `/`, `@`, `#`, `?` or `%`
// in the password, a missing `//`, no scheme at all. The error names the variable instead.
import { afterAll, describe, expect, it } from 'vitest';
import { redact } from '../../src/core/errors.js';
import { cliIn, STACK } from '../support/main.js';
import { repoRoot } from '../support/cli.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Never used: every case is refused before a run folder is created.
const scratch = mkdtempSync(join(tmpdir(), 'rollcall-secrets-'));
const runsDir = join(scratch, 'runs');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A password in two distinctive halves around the character that breaks the URL. */
const pw = (sep: string) => `Alpha${sep}Bravo9`;
const HALVES = ['Alpha', 'Bravo9'];

const base = {
  ROLLCALL_SMTP_URL: 'smtp://sender:fine@127.0.0.1:9',
  ROLLCALL_IMAP_URL: 'imap://sender:fine@127.0.0.1:9/INBOX',
  ROLLCALL_FROM: 'Secretariat <secretariat@rollcall.test>',
};

function malformed(scheme: string, path = ''): Array<[string, string]> {
  return [
    ['unencoded / in the password', `${scheme}://sender:${pw('/')}@127.0.0.1:9${path}`],
    ['unencoded / after a numeric start', `${scheme}://sender:12/${pw('')}@127.0.0.1:9${path}`],
    ['unencoded # in the password', `${scheme}://sender:${pw('#')}@127.0.0.1:9${path}`],
    ['unencoded ? in the password', `${scheme}://sender:${pw('?')}@127.0.0.1:9${path}`],
    ['a % not followed by hex digits', `${scheme}://sender:${pw('%zz')}@127.0.0.1:9${path}`],
    ['an unencoded / in the user name', `${scheme}://send/er:${pw('-')}@127.0.0.1:9${path}`],
    ['missing //', `${scheme}:sender:${pw('-')}@127.0.0.1:9${path}`],
    ['no scheme', `sender:${pw('-')}@127.0.0.1:9${path}`],
  ];
}

function expectNoSecret(text: string, what: string) {
  for (const h of HALVES) expect(text, what).not.toContain(h);
}

describe('malformed server URLs are refused by variable name, never echoed', () => {
  for (const [variable, scheme, path] of [
    ['ROLLCALL_SMTP_URL', 'smtp', ''],
    ['ROLLCALL_IMAP_URL', 'imaps', '/INBOX'],
  ] as const) {
    for (const [what, value] of malformed(scheme, path)) {
      it(`${variable}: ${what}`, async () => {
        const env = { ...base, [variable]: value };
        for (const argv of [
          ['check', '--directory', 'fixtures/directory.yaml', '--timeout', '1s'],
          ['run', '--directory', 'fixtures/directory.yaml', '--yes', '--at', '2099-01-01T00:00:00Z', '--runs-dir', runsDir],
        ]) {
          const r = await cliIn(repoRoot, argv, env);
          const all = r.out + r.err;
          expectNoSecret(all, `${argv[0]}: ${all}`);
          expect(all).not.toMatch(STACK);
          expect(r.code, all).toBe(2);
          expect(all).toContain(variable);
        }
      });
    }
  }

  it('an unencoded @ or space in the password still works as the URL standard reads it, and is never shown', async () => {
    for (const sep of ['@', ' ']) {
      const r = await cliIn(repoRoot, ['check', '--directory', 'fixtures/directory.yaml', '--timeout', '1s'], { ...base, ROLLCALL_SMTP_URL: `smtp://sender:${pw(sep)}@127.0.0.1:9` });
      expectNoSecret(r.out + r.err, r.out + r.err);
      expect(r.code).toBe(1); // nothing listens on port 9: cannot reach
      expect(r.out + r.err).toMatch(/cannot reach the SMTP server smtp:\/\/\*\*\*@127\.0\.0\.1:9/);
    }
  });

  it('Twilio: a token or SID with / @ # and an API URL carrying credentials are never echoed', async () => {
    const twilio = { TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`, ROLLCALL_TWILIO_FROM: '+15005550006', ROLLCALL_TWILIO_API_URL: 'http://127.0.0.1:9' };
    const cases: Array<Record<string, string>> = [
      { ...twilio, TWILIO_AUTH_TOKEN: pw('/@#') },
      { ...twilio, TWILIO_ACCOUNT_SID: pw('/@'), TWILIO_AUTH_TOKEN: 'token' },
      { ...twilio, TWILIO_AUTH_TOKEN: 'token', ROLLCALL_TWILIO_API_URL: `http://sid:${pw('/')}@127.0.0.1:9` },
      { ...twilio, TWILIO_AUTH_TOKEN: 'token', ROLLCALL_TWILIO_API_URL: `http:sid:${pw('-')}@127.0.0.1:9` },
      { ...twilio, TWILIO_AUTH_TOKEN: 'token', ROLLCALL_TWILIO_API_URL: `https://sid:${pw('-')}@api.example.org` },
    ];
    for (const env of cases) {
      const r = await cliIn(repoRoot, ['check', '--directory', 'fixtures/directory.yaml', '--channels', 'sms', '--timeout', '1s'], { ...base, ...env });
      expectNoSecret(r.out + r.err, JSON.stringify(env) + r.out + r.err);
      expect(r.out + r.err).not.toMatch(STACK);
      expect([1, 2]).toContain(r.code);
    }
  });

  it('redact() removes credentials from any text holding such a URL, however malformed', () => {
    for (const text of [
      `cannot reach smtp://sender:${pw('/')}@host:587 now`,
      `at smtps://sender:${pw('@')}@host`,
      `imap:sender:${pw('-')}@host/INBOX`,
      `smtp:sender:${pw('/')}@host`,
      `https://sid:${pw('#?')}@api.example.org/2010-04-01`,
    ]) {
      const out = redact(text);
      expectNoSecret(out, `${text} → ${out}`);
      expect(out).toContain('***@');
    }
    // Mail addresses and server words are left as they are.
    expect(redact('550 5.1.1 <poc@police.fr.test>: Recipient address rejected')).toBe('550 5.1.1 <poc@police.fr.test>: Recipient address rejected');
    expect(redact('Final-Recipient: rfc822;poc@police.fr.test')).toBe('Final-Recipient: rfc822;poc@police.fr.test');
  });
});
