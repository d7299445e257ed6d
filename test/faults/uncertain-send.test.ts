// A connection cut, or a server that never answers, after the message was handed over (after
// DATA, before the 250): the ping is uncertain — recorded as such, never sent a second time on
// its own. And the ping is recorded as started only once its connection is open and the server
// is ready for it: a ping whose connection never opened is never uncertain.
// Real SMTP servers on loopback (smtp-server), the real e-mail channel, the real dispatcher.
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailChannel } from '../../src/channels/email.js';
import { systemClock } from '../../src/core/clock.js';
import { EventLog } from '../../src/core/event-log.js';
import type { EventInput, RunEvent } from '../../src/core/events.js';
import type { Ping } from '../../src/core/ping.js';
import { newMessageId, newToken } from '../../src/mail/token.js';
import { dispatch } from '../../src/run/dispatch.js';
import { Recorder } from '../../src/run/recorder.js';
import { DEFAULT_SUBJECT } from '../../src/settings.js';
import { startSmtp, type SmtpHarness } from '../servers/smtp.js';

const FROM = 'Secretariat <secretariat@rollcall.test>';
const dir = mkdtempSync(join(tmpdir(), 'rollcall-uncertain-'));
let smtp: SmtpHarness;
beforeAll(async () => {
  smtp = await startSmtp();
});
afterAll(async () => {
  await smtp.stop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function ping(address: string): Ping {
  const token = newToken();
  return { pingId: `P${++n}/email/1`, contactId: `C${n}`, iso: 'FR', country: 'France', unit: 'Unit', channel: 'email', address, token, messageId: newMessageId(token, FROM), languages: ['en'], timezone: 'Europe/Paris' };
}

function channel(url: string): EmailChannel {
  return new EmailChannel({ settings: { smtpUrl: url, from: FROM, subject: DEFAULT_SUBJECT, folders: [] }, network: 'Test', smtpTimeouts: { socketMs: 1500, connectMs: 1500 } });
}

/** Dispatches pings through the channel with quick retries; the events as recorded. */
async function send(ch: EmailChannel, pings: Ping[], during?: (events: RunEvent[]) => Promise<void>): Promise<RunEvent[]> {
  const log = EventLog.open(join(mkdtempSync(join(dir, 'run-')), 'events.jsonl'));
  const recorder = new Recorder(log);
  const events: RunEvent[] = [];
  recorder.onEvent((e) => events.push(e));
  try {
    const done = dispatch(
      pings.map((p) => ({ ping: p, attempt: 1, dueAt: 0 })),
      { clock: systemClock, channels: new Map([['email', ch]]), record: (e: EventInput) => recorder.record(e), signal: new AbortController().signal, retry: { delaysMs: [50, 50, 50] } },
    );
    if (during) await during(events);
    await done;
    return events;
  } finally {
    await ch.close();
    log.close();
  }
}

const of = (events: RunEvent[], pingId: string) => events.filter((e) => 'pingId' in e && e.pingId === pingId).map((e) => e.type);

describe('after DATA, before the 250', () => {
  it('a connection cut after the message was handed over: uncertain, sent once, not retried', async () => {
    const p = ping('cut@police.fr.test');
    const ok = ping('fine@police.fr.test');
    smtp.afterData(p.address, 'drop');
    const before = smtp.received.length;
    const events = await send(channel(smtp.url()), [p, ok]);
    expect(of(events, p.pingId)).toEqual(['ping-started', 'ping-uncertain']);
    expect(of(events, ok.pingId)).toEqual(['ping-started', 'ping-sent']);
    const copies = smtp.received.slice(before).filter((d) => d.to.includes(p.address));
    expect(copies).toHaveLength(1);
    const uncertain = events.find((e) => e.type === 'ping-uncertain') as { response: string };
    expect(uncertain.response).toMatch(/no answer after the message was handed over/);
  });

  it('a server that stalls after DATA past the timeout: uncertain, not retried', async () => {
    const p = ping('stall@police.fr.test');
    smtp.afterData(p.address, 'stall');
    const before = smtp.received.length;
    const events = await send(channel(smtp.url()), [p]);
    expect(of(events, p.pingId)).toEqual(['ping-started', 'ping-uncertain']);
    expect(smtp.received.slice(before).filter((d) => d.to.includes(p.address))).toHaveLength(1);
    expect((events.find((e) => e.type === 'ping-uncertain') as { response: string }).response).toMatch(/timeout|timed out/i);
  });

  it('a 4xx refusal before the hand-over is still retried, and a 5xx is final', async () => {
    const grey = ping('grey@police.fr.test');
    const gone = ping('gone@police.fr.test');
    smtp.scriptRcpt(grey.address, { code: 451, message: '4.7.1 Greylisted' });
    smtp.refuseRcpt(gone.address, { code: 550, message: '5.1.1 User unknown' });
    const events = await send(channel(smtp.url()), [grey, gone]);
    expect(of(events, grey.pingId)).toEqual(['ping-started', 'ping-failed', 'ping-started', 'ping-sent']);
    expect(of(events, gone.pingId)).toEqual(['ping-started', 'ping-failed']);
    expect(events.find((e) => e.type === 'ping-failed' && e.pingId === gone.pingId)).toMatchObject({ permanent: true, code: 550 });
  });
});

describe('started only once the connection is open', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // Takes the connection and never greets: a server that is slow or stuck at connecting.
    silent = createServer((s) => sockets.add(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  });

  it('while the connection is being opened nothing is recorded: a stop then leaves no uncertain ping', async () => {
    const port = (silent.address() as { port: number }).port;
    const p = ping('later@police.fr.test');
    const events = await send(channel(`smtp://127.0.0.1:${port}`), [p], async (events) => {
      await new Promise((r) => setTimeout(r, 800)); // connecting (the greeting never comes)
      expect(events.map((e) => e.type)).toEqual([]);
    });
    // Once the attempt has failed without any hand-over, its start and its failure are recorded.
    expect(of(events, p.pingId).slice(0, 2)).toEqual(['ping-started', 'ping-failed']);
    expect(events.some((e) => e.type === 'ping-uncertain')).toBe(false);
  });

  it('a closed port: failed attempts, retried, never uncertain', async () => {
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const p = ping('nobody-home@police.fr.test');
    const events = await send(channel(`smtp://127.0.0.1:${closed}`), [p]);
    expect(of(events, p.pingId)).toEqual(['ping-started', 'ping-failed', 'ping-started', 'ping-failed', 'ping-started', 'ping-failed', 'ping-started', 'ping-failed']);
  });
});
