// Builds the channels of a run from --channels and the settings. The modules of each channel
// are imported only when that channel is used: an e-mail run never loads twilio, a demo loads
// neither nodemailer nor imapflow.
import { SettingsError, UsageError, WorkError } from '../core/errors.js';
import type { ChannelName } from '../core/events.js';
import type { Clock } from '../core/clock.js';
import { parseServerUrl, requireSetting, type Settings } from '../settings.js';
import type { Channel, WatchContext } from './channel.js';
import type { Ping, SendOutcome } from '../core/ping.js';
import type { PingWording } from '../mail/templates.js';

/** Channels a user may ask for with --channels (`sim` is the demo's). */
export const USER_CHANNELS = ['email', 'sms', 'voice'] as const;

export function parseChannels(list: string): ChannelName[] {
  const names = list
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--channels: give at least one of ${USER_CHANNELS.join(', ')}`);
  const out: ChannelName[] = [];
  for (const n of names) {
    if (!(USER_CHANNELS as readonly string[]).includes(n)) throw new UsageError(`--channels: unknown channel "${n}" (use ${USER_CHANNELS.join(', ')})`);
    if (!out.includes(n as ChannelName)) out.push(n as ChannelName);
  }
  return out;
}

export interface ChannelFactoryOptions {
  names: readonly ChannelName[];
  settings: Settings;
  clock: Clock;
  network: string;
  insecureTls?: boolean;
  /** IMAP folders to watch (--folders, plus the settings' folders). */
  folders?: string[];
  /** --public-url: Twilio's webhooks (key presses, statuses, incoming SMS). */
  publicUrl?: string;
  /** --webhook-port: local port of the webhook server (default 0: a free port, printed). */
  webhookPort?: number;
  /** Start of the run (less a margin): without a cursor, the e-mail watcher takes messages that
   * arrived from then on as the run's. */
  since?: Date;
  /** Non-fatal problems of the phone channels (an API hiccup while polling). */
  warn?: (message: string) => void;
  /** What the user must know to set up (the webhook server's port). Default: `warn`. */
  notice?: (message: string) => void;
  /** The words of the pings: the office's templates over the built-in texts (default: built-in). */
  wording?: PingWording;
}

/** Checks --webhook-port: 0 (any free port) to 65535. */
export function parseWebhookPort(value: string): number {
  const t = value.trim();
  if (!/^\d+$/.test(t) || Number(t) > 65535) throw new UsageError(`--webhook-port: "${value}" is not a port number (1 to 65535, or 0 for any free port)`);
  return Number(t);
}

/** Checks the settings every requested channel needs, naming the first missing variable; no
 * connection is made. Run before anything is created on disk. */
export function checkChannelSettings(names: readonly ChannelName[], settings: Settings): void {
  if (names.includes('email')) {
    parseServerUrl(requireSetting(settings, 'smtpUrl', 'ROLLCALL_SMTP_URL'), 'ROLLCALL_SMTP_URL', ['smtp', 'smtps']);
    parseServerUrl(requireSetting(settings, 'imapUrl', 'ROLLCALL_IMAP_URL'), 'ROLLCALL_IMAP_URL', ['imap', 'imaps']);
    const from = requireSetting(settings, 'from', 'ROLLCALL_FROM');
    if (!/@[^@\s>]+\.[^@\s>]+>?\s*$/.test(from)) throw new SettingsError(`ROLLCALL_FROM is not an e-mail address: ${from}`);
  }
  if (names.includes('sms') || names.includes('voice')) {
    requireSetting(settings, 'twilioAccountSid', 'TWILIO_ACCOUNT_SID');
    requireSetting(settings, 'twilioAuthToken', 'TWILIO_AUTH_TOKEN');
    const from = requireSetting(settings, 'twilioFrom', 'ROLLCALL_TWILIO_FROM');
    if (!/^\+[1-9]\d{6,14}$/.test(from)) throw new SettingsError(`ROLLCALL_TWILIO_FROM must be an E.164 number like +15005550006 (got ${from})`);
  }
  if (names.includes('sim')) throw new UsageError('the sim channel is the demo\'s: run `rollcall demo`');
}

export async function createChannels(opts: ChannelFactoryOptions): Promise<Channel[]> {
  checkChannelSettings(opts.names, opts.settings);
  const channels: Channel[] = [];
  const folders = [...new Set([...(opts.folders ?? ['INBOX']), ...opts.settings.folders])];
  if (opts.names.includes('email')) {
    const { EmailChannel } = await import('./email.js');
    channels.push(
      new EmailChannel({
        settings: opts.settings,
        clock: opts.clock,
        folders,
        network: opts.network,
        subject: opts.settings.subject,
        ...(opts.wording ? { wording: opts.wording } : {}),
        ...(opts.since ? { since: opts.since } : {}),
        ...(opts.warn ? { log: opts.warn } : {}),
        ...(opts.insecureTls ? { insecureTls: true } : {}),
      }),
    );
  }
  const phone = { settings: opts.settings, clock: opts.clock, network: opts.network, ...(opts.wording ? { wording: opts.wording } : {}), ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}), ...(opts.warn ? { warn: opts.warn } : {}) };
  let sms: import('./sms.js').SmsChannel | undefined;
  let voice: import('./voice.js').VoiceChannel | undefined;
  if (opts.names.includes('sms')) {
    const { SmsChannel } = await import('./sms.js');
    sms = new SmsChannel(phone);
  }
  if (opts.names.includes('voice')) {
    const { VoiceChannel } = await import('./voice.js');
    voice = new VoiceChannel({
      ...phone,
      ...(opts.settings.voiceAttempts !== undefined ? { attempts: opts.settings.voiceAttempts } : {}),
      ...(opts.settings.voiceRetryInterval !== undefined ? { retryIntervalMs: opts.settings.voiceRetryInterval * 1000 } : {}),
    });
  }
  const phoneChannels = [sms, voice].filter((c): c is NonNullable<typeof c> => c !== undefined);
  if (opts.publicUrl && phoneChannels.length > 0) {
    const { phoneWebhookHandlers } = await import('./webhooks.js');
    const publicUrl = opts.publicUrl;
    const port = opts.webhookPort ?? 0;
    const notice = opts.notice ?? opts.warn;
    const start = async () => {
      const server = await listenForWebhooks({
        publicUrl,
        authToken: opts.settings.twilioAuthToken!,
        port,
        clock: opts.clock,
        ...(opts.warn ? { warn: opts.warn } : {}),
        ...phoneWebhookHandlers({ ...(sms ? { sms } : {}), ...(voice ? { voice } : {}) }),
      });
      notice?.(`webhooks listening on ${server.localUrl} (port ${server.port}): ${publicUrl} must forward there`);
      // A run whose key presses cannot arrive would count every contact point that pressed 1 as
      // silent: it does not start.
      try {
        await requirePublicUrl(server, publicUrl, port);
      } catch (e) {
        await server.close();
        throw e;
      }
      return server;
    };
    channels.push(new WithWebhooks(phoneChannels[0]!, start), ...phoneChannels.slice(1));
  } else {
    channels.push(...phoneChannels);
  }
  return channels;
}

type WebhookServerOptions = import('./webhooks.js').WebhookServerOptions;
type WebhookServer = import('./webhooks.js').WebhookServer;

/** Starts the webhook server; a port that is taken or not allowed is the user's to change. */
async function listenForWebhooks(opts: WebhookServerOptions): Promise<WebhookServer> {
  const { startWebhookServer } = await import('./webhooks.js');
  const port = opts.port ?? 0;
  try {
    return await startWebhookServer(opts);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const why = code === 'EADDRINUSE' ? 'the port is taken' : 'permission denied';
      if (port !== 0) throw new UsageError(`--webhook-port ${port}: cannot listen on 127.0.0.1:${port} (${why}); choose another port`);
      throw new WorkError(`cannot start the webhook server on 127.0.0.1 (${why})`);
    }
    throw e;
  }
}

/** Throws a SettingsError, saying what to fix, when the public URL does not reach the server. */
async function requirePublicUrl(server: WebhookServer, publicUrl: string, port: number): Promise<number> {
  const check = await server.checkPublicUrl();
  if (check.ok) return check.ms ?? 0;
  throw new SettingsError(
    `--public-url ${publicUrl} does not reach rollcall's webhook server on 127.0.0.1:${server.port} (a signed test request to ${check.url}: ${check.detail}). ` +
      `Twilio could not deliver key presses or call statuses. Make the tunnel or reverse proxy forward ${publicUrl} to 127.0.0.1:${server.port}` +
      (port === 0 ? ' (give the port with --webhook-port so that it stays the same)' : '') +
      ', then start again.',
  );
}

/** Before a run is created (and by `rollcall check`): starts a webhook server on the port the run
 * will use, sends a signed request to itself through the public URL, and stops the server.
 * Resolves to the round trip in ms; throws a SettingsError saying what to fix when the request
 * does not come back. */
export async function checkPublicUrl(opts: { publicUrl: string; authToken: string; port?: number; clock?: Clock }): Promise<number> {
  const server = await listenForWebhooks({ publicUrl: opts.publicUrl, authToken: opts.authToken, port: opts.port ?? 0, ...(opts.clock ? { clock: opts.clock } : {}) });
  try {
    return await requirePublicUrl(server, opts.publicUrl, opts.port ?? 0);
  } finally {
    await server.close();
  }
}

/** A phone channel that runs the webhook server while it is open (one server for SMS and voice). */
class WithWebhooks implements Channel {
  private server: { close(): Promise<void> } | undefined;

  constructor(
    private readonly inner: Channel,
    private readonly start: () => Promise<{ close(): Promise<void> }>,
  ) {}

  get name(): ChannelName {
    return this.inner.name;
  }

  async open(): Promise<void> {
    this.server ??= await this.start();
    await this.inner.open();
  }

  send(ping: Ping): Promise<SendOutcome> {
    return this.inner.send(ping);
  }

  watch(ctx: WatchContext): Promise<void> {
    return this.inner.watch(ctx);
  }

  async close(): Promise<void> {
    try {
      await this.inner.close();
    } finally {
      await this.server?.close();
      this.server = undefined;
    }
  }
}
