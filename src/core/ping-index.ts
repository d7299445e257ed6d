// Looks pings up by Message-ID, token and address, for matching answers to them.
import type { Ping, PingIndex } from './ping.js';
import type { ChannelName, PingStartedEvent } from './events.js';

export function normalizeAddress(address: string, channel: ChannelName): string {
  return channel === 'email' || channel === 'sim' ? address.trim().toLowerCase() : address.replace(/[^\d+]/g, '');
}

export function normalizeMessageId(id: string): string {
  const t = id.trim();
  return (t.startsWith('<') ? t : `<${t}>`).toLowerCase();
}

/** The token in a Message-ID of the form rollcall gives its pings (`<RC-XXXXXX.random@domain>`). */
function tokenInMessageId(normalized: string): string | undefined {
  return /^<(rc-[0-9a-z]{6})\.[0-9a-z]+@[^<>\s]+>$/.exec(normalized)?.[1]?.toUpperCase();
}

export class MemoryPingIndex implements PingIndex {
  private readonly pings = new Map<string, Ping>();
  /** Only the Message-IDs that do not carry their ping's token: the others are found by token,
   * without a lower-cased copy of each (100,000 strings in a large run). */
  private readonly messageIds = new Map<string, Ping>();
  private readonly tokens = new Map<string, Ping>();
  /** By channel, then normalised address: one ping, or several sharing the address. No key
   * string nor one-element array per ping (10 MB in a run of 30,000 contact points). */
  private readonly addresses = new Map<ChannelName, Map<string, Ping | Ping[]>>();
  /** Send times (ms): a Date object each is ~90 bytes. Unused when the send times are read from
   * elsewhere (`sentFrom`). */
  private readonly sent = new Map<string, number>();

  /** `sentFrom`: where the send time of a ping is read (the run's state, which records it as
   * the log does), instead of a map of them here kept by markSent (100,000 entries in a large
   * run, beside the state's own). */
  constructor(private readonly sentFrom?: (pingId: string) => string | undefined) {}

  add(ping: Ping): void {
    if (this.pings.has(ping.pingId)) return;
    this.pings.set(ping.pingId, ping);
    const token = ping.token.toUpperCase();
    // Another ping with the same token (a log that has one twice): the one found by it changes,
    // so the earlier ping's Message-ID is listed to stay found.
    const previous = this.tokens.get(token);
    if (previous?.messageId) {
      const id = normalizeMessageId(previous.messageId);
      if (!this.messageIds.has(id)) this.messageIds.set(id, previous);
    }
    if (ping.messageId) {
      const id = normalizeMessageId(ping.messageId);
      if (tokenInMessageId(id) === token) this.messageIds.delete(id);
      else this.messageIds.set(id, ping);
    }
    this.tokens.set(token, ping);
    let byAddress = this.addresses.get(ping.channel);
    if (!byAddress) this.addresses.set(ping.channel, (byAddress = new Map<string, Ping | Ping[]>()));
    const key = normalizeAddress(ping.address, ping.channel);
    const known = byAddress.get(key);
    if (known === undefined) byAddress.set(key, ping);
    else if (Array.isArray(known)) known.push(ping);
    else byAddress.set(key, [known, ping]);
  }

  markSent(pingId: string, at: Date): void {
    if (!this.sentFrom) this.sent.set(pingId, at.getTime());
  }

  get(pingId: string): Ping | undefined {
    return this.pings.get(pingId);
  }

  byMessageId(messageId: string): Ping | undefined {
    const id = normalizeMessageId(messageId);
    const listed = this.messageIds.get(id);
    if (listed) return listed;
    const token = tokenInMessageId(id);
    const ping = token === undefined ? undefined : this.tokens.get(token);
    return ping?.messageId !== undefined && normalizeMessageId(ping.messageId) === id ? ping : undefined;
  }

  byToken(token: string): Ping | undefined {
    return this.tokens.get(token.toUpperCase());
  }

  byAddress(address: string, channel: ChannelName): Ping[] {
    const found = this.addresses.get(channel)?.get(normalizeAddress(address, channel));
    if (found === undefined) return [];
    // An array of the caller's own: never the index's list.
    return Array.isArray(found) ? [...found] : [found];
  }

  sentAt(pingId: string): Date | undefined {
    if (this.sentFrom) {
      const iso = this.sentFrom(pingId);
      return iso === undefined ? undefined : new Date(iso);
    }
    const at = this.sent.get(pingId);
    return at === undefined ? undefined : new Date(at);
  }

  all(): Ping[] {
    return [...this.pings.values()];
  }
}

/** What a ping takes from its contact point in the directory snapshot. */
export interface PingContact {
  country: string;
  unit: string;
  languages: string[];
  timezone: string;
}

/** A ping as it was sent, from its ping-started event and its contact point (when known). */
export function pingFromStarted(e: PingStartedEvent, contact: PingContact | undefined): Ping {
  const { pingId, contactId, iso, channel, address, token, messageId } = e;
  const country = contact?.country ?? iso;
  const unit = contact?.unit ?? '';
  const languages = contact?.languages ?? [];
  const timezone = contact?.timezone ?? 'UTC';
  // Two literals rather than a conditional spread: a spread object takes several times the memory.
  if (!messageId) return { pingId, contactId, iso, country, unit, channel, address, token, languages, timezone };
  return { pingId, contactId, iso, country, unit, channel, address, token, messageId, languages, timezone };
}
