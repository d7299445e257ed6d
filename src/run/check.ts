// `rollcall check`, the day before a test: logs in to every server of the chosen channels, and
// times one ping sent to the secretariat's own address through the real SMTP and IMAP servers.
// Nothing is sent to contact points.
import { mkdtempSync, rmSync } from 'node:fs';
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
}

/** Sends one ping to `address` (our own) through the channel and waits for it in the inbox. */
export async function roundTrip(channel: Channel, opts: { address: string; from: string; clock: Clock; timeoutMs: number; network: string }): Promise<RoundTrip> {
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
    return result;
  } finally {
    stop.abort();
    await Promise.race([watching, new Promise((r) => setTimeout(r, 5000))]);
    await channel.close().catch(() => undefined);
    log.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
