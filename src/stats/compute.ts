// Statistics from a run's events and the directory it tested: pings and their send times,
// messages and what they answer, manual overrides, and the directory findings. Pure: no I/O.
import type { Directory } from '../core/directory.js';
import type { ChannelName, DeliveryStatusEvent, MessageReceivedEvent, OverrideClass, OverrideEvent, RunEvent } from '../core/events.js';
import { normalizeAddress } from '../core/ping-index.js';
import { membersOf, splitByKind } from './population.js';
import { summarize, type PopulationMember } from './summarize.js';
import { KIND_BIT, ResponseTally } from './tally.js';
import type { Finding, FindingStatus, OverrideSummary, Stats } from './types.js';

interface PingRecord {
  pingId: string;
  contactId: string;
  iso: string;
  channel: ChannelName;
  address: string;
  startedMs: number;
  startedAt: string;
  /** When the channel accepted it; undefined while unconfirmed. */
  sentMs: number | undefined;
  state: 'started' | 'sent' | 'failed' | 'retrying';
  failure?: { response: string; code?: string | number; at: string };
  /** An acknowledgement or other message answered it (so it was sent, whatever the log says). */
  answered: boolean;
}

export interface EventStatsOptions {
  bucketSeconds: number[];
  /** Observers were tested: count them separately in `stats.observers`. */
  includeObservers?: boolean;
}

/** Message classes that come from the contact point's side and that a contact-level override
 * reclassifies; bounces, delays and SMS keywords are the network's, not the contact's. */
const CONTACT_OVERRIDABLE = new Set<string>(['reply', 'automatic', 'read-receipt']);

export function statsFromEvents(events: readonly RunEvent[], directory: Directory, opts: EventStatsOptions): Stats {
  const pings = new Map<string, PingRecord>();
  const messages: MessageReceivedEvent[] = [];
  const seenKeys = new Set<string>();
  const finalStatus = new Map<string, DeliveryStatusEvent>();
  const overrides: OverrideEvent[] = [];

  for (const e of events) {
    switch (e.type) {
      case 'ping-started': {
        const known = pings.get(e.pingId);
        if (known) {
          known.state = 'started';
        } else {
          pings.set(e.pingId, {
            pingId: e.pingId,
            contactId: e.contactId,
            iso: e.iso.toUpperCase(),
            channel: e.channel,
            address: e.address,
            startedMs: Date.parse(e.at),
            startedAt: e.at,
            sentMs: undefined,
            state: 'started',
            answered: false,
          });
        }
        break;
      }
      case 'ping-sent': {
        const p = pings.get(e.pingId);
        if (p) {
          p.state = 'sent';
          p.sentMs = Date.parse(e.sentAt);
        }
        break;
      }
      case 'ping-failed': {
        const p = pings.get(e.pingId);
        if (p) {
          p.state = e.permanent ? 'failed' : 'retrying';
          p.failure = { response: e.response, code: e.code, at: e.at };
        }
        break;
      }
      case 'message-received':
        // The recorder already drops a key seen before; a log written by another tool may not.
        if (!seenKeys.has(e.key)) {
          seenKeys.add(e.key);
          messages.push(e);
        }
        break;
      case 'delivery-status':
        if (e.final) finalStatus.set(e.pingId, e);
        break;
      case 'override':
        overrides.push(e);
        break;
      default:
        break;
    }
  }

  // Last word wins: a later `rollcall mark` corrects an earlier one.
  const byMessage = new Map<string, OverrideEvent>();
  const byContact = new Map<string, OverrideEvent>();
  for (const o of overrides) {
    if (o.messageKey) byMessage.set(o.messageKey, o);
    else if (o.contactId) byContact.set(o.contactId, o);
  }
  const applied = new Set<OverrideEvent>();

  const pingsOfContact = new Map<string, PingRecord[]>();
  for (const p of pings.values()) {
    const list = pingsOfContact.get(p.contactId) ?? [];
    list.push(p);
    pingsOfContact.set(p.contactId, list);
  }

  const tally = new ResponseTally();
  for (const p of pings.values()) {
    tally.contact(p.iso, p.contactId);
    tally.pinged(p.channel, p.sentMs ?? p.startedMs);
  }

  const bounces: Array<{ message: MessageReceivedEvent; ping: PingRecord | undefined }> = [];
  for (const m of messages) {
    const mo = byMessage.get(m.key);
    let ping = m.pingId !== undefined ? pings.get(m.pingId) : undefined;
    // An override naming both the message and a contact attributes the message to that contact.
    if (mo?.contactId && ping?.contactId !== mo.contactId) ping = pingFor(pingsOfContact.get(mo.contactId), m);
    if (m.class === 'bounce' || m.class === 'delay') {
      if (mo?.as !== 'reply') bounces.push({ message: m, ping });
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
    const bit = as === 'reply' ? KIND_BIT.reply : as === 'automatic' ? KIND_BIT['auto-reply'] : as === 'not-an-answer' ? 0 : classBit(m.class);
    ping.answered = true;
    if (bit === 0) continue;
    const arrivedMs = Date.parse(m.receivedAt);
    if (Number.isNaN(arrivedMs)) continue;
    const sentMs = ping.sentMs ?? ping.startedMs;
    // INTERNALDATE has whole seconds: an answer within the second of sending may look early.
    tally.contact(ping.iso, ping.contactId).add(ping.channel, sentMs, Math.max(arrivedMs, sentMs), bit, m.folder);
    tally.arrived(arrivedMs);
  }

  const findings = collectFindings(pings, bounces, finalStatus);
  const statusOf = new Map(directory.parties.map((p) => [p.iso.toUpperCase(), p.status]));
  const nameOf = new Map(directory.parties.map((p) => [p.iso.toUpperCase(), p.country]));
  for (const f of findings) f.country = nameOf.get(f.iso!) ?? f.iso!;
  const overrideList: OverrideSummary[] = overrides.map((o) => ({
    at: o.at,
    ...(o.messageKey ? { messageKey: o.messageKey } : {}),
    ...(o.contactId ? { contactId: o.contactId } : {}),
    as: o.as,
    note: o.note,
    applied: applied.has(o),
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
  if (opts.includeObservers) stats.observers = group(membersOf(directory, 'observer', byIso), 'observer');
  return stats;
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

/** The ping of a contact that a reattributed message answers: the last one sent before it
 * arrived on its channel, else the contact's first ping. */
function pingFor(list: PingRecord[] | undefined, m: MessageReceivedEvent): PingRecord | undefined {
  if (!list?.length) return undefined;
  const arrived = Date.parse(m.receivedAt);
  let best: PingRecord | undefined;
  for (const p of list) {
    const sent = p.sentMs ?? p.startedMs;
    if (p.channel === m.channel && sent <= arrived && (!best || sent > (best.sentMs ?? best.startedMs))) best = p;
  }
  return best ?? list[0];
}

const SEVERITY: Record<FindingStatus, number> = { uncertain: 0, delayed: 1, 'no-answer': 2, failed: 3 };

/** Addresses that failed or were delayed, numbers that failed or never answered, and pings whose
 * sending was never confirmed. One finding per address: the most severe. */
function collectFindings(
  pings: Map<string, PingRecord>,
  bounces: Array<{ message: MessageReceivedEvent; ping: PingRecord | undefined }>,
  finalStatus: Map<string, DeliveryStatusEvent>,
): Finding[] {
  const found = new Map<string, Finding>();
  const note = (p: PingRecord, status: FindingStatus, detail: string, at: string | undefined) => {
    const key = `${p.channel}:${normalizeAddress(p.address, p.channel)}`;
    const prev = found.get(key);
    if (prev && SEVERITY[prev.status] >= SEVERITY[status]) return;
    const f: Finding = { country: p.iso, iso: p.iso, contactId: p.contactId, channel: p.channel, address: p.address, status, detail };
    if (at) f.at = at;
    found.set(key, f);
  };

  for (const p of pings.values()) {
    if (p.state === 'failed') note(p, 'failed', failureText(p.failure!), p.failure!.at);
    else if (p.state === 'retrying') note(p, 'delayed', `not sent yet: ${failureText(p.failure!)}`, p.failure!.at);
    else if (p.state === 'started' && !p.answered)
      note(p, 'uncertain', 'sending started but never confirmed (the run stopped mid-send); `rollcall resume --resend-uncertain` sends it again', p.startedAt);
  }

  // Mail addresses pinged (the demo's simulated channel pings mail addresses too).
  const emailPings = new Map<string, PingRecord>();
  for (const p of pings.values()) if (p.channel === 'email' || p.channel === 'sim') emailPings.set(normalizeAddress(p.address, 'email'), p);
  for (const { message: m, ping } of bounces) {
    const recipient = m.bounce?.recipient ? bareAddress(m.bounce.recipient) : undefined;
    // The DSN names the address that failed: credit the ping sent to it, else the ping matched.
    const target = (recipient && emailPings.get(recipient)) || ping;
    if (!target) continue;
    const parts = [m.bounce?.status, m.bounce?.action, m.bounce?.diagnostic].filter(Boolean).join(' ') || m.subject || m.class;
    const forwarded = recipient && recipient !== normalizeAddress(target.address, 'email') ? ` (for ${recipient})` : '';
    note(target, m.class === 'bounce' ? 'failed' : 'delayed', `${m.class === 'bounce' ? 'bounce' : 'delay notice'}: ${parts}${forwarded}`, m.receivedAt);
  }

  for (const [pingId, s] of finalStatus) {
    const p = pings.get(pingId);
    if (!p) continue;
    const status = s.status.toLowerCase();
    const kind: FindingStatus | undefined = ['failed', 'undelivered', 'canceled'].includes(status)
      ? 'failed'
      : ['busy', 'no-answer'].includes(status)
        ? 'no-answer'
        : undefined;
    if (!kind) continue;
    const detail = [`${s.channel === 'voice' ? 'call' : 'SMS'} ${status}`, s.errorCode !== undefined ? `(error ${s.errorCode})` : '', s.detail ?? '']
      .filter(Boolean)
      .join(' ');
    note(p, kind, detail, s.at);
  }
  // Codes, ids and addresses are ASCII: plain comparison (an ICU collator costs start-up time).
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return [...found.values()].sort((a, b) => cmp(a.iso!, b.iso!) || cmp(a.contactId ?? '', b.contactId ?? '') || cmp(a.address, b.address));
}

function failureText(f: { response: string; code?: string | number }): string {
  return f.code !== undefined && !f.response.includes(String(f.code)) ? `${f.code} ${f.response}` : f.response;
}

/** `rfc822; Poc@Police.AL.example` → `poc@police.al.example`. */
function bareAddress(recipient: string): string {
  const r = recipient.includes(';') ? recipient.slice(recipient.indexOf(';') + 1) : recipient;
  return r.trim().replace(/^<|>$/g, '').toLowerCase();
}
