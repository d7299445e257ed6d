// Planning a run: the pings a directory snapshot calls for, and the run folder that holds the
// plan (run.json), the snapshot (directory.json), the empty event log and messages/.
import type { Ping } from '../core/ping.js';
import { toolVersion } from '../core/version.js';
import type { Directory } from '../core/directory.js';
import type { ChannelName } from '../core/events.js';
import { RunFolder, type RunPlan } from '../core/run-folder.js';
import type { Schedule } from './schedule.js';

/** A ping the plan calls for, before it gets its token (and Message-ID). Its `pingId` is
 * `<contactId>/<channel>/<n>`, n counting the contact point's addresses on that channel from 1. */
export type PlannedPing = Omit<Ping, 'token' | 'messageId'>;

/** The addresses of a contact point that a channel pings (the simulated channel stands in for e-mail). */
function addressesFor(contact: Directory['parties'][number]['contacts'][number], channel: ChannelName): string[] {
  switch (channel) {
    case 'email':
    case 'sim':
      return contact.emails;
    case 'sms':
      return contact.sms;
    case 'voice':
      return contact.phones;
  }
}

/** Every ping of a run over a directory snapshot, in directory order. */
export function planPings(directory: Directory, channels: readonly ChannelName[]): PlannedPing[] {
  const out: PlannedPing[] = [];
  for (const party of directory.parties) {
    for (const contact of party.contacts) {
      for (const channel of channels) {
        addressesFor(contact, channel).forEach((address, i) => {
          out.push({
            // Joined, not a template: a flat string (a template of this length is kept in pieces).
            pingId: [contact.id, channel, i + 1].join('/'),
            contactId: contact.id,
            iso: party.iso,
            country: party.country,
            unit: contact.unit,
            channel,
            address,
            languages: contact.languages,
            timezone: contact.timezone,
          });
        });
      }
    }
  }
  return out;
}

/** How many pings planPings would give, without making them. */
export function countPings(directory: Directory, channels: readonly ChannelName[]): number {
  let n = 0;
  for (const party of directory.parties) for (const contact of party.contacts) for (const channel of channels) n += addressesFor(contact, channel).length;
  return n;
}

/** The directory as tested: the parties, and the observers only when they are tested too. */
export function directorySnapshot(directory: Directory, includeObservers: boolean): Directory {
  return { ...directory, parties: directory.parties.filter((p) => includeObservers || p.status === 'party') };
}

export interface NewRun {
  runsDir: string;
  directory: Directory;
  directoryFile: string;
  schedule: Schedule;
  windowSeconds: number;
  bucketSeconds: number[];
  channels: ChannelName[];
  includeObservers: boolean;
  folders: string[];
  /** The secretariat's zone (--tz), for reports. */
  tz: string;
  simulated?: boolean;
  sim?: RunPlan['sim'];
  templates?: RunPlan['templates'];
  notify?: string[];
  authenticity?: RunPlan['authenticity'];
  publicUrl?: string;
  webhookPort?: number;
  now: Date;
  random: () => number;
}

/** `2024-06-05T0930Z-k3f9`: creation time (never the planned start, which may be secret) and a
 * random suffix. */
export function newRunId(now: Date, random: () => number): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  let suffix = '';
  for (let i = 0; i < 4; i++) suffix += 'abcdefghjkmnpqrstuvwxyz23456789'[Math.floor(random() * 31)];
  return `${stamp}-${suffix}`;
}


/**
 * directory.json's text: one contact point a line, in its party. Indented throughout, a directory
 * of 100,000 contact points took 43 MB, half of it spaces, read again by every `stats`, `report`,
 * `mark` and `inspect` of the run; this is 23 MB, and still one thing a line to read or diff.
 */
export function snapshotText(d: Directory): string {
  return [...snapshotLines(d)].join('');
}

/** snapshotText a line at a time (each with its newline): what a run folder is created from, so
 * that the text of a large directory (23 MB at 100,000 contact points, twice that as it was
 * joined and encoded) is never held whole. */
export function* snapshotLines(d: Directory): Generator<string> {
  const { parties, ...meta } = d;
  yield '{\n';
  for (const [key, value] of Object.entries(meta)) if (value !== undefined) yield `  ${JSON.stringify(key)}: ${JSON.stringify(value)},\n`;
  yield '  "parties": [\n';
  for (let i = 0; i < parties.length; i++) {
    const { contacts, ...party } = parties[i]!;
    const head = JSON.stringify(party);
    yield `    ${head === '{}' ? '{' : `${head.slice(0, -1)},`}"contacts":[\n`;
    for (let j = 0; j < contacts.length; j++) yield `      ${JSON.stringify(contacts[j])}${j < contacts.length - 1 ? ',' : ''}\n`;
    yield `    ]}${i < parties.length - 1 ? ',' : ''}\n`;
  }
  yield '  ]\n';
  yield '}\n';
}

/** Creates runs/<id>/ with run.json, directory.json, an empty events.jsonl and messages/. */
export function createRun(input: NewRun): { runDir: string; plan: RunPlan; folder: RunFolder } {
  const snapshot = directorySnapshot(input.directory, input.includeObservers);
  const folder = RunFolder.create(input.runsDir, () => newRunId(input.now, input.random), {
    directoryText: () => snapshotLines(snapshot),
    plan: (id, directoryHash) => ({
      id,
      version: toolVersion(),
      createdAt: input.now.toISOString(),
      startAt: input.schedule.startAt.toISOString(),
      schedule: input.schedule.plan,
      windowSeconds: input.windowSeconds,
      bucketSeconds: input.bucketSeconds,
      channels: input.channels,
      includeObservers: input.includeObservers,
      directoryHash,
      directoryFile: input.directoryFile,
      network: input.directory.network,
      folders: input.folders,
      tz: input.tz,
      ...(input.simulated ? { simulated: true } : {}),
      ...(input.sim ? { sim: input.sim } : {}),
      ...(input.templates && Object.keys(input.templates).length > 0 ? { templates: input.templates } : {}),
      ...(input.notify && input.notify.length > 0 ? { notify: input.notify } : {}),
      ...(input.authenticity ? { authenticity: input.authenticity } : {}),
      ...(input.publicUrl ? { publicUrl: input.publicUrl } : {}),
      ...(input.webhookPort !== undefined ? { webhookPort: input.webhookPort } : {}),
    }),
  });
  return { runDir: folder.dir, plan: folder.plan(), folder };
}

/** Reads run.json and directory.json of a run folder; a missing or broken file is an InputError. */
export function readRunFolder(runDir: string): { plan: RunPlan; directory: Directory } {
  const folder = RunFolder.open(runDir);
  return { plan: folder.plan(), directory: folder.directory() };
}
