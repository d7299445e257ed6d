// Whole runs against real servers on 127.0.0.1: Dovecot (IMAP, LMTP) and an SMTP server that
// delivers into it, with responders that answer the pings by SMTP (quoting the ping, keeping only
// its token, after an auto-reply), a 550 at RCPT, a 451 once, an unknown mailbox that bounces and
// a silent contact point. A short run (a window of seconds) is checked against the statistics;
// then the same run is spawned as the real CLI, killed with SIGKILL at several points and resumed:
// the SMTP server sees every ping at most once (exactly once when the log says sent), every answer
// is counted once with its true arrival time.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels } from '../../src/channels/factory.js';
import { readDirectory } from '../../src/directory/load.js';
import { countryName } from '../../src/directory/countries.js';
import type { MessageReceivedEvent, PingSentEvent, PingStartedEvent, RunEvent } from '../../src/core/events.js';
import { systemClock } from '../../src/core/clock.js';
import { createRun, directorySnapshot } from '../../src/run/plan.js';
import { runSession } from '../../src/run/session.js';
import { DEFAULT_SUBJECT, type Settings } from '../../src/settings.js';
import type { Stats } from '../../src/stats/types.js';
import { binPath, repoRoot, rollcall } from '../support/cli.js';
import { startDovecot, type Dovecot } from '../servers/dovecot.js';
import { startSmtp, type SmtpDelivery, type SmtpHarness } from '../servers/smtp.js';
import { Responders, type ScriptedContact } from '../servers/responders.js';
import { eventsOf, tempDir } from './support.js';
import { logLines, ofType, until } from '../support/run-log.js';

const SMTP_AUTH = { user: 'rollcall-sender', pass: 'Sm7p-pa55word' };

/** The scripted contact points; a party per contact. */
const SCRIPTED: ScriptedContact[] = [
  { iso: 'FR', address: 'poc@police.fr.test', behaviour: { kind: 'quote', afterMs: 1000 } },
  { iso: 'DE', address: 'cyber@bka.de.test', behaviour: { kind: 'token', afterMs: 2000 } },
  { iso: 'ES', address: 'ncu@policia.es.test', behaviour: { kind: 'auto-then-quote', afterMs: 3000 } },
  { iso: 'IT', address: 'duty@polizia.it.test', behaviour: { kind: 'greylisted' } },
  { iso: 'PT', address: 'pj@pj.pt.test', behaviour: { kind: 'refused' } },
  { iso: 'AT', address: 'nobody@bmi.at.test', behaviour: { kind: 'unknown' } },
  { iso: 'NL', address: 'silent@politie.nl.test', behaviour: { kind: 'silent' } },
];
/** More parties, answering after a second or staying silent, so that sending takes a while. */
const MORE = ['BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'GR', 'HU', 'IS', 'LV', 'LT', 'LU', 'MT', 'NO', 'PL', 'RO', 'SK', 'SI'].map(
  (iso, i): ScriptedContact => ({ iso, address: `duty@cyber.${iso.toLowerCase()}.test`, behaviour: i % 2 === 0 ? { kind: 'quote', afterMs: 1500 } : { kind: 'silent' } }),
);
const CONTACTS = [...SCRIPTED, ...MORE];

const tmp = tempDir('rollcall-realrun-');
let dovecot: Dovecot | undefined;
let smtp: SmtpHarness | undefined;
let unavailable: string | undefined;
let directoryFile = '';
let responders: Responders | undefined;

function directoryYaml(): string {
  const lines = ['network: 24/7 Test Network', 'updated: 2024-06-01', 'parties:'];
  for (const c of CONTACTS) {
    lines.push(
      `  - country: ${countryName(c.iso)}`,
      `    iso: ${c.iso}`,
      '    status: party',
      '    contacts:',
      `      - id: ${c.iso}-POL`,
      '        unit: Cybercrime Unit',
      '        kind: police',
      `        emails: [${c.address}]`,
      '        phones: []',
      '        timezone: Europe/Paris',
      '        languages: [en]',
    );
  }
  return lines.join('\n') + '\n';
}


beforeAll(async () => {
  try {
    dovecot = await startDovecot({ users: [...Array.from({ length: 8 }, (_, i) => `secretariat${i}@rollcall.test`), ...CONTACTS.filter((c) => c.behaviour.kind !== 'unknown').map((c) => c.address)] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING runs against real servers: ${unavailable}`);
    return;
  }
  smtp = await startSmtp({ lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort }, auth: SMTP_AUTH });
  for (const c of CONTACTS) {
    if (c.behaviour.kind === 'refused') smtp.refuseRcpt(c.address, { code: 550, message: '5.1.1 <' + c.address + '>: Recipient address rejected: User unknown' });
  }
  responders = new Responders(smtp, CONTACTS, SMTP_AUTH);
  directoryFile = join(tmp.path, 'directory.yaml');
  writeFileSync(directoryFile, directoryYaml());
}, 60_000);

afterAll(async () => {
  responders?.stop();
  await smtp?.stop();
  await dovecot?.stop();
  tmp.remove();
}, 30_000);

let nextSecretariat = 0;
function settingsFor(): { settings: Settings; env: Record<string, string>; secretariat: string } {
  const secretariat = `secretariat${nextSecretariat++}@rollcall.test`;
  // The greylisted contact refuses its first RCPT of each run.
  for (const c of CONTACTS) if (c.behaviour.kind === 'greylisted') smtp!.scriptRcpt(c.address, { code: 451, message: '4.7.1 Greylisted, try again later' });
  const env = {
    ROLLCALL_SMTP_URL: smtp!.url(SMTP_AUTH),
    ROLLCALL_IMAP_URL: dovecot!.imapUrl(secretariat),
    ROLLCALL_FROM: `24/7 Network Secretariat <${secretariat}>`,
  };
  return { settings: { smtpUrl: env.ROLLCALL_SMTP_URL, imapUrl: env.ROLLCALL_IMAP_URL, from: env.ROLLCALL_FROM, subject: DEFAULT_SUBJECT, folders: [] }, env, secretariat };
}

/** Pings the SMTP server accepted from this secretariat, by recipient. */
function pingsSeen(secretariat: string): Map<string, SmtpDelivery[]> {
  const out = new Map<string, SmtpDelivery[]>();
  for (const d of smtp!.received) {
    if (d.from !== secretariat) continue;
    for (const to of d.to) out.set(to, [...(out.get(to) ?? []), d]);
  }
  return out;
}



/** The checks every finished run must pass, interrupted or not. */
async function expectNothingLostNothingTwice(events: RunEvent[], secretariat: string): Promise<{ uncertain: string[] }> {
  const started = ofType(events, 'ping-started');
  const sent = new Map(ofType(events, 'ping-sent').map((e) => [e.pingId, e]));
  const failed = new Set(ofType(events, 'ping-failed').filter((e) => e.permanent).map((e) => e.pingId));
  const seen = pingsSeen(secretariat);
  const byAddress = new Map<string, PingStartedEvent>();
  for (const s of started) byAddress.set(s.address, s);
  // Every contact point's ping was handed to the server; none twice.
  expect([...byAddress.keys()].sort()).toEqual(CONTACTS.map((c) => c.address).sort());
  const uncertain: string[] = [];
  for (const c of CONTACTS) {
    const n = seen.get(c.address)?.length ?? 0;
    const s = byAddress.get(c.address)!;
    expect(n, c.address).toBeLessThanOrEqual(1);
    if (sent.has(s.pingId)) expect(n, `${c.address} recorded as sent`).toBe(1);
    else if (failed.has(s.pingId)) expect(n, `${c.address} refused`).toBe(0);
    else uncertain.push(s.pingId);
    if (n === 1) expect(seen.get(c.address)![0]!.messageId).toBe(s.messageId);
  }
  // Every message once, at its true arrival: the INTERNALDATE Dovecot gave it, whenever it was read.
  const messages = ofType(events, 'message-received');
  expect(new Set(messages.map((m) => m.key)).size).toBe(messages.length);
  expect(new Set(messages.map((m) => m.messageId)).size).toBe(messages.length);
  const dates = await dovecot!.internalDates(secretariat);
  for (const m of messages) {
    const uid = Number(/^imap:INBOX:\d+:(\d+)$/.exec(m.key)?.[1]);
    expect(Date.parse(m.receivedAt), m.key).toBe(dates.get(uid));
  }
  const replies = responders!.replies.filter((r) => r.to === secretariat);
  const windowEnd = Date.parse(ofType(events, 'run-ended')[0]!.at);
  for (const r of replies) {
    if (r.sentAt.getTime() > windowEnd - 1500) continue; // may have landed after the window closed
    const contact = CONTACTS.find((c) => c.address === r.from)!;
    const matching = messages.filter((m) => m.from.includes(r.from) && (r.kind === 'reply' ? m.class === 'reply' : m.class === 'automatic'));
    expect(matching, `${r.kind} from ${contact.iso}`).toHaveLength(1);
    const arrival = Date.parse(matching[0]!.receivedAt);
    // Delivery into Dovecot follows the SMTP 250 within moments (more on a loaded machine).
    expect(arrival).toBeGreaterThanOrEqual(Math.floor(r.sentAt.getTime() / 1000) * 1000 - 1000);
    expect(arrival).toBeLessThanOrEqual(r.sentAt.getTime() + 5000);
  }
  return { uncertain };
}

function responseOf(stats: Stats, iso: string): number | null | undefined {
  return stats.countries.find((c) => c.iso === iso)?.responseSeconds;
}

describe('a short run against real servers', () => {
  it('pings, retries, watches and counts as the rules say', async (ctx) => {
    if (unavailable) return ctx.skip();
    const { settings, secretariat } = settingsFor();
    const directory = await readDirectory(directoryFile);
    const { runDir, plan } = createRun({
      runsDir: join(tmp.path, 'runs'),
      directory,
      directoryFile,
      schedule: { startAt: new Date(), plan: { kind: 'now', tz: 'UTC' } },
      windowSeconds: 12,
      bucketSeconds: [2, 5, 10],
      channels: ['email'],
      includeObservers: false,
      folders: ['INBOX'],
      tz: 'UTC',
      now: new Date(),
      random: Math.random,
    });
    const channels = await createChannels({ names: ['email'], settings, clock: systemClock, network: directory.network, folders: ['INBOX'], since: new Date(Date.now() - 60_000) });
    const result = await runSession({ runDir, plan, directory: directorySnapshot(directory, false), channels, clock: systemClock, command: 'test', from: settings.from! });
    await responders!.idle();
    expect(result.outcome).toBe('ended');
    expect(result.reports.map((r) => r.replace(/^.*\./, ''))).toEqual(['md', 'json', 'html']);
    const events = await eventsOf(runDir);
    const { uncertain } = await expectNothingLostNothingTwice(events, secretariat);
    expect(uncertain).toEqual([]);

    const stats = result.stats!;
    expect(stats.population).toBe(CONTACTS.length);
    // Measured from the ping's acceptance to the answer's INTERNALDATE (whole seconds).
    expect(responseOf(stats, 'FR')).toBeGreaterThanOrEqual(0);
    expect(responseOf(stats, 'FR')).toBeLessThanOrEqual(3);
    expect(responseOf(stats, 'DE')).toBeGreaterThanOrEqual(1);
    expect(responseOf(stats, 'DE')).toBeLessThanOrEqual(4);
    expect(responseOf(stats, 'ES')).toBeGreaterThanOrEqual(2);
    expect(responseOf(stats, 'ES')).toBeLessThanOrEqual(5);
    expect(responseOf(stats, 'IT')).toBeLessThanOrEqual(3); // from its second attempt
    for (const c of stats.countries.filter((x) => x.outcome === 'answered')) {
      const sentAt = ofType(events, 'ping-sent').find((e) => e.pingId === `${c.iso}-POL/email/1`) as PingSentEvent;
      const reply = ofType(events, 'message-received').find((m) => m.pingId === sentAt.pingId && m.class === 'reply') as MessageReceivedEvent;
      expect(c.responseSeconds, c.iso).toBe((Date.parse(reply.receivedAt) - Date.parse(sentAt.sentAt)) / 1000);
    }
    const answered = CONTACTS.filter((c) => ['quote', 'token', 'auto-then-quote', 'greylisted'].includes(c.behaviour.kind)).length;
    expect(stats.buckets.map((b) => b.threshold)).toEqual(['2s', '5s', '10s']);
    expect(stats.buckets[2]!.responded).toBe(answered);
    expect(stats.silent.map((c) => c.iso)).toContain('NL');
    const failedAddresses = stats.findings.filter((f) => f.status === 'failed').map((f) => f.address);
    expect(failedAddresses).toEqual(expect.arrayContaining(['pj@pj.pt.test', 'nobody@bmi.at.test']));
    // The greylisted ping was refused once, retried within the window, then accepted.
    const it = events.filter((e) => 'pingId' in e && e.pingId === 'IT-POL/email/1').map((e) => e.type);
    expect(it).toEqual(expect.arrayContaining(['ping-started', 'ping-failed', 'ping-started', 'ping-sent']));
    // The ES auto-reply came first and is recorded as automatic, not as the answer.
    expect(ofType(events, 'message-received').filter((m) => m.pingId === 'ES-POL/email/1').map((m) => m.class)).toEqual(['automatic', 'reply']);
  }, 60_000);
});

/** Spawns `rollcall run` (or resume) as a user would, without colours. */
function spawnCli(args: string[], env: Record<string, string>): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, [binPath, ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { child, out: () => out, err: () => err, exit: new Promise((r) => child.on('exit', (code) => r(code))) };
}

/** Runs the CLI to its end without blocking this process (the servers live here). */
async function runCli(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const c = spawnCli(args, env);
  const status = await c.exit;
  return { status, stdout: c.out(), stderr: c.err() };
}

function runFolderIn(runsDir: string): string | undefined {
  if (!existsSync(runsDir)) return undefined;
  const [id] = readdirSync(runsDir);
  return id ? join(runsDir, id) : undefined;
}

describe('the real CLI, killed with SIGKILL and resumed', () => {
  const points: Array<[string, (events: RunEvent[]) => boolean, number, string[]]> = [
    ['right after the first ping-started', (e) => e.some((x) => x.type === 'ping-started'), 0, []],
    ['mid-sending', (e) => ofType(e, 'ping-sent').length >= 5, 0, []],
    ['mid-watch', (e) => ofType(e, 'ping-sent').length + ofType(e, 'ping-failed').filter((f) => f.permanent).length >= CONTACTS.length, 1500, ['--json']],
  ];
  for (const [name, when, thenWaitMs, extra] of points) {
    it(`killed ${name}: every ping at most once, every answer once at its true time`, async (ctx) => {
      if (unavailable) return ctx.skip();
      const { env, secretariat } = settingsFor();
      const runsDir = join(tmp.path, `cli-${nextSecretariat}`);
      const first = spawnCli(['run', '--directory', directoryFile, '--window', '20s', '--buckets', '2s,5s,10s', '--runs-dir', runsDir, '--yes', ...extra], env);
      await until(() => when(logLines(runFolderIn(runsDir))) || first.child.exitCode !== null, 30_000, name);
      if (thenWaitMs) await new Promise((r) => setTimeout(r, thenWaitMs));
      first.child.kill('SIGKILL');
      await first.exit;
      const runDir = runFolderIn(runsDir)!;
      const atKill = logLines(runDir);
      expect(atKill.some((e) => e.type === 'run-ended'), first.err()).toBe(false);
      expect(existsSync(join(runDir, 'lock'))).toBe(true); // left behind by the killed process
      if (extra.includes('--json')) {
        // --json: the events as JSON lines on stdout, nothing else.
        // Complete lines only: the kill may cut the last one short.
        const lines = first.out().split('\n').slice(0, -1);
        expect(lines.length).toBeGreaterThan(CONTACTS.length);
        expect(lines.map((l) => JSON.parse(l) as RunEvent)).toEqual(atKill.slice(0, lines.length));
      }

      const status = rollcall(['status', runDir, '--json'], { env });
      expect(status.status).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ phase: 'stopped', lock: { held: true, stale: true } });

      const resumed = spawnCli(['resume', runDir, '--yes'], env);
      const code = await resumed.exit;
      expect(code, resumed.err()).toBe(0);
      await responders!.idle();
      const events = await eventsOf(runDir);
      expect(ofType(events, 'run-started')).toHaveLength(1);
      expect(ofType(events, 'run-ended')).toHaveLength(1);
      const { uncertain } = await expectNothingLostNothingTwice(events, secretariat);
      // Reported: in the findings (address) and counted under the table.
      const lines = resumed.out().split('\n');
      for (const id of uncertain) {
        // An uncertain ping that the server did get may be answered: then its address works and
        // it is no finding (it is still counted in the line checked below).
        if (ofType(events, 'message-received').some((m) => m.pingId === id)) continue;
        const address = ofType(events, 'ping-started').find((e) => e.pingId === id)!.address;
        expect(lines.some((l) => l.includes('uncertain') && l.includes(address)), address).toBe(true);
      }
      if (uncertain.length > 0) expect(resumed.out()).toContain(`${uncertain.length} ping${uncertain.length === 1 ? ' was' : 's were'} handed to`);

      // The figures of the folder are those the resume printed.
      const stats = JSON.parse(rollcall(['stats', runDir, '--json']).stdout) as Stats;
      expect(resumed.out()).toContain(`- 10 seconds, ${stats.buckets[2]!.responded} countries responded`);
      const answered = CONTACTS.filter((c) => ['quote', 'token', 'auto-then-quote', 'greylisted'].includes(c.behaviour.kind)).map((c) => `${c.iso}-POL/email/1`);
      const reallyAnswered = answered.filter((id) => !uncertain.includes(id));
      expect(stats.buckets[2]!.responded).toBeGreaterThanOrEqual(reallyAnswered.length - 1);
    }, 90_000);
  }
});

describe('resumed after its window closed', () => {
  it('finds, in one catch-up scan, the answers that arrived while nothing ran, and ends the run', async (ctx) => {
    if (unavailable) return ctx.skip();
    const { env, secretariat } = settingsFor();
    const runsDir = join(tmp.path, `late-${nextSecretariat}`);
    const first = spawnCli(['run', '--directory', directoryFile, '--window', '6s', '--buckets', '2s,5s', '--runs-dir', runsDir, '--yes'], env);
    const all = (e: RunEvent[]) => ofType(e, 'ping-sent').length + ofType(e, 'ping-failed').filter((f) => f.permanent).length >= CONTACTS.length;
    await until(() => all(logLines(runFolderIn(runsDir))) || first.child.exitCode !== null, 30_000, 'all pings sent');
    first.child.kill('SIGKILL');
    await first.exit;
    const runDir = runFolderIn(runsDir)!;
    const atKill = ofType(logLines(runDir), 'message-received').length;
    // The answers come in while no process runs; the window closes meanwhile.
    await new Promise((r) => setTimeout(r, 8000));
    await responders!.idle();
    const resumed = await runCli(['resume', runDir, '--yes'], env);
    expect(resumed.status, resumed.stderr).toBe(0);
    const events = await eventsOf(runDir);
    expect(ofType(events, 'run-ended')).toHaveLength(1);
    const messages = ofType(events, 'message-received');
    expect(messages.length).toBeGreaterThan(atKill);
    const dates = await dovecot!.internalDates(secretariat);
    for (const m of messages) expect(Date.parse(m.receivedAt), m.key).toBe(dates.get(Number(m.key.split(':')[3])));
    const replies = responders!.replies.filter((r) => r.to === secretariat);
    for (const r of replies) {
      const m = messages.filter((x) => x.from.includes(r.from) && (r.kind === 'reply' ? x.class === 'reply' : x.class === 'automatic'));
      expect(m, `${r.kind} from ${r.from}`).toHaveLength(1);
      expect(Math.abs(Date.parse(m[0]!.receivedAt) - r.sentAt.getTime())).toBeLessThanOrEqual(5000);
    }
  }, 90_000);
});

describe('rollcall check against the real servers', () => {
  it('logs in, shows a ping, times a round trip to our own inbox, and sends nothing to contact points', async (ctx) => {
    if (unavailable) return ctx.skip();
    const { env, secretariat } = settingsFor();
    const before = smtp!.received.length;
    const r = await runCli(['check', '--directory', directoryFile, '--timeout', '20s', '--json'], env);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.servers).toEqual([{ channel: 'email', ok: true }]);
    expect(report.ping).toMatchObject({ to: 'poc@police.fr.test', from: `24/7 Network Secretariat <${secretariat}>` });
    expect(report.ping.subject).toMatch(/RC-[A-Z0-9]{6}/);
    expect(report.roundTrip).toMatchObject({ ok: true, address: secretariat });
    expect(report.roundTrip.seconds).toBeGreaterThanOrEqual(-1);
    expect(report.roundTrip.seconds).toBeLessThanOrEqual(3);
    expect(report.roundTrip.detectedAfterMs).toBeLessThan(10_000);
    const sent = smtp!.received.slice(before).filter((d) => d.from === secretariat);
    expect(sent.map((d) => d.to)).toEqual([[secretariat]]);
    expect(sent[0]!.messageId).toBe(report.roundTrip.messageId);

    const text = await runCli(['check', '--directory', directoryFile, '--timeout', '20s'], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('The e-mail France (FR-POL) would get, in English:');
    expect(text.stdout).toMatch(/ok +email: SMTP and IMAP logins/);
    expect(text.stdout).toMatch(/ok +accepted .* \(INTERNALDATE, in whole seconds, − send time: -?\d+(\.\d+)? s\); seen by rollcall \d+\.\d s after/);
  }, 60_000);

  it('exits 2 on a refused login and 1 on a server it cannot reach, without the password in the output', async (ctx) => {
    if (unavailable) return ctx.skip();
    const { env } = settingsFor();
    const wrong = await runCli(['check', '--directory', directoryFile], { ...env, ROLLCALL_SMTP_URL: smtp!.url({ user: SMTP_AUTH.user, pass: 'Wrong-pa55' }) });
    expect(wrong.status).toBe(2);
    expect(wrong.stdout).toMatch(/FAILED email: .*refused the login/);
    expect(wrong.stdout + wrong.stderr).not.toContain('Wrong-pa55');
    const down = await runCli(['check', '--directory', directoryFile], { ...env, ROLLCALL_SMTP_URL: 'smtp://u:Secret-pa55@127.0.0.1:9' });
    expect(down.status, down.stdout + down.stderr).toBe(1);
    expect(down.stdout).toMatch(/FAILED email: cannot reach the SMTP server/);
    expect(down.stdout + down.stderr).not.toContain('Secret-pa55');
  }, 60_000);
});
