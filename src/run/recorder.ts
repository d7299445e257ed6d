// The WatchContext that channels record into: appends to the event log (flushed), folds every
// event into the run's state (the one reducer, src/core/run-state.ts), and drops messages
// already recorded (dedupe by key, from that state). It keeps no list of the events: what the
// channels read back is in the state, the rest in the log.
import type { WatchContext } from '../channels/channel.js';
import type { PingIndex } from '../core/ping.js';
import type { EventLog } from '../core/event-log.js';
import type { ChannelName, EventInput, RunEvent, WatchCursorEvent } from '../core/events.js';
import type { Clock } from '../core/clock.js';
import type { RunFolder } from '../core/run-folder.js';
import { heapTick } from '../core/heap-governor.js';
import { applyEvent, emptyRunState, heldEvent, type RunState } from '../core/run-state.js';

export interface RecorderOptions {
  /** Fold each message as the run's state holds it (heldMessage: without the classifier's words,
   * its file name, most subjects): a run's engine, which reads none of them back. Listeners
   * still hear every event whole. */
  lean?: boolean;
}

export class Recorder {
  private readonly listeners: Array<(e: RunEvent) => void> = [];
  /** Appends are serialised so that concurrent watchers never interleave. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly hold: (e: RunEvent) => RunEvent;

  constructor(
    private readonly log: EventLog,
    /** The run's state, kept up to date with every event replayed or recorded: all the channels
     * read back (the events themselves are not kept: they are in the log). */
    readonly state: RunState = emptyRunState(),
    opts: RecorderOptions = {},
  ) {
    this.hold = opts.lean ? (e) => heldEvent(e, false, this.state) : (e) => e;
  }

  /** Feeds the events already in the log (on resume), so that nothing is recorded twice. */
  replay(events: Iterable<RunEvent>): void {
    for (const e of events) applyEvent(this.state, this.hold(e));
  }

  onEvent(listener: (e: RunEvent) => void): void {
    this.listeners.push(listener);
  }

  seen(key: string): boolean {
    return this.state.messageKeys.has(key);
  }

  cursor(channel: ChannelName, folder: string): WatchCursorEvent | undefined {
    return this.state.cursors.get(`${channel}:${folder}`);
  }

  /** Appends an event; a message-received whose key is known is dropped (resolves false). */
  record(event: EventInput): Promise<boolean> {
    const next = this.chain.then(() => {
      if (event.type === 'message-received' && this.state.messageKeys.has(event.key)) return false;
      const written = this.log.append(event);
      applyEvent(this.state, this.hold(written));
      heapTick();
      for (const l of this.listeners) l(written);
      return true;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  context(opts: {
    clock: Clock;
    pings: PingIndex;
    folder: RunFolder;
    signal: AbortSignal;
    fromDirectory?: (address: string) => boolean;
    otherTestRun?: (token: string) => Promise<string | undefined>;
  }): WatchContext {
    const { folder, ...rest } = opts;
    return {
      ...rest,
      state: this.state,
      saveMessage: (name, data) => folder.saveMessage(name, data),
      record: (e) => this.record(e),
      seen: (k) => this.seen(k),
      cursor: (c, f) => this.cursor(c, f),
    };
  }
}
