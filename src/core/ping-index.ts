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

export class MemoryPingIndex implements PingIndex {
  private readonly pings = new Map<string, Ping>();
  private readonly messageIds = new Map<string, Ping>();
  private readonly tokens = new Map<string, Ping>();
  private readonly addresses = new Map<string, Ping[]>();
  private readonly sent = new Map<string, Date>();

  add(ping: Ping): void {
    if (this.pings.has(ping.pingId)) return;
    this.pings.set(ping.pingId, ping);
    if (ping.messageId) this.messageIds.set(normalizeMessageId(ping.messageId), ping);
    this.tokens.set(ping.token.toUpperCase(), ping);
    const key = `${ping.channel}:${normalizeAddress(ping.address, ping.channel)}`;
    const list = this.addresses.get(key) ?? [];
    list.push(ping);
    this.addresses.set(key, list);
  }

  markSent(pingId: string, at: Date): void {
    this.sent.set(pingId, at);
  }

  get(pingId: string): Ping | undefined {
    return this.pings.get(pingId);
  }

  byMessageId(messageId: string): Ping | undefined {
    return this.messageIds.get(normalizeMessageId(messageId));
  }

  byToken(token: string): Ping | undefined {
    return this.tokens.get(token.toUpperCase());
  }

  byAddress(address: string, channel: ChannelName): Ping[] {
    return this.addresses.get(`${channel}:${normalizeAddress(address, channel)}`) ?? [];
  }

  sentAt(pingId: string): Date | undefined {
    return this.sent.get(pingId);
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
  return {
    pingId: e.pingId,
    contactId: e.contactId,
    iso: e.iso,
    country: contact?.country ?? e.iso,
    unit: contact?.unit ?? '',
    channel: e.channel,
    address: e.address,
    token: e.token,
    ...(e.messageId ? { messageId: e.messageId } : {}),
    languages: contact?.languages ?? [],
    timezone: contact?.timezone ?? 'UTC',
  };
}
