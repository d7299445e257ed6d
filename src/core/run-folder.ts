// The run folder (docs/architecture.md, "The run folder"): where everything a run knows lives,
// on disk. RunFolder is the one reader and writer of its plan, directory snapshot, event log and
// raw messages; the lock and the reports are written by their own modules at the paths it names.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { mkdir, open, unlink } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { makeFolder, pathError } from './make-folder.js';
import { basename, dirname, join } from 'node:path';
import type { Directory } from './directory.js';
import { InputError, storageError } from './errors.js';
import { EventLog, forEachEvent, readEvents, streamEvents, type ReadResult } from './event-log.js';
import { applyEvent, emptyRunState, heldEvent, type RunState } from './run-state.js';
import type { ChannelName, EventInput, RunEvent } from './events.js';
import type { InputProblem } from './errors.js';

/** run.json: the plan of a run, written once when the run is created. */
export interface RunPlan {
  id: string;
  /** Tool version that created it. */
  version: string;
  createdAt: string;
  /** Planned start (ISO 8601 UTC). With --between it stays secret from the output until then. */
  startAt: string;
  /** How --at/--between was given, for the record. */
  schedule: { kind: 'now' | 'at' | 'between'; tz: string; between?: string; on?: string };
  windowSeconds: number;
  bucketSeconds: number[];
  channels: ChannelName[];
  includeObservers: boolean;
  /** sha256 of directory.json. */
  directoryHash: string;
  /** Source file of the directory, as given. */
  directoryFile: string;
  network: string;
  /** IMAP folders watched. */
  folders: string[];
  /** The secretariat's own zone, for reports. */
  tz: string;
  /** True for `rollcall demo` (simulated contact points). */
  simulated?: boolean;
  /** The demo's simulated contact points (seed) and its pace, so that `resume` goes on with the
   * same ones. */
  sim?: { seed: number; speed: number };
  /** The office's ping templates as they were when the run was created (language → kind →
   * text), so that every ping of the run says the same thing, also after a resume. */
  templates?: Record<string, Record<string, string>>;
  /** Addresses told by e-mail when the run starts, stops on an error and ends (--notify). */
  notify?: string[];
  /** How answers whose origin fails authentication count (docs/authenticity.md): `report`
   * (default) counts and lists them, `require` counts them for nothing. */
  authenticity?: 'report' | 'require';
  /** Where Twilio reaches the webhook server, and its local port, so that `resume` listens for
   * key presses and statuses again without being told. */
  publicUrl?: string;
  webhookPort?: number;
}

export const runPaths = (runDir: string) => ({
  plan: join(runDir, 'run.json'),
  directory: join(runDir, 'directory.json'),
  events: join(runDir, 'events.jsonl'),
  /** The fold of the log's first bytes, as the statistics hold it (src/stats/checkpoint.ts). */
  checkpoint: join(runDir, 'events.checkpoint'),
  messages: join(runDir, 'messages'),
  lock: join(runDir, 'lock'),
  /** Output of a detached run (`run --detach`) and of the service that resumes it. */
  log: join(runDir, 'run.log'),
  reports: join(runDir, 'reports'),
});

export type RunPaths = ReturnType<typeof runPaths>;

export class RunFolder {
  readonly paths: RunPaths;
  private planCache: RunPlan | undefined;
  private directoryCache: Directory | undefined;

  private constructor(
    /** Absolute (or as given) path of the folder. */
    readonly dir: string,
    /** How the user named it, for messages. */
    readonly label: string = dir,
  ) {
    this.paths = runPaths(dir);
  }

  /** An existing run folder; InputError when it is missing or holds neither run.json nor
   * events.jsonl (a folder copied without its plan can still be inspected and marked). */
  static open(dir: string, label: string = dir): RunFolder {
    let isDir = false;
    try {
      isDir = statSync(dir).isDirectory();
    } catch {
      throw new InputError([{ file: label, message: 'no such run folder' }]);
    }
    if (!isDir) throw new InputError([{ file: label, message: 'not a run folder (a file)' }]);
    const folder = new RunFolder(dir, label);
    if (!existsSync(folder.paths.plan) && !existsSync(folder.paths.events)) {
      throw new InputError([{ file: label, message: 'not a run folder: it has no run.json and no events.jsonl' }]);
    }
    return folder;
  }

  /** A folder object without checking what is there (a folder being filled, a scratch folder). */
  static at(dir: string): RunFolder {
    return new RunFolder(dir);
  }

  /** Whether `dir` looks like a run folder (run.json or events.jsonl), without reading it. */
  static isRunFolder(dir: string): boolean {
    try {
      return statSync(dir).isDirectory() && (existsSync(runPaths(dir).plan) || existsSync(runPaths(dir).events));
    } catch {
      return false;
    }
  }

  /**
   * Creates a new run folder under `runsDir` named by `newId()` (tried again when the id is
   * taken): directory.json first, then an empty events.jsonl and messages/, then run.json last,
   * so that a folder with a plan is a complete run folder.
   */
  static create(runsDir: string, newId: () => string, content: { directoryText: () => Iterable<string>; plan: (id: string, directoryHash: string) => RunPlan }): RunFolder {
    const notCreated = `cannot create a run folder in ${runsDir}; nothing was created`;
    try {
      makeFolder(runsDir, 'cannot create a run folder in');
    } catch (e) {
      throw storageError(e, runsDir, notCreated);
    }
    let id = '';
    let dir = '';
    for (let tries = 0; ; tries++) {
      id = newId();
      dir = join(runsDir, id);
      try {
        mkdirSync(dir); // not recursive: fails when the id is taken
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || tries > 20) throw storageError(pathError(e, runsDir, 'cannot create a run folder in'), runsDir, notCreated);
      }
    }
    const folder = new RunFolder(dir);
    try {
      const directoryHash = writeDurable(folder.paths.directory, content.directoryText());
      mkdirSync(folder.paths.messages);
      writeDurable(folder.paths.events, '');
      const plan = content.plan(id, directoryHash);
      writeDurable(folder.paths.plan, JSON.stringify(plan, null, 2) + '\n');
      folder.planCache = plan;
    } catch (e) {
      // A folder without its plan is no run: `resume` could not use it. Nothing is left.
      rmSync(dir, { recursive: true, force: true });
      throw storageError(e, runsDir, notCreated);
    }
    return folder;
  }

  get id(): string {
    return this.planCache?.id ?? basename(this.dir);
  }

  plan(): RunPlan {
    this.planCache ??= readJson<RunPlan>(this.paths.plan, 'run.json');
    return this.planCache;
  }

  /** The directory snapshot that was tested (directory.json). */
  directory(): Directory {
    this.directoryCache ??= checkSnapshot(readJson<Directory>(this.paths.directory, 'directory.json'), this.paths.directory);
    return this.directoryCache;
  }

  hasDirectory(): boolean {
    return existsSync(this.paths.directory);
  }

  hasEvents(): boolean {
    return existsSync(this.paths.events);
  }

  /** Every event of the log (a truncated last line is a warning). */
  async events(): Promise<ReadResult> {
    if (!this.hasEvents()) return { events: [], warnings: [] };
    return readEvents(this.paths.events);
  }

  /** The events folded as they are read (foldEventLog); a run without a log yet: empty. */
  async foldEvents(): Promise<RunState> {
    return this.hasEvents() ? foldEventLog(this.paths.events) : emptyRunState();
  }

  /** The events one at a time, for logs too big to hold. */
  streamEvents(warnings: InputProblem[] = []): AsyncGenerator<RunEvent> {
    return streamEvents(this.paths.events, warnings);
  }

  /** The log opened for appending (the engine, for a sitting). */
  openLog(now: () => Date = () => new Date()): EventLog {
    return EventLog.open(this.paths.events, now);
  }

  /** Appends one event with one O_APPEND write (safe beside a running process): `rollcall mark`. */
  appendEvent<E extends EventInput>(event: E, now: Date = new Date()): RunEvent {
    const log = EventLog.open(this.paths.events, () => now);
    try {
      return log.append(event);
    } finally {
      log.close();
    }
  }

  /** Writes a raw message under messages/ and flushes it to disk before the event that names it
   * is recorded; returns its path relative to the run folder (`messages/<name>`). */
  async saveMessage(name: string, data: Buffer | string): Promise<string> {
    // Names come from message keys made safe by the channel (safeFileName); never a path.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(name)) throw new Error(`not a safe message file name: ${JSON.stringify(name)}`);
    const safe = name;
    const path = join(this.paths.messages, safe);
    try {
      // messages/ is made when the folder is; only a missing one is made again here (a mkdir
      // per message was a tenth of a 100,000-contact demo).
      const fh = await open(path, 'w').catch(async (e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
        await mkdir(dirname(path), { recursive: true });
        return open(path, 'w');
      });
      try {
        await fh.writeFile(data);
        await fh.datasync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      // No event names a file that failed: the watcher reads the message again on resume.
      await unlink(path).catch(() => undefined);
      throw storageError(e, this.dir);
    }
    return `messages/${safe}`;
  }

  /** Absolute path of a file named in an event (`messages/<name>`). */
  resolve(relative: string): string {
    return join(this.dir, relative);
  }
}

/** `imap:Junk/Spam:1717:42.eml` → `imap-Junk_2fSpam-1717-42.eml`: safe and distinct file names. */
export function safeFileName(name: string): string {
  return name.replace(/[^A-Za-z0-9.-]/g, (c) => (c === ':' ? '-' : `_${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

/** Writes a file through a temporary name and fsync, so that a crash leaves the old or the new
 * content, never half of it; `text` whole or in pieces (written about 64 KB at a time). Returns
 * the SHA-256 of what it wrote. */
export function writeDurable(path: string, text: string | Iterable<string>): string {
  const tmp = `${path}.tmp-${process.pid}`;
  const hash = createHash('sha256');
  try {
    const fd = openSync(tmp, 'w');
    try {
      const write = (piece: string) => {
        const bytes = Buffer.from(piece);
        hash.update(bytes);
        for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      };
      if (typeof text === 'string') write(text);
      else {
        let pending = '';
        for (const piece of text) {
          pending += piece;
          if (pending.length >= 1 << 16) {
            write(pending);
            pending = '';
          }
        }
        write(pending);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    return hash.digest('hex');
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // not created, or renamed already
    }
    throw storageError(e, dirname(path));
  }
}

function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError([{ file: path, message: code === 'ENOENT' ? `no ${what} here: not a run folder` : `cannot read ${what} (${code})` }]);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new InputError([{ file: path, message: `${what} is not valid JSON: ${(e as Error).message}` }]);
  }
}

/** A snapshot edited by hand (or cut short) is refused with where, not a crash later. */
function checkSnapshot(d: Directory, file: string): Directory {
  if (typeof d !== 'object' || d === null || !Array.isArray(d.parties)) {
    throw new InputError([{ file, field: 'parties', message: 'missing: not a directory snapshot' }]);
  }
  d.parties.forEach((p, i) => {
    if (typeof p?.iso !== 'string' || typeof p.country !== 'string' || !Array.isArray(p.contacts))
      throw new InputError([{ file, field: `parties[${i}]`, message: 'needs country, iso and contacts' }]);
  });
  return d;
}

export interface FoldOptions {
  /** How each event is held in the state being folded (made for that state); default: messages
   * lean with their file names (heldEvent), what `mark` and `inspect --run` read. */
  hold?: (state: RunState) => (e: RunEvent) => RunEvent;
  /** Sees every event as written, before it is held. */
  observe?: (e: RunEvent) => void;
  /** Collects the problems that are not errors (a truncated last line, left out). */
  warnings?: InputProblem[];
  /** Goes on from the fold of the log's first `bytes` bytes (`lines` lines): a checkpoint. */
  from?: { state: RunState; bytes: number; lines: number };
}

/** The events of a log folded as they are read, never held whole: `mark`, `inspect --run`, and
 * (slimmed further) `stats` and `status`. */
export async function foldEventLog(path: string, opts: FoldOptions = {}): Promise<RunState> {
  if (!existsSync(path)) throw new InputError([{ file: path, message: 'no such file' }]);
  const state = opts.from?.state ?? emptyRunState();
  const hold = opts.hold ? opts.hold(state) : (e: RunEvent) => heldEvent(e, true);
  const { observe } = opts;
  await forEachEvent(
    path,
    observe
      ? (e) => {
          observe(e);
          applyEvent(state, hold(e));
        }
      : (e) => applyEvent(state, hold(e)),
    opts.warnings,
    opts.from,
  );
  return state;
}
