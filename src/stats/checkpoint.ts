// The checkpoint of a run folder (events.checkpoint): the fold of events.jsonl up to a byte
// offset, as the statistics hold it, and the run's directory as they count it, written by the
// process that ran the run when its window closed. `rollcall stats` and `rollcall report` read it
// instead of parsing the log's first bytes again (JSON.parse of a 100,000-contact run's 96 MB
// log alone took as long as the whole of `stats` on a reply log of as many rows), then fold the
// rest of the log (a `rollcall mark` made later) onto it.
//
// The log stays the truth. A checkpoint counts only while everything it was made from is
// unchanged: the log's first `bytes` bytes (SHA-1), directory.json (SHA-256, the plan's
// `directoryHash`: the file the run's directory was made from, not whatever it holds when the
// window closes), the tool version, the run's channels. Anything else (missing, cut short, another version, a log edited
// by hand) and the log is folded from its first line, as without a checkpoint. Nothing reads it
// but the statistics; deleting it loses nothing.
//
// The file: a header line, then one JSON value a line, in the header's `columns` order. The
// state is held in columns (a ping's fields each in an array of their own; repeated words such
// as timestamps, countries and classes as numbers into one table of words): JSON.parse of
// arrays of strings and numbers is many times faster than of an object per event.
import { closeSync, openSync, readFileSync, readSync, renameSync, statSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import type { Directory } from '../core/directory.js';
import type {
  ChannelName,
  DeliveryStatusEvent,
  MessageClass,
  MessageReceivedEvent,
  OverrideEvent,
  PingFailedEvent,
  PingStartedEvent,
  TestProblemEvent,
  WatchCursorEvent,
} from '../core/events.js';
import { EVENT_VERSION } from '../core/events.js';
import { runPaths } from '../core/run-folder.js';
import { toolVersion } from '../core/version.js';
import { hasWorker, workerReply } from '../core/worker-reply.js';
import { heapTick } from '../core/heap-governor.js';
import { emptyRunState, type PingRecord, type PingSendState, type RunState } from '../core/run-state.js';
import { fromWire, partyToWire, WordTable, type WireDirectory } from './counting-directory.js';
import type { PingColumns, StatsInput } from './run-rows.js';
import { digests, prefixDigest, type DigestRequest, type Digests } from './log-digest.js';

/** Bumped when the columns change. */
const FORMAT = 2;

export interface CheckpointHeader {
  checkpoint: typeof FORMAT;
  /** The rollcall version that wrote it: another one may fold the log differently. */
  version: string;
  /** The channels the counting directory was slimmed for (the run's). */
  channels: ChannelName[];
  /** What of events.jsonl it folds: its first `bytes` bytes, `lines` lines. */
  log: { bytes: number; lines: number; sha1: string };
  /** SHA-256 of the directory.json its directory column was made from (run.json's directoryHash). */
  directory: { sha256: string };
  columns: string[];
}

/** The state a checkpoint holds as the statistics read it, and the run's start and end. */
export interface CheckpointRows {
  /** The state as the statistics read it, straight from the columns: no record per ping or
   * message, no map of ping ids. */
  input(): StatsInput;
  /** The run's start and end (run-started, run-ended). */
  startedAt?: Date;
  endedAt?: Date;
}

/** A checkpoint read back: the state folded from the log's first `bytes` bytes (`lines` lines). */
export interface Checkpoint extends CheckpointRows {
  /** The state as forStatistics folds it: made when first read (what the log after the
   * checkpoint is folded onto). */
  readonly state: RunState;
  directory: Directory;
  bytes: number;
  lines: number;
}

/** The reasons of every message as the statistics hold them: none (no figure reads them). */
const NO_REASONS: string[] = [];

/** The rarely set fields of a row, by row number: [[row, fields], ...]. */
type Rare<T> = Array<[number, T]>;

interface PingRare {
  lastFailure?: PingFailedEvent;
  uncertainSince?: string;
}

interface MessageRare {
  from?: string;
  subject?: string;
  /** A ping id that names none of the run's pings. */
  pingId?: string;
  bounce?: MessageReceivedEvent['bounce'];
  otherTest?: MessageReceivedEvent['otherTest'];
  authenticity?: MessageReceivedEvent['authenticity'];
}

interface Columns {
  run: { runId?: string; startedAt?: string; endedAt?: string; endReason?: RunState['endReason']; ignored: number; count: number };
  words: string[];
  pingId: string[];
  contactId: string[];
  address: string[];
  pingAt: number[];
  iso: number[];
  pingChannel: number[];
  attempt: number[];
  firstStartedAt: number[];
  sendState: number[];
  sentAt: number[];
  pingRare: Rare<PingRare>;
  key: string[];
  messageAt: number[];
  messageChannel: number[];
  receivedAt: number[];
  folder: number[];
  messageClass: number[];
  messagePing: number[];
  messageRare: Rare<MessageRare>;
  finalStatus: DeliveryStatusEvent[];
  phoneEvents: Array<[string, Array<DeliveryStatusEvent | PingFailedEvent>]>;
  testProblems: TestProblemEvent[];
  overrides: OverrideEvent[];
  cursors: WatchCursorEvent[];
  directory: JsonDirectory | undefined;
}

const COLUMNS: Array<keyof Columns> = [
  'run',
  'words',
  'pingId',
  'contactId',
  'address',
  'pingAt',
  'iso',
  'pingChannel',
  'attempt',
  'firstStartedAt',
  'sendState',
  'sentAt',
  'pingRare',
  'key',
  'messageAt',
  'messageChannel',
  'receivedAt',
  'folder',
  'messageClass',
  'messagePing',
  'messageRare',
  'finalStatus',
  'phoneEvents',
  'testProblems',
  'overrides',
  'cursors',
  'directory',
];

/** Above this many bytes the log is hashed in a worker thread, beside the parsing of the
 * checkpoint (below, starting one costs more than it saves). */
const WORKER_BYTES = 8 << 20;
const DIGEST_WORKER_URL = new URL('./digest-worker.js', import.meta.url);

/** What a checkpoint is checked against (the log's first bytes, directory.json), in a worker
 * when the log is large; undefined when a file is missing or shorter. */
async function digestsFor(request: DigestRequest): Promise<Digests | undefined> {
  if (request.bytes < WORKER_BYTES || !hasWorker(DIGEST_WORKER_URL)) return digests(request);
  return (await workerReply<Digests | null>(DIGEST_WORKER_URL, request, 'the checkpoint check')) ?? undefined;
}

/**
 * Writes the checkpoint of a run folder: `state`, the fold of the log's first `logBytes` bytes
 * (the engine's state when nothing but its own sitting appended), and `directory`, the run's
 * directory as the statistics count it (forCounting for `channels`), made from the directory.json
 * whose SHA-256 is `directoryHash` (run.json's). Through a temporary file
 * and a rename: a stop halfway leaves the old checkpoint or none. Best effort: a checkpoint is
 * never needed, so a failure (a full disk) leaves none and is not an error of the run.
 * Returns the rows it wrote, as `rollcall stats` reads them back (the state can be let go then:
 * they hold a fraction of it), or undefined when it wrote none.
 */
export async function writeCheckpoint(
  runDir: string,
  state: RunState,
  directory: Directory,
  directoryHash: string,
  channels: readonly ChannelName[],
  logBytes: number,
): Promise<CheckpointRows | undefined> {
  const paths = runPaths(runDir);
  const tmp = `${paths.checkpoint}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    const log = await prefixDigest(paths.events, logBytes);
    if (!log) return undefined;
    const header: CheckpointHeader = {
      checkpoint: FORMAT,
      version: toolVersion(),
      channels: [...channels],
      log: { bytes: logBytes, lines: log.lines, sha1: log.hex },
      directory: { sha256: directoryHash },
      columns: COLUMNS,
    };
    fd = openSync(tmp, 'w');
    writeSync(fd, JSON.stringify(header) + '\n');
    // A column at a time, the directory's a party at a time: the text of the whole checkpoint,
    // or of its directory (6 MB at 100,000 contact points), is never held.
    const columns = encode(state);
    for (const name of COLUMNS) {
      if (name === 'directory') writeDirectory(fd, directory);
      else writeSync(fd, JSON.stringify(columns[name]) + '\n');
      heapTick();
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, paths.checkpoint);
    return {
      input: () => decodeInput(columns),
      ...(state.startedAt ? { startedAt: state.startedAt } : {}),
      ...(state.endedAt ? { endedAt: state.endedAt } : {}),
    };
  } catch {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // never made
    }
    return undefined;
  }
}

/** The run folder's checkpoint when it holds for the folder as it is now (see the top of this
 * file), else undefined: the caller folds the whole log. */
export async function readCheckpoint(runDir: string, channels: readonly ChannelName[]): Promise<Checkpoint | undefined> {
  const paths = runPaths(runDir);
  let digest: Promise<Digests | undefined> | undefined;
  try {
    const header = readHeader(paths.checkpoint);
    if (!header || header.checkpoint !== FORMAT || header.version !== toolVersion()) return undefined;
    if (header.channels.join(',') !== channels.join(',')) return undefined;
    if (header.columns.join(',') !== COLUMNS.join(',')) return undefined;
    if (statSync(paths.events).size < header.log.bytes) return undefined;
    // The log's first bytes and the directory are read and hashed (in a worker when the log is
    // large) while the columns are parsed.
    digest = digestsFor({ path: paths.events, bytes: header.log.bytes, whole: paths.directory }).catch(() => undefined);
    const lines = readFileSync(paths.checkpoint, 'utf8').split('\n');
    if (lines.length < COLUMNS.length + 1) return undefined;
    const columns = {} as Columns;
    COLUMNS.forEach((name, i) => {
      (columns as unknown as Record<string, unknown>)[name] = JSON.parse(lines[i + 1]!);
      lines[i + 1] = '';
    });
    const held = await digest;
    if (!held || held.log !== header.log.sha1) return undefined;
    if (held.whole !== header.directory.sha256) return undefined;
    let state: RunState | undefined;
    return {
      get state() {
        return (state ??= decodeState(columns));
      },
      input: () => decodeInput(columns),
      ...(columns.run.startedAt ? { startedAt: new Date(columns.run.startedAt) } : {}),
      ...(columns.run.endedAt ? { endedAt: new Date(columns.run.endedAt) } : {}),
      directory: decodeDirectory(columns.directory!),
      bytes: header.log.bytes,
      lines: header.log.lines,
    };
  } catch {
    // Missing, cut short or not ours: the log is folded instead.
    return undefined;
  } finally {
    // A checkpoint refused before its hash came back: the hash is waited for all the same (a
    // worker left running would hold the process).
    await digest;
  }
}

/** The checkpoint's first line, parsed (it is short: read without the columns after it). */
function readHeader(path: string): CheckpointHeader | undefined {
  const fd = openSync(path, 'r');
  try {
    const pieces: Buffer[] = [];
    for (let pos = 0; pos < 1 << 20; ) {
      const piece = Buffer.allocUnsafe(64 << 10);
      const n = readSync(fd, piece, 0, piece.length, pos);
      if (n === 0) return undefined;
      const end = piece.subarray(0, n).indexOf(0x0a);
      pieces.push(piece.subarray(0, end >= 0 ? end : n));
      if (end >= 0) return JSON.parse(Buffer.concat(pieces).toString('utf8')) as CheckpointHeader;
      pos += n;
    }
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** The state in columns, as the statistics hold it (src/stats/source.ts, forStatistics): the
 * same fields, whatever the state held beyond them. */
function encode(state: RunState): Columns {
  const words = new WordTable();
  const c: Columns = {
    run: {
      ...(state.runId !== undefined ? { runId: state.runId } : {}),
      ...(state.startedAt ? { startedAt: state.startedAt.toISOString() } : {}),
      ...(state.endedAt ? { endedAt: state.endedAt.toISOString() } : {}),
      ...(state.endReason ? { endReason: state.endReason } : {}),
      ignored: state.ignored,
      count: state.count,
    },
    words: words.list,
    pingId: [],
    contactId: [],
    address: [],
    pingAt: [],
    iso: [],
    pingChannel: [],
    attempt: [],
    firstStartedAt: [],
    sendState: [],
    sentAt: [],
    pingRare: [],
    key: [],
    messageAt: [],
    messageChannel: [],
    receivedAt: [],
    folder: [],
    messageClass: [],
    messagePing: [],
    messageRare: [],
    finalStatus: [...state.finalStatus.values()],
    phoneEvents: [...state.phoneEvents],
    testProblems: state.testProblems,
    overrides: state.overrides,
    cursors: [...state.cursors.values()],
    directory: undefined,
  };
  const rowOf = new Map<string, number>();
  for (const [id, rec] of state.pings) {
    heapTick();
    const s = rec.started;
    rowOf.set(id, c.pingId.length);
    const rare: PingRare = {};
    if (rec.lastFailure) rare.lastFailure = rec.lastFailure;
    if (rec.uncertainSince) rare.uncertainSince = rec.uncertainSince;
    if (rare.lastFailure || rare.uncertainSince) c.pingRare.push([c.pingId.length, rare]);
    c.pingId.push(s.pingId);
    c.contactId.push(s.contactId);
    c.address.push(s.address);
    c.pingAt.push(words.of(s.at));
    c.iso.push(words.of(s.iso));
    c.pingChannel.push(words.of(s.channel));
    c.attempt.push(s.attempt);
    c.firstStartedAt.push(words.of(rec.firstStartedAt));
    c.sendState.push(words.of(rec.state));
    c.sentAt.push(words.of(rec.sentAt));
  }
  state.messages.forEach((m, row) => {
    const ping = m.pingId !== undefined ? rowOf.get(m.pingId) : undefined;
    const rare: MessageRare = {};
    // What forStatistics keeps of a message: its sender only to list an answer whose origin
    // fails authentication or to name who sent one matched to no ping; a subject only of a
    // report of failed or delayed delivery.
    if (m.authenticity?.verdict === 'fail' || m.pingId === undefined) rare.from = m.from;
    if ((m.class === 'bounce' || m.class === 'delay') && m.subject !== undefined) rare.subject = m.subject;
    if (m.pingId !== undefined && ping === undefined) rare.pingId = m.pingId;
    if (m.bounce) rare.bounce = m.bounce;
    if (m.otherTest) rare.otherTest = m.otherTest;
    if (m.authenticity) rare.authenticity = m.authenticity;
    if (Object.keys(rare).length > 0) c.messageRare.push([row, rare]);
    c.key.push(m.key);
    c.messageAt.push(words.of(m.at));
    c.messageChannel.push(words.of(m.channel));
    c.receivedAt.push(words.of(m.receivedAt));
    c.folder.push(words.of(m.folder));
    c.messageClass.push(words.of(m.class));
    c.messagePing.push(ping ?? -1);
  });
  return c;
}

/** The directory column: the directory as the statistics count it, packed (toWire) with its
 * numbers in arrays (a JsonDirectory), written a party at a time; its table of words last. */
function writeDirectory(fd: number, directory: Directory): void {
  const { parties, ...meta } = directory;
  const words = new WordTable();
  writeSync(fd, `{"meta":${JSON.stringify(meta)},"parties":[`);
  parties.forEach((party, i) => {
    const p = partyToWire(party, words);
    const json: JsonDirectory['parties'][number] = { ...p, kinds: [...p.kinds], zones: [...p.zones], emails: lists(p.emails), phones: lists(p.phones), sms: lists(p.sms) };
    writeSync(fd, (i > 0 ? ',' : '') + JSON.stringify(json));
    heapTick();
  });
  writeSync(fd, `],"words":${JSON.stringify(words.list)}}\n`);
}

/** A WireDirectory as JSON holds it: its numbers in arrays. */
type JsonLists = { all: string[]; ends: number[] };
type JsonDirectory = Omit<WireDirectory, 'parties'> & {
  parties: Array<Omit<WireDirectory['parties'][number], 'kinds' | 'zones' | 'emails' | 'phones' | 'sms'> & { kinds: number[]; zones: number[]; emails: JsonLists; phones: JsonLists; sms: JsonLists }>;
};

const lists = (l: { all: string[]; ends: Uint32Array }) => ({ all: l.all, ends: [...l.ends] });
const unlists = (l: JsonLists) => ({ all: l.all, ends: Uint32Array.from(l.ends) });

/** The state as forStatistics folds it: every object made with the same fields in the same order. */
function decodeState(c: Columns): RunState {
  const w = c.words;
  const word = (i: number): string | undefined => (i < 0 ? undefined : w[i]);
  const state = emptyRunState();
  if (c.run.runId !== undefined) state.runId = c.run.runId;
  if (c.run.startedAt) state.startedAt = new Date(c.run.startedAt);
  if (c.run.endedAt) state.endedAt = new Date(c.run.endedAt);
  if (c.run.endReason) state.endReason = c.run.endReason;
  state.ignored = c.run.ignored;
  state.count = c.run.count;
  const pingRare = new Map(c.pingRare);
  const pingIds: string[] = c.pingId;
  for (let row = 0; row < pingIds.length; row++) {
    const started: PingStartedEvent = {
      v: EVENT_VERSION,
      at: w[c.pingAt[row]!]!,
      type: 'ping-started',
      pingId: pingIds[row]!,
      contactId: c.contactId[row]!,
      iso: w[c.iso[row]!]!,
      channel: w[c.pingChannel[row]!] as ChannelName,
      address: c.address[row]!,
      token: '',
      attempt: c.attempt[row]!,
    };
    const rare = pingRare.get(row);
    const rec: PingRecord = {
      started,
      firstStartedAt: w[c.firstStartedAt[row]!]!,
      state: w[c.sendState[row]!] as PingSendState,
      sentAt: word(c.sentAt[row]!),
      providerId: undefined,
      lastFailure: rare?.lastFailure,
      uncertainSince: rare?.uncertainSince || undefined,
    };
    state.pings.set(started.pingId, rec);
  }
  eachMessage(c, (message) => {
    state.messages.push(message);
    state.messageKeys.add(message.key);
  });
  for (const e of c.finalStatus) state.finalStatus.set(e.pingId, e);
  for (const [id, events] of c.phoneEvents) state.phoneEvents.set(id, events);
  state.testProblems.push(...c.testProblems);
  state.overrides.push(...c.overrides);
  for (const e of c.cursors) state.cursors.set(`${e.channel}:${e.folder}`, e);
  return state;
}

/** Every message of the columns, in log order, made as forStatistics makes it, with its ping's row
 * (-1: it names none of the run's pings). */
function eachMessage(c: Columns, visit: (m: MessageReceivedEvent, ping: number) => void): void {
  const w = c.words;
  const word = (i: number): string | undefined => (i < 0 ? undefined : w[i]);
  const messageRare = new Map(c.messageRare);
  for (let row = 0; row < c.key.length; row++) {
    const rare = messageRare.get(row);
    const ping = c.messagePing[row]!;
    const receivedAt = w[c.receivedAt[row]!]!;
    const at = w[c.messageAt[row]!]!;
    visit(
      {
        v: EVENT_VERSION,
        at: at === receivedAt ? receivedAt : at,
        type: 'message-received',
        key: c.key[row]!,
        channel: w[c.messageChannel[row]!] as ChannelName,
        receivedAt,
        from: rare?.from ?? '',
        subject: rare?.subject,
        folder: word(c.folder[row]!),
        class: w[c.messageClass[row]!] as MessageClass,
        reasons: NO_REASONS,
        pingId: ping >= 0 ? c.pingId[ping] : rare?.pingId,
        bounce: rare?.bounce,
        otherTest: rare?.otherTest,
        authenticity: rare?.authenticity,
      },
      ping,
    );
  }
}

/** The state as the statistics read it (inputOfState of decodeState), from the columns directly. */
function decodeInput(c: Columns): StatsInput {
  const w = c.words;
  const words = (column: number[]) => column.map((i) => w[i]!);
  const pings: PingColumns = {
    size: c.pingId.length,
    pingId: c.pingId,
    contactId: c.contactId,
    iso: words(c.iso),
    channel: words(c.pingChannel) as ChannelName[],
    address: c.address,
    startedAt: words(c.pingAt),
    firstStartedAt: words(c.firstStartedAt),
    state: words(c.sendState) as PingSendState[],
    sentAt: c.sentAt.map((i) => (i < 0 ? undefined : w[i])),
    lastFailure: new Map(),
    uncertainSince: new Map(),
  };
  for (const [row, rare] of c.pingRare) {
    if (rare.lastFailure) pings.lastFailure.set(row, rare.lastFailure);
    if (rare.uncertainSince) pings.uncertainSince.set(row, rare.uncertainSince);
  }
  return {
    pings,
    messages: (visit) => eachMessage(c, (m, ping) => visit(m, ping >= 0 ? ping : undefined)),
    phoneEvents: new Map(c.phoneEvents),
    testProblems: [...c.testProblems],
    overrides: [...c.overrides],
  };
}

/** The directory column, as the statistics count it. */
function decodeDirectory(d: JsonDirectory): Directory {
  return fromWire({
    ...d,
    parties: d.parties.map((p) => ({ ...p, kinds: Uint32Array.from(p.kinds), zones: Uint32Array.from(p.zones), emails: unlists(p.emails), phones: unlists(p.phones), sms: unlists(p.sms) })),
  });
}
