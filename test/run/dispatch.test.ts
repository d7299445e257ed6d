// Sending: bounded concurrency, ping-started on disk before the channel sees a ping, transient
// failures retried in clock time with every attempt recorded, permanent ones not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Channel } from '../../src/channels/channel.js';
import type { Ping, SendOutcome } from '../../src/core/ping.js';
import { WorkError } from '../../src/core/errors.js';
import { EventLog } from '../../src/core/event-log.js';
import type { ChannelName, RunEvent } from '../../src/core/events.js';
import { dispatch, type SendJob } from '../../src/run/dispatch.js';
import { Recorder } from '../../src/run/recorder.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { tempDir } from './support.js';

const tmp = tempDir('rollcall-dispatch-');
afterAll(() => tmp.remove());
const start = new Date('2024-06-05T07:30:00Z');

function ping(i: number): Ping {
  return {
    pingId: `C${i}/email/1`,
    contactId: `C${i}`,
    iso: 'FR',
    country: 'France',
    unit: 'Unit',
    channel: 'email',
    address: `c${i}@fr.example`,
    token: `RC-TOKEN${i}`,
    messageId: `<RC-TOKEN${i}.x@rollcall.example>`,
    languages: ['en'],
    timezone: 'Europe/Paris',
  };
}

/** A channel whose sends take clock time and whose outcomes a test scripts per address. */
class ScriptedChannel implements Channel {
  readonly name: ChannelName = 'email';
  active = 0;
  maxActive = 0;
  readonly calls: Array<{ pingId: string; at: number; logged: string[] }> = [];
  constructor(
    private readonly clock: VirtualClock,
    private readonly logPath: string,
    private readonly script: (p: Ping, attempt: number) => SendOutcome | 'throw',
    private readonly sendMs = 2000,
  ) {}
  async open() {}
  async close() {}
  async watch() {}
  async send(p: Ping): Promise<SendOutcome> {
    const attempt = this.calls.filter((c) => c.pingId === p.pingId).length + 1;
    // What the log holds when the channel gets the ping.
    const logged = readFileSync(this.logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent).filter((e) => 'pingId' in e && e.pingId === p.pingId).map((e) => e.type);
    this.calls.push({ pingId: p.pingId, at: this.clock.now().getTime(), logged });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await this.clock.sleep(this.sendMs);
    this.active--;
    const out = this.script(p, attempt);
    if (out === 'throw') throw new Error('connect ECONNREFUSED 127.0.0.1:2525 (smtp://user:secret@127.0.0.1:2525)');
    return out;
  }
}

let n = 0;
function setup(script: (p: Ping, attempt: number) => SendOutcome | 'throw', sendMs?: number) {
  const clock = new VirtualClock({ start });
  const path = join(tmp.path, `events-${n++}.jsonl`);
  const log = EventLog.open(path, () => clock.now());
  const recorder = new Recorder(log);
  const events: RunEvent[] = [];
  recorder.onEvent((e) => events.push(e));
  const channel = new ScriptedChannel(clock, path, script, sendMs);
  return { clock, recorder, events, channel, channels: new Map<ChannelName, Channel>([['email', channel]]) };
}

const ok = (at: Date): SendOutcome => ({ ok: true, sentAt: at, response: '250 2.0.0 Ok' });

describe('dispatch', () => {
  it('sends every ping, at most N at once, each ping-started flushed before the channel sees it', async () => {
    const s = setup((_p) => ok(new Date()));
    const jobs: SendJob[] = Array.from({ length: 30 }, (_, i) => ({ ping: ping(i), attempt: 1, dueAt: start.getTime() }));
    const sent: string[] = [];
    const result = await dispatch(jobs, {
      clock: s.clock,
      channels: s.channels,
      record: (e) => s.recorder.record(e),
      signal: new AbortController().signal,
      concurrency: 4,
      onSent: (p) => sent.push(p.pingId),
    });
    expect(result).toEqual({ complete: true, pending: [] });
    expect(s.channel.maxActive).toBe(4);
    expect(s.channel.calls).toHaveLength(30);
    for (const c of s.channel.calls) expect(c.logged).toEqual(['ping-started']);
    expect(sent).toHaveLength(30);
    // 30 pings of 2 s, 4 at a time: 8 rounds.
    expect(s.clock.now().getTime() - start.getTime()).toBe(16_000);
    const types = s.events.map((e) => e.type);
    expect(types.filter((t) => t === 'ping-started')).toHaveLength(30);
    expect(types.filter((t) => t === 'ping-sent')).toHaveLength(30);
  });

  it('retries transient failures after 1, 5 and 15 min, records each attempt, and gives up after the fourth', async () => {
    const s = setup((p, attempt) => {
      if (p.pingId === 'C0/email/1') return { ok: false, permanent: false, code: 451, response: '451 4.7.1 Greylisted' };
      if (p.pingId === 'C1/email/1' && attempt < 3) return { ok: false, permanent: false, code: 421, response: '421 4.3.2 try later' };
      if (p.pingId === 'C2/email/1') return { ok: false, permanent: true, code: 550, response: '550 5.1.1 User unknown' };
      if (p.pingId === 'C3/email/1') return attempt === 1 ? 'throw' : ok(new Date(start.getTime() + 99_000));
      return ok(new Date(start.getTime()));
    }, 0);
    const jobs = [0, 1, 2, 3, 4].map((i) => ({ ping: ping(i), attempt: 1, dueAt: start.getTime() }));
    await dispatch(jobs, { clock: s.clock, channels: s.channels, record: (e) => s.recorder.record(e), signal: new AbortController().signal });
    const t = (iso: string) => (Date.parse(iso) - start.getTime()) / 60_000;
    const of = (id: string) => s.events.filter((e) => 'pingId' in e && e.pingId === id);

    const c0 = of('C0/email/1');
    expect(c0.map((e) => e.type)).toEqual(['ping-started', 'ping-failed', 'ping-started', 'ping-failed', 'ping-started', 'ping-failed', 'ping-started', 'ping-failed']);
    const fails0 = c0.filter((e) => e.type === 'ping-failed');
    expect(fails0.map((e) => [e.attempt, e.permanent, e.retryAt && t(e.retryAt)])).toEqual([
      [1, false, 1],
      [2, false, 6],
      [3, false, 21],
      [4, true, undefined],
    ]);
    expect(c0.filter((e) => e.type === 'ping-started').map((e) => [e.attempt, t(e.at)])).toEqual([
      [1, 0],
      [2, 1],
      [3, 6],
      [4, 21],
    ]);
    expect(fails0[0]).toMatchObject({ code: 451, response: '451 4.7.1 Greylisted' });

    expect(of('C1/email/1').map((e) => e.type)).toEqual(['ping-started', 'ping-failed', 'ping-started', 'ping-failed', 'ping-started', 'ping-sent']);
    expect(of('C2/email/1').map((e) => e.type)).toEqual(['ping-started', 'ping-failed']);
    expect(of('C2/email/1')[1]).toMatchObject({ permanent: true, attempt: 1, code: 550 });
    // A throw is a network error: retried; its words are kept, without the password.
    const c3 = of('C3/email/1');
    expect(c3.map((e) => e.type)).toEqual(['ping-started', 'ping-failed', 'ping-started', 'ping-sent']);
    expect(c3[1]).toMatchObject({ permanent: false });
    expect((c3[1] as { response: string }).response).toContain('smtp://***@127.0.0.1:2525');
    expect((c3[1] as { response: string }).response).not.toContain('secret');
    expect(c3[3]).toMatchObject({ sentAt: new Date(start.getTime() + 99_000).toISOString() });
    expect(of('C4/email/1').map((e) => e.type)).toEqual(['ping-started', 'ping-sent']);
  });

  it('honours a Retry-After longer than the backoff', async () => {
    const s = setup((_p, attempt) => (attempt === 1 ? { ok: false, permanent: false, code: 429, response: 'Too Many Requests', retryAfterMs: 600_000 } : ok(new Date())), 0);
    await dispatch([{ ping: ping(0), attempt: 1, dueAt: start.getTime() }], { clock: s.clock, channels: s.channels, record: (e) => s.recorder.record(e), signal: new AbortController().signal });
    const failed = s.events.find((e) => e.type === 'ping-failed')!;
    expect(failed).toMatchObject({ retryAt: new Date(start.getTime() + 600_000).toISOString() });
    expect(s.channel.calls.map((c) => c.at - start.getTime())).toEqual([0, 600_000]);
  });

  it('stops on a RollcallError from a channel (our credentials refused): no retry, the attempt logged as due again, the message kept', async () => {
    const refused = new WorkError('Twilio refused the account credentials (check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN): Authenticate (Twilio error 20003)');
    const s = setup((p) => {
      if (p.pingId === 'C1/email/1') throw refused;
      return ok(new Date());
    }, 1000);
    const jobs = Array.from({ length: 6 }, (_, i) => ({ ping: ping(i), attempt: 1, dueAt: start.getTime() }));
    const run = dispatch(jobs, { clock: s.clock, channels: s.channels, record: (e) => s.recorder.record(e), signal: new AbortController().signal, concurrency: 2 });
    await expect(run).rejects.toBe(refused);
    // Tried once, never again, though the retry policy had attempts left.
    expect(s.channel.calls.filter((c) => c.pingId === 'C1/email/1')).toHaveLength(1);
    const c1 = s.events.filter((e) => 'pingId' in e && e.pingId === 'C1/email/1');
    expect(c1.map((e) => e.type)).toEqual(['ping-started', 'ping-failed']);
    // Not permanent: a resume sends it again (due at once) once the credentials are fixed.
    expect(c1[1]).toMatchObject({ permanent: false, attempt: 1, response: refused.message, retryAt: c1[1]!.at });
    // Sending stopped: not every ping was launched, and each one launched has its outcome logged.
    expect(s.channel.calls.length).toBeLessThan(6);
    const started = s.events.filter((e) => e.type === 'ping-started').map((e) => (e as { pingId: string }).pingId);
    const ended = s.events.filter((e) => e.type === 'ping-sent' || e.type === 'ping-failed').map((e) => (e as { pingId: string }).pingId);
    expect(started.sort()).toEqual(ended.sort());
  });

  it('stops launching when aborted, finishes and records the sends in flight, and returns what is left', async () => {
    const s = setup(() => ok(new Date()), 5000);
    const ac = new AbortController();
    const jobs = Array.from({ length: 10 }, (_, i) => ({ ping: ping(i), attempt: 1, dueAt: start.getTime() }));
    const p = dispatch(jobs, { clock: s.clock, channels: s.channels, record: (e) => s.recorder.record(e), signal: ac.signal, concurrency: 3 });
    await s.clock.sleep(1000);
    ac.abort();
    const result = await p;
    expect(result.complete).toBe(false);
    expect(result.pending).toHaveLength(7);
    const types = s.events.map((e) => e.type);
    expect(types.filter((t) => t === 'ping-started')).toHaveLength(3);
    expect(types.filter((t) => t === 'ping-sent')).toHaveLength(3);
  });
});
