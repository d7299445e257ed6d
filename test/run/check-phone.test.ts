// `rollcall check --channels sms,voice` against the loopback Twilio: logs in, sends nothing.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTwilio } from '../servers/twilio.js';
import { binPath, repoRoot } from '../support/cli.js';

let twilio: FakeTwilio;
beforeAll(async () => {
  twilio = await new FakeTwilio().start();
});
afterAll(() => twilio.close());

function check(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [binPath, 'check', '--directory', join(repoRoot, 'fixtures', 'directory.yaml'), '--channels', 'sms,voice', '--json'], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', ROLLCALL_SMTP_URL: '', ROLLCALL_IMAP_URL: '', ...env },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

describe('rollcall check for the phone channels', () => {
  it('logs in to Twilio for SMS and voice and sends nothing', async () => {
    const r = await check(twilio.env());
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.servers).toEqual([
      { channel: 'sms', ok: true },
      { channel: 'voice', ok: true },
    ]);
    expect(report.directory.pings).toBeGreaterThan(68);
    expect(twilio.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('fails with the reason, without the token, when Twilio refuses the credentials', async () => {
    const r = await check({ ...twilio.env(), TWILIO_AUTH_TOKEN: 'wrong-token-123' });
    expect(r.code).not.toBe(0);
    const report = JSON.parse(r.out);
    expect(report.servers.every((s: { ok: boolean }) => !s.ok)).toBe(true);
    expect(r.out + r.err).not.toContain('wrong-token-123');
  });
});
