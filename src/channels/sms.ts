// The SMS channel: pings sent through Twilio's Messages API; answers found by polling the message
// list of our number (every page), matched by token or by the sender's number; delivery statuses
// followed per message. The twilio SDK is loaded on first use only (see twilio-client.ts).
import type { Channel, WatchContext } from './channel.js';
import type { Ping, SendOutcome } from '../core/ping.js';
import type { MatchRule, MessageClass } from '../core/events.js';
import type { Settings } from '../settings.js';
import { systemClock, type Clock } from '../core/clock.js';
import { safeFileName } from '../core/run-folder.js';
import { acceptedAt, describeTwilioError, errorDetail, lazyTwilioClient, pollUntilAborted, refusedPing, twilioFailure, type RetryPolicy, type TwilioClient } from './twilio-client.js';
import { phoneHistory, startedBeforeUnclearFailure } from './phone-history.js';
import { webhookUrl, type IncomingSmsWebhook, type StatusWebhook } from './webhooks.js';
import { builtInWording, type PingFields, type PingWording } from '../mail/templates.js';

export interface SmsChannelOptions {
  settings: Settings;
  /** Stamps send times (the API's 2xx). Default: the system clock. */
  clock?: Clock;
  /** Network name written in the ping. */
  network?: string;
  /** The words of the ping (default: the built-in texts). */
  wording?: PingWording;
  /** How often the message list and the statuses are polled, in the run clock's ms (default 30 s). */
  pollIntervalMs?: number;
  /** Page size of the message list (default 50). */
  pageSize?: number;
  /** Retries of 429/5xx inside one API call. */
  retry?: Partial<RetryPolicy>;
  /** Public URL of the webhook server (--public-url): delivery statuses are also pushed there. */
  publicUrl?: string;
  /** Where non-fatal problems go (an API hiccup while polling). Default: dropped. */
  warn?: (message: string) => void;
}

/** Twilio's default opt-out, opt-in and help keywords. YES (an opt-in word) is left out on purpose:
 * to "Reply OK <token>" a person may well answer "Yes", and that is a human answer. */
const KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE', 'START', 'UNSTOP', 'OPTIN', 'HELP', 'INFO']);
const FINAL_STATUSES = new Set(['delivered', 'undelivered', 'failed', 'canceled', 'read']);
/** The list is filtered from this long before the cursor: Twilio's date filters are coarse. */
const OVERLAP_MS = 10 * 60_000;

/** The ping's text: short, with the token and how to answer, in the contact point's language
 * (the office's sms.txt, else the built-in text; see mail/templates.ts). */
export function smsText(ping: PingFields, network = '24/7 Network', wording: PingWording = builtInWording(network)): string {
  return wording.sms(ping);
}

/** The keyword an SMS consists of (STOP, HELP...), if it is one. */
export function smsKeyword(body: string): string | undefined {
  const word = body.trim().replace(/[.!]+$/, '').toUpperCase();
  return KEYWORDS.has(word) ? word : undefined;
}

export interface ReceivedSms {
  sid: string;
  from: string;
  body: string;
  /** Twilio's received timestamp (date_sent of the inbound message). */
  receivedAt: Date;
}

/** Twilio's timestamps have whole seconds: a ping sent at 10:00:00.700 may be answered "at 10:00:00". */
function sentBefore(sentAt: Date, receivedAt: Date): boolean {
  return Math.floor(sentAt.getTime() / 1000) * 1000 <= receivedAt.getTime();
}

export class SmsChannel implements Channel {
  readonly name = 'sms' as const;
  private readonly client: () => Promise<TwilioClient>;
  private readonly clock: Clock;
  /** Pings whose sending failed in a way that may have sent them all the same. */
  private readonly maybeSent = new Set<string>();
  /** Sent messages awaiting a final status: pingId → message SID. */
  private readonly awaiting = new Map<string, string>();
  private readonly finals = new Set<string>();
  private ctx?: WatchContext;
  private prepared?: Promise<void>;
  /** Messages received before this are not looked at (the run had not pinged anyone yet). */
  private lowerBound?: Date;
  private cursorMs?: number;
  private readonly queued: IncomingSmsWebhook[] = [];

  constructor(private readonly opts: SmsChannelOptions) {
    this.clock = opts.clock ?? systemClock;
    this.client = lazyTwilioClient(opts.settings, opts.retry);
  }

  async open(): Promise<void> {
    await this.client();
  }

  async close(): Promise<void> {
    this.ctx = undefined;
  }

  async send(ping: Ping): Promise<SendOutcome> {
    const client = await this.client();
    const to = ping.address.replace(/[\s().-]/g, '');
    const askedAt = this.clock.now();
    try {
      // An earlier attempt that failed (a 5xx, no answer) may have sent it all the same: Twilio
      // does not promise that a create is idempotent, so look for our token before sending again.
      const earlier = this.mayHaveSent(ping.pingId) ? await client.findSms(to, ping.token) : undefined;
      const msg = earlier
        ? { ...earlier, recoveredAfter: 'an earlier attempt failed' }
        : await client.sendSms({
            to,
            body: smsText(ping, this.opts.network, this.opts.wording),
            token: ping.token,
            ...(this.opts.publicUrl ? { statusCallback: webhookUrl(this.opts.publicUrl, '/sms/status', ping.pingId) } : {}),
          });
      // Found rather than answered: Twilio's creation time is when it accepted the message.
      const sentAt = acceptedAt(msg, this.clock.now(), earlier ? undefined : new Date(askedAt.getTime() - 1000));
      this.maybeSent.delete(ping.pingId);
      this.awaiting.set(ping.pingId, msg.sid);
      const response = msg.recoveredAfter ? `${msg.status} ${msg.sid} (found by its token in the message list after ${msg.recoveredAfter}: not sent twice)` : `${msg.status} ${msg.sid}`;
      return { ok: true, sentAt, providerId: msg.sid, response };
    } catch (e) {
      const out = refusedPing(e);
      if (!out.ok && !out.permanent) this.maybeSent.add(ping.pingId);
      return out;
    }
  }

  /** Did an earlier attempt at this ping fail without a clear refusal (in this process or, after a
   * restart, in the log)? */
  private mayHaveSent(pingId: string): boolean {
    if (this.maybeSent.has(pingId)) return true;
    return this.ctx !== undefined && startedBeforeUnclearFailure(this.ctx.state, pingId) !== undefined;
  }

  /** Polls the message list and the statuses every interval until the signal aborts. */
  async watch(ctx: WatchContext): Promise<void> {
    this.ctx = ctx;
    await this.prepare(ctx, ctx.clock.now());
    for (const w of this.queued.splice(0)) await this.receiveWebhook(w);
    const interval = this.opts.pollIntervalMs ?? 30_000;
    await pollUntilAborted(ctx, interval, 'SMS', () => this.poll(ctx), this.opts.warn);
  }

  /** What the log already knows (after a restart): messages to follow, statuses recorded, cursor. */
  private prepare(ctx: WatchContext, startedAt = ctx.clock.now()): Promise<void> {
    this.prepared ??= (async () => {
      const client = await this.client();
      const history = phoneHistory(ctx.state, 'sms');
      for (const p of history.finals) this.finals.add(p);
      for (const [pingId, sid] of history.sent) if (sid && !this.finals.has(pingId) && !this.awaiting.has(pingId)) this.awaiting.set(pingId, sid);
      let lower = startedAt;
      for (const p of ctx.pings.all()) {
        const s = p.channel === 'sms' ? ctx.pings.sentAt(p.pingId) : undefined;
        if (s && s < lower) lower = s;
      }
      this.lowerBound = new Date(Math.floor(lower.getTime() / 1000) * 1000);
      const cursor = ctx.cursor('sms', 'inbound');
      if (cursor && cursor.uidValidity === client.from) this.cursorMs = cursor.lastUid * 1000;
    })();
    this.prepared.catch(() => (this.prepared = undefined));
    return this.prepared;
  }

  /** One round: new messages to our number, then the statuses of our pings. */
  async poll(ctx: WatchContext): Promise<void> {
    await this.prepare(ctx);
    await this.pollIncoming(ctx);
    await this.pollStatuses(ctx);
  }

  private async pollIncoming(ctx: WatchContext): Promise<void> {
    const client = await this.client();
    const lower = this.lowerBound!;
    const since = new Date((this.cursorMs ?? lower.getTime()) - OVERLAP_MS);
    let list;
    try {
      list = await client.inbound(since, this.opts.pageSize ?? 50);
    } catch (e) {
      twilioFailure(e);
      throw e;
    }
    const fresh: ReceivedSms[] = [];
    for (const m of list) {
      if (!m.direction.startsWith('inbound')) continue;
      const receivedAt = m.sentAt;
      // The API filters by day: the exact times are ours to check.
      if (!receivedAt || receivedAt < lower) continue;
      fresh.push({ sid: m.sid, from: m.from, body: m.body, receivedAt });
    }
    fresh.sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
    let newest = this.cursorMs ?? 0;
    for (const m of fresh) {
      if (!ctx.seen(`sms:${m.sid}`)) await this.recordIncoming(ctx, m);
      newest = Math.max(newest, m.receivedAt.getTime());
    }
    if (newest > (this.cursorMs ?? 0)) {
      this.cursorMs = newest;
      await ctx.record({ type: 'watch-cursor', channel: 'sms', folder: 'inbound', uidValidity: client.from, lastUid: Math.floor(newest / 1000) });
    }
  }

  private async pollStatuses(ctx: WatchContext): Promise<void> {
    const client = await this.client();
    for (const [pingId, sid] of [...this.awaiting]) {
      if (this.finals.has(pingId)) {
        this.awaiting.delete(pingId);
        continue;
      }
      let m;
      try {
        m = await client.message(sid);
      } catch (e) {
        const f = twilioFailure(e);
        if (f.kind === 'transient') throw e;
        this.opts.warn?.(`SMS: cannot follow message ${sid}: ${f.message}`);
        this.awaiting.delete(pingId);
        continue;
      }
      if (FINAL_STATUSES.has(m.status)) await this.recordStatus(ctx, pingId, sid, m.status, m.errorCode, m.errorMessage);
    }
  }

  private async recordStatus(ctx: WatchContext, pingId: string, sid: string, status: string, errorCode?: number | null, errorMessage?: string | null): Promise<void> {
    if (this.finals.has(pingId)) return;
    this.finals.add(pingId);
    this.awaiting.delete(pingId);
    const detail = errorDetail(errorCode, errorMessage);
    await ctx.record({
      type: 'delivery-status',
      pingId,
      channel: 'sms',
      status,
      ...(errorCode !== null && errorCode !== undefined ? { errorCode } : {}),
      ...(detail ? { detail } : {}),
      final: true,
      providerId: sid,
    });
  }

  /** Classifies, matches and records one received SMS (once: key `sms:<sid>`). */
  async recordIncoming(ctx: WatchContext, m: ReceivedSms): Promise<boolean> {
    const key = `sms:${m.sid}`;
    if (ctx.seen(key)) return false;
    const keyword = smsKeyword(m.body);
    const match = matchSms(ctx, m);
    const cls: MessageClass = keyword ? 'keyword' : match ? 'reply' : 'unrelated';
    const reasons: string[] = [];
    if (keyword) reasons.push(`SMS keyword ${keyword}: handled by the provider${/STOP|UNSUBSCRIBE|CANCEL|END|QUIT|OPTOUT|REVOKE/.test(keyword) ? ', our number can no longer text this one' : ''}; not an answer`);
    if (match) reasons.push(match.rule === 'token' ? `carries the token of ping ${match.pingId}` : `from the pinged number ${m.from}, after the ping`);
    else reasons.push('matches no ping (no token, and no SMS ping to this number before it)');
    const file = await ctx.saveMessage(safeFileName(`sms-${m.sid}`) + '.txt', `From: ${m.from}\nReceived: ${m.receivedAt.toISOString()}\nSid: ${m.sid}\n\n${m.body}\n`);
    return ctx.record({
      type: 'message-received',
      key,
      channel: 'sms',
      receivedAt: m.receivedAt.toISOString(),
      from: m.from,
      file,
      class: cls,
      reasons,
      ...(match ? { pingId: match.pingId, matchedBy: match.rule } : {}),
    });
  }

  /** An incoming SMS pushed to the webhook: its time is Twilio's received timestamp, fetched. */
  async receiveWebhook(w: IncomingSmsWebhook): Promise<void> {
    const ctx = this.ctx;
    if (!ctx) {
      this.queued.push(w);
      return;
    }
    let receivedAt = w.arrivedAt;
    try {
      const client = await this.client();
      receivedAt = (await client.message(w.messageSid)).sentAt ?? receivedAt;
    } catch (e) {
      this.opts.warn?.(`SMS: could not fetch message ${w.messageSid}, using the webhook's arrival time: ${describeTwilioError(e).message}`);
    }
    await this.recordIncoming(ctx, { sid: w.messageSid, from: w.from, body: w.body, receivedAt });
  }

  /** A message status pushed to the webhook (StatusCallback). */
  async statusWebhook(w: StatusWebhook): Promise<void> {
    const ctx = this.ctx;
    if (!ctx || !FINAL_STATUSES.has(w.status)) return;
    const pingId = w.pingId ?? [...this.awaiting].find(([, sid]) => sid === w.sid)?.[0];
    if (!pingId) return;
    await this.recordStatus(ctx, pingId, w.sid, w.status, w.errorCode, undefined);
  }
}

/** Token first, then the sender's number (the latest SMS ping to it sent before the answer). */
export function matchSms(ctx: Pick<WatchContext, 'pings'>, m: Pick<ReceivedSms, 'from' | 'body' | 'receivedAt'>): { pingId: string; rule: MatchRule } | undefined {
  for (const word of m.body.split(/[^A-Za-z0-9-]+/)) {
    if (word.length < 4) continue;
    const p = ctx.pings.byToken(word);
    if (!p) continue;
    const sentAt = ctx.pings.sentAt(p.pingId);
    // A reply quoting the token proves the ping went out even when its send was never confirmed.
    if (!sentAt || sentBefore(sentAt, m.receivedAt)) return { pingId: p.pingId, rule: 'token' };
  }
  let best: { pingId: string; sentAt: Date } | undefined;
  for (const p of ctx.pings.byAddress(m.from, 'sms')) {
    const sentAt = ctx.pings.sentAt(p.pingId);
    if (sentAt && sentBefore(sentAt, m.receivedAt) && (!best || sentAt > best.sentAt)) best = { pingId: p.pingId, sentAt };
  }
  return best ? { pingId: best.pingId, rule: 'sender' } : undefined;
}
