// What the phone channel tests share: a fake Twilio, a run folder with a real event log and
// recorder, a ping index, and the engine's bookkeeping around one send (ping-started/sent/failed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Channel, WatchContext } from '../../src/channels/channel.js';
import type { Ping, SendOutcome } from '../../src/core/ping.js';
import { EventLog, readEvents } from '../../src/core/event-log.js';
import type { ChannelName, RunEvent } from '../../src/core/events.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { scaledClock, type Clock } from '../../src/core/clock.js';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import { Recorder } from '../../src/run/recorder.js';
import { RunFolder, runPaths } from '../../src/core/run-folder.js';
import { startFakeTwilio, type FakeTwilio, type FakeTwilioOptions } from '../servers/twilio.js';

/** Script seconds per real second in these tests: 6 minutes pass in 0.6 s. */
export const SPEED = 600;

export interface PhoneRun {
  fake: FakeTwilio;
  clock: Clock;
  settings: Settings;
  runDir: string;
  pings: MemoryPingIndex;
  recorder: Recorder;
  ctx: WatchContext;
  abort: AbortController;
  /** Sends like the engine does: ping-started, then ping-sent or ping-failed. */
  send(channel: Channel, ping: Ping): Promise<SendOutcome>;
  events(): Promise<RunEvent[]>;
  /** Polls the log until `pred` holds (real-time timeout). */
  waitFor(pred: (events: RunEvent[]) => boolean, timeoutMs?: number): Promise<RunEvent[]>;
  /** A new recorder over the same log (a restarted process), with a fresh context. */
  restart(): Promise<{ recorder: Recorder; ctx: WatchContext; abort: AbortController }>;
  close(): Promise<void>;
}

let seq = 0;

export function makePing(channel: ChannelName, address: string, extra: Partial<Ping> = {}): Ping {
  seq++;
  const token = `RC-${String(seq).padStart(2, '0')}${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
  return {
    pingId: `${channel}-${seq}`,
    contactId: `XX-${seq}`,
    iso: 'XX',
    country: 'Testland',
    unit: 'Test unit',
    channel,
    address,
    token,
    languages: ['en'],
    timezone: 'UTC',
    ...extra,
  };
}

/** `clock`: the run's clock (default: time running `speed` times faster than real time). */
export async function phoneRun(fakeOpts: FakeTwilioOptions = {}, speed = SPEED, clock: Clock = scaledClock(new Date('2024-06-05T08:30:00Z'), speed)): Promise<PhoneRun> {
  const fake = await startFakeTwilio({ now: () => clock.now(), speed, ...fakeOpts });
  const settings = loadSettings(fake.env(), tmpdir(), '');
  const runDir = mkdtempSync(join(tmpdir(), 'rollcall-phone-'));
  const log = EventLog.open(runPaths(runDir).events, () => clock.now());
  const pings = new MemoryPingIndex();
  const make = (recorder: Recorder) => {
    const abort = new AbortController();
    return { recorder, abort, ctx: recorder.context({ clock, pings, folder: RunFolder.at(runDir), signal: abort.signal }) };
  };
  let current = make(new Recorder(log));
  const events = async () => (await readEvents(runPaths(runDir).events)).events;
  const run: PhoneRun = {
    fake,
    clock,
    settings,
    runDir,
    pings,
    get recorder() {
      return current.recorder;
    },
    get ctx() {
      return current.ctx;
    },
    get abort() {
      return current.abort;
    },
    async send(channel, ping) {
      pings.add(ping);
      const rec = current.recorder;
      await rec.record({ type: 'ping-started', pingId: ping.pingId, contactId: ping.contactId, iso: ping.iso, channel: ping.channel, address: ping.address, token: ping.token, attempt: 1 });
      const outcome = await channel.send(ping);
      if (outcome.ok) {
        pings.markSent(ping.pingId, outcome.sentAt);
        await rec.record({ type: 'ping-sent', pingId: ping.pingId, sentAt: outcome.sentAt.toISOString(), providerId: outcome.providerId, response: outcome.response });
      } else {
        await rec.record({ type: 'ping-failed', pingId: ping.pingId, attempt: 1, permanent: outcome.permanent, code: outcome.code, response: outcome.response });
      }
      return outcome;
    },
    events,
    async waitFor(pred, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const evs = await events();
        if (pred(evs)) return evs;
        if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms; events:\n${evs.map((e) => JSON.stringify(e)).join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async restart() {
      current.abort.abort();
      const recorder = new Recorder(log);
      recorder.replay(await events());
      current = make(recorder);
      return current;
    },
    async close() {
      current.abort.abort();
      await fake.close();
      log.close();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
  return run;
}

export const received = (evs: RunEvent[]) => evs.filter((e) => e.type === 'message-received');
export const statuses = (evs: RunEvent[]) => evs.filter((e) => e.type === 'delivery-status');
