// Folders the user names for output (--out, --runs-dir, templates init): made as `mkdir -p` makes
// them, with a plain error naming the path when they cannot be (a file in the way, no permission,
// a read-only or full disk), instead of a stack trace. Made a level at a time: Node's recursive
// mkdir spins forever on a path under /proc.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DiskFullError, RollcallError, EXIT } from './errors.js';

/** Why a path could not be used, in words, for the errors Node gives when the place is wrong. */
const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a file is in the way (not a folder)',
  EISDIR: 'is a folder, not a file',
  EEXIST: 'a file is in the way (not a folder)',
  ENOENT: 'cannot be created there',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
};

/** Node's error codes that say the place given is not usable (not a bug of rollcall's). */
export function isPathProblem(e: unknown): e is NodeJS.ErrnoException & { code: string } {
  const code = (e as NodeJS.ErrnoException)?.code;
  return typeof code === 'string' && code in REASONS;
}

/** A path the user gave cannot be used: one line naming it, exit 2 (the command could not start). */
export class PathError extends RollcallError {
  constructor(
    readonly path: string,
    reason: string,
    what: string,
  ) {
    super(`${what} ${path}: ${reason}`, EXIT.cannotStart);
  }
}

/** The PathError (or DiskFullError) for a Node error met writing at `path`; anything else as it is. */
export function pathError(e: unknown, path: string, what: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new DiskFullError(path, code, `${what} ${path}`);
  return isPathProblem(e) ? new PathError(path, REASONS[e.code]!, what) : e;
}

/**
 * Makes the folder `dir` and whatever parents it lacks. `what` says what it is for, in the error:
 * `--out: cannot write to` → "--out: cannot write to reports/x: a file is in the way (not a folder)".
 */
export function makeFolder(dir: string, what: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let isDir: boolean | undefined;
    try {
      isDir = statSync(at).isDirectory();
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // ENOTDIR: a file among the parents; the walk up finds which.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw pathError(e, dir, what);
    }
    if (isDir === true) break;
    if (isDir === false) throw new PathError(dir, at === resolve(dir) ? 'is a file, not a folder' : `${at} is a file, not a folder`, what);
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (e) {
      // Made meanwhile by another process: fine.
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw pathError(e, dir, what);
    }
  }
}
