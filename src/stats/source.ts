// Reads what `rollcall stats` and `rollcall report` take — a run folder, an events.jsonl or a
// reply-log CSV — and computes its statistics. The one module of src/stats/ that does I/O.
import { stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
// What each kind of source needs is imported when it is read: start-up time counts (a 100-row
// log must print within 200 ms of a bare `node`), and a reply log needs none of the event code.
import type { Directory } from '../core/directory.js';
import { InputError, RollcallError, UsageError, type InputProblem } from '../core/errors.js';
import type { ChannelName, MessageReceivedEvent, RunEvent } from '../core/events.js';
import type { PingRecord, RunState } from '../core/run-state.js';
import { foldEventLog, RunFolder } from '../core/run-folder.js';
import { sideBySide } from '../core/side-by-side.js';
import { hasWorker, workerReply } from '../core/worker-reply.js';
import { DEFAULT_BUCKET_SECONDS } from './buckets.js';
import { countingDirectory } from './counting-directory.js';
import type { StatsInput } from './run-rows.js';
import type { CheckpointRows } from './checkpoint.js';
import type { CountryResult, Stats } from './types.js';

export interface SourceMeta {
  kind: 'run' | 'events' | 'replies';
  path: string;
  runId?: string;
  network?: string;
  startedAt?: string;
  endedAt?: string;
  channels?: string[];
  bucketSeconds: number[];
  windowSeconds: number;
  tz?: string;
}

export interface StatsSource {
  stats: Stats;
  meta: SourceMeta;
  warnings: InputProblem[];
}

export interface StatsSourceOptions {
  /** Directory file: the population of an events.jsonl or a reply log. */
  directory?: string;
  /** Thresholds; default: the run's (run.json), else 15m, 30m, 1h, 12h, 24h. */
  bucketSeconds?: number[];
  /** How answers whose origin fails authentication count; default: the run's, else report. */
  authenticity?: 'report' | 'require';
}

export async function loadStatsSource(path: string, opts: StatsSourceOptions = {}): Promise<StatsSource> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw new InputError([{ file: path, message: 'no such file or run folder' }]);
  }
  if (isDir) return fromRunFolder(path, opts);
  if (await looksLikeEventLog(path)) return fromEventLog(path, opts);
  return fromReplyLog(path, opts);
}

export interface SourceRequest {
  path: string;
  opts: StatsSourceOptions;
}

export type SourceReply = { ok: true; source: StatsSource } | { ok: false; message: string; exitCode: number; problems?: InputProblem[] };

/** Above this size (event log and directory together), a report's statistics are computed in a
 * worker thread (below, starting one costs more than it saves). */
const APART_BYTES = 4 << 20;
const SOURCE_WORKER_URL = new URL('./source-worker.js', import.meta.url);

/**
 * loadStatsSource in a worker thread when the source is a large run folder or event log: what
 * `rollcall report` renders from. Folding the log of a run of 100,000 contact points leaves
 * 100 MB of garbage that the collector had no reason to reclaim before the report was rendered on
 * top of it (a peak of 280-315 MB, for statistics of a few megabytes); a worker's heap goes away
 * with it. The same statistics, warnings and errors as loadStatsSource.
 */
export async function loadStatsSourceApart(path: string, opts: StatsSourceOptions = {}): Promise<StatsSource> {
  if (!hasWorker(SOURCE_WORKER_URL) || !(await isLarge(path))) return loadStatsSource(path, opts);
  const request: SourceRequest = { path, opts };
  const reply = await workerReply<SourceReply>(SOURCE_WORKER_URL, request, 'the statistics worker');
  if (reply.ok) return reply.source;
  throw reply.problems ? new InputError(reply.problems) : new RollcallError(reply.message, reply.exitCode);
}

/** A run folder whose events.jsonl and directory.json, or an event log, weigh APART_BYTES or more
 * (a reply log is tallied as it is read: nothing to leave behind). */
async function isLarge(path: string): Promise<boolean> {
  const size = (p: string) => stat(p).then((s) => (s.isFile() ? s.size : 0), () => 0);
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  if (isDir) return (await size(join(path, 'events.jsonl'))) + (await size(join(path, 'directory.json'))) >= APART_BYTES;
  return (await looksLikeEventLog(path).catch(() => false)) && (await size(path)) >= APART_BYTES;
}

/**
 * The statistics of a run folder from its state as a process that ran it folded it (the engine,
 * at the end of a sitting in which no other process appended to the log), or from the rows of the
 * checkpoint it wrote of that state: exactly what `rollcall stats <dir>` gives, without reading
 * the log again; nor directory.json, when `directory` (its forCounting copy) is given.
 */
export async function statsOfRunState(dir: string, held: RunState | CheckpointRows, directory?: Directory): Promise<StatsSource> {
  return fromRunFolder(dir, {}, 'input' in held ? { rows: held } : { state: held, warnings: [] }, directory);
}

async function fromRunFolder(
  dir: string,
  opts: StatsSourceOptions,
  given?: { state: RunState; warnings: InputProblem[] } | { rows: CheckpointRows },
  knownDirectory?: Directory,
): Promise<StatsSource> {
  if (opts.directory) throw new UsageError('--directory is for an events.jsonl or a reply log: a run folder is counted against its own directory.json');
  const folder = RunFolder.open(dir);
  const plan = folder.plan();
  const { directory, input, times, warnings } =
    (given && 'rows' in given && (await fromRows(folder, plan.channels, given.rows, knownDirectory))) ||
    (!given && !knownDirectory && (await fromCheckpoint(folder, plan.channels))) ||
    (await folded(directoryAndFold(folder, plan.channels, given && 'state' in given ? Promise.resolve(given) : foldIfAny(folder), knownDirectory)));
  const { statsFromInput } = await import('./compute.js');
  const bucketSeconds = opts.bucketSeconds ?? plan.bucketSeconds;
  const authenticity = opts.authenticity ?? plan.authenticity ?? 'report';
  const stats = statsFromInput(input, directory, { bucketSeconds, includeObservers: plan.includeObservers, authenticity });
  const meta: SourceMeta = {
    kind: 'run',
    path: dir,
    runId: plan.id,
    network: plan.network || directory.network,
    ...times,
    channels: plan.channels,
    bucketSeconds,
    windowSeconds: plan.windowSeconds,
    tz: plan.tz,
  };
  return { stats, meta, warnings };
}

async function fromEventLog(path: string, opts: StatsSourceOptions): Promise<StatsSource> {
  const [{ state, warnings }, { statsFromState }] = await Promise.all([foldLog(path), import('./compute.js')]);
  const bucketSeconds = opts.bucketSeconds ?? [...DEFAULT_BUCKET_SECONDS];
  const directory = opts.directory ? await loadDirectory(opts.directory) : await directoryFromPings(state);
  const observerIsos = new Set(directory.parties.filter((p) => p.status === 'observer').map((p) => p.iso.toUpperCase()));
  const pinged = [...state.pings.values()].map((r) => r.started);
  if (opts.directory) {
    // The kinds of contact point are the directory's: say which of the log's it does not list.
    const { unlistedContactsWarning, unlistedPinged } = await import('./population.js');
    const unlisted = unlistedContactsWarning(path, unlistedPinged(pinged, directory));
    if (unlisted) warnings.push(unlisted);
  }
  const includeObservers = pinged.some((e) => observerIsos.has(e.iso.toUpperCase()));
  const stats = statsFromState(state, directory, { bucketSeconds, includeObservers, ...(opts.authenticity ? { authenticity: opts.authenticity } : {}) });
  const channels = [...new Set(pinged.map((e) => e.channel))];
  const runId = state.runId;
  const meta: SourceMeta = {
    kind: 'events',
    path,
    ...(runId ? { runId } : {}),
    ...(opts.directory ? { network: directory.network } : {}),
    ...timesOf(state),
    channels,
    bucketSeconds,
    windowSeconds: bucketSeconds[bucketSeconds.length - 1]!,
  };
  return { stats, meta, warnings };
}

async function fromReplyLog(path: string, opts: StatsSourceOptions): Promise<StatsSource> {
  const bucketSeconds = opts.bucketSeconds ?? [...DEFAULT_BUCKET_SECONDS];
  // Read the directory first: a bad one should be reported before a long import.
  const directory = opts.directory ? await loadDirectory(opts.directory) : undefined;
  const [{ importReplyLog }, { statsFromReplies }] = await Promise.all([import('./reply-log.js'), import('./replies.js')]);
  const { tally, warnings, encodingWarning } = await importReplyLog(path);
  // With a directory, the log's warnings are those about it against the directory.
  const againstDirectory: InputProblem[] = [];
  const stats = statsFromReplies(tally, directory, { bucketSeconds, file: path, warnings: againstDirectory });
  const meta: SourceMeta = {
    kind: 'replies',
    path,
    ...(directory ? { network: directory.network } : {}),
    ...(tally.firstSentMs !== Infinity ? { startedAt: new Date(tally.firstSentMs).toISOString() } : {}),
    ...(tally.lastArrivedMs !== -Infinity ? { endedAt: new Date(tally.lastArrivedMs).toISOString() } : {}),
    channels: [...tally.channels] as ChannelName[],
    bucketSeconds,
    windowSeconds: bucketSeconds[bucketSeconds.length - 1]!,
  };
  // With a directory, a name that is no country is an error of statsFromReplies instead.
  return { stats, meta, warnings: [...(encodingWarning ? [encodingWarning] : []), ...(directory ? againstDirectory : warnings)] };
}

/** `.jsonl`/`.ndjson`, or (any other name) a first non-blank character `{`. */
async function looksLikeEventLog(path: string): Promise<boolean> {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return true;
  if (ext === '.csv') return false;
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await fh.read(Buffer.alloc(512), 0, 512, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trimStart().replace(/^\uFEFF/, '').startsWith('{');
  } finally {
    await fh.close();
  }
}

/** The reasons of every message as the statistics hold it: none (no figure reads them). */
const NO_REASONS: string[] = [];

/** The run's state, folded as the log is read: a large log is never held whole. */
async function foldIfAny(folder: RunFolder): Promise<{ state: RunState; warnings: InputProblem[] }> {
  const path = folder.paths.events;
  // A run created but not started yet (--at, --between) has no events: everyone is silent so far.
  if (!folder.hasEvents()) {
    const { emptyRunState } = await import('../core/run-state.js');
    return { state: emptyRunState(), warnings: [{ file: path, message: 'no events yet (the run has not started)' }] };
  }
  return foldLog(path);
}

/** A run folder as the statistics read it: its directory, its state in rows, its start and end. */
interface RunRead {
  directory: Directory;
  input: StatsInput;
  times: { startedAt?: string; endedAt?: string };
  warnings: InputProblem[];
}

/** A run folder read by folding its log. */
async function folded(read: Promise<{ directory: Directory; state: RunState; warnings: InputProblem[] }>): Promise<RunRead> {
  const { directory, state, warnings } = await read;
  const { inputOfState } = await import('./run-rows.js');
  return { directory, input: inputOfState(state), times: timesOf(state), warnings };
}

/** A run folder read from the rows of the checkpoint its process just wrote (no event after them). */
async function fromRows(folder: RunFolder, channels: readonly ChannelName[], rows: CheckpointRows, known?: Directory): Promise<RunRead> {
  return { directory: known ?? (await countingDirectory(folder, channels)), input: rows.input(), times: timesOf(rows), warnings: [] };
}

/** The start and end of a run, as SourceMeta has them. */
function timesOf(run: { startedAt?: Date; endedAt?: Date }): { startedAt?: string; endedAt?: string } {
  return { ...(run.startedAt ? { startedAt: run.startedAt.toISOString() } : {}), ...(run.endedAt ? { endedAt: run.endedAt.toISOString() } : {}) };
}

/** Events that, after a checkpoint, only add to lists the statistics read as they are (a
 * `rollcall mark`): the checkpoint's rows are read as they stand, these appended. Any other
 * (a resumed run's pings, messages) and the checkpoint's state is made and the log folded onto it. */
const APPENDED_ONLY = new Set<string>(['override', 'test-problem']);

/** The run's directory and state from its checkpoint (src/stats/checkpoint.ts) when it holds,
 * with the events appended after it folded on; undefined when there is none that holds. */
async function fromCheckpoint(folder: RunFolder, channels: readonly ChannelName[]): Promise<RunRead | undefined> {
  if (!folder.hasEvents()) return undefined;
  const [{ readCheckpoint }, { emptyRunState }] = await Promise.all([import('./checkpoint.js'), import('../core/run-state.js')]);
  const checkpoint = await readCheckpoint(folder.dir, channels);
  if (!checkpoint) return undefined;
  const { bytes, lines, directory } = checkpoint;
  const times = timesOf(checkpoint);
  // What follows the checkpoint, folded on its own first: most often nothing, or marks.
  let warnings: InputProblem[] = [];
  let others = false;
  const tail = await foldEventLog(folder.paths.events, { hold: forStatistics, warnings, from: { state: emptyRunState(), bytes, lines }, observe: (e) => (others ||= !APPENDED_ONLY.has(e.type)) });
  if (!others) {
    const input = checkpoint.input();
    input.overrides.push(...tail.overrides);
    input.testProblems.push(...tail.testProblems);
    return { directory, input, times, warnings };
  }
  warnings = [];
  const state = checkpoint.state;
  await foldEventLog(folder.paths.events, { hold: forStatistics, warnings, from: { state, bytes, lines } });
  return folded(Promise.resolve({ directory, state, warnings }));
}

/** The state of an event log as the statistics (and `rollcall status`) read it, folded as the
 * log is read; `observe` sees every event as written, before it is slimmed. */
export async function foldLog(path: string, observe?: (e: RunEvent) => void): Promise<{ state: RunState; warnings: InputProblem[] }> {
  const warnings: InputProblem[] = [];
  const state = await foldEventLog(path, { hold: forStatistics, warnings, ...(observe ? { observe } : {}) });
  return { state, warnings };
}

/**
 * A run folder's directory as the statistics read it and its log folded, side by side: the
 * directory in a worker when it is large (unless `known` already), while `fold` runs. A problem
 * in the directory is reported before one in the log, as when it was read first.
 */
export async function directoryAndFold(
  folder: RunFolder,
  channels: readonly ChannelName[] | undefined,
  fold: Promise<{ state: RunState; warnings: InputProblem[] }>,
  known?: Directory,
): Promise<{ directory: Directory; state: RunState; warnings: InputProblem[] }> {
  const [directory, folded] = await sideBySide(known ? Promise.resolve(known) : countingDirectory(folder, channels), fold);
  return { directory, ...folded };
}

/** Events without what no figure reads (the words of the classifier, the raw copy's file, the
 * provider's acceptance line, tokens), and with their repeated values held once: JSON.parse makes
 * a new string of every `"ping-started"`, `"sim"` and timestamp, and a message names its ping
 * again. The folded state of a large run holds about half as much; the reducer and the
 * statistics are the same. */
function forStatistics(state: RunState): (e: RunEvent) => RunEvent {
  const words = new Map<string, string>();
  // Short, often repeated values only (codes, channels, timestamps of a burst).
  const once = (v: string) => {
    const seen = words.get(v);
    if (seen !== undefined) return seen;
    if (words.size < 50_000) words.set(v, v);
    return v;
  };
  return (e) => {
    switch (e.type) {
      case 'ping-started':
        return {
          v: e.v,
          at: once(e.at),
          type: 'ping-started',
          pingId: e.pingId,
          contactId: e.contactId,
          iso: once(e.iso),
          channel: once(e.channel) as typeof e.channel,
          address: e.address,
          token: '',
          attempt: e.attempt,
        };
      case 'ping-sent': {
        // Only its sentAt is kept (in the ping's record), held once.
        return { v: e.v, at: e.at, type: 'ping-sent', pingId: e.pingId, sentAt: once(e.sentAt) };
      }
      case 'message-received': {
        const receivedAt = once(e.receivedAt);
        const pingId = e.pingId !== undefined ? (state.pings.get(e.pingId)?.started.pingId ?? e.pingId) : undefined;
        // Every field written, absent ones undefined: one object shape for all messages (an
        // object spread gave each message a shape of its own, 70 bytes apiece).
        // The subject names a bounce whose DSN says nothing (collectFindings).
        const message: MessageReceivedEvent = {
          v: e.v,
          at: e.at === receivedAt ? receivedAt : once(e.at),
          type: 'message-received',
          key: e.key,
          channel: once(e.channel) as typeof e.channel,
          receivedAt,
          // Read only to list an answer whose origin fails authentication, and to name the
          // sender of a message matched to no ping (`rollcall status`, its last messages).
          from: e.authenticity?.verdict === 'fail' || pingId === undefined ? e.from : '',
          subject: e.class === 'bounce' || e.class === 'delay' ? e.subject : undefined,
          folder: e.folder,
          class: once(e.class) as typeof e.class,
          reasons: NO_REASONS,
          pingId,
          bounce: e.bounce,
          otherTest: e.otherTest,
          authenticity: e.authenticity,
        };
        return message;
      }
      default:
        return e;
    }
  };
}

async function loadDirectory(file: string): Promise<Directory> {
  const { readDirectory } = await import('../directory/load.js');
  return readDirectory(file);
}

/** Without a directory: the countries the log pinged, named from their ISO codes. */
async function directoryFromPings(state: RunState): Promise<Directory> {
  const { countryName } = await import('../directory/countries.js');
  const isos = new Set<string>();
  for (const rec of state.pings.values()) isos.add(rec.started.iso.toUpperCase());
  return {
    network: '',
    parties: [...isos].map((iso) => ({ country: countryName(iso) ?? iso, iso, status: 'party', contacts: [] })),
  };
}


/** What a letter to each party needs beyond its country's figures: the directory as tested, and
 * each contact point's own result (outcome, response time, what it sent), computed by the same
 * statistics as if it were its country's only contact point. */
export interface ContactDetails {
  directory?: Directory;
  contacts: Map<string, CountryResult>;
}

/** Each country's k-th contact point, for k = 0, 1...: one statistics pass per rank, on the events
 * (or reply-log rows) of those contact points alone, gives every contact point its own result. */
export async function loadContactDetails(path: string, opts: StatsSourceOptions = {}): Promise<ContactDetails> {
  const contacts = new Map<string, CountryResult>();
  const keep = (stats: Stats, idOf: (c: CountryResult) => string | undefined) => {
    for (const c of [...stats.countries, ...(stats.observers?.countries ?? [])]) {
      const id = idOf(c);
      if (id) contacts.set(id, { ...c, contactId: id });
    }
  };
  const isDir = await stat(path).then((s) => s.isDirectory(), () => false);
  if (!isDir && !(await looksLikeEventLog(path))) {
    const directory = opts.directory ? await loadDirectory(opts.directory) : undefined;
    const [{ importReplyLog }, { statsFromReplies }, { ResponseTally }] = await Promise.all([import('./reply-log.js'), import('./replies.js'), import('./tally.js')]);
    const { tally } = await importReplyLog(path);
    const bucketSeconds = opts.bucketSeconds ?? [...DEFAULT_BUCKET_SECONDS];
    // Each country's contact points listed once (not again for every rank).
    const listed = new Map([...tally.countries].map(([key, country]) => [key, [...country.contacts.values()]]));
    for (let k = 0; ; k++) {
      const ranked = new ResponseTally();
      const idOfCountry = new Map<string, string>();
      for (const [key, country] of tally.countries) {
        const c = listed.get(key)![k];
        if (!c) continue;
        ranked.countries.set(key, { key, firstRow: country.firstRow, contacts: new Map([[c.contactId, c]]) });
        idOfCountry.set(key, c.contactId);
      }
      if (ranked.countries.size === 0) break;
      const stats = statsFromReplies(ranked, directory, { bucketSeconds, file: path });
      // A country is named as the log writes it, or with a directory as the directory does.
      const { foldCountryName, isoForCountry } = await import('../directory/countries.js');
      const idOf = (c: CountryResult) =>
        idOfCountry.get(c.country) ??
        [...idOfCountry].find(([key]) => foldCountryName(key) === foldCountryName(c.country) || (c.iso !== undefined && isoForCountry(key) === c.iso))?.[1];
      keep(stats, idOf);
    }
    return { ...(directory ? { directory } : {}), contacts };
  }

  let state: RunState;
  let directory: Directory;
  let bucketSeconds: number[];
  let includeObservers: boolean | undefined;
  if (isDir) {
    const folder = RunFolder.open(path);
    const plan = folder.plan();
    directory = folder.directory();
    state = (await foldIfAny(folder)).state;
    bucketSeconds = opts.bucketSeconds ?? plan.bucketSeconds;
    includeObservers = plan.includeObservers;
  } else {
    state = (await foldLog(path)).state;
    directory = opts.directory ? await loadDirectory(opts.directory) : await directoryFromPings(state);
    bucketSeconds = opts.bucketSeconds ?? [...DEFAULT_BUCKET_SECONDS];
    includeObservers = true;
  }
  const { statsFromState } = await import('./compute.js');
  // Each contact point counted as a country of its own (under a key of its own, in the pings and
  // the population alike): one pass of the statistics gives every contact point the result it
  // would have as its country's only contact point. (One pass per rank of contact point within
  // its country grew with the square of a large country's size.)
  const owners: Array<{ iso: string; contactId: string }> = [];
  const keyOf = new Map<string, string>();
  const parties: Directory['parties'] = [];
  const partyOf = new Map<string, Directory['parties'][number]>();
  const own = (party: Directory['parties'][number], contactId: string, contacts: Directory['parties'][number]['contacts']) => {
    const id = `${party.iso.toUpperCase()} ${contactId}`;
    if (keyOf.has(id)) return;
    const key = `#${owners.length}`;
    keyOf.set(id, key);
    owners.push({ iso: party.iso, contactId });
    parties.push({ ...party, iso: key, contacts });
  };
  for (const p of directory.parties) {
    if (!partyOf.has(p.iso.toUpperCase())) partyOf.set(p.iso.toUpperCase(), p);
    for (const c of p.contacts) own(p, c.id, [c]);
  }
  // Contact points the log pinged that the directory does not list, in a country it has.
  for (const rec of state.pings.values()) {
    const party = partyOf.get(rec.started.iso.toUpperCase());
    if (party) own(party, rec.started.contactId, []);
  }
  const pings = new Map<string, PingRecord>();
  for (const [id, rec] of state.pings) {
    const key = keyOf.get(`${rec.started.iso.toUpperCase()} ${rec.started.contactId}`);
    pings.set(id, key ? { ...rec, started: { ...rec.started, iso: key } } : rec);
  }
  const stats = statsFromState({ ...state, pings }, { ...directory, parties }, { bucketSeconds, includeObservers });
  for (const c of [...stats.countries, ...(stats.observers?.countries ?? [])]) {
    const owner = c.iso !== undefined ? owners[Number(c.iso.slice(1))] : undefined;
    if (owner) contacts.set(owner.contactId, { ...c, iso: owner.iso, contactId: owner.contactId });
  }
  return { directory, contacts };
}
