// Forged answers and a forged bounce caught from the built CLI (issue 13), against real servers on
// 127.0.0.1: Dovecot (IMAP, LMTP), an SMTP server that delivers into it and bounces unknown
// mailboxes, and a DNS server publishing the contact points' DKIM keys and DMARC policies. In each
// run: a forged answer (the right In-Reply-To from a contact point's address, failing its domain's
// p=reject, or marked dmarc=fail by the secretariat's own receiving server), a genuine one signed
// with a key the DNS publishes, a genuine one that server marked dkim=pass, a genuine out-of-office,
// a forged bounce for a working address and a real bounce. Then `stats`, `report`, `inspect --run`
// and `status` as a user would, under `report` and `require`; a second run created with
// `--authenticity require` and no reachable DNS server.
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmailChannel } from '../../src/channels/email.js';
import { systemClock } from '../../src/core/clock.js';
import { EventLog } from '../../src/core/event-log.js';
import type { MessageAuthenticity, MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import { RunFolder } from '../../src/core/run-folder.js';
import { Recorder } from '../../src/run/recorder.js';
import { DEFAULT_SUBJECT } from '../../src/settings.js';
import type { Stats } from '../../src/stats/types.js';
import { startDns, type DnsHarness } from '../servers/dns.js';
import { startDovecot, type Dovecot } from '../servers/dovecot.js';
import { composeBounce, startSmtp, type SmtpDelivery, type SmtpHarness } from '../servers/smtp.js';
import { binPath } from '../support/cli.js';
import { ofType, until } from '../support/run-log.js';
import { dkimKeyPair, dkimRecord, signed, type KeyPair } from '../mail/authenticity-support.js';
import { eventsOf, tempDir } from './support.js';

const SMTP_AUTH = { user: 'rollcall-sender', pass: 'Auth-run-pa55word' };
const AUTHSERV_ID = 'mx.rollcall.test';
/** Mailboxes Dovecot knows; gone@police.gh.test is not one of them, and bounces. */
const MAILBOXES = ['poc@police.fr.test', 'poc3@police.al.test', 'duty@prosecution.al.test', 'cyber@bka.de.test', 'ncu@policia.es.test', 'duty@polizia.it.test', 'silent@politie.nl.test'];

const DIRECTORY = `network: 24/7 Test Network
updated: 2024-06-01
parties:
  - { country: France, iso: FR, status: party, contacts: [{ id: FR-POL, unit: Police, kind: police, emails: [poc@police.fr.test], timezone: Europe/Paris }] }
  - country: Albania
    iso: AL
    status: party
    contacts:
      - { id: AL-POL, unit: Police, kind: police, emails: [poc3@police.al.test], timezone: Europe/Tirane }
      - { id: AL-PRO, unit: Prosecution, kind: prosecution, emails: [duty@prosecution.al.test], timezone: Europe/Tirane }
  - { country: Germany, iso: DE, status: party, contacts: [{ id: DE-POL, unit: BKA, kind: police, emails: [cyber@bka.de.test], timezone: Europe/Berlin }] }
  - { country: Spain, iso: ES, status: party, contacts: [{ id: ES-POL, unit: Policia, kind: police, emails: [ncu@policia.es.test], timezone: Europe/Madrid }] }
  - { country: Italy, iso: IT, status: party, contacts: [{ id: IT-POL, unit: Polizia, kind: police, emails: [duty@polizia.it.test], timezone: Europe/Rome }] }
  - { country: Ghana, iso: GH, status: party, contacts: [{ id: GH-POL, unit: Police, kind: police, emails: [gone@police.gh.test], timezone: Africa/Accra }] }
  - { country: Netherlands, iso: NL, status: party, contacts: [{ id: NL-POL, unit: Politie, kind: police, emails: [silent@politie.nl.test], timezone: Europe/Amsterdam }] }
`;

const tmp = tempDir('rollcall-authrun-');
let dovecot: Dovecot | undefined;
let smtp: SmtpHarness | undefined;
let dns: DnsHarness | undefined;
let transport: Transporter | undefined;
let unavailable: string | undefined;
let key: KeyPair;
/** A UDP port where no DNS server listens: DNS unreachable. */
let deadDnsPort = 0;
const directoryFile = join(tmp.path, 'directory.yaml');
const runsDir = join(tmp.path, 'runs');

beforeAll(async () => {
  try {
    dovecot = await startDovecot({ users: ['secretariat0@rollcall.test', 'secretariat1@rollcall.test', 'secretariat2@rollcall.test', ...MAILBOXES] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING authenticity runs against real servers: ${unavailable}`);
    return;
  }
  smtp = await startSmtp({ lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort }, auth: SMTP_AUTH });
  transport = nodemailer.createTransport({ host: '127.0.0.1', port: smtp.port, auth: SMTP_AUTH, secure: false, ignoreTLS: true });
  dns = await startDns();
  key = dkimKeyPair();
  // Germany signs its mail and publishes the key; France, Germany and Italy publish p=reject.
  dns.txt('rc2024._domainkey.bka.de.test', dkimRecord(key));
  dns.txt('_dmarc.bka.de.test', 'v=DMARC1; p=reject');
  dns.txt('_dmarc.police.fr.test', 'v=DMARC1; p=reject; rua=mailto:dmarc@police.fr.test');
  dns.txt('_dmarc.polizia.it.test', 'v=DMARC1; p=reject');
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  deadDnsPort = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  writeFileSync(directoryFile, DIRECTORY);
  mkdirSync(runsDir);
}, 60_000);

afterAll(async () => {
  transport?.close();
  await smtp?.stop();
  await dns?.stop();
  await dovecot?.stop();
  tmp.remove();
}, 30_000);

function env(secretariat: string, dnsServer: string): Record<string, string> {
  return {
    ROLLCALL_SMTP_URL: smtp!.url(SMTP_AUTH),
    ROLLCALL_IMAP_URL: dovecot!.imapUrl(secretariat),
    ROLLCALL_FROM: `24/7 Network Secretariat <${secretariat}>`,
    ROLLCALL_TRUSTED_AUTHSERV_IDS: AUTHSERV_ID,
    ROLLCALL_DNS_SERVERS: dnsServer,
  };
}

/** The built CLI, spawned without blocking this process: its servers (DNS above all) must answer. */
function cli(args: string[], e: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [binPath, ...args], { cwd: tmp.path, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...e } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** A reply as the contact point's mail client writes it; `top` are headers above (a receiving
 * server's Authentication-Results). */
function reply(o: { from: string; to: string; ping: SmtpDelivery; body: string; top?: string[]; headers?: string[] }): string {
  const subject = /^Subject: (.*)$/im.exec(o.ping.raw.toString('utf8'))![1]!;
  return [
    ...(o.top ?? []),
    `From: Duty officer <${o.from}>`,
    `To: ${o.to}`,
    `Subject: Re: ${subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${Math.random().toString(36).slice(2)}@${o.from.split('@')[1]}>`,
    `In-Reply-To: ${o.ping.messageId}`,
    `References: ${o.ping.messageId}`,
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body,
    '',
  ].join('\r\n');
}

const trusted = (results: string) => `Authentication-Results: ${AUTHSERV_ID}; ${results}`;

/** How the contact points answer each ping (and who forges what). `dnsPolicies`: the forgeries
 * of France and Italy are caught by their domains' published p=reject; without it, by the
 * receiving server's dmarc=fail. */
async function answer(ping: SmtpDelivery, secretariat: string, dnsPolicies: boolean): Promise<void> {
  const to = ping.to[0]!;
  const send = (from: string, raw: string) => transport!.sendMail({ envelope: { from, to: [secretariat] }, raw });
  switch (to) {
    case 'poc@police.fr.test': {
      // Forged from someone else's server, with an Authentication-Results of the forger's making;
      // without DNS, the secretariat's receiving server caught it.
      const caught = trusted('dkim=none; spf=fail smtp.mailfrom=police.fr.test; dmarc=fail (p=REJECT) header.from=police.fr.test');
      return void (await send('poc@police.fr.test', reply({
        from: to,
        to: secretariat,
        ping,
        body: 'Received, the 24/7 point of contact is available.',
        top: dnsPolicies ? [] : [caught],
        headers: ['Authentication-Results: mx.forger.test; dkim=pass header.d=police.fr.test; dmarc=pass header.from=police.fr.test'],
      })));
    }
    case 'poc3@police.al.test':
      return void (await send(to, reply({ from: to, to: secretariat, ping, body: 'Received.', top: [trusted('dkim=none; spf=softfail smtp.mailfrom=police.al.test; dmarc=fail (p=REJECT sp=REJECT) header.from=police.al.test')] })));
    case 'duty@prosecution.al.test':
      return void (await send(to, reply({ from: to, to: secretariat, ping, body: 'I am out of the office.', headers: ['Auto-Submitted: auto-replied'] })));
    case 'cyber@bka.de.test':
      return void (await send(to, await signed(reply({ from: to, to: secretariat, ping, body: 'Received, BKA 24/7 desk.' }), 'bka.de.test', 'rc2024', key)));
    case 'ncu@policia.es.test':
      return void (await send(to, reply({ from: to, to: secretariat, ping, body: 'Recibido.', top: [trusted('dkim=pass header.d=policia.es.test header.s=s1; spf=pass smtp.mailfrom=policia.es.test; dmarc=pass (p=QUARANTINE) header.from=policia.es.test')] })));
    case 'duty@polizia.it.test': {
      // A forged bounce: the address works, someone says it does not.
      const bounce = composeBounce({
        reportingMta: 'polizia.it.test',
        sender: secretariat,
        recipient: to,
        status: '5.1.1',
        diagnostic: `550 5.1.1 <${to}>: Recipient address rejected: User unknown`,
        original: ping.raw,
      });
      const top = dnsPolicies ? [] : [trusted('spf=none smtp.helo=polizia.it.test; dkim=none; dmarc=fail (p=REJECT) header.from=polizia.it.test')];
      return void (await transport!.sendMail({ envelope: { from: '', to: [secretariat] }, raw: [...top, bounce].join('\r\n') }));
    }
    default:
      return; // Netherlands stays silent; Ghana's mailbox does not exist (a real bounce)
  }
}

/** A run from the built CLI, its pings answered as they reach the SMTP server. */
async function runTest(o: { secretariat: string; dnsServer: string; dnsPolicies: boolean; args: string[] }): Promise<{ status: number | null; stdout: string; stderr: string; runDir: string; events: RunEvent[] }> {
  const handled = new Set<SmtpDelivery>();
  const answers: Array<Promise<void>> = [];
  const timer = setInterval(() => {
    for (const d of smtp!.received) {
      if (handled.has(d) || d.from !== o.secretariat) continue;
      handled.add(d);
      answers.push(answer(d, o.secretariat, o.dnsPolicies));
    }
  }, 50);
  const before = new Set(readdirSync(runsDir));
  try {
    const r = await cli(['run', '--directory', directoryFile, '--window', '15s', '--buckets', '5s,10s,15s', '--runs-dir', runsDir, '--yes', ...o.args], env(o.secretariat, o.dnsServer));
    await Promise.all(answers);
    const runDir = join(runsDir, readdirSync(runsDir).find((f) => !before.has(f))!);
    return { ...r, runDir, events: await eventsOf(runDir) };
  } finally {
    clearInterval(timer);
  }
}

const country = (s: Stats, iso: string) => s.countries.find((c) => c.iso === iso)!;
const finding = (s: Stats, iso: string) => s.findings.find((f) => f.iso === iso);
/** The message events of a run by sender address (the bounces by their class and recipient). */
function byWho(events: RunEvent[]): Map<string, MessageReceivedEvent> {
  const out = new Map<string, MessageReceivedEvent>();
  for (const m of ofType(events, 'message-received')) out.set(m.class === 'bounce' ? `bounce:${m.bounce?.recipient?.replace(/^.*;\s*/, '')}` : m.from.replace(/^.*<|>.*$/g, ''), m);
  return out;
}
const verdictOf = (m: MessageReceivedEvent | undefined): Pick<MessageAuthenticity, 'verdict' | 'source'> | undefined => m?.authenticity && { verdict: m.authenticity.verdict, source: m.authenticity.source };

describe('forged answers and a forged bounce, caught from the built CLI', () => {
  let run1: Awaited<ReturnType<typeof runTest>> | undefined;

  it('a run under report: every message carries its verdict; the forged answers count and are listed', async (ctx) => {
    if (unavailable) return ctx.skip();
    run1 = await runTest({ secretariat: 'secretariat0@rollcall.test', dnsServer: dns!.server, dnsPolicies: true, args: [] });
    const { status, stdout, stderr, runDir, events } = run1;
    expect(status, stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')).authenticity).toBe('report');

    const m = byWho(events);
    expect(ofType(events, 'message-received')).toHaveLength(7);
    expect([...m.keys()].sort()).toEqual(['bounce:duty@polizia.it.test', 'bounce:gone@police.gh.test', 'cyber@bka.de.test', 'duty@prosecution.al.test', 'ncu@policia.es.test', 'poc3@police.al.test', 'poc@police.fr.test']);
    expect(verdictOf(m.get('poc@police.fr.test'))).toEqual({ verdict: 'fail', source: 'rollcall' });
    expect(m.get('poc@police.fr.test')!.authenticity!.reasons[0]).toMatch(/^police\.fr\.test publishes a DMARC policy \(p=reject\) and this message does not meet it/);
    expect(verdictOf(m.get('poc3@police.al.test'))).toEqual({ verdict: 'fail', source: 'authentication-results' });
    expect(verdictOf(m.get('duty@prosecution.al.test'))).toEqual({ verdict: 'none', source: 'rollcall' });
    expect(verdictOf(m.get('cyber@bka.de.test'))).toEqual({ verdict: 'pass', source: 'rollcall' });
    expect(verdictOf(m.get('ncu@policia.es.test'))).toEqual({ verdict: 'pass', source: 'authentication-results' });
    expect(verdictOf(m.get('bounce:duty@polizia.it.test'))).toEqual({ verdict: 'fail', source: 'rollcall' });
    expect(verdictOf(m.get('bounce:gone@police.gh.test'))).toEqual({ verdict: 'none', source: 'rollcall' });
    // The keys and policies were looked up on the test's DNS server, nowhere else.
    expect(dns!.queries).toEqual(expect.arrayContaining(['TXT rc2024._domainkey.bka.de.test', 'TXT _dmarc.police.fr.test', 'TXT _dmarc.polizia.it.test']));

    // The end of the run says how many answers could not be confirmed, and that they counted.
    expect(stdout).toMatch(/^Origin of the answers: confirmed \(DMARC or aligned DKIM pass\) 2; not confirmed \(the check failed\) 2$/m);
    expect(stdout).toContain('Answers whose origin could not be confirmed count, and are listed below.');
    expect(stdout).toMatch(/^ {2}France \(FR-POL\), from .*<poc@police\.fr\.test>, arrived \d{4}-\d\d-\d\d \d\d:\d\d UTC: counted$/m);
    expect(stdout).toMatch(/^ {2}Albania \(AL-POL\), from .*<poc3@police\.al\.test>, arrived .*: counted$/m);
    expect(stdout).toContain('1 bounce failed the check of its origin.');
    expect(stdout).toContain('\nOrigin: 2 answers whose origin could not be confirmed, counted (policy report); 1 bounce failed the check.\n');
  }, 120_000);

  it('stats: under report the forged answer counts and is listed; under require it does not, and the forged bounce marks nothing', async (ctx) => {
    if (unavailable || !run1) return ctx.skip();
    const e = env('secretariat0@rollcall.test', dns!.server);
    const report = JSON.parse((await cli(['stats', run1.runDir, '--json'], e)).stdout) as Stats;
    expect(country(report, 'FR')).toMatchObject({ outcome: 'answered', authenticity: 'fail' });
    expect(country(report, 'AL')).toMatchObject({ outcome: 'answered', contactId: 'AL-POL', authenticity: 'fail' });
    expect(country(report, 'DE')).toMatchObject({ outcome: 'answered', authenticity: 'pass' });
    expect(country(report, 'ES')).toMatchObject({ outcome: 'answered', authenticity: 'pass' });
    expect(country(report, 'IT').outcome).toBe('unreachable');
    expect(country(report, 'GH').outcome).toBe('unreachable');
    expect(report.authenticity).toMatchObject({ policy: 'report', counted: { pass: 2, fail: 2, none: 0, unknown: 0, unchecked: 0 }, unauthenticatedBounces: 1 });
    expect(report.authenticity!.unconfirmed.map((u) => [u.country, u.contactId, u.from, u.counted]).sort()).toEqual([
      ['Albania', 'AL-POL', '"Duty officer" <poc3@police.al.test>', true],
      ['France', 'FR-POL', '"Duty officer" <poc@police.fr.test>', true],
    ]);
    expect(finding(report, 'IT')).toMatchObject({ status: 'failed', address: 'duty@polizia.it.test' });
    expect(finding(report, 'IT')!.detail).toMatch(/^bounce: 5\.1\.1 failed .* \(unauthenticated bounce: its origin could not be confirmed\)$/);
    expect(finding(report, 'GH')!.detail).not.toContain('unauthenticated');

    const require = JSON.parse((await cli(['stats', run1.runDir, '--authenticity', 'require', '--json'], e)).stdout) as Stats;
    expect(country(require, 'FR').outcome).toBe('silent');
    expect(country(require, 'AL')).toMatchObject({ outcome: 'automatic-only', received: ['auto-reply'] });
    expect(country(require, 'IT').outcome).toBe('silent');
    expect(finding(require, 'IT')).toBeUndefined();
    expect(country(require, 'GH').outcome).toBe('unreachable');
    expect(require.authenticity).toMatchObject({ policy: 'require', counted: { pass: 2, fail: 0 } });
    expect(require.authenticity!.unconfirmed.every((u) => !u.counted)).toBe(true);
    expect(require.buckets.at(-1)!.responded).toBe(2);

    const text = await cli(['stats', run1.runDir, '--authenticity', 'require'], e);
    expect(text.stdout).toContain('Answers whose origin could not be confirmed count for nothing here: the country falls to its next outcome.');
    expect(text.stdout).toMatch(/France \(FR-POL\), from .*<poc@police\.fr\.test>, arrived .*: not counted/);
  }, 60_000);

  it('report --format json,md,html carries the totals and lists the answers whose origin could not be confirmed', async (ctx) => {
    if (unavailable || !run1) return ctx.skip();
    const e = env('secretariat0@rollcall.test', dns!.server);
    const out = join(tmp.path, 'reports-report');
    const r = await cli(['report', run1.runDir, '--format', 'json,md,html', '--out', out], e);
    expect(r.status, r.stderr).toBe(0);
    const file = (ext: string) => readFileSync(join(out, readdirSync(out).find((f) => f.endsWith(`.${ext}`))!), 'utf8');
    const json = JSON.parse(file('json')) as { stats: Stats };
    expect(json.stats.authenticity).toMatchObject({ policy: 'report', counted: { pass: 2, fail: 2 }, unauthenticatedBounces: 1 });
    const md = file('md');
    expect(md).toContain('## Origin of the answers');
    expect(md).toMatch(/\| not confirmed \(the check failed\) +\| +2 \|/);
    expect(md).toContain('### Answers whose origin could not be confirmed');
    expect(md).toMatch(/^- France \(FR-POL\), from .*poc@police\.fr\.test>, arrived .*: counted$/m);
    expect(md).toContain('(unauthenticated bounce: its origin could not be confirmed)');
    const html = file('html');
    expect(html).toContain('<h3>Answers whose origin could not be confirmed</h3>');
    expect(html).toMatch(/<li>Albania \(AL-POL\), from [^<]*&lt;poc3@police\.al\.test&gt;, arrived [^<]*: counted<\/li>/);

    const out2 = join(tmp.path, 'reports-require');
    expect((await cli(['report', run1.runDir, '--authenticity', 'require', '--format', 'json,md', '--out', out2], e)).status).toBe(0);
    const md2 = readFileSync(join(out2, readdirSync(out2).find((f) => f.endsWith('.md'))!), 'utf8');
    expect(md2).toMatch(/^- France \(FR-POL\), from .*poc@police\.fr\.test>, arrived .*: not counted$/m);
    const json2 = JSON.parse(readFileSync(join(out2, readdirSync(out2).find((f) => f.endsWith('.json'))!), 'utf8')) as { stats: Stats };
    expect(json2.stats.authenticity?.policy).toBe('require');
    expect(country(json2.stats, 'FR').outcome).toBe('silent');
  }, 60_000);

  it('inspect --run explains each verdict', async (ctx) => {
    if (unavailable || !run1) return ctx.skip();
    const e = env('secretariat0@rollcall.test', dns!.server);
    const m = byWho(run1.events);
    const inspect = (who: string, json = false) => cli(['inspect', join(run1!.runDir, m.get(who)!.file!), '--run', run1!.runDir, ...(json ? ['--json'] : [])], e);

    const [fr, al, de] = await Promise.all([inspect('poc@police.fr.test'), inspect('poc3@police.al.test'), inspect('cyber@bka.de.test')]);
    expect(fr.status, fr.stderr).toBe(0);
    expect(fr.stdout).toMatch(/^ {2}Answers: +ping \S+ to poc@police\.fr\.test \(FR-POL, FR\)$/m);
    expect(fr.stdout).toMatch(/^ {2}Origin: +fail for police\.fr\.test \(checked by rollcall\)$/m);
    expect(fr.stdout).toContain('    - police.fr.test publishes a DMARC policy (p=reject) and this message does not meet it');
    expect(fr.stdout).toContain(`    - Authentication-Results headers from other servers than ${AUTHSERV_ID} are ignored: the sender may have written them`);

    expect(al.stdout).toMatch(new RegExp(`^ {2}Origin: +fail for police\\.al\\.test \\(as recorded by ${AUTHSERV_ID.replace(/\./g, '\\.')}\\)$`, 'm'));
    expect(al.stdout).toContain(`checked by the receiving server ${AUTHSERV_ID} (its Authentication-Results header)`);

    expect(de.stdout).toMatch(/^ {2}Origin: +pass for bka\.de\.test \(checked by rollcall\)$/m);
    expect(de.stdout).toContain("    - DMARC pass: bka.de.test's policy (p=reject) is met");

    const bounce = JSON.parse((await inspect('bounce:duty@polizia.it.test', true)).stdout) as { class: string; ping: { contactId: string }; authenticity: { verdict: string; reasons: string[] } };
    expect(bounce).toMatchObject({ class: 'bounce', ping: { contactId: 'IT-POL' }, authenticity: { verdict: 'fail' } });
    expect(bounce.authenticity.reasons[0]).toMatch(/^polizia\.it\.test publishes a DMARC policy \(p=reject\)/);
    // What inspect says now is what the run recorded, for every message.
    const now = await Promise.all([...m.keys()].map(async (who) => ({ who, verdict: (JSON.parse((await inspect(who, true)).stdout) as { authenticity: MessageAuthenticity }).authenticity.verdict })));
    expect(now).toEqual([...m.keys()].map((who) => ({ who, verdict: m.get(who)!.authenticity!.verdict })));
    // The same verdict now as on arrival: nothing more to say.
    expect(fr.stdout).not.toContain('On arrival:');
  }, 90_000);

  it('status says how many answers could not be confirmed', async (ctx) => {
    if (unavailable || !run1) return ctx.skip();
    const e = env('secretariat0@rollcall.test', dns!.server);
    const text = (await cli(['status', run1.runDir], e)).stdout;
    expect(text).toContain('Origin:    2 answers whose origin could not be confirmed, counted (policy report); 1 bounce failed the check');
    const json = JSON.parse((await cli(['status', run1.runDir, '--json'], e)).stdout) as { answers: { authenticity: unknown } };
    expect(json.answers.authenticity).toEqual({ policy: 'report', counted: { pass: 2, fail: 2, none: 0, unknown: 0, unchecked: 0 }, unconfirmed: 2, unconfirmedCounted: 2, unauthenticatedBounces: 1 });
  }, 30_000);

  it('a run created with --authenticity require, with no DNS server reachable: recorded in run.json, applied at its end, and no stall', async (ctx) => {
    if (unavailable) return ctx.skip();
    const queries = dns!.queries.length;
    const r = await runTest({ secretariat: 'secretariat1@rollcall.test', dnsServer: `127.0.0.1:${deadDnsPort}`, dnsPolicies: false, args: ['--authenticity', 'require'] });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(r.runDir, 'run.json'), 'utf8')).authenticity).toBe('require');
    expect(dns!.queries.length).toBe(queries);

    const m = byWho(r.events);
    expect(verdictOf(m.get('poc@police.fr.test'))).toEqual({ verdict: 'fail', source: 'authentication-results' });
    expect(verdictOf(m.get('ncu@policia.es.test'))).toEqual({ verdict: 'pass', source: 'authentication-results' });
    expect(verdictOf(m.get('bounce:duty@polizia.it.test'))).toEqual({ verdict: 'fail', source: 'authentication-results' });
    // Without DNS the others could not be checked; each was recorded soon after it arrived.
    for (const who of ['cyber@bka.de.test', 'duty@prosecution.al.test', 'bounce:gone@police.gh.test']) {
      expect(verdictOf(m.get(who)), who).toEqual({ verdict: 'unknown', source: 'rollcall' });
      expect(m.get(who)!.authenticity!.reasons[0]).toBe('could not check: DNS look-ups failed');
    }
    for (const msg of ofType(r.events, 'message-received')) expect(Date.parse(msg.at) - Date.parse(msg.receivedAt), msg.from).toBeLessThan(5000);

    // The end of the run applied require: its summary and the reports written then.
    expect(r.stdout).toContain('Answers whose origin could not be confirmed count for nothing here: the country falls to its next outcome.');
    expect(r.stdout).toMatch(/^ {2}France \(FR-POL\), from .*<poc@police\.fr\.test>, arrived .*: not counted$/m);
    expect(r.stdout).toContain('\nOrigin: 2 answers whose origin could not be confirmed, not counted (policy require); 1 bounce failed the check (it marks no address failed).\n');
    const reports = join(r.runDir, 'reports');
    const atEnd = JSON.parse(readFileSync(join(reports, readdirSync(reports).find((f) => f.endsWith('.json'))!), 'utf8')) as { stats: Stats };
    expect(atEnd.stats.authenticity).toMatchObject({ policy: 'require', counted: { pass: 1, unknown: 1, fail: 0 }, unauthenticatedBounces: 1 });
    expect(country(atEnd.stats, 'FR').outcome).toBe('silent');
    expect(country(atEnd.stats, 'AL').outcome).toBe('automatic-only');
    expect(country(atEnd.stats, 'IT').outcome).toBe('silent');
    expect(finding(atEnd.stats, 'IT')).toBeUndefined();
    expect(country(atEnd.stats, 'GH').outcome).toBe('unreachable');

    // stats takes the run's policy, and --authenticity overrides it.
    const e = env('secretariat1@rollcall.test', `127.0.0.1:${deadDnsPort}`);
    const again = JSON.parse((await cli(['stats', r.runDir, '--json'], e)).stdout) as Stats;
    expect(again).toEqual(atEnd.stats);
    const report = JSON.parse((await cli(['stats', r.runDir, '--authenticity', 'report', '--json'], e)).stdout) as Stats;
    expect(country(report, 'FR').outcome).toBe('answered');
    expect(country(report, 'IT').outcome).toBe('unreachable');
    const status = (await cli(['status', r.runDir], e)).stdout;
    expect(status).toContain('Origin:    2 answers whose origin could not be confirmed, not counted (policy require); 1 bounce failed the check (it marks no address failed)');

    // Looked at again with DNS, Germany's answer passes; inspect says which verdict the run used.
    const de = m.get('cyber@bka.de.test')!;
    const inspected = await cli(['inspect', join(r.runDir, de.file!), '--run', r.runDir], env('secretariat1@rollcall.test', dns!.server));
    expect(inspected.stdout).toMatch(/^ {2}Origin: +pass for bka\.de\.test \(checked by rollcall\)$/m);
    expect(inspected.stdout).toMatch(/^ {2}On arrival: unknown, and the run's statistics use that verdict: could not check: DNS look-ups failed$/m);
    const json = JSON.parse((await cli(['inspect', join(r.runDir, de.file!), '--run', r.runDir, '--json'], e)).stdout) as { authenticity: MessageAuthenticity; recordedAs: { authenticity: MessageAuthenticity } };
    expect(json.recordedAs.authenticity).toEqual(de.authenticity);
    expect(json.authenticity.verdict).toBe('unknown');
  }, 120_000);
});

describe('the watcher', () => {
  it('does not wait on a check of origin that takes too long: the message is recorded, its origin unknown', async (ctx) => {
    if (unavailable) return ctx.skip();
    // A DNS server that never answers: each check would wait for its 10 s deadline.
    const silent = createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const runDir = join(tmp.path, 'watch-only');
    mkdirSync(runDir);
    const log = EventLog.open(join(runDir, 'events.jsonl'));
    const recorder = new Recorder(log);
    await recorder.record({ type: 'run-started', runId: 'watch-only' });
    await new Promise((r) => setTimeout(r, 1100)); // INTERNALDATE has whole seconds: arrive in a later one
    const index = new MemoryPingIndex();
    const messageId = '<RC-7QK3MZ.k2m4p6r8tq@rollcall.test>';
    index.add({ pingId: 'FR-POL/email/1', contactId: 'FR-POL', iso: 'FR', country: 'France', unit: 'Police', channel: 'email', address: 'poc@police.fr.test', token: 'RC-7QK3MZ', messageId, languages: ['en'], timezone: 'Europe/Paris' });
    const secretariat = 'secretariat2@rollcall.test';
    const ping = { from: secretariat, to: ['poc@police.fr.test'], raw: Buffer.from('Subject: Test RC-7QK3MZ\r\n\r\nx'), acceptedAt: new Date(), messageId };
    await dovecot!.append(secretariat, reply({ from: 'poc@police.fr.test', to: secretariat, ping, body: 'Received.' }));

    const channel = new EmailChannel({
      settings: { imapUrl: dovecot!.imapUrl(secretariat), from: `Secretariat <${secretariat}>`, subject: DEFAULT_SUBJECT, folders: [], dnsServers: [`127.0.0.1:${silent.address().port}`] },
      network: 'Test',
      tuning: { verifyLimitMs: 500 },
    });
    const ac = new AbortController();
    const watching = channel.watch(recorder.context({ clock: systemClock, pings: index, folder: RunFolder.at(runDir), signal: ac.signal }));
    try {
      await until(() => recorder.state.messages.length > 0, 8000, 'the answer recorded');
    } finally {
      ac.abort();
      await watching;
      await channel.close();
      log.close();
      silent.close();
    }
    const [m] = recorder.state.messages;
    expect(m).toMatchObject({ pingId: 'FR-POL/email/1', class: 'reply', authenticity: { verdict: 'unknown', source: 'none' } });
    expect(m!.authenticity!.reasons).toEqual([expect.stringMatching(/^could not check: the check of its origin: no answer within \d+ s$/)]);
  }, 30_000);
});
