// The `sim` channel: pings to simulated contact points (a SimWorld), whose answers come back in
// clock time as raw messages, classified and matched by the real classifier and saved under the
// run's messages/. What the demo, the tests and the benchmark run on. Restart-safe like a real
// inbox: after a resume, the answers to pings sent before the stop are found again from the ping
// index, and the recorder's dedupe keeps each one to a single event.
import type { ChannelName, EventInput, MessageClass } from '../core/events.js';
import { classifyMessage, classifyParsed, parsedMessage } from '../mail/classify.js';
import { parseMime } from '../mail/mime.js';
import { renderSubject } from '../mail/compose.js';
import type { Clock } from '../core/clock.js';
import { MinHeap } from '../core/min-heap.js';
import { holdClock } from '../core/virtual-clock.js';
import { DEFAULT_SUBJECT } from '../settings.js';
import type { Channel, WatchContext } from './channel.js';
import type { Ping, PingIndex, SendOutcome } from '../core/ping.js';
import { simAnswerMessage } from './sim-messages.js';
import type { SimAnswer, SimWorld } from './sim-world.js';
import { isoOf } from '../core/instant.js';

export interface SimChannelOptions {
  world: SimWorld;
  clock: Clock;
  /** Our sender (ROLLCALL_FROM): where answers are addressed. */
  from: string;
  network: string;
  /** Subject template of the pings (settings.subject). */
  subject?: string;
  /** false: record answers already classified, without building and parsing messages (for
   * measuring the engine alone). Default true. */
  rawMessages?: boolean;
}


/** An answer due: its ping and its number among the ping's answers (the answer itself and its
 * dedupe key are made again when it is delivered, not kept for each of 100,000 waiting). */
interface Scheduled {
  at: number;
  ping: Ping;
  n: number;
}

const CLASS_OF: Record<SimAnswer['kind'], MessageClass> = {
  reply: 'reply',
  'auto-reply': 'automatic',
  bounce: 'bounce',
  'read-receipt': 'read-receipt',
};

export class SimChannel implements Channel {
  readonly name: ChannelName = 'sim';
  // A heap, not a sorted array: inserting 100,000 answers into an array is quadratic.
  private readonly queue = new MinHeap<Scheduled>((s) => s.at);
  private readonly scheduled = new Set<string>();
  private wake: (() => void) | undefined;

  constructor(private readonly opts: SimChannelOptions) {}

  async open(): Promise<void> {}

  async close(): Promise<void> {
    // What is still scheduled is for nobody now: a closed channel holds no ping (a run's end
    // phase, statistics and reports, should not carry 100,000 of them).
    this.queue.clear();
    this.scheduled.clear();
  }

  async send(ping: Ping): Promise<SendOutcome> {
    const { world, clock } = this.opts;
    const b = world.behaviour(ping.address);
    const attempt = world.countAttempt(ping.address);
    if (b.refused) return { ok: false, permanent: true, code: b.refused.code, response: b.refused.response };
    if (b.greylisted && attempt === 1) return { ok: false, permanent: false, code: b.greylisted.code, response: b.greylisted.response };
    const sentAt = clock.now();
    const accepted = world.deliver(ping, sentAt);
    this.schedule(ping, sentAt.getTime());
    return { ok: true, sentAt, response: `250 2.0.0 Ok: queued as SIM${String(accepted).padStart(6, '0')}` };
  }

  async watch(ctx: WatchContext): Promise<void> {
    // Pings sent before a restart: their answers are still coming (or already there). The
    // servers know what they accepted, even a ping whose acceptance never reached the log; a
    // fresh world (another process) goes by the log's send times.
    const pings = new Map(ctx.pings.all().map((p) => [p.pingId, p]));
    this.opts.world.forEachDelivery((pingId, at) => {
      const ping = pings.get(pingId);
      if (ping) this.schedule(ping, at);
    });
    for (const ping of pings.values()) {
      const sentAt = ctx.pings.sentAt(ping.pingId);
      if (sentAt && ping.channel === 'sim') this.schedule(ping, sentAt.getTime());
    }
    pings.clear();
    for (;;) {
      await holdClock(this.opts.clock, this.deliverDue(ctx));
      if (ctx.signal.aborted) return;
      await this.waitForNext(ctx.signal);
    }
  }

  private schedule(ping: Ping, sentAtMs: number): void {
    if (this.scheduled.has(ping.pingId)) return;
    this.scheduled.add(ping.pingId);
    this.opts.world.behaviour(ping.address).answers.forEach((answer, n) => {
      this.queue.push({ at: sentAtMs + answer.afterMs, ping, n });
    });
    this.wake?.();
  }

  private async waitForNext(signal: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onAbort = () => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const woken = new Promise<void>((resolve) => {
      this.wake = resolve;
      stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    const next = this.queue.peek();
    const waits: Promise<unknown>[] = [woken];
    if (next) waits.push(this.opts.clock.sleep(next.at - this.opts.clock.now().getTime(), stop.signal).catch(() => undefined));
    await Promise.race(waits);
    this.wake = undefined;
    signal.removeEventListener('abort', onAbort);
    stop.abort();
  }

  private async deliverDue(ctx: WatchContext): Promise<void> {
    const now = this.opts.clock.now().getTime();
    while (this.queue.size > 0 && this.queue.peek()!.at <= now) {
      const { at, ping, n } = this.queue.pop()!;
      const answer = this.opts.world.behaviour(ping.address).answers[n]!;
      const key = `sim:${ping.pingId}:${answer.kind}:${n + 1}`;
      if (ctx.seen(key)) continue;
      await ctx.record(await this.received({ at, key, ping, answer }, ctx));
    }
  }

  private async received(item: { at: number; key: string; ping: Ping; answer: SimAnswer }, ctx: WatchContext): Promise<EventInput> {
    const { ping, answer } = item;
    const receivedAt = new Date(item.at);
    if (this.opts.rawMessages === false) {
      return {
        type: 'message-received',
        key: item.key,
        channel: 'sim',
        receivedAt: isoOf(receivedAt),
        from: ping.address,
        class: CLASS_OF[answer.kind],
        reasons: ['simulated'],
        pingId: ping.pingId,
        matchedBy: 'in-reply-to',
        ...(answer.kind === 'bounce' ? { bounce: { recipient: ping.address, action: 'failed', status: '5.1.1' } } : {}),
      };
    }
    const { raw, read } = simAnswerMessage({
      ping,
      answer,
      arrival: receivedAt,
      to: this.opts.from,
      pingSubject: renderSubject(this.opts.subject ?? DEFAULT_SUBJECT, ping.token, this.opts.network),
      serial: item.key.replace(/[^A-Za-z0-9]/g, '').toLowerCase(),
    });
    // The real classifier either way; what mailparser would read is known for a plain message.
    const classifyOptions = { pings: asEmailIndex(ctx.pings), receivedAt, ownAddress: this.opts.from };
    const c = read ? classifyParsed(parsedMessage(parseMime(raw), read), classifyOptions) : await classifyMessage(raw, classifyOptions);
    const file = await ctx.saveMessage(`${item.key.replace(/[^A-Za-z0-9.-]+/g, '_')}.eml`, raw);
    return {
      type: 'message-received',
      key: item.key,
      channel: 'sim',
      receivedAt: isoOf(receivedAt),
      from: c.fromAddress ?? c.from,
      subject: c.subject,
      ...(c.messageId ? { messageId: c.messageId } : {}),
      file,
      class: c.class,
      reasons: c.reasons,
      ...(c.pingId ? { pingId: c.pingId } : {}),
      ...(c.matchedBy ? { matchedBy: c.matchedBy } : {}),
      ...(c.bounce ? { bounce: c.bounce } : {}),
    };
  }
}

/** The classifier matches senders among e-mail pings; simulated pings stand in for them. */
function asEmailIndex(index: PingIndex): PingIndex {
  return {
    byMessageId: (id) => index.byMessageId(id),
    byToken: (t) => index.byToken(t),
    byAddress: (address, channel) => index.byAddress(address, channel === 'email' ? 'sim' : channel),
    sentAt: (id) => index.sentAt(id),
    all: () => index.all(),
  };
}
