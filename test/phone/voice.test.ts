// The voice channel against the fake Twilio: calls, the key press on the signed webhook as the
// acknowledgement, forged webhooks refused, final statuses polled without a public URL, redials.
import { afterEach, describe, expect, it } from 'vitest';
import { thanksTwiml, VoiceChannel, voiceTwiml } from '../../src/channels/voice.js';
import { phoneWebhookHandlers, startWebhookServer, type WebhookServer } from '../../src/channels/webhooks.js';
import type { MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import { twilioSignature } from '../servers/twilio.js';
import { makePing, phoneRun, received, statuses, type PhoneRun } from './harness.js';
import { ManualClock } from './manual-clock.js';
import { startTunnel, type TestTunnel } from './tunnel.js';

const PUBLIC = 'https://hooks.rollcall.example/rollcall';
const N = (i: number) => `+4420794600${String(i).padStart(2, '0')}`;

let run: PhoneRun | undefined;
let server: WebhookServer | undefined;
let tunnel: TestTunnel | undefined;
afterEach(async () => {
  await tunnel?.close();
  await server?.close();
  await run?.close();
  tunnel = undefined;
  server = undefined;
  run = undefined;
});

const statusOf = (evs: RunEvent[], pingId: string) => statuses(evs).filter((s) => s.pingId === pingId);
const finalOf = (evs: RunEvent[], pingId: string) => statusOf(evs, pingId).find((s) => s.final);

async function withWebhooks(r: PhoneRun, voice: VoiceChannel, warnings: string[] = []): Promise<WebhookServer> {
  server = await startWebhookServer({
    publicUrl: PUBLIC,
    authToken: r.fake.authToken,
    clock: r.clock,
    warn: (m) => warnings.push(m),
    ...phoneWebhookHandlers({ voice }),
  });
  // The tunnel: what Twilio sends to the public URL reaches our port, path unchanged.
  r.fake.routeWebhooks(PUBLIC, `${server.localUrl}/rollcall`);
  return server;
}

describe('voice TwiML', () => {
  it('escapes what it reads out, spells the token, and speaks the contact point’s language', () => {
    const ping = { pingId: 'p&1', token: 'RC-7QK3MZ', languages: ['es'] };
    const twiml = voiceTwiml(ping, { network: 'Réseau <24/7> & "amis"', publicUrl: 'https://hooks.rollcall.example' });
    expect(twiml).toContain('Réseau &lt;24/7&gt; &amp; &quot;amis&quot;');
    expect(twiml).toContain('R, C, 7, Q, K, 3, M, Z');
    expect(twiml).toContain('action="https://hooks.rollcall.example/voice/gather?ping=p%261"');
    expect(twiml).toMatch(/^<Response><Gather[^>]*><Say language="es-ES">[^<]*pulse 1[^<]*<\/Say><\/Gather><Gather[^>]*><Say language="en-GB">/);
    expect(twiml).toMatch(/<Say language="es-ES">No se ha pulsado ninguna tecla. Adiós.<\/Say><\/Response>$/);
    for (const [lang, say] of [['de', 'de-DE'], ['fr', 'fr-FR'], ['en', 'en-GB'], ['zz', 'en-GB']]) {
      expect(thanksTwiml([lang!])).toContain(`<Say language="${say}">`);
    }
  });
});

describe('voice channel', () => {
  it('takes the key press on the signed webhook as the acknowledgement, timed at the press', async () => {
    run = await phoneRun({}, 60);
    const { fake } = run;
    fake.script(N(1), { calls: ['press'], pressAfterSeconds: 40 });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, network: '24/7 Network', publicUrl: PUBLIC, pollIntervalMs: 15_000 });
    await voice.open();
    await withWebhooks(run, voice);
    const watching = voice.watch(run.ctx);
    const ping = makePing('voice', N(1), { languages: ['fr', 'en'] });
    const sent = await run.send(voice, ping);
    expect(sent.ok).toBe(true);
    const evs = await run.waitFor((e) => received(e).length === 1 && Boolean(finalOf(e, ping.pingId)));
    run.abort.abort();
    await watching;

    const call = fake.calls[0]!;
    const press = received(evs)[0] as MessageReceivedEvent;
    expect(press).toMatchObject({ key: `voice:${call.sid}:digits`, channel: 'voice', class: 'reply', pingId: ping.pingId, from: N(1) });
    // Key press time = the clock at our webhook: after the press, before Twilio got our answer.
    const gather = fake.webhooks.find((w) => w.url.includes('/voice/gather'))!;
    expect(Date.parse(press.receivedAt)).toBeGreaterThanOrEqual(call.pressedAt!.getTime());
    expect(Date.parse(press.receivedAt)).toBeLessThanOrEqual(gather.answeredAt!.getTime());
    expect(finalOf(evs, ping.pingId)).toMatchObject({ status: 'completed', detail: 'answered; key pressed', providerId: call.sid });

    // The call: inline TwiML in French then English, gathering one key for our public URL.
    const form = fake.requestsTo('POST', '/Calls.json')[0]!.form;
    expect(form).toMatchObject({ To: N(1), From: fake.from, MachineDetection: 'Enable', AsyncAmd: 'true', StatusCallback: `${PUBLIC}/voice/status?ping=${ping.pingId}` });
    expect(call.twiml).toBe(voiceTwiml(ping, { network: '24/7 Network', publicUrl: PUBLIC }));
    expect(call.twiml).toContain(`<Gather numDigits="1" timeout="8" method="POST" action="${PUBLIC}/voice/gather?ping=${ping.pingId}">`);
    expect(call.twiml).toMatch(/<Say language="fr-FR">Ceci est un test[^<]*appuyez sur 1/);
    expect(call.twiml).toMatch(/<Say language="en-GB">This is a responsiveness test[^<]*press 1/);
    expect(call.twiml.length).toBeLessThan(4000);
    // Twilio got a thank-you in the contact point's language.
    expect(gather.status).toBe(200);
    expect(gather.body).toContain('<Say language="fr-FR">Merci.');
  });

  it('calls an unanswered number again, and the key press on the second call counts', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.script(N(2), { calls: ['no-answer', 'press'], pressAfterSeconds: 10 });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, publicUrl: PUBLIC, pollIntervalMs: 15_000, attempts: 2, retryIntervalMs: 120_000 });
    await withWebhooks(run, voice);
    const watching = voice.watch(run.ctx);
    const ping = makePing('voice', N(2));
    await run.send(voice, ping);
    const evs = await run.waitFor((e) => received(e).length === 1 && Boolean(finalOf(e, ping.pingId)));
    run.abort.abort();
    await watching;
    expect(fake.calls.map((c) => c.status)).toEqual(['no-answer', 'completed']);
    const st = statusOf(evs, ping.pingId);
    expect(st.map((s) => [s.status, s.attempt, s.final])).toEqual([
      ['no-answer', 1, false],
      ['queued', 2, false],
      ['completed', 2, true],
    ]);
    expect(st[0]!.detail).toMatch(/call 1 of 2; calling again at/);
    expect(received(evs)[0]).toMatchObject({ key: `voice:${fake.calls[1]!.sid}:digits`, pingId: ping.pingId, class: 'reply' });
  });

  it('refuses forged, missing and replayed signatures with 403 and records nothing', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.script(N(3), { calls: ['answer'] });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, publicUrl: PUBLIC, pollIntervalMs: 15_000 });
    const warnings: string[] = [];
    const srv = await withWebhooks(run, voice, warnings);
    const watching = voice.watch(run.ctx);
    const ping = makePing('voice', N(3));
    const other = makePing('voice', N(4));
    await run.send(voice, ping);
    const sid = fake.calls[0]!.sid;
    const url = `${PUBLIC}/voice/gather?ping=${ping.pingId}`;
    const params = { AccountSid: fake.accountSid, CallSid: sid, Digits: '1', From: fake.from, To: N(3), CallStatus: 'in-progress' };
    const post = (path: string, body: Record<string, string>, signature?: string) =>
      fetch(`${srv.localUrl}/rollcall${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
        body: new URLSearchParams(body).toString(),
      });

    expect((await fake.deliverWebhook(url, params, 'Zm9yZ2VkIHNpZ25hdHVyZQ==')).status).toBe(403);
    expect((await post(`/voice/gather?ping=${ping.pingId}`, params)).status).toBe(403);
    expect((await post(`/voice/gather?ping=${ping.pingId}`, params, twilioSignature('not-the-auth-token', url, params))).status).toBe(403);
    // Signed for one ping, replayed for another; signed for Digits=1, sent with Digits=9.
    expect((await post(`/voice/gather?ping=${other.pingId}`, params, twilioSignature(fake.authToken, url, params))).status).toBe(403);
    expect((await post(`/voice/gather?ping=${ping.pingId}`, { ...params, Digits: '9' }, twilioSignature(fake.authToken, url, params))).status).toBe(403);
    // Signed for another host (the public URL is what counts, not where the request arrived).
    const elsewhere = `https://attacker.example/rollcall/voice/gather?ping=${ping.pingId}`;
    expect((await post(`/voice/gather?ping=${ping.pingId}`, params, twilioSignature(fake.authToken, elsewhere, params))).status).toBe(403);
    expect((await post('/voice/status?ping=x', { CallSid: sid, CallStatus: 'completed' })).status).toBe(403);
    await fake.settle();
    expect(received(await run.events())).toHaveLength(0);
    expect(warnings.length).toBeGreaterThanOrEqual(7);
    expect(warnings.join('\n')).toMatch(/X-Twilio-Signature/);
    expect(warnings.join('\n')).not.toContain(fake.authToken);

    // The same request signed the way Twilio signs it is taken.
    const good = await fake.deliverWebhook(url, params);
    expect(good.status).toBe(200);
    const evs = await run.waitFor((e) => received(e).length === 1);
    run.abort.abort();
    await watching;
    expect(received(evs)[0]).toMatchObject({ pingId: ping.pingId, class: 'reply', key: `voice:${sid}:digits` });
  });

  it('without a public URL, polls each call to its final status; answered is not an acknowledgement', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.scriptNumbers({
      [N(10)]: { calls: ['answer'] },
      [N(11)]: { calls: ['no-answer'] },
      [N(12)]: { calls: ['busy', 'answer'] },
      [N(13)]: { calls: ['machine'] },
      [N(14)]: { calls: ['failed'] },
    });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, pollIntervalMs: 15_000, attempts: 2, retryIntervalMs: 60_000 });
    const watching = voice.watch(run.ctx);
    const pings = [10, 11, 12, 13, 14].map((i) => makePing('voice', N(i)));
    for (const p of pings) expect((await run.send(voice, p)).ok).toBe(true);
    const evs = await run.waitFor((e) => pings.every((p) => finalOf(e, p.pingId)));
    run.abort.abort();
    await watching;

    const [answered, noAnswer, busy, machine, failed] = pings.map((p) => statusOf(evs, p.pingId).map((s) => [s.status, s.attempt, s.final]));
    expect(answered).toEqual([['completed', 1, true]]);
    expect(noAnswer).toEqual([
      ['no-answer', 1, false],
      ['queued', 2, false],
      ['no-answer', 2, true],
    ]);
    expect(busy).toEqual([
      ['busy', 1, false],
      ['queued', 2, false],
      ['completed', 2, true],
    ]);
    expect(machine).toEqual([
      ['machine', 1, false],
      ['queued', 2, false],
      ['machine', 2, true],
    ]);
    expect(failed).toEqual([['failed', 1, true]]);
    expect(finalOf(evs, pings[0]!.pingId)!.detail).toMatch(/without --public-url/);
    // Detection in the background with MachineDetection=Enable: a machine is named at its start.
    expect(finalOf(evs, pings[3]!.pingId)!.detail).toMatch(/answered by machine_start/);
    expect(received(evs)).toHaveLength(0);
    // No key can be gathered without a URL to post it to.
    expect(fake.calls.every((c) => !c.twiml.includes('<Gather') && c.twiml.includes('<Say language="en-GB">'))).toBe(true);
    expect(fake.requestsTo('POST', '/Calls.json').every((r) => r.form.StatusCallback === undefined)).toBe(true);
  });

  it('after a restart follows the calls the log names, and calls again when due', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.script(N(20), { calls: ['no-answer', 'no-answer'] });
    const opts = { settings: run.settings, clock: run.clock, pollIntervalMs: 15_000, attempts: 2, retryIntervalMs: 600_000 };
    const first = new VoiceChannel(opts);
    const watching = first.watch(run.ctx);
    const ping = makePing('voice', N(20));
    await run.send(first, ping);
    await run.waitFor((e) => statusOf(e, ping.pingId).length === 1);
    run.abort.abort();
    await watching;

    const { ctx } = await run.restart();
    const second = new VoiceChannel(opts);
    const again = second.watch(ctx);
    const evs = await run.waitFor((e) => Boolean(finalOf(e, ping.pingId)), 15_000);
    run.abort.abort();
    await again;
    expect(fake.calls).toHaveLength(2);
    expect(statusOf(evs, ping.pingId).map((s) => [s.status, s.attempt, s.final])).toEqual([
      ['no-answer', 1, false],
      ['queued', 2, false],
      ['no-answer', 2, true],
    ]);
  });

  it('on the last scan after the window, a call still to be made leaves the last one final', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.script(N(21), { calls: ['busy'] });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, pollIntervalMs: 15_000, attempts: 3, retryIntervalMs: 3_600_000 });
    const watching = voice.watch(run.ctx);
    const ping = makePing('voice', N(21));
    await run.send(voice, ping);
    await run.waitFor((e) => statusOf(e, ping.pingId).length === 1);
    run.abort.abort();
    await watching;
    // The engine's catch-up: watch once more with a signal already aborted.
    await voice.watch({ ...run.ctx, signal: AbortSignal.abort() });
    const st = statusOf(await run.events(), ping.pingId);
    expect(st.map((s) => [s.status, s.attempt, s.final])).toEqual([
      ['busy', 1, false],
      ['busy', 1, true],
    ]);
    expect(st[1]!.detail).toBe('call 1 of 3; the window closed before the next call');
    expect(fake.calls).toHaveLength(1);
  });

  it('places no second call when a 5xx came after Twilio had in fact created the call', async () => {
    run = await phoneRun();
    const { fake } = run;
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, retry: { retries: 0 } });
    // In the same send: the look-up finds the call.
    fake.failAfterCreate(1, 500);
    const first = makePing('voice', N(32));
    const out = await run.send(voice, first);
    expect(out).toMatchObject({ ok: true, providerId: fake.calls[0]!.sid });
    if (out.ok) expect(out.response).toMatch(/found in the call list after .*HTTP 500.*: not called twice/);
    expect(fake.requestsTo('GET', '/Calls.json').at(-1)!.query).toMatchObject({ To: N(32), From: fake.from });
    // The look-up fails too: a transient failure, and the engine's retry finds the call.
    fake.failAfterCreate(1, 500);
    fake.failNext(1, 503, { method: 'GET', pathEnd: '/Calls.json' });
    const second = makePing('voice', N(33));
    expect(await run.send(voice, second)).toMatchObject({ ok: false, permanent: false });
    const again = await run.send(voice, second);
    expect(again).toMatchObject({ ok: true, providerId: fake.calls[1]!.sid });
    if (again.ok) expect(again.response).toMatch(/after an earlier attempt failed: not called twice/);
    expect(fake.requestsTo('POST', '/Calls.json').map((r) => r.status)).toEqual([500, 500]);
    expect(fake.calls.map((c) => c.to)).toEqual([N(32), N(33)]);
  });

  it('turns refused numbers into permanent failures', async () => {
    run = await phoneRun();
    const { fake } = run;
    fake.scriptNumbers({ [N(30)]: { refuse: 'invalid' }, [N(31)]: { refuse: 'unreachable' } });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock });
    expect(await run.send(voice, makePing('voice', N(30)))).toMatchObject({ ok: false, permanent: true, code: 21211 });
    expect(await run.send(voice, makePing('voice', N(31)))).toMatchObject({ ok: false, permanent: true, code: 21214 });
    expect(fake.calls).toHaveLength(0);
  });
});

describe('voice channel: answering-machine detection, redials, the end of the window', () => {
  it('asks for answering-machine detection in the background: the message plays as soon as the call is picked up', async () => {
    run = await phoneRun({}, 60);
    const { fake } = run;
    fake.script(N(40), { calls: ['press'], pressAfterSeconds: 6, amdSeconds: 3 });
    fake.script(N(41), { calls: ['machine'], amdSeconds: 3 });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, publicUrl: PUBLIC, pollIntervalMs: 15_000, attempts: 1 });
    await withWebhooks(run, voice);
    const watching = voice.watch(run.ctx);
    const person = makePing('voice', N(40));
    const machine = makePing('voice', N(41));
    await run.send(voice, person);
    await run.send(voice, machine);
    const evs = await run.waitFor((e) => Boolean(finalOf(e, person.pingId) && finalOf(e, machine.pingId)) && received(e).length === 1);
    run.abort.abort();
    await watching;

    // The request: detection on, in the background, its verdict posted to our webhook; call
    // statuses at pick-up and at the end.
    const forms = fake.requestsTo('POST', '/Calls.json').map((r) => r.form);
    expect(forms[0]).toMatchObject({
      MachineDetection: 'Enable',
      AsyncAmd: 'true',
      AsyncAmdStatusCallback: `${PUBLIC}/voice/amd?ping=${person.pingId}`,
      AsyncAmdStatusCallbackMethod: 'POST',
      StatusCallbackEvent: ['answered', 'completed'],
    });
    // The message started the moment the call was picked up (synchronous detection would keep
    // the callee listening to silence for the 3 s of detection).
    const [first, second] = fake.calls;
    expect(first!.twimlStartedAt!.getTime()).toBe(first!.answeredAt!.getTime());
    // The verdicts reached the channel through the signed webhook.
    const amd = fake.webhooks.filter((w) => w.url.includes('/voice/amd'));
    expect(amd.map((w) => [w.params.AnsweredBy, w.status]).sort()).toEqual([
      ['human', 204],
      ['machine_start', 204],
    ]);
    expect(received(evs)[0]).toMatchObject({ pingId: person.pingId, class: 'reply' });
    expect(finalOf(evs, person.pingId)).toMatchObject({ status: 'completed', detail: 'answered; key pressed', providerId: first!.sid });
    expect(finalOf(evs, machine.pingId)).toMatchObject({ status: 'machine', providerId: second!.sid });
    expect(finalOf(evs, machine.pingId)!.detail).toMatch(/^answered by machine_start \(voicemail or answering machine\); call 1 of 1$/);
  });

  it('calls again when the configured interval has passed, not at the next poll (on a clock the test moves)', async () => {
    const t0 = new Date('2024-06-05T08:30:00Z');
    const clock = new ManualClock(t0);
    run = await phoneRun({}, 1000, clock);
    const { fake } = run;
    fake.script(N(42), { calls: ['no-answer', 'no-answer'] });
    // Polls every minute; the interval is 90 s: the next poll after it would be at 2 min.
    const voice = new VoiceChannel({ settings: run.settings, clock, pollIntervalMs: 60_000, attempts: 2, retryIntervalMs: 90_000 });
    const watching = voice.watch(run.ctx);
    const ping = makePing('voice', N(42));
    await run.send(voice, ping);
    await fake.settle();
    expect(fake.calls.map((c) => c.status)).toEqual(['no-answer']);

    // The poll at 1 min finds the call ended (at t0, by Twilio's end time).
    await clock.advanceTo(new Date(t0.getTime() + 60_000));
    const evs = await run.waitFor((e) => statusOf(e, ping.pingId).length === 1);
    expect(statusOf(evs, ping.pingId)[0]!.detail).toBe(`call 1 of 2; calling again at ${new Date(t0.getTime() + 90_000).toISOString()}`);
    await clock.advanceTo(new Date(t0.getTime() + 89_999));
    await new Promise((r) => setTimeout(r, 200));
    expect(fake.calls).toHaveLength(1);
    await clock.advanceTo(new Date(t0.getTime() + 90_000));
    const after = await run.waitFor((e) => statusOf(e, ping.pingId).length === 2);
    expect(fake.calls).toHaveLength(2);
    expect(fake.calls[1]!.dateCreated.toISOString()).toBe(new Date(t0.getTime() + 90_000).toISOString());
    expect(statusOf(after, ping.pingId)[1]).toMatchObject({ status: 'queued', attempt: 2, at: new Date(t0.getTime() + 90_000).toISOString() });
    // The poll at 2 min does not call a third time.
    await clock.advanceTo(new Date(t0.getTime() + 120_000));
    await fake.settle();
    expect(fake.calls).toHaveLength(2);
    run.abort.abort();
    await watching;
  });

  it('follows a call still ringing when the window closes to its final status, and calls no more', async () => {
    run = await phoneRun();
    const { fake } = run;
    // Rings 90 s (0.15 s here), then no answer; the window closes while it rings.
    fake.script(N(43), { calls: ['no-answer'], ringSeconds: 90 });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, pollIntervalMs: 15_000, attempts: 2, retryIntervalMs: 60_000 });
    const watching = voice.watch(run.ctx);
    const ping = makePing('voice', N(43));
    await run.send(voice, ping);
    while (fake.calls[0]!.status !== 'ringing') await new Promise((r) => setTimeout(r, 5));
    run.abort.abort();
    await watching;
    expect(fake.calls[0]!.status).toBe('ringing');
    await voice.watch({ ...run.ctx, signal: AbortSignal.abort() });
    const st = statusOf(await run.events(), ping.pingId);
    expect(st.map((s) => [s.status, s.attempt, s.final])).toEqual([['no-answer', 1, true]]);
    expect(st[0]!.detail).toBe('call 1 of 2; the window closed before the next call');
    expect(fake.calls).toHaveLength(1);
  });

  it('closes a call that never ends with the status it still had', async () => {
    run = await phoneRun({}, 60);
    const { fake } = run;
    fake.script(N(44), { calls: ['no-answer'], ringSeconds: 3600 });
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, pollIntervalMs: 15_000, finalStatusWaitMs: 60_000 });
    const ping = makePing('voice', N(44));
    await run.send(voice, ping);
    await fake.settle(100);
    const windowClosed = run.clock.now().getTime();
    await voice.watch({ ...run.ctx, signal: AbortSignal.abort() });
    const st = statusOf(await run.events(), ping.pingId);
    expect(st.map((s) => [s.status, s.final])).toEqual([['ringing', true]]);
    expect(st[0]!.detail).toBe('no final status: the call was still ringing 1 min after the window closed; call 1 of 2');
    // A minute of the run's clock went by, the call followed all along.
    expect(Date.parse(st[0]!.at) - windowClosed).toBeGreaterThanOrEqual(60_000);
    expect(fake.requestsTo('GET', `/Calls/${fake.calls[0]!.sid}.json`).length).toBeGreaterThanOrEqual(3);
  });
});

describe('voice channel: webhooks that stop arriving', () => {
  it('says so once a minute has passed with answered calls and no webhook, and again when they come back', async () => {
    run = await phoneRun({}, 60);
    const { fake } = run;
    fake.scriptNumbers({ [N(50)]: { calls: ['press'], pressAfterSeconds: 5 }, [N(51)]: { calls: ['press'], pressAfterSeconds: 5 }, [N(52)]: { calls: ['answer'] } });
    const warnings: string[] = [];
    const voice = new VoiceChannel({ settings: run.settings, clock: run.clock, publicUrl: PUBLIC, pollIntervalMs: 15_000, attempts: 1, warn: (m) => warnings.push(m) });
    server = await startWebhookServer({ publicUrl: PUBLIC, authToken: fake.authToken, clock: run.clock, ...phoneWebhookHandlers({ voice }) });
    tunnel = await startTunnel(`${server.localUrl}/rollcall`);
    fake.routeWebhooks(PUBLIC, tunnel.url);
    const watching = voice.watch(run.ctx);

    // The tunnel works: the key press counts, nothing is said.
    const ok = makePing('voice', N(50));
    await run.send(voice, ok);
    await run.waitFor((e) => Boolean(finalOf(e, ok.pingId)));
    expect(received(await run.events())).toHaveLength(1);

    // It breaks: the call is answered, 1 is pressed, Twilio gets 502 for every webhook.
    tunnel.break();
    const lost = makePing('voice', N(51));
    await run.send(voice, lost);
    const evs = await run.waitFor((e) => e.some((x) => x.type === 'test-problem'), 15_000);
    const problem = evs.find((x) => x.type === 'test-problem')!;
    expect(problem).toMatchObject({ problem: 'webhooks-missing', channel: 'voice', pingIds: [lost.pingId] });
    expect(problem.type === 'test-problem' && problem.detail).toMatch(/^no webhook from Twilio has reached rollcall for 1 answered call \(.+\) within 1 min: https:\/\/hooks\.rollcall\.example\/rollcall does not seem to forward/);
    // Noticed a minute (and at most a poll) after the call was seen answered.
    const answeredSeen = Date.parse((problem as { since: string }).since);
    expect(Date.parse(problem.at) - answeredSeen).toBeGreaterThanOrEqual(60_000);
    expect(Date.parse(problem.at) - answeredSeen).toBeLessThan(2 * 60_000);
    expect(warnings.filter((w) => w.startsWith('WARNING: no webhook from Twilio'))).toHaveLength(1);
    expect(fake.webhooks.filter((w) => w.status === 502).length).toBeGreaterThan(0);
    expect(fake.calls[1]!.pressedAt).toBeDefined();
    // The press is lost: the call reads as answered without one, and says why that may be.
    const lostFinal = (await run.waitFor((e) => Boolean(finalOf(e, lost.pingId))), finalOf(await run.events(), lost.pingId)!);
    expect(lostFinal.detail).toBe('answered; no key press received, and no webhook at all arrived for this call (is the public URL forwarding?)');
    expect(received(await run.events()).filter((m) => m.pingId === lost.pingId)).toHaveLength(0);

    // Repaired: the next webhook ends the problem.
    tunnel.restore();
    const back = makePing('voice', N(52));
    await run.send(voice, back);
    const end = await run.waitFor((e) => e.filter((x) => x.type === 'test-problem').length === 2);
    run.abort.abort();
    await watching;
    expect(end.filter((x) => x.type === 'test-problem').at(-1)).toMatchObject({ resolved: true, pingIds: [] });
    expect(warnings.at(-1)).toBe('webhooks from Twilio arrive again (1 answered call went without one)');
  });
});
