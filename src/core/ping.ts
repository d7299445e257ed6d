// A ping and how answers are looked up by it: the vocabulary every layer shares.
import type { ChannelName } from './events.js';

/** One ping to one address of one contact point. */
export interface Ping {
  pingId: string;
  contactId: string;
  /** Country ISO code and name. */
  iso: string;
  country: string;
  unit: string;
  channel: ChannelName;
  /** E-mail address or E.164 number. */
  address: string;
  /** Unique token carried in the subject/body/SMS text, e.g. `RC-7QK3MZ`. */
  token: string;
  /** Our Message-ID for e-mail, `<...>` form. */
  messageId?: string;
  languages: string[];
  timezone: string;
}

export type SendOutcome =
  | { ok: true; sentAt: Date; response?: string; providerId?: string }
  | {
      ok: false;
      /** Handed over, but the channel's answer never came (connection cut or stalled after
       * DATA): it may have been delivered. Never retried on its own (`permanent` is ignored). */
      uncertain?: boolean;
      /** No point retrying: 5xx, invalid number, rejected recipient. */
      permanent: boolean;
      code?: string | number;
      /** The server's or provider's own words (secrets removed). */
      response: string;
      /** Provider asked to wait (Retry-After). */
      retryAfterMs?: number;
    };

/** Lookups the classifiers use to match a received message to a ping. */
export interface PingIndex {
  byMessageId(messageId: string): Ping | undefined;
  byToken(token: string): Ping | undefined;
  /** Pings sent to this address (case-insensitive e-mail, E.164 number) on this channel. */
  byAddress(address: string, channel: ChannelName): Ping[];
  /** Send time of a ping, once confirmed. */
  sentAt(pingId: string): Date | undefined;
  all(): Ping[];
}
