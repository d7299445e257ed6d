// Round trips through real servers on 127.0.0.1: EmailChannel sends pings through an SMTP
// server (smtp-server) that delivers into Dovecot over LMTP, and watches Dovecot over IMAP,
// recording into a real EventLog through the Recorder. One Dovecot for the whole file.
import { RunFolder } from '../../src/core/run-folder.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ping } from '../../src/core/ping.js';
import { EmailChannel, emailFolders } from '../../src/channels/email.js';
import type { WatchTuning } from '../../src/channels/email-watch.js';
import { SettingsError } from '../../src/core/errors.js';
import { EventLog, readEvents } from '../../src/core/event-log.js';
import type { MessageReceivedEvent, RunEvent, WatchCursorEvent } from '../../src/core/events.js';
import { newMessageId, newToken } from '../../src/mail/token.js';
import { systemClock } from '../../src/core/clock.js';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import { Recorder } from '../../src/run/recorder.js';
import { DEFAULT_SUBJECT, type Settings } from '../../src/settings.js';
import { startDovecot, type Dovecot } from '../servers/dovecot.js';
import { startSmtp, type SmtpHarness } from '../servers/smtp.js';

const SMTP_AUTH = { user: 'rollcall-sender', pass: 's3cret-Pa55word' };
const CONTACTS = ['poc@police.fr.test', 'cyber@police.de.test', 'ncu@police.es.test', 'duty@police.it.test'];
const SECRETARIATS = Array.from({ length: 24 }, (_, i) => `secretariat${i}@rollcall.test`);
const FAST: Partial<WatchTuning> = { reconnectMinMs: 200, reconnectMaxMs: 1_000, idleCheckMs: 5_000 };

let dovecot: Dovecot | undefined;
let smtp: SmtpHarness | undefined;
let unavailable: string | undefined;
let nextSecretariat = 0;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  try {
    dovecot = await startDovecot({ users: [...SECRETARIATS, ...CONTACTS] });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = `Dovecot could not start here: ${(e as Error).message.split('\n')[0]}`;
    console.warn(`SKIPPING e-mail round trips: ${unavailable}`);
    return;
  }
  smtp = await startSmtp({ lmtp: { host: '127.0.0.1', port: dovecot.lmtpPort }, auth: SMTP_AUTH });
});

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await smtp?.stop();
  await dovecot?.stop();
});

interface Harness {
  secretariat: string;
  runDir: string;
  settings: Settings;
  channel: EmailChannel;
  index: MemoryPingIndex;
  recorder: Recorder;
  log: EventLog;
  events: RunEvent[];
  logs: string[];
  ping(address: string, languages?: string[]): Ping;
  sendAndConfirm(ping: Ping): Promise<Date>;
  watch(): { stop: () => Promise<void> };
  waitFor<E extends RunEvent>(pred: (e: RunEvent) => e is E, ms?: number): Promise<E>;
  received(): MessageReceivedEvent[];
}

function isMessage(e: RunEvent): e is MessageReceivedEvent {
  return e.type === 'message-received';
}

function harness(opts: { imapUrl?: string; folders?: string[]; tuning?: Partial<WatchTuning>; runDir?: string } = {}): Harness {
  const d = dovecot as Dovecot;
  const secretariat = SECRETARIATS[nextSecretariat++];
  if (!secretariat) throw new Error('add users to SECRETARIATS: each test watches its own mailbox');
  const runDir = opts.runDir ?? mkdtempSync(join(tmpdir(), 'rollcall-run-'));
  const settings: Settings = {
    smtpUrl: (smtp as SmtpHarness).url(SMTP_AUTH),
    imapUrl: opts.imapUrl ?? d.imapUrl(secretariat),
    from: `24/7 Network Secretariat <${secretariat}>`,
    subject: DEFAULT_SUBJECT,
    folders: opts.folders ?? ['Junk'],
  };
  const logs: string[] = [];
  const channel = new EmailChannel({ settings, network: '24/7 Test Network', tuning: { ...FAST, ...opts.tuning }, log: (m) => logs.push(m) });
  const log = EventLog.open(join(runDir, 'events.jsonl'));
  const recorder = new Recorder(log);
  const events: RunEvent[] = [];
  recorder.onEvent((e) => events.push(e));
  const index = new MemoryPingIndex();
  let n = 0;
  const h: Harness = {
    secretariat,
    runDir,
    settings,
    channel,
    index,
    recorder,
    log,
    events,
    logs,
    ping(address, languages = ['en']) {
      const token = newToken();
      const p: Ping = {
        pingId: `P${++n}-${token}`,
        contactId: `C-${address}`,
        iso: 'FR',
        country: 'France',
        unit: 'Cybercrime unit',
        channel: 'email',
        address,
        token,
        messageId: newMessageId(token, settings.from as string),
        languages,
        timezone: 'Europe/Paris',
      };
      index.add(p);
      return p;
    },
    async sendAndConfirm(p) {
      await recorder.record({ type: 'ping-started', pingId: p.pingId, contactId: p.contactId, iso: p.iso, channel: 'email', address: p.address, token: p.token, messageId: p.messageId as string, attempt: 1 });
      const out = await channel.send(p);
      if (!out.ok) throw new Error(`send refused: ${out.response}`);
      index.markSent(p.pingId, out.sentAt);
      await recorder.record({ type: 'ping-sent', pingId: p.pingId, sentAt: out.sentAt.toISOString(), ...(out.response ? { response: out.response } : {}) });
      return out.sentAt;
    },
    watch() {
      const ac = new AbortController();
      const running = channel.watch(recorder.context({ clock: systemClock, pings: index, folder: RunFolder.at(runDir), signal: ac.signal }));
      running.catch(() => undefined);
      return {
        stop: async () => {
          ac.abort();
          await running;
        },
      };
    },
    async waitFor(pred, ms = 10_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = events.find(pred);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such event within ${ms} ms; events: ${JSON.stringify(events, null, 1)}\nlogs: ${logs.join('\n')}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    received: () => events.filter(isMessage),
  };
  cleanups.push(async () => {
    await channel.close();
    log.close();
    rmSync(runDir, { recursive: true, force: true });
  });
  return h;
}

/** Mail arriving at our server from outside: LMTP into the secretariat's mailbox. */
async function deliverIncoming(to: string, raw: string): Promise<void> {
  const t = nodemailer.createTransport({ host: '127.0.0.1', port: (dovecot as Dovecot).lmtpPort, lmtp: true });
  try {
    await t.sendMail({ envelope: { from: 'someone@elsewhere.test', to: [to] }, raw: raw.replace(/\r?\n/g, '\r\n') });
  } finally {
    t.close();
  }
}

function mail(headers: Record<string, string | undefined>, body: string): string {
  const lines = Object.entries(headers)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${v}`);
  return [...lines, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n');
}

let uniq = 0;
const msgId = (host: string) => `<${Date.now()}.${++uniq}@${host}>`;

function deliveredPing(p: Ping): string {
  const d = (smtp as SmtpHarness).received.find((r) => r.messageId === p.messageId);
  if (!d) throw new Error(`ping ${p.pingId} was not delivered`);
  return d.raw.toString('utf8');
}

const firstCursor = (h: Harness) => h.waitFor((e): e is WatchCursorEvent => e.type === 'watch-cursor' && e.folder === 'INBOX');

describe('EmailChannel against Dovecot and an SMTP server', () => {
  it('sends a ping that says it is a test, carries the token and our Message-ID, and no Auto-Submitted', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const p = h.ping('poc@police.fr.test', ['fr', 'en']);
    const before = Date.now();
    const sentAt = await h.sendAndConfirm(p);
    expect(sentAt.getTime()).toBeGreaterThanOrEqual(before);
    const raw = deliveredPing(p);
    expect(raw).toMatch(new RegExp(`^Message-ID: ${p.messageId?.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'im'));
    expect(raw).toMatch(new RegExp(`^X-Rollcall-Token: ${p.token}`, 'im'));
    expect(raw).toMatch(new RegExp(`^Subject: .*${p.token}`, 'im'));
    expect(raw).not.toMatch(/^Auto-Submitted:/im);
    expect(raw).toContain('multipart/alternative');
    const accepted = (smtp as SmtpHarness).received.find((r) => r.messageId === p.messageId);
    expect(accepted?.from).toBe(h.secretariat);
    expect(accepted?.acceptedAt.getTime()).toBeLessThanOrEqual(sentAt.getTime());
  });

  it('records a reply with In-Reply-To: class, ping, INTERNALDATE arrival, raw copy, message left unread', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    await firstCursor(h);
    const p = h.ping('poc@police.fr.test');
    const sentAt = await h.sendAndConfirm(p);
    const before = Date.now();
    await deliverIncoming(
      h.secretariat,
      mail({ From: 'Officier de permanence <poc@police.fr.test>', To: h.secretariat, Subject: 'Re: test', 'Message-ID': msgId('police.fr.test'), 'In-Reply-To': p.messageId, Date: 'Mon, 1 Jan 2024 00:00:00 +0000' }, 'Bien reçu.'),
    );
    const after = Date.now();
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'reply', pingId: p.pingId, matchedBy: 'in-reply-to', folder: 'INBOX', channel: 'email' });
    // Arrival is the server's INTERNALDATE (whole seconds), never the Date header the sender wrote.
    const arrival = Date.parse(e.receivedAt);
    expect(arrival).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(arrival).toBeLessThanOrEqual(after);
    expect(arrival).toBeGreaterThanOrEqual(Math.floor(sentAt.getTime() / 1000) * 1000);
    expect(e.key).toMatch(/^imap:INBOX:\d+:1$/);
    expect(e.file).toMatch(/^messages\/.+\.eml$/);
    expect(readFileSync(join(h.runDir, e.file as string), 'utf8')).toContain('Bien reçu.');
    // Written to the log before watch() returned, after the raw copy.
    const { events } = await readEvents(join(h.runDir, 'events.jsonl'));
    expect(events.filter(isMessage)).toHaveLength(1);
    expect(events.some((x) => x.type === 'watch-cursor' && x.folder === 'INBOX' && x.lastUid === 1)).toBe(true);
    // PEEK on a read-only mailbox: no \Seen flag, nothing moved or deleted.
    const flags = await (dovecot as Dovecot).doveadm('fetch', '-u', h.secretariat, 'flags', 'mailbox', 'INBOX');
    expect(flags).not.toContain('\\Seen');
  });

  it('matches a reply that lost its headers but kept the token', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    const p = h.ping('cyber@police.de.test');
    await h.sendAndConfirm(p);
    await deliverIncoming(h.secretariat, mail({ From: 'Lagezentrum <lage@bka.de.test>', To: h.secretariat, Subject: 'Antwort', 'Message-ID': msgId('bka.de.test') }, `Test erhalten, Referenz ${p.token}.`));
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'reply', pingId: p.pingId, matchedBy: 'token' });
  });

  it('matches a reply from the pinged address with neither headers nor token', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    const p = h.ping('ncu@police.es.test');
    await h.sendAndConfirm(p);
    await deliverIncoming(h.secretariat, mail({ From: 'NCU <ncu@police.es.test>', To: h.secretariat, Subject: 'Recibido', 'Message-ID': msgId('police.es.test') }, 'Recibido, gracias.'));
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'reply', pingId: p.pingId, matchedBy: 'sender' });
  });

  it('classifies an auto-reply as automatic, matched to its ping', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    const p = h.ping('duty@police.it.test');
    await h.sendAndConfirm(p);
    await deliverIncoming(
      h.secretariat,
      mail({ From: 'duty@police.it.test', To: h.secretariat, Subject: 'Risposta automatica: fuori ufficio', 'Message-ID': msgId('police.it.test'), 'In-Reply-To': p.messageId, 'Auto-Submitted': 'auto-replied' }, 'Sono fuori ufficio.'),
    );
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'automatic', pingId: p.pingId, matchedBy: 'in-reply-to' });
    expect(e.reasons.join('\n')).toContain('Auto-Submitted: auto-replied');
  });

  it('records a DSN bounce that arrives after the ping was accepted, naming the failed address', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    const p = h.ping('nobody@police.fr.test');
    const out = await h.channel.send(p);
    expect(out.ok).toBe(true);
    if (out.ok) h.index.markSent(p.pingId, out.sentAt);
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e.class).toBe('bounce');
    expect(e.pingId).toBe(p.pingId);
    expect(e.bounce).toMatchObject({ recipient: 'nobody@police.fr.test', action: 'failed', status: '5.1.1' });
  });

  it('returns a permanent failure for a 550 at RCPT, with the server words', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    (smtp as SmtpHarness).refuseRcpt('gone@police.fr.test', { code: 550, message: '5.1.1 <gone@police.fr.test>: Recipient address rejected: User unknown' });
    const out = await h.channel.send(h.ping('gone@police.fr.test'));
    expect(out).toMatchObject({ ok: false, permanent: true, code: 550 });
    expect(out.ok === false && out.response).toContain('5.1.1');
    expect(out.ok === false && out.response).not.toContain(SMTP_AUTH.pass);
  });

  it('returns a transient failure for a 451, then succeeds on the next attempt', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    (smtp as SmtpHarness).scriptRcpt('cyber@police.de.test', { code: 451, message: '4.7.1 Greylisted, try again later' });
    const p = h.ping('cyber@police.de.test');
    const first = await h.channel.send(p);
    expect(first).toMatchObject({ ok: false, permanent: false, code: 451 });
    const second = await h.channel.send(p);
    expect(second.ok).toBe(true);
    expect(second.ok && second.response).toMatch(/^250/);
  });

  it('classifies a read receipt and matches it by Original-Message-ID', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    const p = h.ping('poc@police.fr.test');
    await h.sendAndConfirm(p);
    const b = 'mdn-boundary-1';
    await deliverIncoming(
      h.secretariat,
      [
        'From: poc@police.fr.test',
        `To: ${h.secretariat}`,
        'Subject: Lu : test',
        `Message-ID: ${msgId('police.fr.test')}`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/report; report-type=disposition-notification; boundary="${b}"`,
        '',
        `--${b}`,
        'Content-Type: text/plain',
        '',
        'Votre message a été affiché.',
        `--${b}`,
        'Content-Type: message/disposition-notification',
        '',
        'Reporting-UA: mail.police.fr.test; Thunderbird',
        'Final-Recipient: rfc822;poc@police.fr.test',
        `Original-Message-ID: ${p.messageId}`,
        'Disposition: manual-action/MDN-sent-manually; displayed',
        '',
        `--${b}--`,
        '',
      ].join('\r\n'),
    );
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'read-receipt', pingId: p.pingId });
  });

  it('gives one event for the same message in INBOX and Junk, and none again after a restart', async (ctx) => {
    if (unavailable) return ctx.skip();
    const d = dovecot as Dovecot;
    const h = harness();
    const p = h.ping('poc@police.fr.test');
    await h.sendAndConfirm(p);
    const raw = mail({ From: 'poc@police.fr.test', To: h.secretariat, Subject: `Re: ${p.token}`, 'Message-ID': msgId('police.fr.test'), 'In-Reply-To': p.messageId }, 'Received.');
    await d.append(h.secretariat, raw);
    await d.append(h.secretariat, raw, { folder: 'Junk' });
    const w = h.watch();
    await h.waitFor((e): e is WatchCursorEvent => e.type === 'watch-cursor' && e.folder === 'Junk' && e.lastUid >= 1);
    await firstCursor(h);
    await w.stop();
    expect(h.received()).toHaveLength(1);

    // Resume: a new recorder fed with the log, a new channel; nothing is recorded twice.
    h.log.close();
    const { events } = await readEvents(join(h.runDir, 'events.jsonl'));
    const log2 = EventLog.open(join(h.runDir, 'events.jsonl'));
    const rec2 = new Recorder(log2);
    rec2.replay(events);
    const added: RunEvent[] = [];
    rec2.onEvent((e) => added.push(e));
    const ch2 = new EmailChannel({ settings: h.settings, network: 'x', tuning: FAST });
    const ac = new AbortController();
    const running = ch2.watch(rec2.context({ clock: systemClock, pings: h.index, folder: RunFolder.at(h.runDir), signal: ac.signal }));
    await d.append(h.secretariat, raw, { folder: 'Junk' }); // a third copy, new UID
    await new Promise((r) => setTimeout(r, 1_500));
    ac.abort();
    await running;
    await ch2.close();
    log2.close();
    expect(added.filter(isMessage)).toHaveLength(0);
    expect(existsSync(join(h.runDir, 'messages'))).toBe(true);
  });

  it('counts an answer found in Junk, and says where it was found', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    const p = h.ping('cyber@police.de.test');
    await h.sendAndConfirm(p);
    await (dovecot as Dovecot).append(h.secretariat, mail({ From: 'cyber@police.de.test', To: h.secretariat, Subject: 'Re', 'Message-ID': msgId('police.de.test'), 'In-Reply-To': p.messageId }, 'Erhalten.'), { folder: 'Junk' });
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'reply', folder: 'Junk', pingId: p.pingId });
    expect(e.key).toMatch(/^imap:Junk:/);
  });

  it('reads a folder again after its UIDVALIDITY changed, without duplicating what it had recorded', async (ctx) => {
    if (unavailable) return ctx.skip();
    const d = dovecot as Dovecot;
    const h = harness();
    const p = h.ping('cyber@police.de.test');
    await h.sendAndConfirm(p);
    const first = mail({ From: 'cyber@police.de.test', To: h.secretariat, Subject: 'Re', 'Message-ID': msgId('police.de.test'), 'In-Reply-To': p.messageId }, 'Eins.');
    await d.append(h.secretariat, first, { folder: 'Junk' });
    let w = h.watch();
    const e1 = await h.waitFor(isMessage);
    await w.stop();
    const before = h.events.filter((e): e is WatchCursorEvent => e.type === 'watch-cursor' && e.folder === 'Junk').at(-1);
    // Recreate the folder: new UIDVALIDITY, the old message again plus a new one.
    await d.doveadm('mailbox', 'delete', '-u', h.secretariat, 'Junk');
    await d.doveadm('mailbox', 'create', '-u', h.secretariat, 'Junk');
    await d.append(h.secretariat, first, { folder: 'Junk' });
    const second = mail({ From: 'cyber@police.de.test', To: h.secretariat, Subject: 'Re 2', 'Message-ID': msgId('police.de.test') }, `Zwei ${p.token}.`);
    await d.append(h.secretariat, second, { folder: 'Junk' });
    w = h.watch();
    await h.waitFor((e): e is MessageReceivedEvent => isMessage(e) && e !== e1);
    await h.waitFor((e): e is WatchCursorEvent => e.type === 'watch-cursor' && e.folder === 'Junk' && e.uidValidity !== before?.uidValidity && e.lastUid >= 2);
    await w.stop();
    expect(h.received()).toHaveLength(2);
    expect(h.received()[1]?.key).not.toBe(e1.key);
    expect(h.logs.join('\n')).toContain('UIDVALIDITY changed');
  });

  it('reconnects after the server kicks it, and finds what arrived meanwhile', async (ctx) => {
    if (unavailable) return ctx.skip();
    const d = dovecot as Dovecot;
    const h = harness();
    const w = h.watch();
    await firstCursor(h);
    const p = h.ping('poc@police.fr.test');
    await h.sendAndConfirm(p);
    await d.kick(h.secretariat);
    await deliverIncoming(h.secretariat, mail({ From: 'poc@police.fr.test', To: h.secretariat, Subject: 'Re', 'Message-ID': msgId('police.fr.test'), 'In-Reply-To': p.messageId }, 'Reçu.'));
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'reply', pingId: p.pingId });
    expect(h.logs.join('\n')).toContain('connection lost, reconnecting');
  });

  it('finds a reply that arrived while the connection was cut, with its true arrival time', async (ctx) => {
    if (unavailable) return ctx.skip();
    const d = dovecot as Dovecot;
    const proxy = await startProxy(d.imapPort);
    cleanups.push(() => proxy.close());
    const secretariat = SECRETARIATS[nextSecretariat] as string;
    const h = harness({ imapUrl: d.imapUrl(secretariat).replace(`:${d.imapPort}/`, `:${proxy.port}/`) });
    const w = h.watch();
    await firstCursor(h);
    const p = h.ping('poc@police.fr.test');
    await h.sendAndConfirm(p);
    proxy.cut();
    const before = Date.now();
    await d.append(h.secretariat, mail({ From: 'poc@police.fr.test', To: h.secretariat, Subject: 'Re', 'Message-ID': msgId('police.fr.test'), 'In-Reply-To': p.messageId }, 'Reçu pendant la coupure.'));
    const after = Date.now();
    await new Promise((r) => setTimeout(r, 2_500));
    expect(h.received()).toHaveLength(0);
    const restoredAt = Date.now();
    proxy.restore();
    const e = await h.waitFor(isMessage);
    await w.stop();
    expect(e).toMatchObject({ class: 'reply', pingId: p.pingId });
    const arrival = Date.parse(e.receivedAt);
    expect(arrival).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(arrival).toBeLessThanOrEqual(after);
    expect(arrival).toBeLessThan(restoredAt - 1_000);
    expect(h.logs.join('\n')).toContain('connection lost');
  });

  it('with a signal already aborted, scans once from the cursor and returns (the last look before the window closes)', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    const w = h.watch();
    await firstCursor(h);
    await w.stop();
    const p = h.ping('duty@police.it.test');
    await h.sendAndConfirm(p);
    await deliverIncoming(h.secretariat, mail({ From: 'duty@police.it.test', To: h.secretariat, Subject: 'Ricevuto', 'Message-ID': msgId('police.it.test'), 'In-Reply-To': p.messageId }, 'Ricevuto.'));
    const started = Date.now();
    await h.channel.watch(h.recorder.context({ clock: systemClock, pings: h.index, folder: RunFolder.at(h.runDir), signal: AbortSignal.abort() }));
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(h.received()).toMatchObject([{ class: 'reply', pingId: p.pingId }]);
  });

  it('opens when the servers and folders are there, and names a missing folder', async (ctx) => {
    if (unavailable) return ctx.skip();
    const h = harness();
    await expect(h.channel.open()).resolves.toBeUndefined();
    const missing = new EmailChannel({ settings: { ...h.settings, folders: ['Junk', 'Spam'] } });
    const err = await missing.open().catch((e: Error) => e);
    await missing.close();
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as Error).message).toMatch(/Spam not found/);
    expect(emailFolders(h.settings, ['Archive'])).toEqual(['INBOX', 'Junk', 'Archive']);
  });

  it('returns a transient failure, without the password, when the SMTP server is unreachable', async (ctx) => {
    if (unavailable) return ctx.skip();
    const closedPort = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as { port: number }).port;
        s.close(() => resolve(port));
      });
    });
    const ch = new EmailChannel({ settings: { smtpUrl: `smtp://u:Unreachable-Pass-1@127.0.0.1:${closedPort}`, from: 'S <s@rollcall.test>', subject: DEFAULT_SUBJECT, folders: [] } });
    const h = harness();
    const out = await ch.send(h.ping('poc@police.fr.test'));
    await ch.close();
    expect(out.ok).toBe(false);
    expect(out.ok === false && out.permanent).toBe(false);
    expect(JSON.stringify(out)).not.toContain('Unreachable-Pass-1');
  });
  // Last: failed logins make Dovecot slow down later logins from the same address.
  it('refuses bad credentials in plain words without the password', async (ctx) => {
    if (unavailable) return ctx.skip();
    const d = dovecot as Dovecot;
    const secretariat = SECRETARIATS[0] as string;
    const badSmtp = new EmailChannel({
      settings: { smtpUrl: (smtp as SmtpHarness).url({ user: SMTP_AUTH.user, pass: 'Wr0ng-Secret-99' }), imapUrl: d.imapUrl(secretariat), from: `S <${secretariat}>`, subject: DEFAULT_SUBJECT, folders: [] },
    });
    const e1 = await badSmtp.open().catch((e: Error) => e);
    await badSmtp.close();
    expect(e1).toBeInstanceOf(SettingsError);
    expect((e1 as Error).message).toContain('refused the login');
    expect((e1 as Error).message).not.toContain('Wr0ng-Secret-99');

    const badImap = new EmailChannel({
      settings: { smtpUrl: (smtp as SmtpHarness).url(SMTP_AUTH), imapUrl: d.imapUrl(secretariat).replace(/:[^:@/]+@/, ':Bad-Imap-Pass-77@'), from: `S <${secretariat}>`, subject: DEFAULT_SUBJECT, folders: [] },
    });
    const e2 = await badImap.open().catch((e: Error) => e);
    await badImap.close();
    expect(e2).toBeInstanceOf(SettingsError);
    expect((e2 as Error).message).not.toContain('Bad-Imap-Pass-77');
    expect((e2 as Error).message).not.toContain(SMTP_AUTH.pass);
  });
});

/** A TCP proxy in front of Dovecot that can cut every connection and refuse new ones. */
async function startProxy(targetPort: number): Promise<{ port: number; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) return client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      refusing = true;
      for (const s of sockets) s.destroy();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
