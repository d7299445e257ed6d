// The webhook server for --public-url: Twilio posts the key press (<Gather> action), call and
// message status callbacks, the answering-machine verdict and incoming SMS here. Every request
// must carry a valid X-Twilio-Signature for the public URL it was sent to; anything else gets 403
// and is dropped. The server can also check that the public URL reaches it: a request it signs
// itself, sent to the public URL, must come back through the tunnel to this very server.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SettingsError, redact } from '../core/errors.js';
import { isLoopbackHost } from '../settings.js';
import { systemClock, type Clock } from '../core/clock.js';

/** A key pressed during a test call. */
export interface KeyPressWebhook {
  callSid: string;
  digits: string;
  /** From our `?ping=` query parameter. */
  pingId?: string;
  /** The called number (the contact point's) and ours. */
  to?: string;
  from?: string;
  /** Time at our side when the webhook arrived: the key press time. */
  arrivedAt: Date;
}

/** A call or message status callback. */
export interface StatusWebhook {
  channel: 'sms' | 'voice';
  /** CallSid or MessageSid. */
  sid: string;
  status: string;
  pingId?: string;
  answeredBy?: string;
  errorCode?: number;
  arrivedAt: Date;
}

/** The verdict of the background answering-machine detection (AsyncAmdStatusCallback). */
export interface AmdWebhook {
  callSid: string;
  /** human, machine_start, machine_end_beep, fax, unknown... */
  answeredBy: string;
  pingId?: string;
  arrivedAt: Date;
}

export interface IncomingSmsWebhook {
  messageSid: string;
  from: string;
  to: string;
  body: string;
  arrivedAt: Date;
}

export interface WebhookHandlers {
  /** Returns the TwiML to answer the call with. */
  onKeyPress?: (k: KeyPressWebhook) => Promise<string | void>;
  onStatus?: (s: StatusWebhook) => Promise<void>;
  onAmd?: (a: AmdWebhook) => Promise<void>;
  onIncomingSms?: (m: IncomingSmsWebhook) => Promise<void>;
}

export interface WebhookServerOptions extends WebhookHandlers {
  /** --public-url: the https URL Twilio calls (a tunnel or reverse proxy forwards it to us). */
  publicUrl: string;
  /** TWILIO_AUTH_TOKEN: the signatures' key. */
  authToken: string;
  /** Local port (default 0: any free one) and address (default 127.0.0.1). */
  port?: number;
  host?: string;
  /** Stamps arrival times (the key press time). */
  clock?: Clock;
  /** Refused and failed requests are reported here (method and path only, nothing secret). */
  warn?: (message: string) => void;
}

export interface WebhookServer {
  port: number;
  /** Local address, e.g. http://127.0.0.1:43121. */
  localUrl: string;
  /** Sends a signed request to the public URL and checks that it came back to this server. */
  checkPublicUrl(opts?: PublicUrlCheckOptions): Promise<PublicUrlCheck>;
  close(): Promise<void>;
}

export interface PublicUrlCheckOptions {
  /** Tries (a tunnel may need a moment to connect; default 3), each with this timeout (default 5 s). */
  attempts?: number;
  timeoutMs?: number;
  /** Real-time pause between tries (default 1 s). */
  pauseMs?: number;
}

export interface PublicUrlCheck {
  ok: boolean;
  /** Where the request went: <public URL>/self-check. */
  url: string;
  /** Round trip of the request that came through, ms. */
  ms?: number;
  /** What went wrong, for a message (no secrets). */
  detail?: string;
}

const MAX_BODY = 64 * 1024;

/** `<public>/path?ping=<id>`, the way Twilio will call it (and sign it). */
export function webhookUrl(publicUrl: string, path: string, pingId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}${path}?ping=${encodeURIComponent(pingId)}`;
}

/** Checks --public-url: https (http only on loopback), no credentials, no query. */
export function parsePublicUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(`--public-url is not a valid URL: ${redact(value)}`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw new SettingsError(`--public-url must be an https:// URL that Twilio can reach (got ${url.protocol}//${url.host})`);
  }
  if (url.username || url.password || url.search || url.hash) throw new SettingsError('--public-url must not carry credentials, a query or a fragment');
  return url;
}

type Params = Record<string, string | string[]>;

function parseForm(raw: string): Params {
  const out: Params = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function one(p: Params, k: string): string | undefined {
  const v = p[k];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the webhook server. Loads only twilio's signature module, not the SDK. */
export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const publicUrl = parsePublicUrl(opts.publicUrl);
  if (!opts.authToken) throw new SettingsError('missing setting TWILIO_AUTH_TOKEN (set it in the environment)');
  const { validateRequest, getExpectedTwilioSignature } = await import('twilio/lib/webhooks/webhooks.js');
  const clock = opts.clock ?? systemClock;
  const basePath = publicUrl.pathname.replace(/\/+$/, '');
  const publicBase = publicUrl.origin + basePath;

  /** Nonces of our own self-check requests in flight: only those are answered. */
  const nonces = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const arrivedAt = clock.now();
    const reply = (status: number, body = '', type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    let path = q < 0 ? raw : raw.slice(0, q);
    const search = q < 0 ? '' : raw.slice(q);
    // A proxy may forward the public path as is or strip the base path: routes are relative to it.
    if (basePath && (path === basePath || path.startsWith(basePath + '/'))) path = path.slice(basePath.length) || '/';
    const body = await readBody(req);
    if (body === undefined) return reply(413, 'Request body too large\n');
    const contentType = String(req.headers['content-type'] ?? '');
    const params = req.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded') ? parseForm(body) : {};
    const signature = req.headers['x-twilio-signature'];
    const signedUrl = publicBase + path + search;
    if (typeof signature !== 'string' || !signature || !validateRequest(opts.authToken, signature, signedUrl, params)) {
      opts.warn?.(`webhook refused (${typeof signature === 'string' && signature ? 'invalid' : 'missing'} X-Twilio-Signature): ${req.method} ${path}`);
      return reply(403, 'Forbidden\n');
    }
    if (req.method !== 'POST') return reply(405, 'Method Not Allowed\n');
    const pingId = new URLSearchParams(search).get('ping') ?? undefined;
    const errorCode = Number(one(params, 'ErrorCode'));
    if (path === '/self-check') {
      const nonce = one(params, 'Nonce') ?? '';
      return nonces.has(nonce) ? reply(200, `rollcall webhooks ${nonce}\n`) : reply(404, 'Not Found\n');
    }
    try {
      if (path === '/voice/gather' && opts.onKeyPress) {
        const twiml = await opts.onKeyPress({
          callSid: one(params, 'CallSid') ?? '',
          digits: one(params, 'Digits') ?? '',
          pingId,
          to: one(params, 'To'),
          from: one(params, 'From'),
          arrivedAt,
        });
        return reply(200, twiml || '<Response/>', 'text/xml; charset=utf-8');
      }
      if ((path === '/voice/status' || path === '/sms/status') && opts.onStatus) {
        const voice = path === '/voice/status';
        await opts.onStatus({
          channel: voice ? 'voice' : 'sms',
          sid: (voice ? one(params, 'CallSid') : one(params, 'MessageSid')) ?? '',
          status: (voice ? one(params, 'CallStatus') : (one(params, 'MessageStatus') ?? one(params, 'SmsStatus'))) ?? '',
          pingId,
          answeredBy: one(params, 'AnsweredBy'),
          ...(Number.isFinite(errorCode) && errorCode > 0 ? { errorCode } : {}),
          arrivedAt,
        });
        return reply(204);
      }
      if (path === '/voice/amd' && opts.onAmd) {
        await opts.onAmd({ callSid: one(params, 'CallSid') ?? '', answeredBy: one(params, 'AnsweredBy') ?? '', pingId, arrivedAt });
        return reply(204);
      }
      if (path === '/sms/incoming' && opts.onIncomingSms) {
        await opts.onIncomingSms({
          messageSid: one(params, 'MessageSid') ?? one(params, 'SmsSid') ?? '',
          from: one(params, 'From') ?? '',
          to: one(params, 'To') ?? '',
          body: one(params, 'Body') ?? '',
          arrivedAt,
        });
        // Empty TwiML: no automatic answer to the contact point.
        return reply(200, '<Response/>', 'text/xml; charset=utf-8');
      }
    } catch (e) {
      opts.warn?.(`webhook ${path} failed: ${(e as Error).message}`);
      return reply(500, 'Internal Server Error\n');
    }
    return reply(404, 'Not Found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      opts.warn?.(`webhook ${req.method} failed: ${(e as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';
  const localUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const checkPublicUrl = async (o: PublicUrlCheckOptions = {}): Promise<PublicUrlCheck> => {
    const url = `${publicBase}/self-check`;
    const attempts = Math.max(1, o.attempts ?? 3);
    let detail = '';
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await systemClock.sleep(o.pauseMs ?? 1000);
      const nonce = randomBytes(12).toString('hex');
      const params = { Nonce: nonce };
      nonces.add(nonce);
      const started = Date.now();
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': getExpectedTwilioSignature(opts.authToken, url, params) },
          body: new URLSearchParams(params).toString(),
          redirect: 'manual',
          signal: AbortSignal.timeout(o.timeoutMs ?? 5000),
        });
        const text = await res.text().catch(() => '');
        if (res.status === 200 && text.trim() === `rollcall webhooks ${nonce}`) return { ok: true, url, ms: Date.now() - started };
        detail =
          res.status === 403
            ? 'HTTP 403: a rollcall webhook server answered but refused the signature (the proxy changes the path or the body, or another process with another TWILIO_AUTH_TOKEN listens there)'
            : res.status === 200
              ? 'HTTP 200, but not from this run\'s webhook server (another server answers at that address)'
              : `HTTP ${res.status}${text ? `: ${redact(text.trim().replace(/\s+/g, ' ').slice(0, 120))}` : ''}`;
      } catch (e) {
        const err = e as { name?: string; cause?: { code?: string; message?: string }; message?: string };
        const reason = err.cause?.code ?? err.cause?.message ?? err.message ?? String(e);
        detail =
          err.name === 'TimeoutError'
            ? `no answer within ${Math.round((o.timeoutMs ?? 5000) / 1000)} s`
            : reason === 'bad port'
              ? `port ${new URL(url).port} is one that web clients refuse to use`
              : redact(reason);
      } finally {
        nonces.delete(nonce);
      }
    }
    return { ok: false, url, detail };
  };

  return {
    port,
    localUrl,
    checkPublicUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** What the SMS and voice channels offer the webhook server. */
interface SmsWebhookTarget {
  receiveWebhook(m: IncomingSmsWebhook): Promise<void>;
  statusWebhook(s: StatusWebhook): Promise<void>;
}
interface VoiceWebhookTarget {
  keyPress(k: KeyPressWebhook): Promise<string>;
  statusWebhook(s: StatusWebhook): Promise<void>;
  amdResult(a: AmdWebhook): Promise<void>;
}

/** Wires the webhook routes to the phone channels:
 * `startWebhookServer({ publicUrl, authToken, ...phoneWebhookHandlers({ sms, voice }) })`. */
export function phoneWebhookHandlers(channels: { sms?: SmsWebhookTarget; voice?: VoiceWebhookTarget }): WebhookHandlers {
  const { sms, voice } = channels;
  return {
    ...(voice ? { onKeyPress: (k: KeyPressWebhook) => voice.keyPress(k), onAmd: (a: AmdWebhook) => voice.amdResult(a) } : {}),
    onStatus: async (s: StatusWebhook) => {
      if (s.channel === 'sms') await sms?.statusWebhook(s);
      else await voice?.statusWebhook(s);
    },
    ...(sms ? { onIncomingSms: (m: IncomingSmsWebhook) => sms.receiveWebhook(m) } : {}),
  };
}
