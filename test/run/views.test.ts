// What a run shows: the live view redrawn in place on a terminal (at most 4 times a second), plain
// lines elsewhere, JSON lines with --json; and `status`, phase by phase.
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { Output } from '../../src/cli/output.js';
import { SimChannel } from '../../src/channels/sim.js';
import { SimWorld } from '../../src/channels/sim-world.js';
import { EventLog } from '../../src/core/event-log.js';
import type { RunEvent } from '../../src/core/events.js';
import { runEngine } from '../../src/run/engine.js';
import { createRunView } from '../../src/cli/live-view.js';
import { acquireLock } from '../../src/run/lock.js';
import { directorySnapshot, planPings } from '../../src/run/plan.js';
import { mulberry32 } from '../../src/core/random.js';
import { runPaths } from '../../src/core/run-folder.js';
import { readRunStatus } from '../../src/run/status.js';
import { VirtualClock } from '../../src/core/virtual-clock.js';
import { newRun, syntheticDirectory, T0, tempDir } from './support.js';

const tmp = tempDir('rollcall-views-');
const ESC = String.fromCharCode(27);
afterAll(() => tmp.remove());
const directory = directorySnapshot(syntheticDirectory(12), false);

function output(over: Partial<Output>): { o: Output; text: () => string; writes: () => number } {
  const out = new PassThrough();
  let text = '';
  let writes = 0;
  out.on('data', (d: Buffer) => {
    text += d.toString();
    writes++;
  });
  const o: Output = { out, err: new PassThrough(), color: false, interactive: false, json: false, env: {}, cwd: tmp.path, ...over };
  return { o, text: () => text, writes: () => writes };
}

async function simulatedRun(view: Parameters<typeof createRunView>[0]) {
  const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: 86_400 });
  const clock = new VirtualClock({ start: T0 });
  const v = await createRunView(view, { plan, directory, runDir, clock, events: [] });
  const sim = new SimChannel({ world: new SimWorld(directory, 3), clock, from: 'S <s@rollcall.test>', network: 'N' });
  await runEngine({ runDir, plan, directory, channels: [sim], clock, random: mulberry32(1), onEvent: (e) => v.event(e), onPhase: (p) => v.phase(p) });
  v.stop();
  return { runDir };
}

describe('the run views', () => {
  it('--json: every event as one JSON line on stdout, nothing else', async () => {
    const { o, text } = output({ json: true });
    const { runDir } = await simulatedRun(o);
    const lines = text().trim().split('\n');
    const logged = (await import('node:fs')).readFileSync(runPaths(runDir).events, 'utf8').trim().split('\n');
    expect(lines).toEqual(logged);
    for (const l of lines) expect((JSON.parse(l) as RunEvent).v).toBe(1);
  });

  it('without a terminal: plain lines at the phases and the end, no escape codes', async () => {
    const { o, text } = output({});
    await simulatedRun(o);
    const t = text();
    expect(t).not.toContain('\x1b');
    expect(t).toMatch(/started at 2024-06-05 07:30 UTC; sending \d+ pings; window closes at 2024-06-06 07:30 UTC/);
    expect(t).toMatch(/all pings sent · watching · .* left · pings \d+ sent, \d+ failed/);
    expect(t).toMatch(/window closed: last scan for answers/);
    expect(t).toMatch(/end · window closed · pings .* · answered \d+\/12 \(15 minutes: \d+, 30 minutes: \d+, 1 hour: \d+, 12 hours: \d+, 24 hours: \d+\)/);
    // Every line says in which zone its time is.
    const lines = t.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(line).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d UTC\] /);
  });

  it('on a terminal: redraws in place, at most 4 times a second, with the last messages', async () => {
    const { o, text, writes } = output({ interactive: true });
    const t0 = Date.now();
    await simulatedRun(o);
    const elapsed = Date.now() - t0;
    const t = text();
    expect(t).toMatch(new RegExp(`${ESC}\\[\\d+F${ESC}\\[0J`)); // cursor up N lines, clear below
    expect(writes()).toBeLessThanOrEqual(2 + Math.ceil(elapsed / 250) + 1);
    const last = t.slice(t.lastIndexOf('\x1b[0J') + 4);
    expect(last).toMatch(/^rollcall · .* · window closed\nPings +\d+ sent, \d+ failed \(of \d+\)\nAnswered +\d+ of 12 countries\n/);
    expect(last).toContain('Last messages');
    for (const line of last.split('\n')) expect(line.length).toBeLessThan(100);
  });
});

describe('rollcall status', () => {
  it('tells scheduled, waiting, sending, watching, stopped and ended apart, and counts the pings', async () => {
    const { runDir, plan } = newRun(tmp.path, directory, { schedule: { startAt: new Date(T0.getTime() + 3600_000), plan: { kind: 'between', tz: 'Europe/Paris', between: '09:00-17:00', on: '2024-06-05' } } });
    const pings = planPings(directory, ['sim']);
    let now = T0;
    const log = EventLog.open(runPaths(runDir).events, () => now);
    expect((await readRunStatus(runDir, { now: T0 })).phase).toBe('scheduled');
    // Its start passed with no process on it and nothing in the log: it stopped before it started.
    expect((await readRunStatus(runDir, { now: new Date(T0.getTime() + 3600_000) })).phase).toBe('stopped');
    expect((await readRunStatus(runDir, { now: new Date(T0.getTime() + 3600_000) })).startedAt).toBeUndefined();
    const lock = acquireLock(runDir, 'run');
    expect(await readRunStatus(runDir)).toMatchObject({ phase: 'waiting', unannouncedStart: true, plannedStart: plan.startAt, lock: { held: true, stale: false, pid: process.pid } });

    now = new Date(T0.getTime() + 3600_000);
    log.append({ type: 'run-started', runId: plan.id });
    const started = (i: number) => ({ type: 'ping-started' as const, pingId: pings[i]!.pingId, contactId: pings[i]!.contactId, iso: pings[i]!.iso, channel: 'sim' as const, address: pings[i]!.address, token: `RC-AAAA${i}`, attempt: 1 });
    log.append(started(0));
    log.append({ type: 'ping-sent', pingId: pings[0]!.pingId, sentAt: now.toISOString() });
    log.append(started(1));
    log.append({ type: 'ping-failed', pingId: pings[1]!.pingId, attempt: 1, permanent: false, response: '451', retryAt: now.toISOString() });
    log.append(started(2));
    log.append({ type: 'ping-failed', pingId: pings[2]!.pingId, attempt: 1, permanent: true, response: '550' });
    log.append(started(3));
    const s = await readRunStatus(runDir);
    expect(s.phase).toBe('sending');
    expect(s.pings).toEqual({ planned: pings.length, sent: 1, failed: 1, retrying: 1, inFlight: 1, uncertain: 0, notStarted: pings.length - 4 });
    expect(s.startedAt).toBe(now.toISOString());
    expect(s.windowEnd).toBe(new Date(now.getTime() + 86_400_000).toISOString());

    for (let i = 4; i < pings.length; i++) {
      log.append(started(i));
      log.append({ type: 'ping-sent', pingId: pings[i]!.pingId, sentAt: now.toISOString() });
    }
    log.append({ ...started(1), attempt: 2 });
    log.append({ type: 'ping-sent', pingId: pings[1]!.pingId, sentAt: now.toISOString() });
    log.append({ type: 'ping-sent', pingId: pings[3]!.pingId, sentAt: now.toISOString() });
    log.append({ type: 'message-received', key: 'k1', channel: 'sim', receivedAt: new Date(now.getTime() + 300_000).toISOString(), from: pings[0]!.address, class: 'reply', reasons: [], pingId: pings[0]!.pingId });
    const w = await readRunStatus(runDir);
    expect(w.phase).toBe('watching');
    expect(w.answers.answered).toBe(1);
    expect(w.answers.buckets[0]).toEqual({ thresholdSeconds: 900, responded: 1 });
    expect(w.answers.recent[0]).toMatchObject({ country: 'Country 0', class: 'reply', responseSeconds: 300 });

    // Messages matched to no ping: named by their sender, a directory address's country or else
    // the address itself (status reads a slimmed log: the sender must survive it).
    const later = new Date(now.getTime() + 600_000).toISOString();
    log.append({ type: 'message-received', key: 'k2', channel: 'sim', receivedAt: later, from: `Duty <${pings[4]!.address.toUpperCase()}>`, class: 'reply', reasons: ['no ping'] });
    log.append({ type: 'message-received', key: 'k3', channel: 'sim', receivedAt: later, from: 'stranger@elsewhere.test', class: 'automatic', reasons: ['no ping'] });
    const unmatched = (await readRunStatus(runDir)).answers.recent;
    expect(unmatched[0]).toEqual({ receivedAt: later, country: 'stranger@elsewhere.test', class: 'automatic' });
    const countryOf4 = directory.parties.find((party) => party.contacts.some((c) => c.id === pings[4]!.contactId))!.country;
    expect(unmatched[1]).toEqual({ receivedAt: later, country: countryOf4, contactId: pings[4]!.contactId, class: 'reply' });
    expect(unmatched[2]).toMatchObject({ country: 'Country 0', contactId: pings[0]!.contactId, responseSeconds: 300 });

    log.append({ ...started(2), attempt: 2 });
    lock.release();
    const stopped = await readRunStatus(runDir);
    expect(stopped.phase).toBe('stopped');
    expect(stopped.pings).toMatchObject({ inFlight: 0, uncertain: 1 });

    log.append({ type: 'run-ended', reason: 'window-closed' });
    log.close();
    expect((await readRunStatus(runDir)).phase).toBe('ended');
  });
});
