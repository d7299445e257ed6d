// `rollcall check` from the built CLI, against the secretariat's own receiving server as it is in
// real life: an SMTP server on 127.0.0.1 that checks each message with mailauth (DNS from the
// loopback DNS server), writes its Authentication-Results (authserv-id mx.rollcall.test) and
// delivers into Dovecot over LMTP. The signed ping must arrive there with dkim=pass; a key that is
// not the published one fails the check; an unsigned ping is only noted.
import { spawn } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { authenticate } from 'mailauth';
import nodemailer from 'nodemailer';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, repoRoot } from '../support/cli.js';
import { startDns, type DnsHarness } from '../servers/dns.js';
import { startDovecot, type Dovecot } from '../servers/dovecot.js';
import { dkimKeyPair, dkimRecord, type KeyPair } from './authenticity-support.js';

const AUTHSERV_ID = 'mx.rollcall.test';
const tmp = mkdtempSync(join(tmpdir(), 'rollcall-auth-check-'));
let dovecot: Dovecot | undefined;
let dns: DnsHarness;
let mx: { port: number; stop: () => Promise<void>; verified: number } | undefined;
let unavailable: string | undefined;
let key: KeyPair;
let keyFile: string;
let otherKeyFile: string;
let directoryFile: string;
let nextUser = 0;

/** The secretariat's receiving server: checks, records Authentication-Results, delivers. */
async function startReceivingServer(lmtpPort: number, dnsServer: string): Promise<{ port: number; stop: () => Promise<void>; verified: number }> {
  const resolver = new dnsPromises.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([dnsServer]);
  const lmtp = nodemailer.createTransport({ host: '127.0.0.1', port: lmtpPort, lmtp: true, logger: false });
  const state = { port: 0, verified: 0, stop: async () => {} };
  const server = new SMTPServer({
    name: AUTHSERV_ID,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        void (async () => {
          const res = await authenticate(raw, {
            ip: session.remoteAddress.replace(/^::ffff:/, ''),
            helo: session.hostNameAppearsAs,
            sender,
            mta: AUTHSERV_ID,
            disableBimi: true,
            resolver: (name: string, type: string) => resolver.resolve(name, type) as Promise<string[][]>,
          });
          state.verified++;
          const received = `Received: from ${session.hostNameAppearsAs} (localhost [${session.remoteAddress}])\r\n\tby ${AUTHSERV_ID} with ESMTP; ${new Date().toUTCString()}\r\n`;
          const delivered = Buffer.concat([Buffer.from(res.headers + received), raw]);
          await lmtp.sendMail({ envelope: { from: sender, to: session.envelope.rcptTo.map((r) => r.address) }, raw: delivered });
          cb();
        })().catch((e: unknown) => cb(e as Error));
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.server.address() as AddressInfo).port;
  state.stop = async () => {
    lmtp.close();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return state;
}

beforeAll(async () => {
  dns = await startDns();
  key = dkimKeyPair();
  keyFile = join(tmp, 'dkim.pem');
  writeFileSync(keyFile, key.privateKey, { mode: 0o600 });
  otherKeyFile = join(tmp, 'other.pem');
  writeFileSync(otherKeyFile, dkimKeyPair().privateKey, { mode: 0o600 });
  dns.txt('rollcall.test', 'v=spf1 ip4:127.0.0.0/8 -all');
  dns.txt('_dmarc.rollcall.test', 'v=DMARC1; p=reject; adkim=r');
  dns.txt('rc2024._domainkey.rollcall.test', dkimRecord(key));
  directoryFile = join(tmp, 'directory.yaml');
  writeFileSync(
    directoryFile,
    [
      'network: 24/7 Test Network',
      'updated: 2024-06-01',
      'parties:',
      '  - country: Armenia',
      '    iso: AM',
      '    status: party',
      '    contacts:',
      '      - id: AM-POL',
      '        unit: Cybercrime Unit',
      '        kind: police',
      '        emails: [poc3@police.am.test]',
      '        phones: []',
      '        timezone: Asia/Yerevan',
      '        languages: [en]',
      '',
    ].join('\n'),
  );
  try {
    dovecot = await startDovecot({ users: ['secretariat0@rollcall.test', 'secretariat1@rollcall.test', 'secretariat2@rollcall.test'] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING rollcall check against Dovecot: ${unavailable}`);
    return;
  }
  mx = await startReceivingServer(dovecot.lmtpPort, dns.server);
});

afterAll(async () => {
  await mx?.stop();
  await dovecot?.stop();
  await dns?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

function envFor(extra: Record<string, string>): Record<string, string> {
  const user = `secretariat${nextUser++}@rollcall.test`;
  return {
    ROLLCALL_SMTP_URL: `smtp://127.0.0.1:${mx!.port}`,
    ROLLCALL_IMAP_URL: dovecot!.imapUrl(user),
    ROLLCALL_FROM: `24/7 Network Secretariat <${user}>`,
    ROLLCALL_DNS_SERVERS: dns.server,
    ...extra,
  };
}

function check(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binPath, 'check', '--directory', directoryFile, '--timeout', '20s', ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('rollcall check: will contact points trust our pings?', () => {
  it('finds SPF and DMARC published, the signing key published, and the ping arriving with dkim=pass', async (ctx) => {
    if (unavailable) return ctx.skip();
    const before = mx!.verified;
    const r = await check(['--json'], envFor({ ROLLCALL_DKIM_PRIVATE_KEY_FILE: keyFile, ROLLCALL_DKIM_SELECTOR: 'rc2024', ROLLCALL_TRUSTED_AUTHSERV_IDS: AUTHSERV_ID }));
    expect(r.status, r.stderr + r.stdout).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(mx!.verified).toBe(before + 1);
    expect(report.authenticity).toMatchObject({
      domain: { domain: 'rollcall.test', spf: 'v=spf1 ip4:127.0.0.0/8 -all', dmarcPolicy: 'reject', dkimKey: { name: 'rc2024._domainkey.rollcall.test', published: true, matches: true }, errors: [] },
      signing: { selector: 'rc2024', domain: 'rollcall.test' },
      arrival: { authservId: AUTHSERV_ID, trusted: true, dkim: 'pass', spf: 'pass', dmarc: 'pass' },
      problems: [],
    });
    expect(report.roundTrip.authentication).toEqual(report.authenticity.arrival);
    expect(r.stdout + r.stderr).not.toContain('PRIVATE KEY');
  }, 60_000);

  it('fails when the published key is not the one that signs, and says so in words', async (ctx) => {
    if (unavailable) return ctx.skip();
    const r = await check([], envFor({ ROLLCALL_DKIM_PRIVATE_KEY_FILE: otherKeyFile, ROLLCALL_DKIM_SELECTOR: 'rc2024', ROLLCALL_TRUSTED_AUTHSERV_IDS: AUTHSERV_ID }));
    expect(r.status, r.stderr + r.stdout).toBe(1);
    expect(r.stdout).toContain('Will contact points trust our pings? (rollcall.test)');
    expect(r.stdout).toMatch(/^ok {5}SPF: rollcall\.test publishes "v=spf1 ip4:127\.0\.0\.0\/8 -all"$/m);
    expect(r.stdout).toMatch(/^ok {5}DMARC: _dmarc\.rollcall\.test publishes "v=DMARC1; p=reject; adkim=r"$/m);
    expect(r.stdout).toMatch(/^FAILED DKIM: the key published at rc2024\._domainkey\.rollcall\.test is not the public half of ROLLCALL_DKIM_PRIVATE_KEY_FILE/m);
    expect(r.stdout).toMatch(/^FAILED the ping arrived with dkim=fail .*\(Authentication-Results of mx\.rollcall\.test\): the receiving server does not accept our signature$/m);
    expect(r.stdout).toContain('Not ready: see above.');
  }, 60_000);

  it('notes unsigned pings, and names the receiving server to trust', async (ctx) => {
    if (unavailable) return ctx.skip();
    const r = await check([], envFor({}));
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^note {3}DKIM: pings go out unsigned/m);
    expect(r.stdout).toMatch(/^note {3}the ping arrived with dkim=none spf=pass dmarc=pass \(Authentication-Results of mx\.rollcall\.test\)$/m);
    expect(r.stdout).toContain('note   mx.rollcall.test is not in trustedAuthservIds: add `trustedAuthservIds: [mx.rollcall.test]` to rollcall.config.yaml');
  }, 60_000);
});
