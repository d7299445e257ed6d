// The Twilio REST client of the phone channels: loads the twilio SDK only when a phone channel is
// used, points it at ROLLCALL_TWILIO_API_URL when set, retries 429/5xx with backoff honouring
// Retry-After, and turns Twilio's errors into what the channels and the user need to know.
import type TwilioSDK from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as ResponseModule from 'twilio/lib/http/response.js';
import { RollcallError, SettingsError, WorkError, redact } from '../core/errors.js';
import type { WatchContext } from './channel.js';
import { isLoopbackHost, parseServerUrl, requireSetting, type Settings } from '../settings.js';
import { systemClock } from '../core/clock.js';

export type TwilioRestClient = TwilioSDK.Twilio;
type Response<T> = ResponseModule.default<T>;

/** The phone settings, checked. The auth token is kept out of every message. */
export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** Our number, E.164. */
  from: string;
  /** Base URL replacing https://api.twilio.com (tests point it at loopback). */
  apiUrl?: URL;
}

export interface RetryPolicy {
  /** Further attempts after the first, for 429, 5xx and network errors. */
  retries: number;
  /** First backoff delay when no Retry-After is given; doubles each time (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for here: the caller is told to come back later. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

const E164 = /^\+[1-9]\d{6,14}$/;

/** Reads and checks the Twilio settings; SettingsError names the variable, never the token. */
export function twilioSettings(s: Settings): TwilioSettings {
  const accountSid = requireSetting(s, 'twilioAccountSid', 'TWILIO_ACCOUNT_SID').trim();
  const authToken = requireSetting(s, 'twilioAuthToken', 'TWILIO_AUTH_TOKEN');
  const from = requireSetting(s, 'twilioFrom', 'ROLLCALL_TWILIO_FROM').replace(/[\s().-]/g, '');
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) {
    throw new SettingsError('TWILIO_ACCOUNT_SID is not an account SID (AC followed by 32 hexadecimal digits)');
  }
  if (!E164.test(from)) throw new SettingsError(`ROLLCALL_TWILIO_FROM must be a number in E.164 form, e.g. +12025550100 (got ${from})`);
  const out: TwilioSettings = { accountSid, authToken, from };
  if (s.twilioApiUrl) {
    const url = parseServerUrl(s.twilioApiUrl, 'ROLLCALL_TWILIO_API_URL', ['https', 'http']);
    if (url.username || url.password) throw new SettingsError('ROLLCALL_TWILIO_API_URL must not carry credentials (they come from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN)');
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw new SettingsError(`ROLLCALL_TWILIO_API_URL must use https:// except on a loopback address (got ${redact(s.twilioApiUrl)})`);
    }
    out.apiUrl = url;
  }
  return out;
}

type TwilioModule = typeof TwilioSDK;
let loading: Promise<TwilioModule> | undefined;

/** The twilio SDK, imported on first use only (it costs ~110 ms at start-up). */
export function loadTwilio(): Promise<TwilioModule> {
  loading ??= import('twilio').then((m) => ((m as unknown as { default?: TwilioModule }).default ?? (m as unknown as TwilioModule)));
  return loading;
}

/** An API answer that stayed 429/5xx (or a network failure) after the retries. */
export class TwilioUnavailableError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly code?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TwilioUnavailableError';
  }
}

/** Twilio error codes that mean our own account or sender number is wrong, not the contact's number. */
const CONFIG_CODES = new Set([20003, 20005, 20008, 21210, 21212, 21213, 21603, 21606, 21659, 21660, 21661]);

export interface TwilioFailure {
  /** auth: credentials refused; config: our account or sender number is at fault; permanent: the
   * recipient's number is refused; transient: try again later. */
  kind: 'auth' | 'config' | 'permanent' | 'transient';
  status?: number;
  code?: number;
  /** Twilio's own words (no secrets: credentials travel in a header, never in URLs). */
  message: string;
  retryAfterMs?: number;
}

/** Classifies what a Twilio call threw. Anything that is not a Twilio or network failure is rethrown. */
export function describeTwilioError(e: unknown): TwilioFailure {
  if (e instanceof TwilioUnavailableError) {
    return { kind: 'transient', status: e.status, code: e.code, message: e.message, retryAfterMs: e.retryAfterMs };
  }
  const err = e as { status?: unknown; code?: unknown; message?: unknown };
  if (e instanceof Error && typeof err.status === 'number') {
    const status = err.status;
    const code = typeof err.code === 'number' ? err.code : undefined;
    const message = redact(String(err.message ?? `HTTP ${status}`)) + (code !== undefined ? ` (Twilio error ${code})` : ` (HTTP ${status})`);
    if (status === 401 || code === 20003) return { kind: 'auth', status, code, message };
    if (status === 429 || status >= 500) return { kind: 'transient', status, code, message };
    if (code !== undefined && CONFIG_CODES.has(code)) return { kind: 'config', status, code, message };
    return { kind: 'permanent', status, code, message };
  }
  throw e;
}

/** The error to throw when Twilio refuses our account or sender number mid-run. */
export function accountError(f: TwilioFailure, when: 'open' | 'run'): SettingsError | WorkError {
  const what =
    f.kind === 'auth'
      ? `Twilio refused the account credentials (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN): ${f.message}`
      : `Twilio refused our account or sender number (check ROLLCALL_TWILIO_FROM and the account): ${f.message}`;
  return when === 'open' ? new SettingsError(what) : new WorkError(what);
}

function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function errorBody(body: unknown): { code?: number; message?: string } {
  let b = body;
  if (typeof b === 'string') {
    try {
      b = JSON.parse(b);
    } catch {
      return {};
    }
  }
  if (typeof b !== 'object' || b === null) return {};
  const o = b as Record<string, unknown>;
  return {
    code: typeof o.code === 'number' ? o.code : undefined,
    message: typeof o.message === 'string' ? o.message : typeof o.title === 'string' ? o.title : undefined,
  };
}

/** Rewrites an api.twilio.com URL (or a regional one) onto the configured base URL. */
export function rewriteOrigin(uri: string, base: URL): string {
  const u = new URL(uri);
  const out = new URL(base.href);
  out.pathname = base.pathname.replace(/\/+$/, '') + u.pathname;
  out.search = u.search;
  return out.href;
}

function makeHttpClient(twilio: TwilioModule, apiUrl: URL | undefined, policy: RetryPolicy): RequestClient {
  class RollcallRequestClient extends twilio.RequestClient {
    override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
      const target = { ...opts, uri: apiUrl ? rewriteOrigin(opts.uri, apiUrl) : opts.uri };
      for (let attempt = 0; ; attempt++) {
        const backoff = Math.floor(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
        let res: Response<TData>;
        try {
          res = await super.request<TData>({ ...target, headers: { ...target.headers } });
        } catch (e) {
          // No answer at all (refused, reset, timed out): the request may be retried like a 503.
          const reason = redact((e as { code?: string; message?: string }).code ?? (e as Error).message ?? String(e));
          if (attempt < policy.retries) {
            await systemClock.sleep(backoff);
            continue;
          }
          throw new TwilioUnavailableError(`Twilio API unreachable at ${redact(new URL(target.uri).origin)}: ${reason}`);
        }
        if (res.statusCode !== 429 && res.statusCode < 500) return res;
        // Retry-After is the provider's real time, so these waits use real timers, not the run's clock.
        const retryAfterMs = parseRetryAfter((res.headers as Record<string, unknown> | undefined)?.['retry-after'], Date.now());
        if (attempt < policy.retries && (retryAfterMs === undefined || retryAfterMs <= policy.maxRetryAfterMs)) {
          await systemClock.sleep(retryAfterMs ?? backoff);
          continue;
        }
        const { code, message } = errorBody(res.body);
        throw new TwilioUnavailableError(
          `${message ?? 'Twilio API unavailable'} (HTTP ${res.statusCode}${code !== undefined ? `, Twilio error ${code}` : ''}, after ${attempt + 1} attempts)`,
          res.statusCode,
          code,
          retryAfterMs,
        );
      }
    }
  }
  return new RollcallRequestClient({ timeout: 30_000 });
}

export interface TwilioConnection {
  client: TwilioRestClient;
  settings: TwilioSettings;
}

/** Builds the REST client (loading the SDK) without any request yet. */
export async function createTwilioClient(settings: TwilioSettings, retry: Partial<RetryPolicy> = {}): Promise<TwilioConnection> {
  const twilio = await loadTwilio();
  const policy = { ...DEFAULT_RETRY, ...retry };
  const client = twilio(settings.accountSid, settings.authToken, {
    httpClient: makeHttpClient(twilio, settings.apiUrl, policy),
    // Region/edge from the environment would rename the host we rewrite; the base URL decides.
    env: {},
  });
  return { client, settings };
}

/** Checks the credentials with one request (fetch the account); SettingsError when refused. */
export async function checkTwilioAccount(conn: TwilioConnection): Promise<void> {
  let account: { status?: string };
  try {
    account = await conn.client.api.v2010.accounts(conn.settings.accountSid).fetch();
  } catch (e) {
    const f = describeTwilioError(e);
    if (f.kind === 'transient') throw new WorkError(`Twilio API not available: ${f.message}`);
    throw accountError(f.kind === 'permanent' ? { ...f, kind: 'auth' } : f, 'open');
  }
  if (account.status && account.status !== 'active') {
    throw new SettingsError(`the Twilio account in TWILIO_ACCOUNT_SID is ${account.status}, not active`);
  }
}

/** Connects: settings checked, SDK loaded, credentials verified. */
/** Runs `poll` every `intervalMs` of the watch's clock until its signal aborts, at least once
 * (a watch called with an aborted signal is the engine's last catch-up scan). A RollcallError
 * (credentials, settings) ends the watch; any other failure is warned about and tried again. */
export async function pollUntilAborted(
  ctx: WatchContext,
  intervalMs: number,
  what: string,
  poll: () => Promise<void>,
  warn?: (message: string) => void,
): Promise<void> {
  for (;;) {
    try {
      await poll();
    } catch (e) {
      if (e instanceof RollcallError) throw e;
      warn?.(`${what}: polling Twilio failed, trying again in ${Math.round(intervalMs / 1000)} s: ${describeTwilioError(e).message}`);
    }
    if (ctx.signal.aborted) return;
    try {
      await ctx.clock.sleep(intervalMs, ctx.signal);
    } catch {
      return;
    }
  }
}

/** A connection opened on first use and shared after; a failed attempt is forgotten, so the
 * next call tries again. */
export function lazyTwilioConnection(s: Settings, retry: Partial<RetryPolicy> = {}): () => Promise<TwilioConnection> {
  let opening: Promise<TwilioConnection> | undefined;
  return () => {
    if (!opening) {
      opening = connectTwilio(s, retry);
      opening.catch(() => (opening = undefined));
    }
    return opening;
  };
}

export async function connectTwilio(s: Settings, retry: Partial<RetryPolicy> = {}): Promise<TwilioConnection> {
  const conn = await createTwilioClient(twilioSettings(s), retry);
  await checkTwilioAccount(conn);
  return conn;
}

/** Plain-words meaning of the Twilio error codes seen on pings, for reports. */
export const TWILIO_ERRORS: Record<number, string> = {
  21211: "invalid 'To' phone number",
  21214: "'To' phone number cannot be reached",
  21215: 'calls to this region are not enabled on the account',
  21216: 'calls to this number are blocked',
  21408: 'SMS to this region are not enabled on the account',
  21610: 'the recipient has opted out (STOP)',
  21612: "the 'To' number cannot receive SMS from our number",
  21614: "'To' number is not a mobile number",
  13224: 'invalid phone number',
  30003: 'unreachable destination handset',
  30004: 'message blocked',
  30005: 'unknown destination handset (number does not exist)',
  30006: 'landline or unreachable carrier',
  30007: 'message filtered by the carrier',
  30008: 'unknown delivery error',
};

export function errorDetail(code: number | null | undefined, message?: string | null): string | undefined {
  if (code === null || code === undefined) return message ?? undefined;
  return TWILIO_ERRORS[code] ?? message ?? `Twilio error ${code}`;
}
