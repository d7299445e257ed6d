// `rollcall check --channels sms,voice --public-url ... --to <own number>` the day before a test,
// against the loopback Twilio: our number is one of the account's, the public URL reaches the
// webhook server, and one SMS and one call to the secretariat's own phone come back answered, timed.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { binPath, repoRoot, rollcall } from '../support/cli.js';
import { freePort } from '../servers/dovecot.js';
import { startFakeTwilio, type FakeOwnNumber, type FakeTwilio } from '../servers/twilio.js';

/** The secretariat's own mobile (fictional). */
const OWN = '+33 6 12 34 56 99';
const DIRECTORY = join(repoRoot, 'fixtures', 'directory.yaml');

let fake: FakeTwilio | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function check(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [binPath, 'check', '--directory', DIRECTORY, '--channels', 'sms,voice', ...args], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ROLLCALL_SMTP_URL: '', ROLLCALL_IMAP_URL: '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

interface Trip {
  channel: string;
  ok: boolean;
  sentAt?: string;
  answeredAt?: string;
  seconds?: number;
  answer?: string;
  detail?: string;
}

async function twilio(ownNumbers?: (from: string, publicUrl: string) => FakeOwnNumber[], publicUrl = ''): Promise<FakeTwilio> {
  const from = '+12025550100';
  return startFakeTwilio({ from, ...(ownNumbers ? { ownNumbers: ownNumbers(from, publicUrl) } : {}) });
}

describe('rollcall check for SMS and voice', () => {
  it('with --to: checks the number and the public URL, then times an SMS answered and a call answered with a key', async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    // The number's messaging webhook points at the public URL, as the README says to set it.
    fake = await twilio((from, url) => [{ phoneNumber: from, sms: true, voice: true, smsUrl: `${url}/sms/incoming` }], publicUrl);
    // The secretariat answers: a reply two seconds after the SMS, 1 pressed two seconds into the call.
    fake.script(OWN, { reply: { afterSeconds: 2, body: 'OK {token}' }, calls: ['press'], pressAfterSeconds: 2 });
    const r = await check(['--public-url', publicUrl, '--webhook-port', String(port), '--to', OWN, '--timeout', '30s', '--json'], fake.env());
    expect(r.code, r.err + r.out).toBe(0);
    const report = JSON.parse(r.out) as { ok: boolean; phone: { number: unknown; publicUrl: { ok: boolean; ms: number }; roundTrips: Trip[] } };
    expect(report.ok).toBe(true);
    expect(report.phone.number).toEqual({ ok: true, number: fake.from, sms: true, voice: true });
    expect(report.phone.publicUrl).toMatchObject({ ok: true, publicUrl });
    const [sms, call] = report.phone.roundTrips;
    expect(sms).toMatchObject({ channel: 'sms', ok: true, answer: 'a reply by SMS' });
    // Twilio's received time (whole seconds) − the send time: about the two seconds scripted.
    expect(sms!.seconds).toBeGreaterThan(0.5);
    expect(sms!.seconds).toBeLessThanOrEqual(2.5);
    expect(call).toMatchObject({ channel: 'voice', ok: true, answer: 'key 1 pressed during the test call' });
    expect(call!.seconds).toBeGreaterThanOrEqual(1.5);
    expect(call!.seconds).toBeLessThan(10);
    // Exactly one SMS and one call, both to our own phone; the IncomingPhoneNumbers list was read.
    const own = OWN.replace(/\s/g, '');
    expect(fake.requestsTo('POST', '/Messages.json').map((q) => q.form.To)).toEqual([own]);
    expect(fake.requestsTo('POST', '/Calls.json').map((q) => q.form.To)).toEqual([own]);
    expect(fake.requestsTo('GET', '/IncomingPhoneNumbers.json')[0]!.query.PhoneNumber).toBe(fake.from);
    // Both answers came through the webhooks: the incoming SMS and the key press.
    expect(fake.webhooks.filter((w) => /\/(sms\/incoming|voice\/gather)/.test(w.url)).map((w) => w.status)).toEqual([200, 200]);
    expect(r.out + r.err).not.toContain(fake.authToken);

    // The same, for a person: plain lines.
    fake.requests.length = 0;
    const plain = await check(['--public-url', publicUrl, '--webhook-port', String(port), '--to', OWN, '--timeout', '30s'], fake.env());
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).toContain(`ok     ${fake.from} is a number of the account (IncomingPhoneNumbers), with SMS and voice`);
    expect(plain.out).toMatch(new RegExp(`ok     ${publicUrl.replace(/[.]/g, '\\.')} reaches the webhook server \\(a signed request to itself through it, \\d+ ms\\)`));
    expect(plain.out).toMatch(/ok {5}SMS {2}sent \S+, answered \S+ \(a reply by SMS; − send time: [\d.]+ s\); seen by rollcall [\d.]+ s after it was sent\./);
    expect(plain.out).toMatch(/ok {5}call sent \S+, answered \S+ \(key 1 pressed during the test call; − send time: [\d.]+ s\)/);
    expect(plain.out).toContain('All good: nothing was sent to any contact point.');
  }, 90_000);

  it('fails, exit 2, when ROLLCALL_TWILIO_FROM is not a number of the account, and sends nothing', async () => {
    fake = await twilio(() => [{ phoneNumber: '+12025550177', sms: true, voice: true }]);
    const r = await check(['--to', OWN, '--json'], fake.env());
    expect(r.code).toBe(2);
    const report = JSON.parse(r.out) as { phone: { number: { ok: boolean; detail: string }; roundTrips?: unknown } };
    expect(report.phone.number.ok).toBe(false);
    expect(report.phone.number.detail).toBe(`ROLLCALL_TWILIO_FROM ${fake.from} is not a number of this Twilio account (not in its IncomingPhoneNumbers): Twilio would refuse every ping from it`);
    expect(report.phone.roundTrips).toBeUndefined();
    expect(fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
  }, 60_000);

  it('fails, exit 1, when the public URL does not reach the webhook server, and places no call', async () => {
    fake = await twilio();
    const [dead, port] = [await freePort(), await freePort()];
    const r = await check(['--public-url', `http://127.0.0.1:${dead}`, '--webhook-port', String(port), '--to', OWN, '--json'], fake.env());
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as { phone: { number: { ok: boolean }; publicUrl: { ok: boolean; detail: string } } };
    expect(report.phone.number.ok).toBe(true);
    expect(report.phone.publicUrl.ok).toBe(false);
    expect(report.phone.publicUrl.detail).toContain(`does not reach rollcall's webhook server on 127.0.0.1:${port} (a signed test request to http://127.0.0.1:${dead}/self-check: ECONNREFUSED)`);
    expect(fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
  }, 60_000);

  it('refuses --to that is not a phone number, or without a phone channel', () => {
    const bad = rollcall(['check', '--directory', DIRECTORY, '--channels', 'sms', '--to', '12345']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--to: "12345" is not a phone number in international form');
    const mail = rollcall(['check', '--directory', DIRECTORY, '--to', OWN]);
    expect(mail.status).toBe(2);
    expect(mail.stderr).toContain('--to is for the phone channels: add --channels sms,voice');
  });
});
