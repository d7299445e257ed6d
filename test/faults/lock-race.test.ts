// Taking over a stale lock while another process takes it over too: the lock another process has
// just taken is never deleted. A real contender process, made to judge a stale lock at the very
// moment another process's fresh lock replaces it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, inspectLock } from '../../src/run/lock.js';
import { repoRoot } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-lock-race-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pid that no process has now (a process that ran and exited). */
function deadPid(): number {
  let pid = 4_000_000;
  for (; pid > 1000; pid -= 7919) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return pid;
    }
  }
  throw new Error('no free pid');
}

function staleLock(runDir: string): void {
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  writeFileSync(join(runDir, 'lock'), JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: '2024-01-01T00:00:00.000Z', command: 'run', bootId: boot }) + '\n');
}

const lockModule = pathToFileURL(join(repoRoot, 'dist/run/lock.js')).href;
const contender = `
const { acquireLock } = await import(${JSON.stringify(lockModule)});
try {
  acquireLock(process.argv[1], 'contender');
  console.log('held');
} catch (e) {
  console.log(e.exitCode === 1 && /is being worked on by process/.test(e.message) ? 'refused' : 'error ' + e.message);
}
`;

describe('taking over a stale lock', () => {
  it('never deletes the lock another process took while this one was judging the stale one', async () => {
    // The lock is a FIFO, so that the contender's read of it (to judge it) waits for us: we
    // write a stale lock into the pipe, and before we close it (the contender still reading),
    // put a fresh lock of a live process (ours) in its place: exactly what another process
    // taking over first would have done. The contender judges what it read stale; it must not
    // remove the fresh lock that is there now.
    const runDir = join(dir, 'fifo');
    mkdirSync(runDir);
    const path = join(runDir, 'lock');
    expect(spawnSync('mkfifo', [path]).status).toBe(0);
    const child = spawn(process.execPath, ['--input-type=module', '-e', contender, runDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    const pipe = await open(path, 'w'); // returns once the contender opened it to read
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    await pipe.write(JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: '2024-01-01T00:00:00.000Z', command: 'run', bootId: boot }) + '\n');
    const fresh = JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'the other process', bootId: boot }) + '\n';
    writeFileSync(join(runDir, 'fresh'), fresh);
    renameSync(join(runDir, 'fresh'), path);
    await pipe.close();
    await exited;
    expect(out.trim()).toBe('refused');
    expect(readFileSync(path, 'utf8')).toBe(fresh);
    expect(readdirSync(runDir)).toEqual(['lock']);
  });

  it('in one process: a stale lock is replaced and named; a live one is refused', () => {
    const runDir = join(dir, 'single');
    mkdirSync(runDir);
    staleLock(runDir);
    const lock = acquireLock(runDir, 'test');
    expect(lock.replaced?.command).toBe('run');
    expect(inspectLock(runDir)).toMatchObject({ held: true, stale: false, info: { pid: process.pid } });
    expect(readdirSync(runDir).sort()).toEqual(['lock']);
    lock.release();
    expect(readdirSync(runDir)).toEqual([]);
  });
});
