// The SMS channel against the fake Twilio on loopback: pings, answers found by polling (every
// page), keywords, delivery statuses, refusals, rate limits, restarts, credentials.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SmsChannel, smsKeyword, smsText } from '../../src/channels/sms.js';
import { SettingsError } from '../../src/core/errors.js';
import type { PingFailedEvent, RunEvent } from '../../src/core/events.js';
import { phoneFinding } from '../../src/stats/phone-findings.js';
import { loadSettings } from '../../src/settings.js';
import { makePing, phoneRun, received, statuses, type PhoneRun } from './harness.js';

const A = '+12025550111';
const B = '+12025550112';
const C = '+12025550113';
const STRANGER = '+12025550199';

let run: PhoneRun | undefined;
afterEach(async () => {
  await run?.close();
  run = undefined;
});

const sms = (r: PhoneRun, extra: Partial<ConstructorParameters<typeof SmsChannel>[0]> = {}) =>
  new SmsChannel({ settings: r.settings, clock: r.clock, network: '24/7 Network', pollIntervalMs: 30_000, pageSize: 2, ...extra });

const byPing = (evs: RunEvent[], pingId: string) => received(evs).find((e) => e.pingId === pingId);

// GSM 03.38 basic character set: a text outside it is sent as UCS-2 (70 characters a segment).
const GSM7 = new Set([...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà']);

describe('SMS text and keywords', () => {
  it('fits one GSM-7 segment in every language, with the token and how to answer', () => {
    for (const lang of ['en', 'fr', 'es', 'de', 'xx']) {
      const text = smsText({ token: 'RC-7QK3MZ', languages: [lang] }, '24/7 Network (Budapest Convention)');
      expect(text.length, lang).toBeLessThanOrEqual(160);
      expect([...text].filter((ch) => !GSM7.has(ch)), lang).toEqual([]);
      expect(text, lang).toContain('OK RC-7QK3MZ');
    }
    expect(smsText({ token: 'RC-1', languages: ['de-AT'] })).toMatch(/^24\/7 Network: Erreichbarkeitstest/);
  });

  it('knows the provider keywords, and not a plain "Yes"', () => {
    expect(['STOP', 'stop.', ' Unsubscribe ', 'HELP', 'start'].map(smsKeyword)).toEqual(['STOP', 'STOP', 'UNSUBSCRIBE', 'HELP', 'START']);
    expect(['Yes', 'OK RC-1', 'stop calling me', ''].map(smsKeyword)).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('SMS channel', () => {
  it('finds answers by polling every page of the message list; the time is Twilio’s received timestamp', async () => {
    run = await phoneRun();
    const { fake, clock } = run;
    fake.script(A, { reply: { afterSeconds: 360, body: 'OK {token}' } });
    fake.script(B, { reply: { afterSeconds: 300, body: 'Received, duty officer on it.' } });
    // Before the run: not an answer, not even looked at.
    fake.receiveSms(A, 'an old message', new Date(clock.now().getTime() - 3_600_000));
    const channel = sms(run);
    await channel.open();
    const watching = channel.watch(run.ctx);
    for (let i = 0; i < 3; i++) fake.receiveSms(STRANGER, `unrelated ${i}`);
    const pa = makePing('sms', A);
    const pb = makePing('sms', B, { languages: ['fr'] });
    const pc = makePing('sms', C);
    const sent = [await run.send(channel, pa), await run.send(channel, pb), await run.send(channel, pc)];
    expect(sent.every((s) => s.ok)).toBe(true);

    const evs = await run.waitFor((e) => Boolean(byPing(e, pa.pingId) && byPing(e, pb.pingId)) && received(e).filter((m) => m.class === 'unrelated').length === 3);
    await new Promise((r) => setTimeout(r, 300)); // a few more polling rounds: nothing may be recorded twice
    run.abort.abort();
    await watching;
    const all = await run.events();

    const a = byPing(all, pa.pingId)!;
    expect(a).toMatchObject({ channel: 'sms', class: 'reply', matchedBy: 'token', from: A, key: expect.stringMatching(/^sms:SM[0-9a-f]{32}$/) });
    const inbound = fake.messages.find((m) => m.direction === 'inbound' && m.from === A && m.body.startsWith('OK'))!;
    expect(inbound.body).toBe(`OK ${pa.token}`);
    // Twilio's date_sent has whole seconds: that is the received time recorded.
    expect(a.receivedAt).toBe(new Date(Math.floor(inbound.dateSent!.getTime() / 1000) * 1000).toISOString());
    // The fake answers 360 s after it created the message; our send time is its 2xx, just after.
    const created = fake.messages.find((m) => m.direction === 'outbound-api' && m.to === A)!.dateCreated.getTime();
    const sentA = sent[0]!.ok ? sent[0]!.sentAt.getTime() : 0;
    expect(sentA).toBeGreaterThanOrEqual(created);
    expect(Date.parse(a.receivedAt)).toBe(Math.floor((created + 360_000) / 1000) * 1000);

    expect(byPing(all, pb.pingId)).toMatchObject({ class: 'reply', matchedBy: 'sender', from: B });
    expect(byPing(all, pc.pingId)).toBeUndefined();
    const unrelated = received(all).filter((m) => m.class === 'unrelated');
    expect(unrelated).toHaveLength(3);
    expect(unrelated.every((m) => m.pingId === undefined && m.from === STRANGER)).toBe(true);
    expect(received(all).some((m) => m.from === A && m.pingId === undefined)).toBe(false); // the old message
    const keys = received(all).map((m) => m.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(evs.length).toBeLessThanOrEqual(all.length);

    // Paging followed: small pages, several of them, with the API's filters.
    const lists = fake.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/Messages.json'));
    expect(lists.length).toBeGreaterThan(2);
    expect(lists.every((r) => r.query.PageSize === '2' && r.query.To === fake.from && r.query['DateSent>'] !== undefined)).toBe(true);
    expect(lists.some((r) => Number(r.query.Page) >= 2 && r.query.PageToken)).toBe(true);

    // What went out: the token and how to answer, in the contact point's language.
    const out = fake.messages.filter((m) => m.direction === 'outbound-api');
    expect(out.find((m) => m.to === A)!.body).toBe(smsText(pa, '24/7 Network'));
    expect(out.find((m) => m.to === A)!.body).toContain(`Reply OK ${pa.token}`);
    expect(out.find((m) => m.to === B)!.body).toContain(`Répondez OK ${pb.token}`);
    expect(sent[0]).toMatchObject({ ok: true, providerId: out.find((m) => m.to === A)!.sid });

    // The body is kept in the run folder, and the polling position is in the log.
    expect(readFileSync(join(run.runDir, a.file!), 'utf8')).toContain(`OK ${pa.token}`);
    const cursor = all.filter((e) => e.type === 'watch-cursor').at(-1);
    expect(cursor).toMatchObject({ channel: 'sms', folder: 'inbound', uidValidity: fake.from });
  });

  it('after a restart finds what arrived meanwhile, and records nothing twice', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.script(A, { reply: { afterSeconds: 600 } });
    const first = sms(run);
    await first.open();
    const watching = first.watch(run.ctx);
    const pa = makePing('sms', A);
    const pb = makePing('sms', B);
    await run.send(first, pa);
    await run.send(first, pb);
    await run.waitFor((e) => Boolean(byPing(e, pa.pingId)) && statuses(e).length === 2);
    run.abort.abort();
    await watching;

    // While no process watches: B answers.
    fake.receiveSms(B, 'ok got it');
    const { ctx } = await run.restart();
    const second = sms(run);
    const again = second.watch(ctx);
    const evs = await run.waitFor((e) => Boolean(byPing(e, pb.pingId)));
    await new Promise((r) => setTimeout(r, 200));
    run.abort.abort();
    await again;
    const all = await run.events();
    expect(byPing(evs, pb.pingId)).toMatchObject({ class: 'reply', matchedBy: 'sender' });
    expect(received(all).filter((m) => m.pingId === pa.pingId)).toHaveLength(1);
    expect(statuses(all)).toHaveLength(2); // the delivered statuses were not recorded again
  });

  it('records STOP, HELP and similar keywords, matched to the ping but not as answers', async () => {
    run = await phoneRun();
    const { fake } = run;
    const channel = sms(run);
    const watching = channel.watch(run.ctx);
    const pa = makePing('sms', A);
    const pb = makePing('sms', B);
    await run.send(channel, pa);
    await run.send(channel, pb);
    fake.receiveSms(A, 'STOP');
    fake.receiveSms(B, ' help ');
    const evs = await run.waitFor((e) => received(e).length === 2);
    run.abort.abort();
    await watching;
    const stop = byPing(evs, pa.pingId)!;
    expect(stop).toMatchObject({ class: 'keyword', from: A });
    expect(stop.reasons.join(' ')).toMatch(/STOP.*not an answer/);
    expect(byPing(evs, pb.pingId)).toMatchObject({ class: 'keyword' });
    expect(received(evs).some((m) => m.class === 'reply')).toBe(false);
  });

  it('records delivered, undelivered and failed statuses once, with the error code', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.script(B, { sms: 'undelivered', smsErrorCode: 30003 });
    fake.script(C, { sms: 'failed', smsErrorCode: 30008 });
    const channel = sms(run);
    const watching = channel.watch(run.ctx);
    const [pa, pb, pc] = [makePing('sms', A), makePing('sms', B), makePing('sms', C)];
    for (const p of [pa, pb, pc]) await run.send(channel, p);
    await run.waitFor((e) => statuses(e).length === 3);
    await new Promise((r) => setTimeout(r, 300));
    run.abort.abort();
    await watching;
    const st = statuses(await run.events());
    expect(st).toHaveLength(3);
    expect(st.find((s) => s.pingId === pa.pingId)).toMatchObject({ channel: 'sms', status: 'delivered', final: true });
    expect(st.find((s) => s.pingId === pb.pingId)).toMatchObject({ status: 'undelivered', errorCode: 30003, final: true, detail: 'unreachable destination handset' });
    expect(st.find((s) => s.pingId === pc.pingId)).toMatchObject({ status: 'failed', errorCode: 30008, final: true });
    expect(st.every((s) => s.providerId?.startsWith('SM'))).toBe(true);
  });

  it('turns numbers Twilio refuses into permanent failures', async () => {
    run = await phoneRun();
    const { fake } = run;
    const contact = (id: string, sms: string[]) => ({ id, unit: 'Police', kind: 'police' as const, emails: [], phones: [], sms, timezone: 'UTC', languages: ['en'] });
    const directory = {
      network: '24/7 Network',
      parties: [{ country: 'Testland', iso: 'XX', status: 'party' as const, contacts: [contact('XX-A', [A]), contact('XX-B', [B]), contact('XX-C', [C])] }],
    };
    const refusals = { 'XX-A': 'invalid', 'XX-B': 'not-mobile', 'XX-C': 'unreachable' } as const;
    fake.scriptContactPoints(directory, (c) => ({ refuse: refusals[c.id as keyof typeof refusals] }));
    const channel = sms(run);
    const cases: Array<[string, number]> = [
      [A, 21211],
      [B, 21614],
      [C, 21612],
      ['+00 12', 21211],
    ];
    for (const [number, code] of cases) {
      const out = await run.send(channel, makePing('sms', number));
      expect(out, number).toMatchObject({ ok: false, permanent: true, code });
      if (!out.ok) expect(out.response).toMatch(/number/i);
    }
    const failed = (await run.events()).filter((e) => e.type === 'ping-failed');
    expect(failed).toHaveLength(4);
    expect(failed.every((e) => e.type === 'ping-failed' && e.permanent)).toBe(true);
  });

  it('retries 429 after Retry-After, and 5xx with backoff', async () => {
    run = await phoneRun();
    const { fake } = run;
    const channel = sms(run, { retry: { baseDelayMs: 20 } });
    await channel.open();

    fake.rateLimit(1, 1);
    const ok = await channel.send(makePing('sms', A));
    expect(ok.ok).toBe(true);
    const posts = fake.requestsTo('POST', '/Messages.json');
    expect(posts.map((p) => p.status)).toEqual([429, 201]);
    expect(posts[1]!.t - posts[0]!.t).toBeGreaterThanOrEqual(950);

    // A create that failed with a 5xx is looked up in the message list before it is sent again
    // (here the list itself fails once, and is read again: a read is safe to retry).
    fake.failNext(2, 503);
    const before = fake.requests.length;
    expect((await channel.send(makePing('sms', B))).ok).toBe(true);
    expect(fake.requests.slice(before).map((r) => `${r.method} ${r.path.replace(/^.*\//, '')} ${r.status}`)).toEqual([
      'POST Messages.json 503',
      'GET Messages.json 503',
      'GET Messages.json 200',
      'POST Messages.json 201',
    ]);
    expect(fake.messages.filter((m) => m.to === B)).toHaveLength(1);
  });

  it('sends no second SMS when a 5xx came after Twilio had in fact created the message', async () => {
    run = await phoneRun();
    const { fake } = run;
    const channel = sms(run, { retry: { baseDelayMs: 20 } });
    await channel.open();
    fake.failAfterCreate(1, 500);
    const ping = makePing('sms', A);
    const out = await run.send(channel, ping);
    const created = fake.messages.filter((m) => m.direction === 'outbound-api' && m.to === A);
    expect(created).toHaveLength(1);
    expect(fake.requestsTo('POST', '/Messages.json').map((r) => r.status)).toEqual([500]);
    // Found by its token (To and From filters, newest first) and taken as sent, at Twilio's time.
    const lookup = fake.requestsTo('GET', '/Messages.json').at(-1)!;
    expect(lookup.query).toMatchObject({ To: A, From: fake.from });
    expect(out).toMatchObject({ ok: true, providerId: created[0]!.sid });
    if (!out.ok) return;
    expect(out.response).toMatch(/found by its token in the message list after .*HTTP 500.*: not sent twice/);
    // Twilio's date_created, in whole seconds: when it accepted the message, not when we found it.
    expect(out.sentAt.getTime()).toBe(Math.floor(created[0]!.dateCreated.getTime() / 1000) * 1000);
    const sent = (await run.events()).filter((e) => e.type === 'ping-sent');
    expect(sent).toMatchObject([{ pingId: ping.pingId, providerId: created[0]!.sid }]);
  });

  it('after a failed attempt that did send, the engine’s retry (even after a restart) finds the message instead of sending it again', async () => {
    run = await phoneRun();
    const { fake } = run;
    // The create is carried out but answered 500, and the look-up fails too: the channel cannot
    // tell, so it reports a transient failure (the engine retries later) and sends nothing more.
    const first = sms(run, { retry: { retries: 0 } });
    await first.open();
    fake.failAfterCreate(1, 500);
    fake.failNext(1, 503, { method: 'GET', pathEnd: '/Messages.json' });
    const ping = makePing('sms', A);
    const failed = await run.send(first, ping);
    expect(failed).toMatchObject({ ok: false, permanent: false, code: 20500 });
    expect(fake.messages.filter((m) => m.to === A)).toHaveLength(1);

    // A new process: what it knows of the earlier attempt comes from the log.
    const { ctx } = await run.restart();
    const second = sms(run);
    const watching = second.watch(ctx);
    const again = await run.send(second, ping);
    run.abort.abort();
    await watching;
    expect(again).toMatchObject({ ok: true, providerId: fake.messages.find((m) => m.to === A)!.sid });
    if (again.ok) expect(again.response).toMatch(/after an earlier attempt failed: not sent twice/);
    expect(fake.requestsTo('POST', '/Messages.json')).toHaveLength(1);
    expect(fake.messages.filter((m) => m.to === A)).toHaveLength(1);
  });

  it('tells an opted-out number (STOP to an earlier test, Twilio error 21610) from a dead one, until it sends START', async () => {
    run = await phoneRun();
    const { fake } = run;
    const channel = sms(run);
    const watching = channel.watch(run.ctx);
    // Last year's test: the contact point answered STOP.
    const lastYear = makePing('sms', A);
    expect((await run.send(channel, lastYear)).ok).toBe(true);
    fake.receiveSms(A, 'Stop');
    await run.waitFor((e) => received(e).length === 1);
    // This year's: Twilio refuses it.
    const thisYear = makePing('sms', A);
    const out = await run.send(channel, thisYear);
    expect(out).toMatchObject({ ok: false, permanent: true, code: 21610 });
    if (!out.ok) {
      expect(out.response).toContain('Attempt to send to unsubscribed recipient');
      expect(out.response).toContain('replied STOP to an earlier text from our number; texts cannot reach it until it sends START');
    }
    const refusal = (await run.events()).filter((e) => e.type === 'ping-failed' && e.pingId === thisYear.pingId) as PingFailedEvent[];
    expect(phoneFinding(refusal)).toMatchObject({ status: 'opted-out', detail: expect.stringMatching(/^the contact point replied STOP to an earlier text/) });
    // A dead number is another finding.
    fake.script(B, { refuse: 'invalid' });
    const dead = makePing('sms', B);
    await run.send(channel, dead);
    const deadFailure = (await run.events()).filter((e) => e.type === 'ping-failed' && e.pingId === dead.pingId) as PingFailedEvent[];
    expect(phoneFinding(deadFailure)).toMatchObject({ status: 'failed', detail: expect.stringMatching(/21211/) });
    // START: texts reach it again.
    fake.receiveSms(A, 'START');
    expect((await run.send(channel, makePing('sms', A))).ok).toBe(true);
    run.abort.abort();
    await watching;
  });

  it('reports a rate limit that outlasts the retries as transient, with the wait Twilio asked for', async () => {
    run = await phoneRun();
    const { fake } = run;
    const channel = sms(run, { retry: { retries: 1 } });
    await channel.open();
    fake.rateLimit(5, 1);
    const out = await channel.send(makePing('sms', A));
    expect(out).toMatchObject({ ok: false, permanent: false, code: 20429, retryAfterMs: 1000 });
    expect(fake.requestsTo('POST', '/Messages.json')).toHaveLength(2);
  });

  it('refuses wrong or missing credentials with a clear settings error that never shows the token', async () => {
    run = await phoneRun();
    const { fake } = run;
    const wrong = 'wrong-token-0123456789abcdef';
    const bad = new SmsChannel({ settings: { ...run.settings, twilioAuthToken: wrong } });
    const err = await bad.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SettingsError);
    const message = (err as Error).message;
    expect(message).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(message).toMatch(/20003/);
    expect(message).not.toContain(wrong);
    expect(message).not.toContain(fake.authToken);
    expect(fake.requests.at(-1)!.status).toBe(401);

    const missing = async (env: Record<string, string>) => {
      const e = await new SmsChannel({ settings: loadSettings(env, '/nonexistent', '') }).open().then(
        () => undefined,
        (x: unknown) => x as Error,
      );
      expect(e).toBeInstanceOf(SettingsError);
      expect(e!.message).not.toContain(fake.authToken);
      return e!.message;
    };
    const env = fake.env();
    expect(await missing({ ...env, TWILIO_ACCOUNT_SID: '' })).toMatch(/TWILIO_ACCOUNT_SID/);
    expect(await missing({ ...env, TWILIO_AUTH_TOKEN: '' })).toMatch(/TWILIO_AUTH_TOKEN/);
    expect(await missing({ ...env, ROLLCALL_TWILIO_FROM: '' })).toMatch(/ROLLCALL_TWILIO_FROM/);
    expect(await missing({ ...env, TWILIO_ACCOUNT_SID: 'SK0123' })).toMatch(/TWILIO_ACCOUNT_SID is not an account SID/);
    expect(await missing({ ...env, ROLLCALL_TWILIO_FROM: '0123' })).toMatch(/E\.164/);
    expect(await missing({ ...env, ROLLCALL_TWILIO_API_URL: 'http://api.twilio.example' })).toMatch(/ROLLCALL_TWILIO_API_URL must use https/);
    expect(existsSync(run.runDir)).toBe(true);
  });
});
