// Measurement truth in a real secretariat's inbox (issue 10), against real servers on 127.0.0.1:
// Dovecot (IMAP, LMTP) and an SMTP server that delivers into it and bounces unknown mailboxes.
// Two runs on one mailbox, the answer to the first arriving during the second; a bounce and an
// auto-reply in one country, a bounce alone in another; confidential mail before and during the
// run; a `check` ping from before the start; then `status`, `inspect --run`, `stats`, `report`
// and `mark --at` on the finished run, as a user would.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels } from '../../src/channels/factory.js';
import { EmailChannel } from '../../src/channels/email.js';
import { EventLog } from '../../src/core/event-log.js';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import { RunFolder } from '../../src/core/run-folder.js';
import { directoryAddresses } from '../../src/run/engine.js';
import { Recorder } from '../../src/run/recorder.js';
import { systemClock } from '../../src/core/clock.js';
import type { MessageReceivedEvent, PingStartedEvent, RunEvent } from '../../src/core/events.js';
import { readDirectory } from '../../src/directory/load.js';
import { createRun, directorySnapshot } from '../../src/run/plan.js';
import { runSession, type SessionResult } from '../../src/run/session.js';
import { DEFAULT_SUBJECT, type Settings } from '../../src/settings.js';
import type { Stats } from '../../src/stats/types.js';
import { startDovecot, type Dovecot } from '../servers/dovecot.js';
import { startSmtp, type SmtpHarness } from '../servers/smtp.js';
import { binPath, repoRoot, rollcall } from '../support/cli.js';
import { logLines, ofType, until } from '../support/run-log.js';
import { eventsOf, tempDir } from './support.js';

const SMTP_AUTH = { user: 'rollcall-sender', pass: 'Tr-uth-pa55word' };
const SECRETARIAT = 'secretariat@rollcall.test';
const SECOND_INBOX = 'desk@rollcall.test';
/** Addresses Dovecot knows; the others bounce (LMTP 550 → an RFC 3464 bounce). */
const MAILBOXES = ['poc@police.fr.test', 'poc3@police.al.test', 'duty@prosecution.bg.test', 'silent@politie.nl.test'];
const CONFIDENTIAL = ['Confidential: MLA request follow-up', 'liaison@ministry.test', 'prosecutor@justice.test', 'case 2024/117', 'case 2024/118', 'case 2024/119', 'case-2024-119'];

/** The mail system's bounce of the secretariat's own case mail to a pinged address (not of the ping). */
function caseMailBounce(to: string): string {
  const b = 'bnd-case-2024-119';
  return [
    'From: MAILER-DAEMON@mx.rollcall.test (Mail Delivery System)',
    `To: ${SECRETARIAT}`,
    'Subject: Undelivered Mail Returned to Sender',
    'Auto-Submitted: auto-replied',
    'Message-ID: <bounce-case-2024-119@mx.rollcall.test>',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `<${to}>: 552 5.2.2 Mailbox full`,
    `--${b}`,
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.rollcall.test',
    '',
    `Final-Recipient: rfc822; ${to}`,
    'Action: failed',
    'Status: 5.2.2',
    `Diagnostic-Code: smtp; 552 5.2.2 <${to}>: Mailbox full`,
    `--${b}`,
    'Content-Type: text/rfc822-headers',
    '',
    `From: ${SECRETARIAT}`,
    `To: ${to}`,
    'Subject: Preservation request, case 2024/119',
    'Message-ID: <case-2024-119@rollcall.test>',
    `--${b}--`,
    '',
  ].join('\r\n');
}

const DIRECTORY = `network: 24/7 Test Network
updated: 2024-06-01
parties:
  - { country: France, iso: FR, status: party, contacts: [{ id: FR-POL, unit: Police, kind: police, emails: [poc@police.fr.test], timezone: Europe/Paris }] }
  - { country: Albania, iso: AL, status: party, contacts: [{ id: AL-POL, unit: Police, kind: police, emails: [poc3@police.al.test], timezone: Europe/Tirane }] }
  - country: Bulgaria
    iso: BG
    status: party
    contacts:
      - { id: BG-POL, unit: Police, kind: police, emails: [nobody@police.bg.test], timezone: Europe/Sofia }
      - { id: BG-PRO, unit: Prosecution, kind: prosecution, emails: [duty@prosecution.bg.test], timezone: Europe/Sofia }
  - { country: Ghana, iso: GH, status: party, contacts: [{ id: GH-POL, unit: Police, kind: police, emails: [gone@police.gh.test], timezone: Africa/Accra }] }
  - { country: Netherlands, iso: NL, status: party, contacts: [{ id: NL-POL, unit: Police, kind: police, emails: [silent@politie.nl.test], timezone: Europe/Amsterdam }] }
`;

const tmp = tempDir('rollcall-truth-');
let dovecot: Dovecot | undefined;
let smtp: SmtpHarness | undefined;
let transport: Transporter | undefined;
let unavailable: string | undefined;
const directoryFile = join(tmp.path, 'directory.yaml');
const runsDir = join(tmp.path, 'runs');

beforeAll(async () => {
  try {
    dovecot = await startDovecot({ users: [SECRETARIAT, SECOND_INBOX, ...MAILBOXES] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING measurement truth against real servers: ${unavailable}`);
    return;
  }
  smtp = await startSmtp({ lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort }, auth: SMTP_AUTH });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, auth: SMTP_AUTH, secure: false, ignoreTLS: true });
  writeFileSync(directoryFile, DIRECTORY);
}, 60_000);

afterAll(async () => {
  transport?.close();
  await smtp?.stop();
  await dovecot?.stop();
  tmp.remove();
}, 30_000);

function env(): Record<string, string> {
  return { ROLLCALL_SMTP_URL: smtp!.url(SMTP_AUTH), ROLLCALL_IMAP_URL: dovecot!.imapUrl(SECRETARIAT), ROLLCALL_FROM: `24/7 Network Secretariat <${SECRETARIAT}>` };
}

function settings(): Settings {
  const e = env();
  return { smtpUrl: e.ROLLCALL_SMTP_URL, imapUrl: e.ROLLCALL_IMAP_URL, from: e.ROLLCALL_FROM, subject: DEFAULT_SUBJECT, folders: [] };
}

/** One run of the directory, in this process (the servers live here), to its end. */
async function startRun(windowSeconds: number): Promise<{ runDir: string; done: Promise<SessionResult> }> {
  const directory = await readDirectory(directoryFile);
  const { runDir, plan } = createRun({
    runsDir,
    directory,
    directoryFile,
    schedule: { startAt: new Date(), plan: { kind: 'now', tz: 'UTC' } },
    windowSeconds,
    bucketSeconds: [2, 5, windowSeconds],
    channels: ['email'],
    includeObservers: false,
    folders: ['INBOX'],
    tz: 'UTC',
    now: new Date(),
    random: Math.random,
  });
  const s = settings();
  const channels = await createChannels({ names: ['email'], settings: s, clock: systemClock, network: directory.network, folders: ['INBOX'], since: new Date(Date.now() - 60_000) });
  const done = runSession({ runDir, plan, directory: directorySnapshot(directory, false), channels, clock: systemClock, command: 'test', from: s.from! });
  return { runDir, done };
}

/** Every ping of a run handed over and answered by the server. */
async function allPingsOut(runDir: string): Promise<PingStartedEvent[]> {
  await until(() => {
    const e = logLines(runDir);
    return ofType(e, 'ping-sent').length + ofType(e, 'ping-failed').length >= 6;
  }, 20_000, 'every ping sent');
  return ofType(logLines(runDir), 'ping-started');
}

/** The ping as the SMTP server received it: its Message-ID and subject. */
function delivered(p: PingStartedEvent): { messageId: string; subject: string } {
  const d = smtp!.received.find((r) => r.messageId === p.messageId)!;
  return { messageId: p.messageId!, subject: /^Subject: (.*)$/im.exec(d.raw.toString('utf8'))![1]! };
}

async function runCli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env() } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((r) => child.on('exit', r));
  return { status, stdout, stderr };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const byContact = (pings: PingStartedEvent[], id: string) => pings.find((p) => p.contactId === id)!;
const country = (stats: Stats, iso: string) => stats.countries.find((c) => c.iso === iso);

describe('a real secretariat inbox', () => {
  it('keeps answers to another test, bounces, confidential mail and the check ping out of the figures', async (ctx) => {
    if (unavailable) return ctx.skip();

    // Run A: nobody answers; its bounces land in the inbox while it runs.
    const a = await startRun(3);
    const pingsA = await allPingsOut(a.runDir);
    expect((await a.done).outcome).toBe('ended');
    await smtp!.settled();

    // The day before, as it were: the pre-flight check sends its own ping to the inbox.
    const check = await runCli(['check', '--directory', directoryFile, '--timeout', '20s', '--json']);
    expect(check.status, check.stderr).toBe(0);
    const checkToken = (JSON.parse(check.stdout) as { roundTrip: { token: string } }).roundTrip.token;
    // Confidential case mail, just before the run.
    await dovecot!.append(
      SECRETARIAT,
      ['From: Public Prosecutor <prosecutor@justice.test>', `To: ${SECRETARIAT}`, 'Subject: Confidential: MLA request follow-up', 'Message-ID: <mla-1@justice.test>', '', 'Details of case 2024/117.', ''].join('\r\n'),
      { date: new Date(Date.now() - 20_000) },
    );
    await new Promise((r) => setTimeout(r, 1100)); // the run starts in a later second than all of that

    // Run B, on the same mailbox.
    const b = await startRun(10);
    const pingsB = await allPingsOut(b.runDir);
    const send = (from: string, mail: SendMailOptions) => transport!.sendMail({ from, to: SECRETARIAT, ...mail });
    const frB = delivered(byContact(pingsB, 'FR-POL'));
    const alA = delivered(byContact(pingsA, 'AL-POL'));
    const bgB = delivered(byContact(pingsB, 'BG-PRO'));
    await Promise.all([
      send('poc@police.fr.test', { subject: `Re: ${frB.subject}`, inReplyTo: frB.messageId, references: [frB.messageId], text: 'Received, available.' }),
      // The officer answers run A's message, during run B: never run B's answer.
      send('poc3@police.al.test', { subject: `Re: ${alA.subject}`, inReplyTo: alA.messageId, references: [alA.messageId], text: 'Received, sorry for the delay.' }),
      send('duty@prosecution.bg.test', { subject: `Automatic reply: ${bgB.subject}`, inReplyTo: bgB.messageId, headers: { 'Auto-Submitted': 'auto-replied' }, text: 'I am out of the office.' }),
      send('liaison@ministry.test', { subject: 'Confidential: MLA request follow-up', text: 'Details of case 2024/118.' }),
      // The secretariat's case mail to the Netherlands' address bounced; the ping to it did not.
      dovecot!.append(SECRETARIAT, caseMailBounce('silent@politie.nl.test')),
    ]);
    const result = await b.done;
    expect(result.outcome).toBe('ended');
    // The mail and the case mail's bounce during the run; the mail before it is not the run's at all.
    expect(result.ignored).toBe(2);

    const events: RunEvent[] = await eventsOf(b.runDir);
    const messages = ofType(events, 'message-received');
    // The answer to run A: recorded as such, matched to nothing, with the run that sent its ping.
    const toA = messages.find((m) => m.from.includes('poc3@police.al.test')) as MessageReceivedEvent;
    expect(toA).toMatchObject({ class: 'unrelated', otherTest: { token: alA.subject.match(/RC-[A-Z0-9]{6}/)![0], messageId: alA.messageId, runId: a.runDir.split('/').pop() } });
    expect(toA.pingId).toBeUndefined();
    expect(toA.reasons.join('\n')).toMatch(/answers another test: RC-/);
    // Nothing from before the start: not run A's bounces, not the check ping, not the prosecutor's mail.
    expect(messages.every((m) => Date.parse(m.receivedAt) >= Math.floor(Date.parse(ofType(events, 'run-started')[0]!.at) / 1000) * 1000)).toBe(true);
    expect(messages.some((m) => m.from.includes(SECRETARIAT) || m.subject?.includes(checkToken))).toBe(false);
    expect(messages.filter((m) => m.class === 'bounce').map((m) => m.pingId).sort()).toEqual([byContact(pingsB, 'BG-POL').pingId, byContact(pingsB, 'GH-POL').pingId].sort());

    const stats = result.stats!;
    expect(country(stats, 'FR')?.outcome).toBe('answered');
    expect(country(stats, 'AL')?.outcome).toBe('silent');
    expect(country(stats, 'BG')).toMatchObject({ outcome: 'automatic-only', received: ['auto-reply', 'bounce'] });
    expect(country(stats, 'GH')?.outcome).toBe('unreachable');
    expect(country(stats, 'NL')?.outcome).toBe('silent');
    expect(stats.unreachable.map((c) => c.iso)).toEqual(['GH']);
    expect(stats.automaticOnly.map((c) => c.iso)).toEqual(['BG']);
    expect(stats.findings.filter((f) => f.status === 'failed').map((f) => f.address).sort()).toEqual(['gone@police.gh.test', 'nobody@police.bg.test']);

    // No file of either run folder holds the confidential mail: not its text, subject or sender.
    for (const file of [...filesUnder(a.runDir), ...filesUnder(b.runDir)]) {
      const text = readFileSync(file, 'latin1');
      for (const secret of CONFIDENTIAL) expect(text.includes(secret), `${file} holds "${secret}"`).toBe(false);
    }

    // status: final figures, the five outcomes, the mail ignored, no check ping among the messages.
    const status = JSON.parse(rollcall(['status', b.runDir, '--json']).stdout);
    expect(status.answers).toMatchObject({ final: true, ignored: 2, outcomes: { answered: 1, late: 0, 'automatic-only': 1, unreachable: 1, silent: 2 } });
    const text = rollcall(['status', b.runDir]).stdout;
    expect(text).toContain('Outcomes:  1 answered, 0 late, 1 automatic only, 1 unreachable, 2 silent');
    expect(text).toContain('2 unrelated messages ignored');
    expect(text).toMatch(/Albania \(AL-POL\) +unrelated \(answers another test: RC-[A-Z0-9]{6}, run \S+\)/);

    // inspect --run says why the answer to run A counts for nothing.
    const inspected = JSON.parse(rollcall(['inspect', join(b.runDir, toA.file!), '--run', b.runDir, '--json']).stdout);
    expect(inspected).toMatchObject({ class: 'unrelated', ping: null, otherTest: { token: toA.otherTest!.token, runId: toA.otherTest!.runId } });
    expect(rollcall(['inspect', join(b.runDir, toA.file!), '--run', b.runDir]).stdout).toMatch(/Answers: +another test: RC-[A-Z0-9]{6} \(run \S+\), not a ping of run/);

    // The Netherlands phoned back: refused without a time, or before the ping; entered with one.
    const size = readFileSync(join(b.runDir, 'events.jsonl')).length;
    const noTime = rollcall(['mark', b.runDir, 'NL-POL', '--as', 'reply', '--note', 'answered by phone']);
    expect(noTime.status).toBe(2);
    expect(noTime.stderr).toContain('nothing arrived from NL-POL (Netherlands)');
    const sentNl = Date.parse(ofType(events, 'ping-sent').find((e) => e.pingId === byContact(pingsB, 'NL-POL').pingId)!.sentAt);
    const early = rollcall(['mark', b.runDir, 'NL-POL', '--as', 'reply', '--at', new Date(sentNl - 5000).toISOString(), '--note', 'x']);
    expect(early.status).toBe(2);
    expect(early.stderr).toContain("is before NL-POL's first ping");
    expect(readFileSync(join(b.runDir, 'events.jsonl')).length).toBe(size);
    const answeredAt = new Date(Math.floor(sentNl / 1000) * 1000 + 4000).toISOString();
    const mark = rollcall(['mark', b.runDir, 'NL-POL', '--as', 'reply', '--at', answeredAt, '--channel', 'phone', '--note', 'the duty officer phoned back']);
    expect(mark.status, mark.stderr).toBe(0);
    expect(mark.stdout).toMatch(/Effect: Netherlands: silent → answered in \d+ s\./);

    const after = JSON.parse(rollcall(['stats', b.runDir, '--json']).stdout) as Stats;
    expect(country(after, 'NL')).toMatchObject({ outcome: 'answered', answeredAt, handEntered: { channel: 'phone', note: 'the duty officer phoned back' } });
    expect(country(after, 'NL')!.responseSeconds).toBe((Date.parse(answeredAt) - sentNl) / 1000);
    const afterStatus = JSON.parse(rollcall(['status', b.runDir, '--json']).stdout);
    expect(afterStatus.answers.outcomes).toMatchObject({ answered: 2, silent: 1 });
    const out = join(tmp.path, 'reports');
    expect(rollcall(['report', b.runDir, '--format', 'json', '--out', out]).status).toBe(0);
    const report = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), 'utf8');
    expect(report).toContain(`"answeredAt": "${answeredAt}"`);
    expect(report).toContain('"unreachable"');
  }, 120_000);
});

describe('the watcher on a busy mailbox', () => {
  it('keeps a message it cannot parse only when its raw text names a token or its From line an address of the directory', async (ctx) => {
    if (unavailable) return ctx.skip();
    const runDir = join(tmp.path, 'watch-only');
    mkdirSync(runDir);
    const log = EventLog.open(join(runDir, 'events.jsonl'));
    const recorder = new Recorder(log);
    await recorder.record({ type: 'run-started', runId: 'watch-only' });
    await new Promise((r) => setTimeout(r, 1100)); // INTERNALDATE has whole seconds: start in the next one
    const index = new MemoryPingIndex();
    index.add({ pingId: 'FR-POL/email/1', contactId: 'FR-POL', iso: 'FR', country: 'France', unit: 'Police', channel: 'email', address: 'poc@police.fr.test', token: 'RC-7QK3MZ', messageId: '<RC-7QK3MZ.k2m4p6r8tq@rollcall.test>', languages: ['en'], timezone: 'Europe/Paris' });
    const huge = 'x'.repeat(2_100_000); // more than mailparser takes in one header: it throws
    const raw = (from: string, subject: string, body: string) => [`From: ${from}`, `To: ${SECOND_INBOX}`, `Subject: ${subject}`, '', body, ''].join('\r\n');
    const d = dovecot!;
    await d.append(SECOND_INBOX, raw('Desk <desk@interior.test>', 'Confidential: MLA request follow-up', 'case 2024/117'), { date: new Date(Date.now() - 30_000) }); // before the start
    await d.append(SECOND_INBOX, raw('silent@politie.nl.test', 'Before the test', 'case 2024/118'), { date: new Date(Date.now() - 30_000) }); // before the start, from the directory
    await d.append(SECOND_INBOX, raw('liaison@ministry.test', 'Confidential: MLA request follow-up', 'case 2024/117'));
    await d.append(SECOND_INBOX, raw('robot@elsewhere.test', `${huge} RC-7QK3MZ`, 'a reply our parser cannot read'));
    await d.append(SECOND_INBOX, raw('liaison@ministry.test', `${huge} Confidential: MLA request follow-up`, 'case 2024/118'));
    await d.append(SECOND_INBOX, raw('Dutch police <silent@politie.nl.test>', huge, 'something from the directory'));
    await d.append(SECOND_INBOX, raw('silent@politie.nl.test', 'A question about another matter', 'not an answer to any ping'));

    const e = env();
    const channel = new EmailChannel({
      settings: { smtpUrl: e.ROLLCALL_SMTP_URL, imapUrl: dovecot!.imapUrl(SECOND_INBOX), from: `Desk <${SECOND_INBOX}>`, subject: DEFAULT_SUBJECT, folders: [] },
      network: 'Test',
      tuning: { reconnectMinMs: 200, reconnectMaxMs: 1000, idleCheckMs: 5000 },
    });
    const ac = new AbortController();
    const watching = channel.watch(
      recorder.context({ clock: systemClock, pings: index, folder: RunFolder.at(runDir), signal: ac.signal, fromDirectory: directoryAddresses(await readDirectory(directoryFile)) }),
    );
    await until(() => (recorder.state.cursors.get('email:INBOX')?.lastUid ?? 0) >= 7, 15_000, 'the inbox read');
    ac.abort();
    await watching;
    await channel.close();
    log.close();

    const kept = recorder.state.messages;
    expect(kept.map((m) => m.key.split(':').pop())).toEqual(['4', '6', '7']);
    expect(kept[0]!.reasons.join(' ')).toMatch(/could not be parsed/);
    expect(kept[2]).toMatchObject({ class: 'unrelated', from: 'silent@politie.nl.test' });
    expect(recorder.state.ignored).toBe(2); // the two from the ministry during the run; those before the start are not the run's
    expect(readdirSync(join(runDir, 'messages')).sort()).toEqual(kept.map((m) => m.file!.replace('messages/', '')).sort());
    for (const file of filesUnder(runDir)) {
      const text = readFileSync(file, 'latin1');
      for (const secret of [...CONFIDENTIAL, 'Before the test', 'case 2024/118', 'desk@interior.test']) expect(text.includes(secret), `${file} holds "${secret}"`).toBe(false);
    }
  }, 60_000);
});
