// The webhook server: incoming SMS and status callbacks reach the SMS channel, signatures are
// checked against the public URL on every route, and the edges (proxy paths, methods, sizes).
import { afterEach, describe, expect, it } from 'vitest';
import { SmsChannel } from '../../src/channels/sms.js';
import { parsePublicUrl, phoneWebhookHandlers, startWebhookServer, type WebhookServer } from '../../src/channels/webhooks.js';
import { SettingsError } from '../../src/core/errors.js';
import type { MessageReceivedEvent } from '../../src/core/events.js';
import { twilioSignature } from '../servers/twilio.js';
import { makePing, phoneRun, received, statuses, type PhoneRun } from './harness.js';

const PUBLIC = 'https://hooks.rollcall.example/rc/';
const A = '+33199001122';

let run: PhoneRun | undefined;
let server: WebhookServer | undefined;
afterEach(async () => {
  await server?.close();
  await run?.close();
  server = undefined;
  run = undefined;
});

describe('webhook server', () => {
  it('records an incoming SMS pushed to the webhook at Twilio’s received time, once', async () => {
    run = await phoneRun();
    const { fake } = run;
    const channel = new SmsChannel({ settings: run.settings, clock: run.clock, pollIntervalMs: 60_000, publicUrl: PUBLIC });
    server = await startWebhookServer({ publicUrl: PUBLIC, authToken: fake.authToken, clock: run.clock, ...phoneWebhookHandlers({ sms: channel }) });
    // This proxy strips the base path: routes still match, the signature is still over the public URL.
    fake.routeWebhooks('https://hooks.rollcall.example/rc', server.localUrl);
    const watching = channel.watch(run.ctx);
    const ping = makePing('sms', A, { languages: ['fr'] });
    await run.send(channel, ping);
    expect(fake.requestsTo('POST', '/Messages.json')[0]!.form.StatusCallback).toBe(`https://hooks.rollcall.example/rc/sms/status?ping=${ping.pingId}`);

    // Twilio stored the message at `at`; its webhook reaches us a little later.
    const at = new Date(Math.floor(run.clock.now().getTime() / 1000) * 1000 + 5000);
    const msg = fake.receiveSms(A, `OK ${ping.token}`, at);
    const res = await fake.deliverWebhook('https://hooks.rollcall.example/rc/sms/incoming', {
      AccountSid: fake.accountSid,
      ApiVersion: '2010-04-01',
      Body: msg.body,
      From: A,
      MessageSid: msg.sid,
      NumMedia: '0',
      SmsSid: msg.sid,
      SmsStatus: 'received',
      To: fake.from,
    });
    expect(res.status).toBe(200);
    expect(res.body).toBe('<Response/>'); // no automatic answer to the contact point
    const evs = await run.waitFor((e) => received(e).length === 1);
    const m = received(evs)[0] as MessageReceivedEvent;
    expect(m).toMatchObject({ key: `sms:${msg.sid}`, class: 'reply', pingId: ping.pingId, matchedBy: 'token', receivedAt: at.toISOString() });

    // The status callback and the poll both see "delivered": one event.
    await fake.settle();
    const sid = fake.messages[0]!.sid;
    const st = await fake.deliverWebhook(`https://hooks.rollcall.example/rc/sms/status?ping=${ping.pingId}`, {
      AccountSid: fake.accountSid,
      MessageSid: sid,
      MessageStatus: 'delivered',
      To: A,
      From: fake.from,
    });
    expect(st.status).toBe(204);
    await new Promise((r) => setTimeout(r, 300)); // several polls
    run.abort.abort();
    await watching;
    const all = await run.events();
    expect(received(all)).toHaveLength(1);
    expect(statuses(all)).toHaveLength(1);
    expect(statuses(all)[0]).toMatchObject({ pingId: ping.pingId, status: 'delivered', providerId: sid });
  });

  it('checks the signature before anything else, then routes POSTs only', async () => {
    run = await phoneRun();
    const { fake } = run;
    const calls: string[] = [];
    server = await startWebhookServer({
      publicUrl: 'https://hooks.rollcall.example',
      authToken: fake.authToken,
      onStatus: async (s) => void calls.push(`status ${s.channel} ${s.sid} ${s.status} ${s.answeredBy}`),
    });
    const base = 'https://hooks.rollcall.example';
    const req = (path: string, init: { method?: string; body?: Record<string, string>; sign?: boolean; raw?: string }) => {
      const params = init.body ?? {};
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (init.sign !== false) headers['x-twilio-signature'] = twilioSignature(fake.authToken, base + path, init.method === 'GET' ? {} : params);
      return fetch(server!.localUrl + path, { method: init.method ?? 'POST', headers, ...(init.method === 'GET' ? {} : { body: init.raw ?? new URLSearchParams(params).toString() }) });
    };
    const status = { CallSid: 'CA' + '1'.repeat(32), CallStatus: 'completed', AnsweredBy: 'human' };
    expect((await req('/voice/status?ping=p1', { body: status })).status).toBe(204);
    expect(calls).toEqual([`status voice ${status.CallSid} completed human`]);
    expect((await req('/nowhere', { body: status })).status).toBe(404);
    expect((await req('/nowhere', { body: status, sign: false })).status).toBe(403);
    expect((await req('/voice/status', { method: 'GET' })).status).toBe(405);
    expect((await req('/voice/gather?ping=p1', { body: { Digits: '1' } })).status).toBe(404); // no key-press handler here
    expect((await req('/voice/status', { body: {}, raw: 'x='.padEnd(70_000, 'y') })).status).toBe(413);
    expect(calls).toHaveLength(1);
  });

  it('takes only an https public URL (http on loopback for tests) without credentials', () => {
    expect(parsePublicUrl('https://hooks.rollcall.example/x').href).toBe('https://hooks.rollcall.example/x');
    expect(parsePublicUrl('http://127.0.0.1:8080').port).toBe('8080');
    for (const bad of ['http://hooks.rollcall.example', 'ftp://hooks.rollcall.example', 'not a url', 'https://u:p@hooks.rollcall.example', 'https://hooks.rollcall.example/?a=1']) {
      expect(() => parsePublicUrl(bad), bad).toThrow(SettingsError);
    }
    expect(() => parsePublicUrl('https://u:secret@hooks.rollcall.example')).toThrow(/credentials/);
    try {
      parsePublicUrl('https://u:secret@hooks.rollcall.example');
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });
});
