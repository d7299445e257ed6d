// The voice channel against the fake Twilio: calls, the key press on the signed webhook as the
// acknowledgement, forged webhooks refused, final statuses polled without a public URL, redials.
import { afterEach, describe, expect, it } from 'vitest';
import { thanksTwiml, VoiceChannel, voiceTwiml } from '../../src/channels/voice.js';
import { phoneWebhookHandlers, startWebhookServer, type WebhookServer } from '../../src/channels/webhooks.js';
import type { DeliveryStatusEvent, MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import { twilioSignature } from '../servers/twilio.js';
import { makePing, phoneRun, received, statuses, type PhoneRun } from './harness.js';

const PUBLIC = 'https://hooks.rollcall.example/rollcall';
const N = (i: number) => `+4420794600${String(i).padStart(2, '0')}`;

let run: PhoneRun | undefined;
let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  await run?.close();
  server = undefined;
  run = undefined;
});

const statusOf = (evs: RunEvent[], pingId: string) => statuses(evs).filter((s) => s.pingId === pingId) as DeliveryStatusEvent[];
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
    expect(form).toMatchObject({ To: N(1), From: fake.from, MachineDetection: 'Enable', StatusCallback: `${PUBLIC}/voice/status?ping=${ping.pingId}` });
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
    expect(finalOf(evs, pings[3]!.pingId)!.detail).toMatch(/machine_end_beep/);
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
