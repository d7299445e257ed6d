// Matching a received message to the ping it answers, in the order of docs/measurement.md:
// In-Reply-To/References naming the ping's Message-ID, else its token, else its sender address
// after the ping was sent — unless it names a rollcall ping of another test, which is never
// matched by its sender.
import type { Ping, PingIndex } from '../core/ping.js';
import type { MatchRule, OtherTestReference } from '../core/events.js';
import { rollcallTokens, tokenCandidates, tokenOfMessageId } from './token.js';

export interface PingMatch {
  ping: Ping;
  rule: MatchRule;
  /** How, in words: "In-Reply-To <RC-...@example.org>". */
  detail: string;
}

/** Where to look, in order of strength. Each list is tried before the next. */
export interface MatchClues {
  /** Message-IDs naming a ping, with the rule each counts as and where it was found. */
  ids: Array<{ id: string; rule: MatchRule; where: string }>;
  /** Texts to search for a token, with where they come from (`Subject`, `body`...). */
  texts: Array<{ text: string; where: string }>;
  /** Addresses that may be the pinged one (From, or a bounce's Final-Recipient). */
  addresses: Array<{ address: string; where: string }>;
  /** Arrival time at our side; the sender rule wants it after the ping's send time. */
  receivedAt?: Date;
}

/** Splits `<a@b> <c@d>` (In-Reply-To, References) into ids. */
export function messageIds(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const ids = text.match(/<[^<>\s]+>/g);
  return ids ?? (text.trim() ? [`<${text.trim().replace(/^<|>$/g, '')}>`] : []);
}

/** In-Reply-To/References (and a report's returned Message-ID), then the token: what names a
 * ping of this run. A Message-ID of ours that is not in the index still names the ping whose
 * token it carries (the sender's domain may have changed between two sittings). */
export function matchByReference(clues: MatchClues, pings: PingIndex): PingMatch | undefined {
  for (const { id, rule, where } of clues.ids) {
    const ping = pings.byMessageId(id);
    if (ping) return { ping, rule, detail: `${where} ${id}` };
  }
  for (const { id, rule, where } of clues.ids) {
    const token = tokenOfMessageId(id);
    const ping = token ? pings.byToken(token) : undefined;
    if (ping) return { ping, rule, detail: `${where} ${id}` };
  }
  for (const { text, where } of clues.texts) {
    for (const token of tokenCandidates(text)) {
      const ping = pings.byToken(token);
      if (ping) return { ping, rule: 'token', detail: `token ${ping.token} in ${where}` };
    }
  }
  return undefined;
}

/** A rollcall ping that is not one of this run's, named by its Message-ID or its token: the
 * message answers another test (last year's, an aborted run's, a `check` ping). Call it after
 * matchByReference found nothing. */
export function otherTestReference(clues: MatchClues, pings: PingIndex): (OtherTestReference & { where: string }) | undefined {
  for (const { id, where } of clues.ids) {
    const token = tokenOfMessageId(id);
    if (token && !pings.byToken(token)) return { token, messageId: id, where: `${where} ${id}` };
  }
  for (const { text, where } of clues.texts) {
    for (const token of rollcallTokens(text)) {
      if (!pings.byToken(token)) return { token, where };
    }
  }
  return undefined;
}

/** The pinged address writing after the ping was sent: the latest such ping. */
export function matchBySender(clues: MatchClues, pings: PingIndex): PingMatch | undefined {
  for (const { address, where } of clues.addresses) {
    const candidates = pings
      .byAddress(address, 'email')
      .map((ping) => ({ ping, sentAt: pings.sentAt(ping.pingId) }))
      .filter((c): c is { ping: Ping; sentAt: Date } => c.sentAt !== undefined)
      // INTERNALDATE has whole seconds: an answer within the ping's own second still counts.
      .filter((c) => clues.receivedAt === undefined || Math.floor(c.sentAt.getTime() / 1000) * 1000 <= clues.receivedAt.getTime())
      .sort((a, b) => b.sentAt.getTime() - a.sentAt.getTime());
    const best = candidates[0];
    if (best) return { ping: best.ping, rule: 'sender', detail: `${where} ${address}, after the ping was sent at ${best.sentAt.toISOString()}` };
  }
  return undefined;
}

/** The whole rule: by reference, else (unless it names another test's ping) by sender. */
export function matchPing(clues: MatchClues, pings: PingIndex): PingMatch | undefined {
  return matchByReference(clues, pings) ?? (otherTestReference(clues, pings) ? undefined : matchBySender(clues, pings));
}
