// The WatchContext that channels record into: appends to the event log (flushed), drops
// messages already recorded (dedupe by key), and remembers each folder's last cursor.
import type { WatchContext } from '../channels/channel.js';
import type { PingIndex } from '../core/ping.js';
import type { EventLog } from '../core/event-log.js';
import type { ChannelName, EventInput, RunEvent, WatchCursorEvent } from '../core/events.js';
import type { Clock } from '../core/clock.js';
import type { RunFolder } from '../core/run-folder.js';

export class Recorder {
  private readonly keys = new Set<string>();
  private readonly cursors = new Map<string, WatchCursorEvent>();
  private readonly listeners: Array<(e: RunEvent) => void> = [];
  private readonly events: RunEvent[] = [];
  /** Appends are serialised so that concurrent watchers never interleave. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly log: EventLog) {}

  /** Feeds the events already in the log (on resume), so that nothing is recorded twice. */
  replay(events: Iterable<RunEvent>): void {
    for (const e of events) {
      this.remember(e);
      this.events.push(e);
    }
  }

  /** The events replayed and recorded so far, in log order. */
  history(): readonly RunEvent[] {
    return this.events;
  }

  onEvent(listener: (e: RunEvent) => void): void {
    this.listeners.push(listener);
  }

  seen(key: string): boolean {
    return this.keys.has(key);
  }

  cursor(channel: ChannelName, folder: string): WatchCursorEvent | undefined {
    return this.cursors.get(`${channel}:${folder}`);
  }

  /** Appends an event; a message-received whose key is known is dropped (resolves false). */
  record(event: EventInput): Promise<boolean> {
    const next = this.chain.then(() => {
      if (event.type === 'message-received' && this.keys.has(event.key)) return false;
      const written = this.log.append(event);
      this.remember(written);
      this.events.push(written);
      for (const l of this.listeners) l(written);
      return true;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  context(opts: { clock: Clock; pings: PingIndex; folder: RunFolder; signal: AbortSignal }): WatchContext {
    const { folder, ...rest } = opts;
    return {
      ...rest,
      history: () => this.history(),
      saveMessage: (name, data) => folder.saveMessage(name, data),
      record: (e) => this.record(e),
      seen: (k) => this.seen(k),
      cursor: (c, f) => this.cursor(c, f),
    };
  }

  private remember(e: RunEvent): void {
    if (e.type === 'message-received') this.keys.add(e.key);
    if (e.type === 'watch-cursor') this.cursors.set(`${e.channel}:${e.folder}`, e);
  }
}
