// Sending pings: at most N at once, each attempt recorded before and after it is handed to its
// channel (ping-started flushed first, so a crash mid-send leaves an "uncertain" ping, never a
// silent one), transient failures retried with bounded backoff in clock time. A channel that
// starts on hand-over (e-mail) calls for the ping-started itself, once its connection is open and
// the server is ready for the content; a ping whose connection never opened is then never
// uncertain. A ping handed over whose answer never came (connection cut after DATA) is
// uncertain: recorded as such and never retried on its own. A RollcallError thrown by a channel
// (our credentials or settings refused) stops the sending with its message.
import type { Channel } from '../channels/channel.js';
import type { Ping, SendOutcome } from '../core/ping.js';
import { RollcallError, redact } from '../core/errors.js';
import type { ChannelName, EventInput } from '../core/events.js';
import type { Clock } from '../core/clock.js';
import { MinHeap } from '../core/min-heap.js';
import { isoOf } from '../core/instant.js';

export interface RetryPolicy {
  /** Wait after failed attempt n (n from 1) before attempt n+1; attempts = delays + 1. */
  delaysMs: number[];
}

/** 1 min, 5 min, 15 min: four attempts within about 21 minutes. */
export const DEFAULT_RETRY: RetryPolicy = { delaysMs: [60_000, 300_000, 900_000] };

/** The default backoff, each wait capped at a twentieth of the window (at least a second), so
 * that the retries of a short test still fall inside it; a 24-hour window keeps the default. */
export function retryPolicyFor(windowSeconds: number): RetryPolicy {
  const cap = Math.max(1000, (windowSeconds * 1000) / 20);
  return { delaysMs: DEFAULT_RETRY.delaysMs.map((d) => Math.min(d, cap)) };
}

export const DEFAULT_CONCURRENCY = 8;

export interface SendJob {
  ping: Ping;
  /** Attempt number this job makes (1 for a first send). */
  attempt: number;
  /** Clock time (ms) before which it must not start. */
  dueAt: number;
}

export interface DispatchOptions {
  clock: Clock;
  channels: ReadonlyMap<ChannelName, Channel>;
  record(event: EventInput): Promise<unknown>;
  /** Stops launching attempts (stop, window closed); attempts in flight finish and are recorded. */
  signal: AbortSignal;
  concurrency?: number;
  retry?: RetryPolicy;
  /** Called once the ping-started of an attempt is on disk, before the channel sees the ping. */
  onStarted?(ping: Ping): void;
  onSent?(ping: Ping, sentAt: Date): void;
  /** The attempt was handed over and its outcome is unknown (see SendOutcome.uncertain). */
  onUncertain?(ping: Ping): void;
}

export interface DispatchResult {
  /** Every job reached an end (sent, or failed for good) before the signal. */
  complete: boolean;
  /** Retries still due when it stopped. */
  pending: SendJob[];
}

/** Sends the jobs; takes them: the list given is emptied once they are queued (a suspended async
 * function keeps whatever it held, and a job once sent has no use: 100,000 of them in a large
 * run were kept to its end). */
export async function dispatch(jobs: SendJob[], opts: DispatchOptions): Promise<DispatchResult> {
  const limit = Math.max(1, opts.concurrency ?? DEFAULT_CONCURRENCY);
  const retry = opts.retry ?? DEFAULT_RETRY;
  // A heap, not a sorted array: shifting the head off an array of 100,000 jobs copies the rest
  // each time. Equal due times come out in insertion order, as the sorted array gave them.
  const queue = new MinHeap<SendJob>((j) => j.dueAt);
  for (const job of jobs) queue.push(job);
  jobs.length = 0;
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let wake: () => void = () => {};

  const enqueue = (job: SendJob) => queue.push(job);

  const launch = (job: SendJob) => {
    const p = attempt(job, opts, retry)
      .then((next) => {
        if (next) enqueue(next);
      })
      .catch((e: unknown) => {
        failure ??= e;
      })
      .finally(() => {
        inFlight.delete(p);
        wake();
      });
    inFlight.add(p);
  };

  // Woken by every finished attempt and by the signal; a timer only when a retry is due later.
  const onAbort = () => wake();
  opts.signal.addEventListener('abort', onAbort, { once: true });
  while ((queue.size > 0 || inFlight.size > 0) && failure === undefined) {
    if (opts.signal.aborted) break;
    const now = opts.clock.now().getTime();
    while (inFlight.size < limit && queue.size > 0 && queue.peek()!.dueAt <= now) launch(queue.pop()!);
    const woken = new Promise<void>((resolve) => (wake = resolve));
    if (queue.size > 0 && inFlight.size < limit) {
      const timer = new AbortController();
      await Promise.race([woken, opts.clock.sleep(queue.peek()!.dueAt - now, timer.signal).catch(() => undefined)]);
      timer.abort();
    } else {
      await woken;
    }
  }
  opts.signal.removeEventListener('abort', onAbort);
  // Whatever stopped us, an attempt handed to a channel is followed to its outcome.
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return { complete: queue.size === 0, pending: queue.sorted() };
}

/** One attempt; returns the retry job when a transient failure leaves attempts. */
async function attempt(job: SendJob, opts: DispatchOptions, retry: RetryPolicy): Promise<SendJob | undefined> {
  const { ping } = job;
  const channel = opts.channels.get(ping.channel);
  if (!channel) throw new Error(`no channel ${ping.channel} for ping ${ping.pingId}`);
  let started = false;
  const start = async () => {
    if (started) return;
    started = true;
    await opts.record({
      type: 'ping-started',
      pingId: ping.pingId,
      contactId: ping.contactId,
      iso: ping.iso,
      channel: ping.channel,
      address: ping.address,
      token: ping.token,
      ...(ping.messageId ? { messageId: ping.messageId } : {}),
      attempt: job.attempt,
    });
    opts.onStarted?.(ping);
  };
  if (!channel.startsOnHandover) await start();
  // A failure to record the start (a full disk) means nothing may leave: the channel is told by
  // the rejection, and the failure stops the sending.
  let handoverFailure: unknown;
  const handover = () =>
    start().catch((e: unknown) => {
      handoverFailure ??= e;
      throw e;
    });
  let outcome: SendOutcome;
  try {
    outcome = await channel.send(ping, { handover });
  } catch (e) {
    if (handoverFailure !== undefined) throw handoverFailure;
    await start();
    if (e instanceof RollcallError) {
      // Our side is at fault (credentials revoked, our own sender number refused, a setting):
      // every other ping would fail the same way. The attempt is logged as due again now, so that
      // a resume sends it once the cause is fixed; then the run stops with the message.
      await opts.record({
        type: 'ping-failed',
        pingId: ping.pingId,
        attempt: job.attempt,
        permanent: false,
        response: redact(e.message),
        retryAt: opts.clock.now().toISOString(),
      });
      throw e;
    }
    // Channels return refusals; any other throw is a network or library error: worth another attempt.
    outcome = { ok: false, permanent: false, response: redact((e as Error)?.message ?? String(e)) };
  }
  if (handoverFailure !== undefined) throw handoverFailure;
  // An attempt that ended before its hand-over (refused at RCPT, no connection) is recorded now,
  // followed at once by its outcome: nothing of it left.
  await start();
  if (!outcome.ok && outcome.uncertain) {
    await opts.record({ type: 'ping-uncertain', pingId: ping.pingId, attempt: job.attempt, response: outcome.response });
    opts.onUncertain?.(ping);
    return undefined;
  }
  if (outcome.ok) {
    await opts.record({
      type: 'ping-sent',
      pingId: ping.pingId,
      sentAt: isoOf(outcome.sentAt),
      ...(outcome.response !== undefined ? { response: outcome.response } : {}),
      ...(outcome.providerId !== undefined ? { providerId: outcome.providerId } : {}),
    });
    opts.onSent?.(ping, outcome.sentAt);
    return undefined;
  }
  const delay = retry.delaysMs[job.attempt - 1];
  const last = outcome.permanent || delay === undefined;
  const dueAt = last ? undefined : opts.clock.now().getTime() + Math.max(delay, outcome.retryAfterMs ?? 0);
  await opts.record({
    type: 'ping-failed',
    pingId: ping.pingId,
    attempt: job.attempt,
    permanent: last,
    ...(outcome.code !== undefined ? { code: outcome.code } : {}),
    response: outcome.response,
    ...(dueAt !== undefined ? { retryAt: new Date(dueAt).toISOString() } : {}),
  });
  return dueAt === undefined ? undefined : { ping, attempt: job.attempt + 1, dueAt };
}
