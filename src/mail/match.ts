// Matching a received message to the ping it answers, in the order of DESIGN.md section 1:
// In-Reply-To/References naming the ping's Message-ID, else its token, else its sender address
// after the ping was sent.
import type { Ping, PingIndex } from '../core/ping.js';
import type { MatchRule } from '../core/events.js';
import { tokenCandidates } from './token.js';

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

export function matchPing(clues: MatchClues, pings: PingIndex): PingMatch | undefined {
  for (const { id, rule, where } of clues.ids) {
    const ping = pings.byMessageId(id);
    if (ping) return { ping, rule, detail: `${where} ${id}` };
  }
  for (const { text, where } of clues.texts) {
    for (const token of tokenCandidates(text)) {
      const ping = pings.byToken(token);
      if (ping) return { ping, rule: 'token', detail: `token ${ping.token} in ${where}` };
    }
  }
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
