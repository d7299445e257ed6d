// Statistics from a run's state (the one fold of its event log, src/core/run-state.ts) and the
// directory it tested: pings and their send times, messages and what they answer, manual
// overrides and answers entered by hand, the outcome of every country, the directory findings.
// Pure: no I/O. The rules are docs/measurement.md; how they read the events, docs/events.md.
import type { ContactPoint, Directory } from '../core/directory.js';
import type { ChannelName, HandEnteredChannel, MessageReceivedEvent, OverrideClass, OverrideEvent, RunEvent } from '../core/events.js';
import { groupBy } from '../core/group.js';
import { heapTick } from '../core/heap-governor.js';
import { normalizeAddress } from '../core/ping-index.js';
import { foldRunState, type RunState } from '../core/run-state.js';
import { earliestCopyMsOf, inputOfState, type PingColumns, type StatsInput } from './run-rows.js';
import { phoneFinding, testProblems } from './phone-findings.js';
import { membersOf, splitByKind } from './population.js';
import { summarize, type PopulationMember } from './summarize.js';
import { AUTOMATIC_BITS, KIND_BIT, ResponseTally, type ContactTally } from './tally.js';
import type { AuthenticitySummary, Finding, FindingStatus, OverrideSummary, Stats, UnconfirmedAnswer } from './types.js';
import type { AuthenticityPolicy } from '../settings.js';

/** What the statistics need of the run's pings beyond its columns (PingColumns): a row each, in
 * columns (an object of its own per ping, with its times boxed, was a sixth of `stats` on a large
 * run's memory). A ping is named by its row number. */
class PingTable {
  readonly size: number;
  /** The country's ISO code, upper case. */
  readonly isos: string[] = [];
  /** Its contact point's tally (looked up once, not per use). */
  readonly tallies: ContactTally[] = [];
  /** The earliest moment it may have reached the contact point (ms); NaN: it never left. */
  readonly copyMs: Float64Array;
  /** When its first attempt started (ms). */
  readonly firstStartedMs: Float64Array;
  /** A message answered it (so it was sent, whatever the log says). */
  readonly answered: Uint8Array;
  private byId: Map<string, number> | undefined;

  constructor(readonly cols: PingColumns) {
    this.size = cols.size;
    this.copyMs = new Float64Array(this.size);
    this.firstStartedMs = new Float64Array(this.size);
    this.answered = new Uint8Array(this.size);
  }

  contactId(row: number): string {
    return this.cols.contactId[row]!;
  }

  channel(row: number): ChannelName {
    return this.cols.channel[row]!;
  }

  address(row: number): string {
    return this.cols.address[row]!;
  }

  /** The row of a ping id (a map made when first asked: only phone findings ask). */
  rowOf(pingId: string): number | undefined {
    if (!this.byId) {
      this.byId = new Map();
      this.cols.pingId.forEach((id, row) => this.byId!.set(id, row));
    }
    return this.byId.get(pingId);
  }

  /** Its earliest copy (ms), undefined when it never left. */
  copy(row: number): number | undefined {
    const copy = this.copyMs[row]!;
    return Number.isNaN(copy) ? undefined : copy;
  }

  /** When the answers to it are timed from: its earliest copy, else (it never left) its start. */
  timedFromMs(row: number): number {
    return this.copy(row) ?? this.firstStartedMs[row]!;
  }
}

export interface EventStatsOptions {
  bucketSeconds: number[];
  /** Observers were tested: count them separately in `stats.observers`. */
  includeObservers?: boolean;
  /** `require`: an answer or bounce whose origin fails authentication counts for nothing
   * (docs/authenticity.md); default `report`: it counts and is listed. */
  authenticity?: AuthenticityPolicy;
}

/** Message classes that come from the contact point's side and that a contact-level override
 * reclassifies; bounces, delays and SMS keywords are the network's, not the contact's. */
export const CONTACT_OVERRIDABLE: ReadonlySet<string> = new Set(['reply', 'automatic', 'read-receipt']);

export function statsFromEvents(events: Iterable<RunEvent>, directory: Directory, opts: EventStatsOptions): Stats {
  return statsFromState(foldRunState(events), directory, opts);
}

/** Every figure of a run, from its folded state. Reads the state, never changes it. */
export function statsFromState(state: RunState, directory: Directory, opts: EventStatsOptions): Stats {
  return statsFromInput(inputOfState(state), directory, opts);
}

/** Every figure of a run, from its pings and messages in rows (a folded state's, or a
 * checkpoint's). Reads them, never changes them. */
export function statsFromInput(input: StatsInput, directory: Directory, opts: EventStatsOptions): Stats {
  // Timestamps repeat (a burst of pings shares its second): each is parsed once, and the one
  // just parsed is known by identity (the log's reader holds each timestamp once).
  const parsed = new Map<string, number>();
  let lastIso = '';
  let lastMs = NaN;
  const msOf = (iso: string) => {
    if (iso === lastIso) return lastMs;
    let ms = parsed.get(iso);
    if (ms === undefined) {
      ms = Date.parse(iso);
      if (parsed.size < 100_000) parsed.set(iso, ms);
    }
    lastIso = iso;
    lastMs = ms;
    return ms;
  };
  const tally = new ResponseTally();
  const cols = input.pings;
  const pings = new PingTable(cols);
  const anyUncertain = cols.uncertainSince.size > 0;
  for (let row = 0; row < pings.size; row++) {
    heapTick();
    const iso = cols.iso[row]!.toUpperCase();
    const firstStartedMs = msOf(cols.firstStartedAt[row]!);
    const sentAt = cols.sentAt[row];
    const sentMs = sentAt !== undefined ? msOf(sentAt) : undefined;
    pings.isos.push(iso);
    pings.tallies.push(tally.contact(iso, cols.contactId[row]!));
    pings.firstStartedMs[row] = firstStartedMs;
    pings.copyMs[row] = (sentMs !== undefined && !(anyUncertain && cols.uncertainSince.has(row)) ? sentMs : earliestCopyMsOf(cols, row)) ?? NaN;
    tally.pinged(cols.channel[row]!, sentMs ?? firstStartedMs);
  }
  // Each contact point's pings, wanted only by an override that names a contact point: made when
  // first asked for (a hundred thousand lists in a large run otherwise).
  let byContactPoint: Map<string, number[]> | undefined;
  const pingsOfContact = (contactId: string): number[] | undefined => {
    byContactPoint ??= groupBy(cols.contactId.keys(), (row) => pings.contactId(row));
    return byContactPoint.get(contactId);
  };

  // Last word wins: a later `rollcall mark` corrects an earlier one. Which later mark replaced or
  // withdrew an earlier one is kept for the list of overrides (not "nothing to reclassify").
  const byMessage = new Map<string, OverrideEvent>();
  const byContact = new Map<string, OverrideEvent>();
  const handEntered = new Map<string, OverrideEvent>();
  const applied = new Set<OverrideEvent>();
  const replacedBy = new Map<OverrideEvent, OverrideEvent>();
  const withdrawnBy = new Map<OverrideEvent, OverrideEvent>();
  const lastWord = (marks: Map<string, OverrideEvent>, target: string, o: OverrideEvent) => {
    const earlier = marks.get(target);
    if (earlier) replacedBy.set(earlier, o);
    marks.set(target, o);
  };
  for (const o of input.overrides) {
    if (o.messageKey) lastWord(byMessage, o.messageKey, o);
    else if (o.contactId && o.answeredAt) lastWord(handEntered, o.contactId, o);
    else if (o.contactId) {
      lastWord(byContact, o.contactId, o);
      // "Nothing from this contact point is an answer" withdraws an answer entered by hand.
      const hand = o.as === 'not-an-answer' ? handEntered.get(o.contactId) : undefined;
      if (hand) {
        handEntered.delete(o.contactId);
        withdrawnBy.set(hand, o);
        applied.add(o);
      }
    }
  }

  const policy: AuthenticityPolicy = opts.authenticity ?? 'report';
  const unconfirmed: UnconfirmedAnswer[] = [];
  let checked = false;
  let unauthenticatedBounces = 0;
  const bounces: Array<{ message: MessageReceivedEvent; ping: number | undefined }> = [];
  input.messages((m, named) => {
    heapTick();
    const mo = byMessage.size > 0 ? byMessage.get(m.key) : undefined;
    const forged = m.authenticity?.verdict === 'fail';
    if (m.authenticity) checked = true;
    let ping = named;
    // An override naming both the message and a contact attributes the message to that contact.
    if (mo?.contactId && (ping === undefined || pings.contactId(ping) !== mo.contactId)) ping = pingBefore(pings, pingsOfContact(mo.contactId), msOf(m.receivedAt), m.channel);
    if (m.class === 'bounce' || m.class === 'delay') {
      if (forged) unauthenticatedBounces++;
      // A forged bounce never marks a working address as failed under `require`.
      if (mo?.as !== 'reply' && !(forged && policy === 'require')) bounces.push({ message: m, ping });
    }
    if (ping === undefined) return;
    const co = byContact.get(pings.contactId(ping));
    let as: OverrideClass | undefined;
    if (mo) {
      as = mo.as;
      applied.add(mo);
    } else if (co && CONTACT_OVERRIDABLE.has(m.class)) {
      as = co.as;
      applied.add(co);
    }
    let bit = as === 'reply' ? KIND_BIT.reply : as === 'automatic' ? KIND_BIT['auto-reply'] : as === 'not-an-answer' ? 0 : classBit(m.class);
    pings.answered[ping] = 1;
    // An answer whose origin fails authentication: listed; under `require` it counts for nothing
    // (the country falls to its next outcome), unless the secretariat marked the message itself.
    if (forged && (bit & (KIND_BIT.reply | AUTOMATIC_BITS)) !== 0) {
      const counted = policy === 'report' || mo !== undefined;
      unconfirmed.push({ country: pings.isos[ping]!, iso: pings.isos[ping]!, contactId: pings.contactId(ping), messageKey: m.key, from: m.from, receivedAt: m.receivedAt, counted, reasons: m.authenticity!.reasons });
      if (!counted) bit = 0;
    }
    if (bit === 0) return;
    const arrivedMs = msOf(m.receivedAt);
    if (Number.isNaN(arrivedMs)) return;
    // Timed from the earliest copy that may have left (an uncertain first attempt shares its
    // Message-ID and token with the copy sent again); INTERNALDATE has whole seconds, so an
    // answer within the second of sending may look early: it counts as 0.
    const sentMs = pings.timedFromMs(ping);
    pings.tallies[ping]!.add(pings.channel(ping), sentMs, Math.max(arrivedMs, sentMs), bit, m.folder, undefined, m.authenticity?.verdict);
    tally.arrived(arrivedMs);
  });

  for (const o of handEntered.values()) {
    const answeredMs = Date.parse(o.answeredAt!);
    const rows = pingsOfContact(o.contactId!);
    const first = firstPingBefore(rows?.map((row) => ({ row, copyMs: pings.copy(row) })), answeredMs);
    if (!first || Number.isNaN(answeredMs)) continue;
    applied.add(o);
    const channel = o.channel ?? 'other';
    pings.tallies[first.row]!.add(tallyChannel(channel, pings.channel(first.row)), first.copyMs!, answeredMs, KIND_BIT.reply, undefined, { channel, note: o.note });
    tally.arrived(answeredMs);
  }

  const { findings, failedAddresses } = collectFindings(pings, bounces, input.phoneEvents, policy);
  markUnreachable(tally, pings, directory, failedAddresses);
  const statusOf = new Map(directory.parties.map((p) => [p.iso.toUpperCase(), p.status]));
  const nameOf = new Map(directory.parties.map((p) => [p.iso.toUpperCase(), p.country]));
  for (const f of findings) f.country = nameOf.get(f.iso!) ?? f.iso!;
  const overrideList: OverrideSummary[] = input.overrides.map((o) => ({
    at: o.at,
    ...(o.messageKey ? { messageKey: o.messageKey } : {}),
    ...(o.contactId ? { contactId: o.contactId } : {}),
    as: o.as,
    note: o.note,
    applied: applied.has(o),
    ...(replacedBy.has(o) ? { replacedBy: replacedBy.get(o)!.at } : {}),
    ...(withdrawnBy.has(o) ? { withdrawnBy: withdrawnBy.get(o)!.at } : {}),
    ...(o.answeredAt ? { handEntered: { answeredAt: o.answeredAt, channel: o.channel ?? 'other' } } : {}),
  }));

  const group = (members: PopulationMember[], status: 'party' | 'observer') => {
    const groupFindings = findings.filter((f) => (statusOf.get(f.iso!) ?? 'party') === status);
    return {
      ...summarize(tally, members, { bucketSeconds: opts.bucketSeconds, findings: groupFindings, overrides: overrideList }),
      byKind: splitByKind(tally, members, opts.bucketSeconds, groupFindings),
    };
  };
  const byIso = (p: { iso: string }) => p.iso.toUpperCase();
  const stats: Stats = group(membersOf(directory, 'party', byIso), 'party');
  const problems = testProblems(input.testProblems);
  if (problems.length > 0) stats.testProblems = problems;
  if (checked) {
    for (const u of unconfirmed) u.country = nameOf.get(u.iso!) ?? u.iso!;
    stats.authenticity = authenticitySummary(stats, policy, unconfirmed, unauthenticatedBounces);
  }
  if (opts.includeObservers) stats.observers = group(membersOf(directory, 'observer', byIso), 'observer');
  return stats;
}

/** Verdicts of the answers that counted (answered and late countries), and the unconfirmed ones. */
function authenticitySummary(stats: Stats, policy: AuthenticityPolicy, unconfirmed: UnconfirmedAnswer[], unauthenticatedBounces: number): AuthenticitySummary {
  const counted: AuthenticitySummary['counted'] = { pass: 0, fail: 0, none: 0, unknown: 0, unchecked: 0 };
  for (const c of stats.countries) if (c.outcome === 'answered' || c.outcome === 'late') counted[c.authenticity ?? 'unchecked']++;
  return { policy, counted, unconfirmed, unauthenticatedBounces };
}

function classBit(c: MessageReceivedEvent['class']): number {
  switch (c) {
    case 'reply':
      return KIND_BIT.reply;
    case 'automatic':
      return KIND_BIT['auto-reply'];
    case 'bounce':
      return KIND_BIT.bounce;
    case 'delay':
      return KIND_BIT.delay;
    case 'read-receipt':
      return KIND_BIT['read-receipt'];
    default:
      return 0; // keyword, unrelated: recorded, not an answer
  }
}

/** The ping of a contact that a reattributed message answers: the last one that may have left
 * before it arrived, on its channel if there is one, else on any. None when the message arrived
 * before every ping of that contact (nothing from before the ping is an answer). */
function pingBefore(pings: PingTable, rows: number[] | undefined, arrivedMs: number, channel: ChannelName): number | undefined {
  let best: number | undefined;
  let any: number | undefined;
  const copy = pings.copyMs;
  for (const p of rows ?? []) {
    if (Number.isNaN(copy[p]!) || Math.floor(copy[p]! / 1000) * 1000 > arrivedMs) continue;
    if (any === undefined || copy[p]! > copy[any]!) any = p;
    if (pings.channel(p) === channel && (best === undefined || copy[p]! > copy[best]!)) best = p;
  }
  return best ?? any;
}

/** The ping an answer entered by hand answers: the first of the contact point's pings that may
 * have reached it before the answer (docs/measurement.md, "Answers entered by hand"). */
export function firstPingBefore<P extends { copyMs: number | undefined }>(list: readonly P[] | undefined, answeredMs: number): P | undefined {
  let first: P | undefined;
  for (const p of list ?? []) {
    if (p.copyMs === undefined || p.copyMs > answeredMs) continue;
    if (!first || p.copyMs < first.copyMs!) first = p;
  }
  return first;
}

/** The channel an answer entered by hand is counted under (`byChannel`): a phone call is a voice
 * answer; `other` counts under the channel of the ping it answers. */
function tallyChannel(channel: HandEnteredChannel, pingChannel: ChannelName): ChannelName {
  return channel === 'phone' ? 'voice' : channel === 'other' ? pingChannel : channel;
}

/** The addresses of a contact point in the directory that a channel pings. */
function directoryAddresses(contact: ContactPoint, channel: ChannelName): readonly string[] {
  switch (channel) {
    case 'email':
    case 'sim':
      return contact.emails ?? [];
    case 'sms':
      return contact.sms ?? [];
    case 'voice':
      return contact.phones ?? [];
    default:
      return [];
  }
}

const addressKey = (channel: ChannelName, address: string) => `${channel}:${normalizeAddress(address, channel)}`;

/** Addresses that failed for good, by channel, as normalizeAddress gives them. */
type FailedAddresses = Map<ChannelName, Set<string>>;

/**
 * Tells the tally, per contact point, whether every address of it that the run tested failed
 * for good: the addresses pinged, and those of the directory on the run's channels that were
 * not pinged (yet) — an address never tried has not failed.
 */
function markUnreachable(tally: ResponseTally, pings: PingTable, directory: Directory, failed: FailedAddresses): void {
  // Per contact point, whether every address of it tested so far failed, kept in its tally
  // (`allFailed`, true from its first address on): no set of addresses per contact point (a
  // hundred thousand sets in a large run), nor a record of its own. An address is looked up only
  // while every address so far failed: once one works, the contact point is reachable whatever
  // the others say (most are).
  const note = (t: ContactTally, channel: ChannelName, address: string) => {
    if (t.allFailed === undefined) t.allFailed = true;
    else if (!t.allFailed) return;
    const set = failed.get(channel);
    if (!set || !set.has(normalizeAddress(address, channel))) t.allFailed = false;
  };
  const channels = new Set<ChannelName>();
  for (let row = 0; row < pings.size; row++) {
    const channel = pings.channel(row);
    channels.add(channel);
    note(pings.tallies[row]!, channel, pings.address(row));
  }
  for (const party of directory.parties) {
    const iso = party.iso.toUpperCase();
    for (const c of party.contacts) {
      heapTick();
      let t: ContactTally | undefined;
      for (const ch of channels) {
        const list = directoryAddresses(c, ch);
        if (list.length === 0) continue;
        t ??= tally.contact(iso, c.id);
        if (t.allFailed === false) break;
        for (const a of list) note(t, ch, a);
      }
    }
  }
}

const SEVERITY: Record<FindingStatus, number> = { uncertain: 0, delayed: 1, 'no-answer': 2, busy: 2, 'opted-out': 3, failed: 4 };

/** Addresses that failed or were delayed, numbers that failed or never answered, and pings whose
 * sending was never confirmed. One finding per address: the most severe. */
function collectFindings(
  pings: PingTable,
  bounces: Array<{ message: MessageReceivedEvent; ping: number | undefined }>,
  phoneEvents: StatsInput['phoneEvents'],
  policy: AuthenticityPolicy,
): { findings: Finding[]; failedAddresses: FailedAddresses } {
  const found = new Map<string, Finding>();
  const note = (p: number, status: FindingStatus, detail: string, at: string | undefined) => {
    const channel = pings.channel(p);
    const address = pings.address(p);
    const contactId = pings.contactId(p);
    const key = addressKey(channel, address);
    const prev = found.get(key);
    if (prev && SEVERITY[prev.status] >= SEVERITY[status]) return;
    const iso = pings.isos[p]!;
    const f: Finding = { country: iso, iso, contactId, channel, address, status, detail };
    if (at) f.at = at;
    found.set(key, f);
  };

  const { state, lastFailure, firstStartedAt } = pings.cols;
  for (let p = 0; p < pings.size; p++) {
    const sendState = state[p];
    if (sendState === 'failed') note(p, 'failed', failureText(lastFailure.get(p)!), lastFailure.get(p)!.at);
    else if (sendState === 'retrying') note(p, 'delayed', `not sent yet: ${failureText(lastFailure.get(p)!)}`, lastFailure.get(p)!.at);
    else if (sendState === 'unconfirmed' && !pings.answered[p])
      note(p, 'uncertain', 'sending started but never confirmed (the run stopped mid-send); `rollcall resume --resend-uncertain` sends it again', firstStartedAt[p]);
  }

  // Mail addresses pinged (the demo's simulated channel pings mail addresses too).
  // Only the addresses some DSN names (a map of every ping otherwise).
  const recipients = bounces.map(({ message: m }) => (m.bounce?.recipient ? bareAddress(m.bounce.recipient) : undefined));
  const named = new Set(recipients);
  const emailPings = new Map<string, number>();
  if (named.size > 0)
    for (let p = 0; p < pings.size; p++) {
      const channel = pings.channel(p);
      if (channel !== 'email' && channel !== 'sim') continue;
      const address = normalizeAddress(pings.address(p), 'email');
      if (named.has(address)) emailPings.set(address, p);
    }
  for (const [i, { message: m, ping }] of bounces.entries()) {
    const recipient = recipients[i];
    // The DSN names the address that failed: credit the ping sent to it, else the ping matched.
    const target = (recipient ? emailPings.get(recipient) : undefined) ?? ping;
    if (target === undefined) continue;
    const parts = [m.bounce?.status, m.bounce?.action, m.bounce?.diagnostic].filter(Boolean).join(' ') || m.subject || m.class;
    const forwarded = recipient && recipient !== normalizeAddress(pings.address(target), 'email') ? ` (for ${recipient})` : '';
    const what = m.class === 'bounce' ? 'bounce' : 'delay notice';
    // Under `report` a bounce that fails authentication still counts, and says so.
    const unauthenticated = m.authenticity?.verdict === 'fail' && policy === 'report' ? ` (unauthenticated ${what}: its origin could not be confirmed)` : '';
    note(target, m.class === 'bounce' ? 'failed' : 'delayed', `${what}: ${parts}${forwarded}${unauthenticated}`, m.receivedAt);
  }

  // Numbers: the wording rests on every status of the ping ("busy, 3 calls"; opted out).
  for (const [pingId, events] of phoneEvents) {
    const p = pings.rowOf(pingId);
    const f = p !== undefined ? phoneFinding(events) : undefined;
    if (p !== undefined && f) note(p, f.status, f.detail, f.at);
  }
  const failedAddresses: FailedAddresses = new Map();
  // A number that opted out is refused by the provider: it cannot be reached either.
  for (const f of found.values()) {
    if (f.status !== 'failed' && f.status !== 'opted-out') continue;
    const channel = f.channel;
    let set = failedAddresses.get(channel);
    if (!set) failedAddresses.set(channel, (set = new Set()));
    set.add(normalizeAddress(f.address, channel));
  }
  // Codes, ids and addresses are ASCII: plain comparison (an ICU collator costs start-up time).
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const findings = [...found.values()].sort((a, b) => cmp(a.iso!, b.iso!) || cmp(a.contactId ?? '', b.contactId ?? '') || cmp(a.address, b.address));
  return { findings, failedAddresses };
}

function failureText(f: { response: string; code?: string | number }): string {
  return f.code !== undefined && !f.response.includes(String(f.code)) ? `${f.code} ${f.response}` : f.response;
}

/** `rfc822; Poc@Police.AL.example` → `poc@police.al.example`. */
function bareAddress(recipient: string): string {
  const r = recipient.includes(';') ? recipient.slice(recipient.indexOf(';') + 1) : recipient;
  return r.trim().replace(/^<|>$/g, '').toLowerCase();
}
