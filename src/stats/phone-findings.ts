// What the provider's answers say about a phone number, in the words of the findings (refused,
// opted out, busy, not answered, voicemail), and the problems of the test itself (webhooks that
// did not arrive). Pure functions of events: the statistics call them; nothing here reads a file.
import type { ChannelName, DeliveryStatusEvent, PingFailedEvent, RunEvent } from '../core/events.js';

/** Twilio's refusal of a number that replied STOP to an earlier text from our number. */
export const OPTED_OUT_CODE = 21610;

/**
 * `failed`: the number is refused or the message/call failed; `opted-out`: the contact point
 * replied STOP to an earlier test, texts cannot reach it until it sends START (not a dead
 * number); `busy`: every call was busy; `no-answer`: calls not answered by a person (no answer,
 * voicemail, a mix, or still ringing when the test ended).
 */
export type PhoneFindingStatus = 'failed' | 'opted-out' | 'busy' | 'no-answer';

export interface PhoneFinding {
  status: PhoneFindingStatus;
  /** The words a report shows: "busy, 3 calls". */
  detail: string;
  /** The event the finding rests on. */
  at: string;
}

/** Suggested order when one address has several findings (the most severe is kept). */
export const PHONE_FINDING_SEVERITY: Record<PhoneFindingStatus, number> = { 'no-answer': 2, busy: 2, 'opted-out': 3, failed: 4 };

const FAILED = new Set(['failed', 'undelivered', 'canceled']);
const UNANSWERED_CALL = new Set(['busy', 'no-answer', 'machine']);
const ANSWERED_CALL = new Set(['completed', 'in-progress']);

const isOptedOut = (code: string | number | undefined) => code !== undefined && Number(code) === OPTED_OUT_CODE;
const calls = (n: number) => `${n} call${n === 1 ? '' : 's'}`;

export const OPTED_OUT_DETAIL = 'the contact point replied STOP to an earlier text from our number; texts cannot reach it until it sends START (Twilio error 21610)';

/**
 * The finding for one SMS or voice ping, from its `ping-failed` and `delivery-status` events in
 * log order (other events and other pings' events are ignored by the caller). Undefined when the
 * number works: delivered, answered, or nothing final yet.
 */
export function phoneFinding(events: ReadonlyArray<DeliveryStatusEvent | PingFailedEvent>): PhoneFinding | undefined {
  const statuses = events.filter((e): e is DeliveryStatusEvent => e.type === 'delivery-status');
  const last = statuses.filter((e) => e.final).at(-1);
  if (!last) {
    const refused = events.filter((e): e is PingFailedEvent => e.type === 'ping-failed').at(-1);
    if (!refused?.permanent) return undefined;
    if (isOptedOut(refused.code)) return { status: 'opted-out', detail: OPTED_OUT_DETAIL, at: refused.at };
    const words = refused.code !== undefined && !refused.response.includes(String(refused.code)) ? `${refused.code} ${refused.response}` : refused.response;
    return { status: 'failed', detail: `refused: ${words}`, at: refused.at };
  }
  const status = last.status.toLowerCase();
  const code = last.errorCode !== undefined ? ` (error ${last.errorCode})` : '';
  const words = last.detail ? `: ${last.detail}` : '';
  if (last.channel !== 'voice') {
    if (isOptedOut(last.errorCode)) return { status: 'opted-out', detail: OPTED_OUT_DETAIL, at: last.at };
    if (FAILED.has(status)) return { status: 'failed', detail: `SMS ${status}${code}${words}`, at: last.at };
    return undefined;
  }

  // Voice: one outcome per call placed (a call's end may be recorded twice: when it ended, and
  // as final when the window closed before the next call).
  const outcomes = new Map<string, string>();
  for (const e of statuses) {
    if (e.status === 'queued') continue;
    const key = e.providerId ?? `#${e.attempt ?? 1}`;
    if (!outcomes.has(key)) outcomes.set(key, e.status.toLowerCase());
  }
  const n = Math.max(outcomes.size, last.attempt ?? 1);
  const ended = last.detail?.includes('window closed before the next call') ? '; the test ended before the next call' : '';
  if (ANSWERED_CALL.has(status)) return undefined;
  if (FAILED.has(status)) return { status: 'failed', detail: `call ${status}${code}${words}`, at: last.at };
  if (!UNANSWERED_CALL.has(status)) {
    // Still ringing (or never heard of again) when the test ended.
    return { status: 'no-answer', detail: `no final status: the call was still ${status} when the test ended, ${calls(n)}`, at: last.at };
  }
  const tally = { busy: 0, 'no-answer': 0, machine: 0 };
  for (const o of outcomes.values()) if (o in tally) tally[o as keyof typeof tally]++;
  const kinds = (Object.keys(tally) as Array<keyof typeof tally>).filter((k) => tally[k] > 0);
  const name = { busy: 'busy', 'no-answer': 'no answer', machine: 'voicemail' };
  if (kinds.length <= 1) {
    const only = kinds[0] ?? (status as keyof typeof tally);
    return { status: only === 'busy' ? 'busy' : 'no-answer', detail: `${name[only]}, ${calls(n)}${ended}`, at: last.at };
  }
  const mix = kinds.map((k) => `${name[k]} ${tally[k]}`).join(', ');
  return { status: 'no-answer', detail: `not answered, ${calls(n)} (${mix})${ended}`, at: last.at };
}

/** A problem of the test itself, from its `test-problem` events: one per episode. */
export interface TestProblem {
  problem: 'webhooks-missing';
  channel: ChannelName;
  /** When the first call without a webhook was seen answered. */
  since: string;
  /** When webhooks arrived again; absent when they had not by the end of the log. */
  until?: string;
  /** The pings whose key presses may have been lost (answered calls without any webhook), sorted. */
  pingIds: string[];
  /** The words of the first event of the episode. */
  detail: string;
}

/** Merges the `test-problem` events into episodes (a problem noticed, more pings named, resolved). */
export function testProblems(events: Iterable<RunEvent>): TestProblem[] {
  const out: TestProblem[] = [];
  const open = new Map<string, TestProblem>();
  for (const e of events) {
    if (e.type !== 'test-problem') continue;
    const key = `${e.problem}:${e.channel}`;
    const current = open.get(key);
    if (e.resolved) {
      if (current) current.until = e.since;
      open.delete(key);
      continue;
    }
    if (current) {
      for (const p of e.pingIds) if (!current.pingIds.includes(p)) current.pingIds.push(p);
      continue;
    }
    const p: TestProblem = { problem: e.problem, channel: e.channel, since: e.since, pingIds: [...e.pingIds], detail: e.detail };
    open.set(key, p);
    out.push(p);
  }
  // Codes and ids are ASCII: plain order, whatever order the calls were noticed in.
  for (const p of out) p.pingIds.sort();
  return out;
}
