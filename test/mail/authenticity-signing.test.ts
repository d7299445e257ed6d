// DKIM-signed pings: the e-mail channel signs with the key of ROLLCALL_DKIM_PRIVATE_KEY_FILE, sends
// through the loopback SMTP server, and what arrives passes mailauth's check (DNS from the test).
// A bad key file is refused with the file's name, never its contents.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailChannel, dkimSigning } from '../../src/channels/email.js';
import type { Ping } from '../../src/core/ping.js';
import { SettingsError } from '../../src/core/errors.js';
import { verifyMessage } from '../../src/mail/authenticity.js';
import { newMessageId, newToken } from '../../src/mail/token.js';
import { DEFAULT_SUBJECT, type Settings } from '../../src/settings.js';
import { startSmtp, type SmtpHarness } from '../servers/smtp.js';
import { dkimKeyPair, dkimRecord, TableResolver, type KeyPair } from './authenticity-support.js';

const FROM = '24/7 Network Secretariat <secretariat@rollcall.example>';
const tmp = mkdtempSync(join(tmpdir(), 'rollcall-dkim-'));
let smtp: SmtpHarness;
let key: KeyPair;
let keyFile: string;

beforeAll(async () => {
  smtp = await startSmtp();
  key = dkimKeyPair();
  keyFile = join(tmp, 'dkim.pem');
  writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
});

afterAll(async () => {
  await smtp.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function ping(address: string): Ping {
  const token = newToken();
  return {
    pingId: `AM-POL/email/1`,
    contactId: 'AM-POL',
    iso: 'AM',
    country: 'Armenia',
    unit: 'Cybercrime Unit',
    channel: 'email',
    address,
    token,
    messageId: newMessageId(token, FROM),
    languages: ['en'],
    timezone: 'Asia/Yerevan',
  };
}

function settings(extra: Partial<Settings>): Settings {
  return { smtpUrl: smtp.url(), from: FROM, subject: DEFAULT_SUBJECT, folders: [], ...extra };
}

async function sendOne(s: Settings, to: string): Promise<Buffer> {
  const channel = new EmailChannel({ settings: s, network: '24/7 Test Network' });
  try {
    const out = await channel.send(ping(to));
    expect(out.ok, JSON.stringify(out)).toBe(true);
  } finally {
    await channel.close();
  }
  const d = smtp.received.find((r) => r.to.includes(to));
  if (!d) throw new Error(`nothing arrived for ${to}`);
  return d.raw;
}

function dns(): TableResolver {
  return new TableResolver().txt('rc2024._domainkey.rollcall.example', dkimRecord(key)).txt('_dmarc.rollcall.example', 'v=DMARC1; p=reject');
}

describe('signed pings', () => {
  it('arrive with a DKIM signature of the secretariat’s domain that verifies (DMARC pass)', async () => {
    const raw = await sendOne(settings({ dkim: { selector: 'rc2024' }, dkimPrivateKeyFile: keyFile }), 'poc@police.am.example');
    expect(raw.toString('latin1')).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256;[^]*? d=rollcall\.example;[^]*? s=rc2024;/m);
    const v = await verifyMessage(raw, { resolver: dns().resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('pass');
    expect(v.checks.dkim).toEqual([expect.objectContaining({ domain: 'rollcall.example', selector: 'rc2024', result: 'pass', aligned: true })]);
    expect(v.checks.dmarc?.result).toBe('pass');
  });

  it('sign for the configured domain when it differs from the From domain', async () => {
    const raw = await sendOne(settings({ dkim: { selector: 'rc2024', domain: 'mail.rollcall.example' }, dkimPrivateKeyFile: keyFile }), 'duty@police.ge.example');
    const r = new TableResolver().txt('rc2024._domainkey.mail.rollcall.example', dkimRecord(key)).txt('_dmarc.rollcall.example', 'v=DMARC1; p=reject');
    const v = await verifyMessage(raw, { resolver: r.resolve });
    // mail.rollcall.example belongs to rollcall.example: relaxed alignment holds.
    expect(v.verdict, v.reasons.join('\n')).toBe('pass');
    expect(v.checks.dkim[0]).toMatchObject({ domain: 'mail.rollcall.example', aligned: true });
  });

  it('go out unsigned without a key file, and then fail the domain’s own p=reject policy', async () => {
    const raw = await sendOne(settings({ dkim: { selector: 'rc2024' } }), 'ncu@police.az.example');
    expect(raw.toString('latin1')).not.toMatch(/^DKIM-Signature:/m);
    const v = await verifyMessage(raw, { resolver: dns().resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
  });
});

describe('the signing key', () => {
  it('gives the public half to publish, and the domain of ROLLCALL_FROM by default', () => {
    const d = dkimSigning(settings({ dkim: { selector: 'rc2024' }, dkimPrivateKeyFile: keyFile }));
    expect(d).toMatchObject({ domainName: 'rollcall.example', keySelector: 'rc2024', publicKey: key.publicKey });
    expect(dkimSigning(settings({ dkim: { selector: 'rc2024' } }))).toBeUndefined();
  });

  it('is refused when unusable, naming the file and never showing its contents', () => {
    const secretLine = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC-not-really';
    const garbage = join(tmp, 'garbage.pem');
    writeFileSync(garbage, `-----BEGIN PRIVATE KEY-----\n${secretLine}\n-----END PRIVATE KEY-----\n`);
    const ec = join(tmp, 'ec.pem');
    const ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    writeFileSync(ec, ecPem);
    const short = join(tmp, 'short.pem');
    writeFileSync(short, generateKeyPairSync('rsa', { modulusLength: 512 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const cases: Array<[Partial<Settings>, RegExp]> = [
      [{ dkimPrivateKeyFile: keyFile }, /no DKIM selector is: add `dkim: \{ selector: <selector>, domain: <domain> \}` to rollcall\.config\.yaml/],
      [{ dkim: { selector: 's' }, dkimPrivateKeyFile: join(tmp, 'missing.pem') }, /cannot read .*missing\.pem \(ENOENT\)/],
      [{ dkim: { selector: 's' }, dkimPrivateKeyFile: garbage }, /garbage\.pem is not a PEM private key$/],
      [{ dkim: { selector: 's' }, dkimPrivateKeyFile: ec }, /ec\.pem holds an ec key; pings are signed with RSA keys only/],
      [{ dkim: { selector: 's' }, dkimPrivateKeyFile: short }, /holds a 512-bit key/],
    ];
    for (const [extra, message] of cases) {
      let err: unknown;
      try {
        dkimSigning(settings(extra));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SettingsError);
      const text = (err as Error).message;
      expect(text).toMatch(message);
      expect(text).not.toContain(secretLine);
      expect(text).not.toContain('PRIVATE KEY');
    }
  });

  it('stops the channel at open() when the key cannot be used, before anything is sent', async () => {
    const before = smtp.received.length;
    const channel = new EmailChannel({ settings: settings({ dkim: { selector: 's' }, dkimPrivateKeyFile: join(tmp, 'missing.pem'), imapUrl: 'imap://u:p@127.0.0.1:9/INBOX' }) });
    await expect(channel.open()).rejects.toBeInstanceOf(SettingsError);
    await channel.close();
    expect(smtp.received.length).toBe(before);
  });
});
