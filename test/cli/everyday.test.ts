// Everyday friction, as a user meets it: a global install from the clone, hints written as the
// command was typed, Ctrl-C and SIGTERM giving the shells' 130 and 143 through npx as through
// node, "did you mean" for a time zone and a contact id, --help with examples.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { invocationOf } from '../../src/cli/output.js';
import { binPath, repoRoot, rollcall } from '../support/cli.js';
import { tempDir } from '../run/support.js';

const tmp = tempDir('rollcall-everyday-');
afterAll(() => tmp.remove());

const directory = join(repoRoot, 'fixtures', 'directory.yaml');
const ENV = {
  ROLLCALL_SMTP_URL: 'smtp://sender:Secret-pw@127.0.0.1:9',
  ROLLCALL_IMAP_URL: 'imap://secretariat:Secret-pw@127.0.0.1:9/INBOX',
  ROLLCALL_FROM: '24/7 Network Secretariat <secretariat@rollcall.test>',
};
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString();

describe('how rollcall was invoked', () => {
  it('is how hints name it', () => {
    expect(invocationOf({}, '/usr/local/bin/rollcall', '/home/me')).toBe('rollcall');
    expect(invocationOf({ npm_command: 'exec' }, '/root/.npm/_npx/1/node_modules/.bin/rollcall', '/home/me')).toBe('npx rollcall');
    expect(invocationOf({}, '/home/me/rollcall/bin/rollcall.js', '/home/me/rollcall')).toBe('node bin/rollcall.js');
    // A script run with node inside an npx session is still that script.
    expect(invocationOf({ npm_command: 'exec' }, '/opt/rollcall/bin/rollcall.js', '/home/me')).toBe('node /opt/rollcall/bin/rollcall.js');
    // main() called by something else (a test runner): plainly rollcall.
    expect(invocationOf({ npm_command: 'exec' }, '/home/me/rollcall/node_modules/vitest/dist/workers/forks.js', '/home/me/rollcall')).toBe('rollcall');
    expect(invocationOf({ ROLLCALL_INVOCATION: 'npx rollcall' }, '/opt/rollcall/bin/rollcall.js', '/home/me')).toBe('npx rollcall');
  });
});

describe('a global install from the clone', () => {
  it('npm install -g . into a prefix gives a working `rollcall`, whose hints say `rollcall`', () => {
    const prefix = join(tmp.path, 'prefix');
    const install = spawnSync('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', repoRoot], { encoding: 'utf8', timeout: 120_000 });
    expect(install.status, install.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'rollcall');
    expect(existsSync(bin)).toBe(true);
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8', cwd: tmp.path });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    // From anywhere: a whole demo, then a hint naming the command as installed.
    const demo = spawnSync(bin, ['demo', '--speed', '200000', '--runs-dir', 'runs'], { encoding: 'utf8', cwd: tmp.path, env: { ...process.env, NO_COLOR: '1', npm_command: '' } });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/^Figures again: rollcall stats runs\/\S+$/m);
    const [id] = readdirSync(join(tmp.path, 'runs'));
    const again = spawnSync(bin, ['resume', join('runs', id!)], { encoding: 'utf8', cwd: tmp.path, env: { ...process.env, NO_COLOR: '1', npm_command: '' } });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Nothing to do.');
    expect(again.stdout).toContain(`Figures: rollcall stats runs/${id}`);
  }, 180_000);
});

/** Starts `args` in a process group of its own (as a shell starts a foreground job), waits for
 * the run to wait for its start, sends the signal to the group (Ctrl-C reaches every process of
 * the foreground job) or to the first process only, and returns the status a shell shows: the
 * exit code, or 128 + the signal's number for a process the signal ended (npm re-raises it). */
async function stopWith(command: string, args: string[], signal: NodeJS.Signals, to: 'group' | 'process'): Promise<{ code: number | null; out: string }> {
  const child = spawn(command, args, { cwd: repoRoot, env: { ...process.env, ...ENV, NO_COLOR: '1' }, detached: true });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((r) => child.on('exit', (code, sig) => r(code ?? (sig ? 128 + constants.signals[sig] : null))));
  const deadline = Date.now() + 60_000;
  while (!/starts at/.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(out).toMatch(/starts at/);
  process.kill(to === 'group' ? -child.pid! : child.pid!, signal);
  return { code: await exit, out };
}

describe('stopped by a signal: the exit code shells give', () => {
  const runArgs = (dir: string) => ['run', '--directory', directory, '--at', tomorrow(), '--runs-dir', join(tmp.path, dir), '--yes'];

  it('node: Ctrl-C 130, SIGTERM 143', async () => {
    const int = await stopWith(process.execPath, [binPath, ...runArgs('node-int')], 'SIGINT', 'group');
    expect(int.code, int.out).toBe(130);
    expect(int.out).toContain(`Continue with: node bin/rollcall.js resume ${join(tmp.path, 'node-int')}`);
    const term = await stopWith(process.execPath, [binPath, ...runArgs('node-term')], 'SIGTERM', 'process');
    expect(term.code, term.out).toBe(143);
  }, 60_000);

  it('npx: Ctrl-C 130, SIGTERM to the job 143, and the hint says npx rollcall', async () => {
    const int = await stopWith('npx', ['rollcall', ...runArgs('npx-int')], 'SIGINT', 'group');
    expect(int.code, int.out).toBe(130);
    expect(int.out).toContain(`Continue with: npx rollcall resume ${join(tmp.path, 'npx-int')}`);
    const term = await stopWith('npx', ['rollcall', ...runArgs('npx-term')], 'SIGTERM', 'group');
    expect(term.code, term.out).toBe(143);
    expect(term.out).toContain('SIGTERM: stopping');
  }, 120_000);
});

describe('Ctrl-C at the confirmation prompt', () => {
  it('exits 130 and creates nothing (on a terminal: script(1) gives the run a pseudo-terminal)', async (ctx) => {
    if (spawnSync('script', ['--version']).error) {
      if (process.env.CI === 'true') throw new Error('script (util-linux) is missing');
      return ctx.skip();
    }
    const runs = join(tmp.path, 'prompt');
    const command = `"${process.execPath}" "${binPath}" run --directory "${directory}" --at "${tomorrow()}" --runs-dir "${runs}"`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...process.env, ...ENV, NO_COLOR: '1' } });
    let out = '';
    let sent = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // On a terminal in raw mode, Ctrl-C reaches the question as a key.
      if (!sent && /\[y\/N\]/.test(out)) {
        sent = true;
        child.stdin.write('\x03');
      }
    });
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(sent, out).toBe(true);
    expect(code, out).toBe(130);
    expect(out).toContain('rollcall: stopped by SIGINT; nothing was done');
    expect(existsSync(runs)).toBe(false);
  }, 30_000);
});

describe('did you mean', () => {
  it('for a mistyped --tz', () => {
    const r = rollcall(['run', '--directory', directory, '--between', '09:00-17:00', '--tz', 'Europe/Pariss', '--runs-dir', join(tmp.path, 'tz'), '--yes'], { env: ENV });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('rollcall: --tz: unknown time zone "Europe/Pariss" (did you mean Europe/Paris?)');
    expect(existsSync(join(tmp.path, 'tz'))).toBe(false);
  });

  it('for a mistyped contact id in mark', () => {
    const r = rollcall(['mark', 'fixtures/mail/run', 'NL-POLL', '--as', 'reply', '--note', 'phoned']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('"NL-POLL" is neither a message nor a contact of run fixtures/mail/run: did you mean NL-POL?');
  });
});

describe('rollcall --help', () => {
  it('has examples and points to the demo', () => {
    const r = rollcall(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('New here? `rollcall demo` runs a whole test');
    expect(r.stdout).toMatch(/Examples:\n {2}\$ rollcall demo /);
    expect(r.stdout).toContain('--detach');
  });
});
