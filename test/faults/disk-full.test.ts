// A full disk (ENOSPC) or a used-up quota (EDQUOT) at every place rollcall writes: creating the
// run folder, taking the lock, appending an event, saving a message. One plain line naming the
// folder, exit 1, nothing half-written left behind that would block `resume`; and `resume`
// finishes the run once there is space again.
// Two ways to fill the disk: a symlink to /dev/full (every write fails with ENOSPC; works
// anywhere on Linux) at the exact file each place writes, and a real tiny tmpfs (needs root, as
// in CI) filled up before or during a whole `rollcall demo`.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeSync, ftruncateSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskFullError } from '../../src/core/errors.js';
import { EventLog, readEvents } from '../../src/core/event-log.js';
import { RunFolder, runPaths, writeDurable } from '../../src/core/run-folder.js';
import { acquireLock } from '../../src/run/lock.js';
import { rollcall } from '../support/cli.js';
import { STACK } from '../support/main.js';
import { newRun, syntheticDirectory } from '../run/support.js';

const scratch = mkdtempSync(join(tmpdir(), 'rollcall-disk-full-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const full = (path: string) => symlinkSync('/dev/full', path);

describe('ENOSPC at each place rollcall writes (a symlink to /dev/full)', () => {
  it('writeDurable (run.json, directory.json): DiskFullError naming the folder, no temporary file, no target', () => {
    const dir = mkdtempSync(join(scratch, 'durable-'));
    const target = join(dir, 'run.json');
    full(`${target}.tmp-${process.pid}`);
    expect(() => writeDurable(target, '{"id":"x"}')).toThrow(DiskFullError);
    expect(() => writeDurable(target, '{}')).not.toThrow(); // the symlink is gone with the failure
    expect(readdirSync(dir)).toEqual(['run.json']);
    try {
      full(`${target}.tmp-${process.pid}`);
      writeDurable(target, 'new');
    } catch (e) {
      expect(e).toBeInstanceOf(DiskFullError);
      expect((e as DiskFullError).message).toBe(`cannot write to ${dir}: no space left on its disk (ENOSPC)`);
      expect((e as DiskFullError).exitCode).toBe(1);
    }
    expect(readFileSync(target, 'utf8')).toBe('{}'); // the old content, whole
  });

  it('acquireLock: DiskFullError, no lock and no temporary file left', () => {
    const { runDir } = newRun(scratch, syntheticDirectory(2));
    full(join(runDir, `lock.${process.pid}.tmp`));
    expect(() => acquireLock(runDir, 'test')).toThrow(DiskFullError);
    expect(existsSync(runPaths(runDir).lock)).toBe(false);
    expect(readdirSync(runDir).filter((f) => f.startsWith('lock'))).toEqual([]);
    acquireLock(runDir, 'test').release(); // once there is space
  });

  it('EventLog.append: DiskFullError naming the run folder', () => {
    const { runDir } = newRun(scratch, syntheticDirectory(2));
    const events = runPaths(runDir).events;
    rmSync(events);
    full(events);
    const log = EventLog.open(events);
    try {
      expect(() => log.append({ type: 'run-started', runId: 'x' })).toThrow(`cannot write to ${runDir}: no space left on its disk (ENOSPC)`);
    } finally {
      log.close();
    }
  });

  it('saveMessage: DiskFullError, and no file is left for an event that was never written', async () => {
    const { runDir } = newRun(scratch, syntheticDirectory(2));
    const folder = RunFolder.open(runDir);
    full(join(runPaths(runDir).messages, 'imap-INBOX-1-1.eml'));
    await expect(folder.saveMessage('imap-INBOX-1-1.eml', 'From: a@b.example\r\n\r\nhi\r\n')).rejects.toThrow(DiskFullError);
    expect(readdirSync(runPaths(runDir).messages)).toEqual([]);
  });
});

/** A tmpfs of `kb` KB at a new mount point, or why there cannot be one here. */
function mountTmpfs(kb: number): { dir: string; resize(kb: number): void; fill(): { free(bytes?: number): void }; unmount(): void } | string {
  const dir = mkdtempSync(join(scratch, 'tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return `cannot mount a tmpfs here (${(r.stderr || r.error?.message || '').trim()})`;
  return {
    dir,
    resize(size) {
      expect(spawnSync('mount', ['-o', `remount,size=${size}k`, dir]).status).toBe(0);
    },
    /** Fills the disk to the last byte; free() gives back some (in whole pages) or all. */
    fill() {
      const path = join(dir, `filler-${Math.random().toString(36).slice(2)}`);
      const fd = openSync(path, 'w');
      const block = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
      }
      return {
        free(bytes?: number) {
          if (bytes === undefined) {
            closeSync(fd);
            rmSync(path);
          } else ftruncateSync(fd, Math.max(0, fstatSync(fd).size - bytes));
        },
      };
    },
    unmount() {
      spawnSync('umount', [dir]);
    },
  };
}

describe('a real full disk (tmpfs) under the CLI', () => {
  let fs: Exclude<ReturnType<typeof mountTmpfs>, string> | undefined;
  beforeAll(() => {
    const m = mountTmpfs(64);
    if (typeof m === 'string') console.warn(`SKIPPING the tmpfs tests: ${m} (the /dev/full tests above cover every place)`);
    else fs = m;
  });
  afterAll(() => fs?.unmount());

  it('run creation on a full disk: one line naming the folder, exit 1, nothing created', (ctx) => {
    if (!fs) return ctx.skip();
    const filler = fs.fill();
    try {
      const runs = join(fs.dir, 'runs');
      const r = rollcall(['demo', '--runs-dir', runs, '--speed', '50000']);
      expect(r.status).toBe(1);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr.trim()).toBe(`rollcall: cannot create a run folder in ${runs}; nothing was created: no space left on its disk (ENOSPC)`);
      expect(existsSync(runs) ? readdirSync(runs) : []).toEqual([]);
    } finally {
      filler.free();
    }
  });

  it('the lock, then the first event, on a full disk; resume finishes the run once there is space', async (ctx) => {
    if (!fs) return ctx.skip();
    fs.resize(8 * 1024);
    const { runDir } = newRun(join(fs.dir, 'by-hand'), syntheticDirectory(6), { windowSeconds: 3600, bucketSeconds: [900, 1800, 3600], sim: { seed: 3, speed: 50_000 } });
    const filler = fs.fill();
    const resume = () => rollcall(['resume', runDir]);
    const first = resume();
    expect(first.status, first.stderr).toBe(1);
    expect(first.stderr).not.toMatch(STACK);
    expect(first.stderr).toContain(`rollcall: cannot write to ${runDir}: no space left on its disk (ENOSPC)`);
    expect(readdirSync(runDir).filter((f) => f.startsWith('lock'))).toEqual([]);
    filler.free(4096); // room for the lock, not for the first event
    const second = resume();
    expect(second.status, second.stderr).toBe(1);
    expect(second.stderr).toContain(`rollcall: cannot write to ${runDir}: no space left on its disk (ENOSPC)`);
    expect(second.stderr).toContain(`the run stopped; nothing is lost`);
    expect(second.stderr).toMatch(/Free some space, then continue with: (node bin\/)?rollcall(\.js)? resume /);
    expect(readdirSync(runDir).filter((f) => f.startsWith('lock'))).toEqual([]);
    expect(readFileSync(runPaths(runDir).events, 'utf8')).toBe('');
    filler.free();
    const third = resume();
    expect(third.status, third.stderr).toBe(0);
    expect(readdirSync(runDir).filter((f) => f.startsWith('lock'))).toEqual([]);
    expect(readdirSync(runPaths(runDir).reports)).toHaveLength(3);
    const { events, warnings } = await readEvents(runPaths(runDir).events);
    expect(warnings).toEqual([]);
    expect(events.filter((e) => e.type === 'run-ended')).toHaveLength(1);
  });

  it('the disk fills up in the middle of a run: it stops cleanly, and resume after space is freed gives the figures of an uninterrupted run', async (ctx) => {
    if (!fs) return ctx.skip();
    const reference = rollcall(['demo', '--runs-dir', join(scratch, 'reference'), '--speed', '50000', '--seed', '5', '--json']);
    expect(reference.status, reference.stderr).toBe(0);
    const runs = join(fs.dir, 'mid-run');
    mkdirSync(runs);
    fs.resize(200); // the demo's run folder needs about 600 KB
    const r = rollcall(['demo', '--runs-dir', runs, '--speed', '50000', '--seed', '5']);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(STACK);
    const [id] = readdirSync(runs);
    const runDir = join(runs, id!);
    expect(r.stderr).toMatch(new RegExp(`rollcall: cannot write to ${runDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no space left on its disk \\(ENOSPC\\)`));
    // Nothing half-written: no lock, no temporary file, every line whole, every named file there.
    expect(readdirSync(runDir).filter((f) => f.startsWith('lock') || f.includes('.tmp'))).toEqual([]);
    const text = readFileSync(runPaths(runDir).events, 'utf8');
    expect(text === '' || text.endsWith('\n')).toBe(true);
    const { events } = await readEvents(runPaths(runDir).events);
    for (const e of events) if (e.type === 'message-received' && e.file) expect(existsSync(join(runDir, e.file)), e.file).toBe(true);
    expect(events.some((e) => e.type === 'run-ended')).toBe(false);

    fs.resize(8 * 1024);
    const resumed = rollcall(['resume', runDir]);
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(readdirSync(runDir).filter((f) => f.startsWith('lock'))).toEqual([]);
    expect(readdirSync(runPaths(runDir).reports)).toHaveLength(3);
    const after = (await readEvents(runPaths(runDir).events)).events;
    const sent = after.filter((e) => e.type === 'ping-sent').map((e) => (e as { pingId: string }).pingId);
    expect(new Set(sent).size).toBe(sent.length);
    const keys = after.filter((e) => e.type === 'message-received').map((e) => (e as { key: string }).key);
    expect(new Set(keys).size).toBe(keys.length);
    const stats = JSON.parse(rollcall(['stats', runDir, '--json']).stdout);
    const ref = JSON.parse(reference.stdout).stats;
    expect(stats.buckets.map((b: { responded: number }) => b.responded)).toEqual(ref.buckets.map((b: { responded: number }) => b.responded));
  });
});
