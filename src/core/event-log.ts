// The append-only event log of a run (events.jsonl): one JSON object a line, each written and
// flushed to disk (fdatasync) before append() returns, never rewritten.
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { InputError, storageError, type InputProblem } from './errors.js';
import { EVENT_VERSION, type EventInput, type RunEvent } from './events.js';
import { isoOf } from './instant.js';

export class EventLog {
  private fd: number | undefined;
  /** The log's size as far as this process can vouch for it: its size when its events were read
   * (expect()), plus what this log appended since. Undefined without a baseline, or once another
   * writer's bytes were seen (`rollcall mark` appends while a run runs). */
  private known: number | undefined;

  private constructor(
    readonly path: string,
    private readonly now: () => Date,
  ) {
    try {
      this.fd = openSync(path, 'a');
    } catch (e) {
      throw storageError(e, dirname(path));
    }
  }

  /** Opens (creating when missing) the log for appending. */
  static open(path: string, now: () => Date = () => new Date()): EventLog {
    return new EventLog(path, now);
  }

  /** Appends one event, stamped with `v` and `at`, and flushes it. Returns the written event. */
  append<E extends EventInput>(event: E): RunEvent {
    if (this.fd === undefined) throw new Error(`event log ${this.path} is closed`);
    const full = { v: EVENT_VERSION, at: isoOf(this.now()), ...event } as RunEvent;
    const text = JSON.stringify(full) + '\n';
    const line = Buffer.from(text);
    const size = fstatSync(this.fd).size;
    if (this.known !== undefined && size !== this.known) this.known = undefined;
    try {
      let off = 0;
      while (off < line.length) off += writeSync(this.fd, line, off);
      fdatasyncSync(this.fd);
      if (this.known !== undefined) this.known = size + line.length;
    } catch (e) {
      // A disk that filled up mid-line leaves part of it: cut it off, so that the event is not
      // recorded at all and a later append does not land after a broken line.
      try {
        ftruncateSync(this.fd, size);
      } catch {
        // not a regular file; resume drops an incomplete last line anyway
      }
      throw storageError(e, dirname(this.path));
    }
    // A received message's event as the log holds it, read back: its fields are cut from the raw
    // message (a Message-ID sliced from the headers kept the whole message alive in a large run).
    // Other events share their strings with the pings: kept as they are.
    return full.type === 'message-received' ? (JSON.parse(text) as RunEvent) : full;
  }

  /** Says the log had `size` bytes when the events folded from it were read (take the size
   * before reading: an append in between then counts as another writer's). */
  expect(size: number): void {
    this.known = size;
  }

  /** Nothing but this log was appended since the size given to expect(): the events read then
   * and the ones this log appended are the whole log. */
  onlyOwnAppends(): boolean {
    return this.fd !== undefined && this.known !== undefined && fstatSync(this.fd).size === this.known;
  }

  /** The log's size as far as this process can vouch for it (see `known`): undefined once another
   * writer appended, or without expect(). */
  vouchedSize(): number | undefined {
    return this.onlyOwnAppends() ? this.known : undefined;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

export interface ReadResult {
  events: RunEvent[];
  /** A truncated last line (a crash mid-write), tolerated. */
  warnings: InputProblem[];
}

/** The events of a log a chunk at a time (about a megabyte each), in log order; a truncated
 * last line is a warning, any other bad line an error, thrown once the events before it are
 * given. Lines are split here rather than by readline (a third of the time of `stats` on a large
 * run went to it), and nothing but the current chunk is held. */
async function* eventChunks(path: string, warnings: InputProblem[], start?: LogPosition): AsyncGenerator<RunEvent[]> {
  const fh = await open(path, 'r');
  try {
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    let carry: Buffer | undefined;
    let lineNo = start?.lines ?? 0;
    let position = start?.bytes ?? 0;
    let pending: { line: number; error: string } | undefined;
    const parse = (text: string, out: RunEvent[]) => {
      lineNo++;
      if (pending) throw new InputError([{ file: path, line: pending.line, message: `not a JSON event: ${pending.error}` }]);
      if (text.endsWith('\r')) text = text.slice(0, -1);
      if (text.trim() === '') return;
      let ev: unknown;
      try {
        ev = JSON.parse(text);
      } catch (e) {
        // Only the last line may be cut short; decide once we know whether more lines follow.
        pending = { line: lineNo, error: (e as Error).message };
        return;
      }
      const problem = checkEvent(ev);
      if (problem) throw new InputError([{ file: path, line: lineNo, field: problem.field, message: problem.message }]);
      out.push(ev as RunEvent);
    };
    const batch = function* (lines: string[]): Generator<RunEvent[]> {
      const out: RunEvent[] = [];
      try {
        for (const text of lines) parse(text, out);
      } catch (e) {
        if (out.length) yield out;
        throw e;
      }
      if (out.length) yield out;
    };
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let data = chunk.subarray(0, bytesRead);
      if (carry) data = Buffer.concat([carry, data]);
      const last = data.lastIndexOf(0x0a);
      if (last < 0) {
        carry = Buffer.from(data);
        continue;
      }
      // Whole lines only: a character cut by the chunk's end stays in the carry.
      carry = last + 1 < data.length ? Buffer.from(data.subarray(last + 1)) : undefined;
      // Decoded a piece of whole lines at a time: a string of a megabyte is allocated among the
      // long-lived objects and freed only by a full collection (the text of the whole log piled
      // up there, 90 MB of a 100,000-contact run's peak); a small one dies young.
      for (let pos = 0; pos <= last; ) {
        let end = data.lastIndexOf(0x0a, Math.min(last, pos + PIECE_BYTES));
        if (end < pos) end = data.indexOf(0x0a, pos); // a line longer than a piece
        yield* batch(data.toString('utf8', pos, end).split('\n'));
        pos = end + 1;
      }
    }
    if (carry && carry.length > 0) yield* batch([carry.toString('utf8')]);
    if (pending) warnings.push({ file: path, line: pending.line, message: 'last line is incomplete (the run stopped mid-write); ignored' });
  } finally {
    await fh.close();
  }
}

const CHUNK_BYTES = 1 << 20;
/** Under V8's limit for an object in the young generation (128 KB). */
const PIECE_BYTES = 1 << 16;

/** A place in a log at the start of a line: after its first `bytes` bytes, `lines` lines. */
export interface LogPosition {
  bytes: number;
  lines: number;
}

/** Calls `onEvent` for each event of a log (from `start`, else its first line), in log order, a
 * chunk read at a time (see streamEvents): what a fold over a large log uses, with no promise
 * per event. */
export async function forEachEvent(path: string, onEvent: (e: RunEvent) => void, warnings: InputProblem[] = [], start?: LogPosition): Promise<void> {
  for await (const events of eventChunks(path, warnings, start)) for (const e of events) onEvent(e);
}

/** Streams the events of a log; a truncated last line is a warning, any other bad line an error. */
export async function* streamEvents(path: string, warnings: InputProblem[] = []): AsyncGenerator<RunEvent> {
  for await (const events of eventChunks(path, warnings)) yield* events;
}

export async function readEvents(path: string): Promise<ReadResult> {
  if (!existsSync(path)) throw new InputError([{ file: path, message: 'no such file' }]);
  const warnings: InputProblem[] = [];
  const events: RunEvent[] = [];
  await forEachEvent(path, (e) => events.push(e), warnings);
  return { events, warnings };
}

/** The last timestamp found valid: events come in bursts that share one (a Date.parse per line
 * was a tenth of reading a large log). */
let lastValidAt = '';

function checkEvent(ev: unknown): { field?: string; message: string } | undefined {
  if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) return { message: 'not a JSON object' };
  const e = ev as Record<string, unknown>;
  if (e.v !== EVENT_VERSION) return { field: 'v', message: `unsupported event version ${JSON.stringify(e.v)} (expected ${EVENT_VERSION})` };
  if (typeof e.type !== 'string') return { field: 'type', message: 'missing event type' };
  if (typeof e.at !== 'string') return { field: 'at', message: 'missing or invalid timestamp' };
  if (e.at !== lastValidAt) {
    if (Number.isNaN(Date.parse(e.at))) return { field: 'at', message: 'missing or invalid timestamp' };
    lastValidAt = e.at;
  }
  return undefined;
}
