// A fake Twilio REST API on 127.0.0.1:0 for the tests, written from Twilio's documentation: the
// part rollcall uses (account fetch, the account's IncomingPhoneNumbers, messages create/list/
// fetch, calls create/list/fetch), with Twilio's JSON shapes, HTTP Basic auth, status progressions
// and error codes, opt-out (a STOP makes later texts fail with 21610 until START), answering-
// machine detection (synchronous: the TwiML waits for the verdict; AsyncAmd: it starts at once and
// the verdict is POSTed to AsyncAmdStatusCallback), plus a scripting API: numbers that reply by
// SMS, answer calls and press 1 (webhooks are POSTed signed like Twilio signs them), refuse, ring
// for a while, never answer; and failures: 429, 5xx before or after the resource was created.
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ContactPoint, Directory, Party } from '../../src/core/directory.js';

export type CallOutcome = 'press' | 'answer' | 'machine' | 'busy' | 'no-answer' | 'failed';

/** How a scripted number behaves. Times are in script seconds (divided by `speed` in real time). */
export interface NumberScript {
  /** Refused at the API with HTTP 400: 21211 invalid 'To', 21614 not a mobile, 21612 unreachable via SMS. */
  refuse?: 'invalid' | 'not-mobile' | 'unreachable';
  /** Replied STOP to an earlier text from our number: texts are refused with 21610 (as after receiveSms(n, 'STOP')). */
  optedOut?: boolean;
  /** Script seconds a call rings before its outcome (default: a few status steps). */
  ringSeconds?: number;
  /** Final status of SMS to this number (default delivered); undelivered/failed carry `smsErrorCode` (default 30003). */
  sms?: 'delivered' | 'undelivered' | 'failed';
  smsErrorCode?: number;
  /** Replies by SMS this long after each SMS ping. `body` may use {token} (the word after "OK " in our text). */
  reply?: { afterSeconds: number; body?: string };
  /** What happens to each call, attempt by attempt (the last one repeats). Default: 'no-answer'. */
  calls?: CallOutcome[];
  /** For 'press': how long after the message starts the key is pressed (default 5 s), and which key (default 1). */
  pressAfterSeconds?: number;
  digits?: string;
  /** How long answering-machine detection takes, script seconds (default 3). */
  amdSeconds?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string | string[]>;
  status: number;
  /** Real time the request arrived (ms since epoch). */
  t: number;
}

export interface WebhookDelivery {
  url: string;
  /** Fake-clock times the request left and its answer came back. */
  sentAt: Date;
  answeredAt?: Date;
  params: Record<string, string>;
  signature: string;
  status: number;
  body: string;
}

export interface FakeMessage {
  sid: string;
  from: string;
  to: string;
  body: string;
  status: string;
  direction: 'outbound-api' | 'inbound';
  dateCreated: Date;
  dateSent: Date | null;
  dateUpdated: Date;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface FakeCall {
  sid: string;
  from: string;
  to: string;
  status: string;
  twiml: string;
  answeredBy: string | null;
  dateCreated: Date;
  dateUpdated: Date;
  startTime: Date | null;
  endTime: Date | null;
  statusCallback?: string;
  statusCallbackEvents: string[];
  machineDetection?: string;
  /** AsyncAmd=true: the TwiML starts at once, the verdict goes to asyncAmdStatusCallback. */
  asyncAmd: boolean;
  asyncAmdStatusCallback?: string;
  /** Fake-clock times: picked up, the TwiML (the message) started, the key pressed. */
  answeredAt?: Date;
  twimlStartedAt?: Date;
  pressedAt?: Date;
}

/** A number of the account (IncomingPhoneNumbers). */
export interface FakeOwnNumber {
  phoneNumber: string;
  sms?: boolean;
  voice?: boolean;
  /** The number's messaging webhook (sms_url): Twilio POSTs each incoming SMS there, signed. */
  smsUrl?: string;
}

export interface FakeTwilioOptions {
  accountSid?: string;
  authToken?: string;
  /** Our number (ROLLCALL_TWILIO_FROM). */
  from?: string;
  /** The clock that stamps dates (share the channel's clock in tests). */
  now?: () => Date;
  /** Script seconds per real second (scripted delays are divided by it). */
  speed?: number;
  /** Real milliseconds between two status steps (queued → sent → delivered...). */
  stepMs?: number;
  /** The account's numbers (IncomingPhoneNumbers); default: `from`, with SMS and voice. */
  ownNumbers?: FakeOwnNumber[];
}

/** Twilio's default opt-out and opt-in keywords (the whole message, case and punctuation aside). */
const OPT_OUT = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'REVOKE']);
const OPT_IN = new Set(['START', 'YES', 'UNSTOP']);

const SID_HEX = () => randomBytes(16).toString('hex');

/** RFC 2822 as Twilio writes it: `Mon, 16 Aug 2010 03:45:01 +0000`. */
export function rfc2822(d: Date | null): string | null {
  return d ? d.toUTCString().replace('GMT', '+0000') : null;
}

/** Twilio's webhook signature: HMAC-SHA1 of the URL followed by the sorted POST params, base64. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

export class FakeTwilio {
  readonly accountSid: string;
  readonly authToken: string;
  readonly from: string;
  readonly requests: RecordedRequest[] = [];
  readonly webhooks: WebhookDelivery[] = [];
  readonly messages: FakeMessage[] = [];
  readonly calls: FakeCall[] = [];
  url = '';
  private server?: Server;
  private readonly scripts = new Map<string, NumberScript>();
  private readonly callAttempts = new Map<string, number>();
  private readonly routes: Array<{ publicBase: string; localBase: string }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pending = new Set<Promise<unknown>>();
  private rateLimited: { times: number; retryAfterSeconds?: number } = { times: 0 };
  private failing: { times: number; status: number; method?: string; pathEnd?: string } = { times: 0, status: 503 };
  private failingAfterCreate: { times: number; status: number } = { times: 0, status: 500 };
  /** Numbers that replied STOP to us (Twilio keeps this per sender number). */
  readonly optedOut = new Set<string>();
  readonly ownNumbers: FakeOwnNumber[];
  private readonly now: () => Date;
  private readonly speed: number;
  private readonly stepMs: number;

  constructor(opts: FakeTwilioOptions = {}) {
    this.accountSid = opts.accountSid ?? `AC${SID_HEX()}`;
    this.authToken = opts.authToken ?? SID_HEX();
    this.from = opts.from ?? '+12025550100';
    this.now = opts.now ?? (() => new Date());
    this.speed = opts.speed ?? 1;
    this.stepMs = opts.stepMs ?? 20;
    this.ownNumbers = opts.ownNumbers ?? [{ phoneNumber: this.from, sms: true, voice: true }];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.pending]);
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** The environment rollcall reads its Twilio settings from, pointed at this server. */
  env(): Record<string, string> {
    return {
      TWILIO_ACCOUNT_SID: this.accountSid,
      TWILIO_AUTH_TOKEN: this.authToken,
      ROLLCALL_TWILIO_FROM: this.from,
      ROLLCALL_TWILIO_API_URL: this.url,
    };
  }

  /** Scripts how a number behaves (numbers are compared in E.164, spaces ignored). */
  script(number: string, script: NumberScript): this {
    this.scripts.set(normalize(number), script);
    if (script.optedOut) this.optedOut.add(normalize(number));
    return this;
  }

  /** Scripts many numbers at once: `{ '+44 20 7946 0001': { reply: { afterSeconds: 360 } }, ... }`. */
  scriptNumbers(scripts: Record<string, NumberScript>): this {
    for (const [n, s] of Object.entries(scripts)) this.script(n, s);
    return this;
  }

  /** Scripts every SMS and voice number of a directory: `pick` says how each contact point behaves
   * (undefined: the defaults, SMS delivered and calls never answered). For a run-level test:
   * `fake.scriptContactPoints(directory, (c) => c.id === 'FR-POL' ? { reply: { afterSeconds: 360 } } : undefined)`. */
  scriptContactPoints(directory: Directory, pick: (contact: ContactPoint, party: Party) => NumberScript | undefined): this {
    for (const party of directory.parties) {
      for (const contact of party.contacts) {
        const script = pick(contact, party);
        if (script) for (const n of new Set([...contact.phones, ...contact.sms])) this.script(n, script);
      }
    }
    return this;
  }

  /** Webhooks addressed to `publicBase` (what rollcall's --public-url says) are delivered to `localBase`. */
  routeWebhooks(publicBase: string, localBase: string): this {
    this.routes.push({ publicBase: publicBase.replace(/\/+$/, ''), localBase: localBase.replace(/\/+$/, '') });
    return this;
  }

  /** The next `times` API requests get 429 (code 20429), with Retry-After when given. */
  rateLimit(times: number, retryAfterSeconds?: number): this {
    this.rateLimited = { times, retryAfterSeconds };
    return this;
  }

  /** The next `times` API requests (those with this method and path end, when given) fail with
   * this 5xx status; nothing is done. */
  failNext(times: number, status = 503, only: { method?: string; pathEnd?: string } = {}): this {
    this.failing = { times, status, ...only };
    return this;
  }

  /** The next `times` creates (a message or a call) are carried out, then answered with this 5xx
   * status all the same: the case where a client that simply retries sends a second SMS. */
  failAfterCreate(times: number, status = 500): this {
    this.failingAfterCreate = { times, status };
    return this;
  }

  /** An SMS arrives at our number (status received), stamped `at` (default now). */
  receiveSms(from: string, body: string, at: Date = this.now(), to: string = this.from): FakeMessage {
    const keyword = body.trim().replace(/[.!]+$/, '').toUpperCase();
    if (OPT_OUT.has(keyword)) this.optedOut.add(normalize(from));
    if (OPT_IN.has(keyword)) this.optedOut.delete(normalize(from));
    const m: FakeMessage = {
      sid: `SM${SID_HEX()}`,
      from: normalize(from),
      to,
      body,
      status: 'received',
      direction: 'inbound',
      dateCreated: at,
      dateSent: at,
      dateUpdated: at,
      errorCode: null,
      errorMessage: null,
    };
    this.messages.push(m);
    const smsUrl = this.ownNumbers.find((n) => n.phoneNumber === normalize(to))?.smsUrl;
    if (smsUrl) {
      const params = { AccountSid: this.accountSid, ApiVersion: '2010-04-01', Body: body, From: m.from, MessageSid: m.sid, NumMedia: '0', NumSegments: '1', SmsMessageSid: m.sid, SmsSid: m.sid, SmsStatus: 'received', To: m.to };
      this.later(0, () => this.deliverWebhook(smsUrl, params));
    }
    return m;
  }

  /** Waits until every scheduled progression and webhook has happened (or the timeout passes). */
  async settle(timeoutMs = 10_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while ((this.timers.size > 0 || this.pending.size > 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  }

  requestsTo(method: string, pathEnd: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.endsWith(pathEnd));
  }

  // --- HTTP ---------------------------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const raw = await readBody(req);
    const form = parseForm(raw);
    const query = Object.fromEntries(url.searchParams);
    const rec: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, form, status: 0, t: Date.now() };
    this.requests.push(rec);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: number, message: string, headers?: Record<string, string>) =>
      send(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);

    if (!this.authorized(req.headers.authorization)) return error(401, 20003, 'Authenticate');
    if (this.rateLimited.times > 0) {
      this.rateLimited.times--;
      const h: Record<string, string> = this.rateLimited.retryAfterSeconds !== undefined ? { 'retry-after': String(this.rateLimited.retryAfterSeconds) } : {};
      return error(429, 20429, 'Too Many Requests', h);
    }
    const f = this.failing;
    if (f.times > 0 && (!f.method || f.method === req.method) && (!f.pathEnd || url.pathname.endsWith(f.pathEnd))) {
      this.failing.times--;
      return error(this.failing.status, 20500, 'Internal Server Error');
    }
    const m = /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/(Messages|Calls|IncomingPhoneNumbers)(\.json|\/([^/]+)\.json))$/.exec(url.pathname);
    if (!m) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
    const [, sid, , collection, , itemSid] = m;
    if (sid !== this.accountSid) return error(404, 20404, `The requested resource ${url.pathname} was not found`);
    const method = req.method ?? 'GET';
    // A create that is carried out and answered with a 5xx all the same.
    const created: Sender = (status, body, headers) => {
      if (this.failingAfterCreate.times <= 0) return send(status, body, headers);
      this.failingAfterCreate.times--;
      error(this.failingAfterCreate.status, 20500, 'Internal Server Error');
    };

    if (!collection && method === 'GET') return send(200, this.accountJson());
    if (collection === 'IncomingPhoneNumbers' && !itemSid && method === 'GET') return send(200, this.listOwnNumbers(url));
    if (collection === 'Messages' && !itemSid && method === 'POST') return this.createMessage(form, created, error);
    if (collection === 'Messages' && !itemSid && method === 'GET') return send(200, this.listMessages(url));
    if (collection === 'Messages' && itemSid && method === 'GET') {
      const msg = this.messages.find((x) => x.sid === itemSid);
      return msg ? send(200, this.messageJson(msg)) : error(404, 20404, `The requested resource ${url.pathname} was not found`);
    }
    if (collection === 'Calls' && !itemSid && method === 'POST') return this.createCall(form, created, error);
    if (collection === 'Calls' && !itemSid && method === 'GET') return send(200, this.listCalls(url));
    if (collection === 'Calls' && itemSid && method === 'GET') {
      const call = this.calls.find((x) => x.sid === itemSid);
      return call ? send(200, this.callJson(call)) : error(404, 20404, `The requested resource ${url.pathname} was not found`);
    }
    return error(405, 20004, 'Method not allowed');
  }

  private authorized(header: string | undefined): boolean {
    const m = /^Basic\s+(.+)$/i.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    return i > 0 && decoded.slice(0, i) === this.accountSid && decoded.slice(i + 1) === this.authToken;
  }

  private refusal(to: string, kind: 'sms' | 'call'): { code: number; message: string } | undefined {
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return { code: 21211, message: `The 'To' number ${to} is not a valid phone number.` };
    const r = this.scripts.get(to)?.refuse;
    if (r === 'invalid') return { code: 21211, message: `The 'To' number ${to} is not a valid phone number.` };
    if (r === 'not-mobile' && kind === 'sms') return { code: 21614, message: `'To' number ${to} is not a valid mobile number` };
    if (r === 'unreachable') {
      return kind === 'sms'
        ? { code: 21612, message: `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${this.from} via SMS.` }
        : { code: 21214, message: `'To' phone number cannot be reached` };
    }
    return undefined;
  }

  private createMessage(form: Record<string, string | string[]>, send: Sender, error: ErrorSender): void {
    const to = normalize(str(form.To));
    const from = str(form.From);
    const body = str(form.Body);
    if (!to) return error(400, 21604, "A 'To' phone number is required.");
    if (from !== this.from) return error(400, 21659, `'From' ${from} is not a Twilio phone number or Short Code country mismatch`);
    if (!body) return error(400, 21602, 'Message body is required.');
    const refusal = this.refusal(to, 'sms');
    if (refusal) return error(400, refusal.code, refusal.message);
    if (this.optedOut.has(to)) return error(400, 21610, 'Attempt to send to unsubscribed recipient');
    const now = this.now();
    const msg: FakeMessage = {
      sid: `SM${SID_HEX()}`,
      from,
      to,
      body,
      status: 'queued',
      direction: 'outbound-api',
      dateCreated: now,
      dateSent: null,
      dateUpdated: now,
      errorCode: null,
      errorMessage: null,
    };
    this.messages.push(msg);
    send(201, this.messageJson(msg));

    const script = this.scripts.get(to) ?? {};
    const outcome = script.sms ?? 'delivered';
    // One chain of steps: under load, separate timers of different lengths may fire out of order.
    const step = this.stepMs;
    const steps: Step[] = [[step, () => this.setMessage(msg, { status: 'sending' })]];
    if (outcome === 'failed') steps.push([step, () => this.setMessage(msg, { status: 'failed', errorCode: script.smsErrorCode ?? 30008 })]);
    else {
      steps.push([step, () => this.setMessage(msg, { status: 'sent', dateSent: this.now() })]);
      steps.push([
        step,
        () => this.setMessage(msg, outcome === 'undelivered' ? { status: 'undelivered', errorCode: script.smsErrorCode ?? 30003 } : { status: 'delivered' }),
      ]);
    }
    this.chain(steps);
    if (outcome !== 'delivered') return;
    if (script.reply) {
      const { afterSeconds, body: replyBody } = script.reply;
      const token = /\bOK ([A-Za-z0-9-]+)/.exec(body)?.[1] ?? '';
      this.later((afterSeconds * 1000) / this.speed, () => {
        this.receiveSms(to, (replyBody ?? 'OK, received').replaceAll('{token}', token), new Date(now.getTime() + afterSeconds * 1000), from);
      });
    }
  }

  private setMessage(msg: FakeMessage, change: Partial<FakeMessage>): void {
    Object.assign(msg, change, { dateUpdated: this.now() });
    if (change.errorCode) msg.errorMessage = null;
  }

  private listMessages(url: URL): unknown {
    const p = url.searchParams;
    const to = p.get('To');
    const from = p.get('From');
    // Twilio documents the DateSent filters at day granularity: so does the fake.
    const after = p.get('DateSent>')?.slice(0, 10);
    const before = p.get('DateSent<')?.slice(0, 10);
    const matching = this.messages
      .filter((m) => (!to || m.to === normalize(to)) && (!from || m.from === normalize(from)))
      .filter((m) => {
        const day = (m.dateSent ?? m.dateCreated).toISOString().slice(0, 10);
        return (!after || day >= after) && (!before || day <= before);
      })
      .sort((a, b) => (b.dateSent ?? b.dateCreated).getTime() - (a.dateSent ?? a.dateCreated).getTime());
    return this.page(url, 'Messages', 'messages', ['To', 'From', 'DateSent>', 'DateSent<'], matching, (m) => this.messageJson(m));
  }

  /** Calls from and to the given numbers, with the given status, newest first. */
  private listCalls(url: URL): unknown {
    const p = url.searchParams;
    const to = p.get('To');
    const from = p.get('From');
    const status = p.get('Status');
    const matching = this.calls
      .filter((c) => (!to || c.to === normalize(to)) && (!from || c.from === normalize(from)) && (!status || c.status === status))
      .sort((a, b) => b.dateCreated.getTime() - a.dateCreated.getTime());
    return this.page(url, 'Calls', 'calls', ['To', 'From', 'Status'], matching, (c) => this.callJson(c));
  }

  private listOwnNumbers(url: URL): unknown {
    const wanted = url.searchParams.get('PhoneNumber');
    // Twilio matches any part of the number; an exact one matches itself.
    const matching = this.ownNumbers.filter((n) => !wanted || n.phoneNumber.includes(normalize(wanted).replace(/^\+/, '')));
    return this.page(url, 'IncomingPhoneNumbers', 'incoming_phone_numbers', ['PhoneNumber'], matching, (n) => this.ownNumberJson(n));
  }

  /** One page of a list resource, with Twilio's paging fields (next_page_uri is followed by the SDK). */
  private page<T>(url: URL, resource: string, key: string, filterNames: string[], matching: T[], json: (x: T) => unknown): unknown {
    const p = url.searchParams;
    const pageSize = Math.min(1000, Math.max(1, Number(p.get('PageSize') ?? 50)));
    const page = Math.max(0, Number(p.get('Page') ?? 0));
    const offset = p.get('PageToken') ? Number(p.get('PageToken')!.replace(/^PA/, '')) : page * pageSize;
    const slice = matching.slice(offset, offset + pageSize);
    const base = `/2010-04-01/Accounts/${this.accountSid}/${resource}.json`;
    const filters = new URLSearchParams();
    for (const k of filterNames) if (p.get(k) !== null) filters.set(k, p.get(k)!);
    const pageUri = (n: number, token?: number) => {
      const q = new URLSearchParams(filters);
      q.set('PageSize', String(pageSize));
      q.set('Page', String(n));
      if (token !== undefined) q.set('PageToken', `PA${token}`);
      return `${base}?${q}`;
    };
    const hasNext = offset + pageSize < matching.length;
    return {
      [key]: slice.map(json),
      end: offset + slice.length - 1,
      first_page_uri: pageUri(0),
      next_page_uri: hasNext ? pageUri(page + 1, offset + pageSize) : null,
      previous_page_uri: page > 0 ? pageUri(page - 1, Math.max(0, offset - pageSize)) : null,
      page,
      page_size: pageSize,
      start: offset,
      uri: pageUri(page, p.get('PageToken') ? offset : undefined),
    };
  }

  private createCall(form: Record<string, string | string[]>, send: Sender, error: ErrorSender): void {
    const to = normalize(str(form.To));
    const from = str(form.From);
    if (!to) return error(400, 21201, "No 'To' number is specified");
    if (from !== this.from) return error(400, 21210, `Source phone number provided, ${from}, is not yet verified for your account.`);
    const twiml = str(form.Twiml);
    if (!twiml && !form.Url) return error(400, 21205, 'Url or Twiml parameter is required.');
    if (twiml.length > 4000) return error(400, 13228, 'Twiml exceeds 4000 characters');
    const refusal = this.refusal(to, 'call');
    if (refusal) return error(400, refusal.code, refusal.message);
    const now = this.now();
    const events = form.StatusCallbackEvent;
    const call: FakeCall = {
      sid: `CA${SID_HEX()}`,
      from,
      to,
      status: 'queued',
      twiml,
      answeredBy: null,
      dateCreated: now,
      dateUpdated: now,
      startTime: null,
      endTime: null,
      statusCallback: form.StatusCallback ? str(form.StatusCallback) : undefined,
      statusCallbackEvents: events === undefined ? ['completed'] : Array.isArray(events) ? events : [events],
      machineDetection: form.MachineDetection ? str(form.MachineDetection) : undefined,
      asyncAmd: str(form.AsyncAmd) === 'true',
      asyncAmdStatusCallback: form.AsyncAmdStatusCallback ? str(form.AsyncAmdStatusCallback) : undefined,
    };
    this.calls.push(call);
    send(201, this.callJson(call));

    const script = this.scripts.get(to) ?? {};
    const attempt = this.callAttempts.get(to) ?? 0;
    this.callAttempts.set(to, attempt + 1);
    const outcomes = script.calls ?? ['no-answer'];
    const outcome = outcomes[Math.min(attempt, outcomes.length - 1)]!;
    const step = this.stepMs;
    const steps: Step[] = [
      [step / 2, this.callStep(call, 'initiated', {})],
      [step / 2, this.callStep(call, 'ringing', { status: 'ringing' })],
    ];
    const ring = script.ringSeconds !== undefined ? (script.ringSeconds * 1000) / this.speed : undefined;
    if (outcome === 'busy' || outcome === 'failed' || outcome === 'no-answer') {
      steps.push([ring ?? (outcome === 'no-answer' ? 2 : 1) * step, this.callStep(call, 'completed', { status: outcome, endTime: true })]);
      return this.chain(steps);
    }
    // Answered: by a person, or by voicemail.
    const detection = call.machineDetection ? ((script.amdSeconds ?? 2) * 1000) / this.speed : 0;
    const verdict = !call.machineDetection ? null : outcome !== 'machine' ? 'human' : call.machineDetection === 'DetectMessageEnd' ? 'machine_end_beep' : 'machine_start';
    const sync = Boolean(call.machineDetection) && !call.asyncAmd;
    steps.push([
      ring ?? step,
      async () => {
        call.answeredAt = this.now();
        // Without synchronous detection the message starts the moment the call is picked up.
        if (!sync) call.twimlStartedAt = call.answeredAt;
        await this.callStep(call, 'answered', { status: 'in-progress', startTime: true })();
      },
    ]);
    const startTwiml = () => {
      call.twimlStartedAt = this.now();
    };
    const amdDone = async () => {
      call.answeredBy = verdict;
      if (!call.asyncAmd || !call.asyncAmdStatusCallback) return;
      await this.deliverWebhook(call.asyncAmdStatusCallback, {
        AccountSid: this.accountSid,
        AnsweredBy: verdict ?? 'unknown',
        CallSid: call.sid,
        MachineDetectionDuration: String(Math.round(detection * this.speed)),
      });
    };
    const press = async () => {
      call.pressedAt = this.now();
      const action = /<Gather\b[^>]*\baction="([^"]*)"/.exec(call.twiml)?.[1];
      if (!action) return;
      await this.deliverWebhook(unescapeXml(action), {
        AccountSid: this.accountSid,
        ApiVersion: '2010-04-01',
        CallSid: call.sid,
        CallStatus: 'in-progress',
        Called: call.to,
        Caller: call.from,
        Digits: script.digits ?? '1',
        Direction: 'outbound-api',
        FinishedOnKey: '',
        From: call.from,
        To: call.to,
        msg: 'Gather End',
      });
    };
    const pressAt = outcome === 'press' ? ((script.pressAfterSeconds ?? 5) * 1000) / this.speed : undefined;
    if (sync) {
      // Synchronous detection: the callee hears nothing until the verdict, then the message.
      steps.push([detection, async () => (await amdDone(), startTwiml())]);
      if (pressAt !== undefined) steps.push([pressAt, press]);
    } else {
      // No detection, or in the background: the verdict comes while the message plays.
      const later: Array<[number, () => Promise<void>]> = [];
      if (call.machineDetection) later.push([detection, amdDone]);
      if (pressAt !== undefined) later.push([pressAt, press]);
      later.sort((x, y) => x[0] - y[0]);
      let at = 0;
      for (const [t, run] of later) {
        steps.push([t - at, run]);
        at = t;
      }
    }
    steps.push([2 * step, this.callStep(call, 'completed', { status: 'completed', endTime: true })]);
    this.chain(steps);
  }

  private callStep(call: FakeCall, event: string, change: { status?: string; answeredBy?: string | null; startTime?: boolean; endTime?: boolean }): () => Promise<void> {
    return async () => {
      const now = this.now();
      if (change.status) call.status = change.status;
      if (change.answeredBy !== undefined) call.answeredBy = change.answeredBy;
      if (change.startTime) call.startTime = now;
      if (change.endTime) call.endTime = now;
      call.dateUpdated = now;
      if (call.statusCallback && call.statusCallbackEvents.includes(event)) {
        const params: Record<string, string> = {
          AccountSid: this.accountSid,
          ApiVersion: '2010-04-01',
          CallSid: call.sid,
          CallStatus: event === 'initiated' ? 'queued' : call.status,
          CallbackSource: 'call-progress-events',
          Called: call.to,
          Caller: call.from,
          Direction: 'outbound-api',
          From: call.from,
          SequenceNumber: String(['initiated', 'ringing', 'answered', 'completed'].indexOf(event)),
          Timestamp: rfc2822(now)!,
          To: call.to,
        };
        if (call.answeredBy) params.AnsweredBy = call.answeredBy;
        if (call.endTime && call.startTime) params.CallDuration = String(Math.round((call.endTime.getTime() - call.startTime.getTime()) / 1000));
        await this.deliverWebhook(call.statusCallback, params);
      }
    };
  }

  /** POSTs a webhook signed with the auth token, to the local address its public URL is routed to. */
  async deliverWebhook(publicUrl: string, params: Record<string, string>, signature?: string): Promise<WebhookDelivery> {
    const route = this.routes.find((r) => publicUrl.startsWith(r.publicBase));
    const target = route ? route.localBase + publicUrl.slice(route.publicBase.length) : publicUrl;
    const sig = signature ?? twilioSignature(this.authToken, publicUrl, params);
    const delivery: WebhookDelivery = { url: publicUrl, sentAt: this.now(), params, signature: sig, status: 0, body: '' };
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': sig, 'user-agent': 'TwilioProxy/1.1' },
        body: new URLSearchParams(params).toString(),
      });
      delivery.status = res.status;
      delivery.body = await res.text();
      delivery.answeredAt = this.now();
    } catch (e) {
      delivery.status = -1;
      delivery.body = String(e);
    }
    this.webhooks.push(delivery);
    return delivery;
  }

  /** Runs the steps one after the other, each `delay` real ms after the previous one ended. */
  private chain(steps: Step[]): void {
    const [first, ...rest] = steps;
    if (!first) return;
    this.later(first[0], async () => {
      await first[1]();
      this.chain(rest);
    });
  }

  private later(ms: number, fn: () => unknown): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      const p = Promise.resolve()
        .then(fn)
        .catch(() => undefined)
        .finally(() => this.pending.delete(p));
      this.pending.add(p);
    }, ms);
    this.timers.add(t);
  }

  // --- JSON shapes (field names as in twilio/lib/rest/api/v2010/account/message.js and call.js) ---

  private accountJson(): unknown {
    const t = rfc2822(new Date(0));
    return {
      auth_token: '[redacted]',
      date_created: t,
      date_updated: t,
      friendly_name: 'rollcall test account',
      owner_account_sid: this.accountSid,
      sid: this.accountSid,
      status: 'active',
      subresource_uris: {},
      type: 'Full',
      uri: `/2010-04-01/Accounts/${this.accountSid}.json`,
    };
  }

  ownNumberJson(n: FakeOwnNumber): Record<string, unknown> {
    const sid = `PN${createHmac('sha1', 'pn').update(n.phoneNumber).digest('hex').slice(0, 32)}`;
    const t = rfc2822(new Date(0));
    return {
      account_sid: this.accountSid,
      address_requirements: 'none',
      api_version: '2010-04-01',
      beta: false,
      capabilities: { fax: false, mms: Boolean(n.sms), sms: Boolean(n.sms), voice: Boolean(n.voice) },
      date_created: t,
      date_updated: t,
      friendly_name: n.phoneNumber,
      phone_number: n.phoneNumber,
      origin: 'twilio',
      sid,
      sms_url: '',
      status: 'in-use',
      uri: `/2010-04-01/Accounts/${this.accountSid}/IncomingPhoneNumbers/${sid}.json`,
      voice_url: '',
    };
  }

  messageJson(m: FakeMessage): Record<string, unknown> {
    const uri = `/2010-04-01/Accounts/${this.accountSid}/Messages/${m.sid}.json`;
    return {
      account_sid: this.accountSid,
      api_version: '2010-04-01',
      body: m.body,
      date_created: rfc2822(m.dateCreated),
      date_sent: rfc2822(m.dateSent),
      date_updated: rfc2822(m.dateUpdated),
      direction: m.direction,
      error_code: m.errorCode,
      error_message: m.errorMessage,
      from: m.from,
      messaging_service_sid: null,
      num_media: '0',
      num_segments: String(Math.max(1, Math.ceil(m.body.length / 160))),
      price: null,
      price_unit: 'USD',
      sid: m.sid,
      status: m.status,
      subresource_uris: { media: uri.replace('.json', '/Media.json') },
      to: m.to,
      uri,
    };
  }

  callJson(c: FakeCall): Record<string, unknown> {
    const uri = `/2010-04-01/Accounts/${this.accountSid}/Calls/${c.sid}.json`;
    return {
      account_sid: this.accountSid,
      annotation: null,
      answered_by: c.answeredBy,
      api_version: '2010-04-01',
      caller_name: null,
      date_created: rfc2822(c.dateCreated),
      date_updated: rfc2822(c.dateUpdated),
      direction: 'outbound-api',
      duration: c.startTime && c.endTime ? String(Math.round((c.endTime.getTime() - c.startTime.getTime()) / 1000)) : null,
      end_time: rfc2822(c.endTime),
      forwarded_from: null,
      from: c.from,
      from_formatted: c.from,
      group_sid: null,
      parent_call_sid: null,
      phone_number_sid: `PN${'0'.repeat(32)}`,
      price: null,
      price_unit: 'USD',
      queue_time: '0',
      sid: c.sid,
      start_time: rfc2822(c.startTime),
      status: c.status,
      subresource_uris: { recordings: uri.replace('.json', '/Recordings.json') },
      to: c.to,
      to_formatted: c.to,
      trunk_sid: null,
      uri,
    };
  }
}

type Step = [delayMs: number, run: () => unknown];
type Sender = (status: number, body: unknown, headers?: Record<string, string>) => void;
type ErrorSender = (status: number, code: number, message: string, headers?: Record<string, string>) => void;

function normalize(n: string): string {
  return n.replace(/[\s().-]/g, '');
}

function str(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function unescapeXml(s: string): string {
  return s.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function parseForm(raw: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts a fake Twilio on 127.0.0.1:0. */
export async function startFakeTwilio(opts: FakeTwilioOptions = {}): Promise<FakeTwilio> {
  return new FakeTwilio(opts).start();
}
