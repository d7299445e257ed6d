// One process per run: the lock refuses a second holder, names the first, and takes over the
// lock of a process that is gone.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkError } from '../../src/core/errors.js';
import { acquireLock, inspectLock } from '../../src/run/lock.js';
import { runPaths } from '../../src/core/run-folder.js';
import { tempDir } from './support.js';

const tmp = tempDir('rollcall-lock-');
afterAll(() => tmp.remove());
let n = 0;
const runDir = () => {
  const d = join(tmp.path, `run${n++}`);
  mkdirSync(d);
  return d;
};

describe('the run lock', () => {
  it('holds pid, host and start; a second taker gets a WorkError (exit 1) naming the holder', () => {
    const dir = runDir();
    const lock = acquireLock(dir, 'run', new Date('2024-06-05T07:30:00Z'));
    const info = JSON.parse(readFileSync(runPaths(dir).lock, 'utf8'));
    expect(info).toMatchObject({ pid: process.pid, host: hostname(), startedAt: '2024-06-05T07:30:00.000Z', command: 'run' });
    let error: unknown;
    try {
      acquireLock(dir, 'resume');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WorkError);
    expect((error as WorkError).exitCode).toBe(1);
    expect((error as Error).message).toContain(`process ${process.pid} on ${hostname()} (run, since 2024-06-05T07:30:00.000Z)`);
    expect(inspectLock(dir)).toMatchObject({ held: true, stale: false });
    lock.release();
    expect(existsSync(runPaths(dir).lock)).toBe(false);
    expect(inspectLock(dir)).toEqual({ held: false });
    acquireLock(dir, 'resume').release();
  });

  it('takes over the lock of a process that is gone', () => {
    const dir = runDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(runPaths(dir).lock, JSON.stringify({ pid: gone, host: hostname(), startedAt: '2024-06-05T07:30:00Z', command: 'run' }));
    expect(inspectLock(dir)).toMatchObject({ held: true, stale: true, why: `process ${gone} is gone` });
    const lock = acquireLock(dir, 'resume');
    expect(lock.replaced?.pid).toBe(gone);
    expect(JSON.parse(readFileSync(runPaths(dir).lock, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a lock from before the machine restarted, even if its pid is alive now', () => {
    const dir = runDir();
    if (!existsSync('/proc/sys/kernel/random/boot_id')) return; // Linux only; the pid check covers the rest
    writeFileSync(runPaths(dir).lock, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2024-06-05T07:30:00Z', command: 'run', bootId: 'another-boot' }));
    expect(inspectLock(dir)).toMatchObject({ held: true, stale: true });
    acquireLock(dir, 'resume').release();
  });

  it('never takes over a lock held on another host, and release leaves another holder\'s lock alone', () => {
    const dir = runDir();
    writeFileSync(runPaths(dir).lock, JSON.stringify({ pid: 1, host: 'other-host.example', startedAt: '2024-06-05T07:30:00Z', command: 'run' }));
    expect(() => acquireLock(dir, 'resume')).toThrow(/process 1 on other-host\.example/);
    expect(() => acquireLock(dir, 'resume')).toThrow(`delete ${runPaths(dir).lock}`);
    const mine = runDir();
    const lock = acquireLock(mine, 'run');
    writeFileSync(runPaths(mine).lock, JSON.stringify({ pid: 1, host: 'other-host.example', startedAt: 'x', command: 'run' }));
    lock.release();
    expect(existsSync(runPaths(mine).lock)).toBe(true);
  });
});
