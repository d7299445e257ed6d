// The append-only event log of a run (events.jsonl): one JSON object a line, each written and
// flushed to disk (fdatasync) before append() returns, never rewritten.
import { closeSync, fdatasyncSync, fstatSync, ftruncateSync, openSync, writeSync, createReadStream, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { InputError, storageError, type InputProblem } from './errors.js';
import { EVENT_VERSION, type EventInput, type RunEvent } from './events.js';

export class EventLog {
  private fd: number | undefined;

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
    const full = { v: EVENT_VERSION, at: this.now().toISOString(), ...event } as RunEvent;
    const line = Buffer.from(JSON.stringify(full) + '\n');
    const size = fstatSync(this.fd).size;
    try {
      let off = 0;
      while (off < line.length) off += writeSync(this.fd, line, off);
      fdatasyncSync(this.fd);
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
    return full;
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

/** Streams the events of a log; a truncated last line is a warning, any other bad line an error. */
export async function* streamEvents(path: string, warnings: InputProblem[] = []): AsyncGenerator<RunEvent> {
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNo = 0;
  let pending: { line: number; text: string; error: string } | undefined;
  for await (const text of rl) {
    lineNo++;
    if (pending) throw new InputError([{ file: path, line: pending.line, message: `not a JSON event: ${pending.error}` }]);
    if (text.trim() === '') continue;
    let ev: unknown;
    try {
      ev = JSON.parse(text);
    } catch (e) {
      // Only the last line may be cut short; decide once we know whether more lines follow.
      pending = { line: lineNo, text, error: (e as Error).message };
      continue;
    }
    const problem = checkEvent(ev);
    if (problem) throw new InputError([{ file: path, line: lineNo, field: problem.field, message: problem.message }]);
    yield ev as RunEvent;
  }
  if (pending) {
    warnings.push({ file: path, line: pending.line, message: 'last line is incomplete (the run stopped mid-write); ignored' });
  }
}

export async function readEvents(path: string): Promise<ReadResult> {
  if (!existsSync(path)) throw new InputError([{ file: path, message: 'no such file' }]);
  const warnings: InputProblem[] = [];
  const events: RunEvent[] = [];
  for await (const e of streamEvents(path, warnings)) events.push(e);
  return { events, warnings };
}

function checkEvent(ev: unknown): { field?: string; message: string } | undefined {
  if (typeof ev !== 'object' || ev === null || Array.isArray(ev)) return { message: 'not a JSON object' };
  const e = ev as Record<string, unknown>;
  if (e.v !== EVENT_VERSION) return { field: 'v', message: `unsupported event version ${JSON.stringify(e.v)} (expected ${EVENT_VERSION})` };
  if (typeof e.type !== 'string') return { field: 'type', message: 'missing event type' };
  if (typeof e.at !== 'string' || Number.isNaN(Date.parse(e.at))) return { field: 'at', message: 'missing or invalid timestamp' };
  return undefined;
}
