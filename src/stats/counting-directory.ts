// The directory of a run as the statistics read it, and how a large one is read: in a worker
// thread, beside the fold of the event log. A directory.json of 100,000 contact points is 43 MB
// of text and twice that in objects, all of which but a slim copy is garbage at once; read on
// the main thread it was half a second of `stats` and, never collected before the command ended,
// 70 MB of its peak memory. A worker's heap goes away with it.
import { statSync } from 'node:fs';
import type { ContactKind, ContactPoint, Directory } from '../core/directory.js';
import { InputError, type InputProblem } from '../core/errors.js';
import type { ChannelName } from '../core/events.js';
import { RunFolder } from '../core/run-folder.js';
import { hasWorker, workerReply } from '../core/worker-reply.js';

const NONE: string[] = [];

/** An empty list of addresses as the one shared empty list (most contact points have no SMS number). */
const some = (list: string[]): string[] => (list && list.length === 0 ? NONE : list);

/** The directory as the statistics read it: without the units' names and languages, the
 * addresses of channels the run does not use (an address is read only to tell whether every
 * address of a contact point failed), and each time zone once. */
export function forCounting(directory: Directory, channels: readonly ChannelName[] | undefined): Directory {
  const zones = new Map<string, string>();
  const zone = (z: string) => zones.get(z) ?? (zones.set(z, z), z);
  const uses = (...names: ChannelName[]) => !channels || names.some((n) => channels.includes(n));
  const [emails, phones, sms] = [uses('email', 'sim'), uses('voice'), uses('sms')];
  return {
    ...directory,
    parties: directory.parties.map((p) => ({
      ...p,
      contacts: p.contacts.map((c) => ({
        id: c.id,
        unit: '',
        kind: c.kind,
        emails: emails ? some(c.emails) : NONE,
        phones: phones ? some(c.phones) : NONE,
        sms: sms ? some(c.sms) : NONE,
        timezone: zone(c.timezone),
        languages: NONE,
      })),
    })),
  };
}

/** Above this size directory.json is read in a worker (below, starting one costs more than it saves). */
const WORKER_BYTES = 4 << 20;
const WORKER_URL = new URL('./directory-worker.js', import.meta.url);

/** The slim directory of a run folder (forCounting), read in a worker thread when it is large:
 * the caller folds the event log meanwhile. Errors are those of RunFolder.directory(). */
export async function countingDirectory(folder: RunFolder, channels: readonly ChannelName[] | undefined): Promise<Directory> {
  const path = folder.paths.directory;
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // missing: RunFolder.directory() says so
  }
  // Run from the sources (the tests), there is no compiled worker: read here.
  // (Read through a folder object of its own: `folder` would keep the whole directory.)
  if (size < WORKER_BYTES || !hasWorker(WORKER_URL)) return forCounting(RunFolder.at(folder.dir).directory(), channels);
  const request: DirectoryRequest = { dir: folder.dir, channels: channels ? [...channels] : undefined };
  const reply = await workerReply<DirectoryReply>(WORKER_URL, request, 'the directory reader');
  if (!reply.ok) throw new InputError(reply.problems);
  return fromWire(reply.directory);
}

export interface DirectoryRequest {
  dir: string;
  channels: ChannelName[] | undefined;
}

export type DirectoryReply = { ok: true; directory: WireDirectory } | { ok: false; problems: InputProblem[] };

/** A slim directory as the worker sends it: a structured clone copies every string it meets
 * (100,000 time zones and kinds), so repeated ones go as numbers into a table. */
export interface WireDirectory {
  meta: Omit<Directory, 'parties'>;
  /** The time zones and kinds, each once. */
  words: string[];
  parties: Array<{
    party: Omit<Directory['parties'][number], 'contacts'>;
    ids: string[];
    kinds: Uint32Array;
    zones: Uint32Array;
    /** Every contact point's lists one after the other, and where each one's ends. */
    emails: AddressLists;
    phones: AddressLists;
    sms: AddressLists;
  }>;
}

/** Lists of addresses in one array (a list of its own per contact point, cloned, took three times
 * the room of the list made here). */
interface AddressLists {
  all: string[];
  ends: Uint32Array;
}

function packLists(lists: Array<string[] | undefined>): AddressLists {
  const all: string[] = [];
  const ends = new Uint32Array(lists.length);
  lists.forEach((l, i) => {
    if (l) for (const a of l) all.push(a);
    ends[i] = all.length;
  });
  return { all, ends };
}

function listAt(lists: AddressLists, i: number): string[] {
  const start = i === 0 ? 0 : lists.ends[i - 1]!;
  const end = lists.ends[i]!;
  return end === start ? NONE : lists.all.slice(start, end);
}

export function toWire(d: Directory): WireDirectory {
  const { parties, ...meta } = d;
  const words = new WordTable();
  return { meta, words: words.list, parties: parties.map((p) => partyToWire(p, words)) };
}

/** A table of words: each repeated string once, named by its number (-1: none). The words of a
 * WireDirectory, filled as its parties are made; those of a checkpoint's columns. */
export class WordTable {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();
  of(w: string | undefined): number {
    if (w === undefined) return -1;
    let i = this.index.get(w);
    if (i === undefined) this.index.set(w, (i = this.list.push(w) - 1));
    return i;
  }
}

/** One party of a WireDirectory, its words added to `words` (a party at a time: what the
 * checkpoint writes one after the other). */
export function partyToWire({ contacts, ...party }: Directory['parties'][number], words: WordTable): WireDirectory['parties'][number] {
  return {
    party,
    ids: contacts.map((c) => c.id),
    kinds: Uint32Array.from(contacts, (c) => words.of(c.kind)),
    zones: Uint32Array.from(contacts, (c) => words.of(c.timezone)),
    emails: packLists(contacts.map((c) => c.emails)),
    phones: packLists(contacts.map((c) => c.phones)),
    sms: packLists(contacts.map((c) => c.sms)),
  };
}

export function fromWire(w: WireDirectory): Directory {
  return {
    ...w.meta,
    parties: w.parties.map((p) => ({
      ...p.party,
      contacts: p.ids.map(
        (id, i): ContactPoint => ({
          id,
          unit: '',
          kind: w.words[p.kinds[i]!] as ContactKind,
          emails: listAt(p.emails, i),
          phones: listAt(p.phones, i),
          sms: listAt(p.sms, i),
          timezone: w.words[p.zones[i]!]!,
          languages: NONE,
        }),
      ),
    })),
  };
}
