// The run's event log (events.jsonl): every event type, version 1. Documented in docs/events.md.
// Statistics and reports are pure functions of these events plus directory.json.

export const EVENT_VERSION = 1;

export type ChannelName = 'email' | 'sms' | 'voice' | 'sim';

/** How a received message (or call outcome) was classified. */
export type MessageClass =
  | 'reply' // a human answer: an acknowledgement when matched to a ping
  | 'automatic' // RFC 3834 auto-reply, vendor auto-reply headers, out-of-office subject
  | 'bounce' // RFC 3464 DSN (or plain-text bounce) with Action failed / 5.x.x
  | 'delay' // DSN with Action delayed / 4.x.x
  | 'read-receipt' // RFC 8098 MDN
  | 'keyword' // SMS STOP/HELP and similar: recorded, not an answer
  | 'unrelated'; // matched to no ping

/** How a message was matched to a ping (docs/measurement.md, "Matching", in this order). */
export type MatchRule = 'in-reply-to' | 'references' | 'token' | 'sender';

export type OverrideClass = 'reply' | 'automatic' | 'not-an-answer';

/** How an answer entered by hand (`rollcall mark --as reply --at`) reached the secretariat. */
export type HandEnteredChannel = 'phone' | 'email' | 'sms' | 'other';

export const HAND_ENTERED_CHANNELS: readonly HandEnteredChannel[] = ['phone', 'email', 'sms', 'other'];

interface Base {
  v: typeof EVENT_VERSION;
  /** When the event was written (ISO 8601, UTC, from the run's clock). */
  at: string;
}

export interface RunStartedEvent extends Base {
  type: 'run-started';
  runId: string;
}

export interface RunEndedEvent extends Base {
  type: 'run-ended';
  reason: 'window-closed' | 'stopped';
}

/** Written (and flushed) before a ping is handed to its channel: a ping-started with no
 * ping-sent/ping-failed after a stop is "uncertain". */
export interface PingStartedEvent extends Base {
  type: 'ping-started';
  pingId: string;
  contactId: string;
  /** ISO code of the country. */
  iso: string;
  channel: ChannelName;
  /** E-mail address or E.164 number. */
  address: string;
  token: string;
  /** Our Message-ID (e-mail), `<...>` form. */
  messageId?: string;
  attempt: number;
}

/** The channel accepted the ping: SMTP 250 after DATA, or the API's 2xx. */
export interface PingSentEvent extends Base {
  type: 'ping-sent';
  pingId: string;
  sentAt: string;
  /** Server's reply line or provider id (SID). */
  response?: string;
  providerId?: string;
}

/** One failed attempt; `permanent` = no further attempt (5xx, invalid number...). */
export interface PingFailedEvent extends Base {
  type: 'ping-failed';
  pingId: string;
  attempt: number;
  permanent: boolean;
  code?: string | number;
  response: string;
  /** For transient failures: when the next attempt is due. */
  retryAt?: string;
}

export interface BounceDetail {
  /** Final-Recipient / Original-Recipient address named by the DSN. */
  recipient?: string;
  action?: string;
  /** Enhanced status code, e.g. 5.1.1. */
  status?: string;
  diagnostic?: string;
}

/** A message (e-mail, SMS, key press) received and classified. */
export interface MessageReceivedEvent extends Base {
  type: 'message-received';
  /** Dedupe key: `imap:<folder>:<uidvalidity>:<uid>`, `msgid:<Message-ID>`, `sms:<sid>`, `voice:<callSid>:digits`. */
  key: string;
  channel: ChannelName;
  /** Arrival at our side: IMAP INTERNALDATE, provider's received timestamp, key press time. */
  receivedAt: string;
  from: string;
  subject?: string;
  messageId?: string;
  folder?: string;
  /** Raw copy, relative to the run folder (messages/<file>.eml). */
  file?: string;
  class: MessageClass;
  /** The rules that decided the class, human-readable (e.g. "Auto-Submitted: auto-replied"). */
  reasons: string[];
  pingId?: string;
  matchedBy?: MatchRule;
  bounce?: BounceDetail;
  /** The message names a rollcall ping that is not one of this run's (an answer to last year's
   * test, to an aborted run, to a `check` ping): never matched by its sender, counts for nothing.
   * Its class is `unrelated` and it has no `pingId`. */
  otherTest?: OtherTestReference;
  /** Whether the message comes from the domain in its From (e-mail only; docs/authenticity.md). */
  authenticity?: MessageAuthenticity;
}

/** pass: DMARC pass or an aligned DKIM pass; fail: the domain's DMARC, signature or SPF says the
 * message is not its own; none: the domain publishes nothing to check; unknown: could not check. */
export type AuthenticityVerdict = 'pass' | 'fail' | 'none' | 'unknown';

/** The authenticity verdict recorded on a received message, with who decided it and why. */
export interface MessageAuthenticity {
  verdict: AuthenticityVerdict;
  /** The secretariat's receiving server (a trusted Authentication-Results) or rollcall itself. */
  source: 'authentication-results' | 'rollcall' | 'none';
  authservId?: string;
  fromDomain?: string;
  /** In words, the decisive one first. */
  reasons: string[];
}

/** The rollcall ping of another test that a message names (docs/measurement.md, "Answers to
 * another test"). */
export interface OtherTestReference {
  /** The token it names (`RC-GA9YHA`), or the token inside the Message-ID it names. */
  token: string;
  /** Our Message-ID it names (In-Reply-To, References, a returned message), when it names one. */
  messageId?: string;
  /** The run folder (beside this one) that sent that ping, when it is known. */
  runId?: string;
}

/** SMS or call status reported by the provider. */
export interface DeliveryStatusEvent extends Base {
  type: 'delivery-status';
  pingId: string;
  channel: ChannelName;
  /** Provider status: delivered, undelivered, failed, completed, busy, no-answer, canceled, machine... */
  status: string;
  errorCode?: string | number;
  detail?: string;
  /** This status is final for the ping. */
  final: boolean;
  /** Provider id of the message or call the status is about (a voice ping may be called more than once). */
  providerId?: string;
  /** Which call of the ping (voice: 1 = first call, 2 = first redial...). */
  attempt?: number;
}

/** A problem with the test itself, not with any contact point: what the run measures may be
 * incomplete. `webhooks-missing`: calls were answered but no webhook from Twilio reached the run
 * (the public URL does not forward), so key presses were lost; a later event with `resolved`
 * says webhooks arrive again. */
export interface TestProblemEvent extends Base {
  type: 'test-problem';
  problem: 'webhooks-missing';
  channel: ChannelName;
  /** Plain words for the live view, the end summary and the reports. */
  detail: string;
  /** The pings whose measurement may be incomplete (answered calls without any webhook). */
  pingIds: string[];
  /** Since when (the first such call was seen answered; for `resolved`, when a webhook came). */
  since: string;
  /** The problem ended. */
  resolved?: boolean;
}

/** Where an inbox watcher stopped reading: a restart continues after lastUid. */
export interface WatchCursorEvent extends Base {
  type: 'watch-cursor';
  channel: ChannelName;
  folder: string;
  uidValidity: string;
  lastUid: number;
  /** Messages up to lastUid (since the previous cursor) that were not the test's: no ping of the
   * run, no address of the directory, no rollcall token. Counted here, neither saved nor recorded. */
  ignored?: number;
}

/** A manual correction (`rollcall mark`). Target: a message key or a contact id. With
 * `answeredAt` it is an answer entered by hand (the contact point phoned): `contactId` and
 * `as: 'reply'`, counted as an acknowledgement received at that time. */
export interface OverrideEvent extends Base {
  type: 'override';
  messageKey?: string;
  contactId?: string;
  as: OverrideClass;
  note: string;
  /** A hand-entered answer: when it reached the secretariat (ISO 8601 UTC). */
  answeredAt?: string;
  /** A hand-entered answer: how it reached the secretariat. */
  channel?: HandEnteredChannel;
}

/**
 * The message was handed over (the body sent after DATA) but the server's answer never came: the
 * connection was cut, or it stalled past the timeout. It may have been delivered. The ping stays
 * unconfirmed (uncertain) and is never sent again on its own; a reader that does not know this
 * type sees exactly that (a ping-started with no ping-sent or ping-failed after it).
 */
export interface PingUncertainEvent extends Base {
  type: 'ping-uncertain';
  pingId: string;
  attempt: number;
  /** What happened, in the library's or server's words (secrets removed). */
  response: string;
}

export type RunEvent =
  | RunStartedEvent
  | RunEndedEvent
  | PingStartedEvent
  | PingSentEvent
  | PingFailedEvent
  | PingUncertainEvent
  | MessageReceivedEvent
  | DeliveryStatusEvent
  | WatchCursorEvent
  | OverrideEvent
  | TestProblemEvent;

export type EventType = RunEvent['type'];

/** Distributive Omit, so that `Omit<RunEvent, 'v' | 'at'>` keeps the union. */
export type EventInput = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'v' | 'at'> : never) : never;
