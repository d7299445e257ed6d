// The one Twilio REST client of the phone channels and of `rollcall check`: every request to
// Twilio goes through TwilioClient. It loads the twilio SDK only when a phone channel is used,
// points it at ROLLCALL_TWILIO_API_URL when set, retries what is safe to retry (429 always, 5xx
// and network failures for reads), never creates a message or a call twice (after a 5xx on a
// create it looks the resource up before trying again), and turns Twilio's errors into what the
// channels and the user need to know, in one place.
import type TwilioSDK from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type * as ResponseModule from 'twilio/lib/http/response.js';
import { RollcallError, SettingsError, WorkError, redact } from '../core/errors.js';
import type { SendOutcome } from '../core/ping.js';
import type { WatchContext } from './channel.js';
import { isLoopbackHost, parseServerUrl, requireSetting, type Settings } from '../settings.js';
import { systemClock } from '../core/clock.js';

type TwilioRestClient = TwilioSDK.Twilio;
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
    /** A create (POST) that may have been carried out before the failure: look before retrying. */
    readonly uncertain = false,
  ) {
    super(message);
    this.name = 'TwilioUnavailableError';
  }
}

// --- What Twilio's errors mean -------------------------------------------------------------

/** Twilio error codes that mean our own account or sender number is wrong, not the contact's number. */
const CONFIG_CODES = new Set([20003, 20005, 20008, 21210, 21212, 21213, 21603, 21606, 21659, 21660, 21661]);

/** The recipient replied STOP to an earlier SMS from our number (Twilio's opt-out). */
export const OPTED_OUT = 21610;

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

/** The error to throw when Twilio refuses our account or sender number. */
export function accountError(f: TwilioFailure, when: 'open' | 'run'): SettingsError | WorkError {
  const what =
    f.kind === 'auth'
      ? `Twilio refused the account credentials (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN): ${f.message}`
      : `Twilio refused our account or sender number (check ROLLCALL_TWILIO_FROM and the account): ${f.message}`;
  return when === 'open' ? new SettingsError(what) : new WorkError(what);
}

/** What a failed request means for the run: a problem of our account stops the run (thrown);
 * anything else is returned for the caller to handle. */
export function twilioFailure(e: unknown): TwilioFailure {
  const f = describeTwilioError(e);
  if (f.kind === 'auth' || f.kind === 'config') throw accountError(f, 'run');
  return f;
}

/** A ping Twilio did not accept, as the engine records it: refused numbers are permanent (with
 * Twilio's words and what the code means), the rest is tried again later. */
export function refusedPing(e: unknown): SendOutcome {
  const f = twilioFailure(e);
  const meaning = f.code !== undefined ? errorDetail(f.code) : undefined;
  return {
    ok: false,
    permanent: f.kind === 'permanent',
    code: f.code ?? f.status,
    response: meaning && meaning !== f.message ? `${f.message}: ${meaning}` : f.message,
    ...(f.retryAfterMs !== undefined ? { retryAfterMs: f.retryAfterMs } : {}),
  };
}

/** Plain-words meaning of the Twilio error codes seen on pings, for reports. */
export const TWILIO_ERRORS: Record<number, string> = {
  21211: "invalid 'To' phone number",
  21214: "'To' phone number cannot be reached",
  21215: 'calls to this region are not enabled on the account',
  21216: 'calls to this number are blocked',
  21408: 'SMS to this region are not enabled on the account',
  [OPTED_OUT]: 'the contact point replied STOP to an earlier text from our number; texts cannot reach it until it sends START',
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

// --- HTTP --------------------------------------------------------------------------------------

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

function backoffMs(policy: RetryPolicy, attempt: number): number {
  return Math.floor(Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt));
}

function makeHttpClient(twilio: TwilioModule, apiUrl: URL | undefined, policy: RetryPolicy): RequestClient {
  class RollcallRequestClient extends twilio.RequestClient {
    override async request<TData>(opts: RequestClient.RequestOptions<TData>): Promise<Response<TData>> {
      const target = { ...opts, uri: apiUrl ? rewriteOrigin(opts.uri, apiUrl) : opts.uri };
      // Twilio does not promise that a POST is idempotent: a create that failed with a 5xx or no
      // answer may have been carried out. Only TwilioClient.create, which looks first, retries it.
      const safe = String(opts.method).toUpperCase() !== 'POST';
      for (let attempt = 0; ; attempt++) {
        let res: Response<TData>;
        try {
          res = await super.request<TData>({ ...target, headers: { ...target.headers } });
        } catch (e) {
          // No answer at all (refused, reset, timed out): a read may be retried like a 503.
          const reason = redact((e as { code?: string; message?: string }).code ?? (e as Error).message ?? String(e));
          if (safe && attempt < policy.retries) {
            await systemClock.sleep(backoffMs(policy, attempt));
            continue;
          }
          throw new TwilioUnavailableError(`Twilio API unreachable at ${redact(new URL(target.uri).origin)}: ${reason}`, undefined, undefined, undefined, !safe);
        }
        if (res.statusCode !== 429 && res.statusCode < 500) return res;
        // Retry-After is the provider's real time, so these waits use real timers, not the run's clock.
        const retryAfterMs = parseRetryAfter((res.headers as Record<string, unknown> | undefined)?.['retry-after'], Date.now());
        // A 429 was refused before anything was done: even a create may be sent again.
        const retryable = safe || res.statusCode === 429;
        if (retryable && attempt < policy.retries && (retryAfterMs === undefined || retryAfterMs <= policy.maxRetryAfterMs)) {
          await systemClock.sleep(retryAfterMs ?? backoffMs(policy, attempt));
          continue;
        }
        const { code, message } = errorBody(res.body);
        throw new TwilioUnavailableError(
          `${message ?? 'Twilio API unavailable'} (HTTP ${res.statusCode}${code !== undefined ? `, Twilio error ${code}` : ''}, after ${attempt + 1} attempt${attempt === 0 ? '' : 's'})`,
          res.statusCode,
          code,
          retryAfterMs,
          !retryable,
        );
      }
    }
  }
  return new RollcallRequestClient({ timeout: 30_000 });
}

// --- The client ----------------------------------------------------------------------------------

function asDate(v: unknown): Date | undefined {
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v;
  if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return new Date(v);
  return undefined;
}

/** A message as rollcall needs it. */
export interface TwilioMessage {
  sid: string;
  from: string;
  to: string;
  body: string;
  status: string;
  direction: string;
  /** Twilio's date_sent (the received time of an inbound message), else date_created. */
  sentAt?: Date;
  createdAt?: Date;
  errorCode?: number | null;
  errorMessage?: string | null;
}

/** A call as rollcall needs it. */
export interface TwilioCall {
  sid: string;
  status: string;
  answeredBy?: string | null;
  createdAt?: Date;
  endedAt?: Date;
}

/** A message or call Twilio created for us. */
export interface Created {
  sid: string;
  status: string;
  createdAt?: Date;
  /** The create failed (5xx, no answer) but the resource was found afterwards: it was not made
   * again. Says what the failure was. */
  recoveredAfter?: string;
}

/** The send time of a ping Twilio created: the moment we got its 2xx, or, for one found after a
 * failed create, Twilio's own creation time (kept between `notBefore` and now). */
export function acceptedAt(created: Created, now: Date, notBefore = new Date(0)): Date {
  if (!created.recoveredAfter || !created.createdAt) return now;
  return new Date(Math.min(now.getTime(), Math.max(created.createdAt.getTime(), notBefore.getTime())));
}

export interface SmsRequest {
  to: string;
  body: string;
  /** The ping's token, in the body: how the message is found again after a failed create. */
  token: string;
  statusCallback?: string;
}

export interface CallRequest {
  to: string;
  /** Now, by the caller's clock (Twilio's in production): a call found after a failed create
   * must have been created since. */
  askedAt: Date;
  twiml: string;
  /** Seconds the phone rings before the call counts as no-answer. */
  timeout: number;
  /** Answering-machine detection, in the background (the message plays at once). */
  machineDetection: boolean;
  amdCallback?: string;
  statusCallback?: string;
  statusCallbackEvents?: string[];
}

/** ROLLCALL_TWILIO_FROM as the account's IncomingPhoneNumbers list it. */
export interface OwnNumber {
  phoneNumber: string;
  sid: string;
  sms: boolean;
  voice: boolean;
}

export class TwilioClient {
  /** SIDs of the calls this client created: never taken for another call when looking one up. */
  private readonly ourCalls = new Set<string>();

  constructor(
    private readonly rest: TwilioRestClient,
    readonly settings: TwilioSettings,
    private readonly policy: RetryPolicy,
  ) {}

  /** Our number (ROLLCALL_TWILIO_FROM). */
  get from(): string {
    return this.settings.from;
  }

  /** Checks the credentials with one request (fetch the account); SettingsError when refused. */
  async checkAccount(): Promise<void> {
    let account: { status?: string };
    try {
      account = await this.rest.api.v2010.accounts(this.settings.accountSid).fetch();
    } catch (e) {
      const f = describeTwilioError(e);
      if (f.kind === 'transient') throw new WorkError(`Twilio API not available: ${f.message}`);
      throw accountError(f.kind === 'permanent' ? { ...f, kind: 'auth' } : f, 'open');
    }
    if (account.status && account.status !== 'active') {
      throw new SettingsError(`the Twilio account in TWILIO_ACCOUNT_SID is ${account.status}, not active`);
    }
  }

  /** ROLLCALL_TWILIO_FROM in the account's IncomingPhoneNumbers, or undefined when it is not one of them. */
  async ownNumber(): Promise<OwnNumber | undefined> {
    const list = await this.rest.incomingPhoneNumbers.list({ phoneNumber: this.from, limit: 20 });
    const n = list.find((x) => x.phoneNumber === this.from);
    if (!n) return undefined;
    return { phoneNumber: n.phoneNumber, sid: n.sid, sms: Boolean(n.capabilities?.sms), voice: Boolean(n.capabilities?.voice) };
  }

  /** Sends an SMS from our number, once: after a failed create, only when the message list does
   * not show it already. */
  sendSms(req: SmsRequest): Promise<Created> {
    return this.create(
      async () => {
        const m = await this.rest.messages.create({
          to: req.to,
          from: this.from,
          body: req.body,
          ...(req.statusCallback ? { statusCallback: req.statusCallback } : {}),
        });
        return { sid: m.sid, status: m.status, createdAt: asDate(m.dateCreated) };
      },
      () => this.findSms(req.to, req.token),
    );
  }

  /** The newest message from our number to `to` that carries `token`. */
  async findSms(to: string, token: string): Promise<Created | undefined> {
    // Twilio lists the newest first; the few messages to one number fit in a page.
    const list = await this.rest.messages.list({ to, from: this.from, pageSize: 20, limit: 20 });
    const m = list.find((x) => !String(x.direction).startsWith('inbound') && (x.body ?? '').includes(token));
    return m ? { sid: m.sid, status: m.status, createdAt: asDate(m.dateCreated) } : undefined;
  }

  async message(sid: string): Promise<TwilioMessage> {
    return messageOf(await this.rest.messages(sid).fetch());
  }

  /** Messages to our number sent after `since` (Twilio filters by day: the caller checks times). */
  async inbound(since: Date, pageSize: number): Promise<TwilioMessage[]> {
    const list = await this.rest.messages.list({ to: this.from, dateSentAfter: since, pageSize });
    return list.map(messageOf);
  }

  /** Places a call from our number, once (as sendSms). */
  placeCall(req: CallRequest): Promise<Created> {
    return this.create(
      async () => {
        const c = await this.rest.calls.create({
          to: req.to,
          from: this.from,
          twiml: req.twiml,
          timeout: req.timeout,
          ...(req.machineDetection
            ? { machineDetection: 'Enable', asyncAmd: 'true', ...(req.amdCallback ? { asyncAmdStatusCallback: req.amdCallback, asyncAmdStatusCallbackMethod: 'POST' } : {}) }
            : {}),
          ...(req.statusCallback ? { statusCallback: req.statusCallback, statusCallbackEvent: req.statusCallbackEvents ?? ['completed'], statusCallbackMethod: 'POST' } : {}),
        });
        this.ourCalls.add(c.sid);
        return { sid: c.sid, status: c.status, createdAt: asDate(c.dateCreated) };
      },
      () => this.findCall(req.to, req.askedAt),
    );
  }

  /** A call from our number to `to` created since `since` that this client did not place itself
   * (a call carries no token; Twilio's timestamps have whole seconds and its clock may differ a
   * little from ours, hence a few seconds of margin). */
  async findCall(to: string, since: Date): Promise<Created | undefined> {
    const list = await this.rest.calls.list({ to, from: this.from, pageSize: 20, limit: 20 });
    const c = list.find((x) => !this.ourCalls.has(x.sid) && (asDate(x.dateCreated)?.getTime() ?? 0) >= since.getTime() - 5_000);
    if (!c) return undefined;
    this.ourCalls.add(c.sid);
    return { sid: c.sid, status: c.status, createdAt: asDate(c.dateCreated) };
  }

  async call(sid: string): Promise<TwilioCall> {
    const c = await this.rest.calls(sid).fetch();
    return { sid: c.sid, status: c.status, answeredBy: c.answeredBy, createdAt: asDate(c.dateCreated), endedAt: asDate(c.endTime) };
  }

  /** A create that is retried only when a look-up shows it was not carried out. */
  private async create(attempt: () => Promise<Created>, lookUp: () => Promise<Created | undefined>): Promise<Created> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        if (!(e instanceof TwilioUnavailableError && e.uncertain)) throw e;
        let found: Created | undefined;
        try {
          found = await lookUp();
        } catch {
          // Cannot tell whether it was made: do not risk a second one now (the caller retries later).
          throw e;
        }
        if (found) return { ...found, recoveredAfter: e.message };
        if (n >= this.policy.retries) throw e;
        await systemClock.sleep(e.retryAfterMs ?? backoffMs(this.policy, n));
      }
    }
  }
}

function messageOf(m: {
  sid: string;
  from: string;
  to: string;
  body?: string | null;
  status: string;
  direction: string;
  dateSent?: unknown;
  dateCreated?: unknown;
  errorCode?: number | null;
  errorMessage?: string | null;
}): TwilioMessage {
  const createdAt = asDate(m.dateCreated);
  return {
    sid: m.sid,
    from: m.from,
    to: m.to,
    body: m.body ?? '',
    status: m.status,
    direction: String(m.direction),
    sentAt: asDate(m.dateSent) ?? createdAt,
    createdAt,
    errorCode: m.errorCode,
    errorMessage: m.errorMessage,
  };
}

/** Builds the client (loading the SDK) without any request yet. */
export async function createTwilioClient(settings: TwilioSettings, retry: Partial<RetryPolicy> = {}): Promise<TwilioClient> {
  const twilio = await loadTwilio();
  const policy = { ...DEFAULT_RETRY, ...retry };
  const rest = twilio(settings.accountSid, settings.authToken, {
    httpClient: makeHttpClient(twilio, settings.apiUrl, policy),
    // Region/edge from the environment would rename the host we rewrite; the base URL decides.
    env: {},
  });
  return new TwilioClient(rest, settings, policy);
}

/** Connects: settings checked, SDK loaded, credentials verified. */
export async function connectTwilio(s: Settings, retry: Partial<RetryPolicy> = {}): Promise<TwilioClient> {
  const client = await createTwilioClient(twilioSettings(s), retry);
  await client.checkAccount();
  return client;
}

/** A client connected on first use and shared after; a failed attempt is forgotten, so the
 * next call tries again. */
export function lazyTwilioClient(s: Settings, retry: Partial<RetryPolicy> = {}): () => Promise<TwilioClient> {
  let opening: Promise<TwilioClient> | undefined;
  return () => {
    if (!opening) {
      opening = connectTwilio(s, retry);
      opening.catch(() => (opening = undefined));
    }
    return opening;
  };
}

/** Runs `poll` until the watch's signal aborts, at least once (a watch called with an aborted
 * signal is the engine's last catch-up scan), sleeping `intervalMs` of the watch's clock between
 * rounds (a function: the wait may depend on what is due). A RollcallError (credentials,
 * settings) ends the watch; any other failure is warned about and tried again. */
export async function pollUntilAborted(
  ctx: WatchContext,
  intervalMs: number | (() => number),
  what: string,
  poll: () => Promise<void>,
  warn?: (message: string) => void,
): Promise<void> {
  for (;;) {
    const wait = typeof intervalMs === 'number' ? intervalMs : intervalMs();
    try {
      await poll();
    } catch (e) {
      if (e instanceof RollcallError) throw e;
      warn?.(`${what}: polling Twilio failed, trying again in ${Math.max(1, Math.round(wait / 1000))} s: ${describeTwilioError(e).message}`);
    }
    if (ctx.signal.aborted) return;
    try {
      await ctx.clock.sleep(typeof intervalMs === 'number' ? intervalMs : intervalMs(), ctx.signal);
    } catch {
      return;
    }
  }
}
