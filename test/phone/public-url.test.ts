// The public URL that Twilio's webhooks come through (--public-url, a tunnel or reverse proxy):
// a run does not start when a signed request to itself does not come back through it, and when
// the tunnel breaks during the run, answered calls without webhooks are noticed within a minute,
// recorded as a problem of the test itself, and said in the live view and the end summary.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createChannels } from '../../src/channels/factory.js';
import { startWebhookServer } from '../../src/channels/webhooks.js';
import { createRunView } from '../../src/cli/live-view.js';
import { describeEnd } from '../../src/cli/end-summary.js';
import type { Output } from '../../src/cli/output.js';
import { scaledClock } from '../../src/core/clock.js';
import type { Directory } from '../../src/core/directory.js';
import { SettingsError } from '../../src/core/errors.js';
import type { DeliveryStatusEvent, RunEvent, TestProblemEvent } from '../../src/core/events.js';
import { runSession, type RunView } from '../../src/run/session.js';
import { loadSettings } from '../../src/settings.js';
import { testProblems } from '../../src/stats/phone-findings.js';
import { binPath, repoRoot } from '../support/cli.js';
import { freePort } from '../servers/dovecot.js';
import { startFakeTwilio, type FakeTwilio } from '../servers/twilio.js';
import { eventsOf, newRun, tempDir } from '../run/support.js';
import { startTunnel, type TestTunnel } from './tunnel.js';

const tmp = tempDir('rollcall-public-url-');
afterAll(() => tmp.remove());

let fake: FakeTwilio | undefined;
let tunnel: TestTunnel | undefined;
const servers: Server[] = [];
afterEach(async () => {
  await tunnel?.close();
  await fake?.close();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  tunnel = undefined;
  fake = undefined;
});

/** Three countries with a voice number each (fictional numbers), all answering and pressing 1. */
const DIRECTORY: Directory = {
  network: '24/7 Test Network',
  parties: [
    ['FR', 'France', '+33612345610'],
    ['DE', 'Germany', '+4915123456710'],
    ['ES', 'Spain', '+34612345610'],
  ].map(([iso, country, phone]) => ({
    country: country!,
    iso: iso!,
    status: 'party' as const,
    contacts: [{ id: `${iso}-POL`, unit: 'Cybercrime Unit', kind: 'police' as const, emails: [], phones: [phone!], sms: [], timezone: 'Europe/Paris', languages: ['en'] }],
  })),
};

function output(): { o: Output; text: () => string } {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { o: { out, err: new PassThrough(), color: false, interactive: false, json: false, env: {}, cwd: tmp.path }, text: () => text };
}

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const s = createServer(handler);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

describe('the public URL self-check', () => {
  it('passes through a working tunnel, and names what came back otherwise', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const server = await startWebhookServer({ publicUrl: `${dead}/hooks`, authToken: 'token-one' });
    try {
      // Nothing listens there.
      expect(await server.checkPublicUrl({ attempts: 2, pauseMs: 10 })).toMatchObject({ ok: false, url: `${dead}/hooks/self-check`, detail: 'ECONNREFUSED' });
    } finally {
      await server.close();
    }
    // Another web server answers: 200 is not enough, our nonce must come back.
    const other = await listen((_req, res) => res.writeHead(200).end('OK'));
    const s2 = await startWebhookServer({ publicUrl: other, authToken: 'token-one' });
    try {
      expect(await s2.checkPublicUrl({ attempts: 1 })).toMatchObject({ ok: false, detail: "HTTP 200, but not from this run's webhook server (another server answers at that address)" });
    } finally {
      await s2.close();
    }
    // Through a tunnel (the public path under a base path), then with its far end gone.
    const port = await freePort();
    tunnel = await startTunnel(`http://127.0.0.1:${port}`);
    const s3 = await startWebhookServer({ publicUrl: `${tunnel.url}/base`, authToken: 'token-one', port });
    try {
      const ok = await s3.checkPublicUrl();
      expect(ok).toMatchObject({ ok: true, url: `${tunnel.url}/base/self-check` });
      expect(ok.ms).toBeGreaterThanOrEqual(0);
      expect(tunnel.forwarded).toBe(1);
      tunnel.break();
      expect(await s3.checkPublicUrl({ attempts: 2, pauseMs: 10 })).toMatchObject({ ok: false, detail: 'HTTP 502: tunnel offline: no agent connected' });
      expect(tunnel.received).toBe(3);
    } finally {
      await s3.close();
    }
    // A server with another auth token (another process) refuses our signature.
    const port2 = await freePort();
    const theirs = await startWebhookServer({ publicUrl: `http://127.0.0.1:${port2}`, authToken: 'token-two', port: port2 });
    const ours = await startWebhookServer({ publicUrl: `http://127.0.0.1:${port2}`, authToken: 'token-one' });
    try {
      expect((await ours.checkPublicUrl({ attempts: 1 })).detail).toMatch(/^HTTP 403: a rollcall webhook server answered but refused the signature/);
    } finally {
      await ours.close();
      await theirs.close();
    }
  });

  it('`rollcall run` refuses to start when the public URL does not reach its webhook server: exit 2, no run, nothing sent', async () => {
    fake = await startFakeTwilio();
    const directory = join(tmp.path, 'directory.json');
    writeFileSync(directory, JSON.stringify({ ...DIRECTORY, updated: '2024-06-01' }));
    const [deadPort, webhookPort] = [await freePort(), await freePort()];
    const runsDir = join(tmp.path, 'refused-runs');
    const publicUrl = `http://127.0.0.1:${deadPort}`;
    const child = spawn(process.execPath, [binPath, 'run', '--directory', directory, '--channels', 'voice', '--window', '1m', '--runs-dir', runsDir, '--public-url', publicUrl, '--webhook-port', String(webhookPort), '--yes'], {
      cwd: repoRoot,
      env: { ...process.env, ...fake.env(), NO_COLOR: '1' },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code, stderr).toBe(2);
    expect(stderr).toContain(
      `rollcall: --public-url ${publicUrl} does not reach rollcall's webhook server on 127.0.0.1:${webhookPort} (a signed test request to ${publicUrl}/self-check: ECONNREFUSED). ` +
        `Twilio could not deliver key presses or call statuses. Make the tunnel or reverse proxy forward ${publicUrl} to 127.0.0.1:${webhookPort}, then start again.`,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stdout).toBe('');
    expect(existsSync(runsDir)).toBe(false);
    expect(fake.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(stderr + stdout).not.toContain(fake.authToken);
  }, 60_000);
});

describe('the live view on a terminal', () => {
  it('shows a red WARNING line while webhooks are missing, and drops it when they arrive again', async () => {
    const { runDir, plan } = newRun(tmp.path, DIRECTORY, { channels: ['voice'], simulated: false });
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    const o: Output = { out, err: new PassThrough(), color: true, interactive: true, json: false, env: {}, cwd: tmp.path };
    const clock = scaledClock(new Date('2024-06-05T07:30:00Z'), 1);
    const view = await createRunView(o, { plan, directory: DIRECTORY, runDir, clock, events: [] });
    const base = { v: 1 as const, type: 'test-problem' as const, problem: 'webhooks-missing' as const, channel: 'voice' as const };
    view.event({ ...base, at: '2024-06-05T07:32:10.000Z', detail: 'no webhook', pingIds: ['FR-POL/voice/1'], since: '2024-06-05T07:31:05.000Z' });
    view.stop();
    const warning = 'WARNING  no webhook from Twilio since 07:31: the public URL does not forward, key presses are lost';
    expect(text).toContain(`\x1b[1m\x1b[31m${warning}`);
    text = '';
    view.event({ ...base, at: '2024-06-05T07:40:00.000Z', detail: 'webhooks from Twilio arrive again', pingIds: [], since: '2024-06-05T07:40:00.000Z', resolved: true });
    view.stop();
    expect(text).not.toContain('WARNING');
    expect(text).toContain('Pings');
  });
});

describe('a run whose tunnel breaks', () => {
  /** Everything of a run with the voice channel through `tunnel`, on a clock 60 times real time. */
  async function voiceRun(opts: { breakAt?: 'start' | 'before-open' }) {
    const clock = scaledClock(new Date('2024-06-05T08:00:00Z'), 60);
    fake = await startFakeTwilio({ now: () => clock.now(), speed: 60 });
    // Each callee picks up after ringing 30 s and presses 1 ten seconds into the message.
    fake.scriptContactPoints(DIRECTORY, () => ({ calls: ['press'], ringSeconds: 30, pressAfterSeconds: 10 }));
    const webhookPort = await freePort();
    tunnel = await startTunnel(`http://127.0.0.1:${webhookPort}`);
    const settings = loadSettings(fake.env(), tmp.path, '');
    const { runDir, plan } = newRun(tmp.path, DIRECTORY, { channels: ['voice'], simulated: false, windowSeconds: 300, now: clock.now(), schedule: { startAt: clock.now(), plan: { kind: 'now', tz: 'UTC' } } });
    const warnings: string[] = [];
    const channels = await createChannels({ names: ['voice'], settings, clock, network: DIRECTORY.network, publicUrl: tunnel.url, webhookPort, warn: (m) => warnings.push(m), notice: () => {} });
    if (opts.breakAt === 'before-open') tunnel.break();
    const { o, text } = output();
    const t = tunnel;
    const session = runSession({
      runDir,
      plan,
      directory: DIRECTORY,
      channels,
      clock,
      command: 'run',
      view: async (events): Promise<RunView> => {
        const inner = await createRunView(o, { plan, directory: DIRECTORY, runDir, clock, events });
        return {
          phase: (p) => inner.phase(p),
          // Right after the start (the self-check has passed), before any call is picked up.
          event: (e: RunEvent) => (e.type === 'run-started' && opts.breakAt === 'start' && t.break(), inner.event(e)),
          stop: () => inner.stop(),
        };
      },
    });
    return { session, runDir, warnings, text, o };
  }

  it('notices answered calls without webhooks within a minute, records it, and says so in the live view and the end summary', async () => {
    const { session, runDir, warnings, text, o } = await voiceRun({ breakAt: 'start' });
    const result = await session;
    expect(result.outcome).toBe('ended');
    const events = await eventsOf(runDir);

    // The self-check came through before the tunnel broke; then only 502s for Twilio.
    expect(fake!.webhooks.length).toBeGreaterThan(0);
    expect(fake!.webhooks.every((w) => w.status === 502)).toBe(true);
    expect(fake!.calls.every((c) => c.pressedAt !== undefined)).toBe(true);

    // Recorded as a problem of the test itself, naming the three calls, a minute after pick-up.
    const problems = events.filter((e): e is TestProblemEvent => e.type === 'test-problem');
    expect(problems.length).toBeGreaterThanOrEqual(1);
    expect(problems.every((p) => !p.resolved && p.problem === 'webhooks-missing' && p.channel === 'voice')).toBe(true);
    const episode = testProblems(events);
    expect(episode).toHaveLength(1);
    expect(episode[0]!.pingIds).toEqual(['DE-POL/voice/1', 'ES-POL/voice/1', 'FR-POL/voice/1']);
    expect(episode[0]!.until).toBeUndefined();
    const first = problems[0]!;
    expect(Date.parse(first.at) - Date.parse(first.since)).toBeGreaterThanOrEqual(60_000);
    expect(Date.parse(first.at) - Date.parse(first.since)).toBeLessThan(2 * 60_000);
    // Each call says it got no webhook; no key press was heard.
    const finals = events.filter((e): e is DeliveryStatusEvent => e.type === 'delivery-status' && e.final);
    expect(finals.map((f) => f.detail)).toEqual(Array(3).fill('answered; no key press received, and no webhook at all arrived for this call (is the public URL forwarding?)'));
    expect(events.filter((e) => e.type === 'message-received')).toEqual([]);
    expect(result.stats!.silent.map((c) => c.iso).sort()).toEqual(['DE', 'ES', 'FR']);

    // Said at once (stderr), in the progress lines, and in the end summary.
    expect(warnings.filter((w) => w.startsWith('WARNING: no webhook from Twilio has reached rollcall'))).toHaveLength(1);
    expect(text()).toMatch(/WARNING: no webhook from Twilio has reached rollcall for \d answered calls? \(.*\) within 1 min: http:\/\/127\.0\.0\.1:\d+ does not seem to forward/);
    const summary = await describeEnd(result, { runDir, cwd: o.cwd, color: false, table: true });
    expect(summary.split('\n')[0]).toMatch(/^WARNING, about the test itself: no webhook from Twilio has reached rollcall .* \(from \S+ to the end of this sitting; pings affected: DE-POL\/voice\/1, ES-POL\/voice\/1, FR-POL\/voice\/1\)$/);
  }, 60_000);

  it('does not start when the tunnel is down at the start time: nothing is sent', async () => {
    const { session, runDir } = await voiceRun({ breakAt: 'before-open' });
    const error = await session.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toMatch(/^--public-url http:\/\/127\.0\.0\.1:\d+ does not reach rollcall's webhook server on 127\.0\.0\.1:\d+ \(a signed test request to .*\/self-check: HTTP 502: tunnel offline: no agent connected\)/);
    const events = await eventsOf(runDir).catch(() => []);
    expect(events.filter((e) => e.type === 'run-started' || e.type === 'ping-started')).toEqual([]);
    expect(fake!.requests.filter((r) => r.method === 'POST')).toEqual([]);
  }, 60_000);
});
