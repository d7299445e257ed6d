// One process per run: `<runDir>/lock` holds the pid, host and start of the process working on
// the run. It is created atomically (written under a temporary name, then hard-linked into place,
// which fails when a lock exists — O_EXCL semantics with the content already there). A lock whose
// process is gone from this host, or that was taken before this host last booted, is stale and
// taken over: by one process only, under a short-lived `lock.takeover` (itself linked into place),
// which moves the stale lock aside and checks that what it moved is the lock it judged stale
// before anyone may link a new one. Without it, two processes that both judged the same lock
// stale could each delete it, the second deleting the first one's fresh lock.
import { existsSync, linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { WorkError, storageError } from '../core/errors.js';
import { runPaths } from '../core/run-folder.js';

export interface LockInfo {
  pid: number;
  host: string;
  /** When the process took the lock (ISO 8601). */
  startedAt: string;
  command: string;
  /** Linux boot id: a lock from before a reboot is stale whatever its pid. */
  bootId?: string;
}

export type LockState =
  | { held: false }
  | { held: true; info: LockInfo; stale: false; text?: string }
  | { held: true; info: LockInfo | undefined; stale: true; why: string; text?: string };

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Reads a run's lock without touching it. */
export function inspectLock(runDir: string): LockState {
  const path = runPaths(runDir).lock;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { held: false };
  }
  let info: LockInfo | undefined;
  try {
    info = JSON.parse(text) as LockInfo;
  } catch {
    // A lock being written is linked into place whole, so an unreadable one is left by a crash.
    return { held: true, info: undefined, stale: true, why: 'the lock file is unreadable', text };
  }
  if (info.host !== hostname()) return { held: true, info, stale: false, text };
  const boot = bootId();
  if (info.bootId && boot && info.bootId !== boot) return { held: true, info, stale: true, why: 'taken before this machine restarted', text };
  if (!alive(info.pid)) return { held: true, info, stale: true, why: `process ${info.pid} is gone`, text };
  return { held: true, info, stale: false, text };
}

/** A takeover lasts microseconds; one older than this was left by a process that died in it. */
const TAKEOVER_STALE_MS = 10_000;

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Removes the stale lock whose content is `judged`, if it is still there, holding `lock.takeover`
 * meanwhile. Returns false when another process is taking over (the caller looks again).
 */
function removeStale(path: string, tmp: string, judged: string): boolean {
  const takeover = `${path}.takeover`;
  try {
    linkSync(tmp, takeover);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(takeover).mtimeMs > TAKEOVER_STALE_MS) unlinkSync(takeover);
    } catch {
      // gone meanwhile
    }
    pause(5);
    return false;
  }
  try {
    // Under the takeover no one else removes a lock, and no one can link a new one while this one
    // is there: if it is still the lock judged stale, it stays that until it is moved aside.
    let now: string;
    try {
      now = readFileSync(path, 'utf8');
    } catch {
      return true; // removed meanwhile (by a takeover that finished first): look again
    }
    if (now !== judged) return true; // another process took over first: look again
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return true;
      throw e;
    }
    // Verify what was moved: should it not be the lock judged stale (edited by hand meanwhile),
    // it goes back.
    if (readFileSync(aside, 'utf8') !== judged) {
      try {
        linkSync(aside, path);
      } catch {
        // a new lock was linked meanwhile: the next look judges it
      }
    }
    unlinkSync(aside);
    return true;
  } finally {
    try {
      unlinkSync(takeover);
    } catch {
      // already gone
    }
  }
}

/** Another live process works on the run (exit 1). */
export class RunLockedError extends WorkError {}

export interface RunLock {
  readonly path: string;
  /** A stale lock this one replaced (the previous process died). */
  readonly replaced?: LockInfo;
  release(): void;
}

/** Takes the run's lock or throws WorkError (exit 1) naming the process that holds it. */
export function acquireLock(runDir: string, command: string, now: Date = new Date()): RunLock {
  const path = runPaths(runDir).lock;
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: now.toISOString(), command };
  const boot = bootId();
  if (boot) info.bootId = boot;
  const tmp = `${path}.${process.pid}.tmp`;
  let replaced: LockInfo | undefined;
  try {
    try {
      writeFileSync(tmp, JSON.stringify(info) + '\n');
    } catch (e) {
      throw storageError(e, runDir);
    }
    for (let tries = 0; ; tries++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 200) throw storageError(e, runDir);
      }
      const held = inspectLock(runDir);
      if (!held.held) continue;
      if (!held.stale) {
        const who = held.info;
        throw new RunLockedError(
          `run ${runDir} is being worked on by process ${who.pid} on ${who.host} (${who.command}, since ${who.startedAt}); ` +
            `wait for it or stop it first. If that process is really gone, delete ${path}.`,
        );
      }
      if (held.text !== undefined && removeStale(path, tmp, held.text)) replaced = held.info;
      // (replaced names the stale lock even when another process removed it first.)
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  let released = false;
  return {
    path,
    ...(replaced ? { replaced } : {}),
    release() {
      if (released) return;
      released = true;
      try {
        const current = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
        if (current.pid === process.pid && current.host === info.host && existsSync(path)) unlinkSync(path);
      } catch {
        // nothing to release
      }
    },
  };
}
