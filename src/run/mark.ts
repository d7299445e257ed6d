// `rollcall mark`: what a correction or a hand-entered answer would change, decided before
// anything is written. A mark that cannot apply — nothing to reclassify, an answer before the
// ping or after the window, a message matched to no ping — is refused with the reason (exit 2),
// never written as a silent no-op. Rules: docs/measurement.md ("Corrections", "Answers entered
// by hand").
import { existsSync } from 'node:fs';
import { suggest } from '../core/suggest.js';
import { basename, isAbsolute, relative, resolve } from 'node:path';
import type { Directory } from '../core/directory.js';
import { UsageError } from '../core/errors.js';
import {
  EVENT_VERSION,
  HAND_ENTERED_CHANNELS,
  type HandEnteredChannel,
  type MessageReceivedEvent,
  type OverrideClass,
  type OverrideEvent,
} from '../core/events.js';
import { formatDuration } from '../core/duration.js';
import { sideBySide } from '../core/side-by-side.js';
import type { RunFolder } from '../core/run-folder.js';
import { applyEvent, earliestCopyMs, type RunState } from '../core/run-state.js';
import { dateIn, formatWall, instantOf } from '../core/time.js';
import { DEFAULT_BUCKET_SECONDS } from '../stats/buckets.js';
import { CONTACT_OVERRIDABLE, statsFromState } from '../stats/compute.js';
import { countingDirectory } from '../stats/counting-directory.js';
import type { CountryResult, Stats } from '../stats/types.js';

export const MARK_CLASSES: readonly OverrideClass[] = ['reply', 'automatic', 'not-an-answer'];

export interface MarkRequest {
  /** A message key, a file under messages/ (or a path to it), or a contact id. */
  target: string;
  as: string;
  note: string;
  /** `--at`: the time of an answer received outside rollcall (ISO 8601, or HH:MM in the run's zone). */
  at?: string;
  /** `--channel`: how that answer came (phone, email, sms, other). */
  channel?: string;
  /** `--contact`: whose answer a message is (a message matched to no ping, or to another contact). */
  contact?: string;
  /** Where relative paths are from. */
  cwd: string;
}

export interface MarkPlan {
  /** The override event to append (without v and at). */
  override: Omit<OverrideEvent, 'v' | 'at'>;
  /** What is marked, in words. */
  what: string;
  /** The line saying what was done: `Marked <what> as <class>: "<note>"`. */
  headline: string;
  /** What it changes in the figures, in words. */
  effect: string;
  /** The country's result before and after (for --json). */
  before?: CountryResult;
  after?: CountryResult;
}

type Contact = { contactId: string; country: string; iso: string };

/** Decides the mark and, when it applies, appends its override event to the run's log: one
 * O_APPEND write, safe while another process is running the run. */
export async function markRun(folder: RunFolder, req: MarkRequest): Promise<{ plan: MarkPlan; written: OverrideEvent }> {
  const plan = await planMark(folder, req);
  return { plan, written: folder.appendEvent(plan.override) as OverrideEvent };
}

/** Decides the override for a request, or throws UsageError saying why it cannot apply. */
export async function planMark(folder: RunFolder, req: MarkRequest, now: Date = new Date()): Promise<MarkPlan> {
  const as = req.as as OverrideClass;
  if (!MARK_CLASSES.includes(as)) throw new UsageError(`--as must be one of ${MARK_CLASSES.join(', ')}`);
  const note = req.note.trim();
  if (note === '') throw new UsageError('--note: say why (the note is shown in reports)');
  if (req.channel !== undefined && req.at === undefined) throw new UsageError('--channel goes with --at: it says how an answer received outside rollcall came');
  if (req.at !== undefined && as !== 'reply') throw new UsageError(`--at enters an answer received outside rollcall: it goes with --as reply, not --as ${as}`);
  let channel: HandEnteredChannel = 'other';
  if (req.channel !== undefined) {
    const c = req.channel.trim().toLowerCase() as HandEnteredChannel;
    if (!HAND_ENTERED_CHANNELS.includes(c)) throw new UsageError(`--channel must be one of ${HAND_ENTERED_CHANNELS.join(', ')} (got "${req.channel}")`);
    channel = c;
  }

  const plan = hasPlan(folder) ? folder.plan() : undefined;
  // The directory as the statistics read it (what `rollcall stats` counts the mark against), read
  // beside the fold, in a worker when it is large: the whole of a 100,000-contact directory.json
  // on this thread was 90 MB of the command's peak. A broken log is reported before a broken
  // directory, as when they were read one after the other.
  const [state, directory] = await sideBySide(folder.foldEvents(), folder.hasDirectory() ? countingDirectory(folder, plan?.channels) : Promise.resolve(undefined));
  const label = folder.label;

  const message = findMessage(state.messages, req.target, folder.dir, req.cwd);
  const contact = message ? undefined : findContact(directory, req.target);
  if (!message && !contact) {
    const ids = directory ? directory.parties.flatMap((p) => p.contacts.map((c) => c.id)) : [];
    const hint = suggest(req.target, [...ids, ...state.messages.map((m) => m.key)]);
    if (hint) throw new UsageError(`"${req.target}" is neither a message nor a contact of run ${label}: did you mean ${hint}?`);
    throw new UsageError(
      `"${req.target}" is neither a message nor a contact of run ${label}: give a message key (imap:INBOX:<uidvalidity>:<uid>), ` +
        `a file messages/<name>.eml, or a contact id from its directory.json` +
        (state.messages.length > 0 ? ` (e.g. ${state.messages[0]!.key})` : ''),
    );
  }

  let override: Omit<OverrideEvent, 'v' | 'at'>;
  let what: string;
  let subject: Contact | undefined;
  if (req.at !== undefined) {
    if (!contact) throw new UsageError(`--at enters an answer received outside rollcall (a phone call): give the contact id, not a message (${req.target})`);
    const answeredAt = answerTime(req.at, folder, state, contact, now);
    override = { type: 'override', contactId: contact.contactId, as: 'reply', note, answeredAt: answeredAt.toISOString(), channel };
    what = `contact ${contact.contactId} (${contact.country}): an answer received by ${channel} at ${when(answeredAt, folder)}, entered by hand`;
    subject = contact;
  } else if (message) {
    let by: Contact | undefined;
    if (req.contact !== undefined) {
      by = findContact(directory, req.contact);
      if (!by) throw new UsageError(`--contact: "${req.contact}" is not a contact id of run ${label} (see its directory.json)`);
    }
    override = { type: 'override', messageKey: message.key, ...(by ? { contactId: by.contactId } : {}), as, note };
    what = `message ${message.key} from ${message.from || '(unknown sender)'} (recorded as ${message.class})${by ? ` as ${by.contactId}'s` : ''}`;
    subject = by ?? contactOfPing(state, directory, message.pingId);
  } else {
    if (req.contact !== undefined) throw new UsageError('--contact goes with a message target: the target here is already a contact');
    override = { type: 'override', contactId: contact!.contactId, as, note };
    what = `contact ${contact!.contactId} (${contact!.country})`;
    subject = contact;
  }

  // Apply it to a copy of the state, as the statistics will, and refuse what changes nothing.
  const bucketSeconds = plan?.bucketSeconds ?? [...DEFAULT_BUCKET_SECONDS];
  const includeObservers = plan?.includeObservers ?? true;
  const dir: Directory = directory ?? { network: '', parties: [] };
  const options = { bucketSeconds, includeObservers, ...(plan?.authenticity ? { authenticity: plan.authenticity } : {}) };
  const before = statsFromState(state, dir, options);
  applyEvent(state, { v: EVENT_VERSION, at: now.toISOString(), ...override });
  const after = statsFromState(state, dir, options);
  const summary = after.overrides[after.overrides.length - 1];
  if (!summary?.applied) throw new UsageError(whyNotApplied(override, state, message, contact, label));

  const b = subject ? countryIn(before, subject.iso) : undefined;
  const a = subject ? countryIn(after, subject.iso) : undefined;
  const headline = override.answeredAt ? `Entered ${what}: "${note}"` : `Marked ${what} as ${as}: "${note}"`;
  return { override, what, headline, effect: effectWords(b, a, override.answeredAt !== undefined), ...(b ? { before: b } : {}), ...(a ? { after: a } : {}) };
}

function when(d: Date, folder: RunFolder): string {
  const tz = hasPlan(folder) ? folder.plan().tz : 'UTC';
  return `${formatWall(d, tz)} ${tz} (${d.toISOString()})`;
}

function hasPlan(folder: RunFolder): boolean {
  return existsSync(folder.paths.plan);
}

function findMessage(messages: MessageReceivedEvent[], target: string, runDir: string, cwd: string): MessageReceivedEvent | undefined {
  const byKey = messages.find((e) => e.key === target);
  if (byKey) return byKey;
  if (!target.toLowerCase().endsWith('.eml')) return undefined;
  // messages/<file>.eml relative to the run, a path from here, or the bare file name.
  const fromCwd = resolve(cwd, target);
  const candidates = new Set([target.replace(/\\/g, '/'), relative(runDir, fromCwd).replace(/\\/g, '/'), `messages/${basename(target)}`]);
  if (isAbsolute(target)) candidates.add(relative(runDir, target).replace(/\\/g, '/'));
  return messages.find((e) => e.file !== undefined && candidates.has(e.file));
}

function findContact(directory: Directory | undefined, target: string): Contact | undefined {
  for (const party of directory?.parties ?? []) {
    for (const c of party.contacts) {
      if (c.id === target || c.id.toLowerCase() === target.toLowerCase()) return { contactId: c.id, country: party.country, iso: party.iso.toUpperCase() };
    }
  }
  return undefined;
}

function contactOfPing(state: RunState, directory: Directory | undefined, pingId: string | undefined): Contact | undefined {
  const rec = pingId ? state.pings.get(pingId) : undefined;
  if (!rec) return undefined;
  return findContact(directory, rec.started.contactId) ?? { contactId: rec.started.contactId, country: rec.started.iso, iso: rec.started.iso.toUpperCase() };
}

function countryIn(stats: Stats, iso: string): CountryResult | undefined {
  return stats.countries.find((c) => c.iso === iso) ?? stats.observers?.countries.find((c) => c.iso === iso);
}

const OUTCOME_WORDS: Record<CountryResult['outcome'], string> = {
  answered: 'answered',
  late: 'answered late',
  'automatic-only': 'automatic answers only',
  unreachable: 'unreachable',
  silent: 'silent',
};

function describe(c: CountryResult): string {
  return c.responseSeconds !== null ? `${OUTCOME_WORDS[c.outcome]} in ${formatDuration(c.responseSeconds)}` : OUTCOME_WORDS[c.outcome];
}

function effectWords(before: CountryResult | undefined, after: CountryResult | undefined, handEntered: boolean): string {
  if (!before || !after) return 'the figures take it into account';
  if (before.outcome === after.outcome && before.responseSeconds === after.responseSeconds) {
    const why = handEntered && after.handEntered === undefined && after.responseSeconds !== null ? ' (an earlier answer counts)' : '';
    return `the figures do not change: ${after.country} stays ${describe(after)}${why}`;
  }
  return `${after.country}: ${describe(before)} → ${describe(after)}`;
}

/** The time of a hand-entered answer: ISO 8601 with an offset, a local date-time in the run's
 * zone, or HH:MM in the run's zone (the one occurrence of it between the contact point's first
 * ping and the end of the window). Refused before the ping, after the window, in the future. */
function answerTime(text: string, folder: RunFolder, state: RunState, contact: Contact, now: Date): Date {
  // A folder copied without its run.json: the default window, and only times that carry their offset.
  const plan = hasPlan(folder) ? folder.plan() : undefined;
  const zone = plan?.tz;
  const windowSeconds = plan?.windowSeconds ?? DEFAULT_BUCKET_SECONDS[DEFAULT_BUCKET_SECONDS.length - 1]!;
  if (!state.startedAt) throw new UsageError(`--at: run ${folder.label} has not started: no ping has been sent yet`);
  const windowEnd = state.startedAt.getTime() + windowSeconds * 1000;
  let first: number | undefined;
  for (const rec of state.pings.values()) {
    if (rec.started.contactId !== contact.contactId) continue;
    const t = earliestCopyMs(rec);
    if (t !== undefined && (first === undefined || t < first)) first = t;
  }
  if (first === undefined) {
    throw new UsageError(`--at: ${contact.contactId} (${contact.country}) has no ping that left in run ${folder.label} (not sent yet, or refused): an answer cannot be counted before a ping`);
  }
  const t = text.trim();
  const tz = zone ?? 'UTC';
  const show = (ms: number) => `${formatWall(new Date(ms), tz)} ${tz}`;
  const needZone = () => {
    if (!zone) throw new UsageError(`--at: "${text}": run ${folder.label} has no run.json, so its time zone is unknown; give the time with its offset (2024-06-05T22:11:00+02:00)`);
  };
  const check = (d: Date): Date => {
    if (d.getTime() < first) throw new UsageError(`--at: ${show(d.getTime())} is before ${contact.contactId}'s first ping, sent at ${show(first)} (${new Date(first).toISOString()}): an answer cannot come before the ping`);
    if (d.getTime() > windowEnd) throw new UsageError(`--at: ${show(d.getTime())} is after the test window, which closed at ${show(windowEnd)}: the test counts answers within its window`);
    // (A demo runs on a virtual clock, ahead of ours: its answers may lie in our future.)
    if (d.getTime() > now.getTime() && !plan?.simulated) throw new UsageError(`--at: ${show(d.getTime())} is in the future`);
    return d;
  };
  const hhmm = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(t);
  if (hhmm) {
    needZone();
    // Every day the window touches, in the run's zone; the time must fall once between the ping and the window's end.
    const days = new Set<string>();
    for (let ms = first - 86_400_000; ms <= windowEnd + 86_400_000; ms += 3_600_000) days.add(dateIn(new Date(ms), tz));
    const candidates = [...days].map((day) => {
      const [y, m, d] = day.split('-').map(Number) as [number, number, number];
      return instantOf({ year: y, month: m, day: d, hour: Number(hhmm[1]), minute: Number(hhmm[2]) }, tz).getTime();
    });
    const inside = [...new Set(candidates)].filter((ms) => ms >= first && ms <= windowEnd).sort((a, b) => a - b);
    if (inside.length > 1) {
      throw new UsageError(`--at: ${t} occurs more than once in the window (${inside.map(show).join(', ')}): give the date too, e.g. ${formatWall(new Date(inside[0]!), tz).replace(' ', 'T')}`);
    }
    if (inside.length === 1) return check(new Date(inside[0]!));
    // None inside: the occurrence on the day of the first ping says why (before it, or after the window).
    const sameDay = instantOf({ ...wall(dateIn(new Date(first), tz)), hour: Number(hhmm[1]), minute: Number(hhmm[2]) }, tz);
    check(sameDay);
    throw new UsageError(`--at: ${t} does not fall between ${contact.contactId}'s first ping (${show(first)}) and the end of the window (${show(windowEnd)})`);
  }
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(t) && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return check(new Date(ms));
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (local) {
    needZone();
    const [, y, mo, d, h, mi, s] = local.map(Number);
    const probe = new Date(Date.UTC(y!, mo! - 1, d));
    if (probe.getUTCMonth() !== mo! - 1 || probe.getUTCDate() !== d! || h! > 23 || mi! > 59 || (s ?? 0) > 59) throw new UsageError(`--at: "${text}" is not a valid date and time`);
    return check(instantOf({ year: y!, month: mo!, day: d, hour: h!, minute: mi!, second: Number.isNaN(s) ? 0 : (s ?? 0) }, tz));
  }
  throw new UsageError(`--at: "${text}" is not a time (use 2024-06-05T22:11:00+02:00, 2024-06-05T22:11 in the run's zone ${tz}, or 22:11)`);
}

function wall(day: string): { year: number; month: number; day: number } {
  const [year, month, d] = day.split('-').map(Number) as [number, number, number];
  return { year, month, day: d };
}

/** Why a correction would change nothing, and what would. */
function whyNotApplied(override: Omit<OverrideEvent, 'v' | 'at'>, state: RunState, message: MessageReceivedEvent | undefined, contact: Contact | undefined, label: string): string {
  if (message) {
    if (!message.pingId && !override.contactId) {
      const other = message.otherTest ? ` (it answers another test: ${message.otherTest.token})` : '';
      return (
        `message ${message.key} is matched to no ping of run ${label}${other}, so marking it ${override.as} changes nothing. ` +
        `To count it as a contact point's answer, say whose it is: rollcall mark ${label} ${message.key} --contact <id> --as ${override.as} --note "..."`
      );
    }
    return `message ${message.key} arrived before any ping of ${override.contactId ?? 'its contact point'} left: nothing that arrived before the ping is an answer`;
  }
  const id = contact!.contactId;
  const pingIds = new Set<string>();
  for (const rec of state.pings.values()) if (rec.started.contactId === id) pingIds.add(rec.started.pingId);
  const theirs = state.messages.filter((m) => m.pingId !== undefined && pingIds.has(m.pingId));
  const hint = `For an answer received outside rollcall (a phone call), give its time: rollcall mark ${label} ${id} --as reply --at <HH:MM> --channel phone --note "..."`;
  if (pingIds.size === 0) return `${id} (${contact!.country}) was not pinged in run ${label}: there is nothing of it to mark`;
  if (theirs.length === 0) return `nothing arrived from ${id} (${contact!.country}) in run ${label}: there is no message of it to mark ${override.as}. ${hint}`;
  if (!theirs.some((m) => CONTACT_OVERRIDABLE.has(m.class))) {
    const kinds = [...new Set(theirs.map((m) => m.class))].join(', ');
    return `${id}'s messages are ${kinds} only, which a mark on the contact does not change (a bounce is the network's word, not the contact point's): mark the message itself (${theirs[0]!.key}). ${hint}`;
  }
  return `${id}'s messages are already counted that way: marking it ${override.as} changes nothing`;
}
