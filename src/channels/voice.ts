// The voice channel: a call through Twilio that reads the test message (<Say>, in the contact
// point's language) and asks to press 1. With a public URL the key press, posted to our webhook,
// is the acknowledgement; the call's final status is followed either way (polled, and pushed by
// status callbacks when there is a public URL), unanswered calls are tried again at the configured
// interval, and calls still ringing when the window closes are followed to their end. Answering-
// machine detection runs in the background (AsyncAmd), so the message plays as soon as someone
// picks up. With a public URL, answered calls from which no webhook ever arrives mean the tunnel
// is broken: the run records it as a problem of the test itself and says so. This module is the
// call's state machine; what the call says (TwiML) is voice-twiml.ts's.
import type { Channel, WatchContext } from './channel.js';
import type { Ping, SendOutcome } from '../core/ping.js';
import type { Settings } from '../settings.js';
import { systemClock, type Clock } from '../core/clock.js';
import { RollcallError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { acceptedAt, errorDetail, lazyTwilioClient, pollUntilAborted, refusedPing, twilioFailure, type Created, type RetryPolicy, type TwilioClient } from './twilio-client.js';
import { phoneHistory, startedBeforeUnclearFailure } from './phone-history.js';
import { webhookUrl, type AmdWebhook, type KeyPressWebhook, type StatusWebhook } from './webhooks.js';
import type { PingWording } from '../mail/templates.js';
import { HANG_UP_TWIML, thanksTwiml, voiceTwiml } from './voice-twiml.js';

// What the call says is voice-twiml.ts's (and the words, mail/ping-texts.ts's); kept importable from here.
export { thanksTwiml, voiceTwiml } from './voice-twiml.js';

export interface VoiceChannelOptions {
  settings: Settings;
  /** Stamps send times (the API's 2xx). Default: the system clock. */
  clock?: Clock;
  network?: string;
  /** The words of the call (default: the built-in scripts). */
  wording?: PingWording;
  /** --public-url: where Twilio posts the key press and status callbacks. Without it, no key press can be heard. */
  publicUrl?: string;
  /** How often calls in progress are polled, in the run clock's ms (default 15 s). */
  pollIntervalMs?: number;
  /** Calls per ping when nobody answers (no-answer, busy, voicemail). Default 2. */
  attempts?: number;
  /** Wait before calling an unanswered number again, run clock's ms (default 10 min). */
  retryIntervalMs?: number;
  /** How long a call rings before it counts as no-answer (Twilio's Timeout, seconds; default 30). */
  ringTimeoutSeconds?: number;
  /** Ask Twilio's answering-machine detection (default true): voicemail is then told apart. It
   * runs in the background (AsyncAmd): the message starts as soon as the call is picked up. */
  machineDetection?: boolean;
  /** With a public URL: how long calls may stay answered without any webhook from Twilio before
   * the run says the public URL does not forward (run clock's ms, default one minute). */
  webhookGraceMs?: number;
  /** On the last scan after the window: how long to wait for calls still ringing or in progress
   * to end (run clock's ms; default the ring timeout plus two minutes). */
  finalStatusWaitMs?: number;
  retry?: Partial<RetryPolicy>;
  warn?: (message: string) => void;
}

function isMachine(answeredBy: string | null | undefined): boolean {
  return /^(machine|fax)/i.test(answeredBy ?? '');
}


const FINAL_CALL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
/** Statuses of a call someone (or something) picked up. */
const ANSWERED = new Set(['in-progress', 'completed']);
const UNANSWERED = new Set(['no-answer', 'busy', 'machine']);

/** The call currently followed for a ping. */
interface CallTrack {
  pingId: string;
  sid?: string;
  attempt: number;
  done: boolean;
  /** When to call again (an unanswered attempt with attempts left). */
  redialAt?: Date;
  /** How the last call ended, while a redial is pending. */
  last?: { status: string; sid?: string };
  /** A redial is being placed (the timer and the poll must not both place it). */
  dialing?: boolean;
}

export class VoiceChannel implements Channel {
  readonly name = 'voice' as const;
  private readonly client: () => Promise<TwilioClient>;
  private readonly clock: Clock;
  private readonly tracks = new Map<string, CallTrack>();
  /** Calls whose end has been recorded. */
  private readonly ended = new Set<string>();
  /** Pings acknowledged by a key press. */
  private readonly answered = new Set<string>();
  private ctx?: WatchContext;
  private prepared?: Promise<void>;
  private readonly queuedKeys: KeyPressWebhook[] = [];
  private readonly attempts: number;
  private readonly retryIntervalMs: number;
  /** AnsweredBy of each call, from the background answering-machine detection's callback. */
  private readonly answeredBy = new Map<string, string>();
  /** Calls some webhook (status, detection, key press) arrived for, and when the last one came. */
  private readonly heard = new Set<string>();
  private lastWebhookAt?: number;
  /** Answered calls no webhook has arrived for yet: SID → ping and when the poll saw them answered. */
  private readonly unheard = new Map<string, { pingId: string; seenAt: number }>();
  /** While webhooks are missing: the pings already named in a test-problem event. */
  private outage?: Set<string>;
  /** Redials waiting for their time: settled before a watch returns. */
  private readonly pending = new Set<Promise<void>>();
  /** An error of a redial placed by its timer, thrown by the next poll (it ends the watch). */
  private failure?: unknown;
  /** Pings whose call failed in a way that may have placed it all the same: when it was asked. */
  private readonly maybeCalled = new Map<string, Date>();

  constructor(private readonly opts: VoiceChannelOptions) {
    this.clock = opts.clock ?? systemClock;
    this.client = lazyTwilioClient(opts.settings, opts.retry);
    this.attempts = Math.max(1, opts.attempts ?? 2);
    this.retryIntervalMs = opts.retryIntervalMs ?? 10 * 60_000;
  }

  async open(): Promise<void> {
    await this.client();
  }

  async close(): Promise<void> {
    this.ctx = undefined;
  }

  private async placeCall(ping: Ping): Promise<Created> {
    const client = await this.client();
    const hooks = this.opts.publicUrl;
    return client.placeCall({
      to: ping.address.replace(/[\s().-]/g, ''),
      askedAt: this.clock.now(),
      twiml: voiceTwiml(ping, { network: this.opts.network, publicUrl: hooks, wording: this.opts.wording }),
      timeout: this.opts.ringTimeoutSeconds ?? 30,
      machineDetection: this.opts.machineDetection !== false,
      // 'answered' as well as 'completed': a webhook at pick-up shows the public URL forwards.
      ...(hooks
        ? { amdCallback: webhookUrl(hooks, '/voice/amd', ping.pingId), statusCallback: webhookUrl(hooks, '/voice/status', ping.pingId), statusCallbackEvents: ['answered', 'completed'] }
        : {}),
    });
  }

  async send(ping: Ping): Promise<SendOutcome> {
    const client = await this.client();
    const askedAt = this.clock.now();
    try {
      // An earlier attempt that failed without a clear refusal may have placed the call.
      const earlierAt = this.earlierAttempt(ping.pingId);
      const earlier = earlierAt ? await client.findCall(ping.address.replace(/[\s().-]/g, ''), earlierAt) : undefined;
      const call = earlier ? { ...earlier, recoveredAfter: 'an earlier attempt failed' } : await this.placeCall(ping);
      const sentAt = acceptedAt(call, this.clock.now(), earlier ? earlierAt : new Date(askedAt.getTime() - 1000));
      this.maybeCalled.delete(ping.pingId);
      this.tracks.set(ping.pingId, { pingId: ping.pingId, sid: call.sid, attempt: 1, done: false });
      const response = call.recoveredAfter ? `${call.status} ${call.sid} (found in the call list after ${call.recoveredAfter}: not called twice)` : `${call.status} ${call.sid}`;
      return { ok: true, sentAt, providerId: call.sid, response };
    } catch (e) {
      const out = refusedPing(e);
      if (!out.ok && !out.permanent && !this.maybeCalled.has(ping.pingId)) this.maybeCalled.set(ping.pingId, askedAt);
      return out;
    }
  }

  /** When an earlier attempt at this ping started that failed without a clear refusal (in this
   * process or, after a restart, in the log), if one did. */
  private earlierAttempt(pingId: string): Date | undefined {
    const here = this.maybeCalled.get(pingId);
    if (here) return here;
    const started = this.ctx ? startedBeforeUnclearFailure(this.ctx.state, pingId) : undefined;
    return started !== undefined ? new Date(started) : undefined;
  }

  async watch(ctx: WatchContext): Promise<void> {
    this.ctx = ctx;
    await this.prepare(ctx);
    for (const k of this.queuedKeys.splice(0)) await this.keyPress(k);
    // Called with an aborted signal: the engine's last scan after the window closed.
    const lastScan = ctx.signal.aborted;
    for (const track of this.tracks.values()) if (!track.done && track.redialAt) this.scheduleRedial(ctx, track);
    await pollUntilAborted(ctx, this.opts.pollIntervalMs ?? 15_000, 'voice', () => this.poll(ctx), this.opts.warn);
    await Promise.allSettled([...this.pending]);
    if (lastScan) {
      await this.followOpenCalls(ctx);
      await this.closeUnanswered(ctx);
    }
  }

  /** The last scan: calls still ringing or in progress are followed to their end (for a while),
   * and those that never get there are closed with the status they had. */
  private async followOpenCalls(ctx: WatchContext): Promise<void> {
    const open = () => [...this.tracks.values()].filter((t) => !t.done && t.sid !== undefined && !this.ended.has(t.sid));
    const wait = this.opts.finalStatusWaitMs ?? ((this.opts.ringTimeoutSeconds ?? 30) + 120) * 1000;
    const deadline = ctx.clock.now().getTime() + wait;
    const step = Math.min(this.opts.pollIntervalMs ?? 15_000, 5_000);
    while (open().length > 0 && ctx.clock.now().getTime() < deadline) {
      await ctx.clock.sleep(Math.min(step, deadline - ctx.clock.now().getTime()));
      try {
        await this.poll(ctx);
      } catch (e) {
        if (e instanceof RollcallError) throw e;
        this.opts.warn?.(`voice: following the calls still ringing failed: ${(e as Error).message}`);
      }
    }
    for (const track of open()) {
      const sid = track.sid!;
      let status = 'unknown';
      try {
        status = (await (await this.client()).call(sid)).status;
      } catch {
        // Keep 'unknown': the call's end was never seen.
      }
      if (this.ended.has(sid) || track.done) continue;
      this.ended.add(sid);
      track.done = true;
      await ctx.record({
        type: 'delivery-status',
        pingId: track.pingId,
        channel: 'voice',
        status,
        detail: `no final status: the call was still ${status} ${formatDuration(wait / 1000)} after the window closed; call ${track.attempt} of ${this.attempts}`,
        final: true,
        providerId: sid,
        attempt: track.attempt,
      });
    }
  }

  /** The window closed with calls still to make: the last call made is the last one. */
  private async closeUnanswered(ctx: WatchContext): Promise<void> {
    for (const track of this.tracks.values()) {
      if (track.done || !track.redialAt || !track.last) continue;
      track.done = true;
      await ctx.record({
        type: 'delivery-status',
        pingId: track.pingId,
        channel: 'voice',
        status: track.last.status,
        detail: `call ${track.attempt} of ${this.attempts}; the window closed before the next call`,
        final: true,
        ...(track.last.sid ? { providerId: track.last.sid } : {}),
        attempt: track.attempt,
      });
    }
  }

  /** Rebuilds, from the log, the calls still to follow after a restart. */
  private prepare(ctx: WatchContext): Promise<void> {
    this.prepared ??= (async () => {
      await this.client();
      const h = phoneHistory(ctx.state, 'voice');
      for (const p of h.answered) this.answered.add(p);
      for (const list of h.statuses.values()) for (const s of list) if (s.providerId && s.status !== 'queued') this.ended.add(s.providerId);
      for (const [pingId, sid] of h.sent) {
        if (this.tracks.has(pingId)) continue;
        if (h.finals.has(pingId) || this.answered.has(pingId)) {
          this.tracks.set(pingId, { pingId, sid, attempt: 1, done: true });
          continue;
        }
        const last = h.statuses.get(pingId)?.filter((s) => s.providerId).at(-1);
        if (!last) this.tracks.set(pingId, { pingId, sid, attempt: 1, done: false });
        else if (last.status === 'queued') this.tracks.set(pingId, { pingId, sid: last.providerId, attempt: last.attempt ?? 1, done: false });
        else {
          const redialAt = new Date(Date.parse(last.at) + this.retryIntervalMs);
          this.tracks.set(pingId, { pingId, attempt: last.attempt ?? 1, done: false, redialAt, last: { status: last.status, sid: last.providerId } });
        }
      }
    })();
    this.prepared.catch(() => (this.prepared = undefined));
    return this.prepared;
  }

  /** One round: the status of every call in progress, the redials that are due (their timers
   * normally place them), and whether webhooks still arrive. */
  async poll(ctx: WatchContext): Promise<void> {
    await this.prepare(ctx);
    if (this.failure !== undefined) {
      const e = this.failure;
      this.failure = undefined;
      throw e;
    }
    const client = await this.client();
    for (const track of [...this.tracks.values()]) {
      if (track.done) continue;
      // The status webhook may end this call while we wait for the API: keep our own copy of the SID.
      const sid = track.sid;
      if (sid && !this.ended.has(sid)) {
        let call;
        try {
          call = await client.call(sid);
        } catch (e) {
          const f = twilioFailure(e);
          if (f.kind === 'transient') throw e;
          this.opts.warn?.(`voice: cannot follow call ${sid}: ${f.message}`);
          if (track.sid === sid) track.done = true;
          continue;
        }
        if (ANSWERED.has(call.status)) this.sawAnswered(ctx, track.pingId, sid);
        if (FINAL_CALL.has(call.status)) await this.callEnded(ctx, track.pingId, sid, call.status, call.answeredBy ?? this.answeredBy.get(sid), undefined, call.endedAt);
      } else if (track.redialAt && !ctx.signal.aborted && ctx.clock.now() >= track.redialAt) {
        // (No redial in the last scan after the window closed: the test is over.)
        await this.redial(ctx, track);
      }
    }
    await this.checkWebhooks(ctx);
  }

  /** Records how a call ended; schedules another call when nobody answered and attempts are left. */
  private async callEnded(ctx: WatchContext, pingId: string, sid: string, status: string, answeredBy?: string | null, errorCode?: number, endedAt?: Date): Promise<void> {
    if (this.ended.has(sid)) return;
    this.ended.add(sid);
    const track = this.tracks.get(pingId) ?? { pingId, sid, attempt: 1, done: false };
    this.tracks.set(pingId, track);
    const outcome = status === 'completed' && isMachine(answeredBy) ? 'machine' : status;
    const keyPressed = this.answered.has(pingId) || ctx.seen(`voice:${sid}:digits`);
    const wanted = UNANSWERED.has(outcome) && !keyPressed && track.attempt < this.attempts;
    // Ended after the window closed (followed on the last scan): there is no next call.
    const closed = wanted && ctx.signal.aborted;
    const again = wanted && !closed;
    // The interval runs from the end of the call (Twilio's end time, when it is plausible), not
    // from when a poll happened to notice it.
    const now = ctx.clock.now().getTime();
    const end = endedAt && endedAt.getTime() <= now && endedAt.getTime() >= now - this.retryIntervalMs ? endedAt.getTime() : now;
    const redialAt = again ? new Date(end + this.retryIntervalMs) : undefined;
    const of = `call ${track.attempt} of ${this.attempts}`;
    let detail: string;
    if (outcome === 'completed') {
      if (keyPressed) detail = 'answered; key pressed';
      else if (!this.opts.publicUrl) detail = 'answered (without --public-url a key press cannot be received)';
      else if (this.heard.has(sid)) detail = 'answered; no key pressed';
      else detail = 'answered; no key press received, and no webhook at all arrived for this call (is the public URL forwarding?)';
    } else if (outcome === 'machine') detail = `answered by ${answeredBy} (voicemail or answering machine); ${of}`;
    else if (outcome === 'failed') detail = errorDetail(errorCode, 'the call could not be placed') ?? 'failed';
    else detail = of;
    if (redialAt) detail += `; calling again at ${redialAt.toISOString()}`;
    if (closed) detail += '; the window closed before the next call';
    await ctx.record({
      type: 'delivery-status',
      pingId,
      channel: 'voice',
      status: outcome,
      ...(errorCode !== undefined ? { errorCode } : {}),
      detail,
      final: !again,
      providerId: sid,
      attempt: track.attempt,
    });
    track.sid = undefined;
    if (again) {
      track.redialAt = redialAt;
      track.last = { status: outcome, sid };
      this.scheduleRedial(ctx, track);
    } else track.done = true;
  }

  /** Calls again when the interval has passed, on the run's clock (not at the next poll). */
  private scheduleRedial(ctx: WatchContext, track: CallTrack): void {
    const due = track.redialAt;
    if (!due || ctx.signal.aborted) return;
    const p = ctx.clock
      .sleep(Math.max(0, due.getTime() - ctx.clock.now().getTime()), ctx.signal)
      .then(
        () => (track.redialAt === due ? this.redial(ctx, track) : undefined),
        () => undefined, // the window closed first
      )
      .catch((e: unknown) => {
        this.failure ??= e;
      });
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async redial(ctx: WatchContext, track: CallTrack): Promise<void> {
    if (track.done || !track.redialAt || track.dialing || ctx.signal.aborted) return;
    const ping = ctx.pings.all().find((p) => p.pingId === track.pingId);
    if (!ping) {
      track.done = true;
      return;
    }
    const attempt = track.attempt + 1;
    track.dialing = true;
    try {
      const call = await this.placeCall(ping);
      track.sid = call.sid;
      track.attempt = attempt;
      track.redialAt = undefined;
      track.last = undefined;
      await ctx.record({ type: 'delivery-status', pingId: ping.pingId, channel: 'voice', status: 'queued', detail: `calling again (call ${attempt} of ${this.attempts})`, final: false, providerId: call.sid, attempt });
    } catch (e) {
      const f = twilioFailure(e);
      if (f.kind === 'transient') {
        // Left due: the next poll tries again.
        this.opts.warn?.(`voice: calling ${ping.address} again failed for now, will retry: ${f.message}`);
        return;
      }
      track.done = true;
      await ctx.record({ type: 'delivery-status', pingId: ping.pingId, channel: 'voice', status: 'failed', ...(f.code !== undefined ? { errorCode: f.code } : {}), detail: f.message, final: true, attempt });
    } finally {
      track.dialing = false;
    }
  }

  /** A call the poll found picked up: with a public URL, some webhook must follow (the 'answered'
   * status callback at least). */
  private sawAnswered(ctx: WatchContext, pingId: string, sid: string): void {
    if (!this.opts.publicUrl || this.heard.has(sid) || this.unheard.has(sid)) return;
    this.unheard.set(sid, { pingId, seenAt: ctx.clock.now().getTime() });
  }

  /** Answered calls and, for a whole minute, not one webhook from Twilio for any of them: the
   * public URL does not reach us, and every key press is being lost. Recorded as a problem of the
   * test itself (once, then again only for calls not yet named) and said at once. */
  private async checkWebhooks(ctx: WatchContext): Promise<void> {
    if (!this.opts.publicUrl) return;
    const now = ctx.clock.now().getTime();
    const grace = this.opts.webhookGraceMs ?? 60_000;
    const overdue = [...this.unheard.values()].filter((u) => now - u.seenAt >= grace);
    if (overdue.length === 0) return;
    const since = Math.min(...overdue.map((u) => u.seenAt));
    // Webhooks of other calls still arrive: this call's was lost, the public URL works.
    if (this.lastWebhookAt !== undefined && this.lastWebhookAt >= since) return;
    const named = this.outage ?? new Set<string>();
    const fresh = [...new Set(overdue.map((u) => u.pingId))].filter((p) => !named.has(p)).sort();
    if (fresh.length === 0) return;
    const first = this.outage === undefined;
    for (const p of fresh) named.add(p);
    this.outage = named;
    const calls = `${fresh.length} answered call${fresh.length === 1 ? '' : 's'} (${fresh.join(', ')})`;
    const detail = first
      ? `no webhook from Twilio has reached rollcall for ${calls} within ${formatDuration(grace / 1000)}: ${this.opts.publicUrl} does not seem to forward to the webhook server. ` +
        'Key presses cannot be received, so the contact points that pressed 1 may be counted as silent. Check the tunnel or proxy.'
      : `still no webhook from Twilio: ${calls} more without one (${this.opts.publicUrl} does not forward).`;
    this.opts.warn?.(`WARNING: ${detail}`);
    await ctx.record({ type: 'test-problem', problem: 'webhooks-missing', channel: 'voice', detail, pingIds: fresh, since: new Date(since).toISOString() });
  }

  /** Any webhook about a call: the public URL forwards. Ends an outage. */
  private async webhookArrived(sid: string, at: Date): Promise<void> {
    if (sid) {
      this.heard.add(sid);
      this.unheard.delete(sid);
    }
    this.lastWebhookAt = Math.max(this.lastWebhookAt ?? 0, at.getTime());
    const ctx = this.ctx;
    if (!this.outage || !ctx) return;
    const missed = this.outage.size;
    this.outage = undefined;
    const detail = `webhooks from Twilio arrive again (${missed} answered call${missed === 1 ? '' : 's'} went without one)`;
    this.opts.warn?.(detail);
    await ctx.record({ type: 'test-problem', problem: 'webhooks-missing', channel: 'voice', detail, pingIds: [], since: at.toISOString(), resolved: true });
  }

  /** A key press posted to the gather webhook: the acknowledgement. Returns the TwiML to answer. */
  async keyPress(k: KeyPressWebhook): Promise<string> {
    await this.webhookArrived(k.callSid, k.arrivedAt);
    const ctx = this.ctx;
    const ping = ctx && k.pingId ? ctx.pings.all().find((p) => p.pingId === k.pingId) : undefined;
    if (!k.digits) return HANG_UP_TWIML;
    if (!ctx) {
      this.queuedKeys.push(k);
      return thanksTwiml([], this.opts.wording);
    }
    const reasons = [
      `key ${k.digits} pressed during the test call${k.digits === '1' ? '' : ' (the message asked for 1; any key shows that a person listened)'}`,
      ping ? `the call was placed for ping ${ping.pingId} (its id is in the signed webhook URL)` : `no ping ${k.pingId ?? '(none given)'} in this run`,
    ];
    if (ping) this.answered.add(ping.pingId);
    await ctx.record({
      type: 'message-received',
      key: `voice:${k.callSid}:digits`,
      channel: 'voice',
      receivedAt: k.arrivedAt.toISOString(),
      from: ping?.address ?? k.to ?? '',
      class: ping ? 'reply' : 'unrelated',
      reasons,
      ...(ping ? { pingId: ping.pingId, matchedBy: 'token' as const } : {}),
    });
    return thanksTwiml(ping?.languages ?? [], this.opts.wording);
  }

  /** The verdict of the background answering-machine detection (AsyncAmdStatusCallback). */
  async amdResult(a: AmdWebhook): Promise<void> {
    await this.webhookArrived(a.callSid, a.arrivedAt);
    if (a.callSid && a.answeredBy) this.answeredBy.set(a.callSid, a.answeredBy);
  }

  /** A call status pushed to the status callback webhook. */
  async statusWebhook(s: StatusWebhook): Promise<void> {
    await this.webhookArrived(s.sid, s.arrivedAt);
    if (s.sid && s.answeredBy) this.answeredBy.set(s.sid, s.answeredBy);
    const ctx = this.ctx;
    if (!ctx || !FINAL_CALL.has(s.status)) return;
    const pingId = s.pingId ?? [...this.tracks.values()].find((t) => t.sid === s.sid)?.pingId;
    if (!pingId) return;
    const track = this.tracks.get(pingId);
    // A late callback for an earlier call of this ping must not end the current one.
    if (track && track.sid !== undefined && track.sid !== s.sid) return;
    await this.callEnded(ctx, pingId, s.sid, s.status, s.answeredBy ?? this.answeredBy.get(s.sid), s.errorCode, s.arrivedAt);
  }
}
