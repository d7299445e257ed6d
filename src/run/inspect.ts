// `rollcall inspect`: how one message is classified and matched, and why — its class, its arrival
// time, the ping of a run it answers (or the other test it belongs to), how the run recorded it
// and the marks made on it. The CLI only prints what this decides.
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Directory } from '../core/directory.js';
import { InputError } from '../core/errors.js';
import type { MessageReceivedEvent, OverrideEvent } from '../core/events.js';
import { foldEventLog, RunFolder } from '../core/run-folder.js';
import type { RunState } from '../core/run-state.js';
import { arrivalFromHeaders, classifyParsed, hasHeaderBlock, parseMessage, unparsedClassification, type Classification, type ParsedMessage } from '../mail/classify.js';
import { OtherRuns } from './other-runs.js';
import { pingIndexFromState } from './run-pings.js';

/** A run a message is matched against: a run folder, or an events.jsonl given alone. */
export interface InspectedRun {
  /** As the user named it. */
  label: string;
  dir: string;
  /** The run's events, folded once (src/core/run-state.ts). */
  state: RunState;
  directory?: Directory;
}

export interface Inspection {
  classification: Classification;
  /** The parser gave up on the message (too big, too many parts): a run records it as unrelated. */
  unparsed: boolean;
  /** When it arrived, and from what that is known. */
  arrival?: { at: Date; source: string };
  /** When the ping it answers was sent. */
  sentAt?: Date;
  /** Arrival minus sending, in seconds (never negative). */
  responseSeconds?: number;
  /** The run that sent the ping of another test it answers, when that run is a folder beside this one. */
  otherRun?: string;
  /** How the run recorded this very file, if it did. */
  recorded?: MessageReceivedEvent;
  /** Marks made on the message or on the contact point it answers for. */
  overrides: OverrideEvent[];
}

/** The message file's bytes, or an InputError naming the file when it is none. */
export async function readMessageFile(fileArg: string, cwd: string): Promise<{ file: string; raw: Buffer }> {
  const file = resolve(cwd, fileArg);
  if (!existsSync(file)) throw new InputError([{ file: fileArg, message: 'no such message file' }]);
  if (!statSync(file).isFile()) throw new InputError([{ file: fileArg, message: 'is a folder, not a message file (give one .eml file)' }]);
  const raw = await readFile(file);
  if (!hasHeaderBlock(raw)) throw new InputError([{ file: fileArg, message: 'not an e-mail message: no header block (a message starts with lines such as From:, Date:, Subject:)' }]);
  return { file, raw };
}

/** A run folder or an events.jsonl, read once. */
export async function openInspectedRun(arg: string, cwd: string): Promise<InspectedRun> {
  const path = resolve(cwd, arg);
  if (!existsSync(path)) throw new InputError([{ file: arg, message: 'no such run folder or events.jsonl' }]);
  if (statSync(path).isDirectory()) {
    const folder = RunFolder.open(path, arg);
    return { label: arg, dir: folder.dir, state: await folder.foldEvents(), ...(folder.hasDirectory() ? { directory: folder.directory() } : {}) };
  }
  // An events.jsonl given alone: its folder's directory.json names the contact points, if there.
  const dir = dirname(path);
  const run: InspectedRun = { label: arg, dir, state: await foldEventLog(path) };
  const folder = RunFolder.at(dir);
  if (folder.hasDirectory()) run.directory = folder.directory();
  return run;
}

/** Classifies the message at `file` as a run would, and matches it against `run`'s pings. */
export async function inspectMessage(raw: Buffer, file: string, run: InspectedRun | undefined, opts: { ownAddress?: string } = {}): Promise<Inspection> {
  let msg: ParsedMessage | undefined;
  let unparsed: Classification | undefined;
  try {
    msg = await parseMessage(raw);
  } catch (e) {
    // Too big for the parser (a 2 MB header, thousands of parts): a run records it as unrelated
    // with the parser's words, and so does inspect.
    unparsed = unparsedClassification(e);
  }
  // A message this run recorded keeps the arrival time the watcher read (INTERNALDATE).
  const recorded = run?.state.messages.find((e) => e.file !== undefined && resolve(run.dir, e.file) === file);
  let arrival: Inspection['arrival'];
  if (recorded) arrival = { at: new Date(recorded.receivedAt), source: `IMAP INTERNALDATE, as recorded by the run (${recorded.key})` };
  else if (msg) {
    const at = arrivalFromHeaders(msg);
    if (at) arrival = { at, source: msg.headers.get('received') ? 'topmost Received header' : 'Date header (no Received header)' };
  }
  const pings = run ? pingIndexFromState(run.state, run.directory) : undefined;
  const own = opts.ownAddress;
  const c = msg ? classifyParsed(msg, { ...(pings ? { pings } : {}), ...(arrival ? { receivedAt: arrival.at } : {}), ...(own ? { ownAddress: own } : {}) }) : unparsed!;
  const sentAt = c.pingId ? pings?.sentAt(c.pingId) : undefined;
  // An answer to another test: which run sent that ping, when it is a folder beside this one.
  const otherRun = c.otherTest && run ? await new OtherRuns(run.dir).find(c.otherTest.token) : undefined;
  const overrides = run?.state.overrides.filter((e) => (recorded && e.messageKey === recorded.key) || (c.ping !== undefined && e.contactId === c.ping.contactId)) ?? [];
  return {
    classification: c,
    unparsed: unparsed !== undefined,
    ...(arrival ? { arrival } : {}),
    ...(sentAt ? { sentAt } : {}),
    ...(sentAt && arrival ? { responseSeconds: Math.max(0, (arrival.at.getTime() - sentAt.getTime()) / 1000) } : {}),
    ...(otherRun ? { otherRun } : {}),
    ...(recorded ? { recorded } : {}),
    overrides,
  };
}
