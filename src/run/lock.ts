// One process per run: `<runDir>/lock` holds the pid, host and start of the process working on
// the run. It is created atomically (written under a temporary name, then hard-linked into place,
// which fails when a lock exists — O_EXCL semantics with the content already there). A lock whose
// process is gone from this host, or that was taken before this host last booted, is stale and
// taken over.
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { WorkError } from '../core/errors.js';
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
  | { held: true; info: LockInfo; stale: false }
  | { held: true; info: LockInfo | undefined; stale: true; why: string };

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
    return { held: true, info: undefined, stale: true, why: 'the lock file is unreadable' };
  }
  if (info.host !== hostname()) return { held: true, info, stale: false };
  const boot = bootId();
  if (info.bootId && boot && info.bootId !== boot) return { held: true, info, stale: true, why: 'taken before this machine restarted' };
  if (!alive(info.pid)) return { held: true, info, stale: true, why: `process ${info.pid} is gone` };
  return { held: true, info, stale: false };
}

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
  writeFileSync(tmp, JSON.stringify(info) + '\n');
  let replaced: LockInfo | undefined;
  try {
    for (let tries = 0; ; tries++) {
      try {
        linkSync(tmp, path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries >= 3) throw e;
      }
      const held = inspectLock(runDir);
      if (!held.held) continue;
      if (!held.stale) {
        const who = held.info;
        throw new WorkError(
          `run ${runDir} is being worked on by process ${who.pid} on ${who.host} (${who.command}, since ${who.startedAt}); ` +
            `wait for it or stop it first. If that process is really gone, delete ${path}.`,
        );
      }
      replaced = held.info;
      try {
        unlinkSync(path);
      } catch {
        // another process took it over first: the next link attempt tells
      }
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
