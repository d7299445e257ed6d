// A server without IDLE: the watcher falls back to polling and still finds answers. Its own
// Dovecot, configured to advertise no IDLE capability.
import { RunFolder } from '../../src/core/run-folder.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmailChannel } from '../../src/channels/email.js';
import { EventLog } from '../../src/core/event-log.js';
import type { MessageReceivedEvent, RunEvent } from '../../src/core/events.js';
import { systemClock } from '../../src/core/clock.js';
import { MemoryPingIndex } from '../../src/core/ping-index.js';
import { Recorder } from '../../src/run/recorder.js';
import { DEFAULT_SUBJECT } from '../../src/settings.js';
import { startDovecot, type Dovecot } from '../servers/dovecot.js';

const USER = 'desk@rollcall.test';
let dovecot: Dovecot | undefined;
let unavailable: string | undefined;

beforeAll(async () => {
  try {
    dovecot = await startDovecot({
      users: [USER],
      extraConfig: 'protocol imap {\n  imap_capability = IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE LITERAL+ NAMESPACE UIDPLUS UNSELECT CHILDREN SPECIAL-USE WITHIN ESEARCH\n}\n',
    });
  } catch (e) {
    if (process.env.CI === 'true') throw e;
    unavailable = (e as Error).message.split('\n')[0];
    console.warn(`SKIPPING polling test: Dovecot could not start: ${unavailable}`);
  }
});

afterAll(async () => {
  await dovecot?.stop();
});

it('polls a server that has no IDLE and records a reply within the poll interval', async (ctx) => {
  if (unavailable) return ctx.skip();
  const d = dovecot as Dovecot;
  const probe = new ImapFlow({ host: '127.0.0.1', port: d.imapPort, secure: false, auth: { user: USER, pass: `pw-${USER.replace(/[^a-z0-9]/gi, '')}` }, logger: false });
  probe.on('error', () => {});
  await probe.connect();
  const hasIdle = probe.capabilities.has('IDLE');
  await probe.logout();
  expect(hasIdle).toBe(false);

  const runDir = mkdtempSync(join(tmpdir(), 'rollcall-poll-'));
  const log = EventLog.open(join(runDir, 'events.jsonl'));
  const recorder = new Recorder(log);
  const events: RunEvent[] = [];
  recorder.onEvent((e) => events.push(e));
  const index = new MemoryPingIndex();
  index.add({ pingId: 'p1', contactId: 'C1', iso: 'FR', country: 'France', unit: 'u', channel: 'email', address: 'poc@police.fr.test', token: 'RC-P0LL22', messageId: '<RC-P0LL22.x@rollcall.test>', languages: ['en'], timezone: 'UTC' });
  index.markSent('p1', new Date());
  const channel = new EmailChannel({
    settings: { imapUrl: d.imapUrl(USER), from: `S <${USER}>`, subject: DEFAULT_SUBJECT, folders: [] },
    tuning: { pollIntervalMs: 300, idleCheckMs: 60_000 },
  });
  const ac = new AbortController();
  const running = channel.watch(recorder.context({ clock: systemClock, pings: index, folder: RunFolder.at(runDir), signal: ac.signal }));
  try {
    await new Promise((r) => setTimeout(r, 500));
    const appendedAt = Date.now();
    await d.append(USER, 'From: poc@police.fr.test\r\nSubject: Re: RC-P0LL22\r\nMessage-ID: <poll-1@police.fr.test>\r\n\r\nok\r\n');
    let found: MessageReceivedEvent | undefined;
    while (!found && Date.now() - appendedAt < 20_000) {
      found = events.find((e): e is MessageReceivedEvent => e.type === 'message-received');
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(found).toMatchObject({ class: 'reply', pingId: 'p1', matchedBy: 'token' });
    // Found by the 300 ms poll, not by the 60 s check that would follow a silent IDLE: the bound
    // only tells the two apart (a loaded machine takes a few seconds; this is no speed test).
    expect(Date.now() - appendedAt).toBeLessThan(15_000);
  } finally {
    ac.abort();
    await running;
    await channel.close();
    log.close();
    rmSync(runDir, { recursive: true, force: true });
  }
});
