// A test that runs on its own, against real servers on 127.0.0.1 (Dovecot for IMAP and LMTP, an
// SMTP server that delivers into it): `run --detach` goes on after the terminal that started it is
// gone, writes its output into the run folder and ends the run; --notify tells the secretariat
// when it starts, stops on an error and ends (with the table and the HTML report); the systemd unit
// and the crontab line of `rollcall service` are checked (systemd-analyze verify; the cron command
// run as cron would, on the ended run: resume is idempotent).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, rollcall } from '../support/cli.js';
import { startDovecot, freePort, type Dovecot } from '../servers/dovecot.js';
import { startSmtp, type SmtpDelivery, type SmtpHarness } from '../servers/smtp.js';
import { logLines, ofType, until } from '../support/run-log.js';
import { tempDir } from './support.js';

const SMTP_AUTH = { user: 'rollcall-sender', pass: 'Sm7p-pa55word' };
const CONTACTS = [
  { iso: 'FR', country: 'France', address: 'poc@police.fr.test', answers: true },
  { iso: 'DE', country: 'Germany', address: 'cyber@bka.de.test', answers: false },
  { iso: 'ES', country: 'Spain', address: 'ncu@policia.es.test', answers: false },
];
const SECRETARIAT = ['secretariat-detached@rollcall.test', 'secretariat-broken@rollcall.test'];

const tmp = tempDir('rollcall-unattended-');
let dovecot: Dovecot | undefined;
let smtp: SmtpHarness | undefined;
let unavailable: string | undefined;
let directoryFile = '';
let responder: NodeJS.Timeout | undefined;

beforeAll(async () => {
  try {
    dovecot = await startDovecot({ users: [...SECRETARIAT, ...CONTACTS.map((c) => c.address)] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING unattended runs against real servers: ${unavailable}`);
    return;
  }
  smtp = await startSmtp({ lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort }, auth: SMTP_AUTH });
  directoryFile = join(tmp.path, 'directory.yaml');
  const lines = ['network: 24/7 Test Network', 'parties:'];
  for (const c of CONTACTS) {
    lines.push(`  - country: ${c.country}`, `    iso: ${c.iso}`, '    status: party', '    contacts:', `      - id: ${c.iso}-POL`, '        unit: Cybercrime Unit', '        kind: police');
    lines.push(`        emails: [${c.address}]`, '        phones: []', '        timezone: Europe/Paris', '        languages: [en]');
  }
  writeFileSync(directoryFile, lines.join('\n') + '\n');
  // France answers each ping, quoting it, after half a second.
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, auth: SMTP_AUTH, secure: false, ignoreTLS: true });
  const handled = new Set<SmtpDelivery>();
  responder = setInterval(() => {
    for (const d of smtp!.received) {
      if (handled.has(d)) continue;
      handled.add(d);
      const contact = CONTACTS.find((c) => d.to.includes(c.address));
      if (!contact?.answers || !d.messageId) continue;
      const subject = /^Subject: (.*)$/im.exec(d.raw.toString('utf8'))?.[1] ?? '';
      setTimeout(() => {
        void transport.sendMail({ from: contact.address, to: d.from, subject: `Re: ${subject}`, inReplyTo: d.messageId, references: [d.messageId!], text: 'Received.' }).catch(() => undefined);
      }, 500);
    }
  }, 50);
}, 60_000);

afterAll(async () => {
  if (responder) clearInterval(responder);
  await smtp?.stop();
  await dovecot?.stop();
  tmp.remove();
}, 30_000);

function envFor(secretariat: string, imapUrl = dovecot!.imapUrl(secretariat)): Record<string, string> {
  return { ROLLCALL_SMTP_URL: smtp!.url(SMTP_AUTH), ROLLCALL_IMAP_URL: imapUrl, ROLLCALL_FROM: `24/7 Network Secretariat <${secretariat}>` };
}

/** The notices the SMTP server accepted for this address, parsed. */
async function noticesTo(address: string): Promise<Array<{ delivery: SmtpDelivery; mail: ParsedMail }>> {
  const out = [];
  for (const d of smtp!.received) {
    if (!d.to.includes(address) || !/^X-Rollcall-Notice:/im.test(d.raw.toString('utf8'))) continue;
    out.push({ delivery: d, mail: await simpleParser(d.raw) });
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Process group and session of a process (/proc/<pid>/stat fields 5 and 6). */
function groupAndSession(pid: number): { pgrp: number; session: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(fields[2]), session: Number(fields[3]) };
}

let detachedRun = '';

describe('run --detach --notify', () => {
  it('goes on after its terminal is gone, ends the run, and tells the secretariat at the start and the end', async (ctx) => {
    if (unavailable) return ctx.skip();
    const secretariat = SECRETARIAT[0]!;
    const env = envFor(secretariat);
    const runs = join(tmp.path, 'detached');
    // The "terminal": a shell in a process group of its own that starts the run, then lingers.
    const command = `"${process.execPath}" "${binPath}" run --directory "${directoryFile}" --window 8s --buckets 2s,5s --runs-dir "${runs}" --yes --detach --notify ${secretariat}; sleep 60`;
    const terminal = spawn('sh', ['-c', command], { cwd: tmp.path, env: { ...process.env, ...env, NO_COLOR: '1' }, detached: true });
    let out = '';
    let err = '';
    terminal.stdout.on('data', (d: Buffer) => (out += d.toString()));
    terminal.stderr.on('data', (d: Buffer) => (err += d.toString()));
    await until(() => /Detached: process \d+/.test(out) || terminal.exitCode !== null, 20_000, `the detach message (stderr: ${err})`, 20);
    const pid = Number(/Detached: process (\d+)/.exec(out)![1]);
    detachedRun = /^Run folder: (\S+)$/m.exec(out)![1]!;
    detachedRun = join(tmp.path, detachedRun);
    expect(out).toContain(`status ${join('detached', detachedRun.split('/').pop()!)}`);
    // Its own session and group: the terminal's hang-up does not reach it.
    const { pgrp, session } = groupAndSession(pid);
    expect(session).toBe(pid);
    expect(pgrp).not.toBe(terminal.pid);

    // The terminal closes: hang-up to its whole group, then it is killed outright.
    process.kill(-terminal.pid!, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 200));
    try {
      process.kill(-terminal.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    expect(alive(pid)).toBe(true);

    // The run goes on alone: pings, the answer, the window closing, the reports.
    await until(() => logLines(detachedRun).some((e) => e.type === 'run-ended'), 60_000, 'the detached run to end', 100);
    await until(() => !alive(pid), 30_000, 'the detached process to exit', 100);
    const events = logLines(detachedRun);
    expect(ofType(events, 'ping-sent')).toHaveLength(CONTACTS.length);
    expect(ofType(events, 'message-received').filter((m) => m.class === 'reply').map((m) => m.pingId)).toEqual(['FR-POL/email/1']);
    expect(existsSync(join(detachedRun, 'lock'))).toBe(false);
    expect(existsSync(join(detachedRun, 'reports'))).toBe(true);
    const log = readFileSync(join(detachedRun, 'run.log'), 'utf8');
    expect(log).toContain('handed to a background process');
    expect(log).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d UTC\] started at /m);
    expect(log).toContain('- 5 seconds, 1 country responded');
    const status = JSON.parse(rollcall(['status', detachedRun, '--json']).stdout) as { phase: string; lock: { held: boolean } };
    expect(status).toMatchObject({ phase: 'ended', lock: { held: false } });

    // The notices: one at the start (sent after the start, not before), one at the end.
    await until(() => smtp!.received.filter((d) => d.to.includes(secretariat) && /X-Rollcall-Notice/.test(d.raw.toString())).length >= 2, 10_000, 'two notices');
    const notices = await noticesTo(secretariat);
    expect(notices.map((n) => n.mail.subject)).toEqual([
      expect.stringMatching(/^\[rollcall\] 24\/7 Test Network: the responsiveness test has started \(run /),
      expect.stringMatching(/^\[rollcall\] 24\/7 Test Network: the responsiveness test has ended: 1 of 3 countries answered \(run /),
    ]);
    const [started, ended] = notices as [(typeof notices)[0], (typeof notices)[0]];
    const runStarted = ofType(events, 'run-started')[0]!;
    expect(started.delivery.acceptedAt.getTime()).toBeGreaterThanOrEqual(Date.parse(runStarted.at));
    expect(started.mail.text).toContain('Pings: 3 (email) to 3 contact points of 3 countries.');
    expect(started.mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(ended.mail.text).toContain('- 5 seconds, 1 country responded');
    expect(ended.mail.text).toContain('Silent (2): Germany, Spain');
    expect(ended.mail.attachments).toHaveLength(1);
    expect(ended.mail.attachments[0]!.contentType).toBe('text/html');
    expect(ended.mail.attachments[0]!.content.toString('utf8')).toMatch(/^<!doctype html>/i);
    // The start notice reached the inbox being watched: not the test's mail, it was counted and
    // forgotten (docs/measurement.md, "Only the test's mail is kept"), never taken for an answer.
    const own = ofType(events, 'message-received').filter((m) => m.from.includes(secretariat));
    expect(own).toEqual([]);
    expect(ofType(events, 'watch-cursor').reduce((n, c) => n + (c.ignored ?? 0), 0)).toBeGreaterThanOrEqual(1);
  }, 120_000);

  it('tells the secretariat when it stops on an error, and not that it started', async (ctx) => {
    if (unavailable) return ctx.skip();
    const secretariat = SECRETARIAT[1]!;
    const closed = await freePort();
    const env = envFor(secretariat, `imap://nobody:pw@127.0.0.1:${closed}/INBOX`);
    const runs = join(tmp.path, 'broken');
    // Spawned without blocking: the SMTP server that takes the notice lives in this process.
    const child = spawn(process.execPath, [binPath, 'run', '--directory', directoryFile, '--window', '8s', '--buckets', '2s,5s', '--runs-dir', runs, '--yes', '--notify', secretariat], {
      cwd: tmp.path,
      env: { ...process.env, ...env, NO_COLOR: '1' },
    });
    const r = { stdout: '', stderr: '', status: null as number | null };
    child.stdout.on('data', (d: Buffer) => (r.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (r.stderr += d.toString()));
    r.status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain('cannot reach the IMAP server');
    const notices = await noticesTo(secretariat);
    expect(notices.map((n) => n.mail.subject)).toEqual([expect.stringMatching(/the responsiveness test stopped on an error \(run /)]);
    expect(notices[0]!.mail.text).toContain('cannot reach the IMAP server imap://***@127.0.0.1');
    expect(notices[0]!.mail.text).toMatch(/continue it with: rollcall resume \/\S+broken\/\S+/);
    expect(notices[0]!.mail.text).not.toContain(':pw@');
  }, 60_000);
});

describe('rollcall service', () => {
  it('prints a systemd unit that systemd-analyze verify accepts without a warning', async (ctx) => {
    if (unavailable || !detachedRun) return ctx.skip();
    const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (analyze.error) {
      if (process.env.CI === 'true') throw new Error('systemd-analyze is missing: .ci/run installs the systemd package');
      console.warn('SKIPPING the systemd unit check: systemd-analyze is not installed (apt-get install systemd)');
      return ctx.skip();
    }
    const envFile = join(tmp.path, 'rollcall.env');
    writeFileSync(envFile, Object.entries(envFor(SECRETARIAT[0]!)).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n', { mode: 0o600 });
    const unit = rollcall(['service', detachedRun, '--env-file', envFile], { cwd: tmp.path });
    expect(unit.status).toBe(0);
    expect(unit.stdout).toContain(`ExecStart=${process.execPath} ${binPath} resume ${detachedRun} --yes`);
    expect(unit.stdout).toContain(`EnvironmentFile=${envFile}`);
    expect(unit.stdout).not.toContain('Sm7p-pa55word');
    const file = join(tmp.path, 'rollcall-test.service');
    writeFileSync(file, unit.stdout);
    const verify = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
    expect(verify.status, verify.stderr).toBe(0);
    expect(verify.stderr.trim()).toBe('');
    // The check can fail: a unit whose program does not exist is refused.
    writeFileSync(file, unit.stdout.replace(`ExecStart=${process.execPath}`, 'ExecStart=/nonexistent/node'));
    expect(spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' }).status).not.toBe(0);
  }, 30_000);

  it('prints a crontab @reboot line whose command resumes the run; on an ended run it changes nothing', (ctx) => {
    if (unavailable || !detachedRun) return ctx.skip();
    const envFile = join(tmp.path, 'rollcall.env');
    writeFileSync(envFile, Object.entries(envFor(SECRETARIAT[0]!)).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n', { mode: 0o600 });
    const cron = rollcall(['service', detachedRun, '--cron', '--env-file', envFile], { cwd: tmp.path });
    expect(cron.status).toBe(0);
    const line = cron.stdout.split('\n').find((l) => l.startsWith('@reboot '))!;
    expect(line).toBeDefined();
    const events = readFileSync(join(detachedRun, 'events.jsonl'), 'utf8');
    const logBefore = readFileSync(join(detachedRun, 'run.log'), 'utf8');
    // As cron runs it: /bin/sh, an environment without the settings.
    const r = spawnSync('/bin/sh', ['-c', line.slice('@reboot '.length)], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: tmp.path } });
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(join(detachedRun, 'events.jsonl'), 'utf8')).toBe(events);
    const added = readFileSync(join(detachedRun, 'run.log'), 'utf8').slice(logBefore.length);
    expect(added).toMatch(/already ended/);
  });
});
