// The e-mail channel: pings leave through the organisation's SMTP server (nodemailer's
// SMTPConnection, a few connections reused), answers are watched in its IMAP folders (imapflow).
// One send() is one attempt; the engine retries 4xx with backoff and records each attempt. The
// ping is recorded as started at its hand-over (connection open, logged in, envelope taken), and
// a message handed over whose answer never came is uncertain, never retried on its own.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import type { Channel, WatchContext } from './channel.js';
import type { Ping, SendOutcome } from '../core/ping.js';
import { SettingsError, WorkError } from '../core/errors.js';
import { composePing } from '../mail/compose.js';
import type { PingWording } from '../mail/templates.js';
import type { Random } from '../mail/token.js';
import { systemClock, type Clock } from '../core/clock.js';
import { DEFAULT_SUBJECT, requireSetting, type Settings } from '../settings.js';
import type { MessageAuthenticity } from '../core/events.js';
import { hideSecret, imapConnection, imapServer, smtpServer, type ImapServer, type SmtpServer } from './email-servers.js';
import { DEFAULT_TUNING, InboxWatcher, type WatchTuning } from './email-watch.js';
import { DEFAULT_SMTP_TIMEOUTS, SmtpSender, type SmtpError, type SmtpTimeouts } from './smtp-sender.js';

export interface EmailChannelOptions {
  settings: Settings;
  /** Allow servers without TLS off loopback (--insecure-tls). */
  insecureTls?: boolean;
  /** Folders to watch besides the URL's mailbox and the settings' folders (e.g. Junk). */
  folders?: string[];
  clock?: Clock;
  /** Subject template (default: the settings'). */
  subject?: string;
  network?: string;
  /** The words of the ping (default: the built-in texts). */
  wording?: PingWording;
  /** Without a cursor, only messages that arrived from this time on are the run's (default: when
   * watch() starts, less a minute for clock differences). */
  since?: Date;
  /** Warnings while watching (connection lost, reconnecting); passwords removed. */
  log?: (message: string) => void;
  random?: Random;
  /** SMTP connections kept open at most. */
  maxConnections?: number;
  /** How long to wait for the SMTP server (default 30 s to connect, 60 s of silence). */
  smtpTimeouts?: Partial<SmtpTimeouts>;
  tuning?: Partial<WatchTuning>;
  /** false: record no authenticity verdict on received messages (default: verify each). */
  verifyAuthenticity?: boolean;
}

/** Folders watched: the URL's mailbox, the settings' folders and the given ones, each once. */
export function emailFolders(settings: Settings, extra: string[] = []): string[] {
  const main = settings.imapUrl ? safeMailbox(settings.imapUrl) : 'INBOX';
  return [...new Set([main, ...settings.folders, ...extra].map((f) => f.trim()).filter(Boolean))];
}

function safeMailbox(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, '')) || 'INBOX';
  } catch {
    return 'INBOX';
  }
}

function addressOf(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim();
}

/** DKIM signing of pings, as nodemailer takes it. */
export interface DkimSigning {
  domainName: string;
  keySelector: string;
  /** PEM; never shown, logged or stored. */
  privateKey: string;
  /** Base64 of the public half (SubjectPublicKeyInfo): what `<selector>._domainkey.<domain>`
   * must publish as `p=`. */
  publicKey: string;
  keyFile: string;
}

/** Reads the signing key when ROLLCALL_DKIM_PRIVATE_KEY_FILE is set; undefined when it is not.
 * Errors name the file and what is wrong with it, never its contents. */
export function dkimSigning(settings: Settings): DkimSigning | undefined {
  const keyFile = settings.dkimPrivateKeyFile;
  if (!keyFile) return undefined;
  const selector = settings.dkim?.selector;
  if (!selector) {
    throw new SettingsError(
      'ROLLCALL_DKIM_PRIVATE_KEY_FILE is set but no DKIM selector is: add `dkim: { selector: <selector>, domain: <domain> }` to rollcall.config.yaml (or set ROLLCALL_DKIM_SELECTOR)',
    );
  }
  const domain = settings.dkim?.domain ?? (settings.from ? addressOf(settings.from).split('@')[1] : undefined);
  if (!domain) throw new SettingsError('DKIM signing needs a domain: set dkim.domain in rollcall.config.yaml, or ROLLCALL_FROM');
  let pem: string;
  try {
    pem = readFileSync(keyFile, 'utf8');
  } catch (e) {
    throw new SettingsError(`ROLLCALL_DKIM_PRIVATE_KEY_FILE: cannot read ${keyFile} (${(e as NodeJS.ErrnoException).code ?? 'unreadable'})`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new SettingsError(`ROLLCALL_DKIM_PRIVATE_KEY_FILE: ${keyFile} is not a PEM private key`);
  }
  if (key.asymmetricKeyType !== 'rsa') throw new SettingsError(`ROLLCALL_DKIM_PRIVATE_KEY_FILE: ${keyFile} holds an ${key.asymmetricKeyType ?? 'unknown'} key; pings are signed with RSA keys only`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 1024) throw new SettingsError(`ROLLCALL_DKIM_PRIVATE_KEY_FILE: ${keyFile} holds a ${bits}-bit key; receivers ignore DKIM keys shorter than 1024 bits (use 2048)`);
  const publicKey = createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
  return { domainName: domain.toLowerCase(), keySelector: selector, privateKey: pem, publicKey, keyFile };
}

export class EmailChannel implements Channel {
  readonly name = 'email' as const;
  readonly startsOnHandover = true;
  private readonly clock: Clock;
  private transport: SmtpSender | undefined;
  private smtp: SmtpServer | undefined;
  private readonly clients = new Set<ImapFlow>();
  private readonly tuning: WatchTuning;

  constructor(private readonly o: EmailChannelOptions) {
    this.clock = o.clock ?? systemClock;
    this.tuning = { ...DEFAULT_TUNING, ...o.tuning };
  }

  private from(): string {
    return requireSetting(this.o.settings, 'from', 'ROLLCALL_FROM');
  }

  private imap(): ImapServer {
    return imapServer(requireSetting(this.o.settings, 'imapUrl', 'ROLLCALL_IMAP_URL'), { insecureTls: this.o.insecureTls ?? false });
  }

  private pool(): SmtpSender {
    if (this.transport) return this.transport;
    const smtp = smtpServer(requireSetting(this.o.settings, 'smtpUrl', 'ROLLCALL_SMTP_URL'), { insecureTls: this.o.insecureTls ?? false });
    const dkim = dkimSigning(this.o.settings);
    this.smtp = smtp;
    this.transport = new SmtpSender(smtp, {
      maxConnections: this.o.maxConnections ?? 5,
      maxMessages: 100,
      timeouts: { ...DEFAULT_SMTP_TIMEOUTS, ...this.o.smtpTimeouts },
      // Signed pings pass DMARC at the contact points' servers, so their spam filters let them in.
      ...(dkim ? { dkim: { domainName: dkim.domainName, keySelector: dkim.keySelector, privateKey: dkim.privateKey } } : {}),
    });
    return this.transport;
  }

  /** Checks both servers and the login to each, and that every watched folder exists. */
  async open(): Promise<void> {
    await this.openSmtp();
    await this.openImap();
  }

  /** The SMTP half of open(): ROLLCALL_FROM, the DKIM key, the login (then lets go: the first
   * pings open their own connections). */
  async openSmtp(): Promise<void> {
    this.from();
    const transport = this.pool();
    const smtp = this.smtp as SmtpServer;
    try {
      await transport.verify();
    } catch (e) {
      throw this.smtpOpenError(e as SmtpError, smtp);
    }
  }

  /** The IMAP half of open(): the login and every watched folder. */
  async openImap(): Promise<void> {
    const imap = this.imap();
    const client = new ImapFlow(imapConnection(imap));
    client.on('error', () => {});
    try {
      await client.connect();
      const listed = await client.list();
      const paths = new Set(listed.map((m) => m.path.toLowerCase()));
      const missing = emailFolders(this.o.settings, this.o.folders).filter((f) => f.toUpperCase() !== 'INBOX' && !paths.has(f.toLowerCase()));
      if (missing.length > 0) {
        throw new SettingsError(
          `IMAP folder${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found at ${imap.shown} (folders there: ${listed.map((m) => m.path).join(', ')})`,
        );
      }
      await client.logout();
    } catch (e) {
      client.close();
      if (e instanceof SettingsError) throw e;
      throw this.imapOpenError(e as Error & { authenticationFailed?: boolean; code?: string; responseText?: string }, imap);
    }
  }

  private smtpOpenError(e: SmtpError, smtp: SmtpServer): Error {
    const words = hideSecret(e.response ?? e.message, smtp.auth);
    if (e.code === 'EAUTH') return new SettingsError(`the SMTP server ${smtp.shown} refused the login in ROLLCALL_SMTP_URL: ${words}`);
    if (e.code === 'ETLS' || e.command === 'STARTTLS' || /STARTTLS/i.test(e.message)) {
      return new SettingsError(
        `the SMTP server ${smtp.shown} offers no working STARTTLS: ${words}. Use smtps:// for implicit TLS, or --insecure-tls to send without it`,
      );
    }
    return new WorkError(`cannot reach the SMTP server ${smtp.shown}: ${words}`);
  }

  private imapOpenError(e: Error & { authenticationFailed?: boolean; code?: string; responseText?: string }, imap: ImapServer): Error {
    const words = hideSecret(e.responseText ?? e.message, imap.auth);
    if (e.authenticationFailed || e.code === 'AUTHENTICATIONFAILED') {
      return new SettingsError(`the IMAP server ${imap.shown} refused the login in ROLLCALL_IMAP_URL: ${words}`);
    }
    if (/STARTTLS|TLS/i.test(e.message)) {
      return new SettingsError(`the IMAP server ${imap.shown} offers no working STARTTLS: ${words}. Use imaps://, or --insecure-tls`);
    }
    return new WorkError(`cannot reach the IMAP server ${imap.shown}: ${words}`);
  }

  /** One attempt: the send time is the server's 250 after DATA, read from the clock. */
  async send(ping: Ping, opts: { handover?: () => Promise<void> } = {}): Promise<SendOutcome> {
    const from = this.from();
    const transport = this.pool();
    const composed = composePing(ping, {
      from,
      subject: this.o.subject ?? this.o.settings.subject ?? DEFAULT_SUBJECT,
      network: this.o.network ?? '',
      ...(this.o.random ? { random: this.o.random } : {}),
      ...(this.o.wording ? { wording: this.o.wording } : {}),
    });
    const result = await transport.send(
      {
        envelope: {
          from: addressOf(from),
          to: [ping.address],
          // Asks for failure and delay notices carrying our headers; dropped when the server has no DSN.
          dsn: { ret: 'HDRS', envid: ping.token, notify: ['FAILURE', 'DELAY'], orcpt: `rfc822;${ping.address}` },
        },
        mail: {
          from: composed.from,
          to: composed.to,
          subject: composed.subject,
          text: composed.text,
          html: composed.html,
          messageId: composed.messageId,
          date: this.clock.now(),
          headers: composed.headers,
        },
      },
      opts.handover,
    );
    const sentAt = this.clock.now();
    const words = (err: SmtpError) => hideSecret(err.response ?? err.message ?? String(err), this.smtp?.auth);
    if (result.ok && !result.rejected) return { ok: true, sentAt, response: result.response, providerId: composed.messageId };
    const err = result.error;
    if (!result.ok && result.handedOver && err.responseCode === undefined) {
      // The content left and the server's answer never came: it may have been delivered.
      return { ok: false, uncertain: true, permanent: false, response: `no answer after the message was handed over: ${words(err)}` };
    }
    const code = err.responseCode ?? err.code;
    return {
      ok: false,
      permanent: err.responseCode !== undefined && err.responseCode >= 500,
      ...(code !== undefined ? { code } : {}),
      response: words(err),
    };
  }

  /** Watches every folder until ctx.signal aborts; reconnects by itself. */
  async watch(ctx: WatchContext): Promise<void> {
    const imap = this.imap();
    const since = this.o.since ?? new Date(ctx.clock.now().getTime() - 60_000);
    const watcher = new InboxWatcher({
      server: imap,
      folders: emailFolders(this.o.settings, this.o.folders),
      ctx,
      since,
      ownAddress: this.o.settings.from ? addressOf(this.o.settings.from) : '',
      tuning: this.tuning,
      ...(this.o.verifyAuthenticity === false ? {} : { verify: (raw: Buffer) => this.verify(raw) }),
      log: this.o.log ?? (() => {}),
      track: (client) => {
        this.clients.add(client);
        return () => this.clients.delete(client);
      },
    });
    await watcher.run();
  }

  /** DKIM/SPF/DMARC verdict of a received message; mailauth is loaded on the first one. */
  private async verify(raw: Buffer): Promise<MessageAuthenticity> {
    const { verifyMessage, verifyOptionsFrom, recordedAuthenticity } = await import('../mail/authenticity.js');
    return recordedAuthenticity(await verifyMessage(raw, verifyOptionsFrom(this.o.settings)));
  }

  async close(): Promise<void> {
    this.transport?.close();
    this.transport = undefined;
    for (const c of this.clients) c.close();
    this.clients.clear();
  }
}
