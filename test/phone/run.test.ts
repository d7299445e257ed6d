// A whole run over e-mail, SMS and voice together, as the real CLI runs it, against the loopback
// servers: Dovecot (IMAP, LMTP) and an SMTP server for mail, the fake Twilio for SMS and calls.
// One country answers by e-mail, one by SMS, one by a key press on the test call (a webhook the
// fake signs like Twilio), one only with an out-of-office auto-reply (and a call answered without
// a key press), one has an SMS number Twilio refuses, one a voice number that is busy, one is
// silent. The statistics of the run folder must say so; forged webhooks are refused meanwhile.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDirectory } from '../../src/directory/load.js';
import type { DeliveryStatusEvent, MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import type { Stats } from '../../src/stats/types.js';
import { binPath, repoRoot, rollcall } from '../support/cli.js';
import { freePort, startDovecot, type Dovecot } from '../servers/dovecot.js';
import { startSmtp, type SmtpDelivery, type SmtpHarness } from '../servers/smtp.js';
import { startFakeTwilio, twilioSignature, type FakeTwilio, type NumberScript } from '../servers/twilio.js';
import { tempDir } from '../run/support.js';
import { logLines, ofType, until } from '../support/run-log.js';

const SMTP_AUTH = { user: 'rollcall-sender', pass: 'Sm7p-pa55word' };
const SECRETARIAT = 'secretariat@rollcall.test';
const WINDOW_SECONDS = 15;

type MailBehaviour = { reply: 'quote' | 'auto-reply'; afterMs: number } | undefined;

interface Country {
  iso: string;
  name: string;
  email: string;
  phones: string[];
  sms: string[];
  languages: string[];
  timezone: string;
  mail: MailBehaviour;
  phone?: NumberScript;
}

/** Fictional numbers valid for their country (as in fixtures/directory.yaml), reserved domains. */
const COUNTRIES: Country[] = [
  // Answers by e-mail; its SMS is delivered and never answered.
  { iso: 'FR', name: 'France', email: 'poc@police.fr.example', phones: [], sms: ['+33 6 12 34 56 11'], languages: ['fr', 'en'], timezone: 'Europe/Paris', mail: { reply: 'quote', afterMs: 1000 } },
  // Answers by SMS (two seconds after the ping, by Twilio's clock); silent by e-mail.
  { iso: 'DE', name: 'Germany', email: 'cyber@bka.de.example', phones: [], sms: ['+49 1512 3456711'], languages: ['de', 'en'], timezone: 'Europe/Berlin', mail: undefined, phone: { reply: { afterSeconds: 2, body: 'OK {token}' } } },
  // Answers the call and presses 1; its SMS is delivered, never answered.
  { iso: 'ES', name: 'Spain', email: 'ncu@policia.es.example', phones: ['+34 612 34 56 10'], sms: ['+34 612 34 56 11'], languages: ['es', 'en'], timezone: 'Europe/Madrid', mail: undefined, phone: { calls: ['press'], pressAfterSeconds: 2 } },
  // Only an out-of-office auto-reply, and a call answered without any key pressed.
  { iso: 'IT', name: 'Italy', email: 'duty@polizia.it.example', phones: ['+39 312 345 6710'], sms: [], languages: ['it', 'en'], timezone: 'Europe/Rome', mail: { reply: 'auto-reply', afterMs: 0 }, phone: { calls: ['answer'] } },
  // Answers by e-mail; Twilio refuses its SMS number (21211).
  { iso: 'PT', name: 'Portugal', email: 'pj@pj.pt.example', phones: [], sms: ['+351 912 345 611'], languages: ['pt', 'en'], timezone: 'Europe/Lisbon', mail: { reply: 'quote', afterMs: 2000 }, phone: { refuse: 'invalid' } },
  // Its voice number is busy; silent by e-mail.
  { iso: 'AT', name: 'Austria', email: 'nobody@bmi.at.example', phones: ['+43 664 123410'], sms: [], languages: ['de', 'en'], timezone: 'Europe/Vienna', mail: undefined, phone: { calls: ['busy'] } },
  // Silent.
  { iso: 'NL', name: 'Netherlands', email: 'silent@politie.nl.example', phones: [], sms: [], languages: ['nl', 'en'], timezone: 'Europe/Amsterdam', mail: undefined },
];

function directoryYaml(): string {
  const list = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(', ')}]`;
  const lines = ['network: 24/7 Test Network', 'updated: 2024-06-01', 'parties:'];
  for (const c of COUNTRIES) {
    lines.push(
      `  - country: ${c.name}`,
      `    iso: ${c.iso}`,
      '    status: party',
      '    contacts:',
      `      - id: ${c.iso}-POL`,
      '        unit: Cybercrime Unit',
      '        kind: police',
      `        emails: [${c.email}]`,
      `        phones: ${list(c.phones)}`,
      `        sms: ${list(c.sms)}`,
      `        timezone: ${c.timezone}`,
      `        languages: ${list(c.languages)}`,
    );
  }
  return lines.join('\n') + '\n';
}

/** Contact points that answer the e-mail pings by SMTP: a quoted reply, or an RFC 3834 auto-reply. */
class MailResponders {
  private readonly handled = new Set<SmtpDelivery>();
  private readonly timer: NodeJS.Timeout;
  private readonly transport: Transporter;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(private readonly server: SmtpHarness) {
    this.transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.port, auth: SMTP_AUTH, secure: false, ignoreTLS: true });
    this.timer = setInterval(() => this.look(), 50);
  }

  private look(): void {
    for (const d of this.server.received) {
      if (this.handled.has(d)) continue;
      this.handled.add(d);
      const c = COUNTRIES.find((x) => d.to.includes(x.email));
      const behaviour = c?.mail;
      if (!c || !behaviour || d.from !== SECRETARIAT) continue;
      const raw = d.raw.toString('utf8');
      const subject = /^Subject: (.*)$/im.exec(raw)?.[1] ?? '';
      const mid = d.messageId ?? '';
      const mail =
        behaviour.reply === 'quote'
          ? { subject: `Re: ${subject}`, inReplyTo: mid, references: [mid], text: 'Received, the 24/7 point of contact is available.' }
          : { subject: `Automatic reply: ${subject}`, inReplyTo: mid, headers: { 'Auto-Submitted': 'auto-replied' }, text: 'I am out of the office until Monday.' };
      const p = new Promise((r) => setTimeout(r, behaviour.afterMs))
        .then(() => this.transport.sendMail({ from: c.email, to: SECRETARIAT, ...mail }))
        .catch(() => undefined);
      this.pending.add(p);
      void p.finally(() => this.pending.delete(p));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.pending]);
    this.transport.close();
  }
}

const tmp = tempDir('rollcall-phone-run-');
let dovecot: Dovecot | undefined;
let smtp: SmtpHarness | undefined;
let fake: FakeTwilio | undefined;
let responders: MailResponders | undefined;
let unavailable: string | undefined;
let directoryFile = '';

beforeAll(async () => {
  fake = await startFakeTwilio();
  try {
    dovecot = await startDovecot({ users: [SECRETARIAT, ...COUNTRIES.map((c) => c.email)] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING the e-mail, SMS and voice run: ${unavailable}`);
    return;
  }
  smtp = await startSmtp({ lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort }, auth: SMTP_AUTH });
  responders = new MailResponders(smtp);
  directoryFile = join(tmp.path, 'directory.yaml');
  writeFileSync(directoryFile, directoryYaml());
  // The numbers as the directory normalises them (E.164), scripted per contact point.
  const directory = await readDirectory(directoryFile);
  fake.scriptContactPoints(directory, (_contact, party) => COUNTRIES.find((c) => c.iso === party.iso)?.phone);
}, 60_000);

afterAll(async () => {
  await responders?.stop();
  await fake?.close();
  await smtp?.stop();
  await dovecot?.stop();
  tmp.remove();
}, 30_000);


describe('a run over e-mail, SMS and voice against the loopback servers', () => {
  it('counts each answer on its channel, reports the numbers that do not work, and refuses forged webhooks', async (ctx) => {
    if (unavailable) return ctx.skip();
    const runsDir = join(tmp.path, 'runs');
    const webhookPort = await freePort();
    const publicUrl = `http://127.0.0.1:${webhookPort}`;
    const env = {
      ...fake!.env(),
      ROLLCALL_SMTP_URL: smtp!.url(SMTP_AUTH),
      ROLLCALL_IMAP_URL: dovecot!.imapUrl(SECRETARIAT),
      ROLLCALL_FROM: `24/7 Network Secretariat <${SECRETARIAT}>`,
      // Three calls an hour apart: within the window only the first is made.
      ROLLCALL_VOICE_ATTEMPTS: '3',
      ROLLCALL_VOICE_RETRY_INTERVAL: '1h',
      NO_COLOR: '1',
    };
    const args = ['run', '--directory', directoryFile, '--channels', 'email,sms,voice', '--window', `${WINDOW_SECONDS}s`, '--buckets', '5s,10s,15s'];
    args.push('--runs-dir', runsDir, '--public-url', publicUrl, '--webhook-port', String(webhookPort), '--yes', '--json');
    const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const runDir = () => (existsSync(runsDir) ? readdirSync(runsDir).map((id) => join(runsDir, id))[0] : undefined);

    let forged: number[] = [];
    try {
      // Once the calls are placed, while the run watches: forged key presses for Spain's call.
      const listening = `Webhooks listening on http://127.0.0.1:${webhookPort} (port ${webhookPort}): ${publicUrl} must forward there`;
      const callPlaced = () => ofType(logLines(runDir()), 'ping-sent').some((e) => e.pingId === 'ES-POL/voice/1');
      await until(() => (callPlaced() && stderr.includes(listening)) || child.exitCode !== null, 30_000, 'the call to Spain', 20);
      expect(stderr).toContain(listening);
      const path = `/voice/gather?ping=${encodeURIComponent('ES-POL/voice/1')}`;
      const params = { CallSid: 'CAforged00000000000000000000000000', Digits: '1', From: fake!.from, To: '+34612345610', AccountSid: fake!.accountSid };
      const post = (headers: Record<string, string>) =>
        fetch(publicUrl + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(params).toString() }).then((r) => r.status);
      forged = [
        await post({}), // no signature
        await post({ 'x-twilio-signature': twilioSignature('not-the-auth-token', publicUrl + path, params) }), // signed with another key
        await post({ 'x-twilio-signature': twilioSignature(fake!.authToken, publicUrl + path, { ...params, Digits: '2' }) }), // params changed after signing
      ];
    } finally {
      const code = await exit;
      expect(code, stderr).toBe(0);
    }
    expect(forged).toEqual([403, 403, 403]);
    await fake!.settle();

    const dir = runDir()!;
    const events = logLines(dir);
    // --json: stdout carries the events as JSON lines and nothing else.
    expect(stdout.trim().split('\n').map((l) => (JSON.parse(l) as RunEvent).type)).toEqual(events.map((e) => e.type));
    expect(ofType(events, 'run-ended')).toHaveLength(1);
    // The webhook server refused them and nothing of them was recorded.
    expect(stderr.match(/webhook refused \((missing|invalid) X-Twilio-Signature\): POST \/voice\/gather/g)).toHaveLength(3);
    expect(events.some((e) => JSON.stringify(e).includes('CAforged'))).toBe(false);
    // The real key press came through the signed webhook and was answered with TwiML.
    const gather = fake!.webhooks.filter((w) => w.url.includes('/voice/gather'));
    expect(gather.map((w) => w.status)).toEqual([200]);

    const r = rollcall(['stats', dir, '--json'], { env });
    expect(r.status, r.stderr).toBe(0);
    const stats = JSON.parse(r.stdout) as Stats;
    const country = (iso: string) => stats.countries.find((c) => c.iso === iso)!;

    // Each country answered on its channel.
    expect(stats.population).toBe(COUNTRIES.length);
    expect(stats.byChannel).toEqual({ email: 2, sms: 1, voice: 1 });
    expect(country('FR')).toMatchObject({ outcome: 'answered', channel: 'email' });
    expect(country('PT')).toMatchObject({ outcome: 'answered', channel: 'email' });
    expect(country('DE')).toMatchObject({ outcome: 'answered', channel: 'sms' });
    expect(country('ES')).toMatchObject({ outcome: 'answered', channel: 'voice' });
    // Only an auto-reply and a call picked up without a key press: not an acknowledgement.
    expect(country('IT')).toMatchObject({ outcome: 'automatic-only', responseSeconds: null });
    expect(stats.automaticOnly.map((c) => c.iso)).toEqual(['IT']);
    expect(stats.silent.map((c) => c.iso).sort()).toEqual(['AT', 'NL']);

    // The SMS answer is timed by Twilio's received timestamp (two seconds after the ping, in
    // whole seconds), not by when the run found it (at the last scan, after the window).
    const deSent = ofType(events, 'ping-sent').find((e) => e.pingId === 'DE-POL/sms/1')!;
    const deReply = ofType(events, 'message-received').find((e) => e.pingId === 'DE-POL/sms/1' && e.class === 'reply')!;
    expect(deReply.receivedAt).toBe(country('DE').answeredAt);
    expect(country('DE').responseSeconds).toBeGreaterThan(0.5);
    expect(country('DE').responseSeconds).toBeLessThanOrEqual(2);
    expect(Date.parse(deReply.at) - Date.parse(deSent.sentAt)).toBeGreaterThan(5000);
    // The key press time is the voice answer's time: after the call was placed, within the window.
    const esKey = ofType(events, 'message-received').find((e) => e.channel === 'voice' && e.class === 'reply')!;
    expect(esKey).toMatchObject({ pingId: 'ES-POL/voice/1', from: '+34612345610' });
    // The fake presses 2 s after it created the call, a moment before our side got the API's 2xx
    // (the send time): the response time is just under or over 2 s, never near 0.
    expect(country('ES').responseSeconds).toBeGreaterThanOrEqual(1.5);
    expect(country('ES').responseSeconds).toBeLessThan(WINDOW_SECONDS);

    // Buckets: cumulative, inclusive, consistent with the response times; all four by 15 s.
    expect(stats.buckets.map((b) => b.threshold)).toEqual(['5s', '10s', '15s']);
    const answered = stats.countries.filter((c) => c.outcome === 'answered');
    expect(answered.map((c) => c.iso).sort()).toEqual(['DE', 'ES', 'FR', 'PT']);
    for (const b of stats.buckets) {
      const within = answered.filter((c) => c.responseSeconds! <= b.thresholdSeconds);
      expect(b.responded, b.threshold).toBe(within.length);
      expect(b.share, b.threshold).toBe(Math.round((within.length / COUNTRIES.length) * 10_000) / 100);
    }
    expect(stats.buckets[2]!.responded).toBe(4);
    expect(stats.buckets[2]!.share).toBe(57.14);

    // Findings: the SMS number Twilio refused, the busy voice number; nothing for numbers that work.
    const findings = stats.findings.map((f) => ({ iso: f.iso, channel: f.channel, address: f.address, status: f.status }));
    expect(findings).toEqual([
      { iso: 'AT', channel: 'voice', address: '+43664123410', status: 'busy' },
      { iso: 'PT', channel: 'sms', address: '+351912345611', status: 'failed' },
    ]);
    expect(stats.findings.find((f) => f.iso === 'PT')!.detail).toContain('21211');
    expect(stats.findings.find((f) => f.iso === 'AT')!.detail).toBe('busy, 1 call; the test ended before the next call');

    // The voice settings reached the channel: busy was call 1 of 3, the next due an hour later,
    // and the window's end made that first call the last.
    const at = ofType(events, 'delivery-status').filter((e) => e.pingId === 'AT-POL/voice/1');
    expect(at.map((e) => [e.status, e.final])).toEqual([
      ['busy', false],
      ['busy', true],
    ]);
    const redialAt = /calling again at (\S+)$/.exec(at[0]!.detail ?? '')?.[1];
    expect(at[0]!.detail).toContain('call 1 of 3');
    expect(Date.parse(redialAt!) - Date.parse(at[0]!.at)).toBeGreaterThanOrEqual(3_600_000 - 1000);
    expect(Date.parse(redialAt!) - Date.parse(at[0]!.at)).toBeLessThanOrEqual(3_600_000 + 1000);
    expect(at[1]!.detail).toMatch(/call 1 of 3; the window closed before the next call/);
    expect(fake!.calls.filter((c) => c.to === '+43664123410')).toHaveLength(1);

    // Italy's call: answered (a person, by machine detection), no key pressed, recorded as such.
    const itCall = ofType(events, 'delivery-status').filter((e): e is DeliveryStatusEvent => e.pingId === 'IT-POL/voice/1');
    expect(itCall.map((e) => [e.status, e.final, e.detail])).toEqual([['completed', true, 'answered; no key pressed']]);
    const itMessages = ofType(events, 'message-received').filter((e): e is MessageReceivedEvent => e.pingId?.startsWith('IT-POL/') ?? false);
    expect(itMessages.map((m) => [m.channel, m.class])).toEqual([['email', 'automatic']]);
    // SMS that reached their numbers are recorded as delivered.
    const smsFinal = ofType(events, 'delivery-status').filter((e) => e.channel === 'sms' && e.final);
    expect(smsFinal.map((e) => [e.pingId, e.status]).sort()).toEqual([
      ['DE-POL/sms/1', 'delivered'],
      ['ES-POL/sms/1', 'delivered'],
      ['FR-POL/sms/1', 'delivered'],
    ]);
    // No secret in the run folder.
    const folderText = readFileSync(join(dir, 'events.jsonl'), 'utf8') + readFileSync(join(dir, 'run.json'), 'utf8');
    expect(folderText).not.toContain(fake!.authToken);
    expect(folderText).not.toContain(SMTP_AUTH.pass);
    expect(stdout + stderr).not.toContain(fake!.authToken);
  }, 120_000);
});

describe('--webhook-port', () => {
  it('is refused when it is not a port, or without --public-url, before anything is created', () => {
    const runsDir = join(tmp.path, 'bad-port-runs');
    const env = { ...fake!.env(), NO_COLOR: '1' };
    const base = ['run', '--directory', join(repoRoot, 'fixtures/directory.yaml'), '--channels', 'sms', '--runs-dir', runsDir, '--yes'];
    const notAPort = rollcall([...base, '--public-url', 'https://hooks.rollcall.example', '--webhook-port', '70000'], { env });
    expect(notAPort.status).toBe(2);
    expect(notAPort.stderr).toContain('--webhook-port: "70000" is not a port number');
    const noUrl = rollcall([...base, '--webhook-port', '8443'], { env });
    expect(noUrl.status).toBe(2);
    expect(noUrl.stderr).toContain('--webhook-port: the webhook server runs only with --public-url');
    expect(noUrl.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(existsSync(runsDir)).toBe(false);
    const resume = rollcall(['resume', join(tmp.path, 'no-such-run'), '--webhook-port', 'http'], { env });
    expect(resume.status).toBe(2);
    expect(resume.stderr).toContain('--webhook-port: the webhook server runs only with --public-url');
    const resumePort = rollcall(['resume', join(tmp.path, 'no-such-run'), '--public-url', 'https://hooks.rollcall.example', '--webhook-port', 'http'], { env });
    expect(resumePort.status).toBe(2);
    expect(resumePort.stderr).toContain('--webhook-port: "http" is not a port number');
  });

  it('names the port when it is taken, exits 2 and sends nothing', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const port = (taken.address() as AddressInfo).port;
    try {
      const dir = join(tmp.path, 'taken');
      mkdirSync(dir, { recursive: true });
      const directory = join(dir, 'directory.yaml');
      writeFileSync(directory, directoryYaml());
      const before = fake!.requests.filter((r) => r.method === 'POST').length;
      // Spawned without blocking: the fake Twilio lives in this process.
      const child = spawn(process.execPath, [binPath, 'run', '--directory', directory, '--channels', 'sms', '--window', '5s', '--runs-dir', join(dir, 'runs'), '--public-url', `http://127.0.0.1:${port}`, '--webhook-port', String(port), '--yes'], {
        cwd: repoRoot,
        env: { ...process.env, ...fake!.env(), NO_COLOR: '1' },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      expect(code, stderr).toBe(2);
      expect(stderr).toContain(`--webhook-port ${port}: cannot listen on 127.0.0.1:${port} (the port is taken); choose another port`);
      expect(stderr).not.toContain('this is a bug');
      expect(fake!.requests.filter((r) => r.method === 'POST').length).toBe(before);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  }, 60_000);
});
