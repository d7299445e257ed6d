// `rollcall check`, the day before a test: logs in to every server of the chosen channels, and
// times one ping sent to the secretariat's own address through the real SMTP and IMAP servers.
// Nothing is sent to contact points.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel } from '../channels/channel.js';
import type { Ping } from '../core/ping.js';
import { RunFolder } from '../core/run-folder.js';
import type { MessageReceivedEvent } from '../core/events.js';
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
  /** What failed, in the server's words (no secrets). */
  detail?: string;
  /** The failure is a setting (refused login, no TLS): exit 2 rather than 1. */
  settingsProblem?: boolean;
}

/** Opens each channel (login, folders, account) and closes it again. */
export async function checkServers(channels: Channel[]): Promise<ServerCheck[]> {
  const { SettingsError } = await import('../core/errors.js');
  const out: ServerCheck[] = [];
  for (const c of channels) {
    try {
      await c.open();
      out.push({ channel: c.name, ok: true });
    } catch (e) {
      out.push({ channel: c.name, ok: false, detail: (e as Error)?.message ?? String(e), settingsProblem: e instanceof SettingsError });
    } finally {
      await c.close().catch(() => undefined);
    }
  }
  return out;
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
  const out: DomainCheck = { domain: o.domain, errors: p.errors, ...(p.spf ? { spf: p.spf } : {}), ...(p.dmarc ? { dmarc: p.dmarc, dmarcName: p.dmarcName as string } : {}), ...(p.dmarcPolicy ? { dmarcPolicy: p.dmarcPolicy } : {}) };
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
