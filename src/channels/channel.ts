// The interface every channel (email, sms, voice, sim) implements. The run engine reaches SMTP,
// IMAP and Twilio only through it, so the demo and the tests can swap channels.
import type { ChannelName, EventInput, WatchCursorEvent } from '../log/events.js';
import type { Clock } from '../run/clock.js';

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

export interface WatchContext {
  clock: Clock;
  pings: PingIndex;
  /** Absolute path of the run folder (raw messages go to `<runDir>/messages/`). */
  runDir: string;
  /** Appends an event to the log (flushed before it resolves). `message-received` events whose
   * key was already recorded are dropped and resolve to false. */
  record(event: EventInput): Promise<boolean>;
  /** Has a message with this dedupe key already been recorded? */
  seen(key: string): boolean;
  /** The last cursor recorded for a folder, so a restart resumes where it stopped. */
  cursor(channel: ChannelName, folder: string): WatchCursorEvent | undefined;
  signal: AbortSignal;
}

export interface Channel {
  readonly name: ChannelName;
  /** Opens connections and checks credentials. Throws SettingsError/WorkError with plain words. */
  open(): Promise<void>;
  /** One attempt to send one ping. Never throws for a refusal: returns `ok: false`. */
  send(ping: Ping): Promise<SendOutcome>;
  /** Watches for answers until `ctx.signal` aborts, recording what it finds. Reconnects itself. */
  watch(ctx: WatchContext): Promise<void>;
  close(): Promise<void>;
}
