// `rollcall check` for e-mail: it counts the countries a run would ping, and tries both servers
// even when the first one fails (a dead SMTP server must not hide an IMAP problem until the next
// day). Against a real Dovecot and the loopback SMTP server of test/servers, and dead ports.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDovecot, type Dovecot } from '../servers/dovecot.js';
import { startSmtp, type SmtpHarness } from '../servers/smtp.js';
import { binPath, repoRoot } from '../support/cli.js';

const SMTP_AUTH = { user: 'rollcall-sender', pass: 'Sm7p-pa55word' };
const SECRETARIAT = 'secretariat@rollcall.test';
const DIRECTORY = join(repoRoot, 'fixtures', 'directory.yaml');

let smtp: SmtpHarness;
let dovecot: Dovecot | undefined;
let unavailable: string | undefined;
/** A port nothing listens on. */
let deadPort = 1;

beforeAll(async () => {
  smtp = await startSmtp({ auth: SMTP_AUTH });
  deadPort = await freePort();
  try {
    dovecot = await startDovecot({ users: [SECRETARIAT] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING the checks against a real IMAP server: ${unavailable}`);
  }
}, 60_000);

afterAll(async () => {
  await smtp?.stop();
  await dovecot?.stop();
}, 30_000);

/** Spawned, not spawnSync: the SMTP server answers from this process. */
function check(env: Record<string, string>, extra: string[] = []): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [binPath, 'check', '--directory', DIRECTORY, '--timeout', '5s', ...extra], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', ROLLCALL_FROM: `Secretariat <${SECRETARIAT}>`, ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

const dead = () => ({
  ROLLCALL_SMTP_URL: `smtp://u:Secret-pa55@127.0.0.1:${deadPort}/`,
  ROLLCALL_IMAP_URL: `imap://u:Secret-pa55@127.0.0.1:${deadPort}/INBOX`,
});

describe('rollcall check: the directory', () => {
  it('counts the countries a run pings (the parties), not the observers', async () => {
    const r = await check(dead());
    // fixtures/directory.yaml: 68 parties and 12 observers; `run` pings the 68.
    expect(r.out).toContain(`Directory ${DIRECTORY}: 68 countries, 91 pings by email on a test day (not the 12 observers: \`run --include-observers\` pings them too).`);
    const json = JSON.parse((await check(dead(), ['--json'])).out);
    expect(json.directory).toEqual({ file: DIRECTORY, countries: 68, observers: 12, pings: 91 });
  }, 30_000);
});

describe('rollcall check: both e-mail servers are tried', () => {
  it('both unreachable: one line for each, the round trip skipped, exit 1, no password shown', async () => {
    const r = await check(dead());
    expect(r.code, r.err).toBe(1);
    expect(r.out).toMatch(new RegExp(`FAILED email: cannot reach the SMTP server smtp://\\*\\*\\*@127\\.0\\.0\\.1:${deadPort}: `));
    expect(r.out).toMatch(new RegExp(`FAILED email: cannot reach the IMAP server imap://\\*\\*\\*@127\\.0\\.0\\.1:${deadPort}/INBOX: `));
    expect(r.out).toContain('skip   round trip to our own address: it needs both servers, and the SMTP and IMAP servers failed (see above).');
    expect(r.out).not.toContain('Round trip: a ping to');
    expect(r.out + r.err).not.toContain('Secret-pa55');
    const json = await check(dead(), ['--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out);
    expect(report.servers).toHaveLength(1);
    expect(report.servers[0]).toMatchObject({ channel: 'email', ok: false, settingsProblem: false, smtp: { ok: false }, imap: { ok: false } });
    expect(report.servers[0].smtp.detail).toMatch(/^cannot reach the SMTP server/);
    expect(report.servers[0].imap.detail).toMatch(/^cannot reach the IMAP server/);
    expect(report.roundTrip).toBeUndefined();
  }, 30_000);

  it('a refused SMTP login and an unreachable IMAP server: both named, exit 2 (a setting)', async () => {
    const r = await check({ ROLLCALL_SMTP_URL: smtp.url({ user: SMTP_AUTH.user, pass: 'Wrong-pa55' }), ROLLCALL_IMAP_URL: dead().ROLLCALL_IMAP_URL });
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(/FAILED email: the SMTP server .* refused the login in ROLLCALL_SMTP_URL/);
    expect(r.out).toMatch(/FAILED email: cannot reach the IMAP server/);
    expect(r.out + r.err).not.toContain('Wrong-pa55');
  }, 30_000);

  it('SMTP unreachable, IMAP fine: the IMAP login is checked and said ok, exit 1', async (ctx) => {
    if (unavailable) return ctx.skip();
    const r = await check({ ROLLCALL_SMTP_URL: dead().ROLLCALL_SMTP_URL, ROLLCALL_IMAP_URL: dovecot!.imapUrl(SECRETARIAT) });
    expect(r.code, r.out + r.err).toBe(1);
    expect(r.out).toMatch(/FAILED email: cannot reach the SMTP server/);
    expect(r.out).toMatch(/ok +email: IMAP login, watched folders present/);
    expect(r.out).toContain('the SMTP server failed (see above)');
  }, 30_000);

  it('SMTP fine, IMAP refuses the login: SMTP said ok, IMAP named, exit 2', async (ctx) => {
    if (unavailable) return ctx.skip();
    const url = dovecot!.imapUrl(SECRETARIAT).replace(/:[^:@/]*@/, ':Wrong-imap-pa55@');
    const r = await check({ ROLLCALL_SMTP_URL: smtp.url(SMTP_AUTH), ROLLCALL_IMAP_URL: url });
    expect(r.code, r.out + r.err).toBe(2);
    expect(r.out).toMatch(/ok +email: SMTP login\n/);
    expect(r.out).toMatch(/FAILED email: the IMAP server .* refused the login in ROLLCALL_IMAP_URL/);
    expect(r.out).toContain('the IMAP server failed (see above)');
    expect(r.out + r.err).not.toContain('Wrong-imap-pa55');
  }, 30_000);

  it('SMTP unreachable, a watched folder missing: both named, exit 2', async (ctx) => {
    if (unavailable) return ctx.skip();
    const r = await check({ ROLLCALL_SMTP_URL: dead().ROLLCALL_SMTP_URL, ROLLCALL_IMAP_URL: dovecot!.imapUrl(SECRETARIAT, 'NoSuchFolder') });
    // With the SMTP server down the IMAP check still finds the missing folder.
    expect(r.out).toMatch(/FAILED email: cannot reach the SMTP server/);
    expect(r.out).toMatch(/FAILED email: IMAP folder NoSuchFolder not found at imap:/);
    expect(r.code, r.out + r.err).toBe(2);
  }, 30_000);
});
