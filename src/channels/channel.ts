// The interface every channel (email, sms, voice, sim) implements. The run engine reaches SMTP,
// IMAP and Twilio only through it, so the demo and the tests can swap channels.
import type { ChannelName, EventInput, WatchCursorEvent } from '../core/events.js';
import type { RunState } from '../core/run-state.js';
import type { Ping, PingIndex, SendOutcome } from '../core/ping.js';
import type { Clock } from '../core/clock.js';

export interface WatchContext {
  clock: Clock;
  pings: PingIndex;
  /** The run's state so far: the one fold of its log (src/core/run-state.ts), as read at the
   * start and then with each event recorded, so that a restarted watcher knows what it already
   * did without reading the log itself. Read it, never change it. A running run's state holds
   * its messages without their classifier's words, file names and most subjects (heldMessage). */
  readonly state: RunState;
  /** Saves a raw message under the run's messages/ (flushed to disk); resolves to the path to
   * name in the event (`messages/<name>`). Channels never open the run folder themselves. */
  saveMessage(name: string, data: Buffer | string): Promise<string>;
  /** Appends an event to the log (flushed before it resolves). `message-received` events whose
   * key was already recorded are dropped and resolve to false. */
  record(event: EventInput): Promise<boolean>;
  /** Has a message with this dedupe key already been recorded? */
  seen(key: string): boolean;
  /** The last cursor recorded for a folder, so a restart resumes where it stopped. */
  cursor(channel: ChannelName, folder: string): WatchCursorEvent | undefined;
  /** Whether an address (e-mail address or number) is one of the directory snapshot's, pinged or
   * not. Only the test's mail is kept: a message that matches no ping, names no rollcall token
   * and comes from no address of the directory is counted and forgotten. Absent: none is. */
  fromDirectory?: (address: string) => boolean;
  /** The run (a folder beside this one) that sent the ping with this token, when known. */
  otherTestRun?(token: string): Promise<string | undefined>;
  signal: AbortSignal;
}

export interface Channel {
  readonly name: ChannelName;
  /** Opens connections and checks credentials. Throws SettingsError/WorkError with plain words. */
  open(): Promise<void>;
  /**
   * A channel that calls `handover()` itself, just before the ping's content leaves (after its
   * connection is open and logged in, after the server said to go ahead): the ping is recorded
   * as started only then, so that a stop while connecting leaves no uncertain ping. Without it
   * the ping is recorded as started before send() is called.
   */
  readonly startsOnHandover?: boolean;
  /** One attempt to send one ping. Never throws for a refusal: returns `ok: false` (with
   * `uncertain: true` when the content was handed over and the answer never came). When
   * `handover()` rejects, nothing may leave: the attempt ends with `ok: false`. */
  send(ping: Ping, opts?: { handover?: () => Promise<void> }): Promise<SendOutcome>;
  /** Watches for answers until `ctx.signal` aborts, recording what it finds. Reconnects itself. */
  watch(ctx: WatchContext): Promise<void>;
  close(): Promise<void>;
}
