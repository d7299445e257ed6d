// `rollcall run`, `resume` and `status` as a user runs them, where no server is needed: refusing
// to start on bad settings or input, an unannounced start kept out of the output, a scheduled run
// that survives a restart before its start, the lock between two processes.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunPlan } from '../../src/core/run-folder.js';
import { binPath, repoRoot, rollcall } from '../support/cli.js';
import { tempDir } from './support.js';

const tmp = tempDir('rollcall-runcli-');
afterAll(() => tmp.remove());

const directory = join(repoRoot, 'fixtures', 'directory.yaml');
/** Settings that parse; nothing connects to them before a run starts. */
const ENV = {
  ROLLCALL_SMTP_URL: 'smtp://sender:Secret-pw@127.0.0.1:9',
  ROLLCALL_IMAP_URL: 'imap://secretariat:Secret-pw@127.0.0.1:9/INBOX',
  ROLLCALL_FROM: '24/7 Network Secretariat <secretariat@rollcall.test>',
};
const NO_SETTINGS = { ROLLCALL_SMTP_URL: '', ROLLCALL_IMAP_URL: '', ROLLCALL_FROM: '', TWILIO_ACCOUNT_SID: '', TWILIO_AUTH_TOKEN: '', ROLLCALL_TWILIO_FROM: '' };

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

function waitForOutput(child: ReturnType<typeof spawn>, pattern: RegExp, ms = 20_000): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${pattern} in: ${out}`)), ms);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
  });
}

describe('rollcall run refuses to start', () => {
  it('without the settings it needs, naming the variable, exit 2, and creates nothing', () => {
    const runs = join(tmp.path, 'none');
    const r = rollcall(['run', '--directory', directory, '--runs-dir', runs, '--yes'], { env: { ...NO_SETTINGS }, cwd: tmp.path });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('ROLLCALL_SMTP_URL');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(runs)).toBe(false);
    const phone = rollcall(['run', '--directory', directory, '--channels', 'email,sms', '--runs-dir', runs, '--yes'], { env: { ...NO_SETTINGS, ...ENV }, cwd: tmp.path });
    expect(phone.status).toBe(2);
    expect(phone.stderr).toContain('TWILIO_ACCOUNT_SID');
    expect(existsSync(runs)).toBe(false);
  });

  it('on a bad directory, bad options or a past --at, exit 2 with the reason', () => {
    const bad = join(tmp.path, 'bad.yaml');
    writeFileSync(bad, 'network: x\nparties:\n  - country: France\n    iso: FR\n    status: member\n    contacts: []\n');
    const cases: Array<[string[], RegExp]> = [
      [['--directory', bad], /bad\.yaml:\D*5\b.*status.*'member'/],
      [['--directory', directory, '--window', 'soon'], /--window: "soon"/],
      [['--directory', directory, '--buckets', '15m,later'], /--buckets: "later"/],
      [['--directory', directory, '--channels', 'email,fax'], /--channels: unknown channel "fax"/],
      [['--directory', directory, '--at', '2020-01-01T09:00:00Z'], /--at: .* is in the past/],
      [['--directory', directory, '--between', '09:00-17:00', '--tz', 'Europe/Atlantis'], /--tz: unknown time zone "Europe\/Atlantis"/],
    ];
    for (const [args, message] of cases) {
      const runs = join(tmp.path, 'bad-runs');
      const r = rollcall(['run', ...args, '--runs-dir', runs, '--yes'], { env: ENV, cwd: tmp.path });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(existsSync(runs)).toBe(false);
    }
  });
});

describe('a run scheduled with --between', () => {
  it('keeps its start secret, waits for it, survives a restart, and lets one process at a time work on it', async () => {
    const runs = join(tmp.path, 'between');
    const on = tomorrow();
    const child = spawn(process.execPath, [binPath, 'run', '--directory', directory, '--between', '09:00-17:00', '--on', on, '--tz', 'Europe/Paris', '--runs-dir', runs, '--yes'], {
      cwd: tmp.path,
      env: { ...process.env, ...ENV, NO_COLOR: '1' },
    });
    let err = '';
    let all = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => (all += d.toString()));
    const out = await waitForOutput(child, /waiting for the unannounced start.*\n/);
    expect(out).toContain(`at an unannounced time between ${on} 09:00 and ${on} 17:00 (Europe/Paris)`);
    const [id] = readdirSync(runs);
    const runDir = join(runs, id!);
    const plan = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as RunPlan;
    expect(plan.schedule).toEqual({ kind: 'between', tz: 'Europe/Paris', between: '09:00-17:00', on });
    const start = Date.parse(plan.startAt);
    // 09:00-17:00 Paris time, in summer or winter.
    expect(start).toBeGreaterThanOrEqual(Date.parse(`${on}T07:00:00Z`));
    expect(start).toBeLessThan(Date.parse(`${on}T16:00:00Z`));
    // The drawn time is nowhere in the output: neither as UTC nor as Paris wall time.
    const hhmm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(start));
    // The window's own edges are said; a start drawn in their first minute must not fail the test.
    const shown = (out + err).replaceAll(`${on} 09:00`, '').replaceAll(`${on} 17:00`, '').replaceAll('09:00-17:00', '');
    expect(shown).not.toContain(plan.startAt.slice(11, 16));
    expect(shown).not.toContain(` ${hhmm}`);

    // While it waits: status says so and names the process; a second process is refused.
    const status = rollcall(['status', runDir, '--json']);
    const st = JSON.parse(status.stdout);
    expect(st).toMatchObject({ phase: 'waiting', unannouncedStart: true, plannedStart: plan.startAt, lock: { held: true, stale: false, pid: child.pid, command: 'run' } });
    const second = rollcall(['resume', runDir, '--yes'], { env: ENV });
    expect(second.status).toBe(1);
    expect(second.stderr).toContain(`process ${child.pid}`);
    const text = rollcall(['status', runDir]);
    expect(text.stdout).toMatch(/Phase: +waiting for the start/);
    expect(text.stdout).toContain('not to be announced before it starts');

    // A stop before the start: exit 143 (as shells report SIGTERM), how to continue (written as
    // the command was typed), lock released, nothing in the log.
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(143);
    expect(all).toContain(`Continue with: node ${binPath} resume ${join('between', id!)}`);
    expect(err).toContain('SIGTERM: stopping');
    expect(existsSync(join(runDir, 'lock'))).toBe(false);
    expect(readFileSync(join(runDir, 'events.jsonl'), 'utf8')).toBe('');
    expect(JSON.parse(rollcall(['status', runDir, '--json']).stdout)).toMatchObject({ phase: 'scheduled', lock: { held: false } });

    // Resumed (a restart before the start): it waits for the same planned start.
    const again = spawn(process.execPath, [binPath, 'resume', runDir, '--yes'], { cwd: tmp.path, env: { ...process.env, ...ENV, NO_COLOR: '1' } });
    await waitForOutput(again, /waiting for the unannounced start/);
    expect(JSON.parse(rollcall(['status', runDir, '--json']).stdout)).toMatchObject({ phase: 'waiting', plannedStart: plan.startAt, lock: { pid: again.pid, command: 'resume' } });
    again.kill('SIGINT');
    expect(await new Promise((r) => again.on('exit', r))).toBe(130);
    expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'))).toEqual(plan);
  }, 60_000);
});

describe('a run whose servers cannot be reached at its start', () => {
  it('stops with exit 1, and status says it stopped before it started, not that it is scheduled', () => {
    const runsDir = join(tmp.path, 'unreachable');
    const r = rollcall(['run', '--directory', directory, '--yes', '--runs-dir', runsDir], { env: ENV });
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/cannot reach the SMTP server smtp:\/\/\*\*\*@127\.0\.0\.1:9/);
    const runDir = join(runsDir, readdirSync(runsDir)[0]!);
    expect(readFileSync(join(runDir, 'events.jsonl'), 'utf8')).toBe('');
    expect(JSON.parse(rollcall(['status', runDir, '--json']).stdout)).toMatchObject({ phase: 'stopped', lock: { held: false } });
    expect(rollcall(['status', runDir]).stdout).toMatch(/^Phase: +stopped before it started: its start time has passed and no process is running it .*resume .* starts it now\)$/m);
  });
});
