// The voice channel: a call through Twilio that reads the test message (<Say>, in the contact
// point's language) and asks to press 1. With a public URL the key press, posted to our webhook,
// is the acknowledgement; the call's final status is followed either way (polled, and pushed by
// status callbacks when there is a public URL), and unanswered calls are tried again.
import type { Channel, WatchContext } from './channel.js';
import type { Ping, SendOutcome } from '../core/ping.js';
import type { Settings } from '../settings.js';
import { systemClock, type Clock } from '../core/clock.js';
import { accountError, describeTwilioError, errorDetail, lazyTwilioConnection, pollUntilAborted, type RetryPolicy, type TwilioConnection } from './twilio-client.js';
import { phoneHistory } from './phone-history.js';
import { webhookUrl, type KeyPressWebhook, type StatusWebhook } from './webhooks.js';
import { builtInWording, type PingFields, type PingWording, type VoiceWords } from '../mail/templates.js';

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
  /** Ask Twilio's answering-machine detection (default true): voicemail is then told apart. */
  machineDetection?: boolean;
  retry?: Partial<RetryPolicy>;
  warn?: (message: string) => void;
}

const FINAL_CALL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled']);
const UNANSWERED = new Set(['no-answer', 'busy', 'machine']);

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** The call's TwiML: the message twice (in the contact point's language, then English), with a
 * key press gathered when we have a public URL to receive it. The words come from PingWording
 * (the office's voice.txt, else the built-in script). */
export function voiceTwiml(ping: Pick<Ping, 'pingId'> & PingFields, opts: { network?: string; publicUrl?: string; wording?: PingWording }): string {
  const wording = opts.wording ?? builtInWording(opts.network ?? '24/7 Network');
  const first = wording.voice(ping);
  const rounds = first.language === 'en' ? [first, first] : [first, wording.voice({ ...ping, languages: ['en'] })];
  const say = (voice: string, text: string) => `<Say language="${voice}">${xml(text)}</Say>`;
  // The script and the prompt in one <Say> when one voice reads both.
  const withPrompt = (w: VoiceWords) => (w.say === w.promptSay ? say(w.say, `${w.message} ${w.press}`) : say(w.say, w.message) + say(w.promptSay, w.press));
  if (!opts.publicUrl) {
    return `<Response>${rounds.map((w) => say(w.say, w.message)).join('<Pause length="1"/>')}</Response>`;
  }
  const action = xml(webhookUrl(opts.publicUrl, '/voice/gather', ping.pingId));
  const gathers = rounds.map((w) => `<Gather numDigits="1" timeout="8" method="POST" action="${action}">${withPrompt(w)}</Gather>`).join('');
  return `<Response>${gathers}${say(first.promptSay, first.noKey)}</Response>`;
}

/** The TwiML answered to a key press. */
export function thanksTwiml(languages: string[], wording: PingWording = builtInWording('')): string {
  const w = wording.voice({ token: '', languages });
  return `<Response><Say language="${w.promptSay}">${xml(w.thanks)}</Say><Hangup/></Response>`;
}

function isMachine(answeredBy: string | null | undefined): boolean {
  return /^(machine|fax)/i.test(answeredBy ?? '');
}

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
}

export class VoiceChannel implements Channel {
  readonly name = 'voice' as const;
  private readonly connection: () => Promise<TwilioConnection>;
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

  constructor(private readonly opts: VoiceChannelOptions) {
    this.clock = opts.clock ?? systemClock;
    this.connection = lazyTwilioConnection(opts.settings, opts.retry);
    this.attempts = Math.max(1, opts.attempts ?? 2);
    this.retryIntervalMs = opts.retryIntervalMs ?? 10 * 60_000;
  }

  async open(): Promise<void> {
    await this.connection();
  }

  async close(): Promise<void> {
    this.ctx = undefined;
  }

  private async placeCall(ping: Ping): Promise<{ sid: string; status: string }> {
    const conn = await this.connection();
    const call = await conn.client.calls.create({
      to: ping.address.replace(/[\s().-]/g, ''),
      from: conn.settings.from,
      twiml: voiceTwiml(ping, { network: this.opts.network, publicUrl: this.opts.publicUrl, wording: this.opts.wording }),
      timeout: this.opts.ringTimeoutSeconds ?? 30,
      ...(this.opts.machineDetection === false ? {} : { machineDetection: 'Enable' }),
      ...(this.opts.publicUrl
        ? { statusCallback: webhookUrl(this.opts.publicUrl, '/voice/status', ping.pingId), statusCallbackEvent: ['completed'], statusCallbackMethod: 'POST' }
        : {}),
    });
    return { sid: call.sid, status: call.status };
  }

  async send(ping: Ping): Promise<SendOutcome> {
    try {
      const call = await this.placeCall(ping);
      const sentAt = this.clock.now();
      this.tracks.set(ping.pingId, { pingId: ping.pingId, sid: call.sid, attempt: 1, done: false });
      return { ok: true, sentAt, providerId: call.sid, response: `${call.status} ${call.sid}` };
    } catch (e) {
      const f = describeTwilioError(e);
      if (f.kind === 'auth' || f.kind === 'config') throw accountError(f, 'run');
      const detail = f.code !== undefined ? errorDetail(f.code) : undefined;
      return {
        ok: false,
        permanent: f.kind === 'permanent',
        code: f.code ?? f.status,
        response: detail && detail !== f.message ? `${f.message}: ${detail}` : f.message,
        ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
      };
    }
  }

  async watch(ctx: WatchContext): Promise<void> {
    this.ctx = ctx;
    await this.prepare(ctx);
    for (const k of this.queuedKeys.splice(0)) await this.keyPress(k);
    const interval = this.opts.pollIntervalMs ?? 15_000;
    // Called with an aborted signal: the engine's last scan after the window closed.
    const lastScan = ctx.signal.aborted;
    await pollUntilAborted(ctx, interval, 'voice', () => this.poll(ctx), this.opts.warn);
    if (lastScan) await this.closeUnanswered(ctx);
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
      await this.connection();
      const h = phoneHistory(ctx.history(), 'voice');
      for (const p of h.answered) this.answered.add(p);
      for (const s of h.statuses) if (s.providerId && s.status !== 'queued') this.ended.add(s.providerId);
      for (const [pingId, sid] of h.sent) {
        if (this.tracks.has(pingId)) continue;
        if (h.finals.has(pingId) || this.answered.has(pingId)) {
          this.tracks.set(pingId, { pingId, sid, attempt: 1, done: true });
          continue;
        }
        const last = h.statuses.filter((s) => s.pingId === pingId && s.providerId).at(-1);
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

  /** One round: the status of every call in progress, and the redials that are due. */
  async poll(ctx: WatchContext): Promise<void> {
    await this.prepare(ctx);
    const conn = await this.connection();
    for (const track of [...this.tracks.values()]) {
      if (track.done) continue;
      // The status webhook may end this call while we wait for the API: keep our own copy of the SID.
      const sid = track.sid;
      if (sid && !this.ended.has(sid)) {
        let call;
        try {
          call = await conn.client.calls(sid).fetch();
        } catch (e) {
          const f = describeTwilioError(e);
          if (f.kind === 'auth' || f.kind === 'config') throw accountError(f, 'run');
          if (f.kind === 'transient') throw e;
          this.opts.warn?.(`voice: cannot follow call ${sid}: ${f.message}`);
          if (track.sid === sid) track.done = true;
          continue;
        }
        if (FINAL_CALL.has(call.status)) await this.callEnded(ctx, track.pingId, sid, call.status, call.answeredBy);
      } else if (track.redialAt && !ctx.signal.aborted && ctx.clock.now() >= track.redialAt) {
        // (No redial in the last scan after the window closed: the test is over.)
        await this.redial(ctx, track);
      }
    }
  }

  /** Records how a call ended; schedules another call when nobody answered and attempts are left. */
  private async callEnded(ctx: WatchContext, pingId: string, sid: string, status: string, answeredBy?: string | null, errorCode?: number): Promise<void> {
    if (this.ended.has(sid)) return;
    this.ended.add(sid);
    const track = this.tracks.get(pingId) ?? { pingId, sid, attempt: 1, done: false };
    this.tracks.set(pingId, track);
    const outcome = status === 'completed' && isMachine(answeredBy) ? 'machine' : status;
    const keyPressed = this.answered.has(pingId) || ctx.seen(`voice:${sid}:digits`);
    const again = UNANSWERED.has(outcome) && !keyPressed && track.attempt < this.attempts;
    const redialAt = again ? new Date(ctx.clock.now().getTime() + this.retryIntervalMs) : undefined;
    const of = `call ${track.attempt} of ${this.attempts}`;
    let detail: string;
    if (outcome === 'completed') {
      detail = keyPressed ? 'answered; key pressed' : this.opts.publicUrl ? 'answered; no key pressed' : 'answered (without --public-url a key press cannot be received)';
    } else if (outcome === 'machine') detail = `answered by ${answeredBy} (voicemail or answering machine); ${of}`;
    else if (outcome === 'failed') detail = errorDetail(errorCode, 'the call could not be placed') ?? 'failed';
    else detail = of;
    if (redialAt) detail += `; calling again at ${redialAt.toISOString()}`;
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
    } else track.done = true;
  }

  private async redial(ctx: WatchContext, track: CallTrack): Promise<void> {
    const ping = ctx.pings.all().find((p) => p.pingId === track.pingId);
    if (!ping) {
      track.done = true;
      return;
    }
    const attempt = track.attempt + 1;
    try {
      const call = await this.placeCall(ping);
      track.sid = call.sid;
      track.attempt = attempt;
      track.redialAt = undefined;
      track.last = undefined;
      await ctx.record({ type: 'delivery-status', pingId: ping.pingId, channel: 'voice', status: 'queued', detail: `calling again (call ${attempt} of ${this.attempts})`, final: false, providerId: call.sid, attempt });
    } catch (e) {
      const f = describeTwilioError(e);
      if (f.kind === 'auth' || f.kind === 'config') throw accountError(f, 'run');
      if (f.kind === 'transient') {
        this.opts.warn?.(`voice: calling ${ping.address} again failed for now, will retry: ${f.message}`);
        return;
      }
      track.done = true;
      await ctx.record({ type: 'delivery-status', pingId: ping.pingId, channel: 'voice', status: 'failed', ...(f.code !== undefined ? { errorCode: f.code } : {}), detail: f.message, final: true, attempt });
    }
  }

  /** A key press posted to the gather webhook: the acknowledgement. Returns the TwiML to answer. */
  async keyPress(k: KeyPressWebhook): Promise<string> {
    const ctx = this.ctx;
    const ping = ctx && k.pingId ? ctx.pings.all().find((p) => p.pingId === k.pingId) : undefined;
    if (!k.digits) return '<Response><Hangup/></Response>';
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

  /** A call status pushed to the status callback webhook. */
  async statusWebhook(s: StatusWebhook): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || !FINAL_CALL.has(s.status)) return;
    const pingId = s.pingId ?? [...this.tracks.values()].find((t) => t.sid === s.sid)?.pingId;
    if (!pingId) return;
    const track = this.tracks.get(pingId);
    // A late callback for an earlier call of this ping must not end the current one.
    if (track && track.sid !== undefined && track.sid !== s.sid) return;
    await this.callEnded(ctx, pingId, s.sid, s.status, s.answeredBy, s.errorCode);
  }
}
