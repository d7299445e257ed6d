// Reads what `rollcall stats` and `rollcall report` take — a run folder, an events.jsonl or a
// reply-log CSV — and computes its statistics. The one module of src/stats/ that does I/O.
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
// What each kind of source needs is imported when it is read: start-up time counts (a 100-row
// log must print within 200 ms of a bare `node`), and a reply log needs none of the event code.
import type { Directory } from '../core/directory.js';
import { InputError, UsageError, type InputProblem } from '../core/errors.js';
import type { ChannelName, RunEvent } from '../core/events.js';
import type { RunState } from '../core/run-state.js';
import { RunFolder } from '../core/run-folder.js';
import { DEFAULT_BUCKET_SECONDS } from './buckets.js';
import type { Stats } from './types.js';

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

async function fromRunFolder(dir: string, opts: StatsSourceOptions): Promise<StatsSource> {
  if (opts.directory) throw new UsageError('--directory is for an events.jsonl or a reply log: a run folder is counted against its own directory.json');
  const folder = RunFolder.open(dir);
  const plan = folder.plan();
  const directory = folder.directory();
  const [{ events, warnings }, { statsFromState }, { foldRunState }] = await Promise.all([eventsIfAny(folder), import('./compute.js'), import('../core/run-state.js')]);
  const bucketSeconds = opts.bucketSeconds ?? plan.bucketSeconds;
  const state = foldRunState(events);
  const stats = statsFromState(state, directory, { bucketSeconds, includeObservers: plan.includeObservers });
  const meta: SourceMeta = {
    kind: 'run',
    path: dir,
    runId: plan.id,
    network: plan.network || directory.network,
    ...runTimes(state),
    channels: plan.channels,
    bucketSeconds,
    windowSeconds: plan.windowSeconds,
    tz: plan.tz,
  };
  return { stats, meta, warnings };
}

async function fromEventLog(path: string, opts: StatsSourceOptions): Promise<StatsSource> {
  const [{ readEvents }, { statsFromState }, { foldRunState }] = await Promise.all([import('../core/event-log.js'), import('./compute.js'), import('../core/run-state.js')]);
  const { events, warnings } = await readEvents(path);
  const state = foldRunState(events);
  const bucketSeconds = opts.bucketSeconds ?? [...DEFAULT_BUCKET_SECONDS];
  const directory = opts.directory ? await loadDirectory(opts.directory) : await directoryFromPings(state);
  const observerIsos = new Set(directory.parties.filter((p) => p.status === 'observer').map((p) => p.iso.toUpperCase()));
  const pinged = [...state.pings.values()].map((r) => r.started);
  const includeObservers = pinged.some((e) => observerIsos.has(e.iso.toUpperCase()));
  const stats = statsFromState(state, directory, { bucketSeconds, includeObservers });
  const channels = [...new Set(pinged.map((e) => e.channel))];
  const runId = state.runId;
  const meta: SourceMeta = {
    kind: 'events',
    path,
    ...(runId ? { runId } : {}),
    ...(opts.directory ? { network: directory.network } : {}),
    ...runTimes(state),
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
  const { tally, warnings } = await importReplyLog(path);
  const stats = statsFromReplies(tally, directory, { bucketSeconds, file: path });
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
  return { stats, meta, warnings: directory ? [] : warnings };
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

async function eventsIfAny(folder: RunFolder): Promise<{ events: RunEvent[]; warnings: InputProblem[] }> {
  // A run created but not started yet (--at, --between) has no events: everyone is silent so far.
  if (!folder.hasEvents()) return { events: [], warnings: [{ file: folder.paths.events, message: 'no events yet (the run has not started)' }] };
  return folder.events();
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

function runTimes(state: RunState): { startedAt?: string; endedAt?: string } {
  return { ...(state.startedAt ? { startedAt: state.startedAt.toISOString() } : {}), ...(state.endedAt ? { endedAt: state.endedAt.toISOString() } : {}) };
}
