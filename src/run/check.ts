// `rollcall check`, the day before a test: logs in to every server of the chosen channels, and
// times one ping sent to the secretariat's own address through the real SMTP and IMAP servers;
// for SMS and voice, checks our number, the public URL of the webhooks, and times an SMS and a
// call to the secretariat's own phone. Nothing is sent to contact points.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel } from '../channels/channel.js';
import type { Ping } from '../core/ping.js';
import { RunFolder } from '../core/run-folder.js';
import { addTo } from '../core/group.js';
import type { ChannelName, DeliveryStatusEvent, MessageReceivedEvent, RunEvent } from '../core/events.js';
import type { Settings } from '../settings.js';
import { newMessageId, newToken } from '../mail/token.js';
import type { Clock } from '../core/clock.js';
import { MemoryPingIndex, normalizeMessageId } from '../core/ping-index.js';
import { Recorder } from './recorder.js';
import { domainPolicies, publishedDkimKey, type DnsResolver } from '../mail/authenticity-dns.js';
import { parseAuthenticationResults } from '../mail/authenticity-headers.js';
import { parseHeaderBlock, splitHeaderBody } from '../mail/mime.js';

export interface ServerCheck {
  channel: string;
  ok: boolean;
  /** What failed, in the server's words (no secrets); for e-mail, both servers' failures. */
  detail?: string;
  /** The failure is a setting (refused login, no TLS): exit 2 rather than 1. */
  settingsProblem?: boolean;
  /** E-mail, when a server failed: each server's own result (both are always tried, so that a
   * dead SMTP server does not hide a wrong IMAP password until the next day). */
  smtp?: ServerResult;
  imap?: ServerResult;
}

/** One server of a channel (e-mail: SMTP, IMAP). */
export interface ServerResult {
  ok: boolean;
  detail?: string;
  settingsProblem?: boolean;
}

/** Opens each channel (login, folders, account) and closes it again. For e-mail both servers are
 * tried, each on its own, so that a dead SMTP server does not hide a wrong IMAP password. */
export async function checkServers(channels: Channel[]): Promise<ServerCheck[]> {
  const { SettingsError } = await import('../core/errors.js');
  const out: ServerCheck[] = [];
  for (const c of channels) {
    try {
      if (!hasTwoServers(c)) {
        await c.open().then(
          () => out.push({ channel: c.name, ok: true }),
          (e: unknown) => out.push({ channel: c.name, ...serverResult(e, SettingsError) }),
        );
        continue;
      }
      // E-mail: each server on its own (open() stops at the first failure, SMTP's coming first).
      const smtp = await c.openSmtp().then((): ServerResult => ({ ok: true }), (e: unknown) => serverResult(e, SettingsError));
      const imap = await c.openImap().then((): ServerResult => ({ ok: true }), (e: unknown) => serverResult(e, SettingsError));
      const failures = [smtp, imap].filter((r) => !r.ok);
      if (failures.length === 0) {
        out.push({ channel: c.name, ok: true });
        continue;
      }
      out.push({ channel: c.name, ok: false, detail: failures.map((r) => r.detail).join('; '), settingsProblem: failures.some((r) => r.settingsProblem), smtp, imap });
    } finally {
      await c.close().catch(() => undefined);
    }
  }
  return out;
}

/** A channel with two servers to log in to, each checked on its own (e-mail: SMTP and IMAP). */
function hasTwoServers(c: Channel): c is Channel & { openSmtp(): Promise<void>; openImap(): Promise<void> } {
  const o = c as unknown as Partial<Record<'openSmtp' | 'openImap', unknown>>;
  return typeof o.openSmtp === 'function' && typeof o.openImap === 'function';
}

/** A server's result from the error it failed with: its words, and whether a setting is wrong. */
function serverResult(e: unknown, settingsError: new (...a: never[]) => Error): ServerResult {
  return { ok: false, detail: (e as Error)?.message ?? String(e), settingsProblem: e instanceof settingsError };
}

export interface RoundTrip {
  ok: boolean;
  address: string;
  token: string;
  messageId: string;
  sentAt?: string;
  /** Arrival in the inbox (IMAP INTERNALDATE, whole seconds). */
  receivedAt?: string;
  /** INTERNALDATE − send time, seconds (what a response time is measured with). */
  seconds?: number;
  /** From the server's acceptance to our watcher recording it, ms: how quickly answers are seen. */
  detectedAfterMs?: number;
  folder?: string;
  detail?: string;
  /** What the receiving server recorded about the ping's origin (its Authentication-Results). */
  authentication?: ArrivalAuthentication;
}

export interface ArrivalAuthentication {
  /** The server that wrote the header read; undefined when the ping arrived without one. */
  authservId?: string;
  /** The header came from a trusted authserv-id (settings.trustedAuthservIds). */
  trusted: boolean;
  dkim?: string;
  spf?: string;
  dmarc?: string;
}

/** The Authentication-Results the receiving server put on our own ping: a trusted server's, else
 * the topmost (the ping is ours, so no sender could have forged it). */
export function arrivalAuthentication(raw: Buffer, trusted: readonly string[]): ArrivalAuthentication {
  const headers = parseHeaderBlock(splitHeaderBody(raw.toString('latin1')).head);
  const all = headers.all('authentication-results').flatMap((v) => parseAuthenticationResults(v) ?? []);
  const ids = new Set(trusted.map((t) => t.toLowerCase()));
  const ours = all.filter((h) => ids.has(h.authservId.toLowerCase()));
  const chosen = ours.length > 0 ? ours : all.slice(0, 1);
  if (chosen.length === 0) return { trusted: false };
  const first = (method: string) => chosen.flatMap((h) => h.results).find((r) => r.method === method)?.result;
  const dkim = first('dkim');
  const spf = first('spf');
  const dmarc = first('dmarc');
  return { authservId: (chosen[0] as { authservId: string }).authservId, trusted: ours.length > 0, ...(dkim ? { dkim } : {}), ...(spf ? { spf } : {}), ...(dmarc ? { dmarc } : {}) };
}

/** What the secretariat's domain publishes for the receivers of its pings. */
export interface DomainCheck {
  domain: string;
  spf?: string;
  dmarc?: string;
  /** Where the DMARC record was found: `_dmarc.<domain>`, or the organisational domain's. */
  dmarcName?: string;
  dmarcPolicy?: string;
  /** With signing configured: is the public half of the key published under the selector? */
  dkimKey?: { selector: string; domain: string; name: string; published: boolean; matches: boolean };
  /** Look-ups that failed (DNS unreachable): nothing could be concluded from them. */
  errors: string[];
}

/** Looks up SPF and DMARC of the From domain and, when pings are signed, the published key. */
export async function checkDomain(o: {
  domain: string;
  resolver: DnsResolver;
  orgDomain?: (d: string) => string;
  signing?: { selector: string; domain: string; publicKey: string };
}): Promise<DomainCheck> {
  const p = await domainPolicies(o.domain, o.resolver, o.orgDomain);
  const out: DomainCheck = { domain: o.domain, errors: p.errors, ...(p.spf ? { spf: p.spf } : {}), ...(p.dmarc ? { dmarc: p.dmarc, dmarcName: p.dmarcName } : {}), ...(p.dmarcPolicy ? { dmarcPolicy: p.dmarcPolicy } : {}) };
  if (o.signing) {
    const name = `${o.signing.selector}._domainkey.${o.signing.domain}`;
    try {
      const key = await publishedDkimKey(o.signing.selector, o.signing.domain, o.resolver);
      out.dkimKey = { selector: o.signing.selector, domain: o.signing.domain, name, published: key !== undefined && key !== '', matches: key === o.signing.publicKey };
    } catch (e) {
      out.errors.push(`${name}: ${(e as { code?: string }).code ?? (e as Error).message}`);
    }
  }
  return out;
}

/** Sends one ping to `address` (our own) through the channel and waits for it in the inbox. */
export async function roundTrip(
  channel: Channel,
  opts: { address: string; from: string; clock: Clock; timeoutMs: number; network: string; trustedAuthservIds?: readonly string[] },
): Promise<RoundTrip> {
  const token = newToken();
  const ping: Ping = {
    pingId: 'check/email/1',
    contactId: 'check',
    iso: 'ZZ',
    country: 'Secretariat',
    unit: 'Secretariat (rollcall check)',
    channel: channel.name,
    address: opts.address,
    token,
    messageId: newMessageId(token, opts.from),
    languages: ['en'],
    timezone: 'UTC',
  };
  const result: RoundTrip = { ok: false, address: opts.address, token, messageId: ping.messageId! };
  // A throwaway run folder: the watcher saves what it reads under messages/.
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-check-'));
  const folder = RunFolder.at(dir);
  const log = folder.openLog(() => opts.clock.now());
  const recorder = new Recorder(log);
  const index = new MemoryPingIndex();
  index.add(ping);
  const stop = new AbortController();
  const ours = normalizeMessageId(ping.messageId!);
  let arrived: (e: MessageReceivedEvent) => void = () => {};
  const arrival = new Promise<MessageReceivedEvent>((resolve) => (arrived = resolve));
  recorder.onEvent((e) => {
    if (e.type === 'message-received' && ((e.messageId && normalizeMessageId(e.messageId) === ours) || e.pingId === ping.pingId)) arrived(e);
  });
  let watchError: unknown;
  let watching: Promise<void> = Promise.resolve();
  try {
    await channel.open();
    watching = channel.watch(recorder.context({ clock: opts.clock, pings: index, folder, signal: stop.signal })).catch((e: unknown) => {
      watchError = e;
    });
    const out = await channel.send(ping);
    if (!out.ok) {
      result.detail = `the SMTP server refused the ping to ${opts.address}: ${out.response}`;
      return result;
    }
    index.markSent(ping.pingId, out.sentAt);
    result.sentAt = out.sentAt.toISOString();
    const timeout = new Promise<undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), opts.timeoutMs);
      stop.signal.addEventListener('abort', () => clearTimeout(t), { once: true });
    });
    const e = await Promise.race([arrival, timeout, watching.then(() => undefined)]);
    if (!e) {
      result.detail = watchError
        ? `watching the inbox failed: ${(watchError as Error).message}`
        : `the ping was accepted but did not arrive in the watched folders within ${Math.round(opts.timeoutMs / 1000)} s`;
      return result;
    }
    result.ok = true;
    result.receivedAt = e.receivedAt;
    result.seconds = (Date.parse(e.receivedAt) - out.sentAt.getTime()) / 1000;
    result.detectedAfterMs = Date.parse(e.at) - out.sentAt.getTime();
    if (e.folder) result.folder = e.folder;
    if (e.file) result.authentication = arrivalAuthentication(readFileSync(join(dir, e.file)), opts.trustedAuthservIds ?? []);
    return result;
  } finally {
    stop.abort();
    await Promise.race([watching, new Promise((r) => setTimeout(r, 5000))]);
    await channel.close().catch(() => undefined);
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- The phone channels (SMS, voice): our number, the public URL, a round trip to our own phone ---

export interface OwnNumberCheck {
  ok: boolean;
  /** ROLLCALL_TWILIO_FROM. */
  number: string;
  sms?: boolean;
  voice?: boolean;
  detail?: string;
  /** Not a number of the account, or one that cannot do what is asked: exit 2. */
  settingsProblem?: boolean;
}

/** ROLLCALL_TWILIO_FROM must be one of the account's numbers (IncomingPhoneNumbers), able to send
 * SMS and to call as the channels need. */
export async function checkOwnNumber(settings: Settings, names: readonly ChannelName[]): Promise<OwnNumberCheck> {
  const { connectTwilio, describeTwilioError } = await import('../channels/twilio-client.js');
  const number = (settings.twilioFrom ?? '').replace(/[\s().-]/g, '');
  let own;
  try {
    own = await (await connectTwilio(settings)).ownNumber();
  } catch (e) {
    let detail: string;
    try {
      detail = describeTwilioError(e).message;
    } catch {
      detail = (e as Error)?.message ?? String(e);
    }
    return { ok: false, number, detail: `could not list the account's numbers: ${detail}` };
  }
  if (!own) {
    return {
      ok: false,
      number,
      settingsProblem: true,
      detail: `ROLLCALL_TWILIO_FROM ${number} is not a number of this Twilio account (not in its IncomingPhoneNumbers): Twilio would refuse every ping from it`,
    };
  }
  const missing = [names.includes('sms') && !own.sms ? 'SMS' : '', names.includes('voice') && !own.voice ? 'voice calls' : ''].filter(Boolean);
  if (missing.length > 0) return { ok: false, number, sms: own.sms, voice: own.voice, settingsProblem: true, detail: `${number} is a number of the account but cannot do ${missing.join(' or ')}` };
  return { ok: true, number, sms: own.sms, voice: own.voice };
}

export interface PublicUrlResult {
  ok: boolean;
  publicUrl: string;
  /** Round trip of the signed request through the tunnel, ms. */
  ms?: number;
  detail?: string;
}

/** Starts a webhook server on `port`, sends it a signed request through the public URL, stops it. */
export async function checkWebhookUrl(opts: { publicUrl: string; authToken: string; port?: number }): Promise<PublicUrlResult> {
  const { checkPublicUrl } = await import('../channels/factory.js');
  try {
    return { ok: true, publicUrl: opts.publicUrl, ms: await checkPublicUrl(opts) };
  } catch (e) {
    const { RollcallError } = await import('../core/errors.js');
    if (!(e instanceof RollcallError)) throw e;
    return { ok: false, publicUrl: opts.publicUrl, detail: e.message };
  }
}

export interface PhoneRoundTrip {
  channel: 'sms' | 'voice';
  ok: boolean;
  /** --to: the secretariat's own phone. */
  address: string;
  token: string;
  sentAt?: string;
  /** The reply's received time at Twilio (SMS) or the key press time (voice). */
  answeredAt?: string;
  /** answeredAt − send time, seconds: what a response time is measured with. */
  seconds?: number;
  /** From the API's 2xx to rollcall recording the answer, ms: how quickly answers are seen. */
  detectedAfterMs?: number;
  /** What came back: a reply, a key, or how the call ended. */
  answer?: string;
  detail?: string;
}

/** Sends one SMS and places one call (one ping per channel given, in that order) to `address`,
 * our own phone, through the phone channels of a run (webhooks included), and waits for each to
 * be answered: a reply to the SMS, a key pressed during the call. */
export async function phoneRoundTrips(channels: Channel[], opts: { address: string; clock: Clock; timeoutMs: number; publicUrl?: string }): Promise<PhoneRoundTrip[]> {
  const dir = mkdtempSync(join(tmpdir(), 'rollcall-check-phone-'));
  const folder = RunFolder.at(dir);
  const log = folder.openLog(() => opts.clock.now());
  const recorder = new Recorder(log);
  const index = new MemoryPingIndex();
  const stop = new AbortController();
  const waiters = new Set<() => void>();
  /** Every event recorded, by ping (a few: one ping per channel). */
  const byPing = new Map<string, RunEvent[]>();
  recorder.onEvent((e) => {
    if ('pingId' in e && e.pingId !== undefined) addTo(byPing, e.pingId, e);
    for (const w of waiters) w();
  });
  const trips: PhoneRoundTrip[] = [];
  const watching: Array<Promise<void>> = [];
  let watchError: unknown;
  try {
    try {
      for (const c of channels) await c.open();
    } catch (e) {
      const detail = (e as Error)?.message ?? String(e);
      return channels.map((c) => ({ channel: c.name as 'sms' | 'voice', ok: false, address: opts.address, token: '', detail }));
    }
    const ctx = recorder.context({ clock: opts.clock, pings: index, folder, signal: stop.signal });
    for (const c of channels) watching.push(c.watch(ctx).catch((e: unknown) => void (watchError ??= e)));
    for (const channel of channels) {
      const name = channel.name as 'sms' | 'voice';
      const ping: Ping = {
        pingId: `check/${name}/1`,
        contactId: 'check',
        iso: 'ZZ',
        country: 'Secretariat',
        unit: 'Secretariat (rollcall check)',
        channel: name,
        address: opts.address,
        token: newToken(),
        languages: ['en'],
        timezone: 'UTC',
      };
      const trip: PhoneRoundTrip = { channel: name, ok: false, address: opts.address, token: ping.token };
      trips.push(trip);
      index.add(ping);
      const out = await channel.send(ping);
      if (!out.ok) {
        trip.detail = `Twilio refused the ${name === 'sms' ? 'SMS' : 'call'} to ${opts.address}: ${out.response}`;
        continue;
      }
      index.markSent(ping.pingId, out.sentAt);
      trip.sentAt = out.sentAt.toISOString();
      const deadline = Date.now() + opts.timeoutMs;
      let ended: DeliveryStatusEvent | undefined;
      for (;;) {
        const mine = byPing.get(ping.pingId) ?? [];
        const reply = mine.find((e): e is MessageReceivedEvent => e.type === 'message-received' && e.class === 'reply');
        if (reply) {
          trip.ok = true;
          trip.answeredAt = reply.receivedAt;
          trip.seconds = (Date.parse(reply.receivedAt) - out.sentAt.getTime()) / 1000;
          trip.detectedAfterMs = Date.parse(reply.at) - out.sentAt.getTime();
          trip.answer = name === 'voice' ? (reply.reasons[0] ?? 'key pressed') : 'a reply by SMS';
          break;
        }
        ended ??= mine.find((e): e is DeliveryStatusEvent => e.type === 'delivery-status' && e.final && (name === 'voice' || ['failed', 'undelivered', 'canceled'].includes(e.status)));
        // A key press arrives during the call, before its end: give it a moment all the same.
        if (ended && (name === 'sms' || Date.now() > Date.parse(ended.at) + 3000 || ended.status !== 'completed' || !opts.publicUrl)) {
          trip.answer = `${name === 'sms' ? 'SMS' : 'call'} ${ended.status}${ended.detail ? `: ${ended.detail}` : ''}`;
          // Without a public URL an answered call is all that can be seen (and not timed: its end
          // is noticed by polling).
          trip.ok = name === 'voice' && !opts.publicUrl && ended.status === 'completed';
          if (!trip.ok) trip.detail = name === 'sms' ? `the SMS was not delivered: ${trip.answer}` : `the call was not answered with a key press: ${trip.answer}`;
          break;
        }
        if (watchError !== undefined) {
          trip.detail = `watching for the answer failed: ${(watchError as Error)?.message ?? String(watchError)}`;
          break;
        }
        if (Date.now() > deadline) {
          trip.detail = `no ${name === 'sms' ? 'reply to the SMS' : 'key press'} within ${Math.round(opts.timeoutMs / 1000)} s`;
          break;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(done, 250);
          function done() {
            clearTimeout(t);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
      }
    }
    return trips;
  } finally {
    stop.abort();
    // Unref'd: the wait must not keep the process alive once the watchers are done.
    await Promise.race([Promise.allSettled(watching), new Promise((r) => setTimeout(r, 5000).unref())]);
    await Promise.allSettled(channels.map((c) => c.close()));
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
