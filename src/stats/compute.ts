// Statistics from a run's state (the one fold of its event log, src/core/run-state.ts) and the
// directory it tested: pings and their send times, messages and what they answer, manual
// overrides and answers entered by hand, the outcome of every country, the directory findings.
// Pure: no I/O. The rules are docs/measurement.md; how they read the events, docs/events.md.
import type { ContactPoint, Directory } from '../core/directory.js';
import type { ChannelName, HandEnteredChannel, MessageReceivedEvent, OverrideClass, OverrideEvent, RunEvent } from '../core/events.js';
import { normalizeAddress } from '../core/ping-index.js';
import { earliestCopyMs, foldRunState, type PingRecord, type RunState } from '../core/run-state.js';
import { phoneFinding, testProblems } from './phone-findings.js';
import { membersOf, splitByKind } from './population.js';
import { summarize, type PopulationMember } from './summarize.js';
import { AUTOMATIC_BITS, KIND_BIT, ResponseTally, type ContactTally } from './tally.js';
import type { AuthenticitySummary, Finding, FindingStatus, OverrideSummary, Stats, UnconfirmedAnswer } from './types.js';
import type { AuthenticityPolicy } from '../settings.js';

/** What the statistics need of one ping. */
interface PingView {
  rec: PingRecord;
  pingId: string;
  contactId: string;
  iso: string;
  channel: ChannelName;
  address: string;
  firstStartedMs: number;
  /** When the channel accepted it; undefined while unconfirmed. */
  sentMs: number | undefined;
  /** The earliest moment it may have reached the contact point (undefined: it never left). */
  copyMs: number | undefined;
  /** A message answered it (so it was sent, whatever the log says). */
  answered: boolean;
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
  // Timestamps repeat (a burst of pings shares its second): each is parsed once.
  const parsed = new Map<string, number>();
  const msOf = (iso: string) => {
    let ms = parsed.get(iso);
    if (ms === undefined) {
      ms = Date.parse(iso);
      if (parsed.size < 100_000) parsed.set(iso, ms);
    }
    return ms;
  };
  const pings = new Map<string, PingView>();
  for (const rec of state.pings.values()) {
    const s = rec.started;
    const view: PingView = {
      rec,
      pingId: s.pingId,
      contactId: s.contactId,
      iso: s.iso.toUpperCase(),
      channel: s.channel,
      address: s.address,
      firstStartedMs: msOf(rec.firstStartedAt),
      sentMs: rec.sent ? msOf(rec.sent.sentAt) : undefined,
      copyMs: rec.sent && !rec.uncertainSince ? msOf(rec.sent.sentAt) : earliestCopyMs(rec),
      answered: false,
    };
    pings.set(view.pingId, view);
  }
  // Each contact point's pings, wanted only by an override that names a contact point: made when
  // first asked for (a hundred thousand lists in a large run otherwise).
  let byContactPoint: Map<string, PingView[]> | undefined;
  const pingsOfContact = (contactId: string): PingView[] | undefined => {
    if (!byContactPoint) {
      byContactPoint = new Map();
      for (const view of pings.values()) {
        const list = byContactPoint.get(view.contactId);
        if (list) list.push(view);
        else byContactPoint.set(view.contactId, [view]);
      }
    }
    return byContactPoint.get(contactId);
  };

  // Last word wins: a later `rollcall mark` corrects an earlier one.
  const byMessage = new Map<string, OverrideEvent>();
  const byContact = new Map<string, OverrideEvent>();
  const handEntered = new Map<string, OverrideEvent>();
  const applied = new Set<OverrideEvent>();
  for (const o of state.overrides) {
    if (o.messageKey) byMessage.set(o.messageKey, o);
    else if (o.contactId && o.answeredAt) handEntered.set(o.contactId, o);
    else if (o.contactId) {
      byContact.set(o.contactId, o);
      // "Nothing from this contact point is an answer" withdraws an answer entered by hand.
      if (o.as === 'not-an-answer' && handEntered.delete(o.contactId)) applied.add(o);
    }
  }

  const tally = new ResponseTally();
  for (const p of pings.values()) {
    tally.contact(p.iso, p.contactId);
    tally.pinged(p.channel, p.sentMs ?? p.firstStartedMs);
  }

  const policy: AuthenticityPolicy = opts.authenticity ?? 'report';
  const unconfirmed: UnconfirmedAnswer[] = [];
  let checked = false;
  let unauthenticatedBounces = 0;
  const bounces: Array<{ message: MessageReceivedEvent; ping: PingView | undefined }> = [];
  for (const m of state.messages) {
    const mo = byMessage.get(m.key);
    const forged = m.authenticity?.verdict === 'fail';
    if (m.authenticity) checked = true;
    let ping = m.pingId !== undefined ? pings.get(m.pingId) : undefined;
    // An override naming both the message and a contact attributes the message to that contact.
    if (mo?.contactId && ping?.contactId !== mo.contactId) ping = pingBefore(pingsOfContact(mo.contactId), msOf(m.receivedAt), m.channel);
    if (m.class === 'bounce' || m.class === 'delay') {
      if (forged) unauthenticatedBounces++;
      // A forged bounce never marks a working address as failed under `require`.
      if (mo?.as !== 'reply' && !(forged && policy === 'require')) bounces.push({ message: m, ping });
    }
    if (!ping) continue;
    const co = byContact.get(ping.contactId);
    let as: OverrideClass | undefined;
    if (mo) {
      as = mo.as;
      applied.add(mo);
    } else if (co && CONTACT_OVERRIDABLE.has(m.class)) {
      as = co.as;
      applied.add(co);
    }
    let bit = as === 'reply' ? KIND_BIT.reply : as === 'automatic' ? KIND_BIT['auto-reply'] : as === 'not-an-answer' ? 0 : classBit(m.class);
    ping.answered = true;
    // An answer whose origin fails authentication: listed; under `require` it counts for nothing
    // (the country falls to its next outcome), unless the secretariat marked the message itself.
    if (forged && (bit & (KIND_BIT.reply | AUTOMATIC_BITS)) !== 0) {
      const counted = policy === 'report' || mo !== undefined;
      unconfirmed.push({ country: ping.iso, iso: ping.iso, contactId: ping.contactId, messageKey: m.key, from: m.from, receivedAt: m.receivedAt, counted, reasons: m.authenticity!.reasons });
      if (!counted) bit = 0;
    }
    if (bit === 0) continue;
    const arrivedMs = msOf(m.receivedAt);
    if (Number.isNaN(arrivedMs)) continue;
    // Timed from the earliest copy that may have left (an uncertain first attempt shares its
    // Message-ID and token with the copy sent again); INTERNALDATE has whole seconds, so an
    // answer within the second of sending may look early: it counts as 0.
    const sentMs = ping.copyMs ?? ping.firstStartedMs;
    tally.contact(ping.iso, ping.contactId).add(ping.channel, sentMs, Math.max(arrivedMs, sentMs), bit, m.folder, undefined, m.authenticity?.verdict);
    tally.arrived(arrivedMs);
  }

  for (const o of handEntered.values()) {
    const answeredMs = Date.parse(o.answeredAt!);
    const ping = firstPingBefore(pingsOfContact(o.contactId!), answeredMs);
    if (!ping || Number.isNaN(answeredMs)) continue;
    applied.add(o);
    const channel = o.channel ?? 'other';
    tally.contact(ping.iso, ping.contactId).add(tallyChannel(channel, ping.channel), ping.copyMs!, answeredMs, KIND_BIT.reply, undefined, { channel, note: o.note });
    tally.arrived(answeredMs);
  }

  const { findings, failedAddresses } = collectFindings(pings, bounces, state, policy);
  markUnreachable(tally, pings, directory, failedAddresses);
  const statusOf = new Map(directory.parties.map((p) => [p.iso.toUpperCase(), p.status]));
  const nameOf = new Map(directory.parties.map((p) => [p.iso.toUpperCase(), p.country]));
  for (const f of findings) f.country = nameOf.get(f.iso!) ?? f.iso!;
  const overrideList: OverrideSummary[] = state.overrides.map((o) => ({
    at: o.at,
    ...(o.messageKey ? { messageKey: o.messageKey } : {}),
    ...(o.contactId ? { contactId: o.contactId } : {}),
    as: o.as,
    note: o.note,
    applied: applied.has(o),
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
  const problems = testProblems(state.testProblems);
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
function pingBefore(list: PingView[] | undefined, arrivedMs: number, channel: ChannelName): PingView | undefined {
  let best: PingView | undefined;
  let any: PingView | undefined;
  for (const p of list ?? []) {
    if (p.copyMs === undefined || Math.floor(p.copyMs / 1000) * 1000 > arrivedMs) continue;
    if (!any || p.copyMs > any.copyMs!) any = p;
    if (p.channel === channel && (!best || p.copyMs > best.copyMs!)) best = p;
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

/**
 * Tells the tally, per contact point, whether every address of it that the run tested failed
 * for good: the addresses pinged, and those of the directory on the run's channels that were
 * not pinged (yet) — an address never tried has not failed.
 */
function markUnreachable(tally: ResponseTally, pings: Map<string, PingView>, directory: Directory, failed: ReadonlySet<string>): void {
  // Per contact point, whether every address of it tested so far failed, kept in its tally
  // (`allFailed`, true from its first address on): no set of addresses per contact point (a
  // hundred thousand sets in a large run), nor a record of its own.
  const seen = new Map<string, ContactTally>();
  const channels = new Set<ChannelName>();
  // An address's key is made only while every address so far failed: once one works, the
  // contact point is reachable whatever the others say (most are, and were 200,000 strings).
  const note = (iso: string, contactId: string, channel: ChannelName, address: string) => {
    let t = seen.get(contactId);
    if (!t) {
      seen.set(contactId, (t = tally.contact(iso, contactId)));
      t.allFailed = true;
    }
    if (t.allFailed && !failed.has(addressKey(channel, address))) t.allFailed = false;
  };
  for (const p of pings.values()) {
    channels.add(p.channel);
    note(p.iso, p.contactId, p.channel, p.address);
  }
  for (const party of directory.parties) {
    for (const c of party.contacts) {
      for (const ch of channels) {
        const list = directoryAddresses(c, ch);
        if (list.length === 0) continue;
        for (const a of list) note(party.iso.toUpperCase(), c.id, ch, a);
      }
    }
  }
}

const SEVERITY: Record<FindingStatus, number> = { uncertain: 0, delayed: 1, 'no-answer': 2, busy: 2, 'opted-out': 3, failed: 4 };

/** Addresses that failed or were delayed, numbers that failed or never answered, and pings whose
 * sending was never confirmed. One finding per address: the most severe. */
function collectFindings(
  pings: Map<string, PingView>,
  bounces: Array<{ message: MessageReceivedEvent; ping: PingView | undefined }>,
  state: RunState,
  policy: AuthenticityPolicy,
): { findings: Finding[]; failedAddresses: Set<string> } {
  const found = new Map<string, Finding>();
  const note = (p: PingView, status: FindingStatus, detail: string, at: string | undefined) => {
    const key = addressKey(p.channel, p.address);
    const prev = found.get(key);
    if (prev && SEVERITY[prev.status] >= SEVERITY[status]) return;
    const f: Finding = { country: p.iso, iso: p.iso, contactId: p.contactId, channel: p.channel, address: p.address, status, detail };
    if (at) f.at = at;
    found.set(key, f);
  };

  for (const p of pings.values()) {
    const rec = p.rec;
    if (rec.state === 'failed') note(p, 'failed', failureText(rec.lastFailure!), rec.lastFailure!.at);
    else if (rec.state === 'retrying') note(p, 'delayed', `not sent yet: ${failureText(rec.lastFailure!)}`, rec.lastFailure!.at);
    else if (rec.state === 'unconfirmed' && !p.answered)
      note(p, 'uncertain', 'sending started but never confirmed (the run stopped mid-send); `rollcall resume --resend-uncertain` sends it again', rec.firstStartedAt);
  }

  // Mail addresses pinged (the demo's simulated channel pings mail addresses too).
  // Only the addresses some DSN names (a map of every ping otherwise).
  const recipients = bounces.map(({ message: m }) => (m.bounce?.recipient ? bareAddress(m.bounce.recipient) : undefined));
  const named = new Set(recipients);
  const emailPings = new Map<string, PingView>();
  if (named.size > 0)
    for (const p of pings.values()) {
      if (p.channel !== 'email' && p.channel !== 'sim') continue;
      const address = normalizeAddress(p.address, 'email');
      if (named.has(address)) emailPings.set(address, p);
    }
  for (const [i, { message: m, ping }] of bounces.entries()) {
    const recipient = recipients[i];
    // The DSN names the address that failed: credit the ping sent to it, else the ping matched.
    const target = (recipient && emailPings.get(recipient)) || ping;
    if (!target) continue;
    const parts = [m.bounce?.status, m.bounce?.action, m.bounce?.diagnostic].filter(Boolean).join(' ') || m.subject || m.class;
    const forwarded = recipient && recipient !== normalizeAddress(target.address, 'email') ? ` (for ${recipient})` : '';
    const what = m.class === 'bounce' ? 'bounce' : 'delay notice';
    // Under `report` a bounce that fails authentication still counts, and says so.
    const unauthenticated = m.authenticity?.verdict === 'fail' && policy === 'report' ? ` (unauthenticated ${what}: its origin could not be confirmed)` : '';
    note(target, m.class === 'bounce' ? 'failed' : 'delayed', `${what}: ${parts}${forwarded}${unauthenticated}`, m.receivedAt);
  }

  // Numbers: the wording rests on every status of the ping ("busy, 3 calls"; opted out).
  for (const [pingId, events] of state.phoneEvents) {
    const p = pings.get(pingId);
    const f = p ? phoneFinding(events) : undefined;
    if (p && f) note(p, f.status, f.detail, f.at);
  }
  const failedAddresses = new Set<string>();
  // A number that opted out is refused by the provider: it cannot be reached either.
  for (const [key, f] of found) if (f.status === 'failed' || f.status === 'opted-out') failedAddresses.add(key);
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
