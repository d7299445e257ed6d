// Connection options for the organisation's SMTP and IMAP servers, from ROLLCALL_SMTP_URL and
// ROLLCALL_IMAP_URL. TLS is required off loopback (STARTTLS, or implicit with smtps/imaps)
// unless --insecure-tls; credentials come from the URL and never appear in messages.
import { SettingsError, redact } from '../core/errors.js';
import { isLoopbackHost, parseServerUrl } from '../settings.js';

export interface ServerAuth {
  user: string;
  pass: string;
}

export interface SmtpServer {
  host: string;
  port: number;
  /** Implicit TLS (smtps://). */
  secure: boolean;
  /** STARTTLS must succeed (smtp:// off loopback without --insecure-tls). */
  requireTLS: boolean;
  auth?: ServerAuth;
  /** The URL without its credentials, for messages. */
  shown: string;
}

export interface ImapServer {
  host: string;
  port: number;
  secure: boolean;
  /** true: STARTTLS required; undefined: upgrade when offered. */
  doSTARTTLS?: boolean;
  auth: ServerAuth;
  /** Mailbox named by the URL path (INBOX when none). */
  mailbox: string;
  shown: string;
}

function credentials(url: URL): ServerAuth | undefined {
  if (!url.username) return undefined;
  return { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) };
}

/** The URL without its credentials, from its parts (parseServerUrl has refused any URL whose
 * password could have spilled into the host or path). */
function shown(url: URL): string {
  const path = url.pathname.replace(/^\/$/, '');
  return `${url.protocol}//${url.username || url.password ? '***@' : ''}${url.host}${path}`;
}

export function smtpServer(value: string, opts: { insecureTls?: boolean } = {}): SmtpServer {
  const url = parseServerUrl(value, 'ROLLCALL_SMTP_URL', ['smtp', 'smtps']);
  const secure = url.protocol === 'smtps:';
  const loopback = isLoopbackHost(url.hostname);
  const server: SmtpServer = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && !loopback && !opts.insecureTls,
    shown: shown(url),
  };
  const auth = credentials(url);
  if (auth) server.auth = auth;
  return server;
}

export function imapServer(value: string, opts: { insecureTls?: boolean } = {}): ImapServer {
  const url = parseServerUrl(value, 'ROLLCALL_IMAP_URL', ['imap', 'imaps']);
  const secure = url.protocol === 'imaps:';
  const loopback = isLoopbackHost(url.hostname);
  const auth = credentials(url);
  if (!auth) throw new SettingsError(`ROLLCALL_IMAP_URL needs a user and password (imaps://user:pass@host:993/INBOX), got ${shown(url)}`);
  const path = decodeURIComponent(url.pathname.replace(/^\//, '')).trim();
  const server: ImapServer = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    auth,
    mailbox: path || 'INBOX',
    shown: shown(url),
  };
  if (!secure && !loopback && !opts.insecureTls) server.doSTARTTLS = true;
  return server;
}

/** Removes a password from any text (server replies, library errors), as given and URL-encoded. */
export function hideSecret(text: string, auth?: ServerAuth): string {
  let out = redact(text);
  const pass = auth?.pass;
  if (pass && pass.length >= 3) {
    for (const form of new Set([pass, encodeURIComponent(pass), Buffer.from(pass).toString('base64')])) out = out.split(form).join('***');
  }
  return out;
}

/** How to reach an IMAP server, as ImapFlow takes it (no logging: it would print credentials). */
export function imapConnection(server: ImapServer) {
  return {
    host: server.host,
    port: server.port,
    secure: server.secure,
    ...(server.doSTARTTLS !== undefined ? { doSTARTTLS: server.doSTARTTLS } : {}),
    auth: { user: server.auth.user, pass: server.auth.pass },
    logger: false as const,
    connectionTimeout: 30_000,
  };
}
