// Watches IMAP folders for answers: one connection per folder, IDLE (or polling where the
// server has none), only UIDs beyond the cursor, reconnecting with backoff. Every message is
// read with PEEK from a mailbox opened read-only (never flagged, moved or deleted) and
// classified. Only the test's mail is kept (docs/measurement.md): a message that matches a ping
// of the run, names a rollcall token or comes from an address of the directory is saved raw
// under <runDir>/messages/ and recorded as a message-received event; any other (the
// secretariat's own, confidential mail) is only counted, in the folder's next watch-cursor.
import { ImapFlow, type FetchMessageObject } from 'imapflow';
import type { WatchContext } from './channel.js';
import type { MessageAuthenticity, MessageReceivedEvent, WatchCursorEvent } from '../core/events.js';
import { classifyMessage, unparsedClassification, type Classification } from '../mail/classify.js';
import { rollcallTokens, tokenCandidates } from '../mail/token.js';
import { normalizeMessageId } from '../core/ping-index.js';
import { safeFileName } from '../core/run-folder.js';
import { hideSecret, imapConnection, type ImapServer } from './email-servers.js';

export interface WatchTuning {
  /** Quiet time before imapflow enters IDLE (low: answers are seen as soon as Dovecot tells). */
  autoIdleDelayMs: number;
  /** IDLE is broken and restarted this often (servers and NATs drop silent sessions). */
  idleRestartMs: number;
  /** Without IDLE: how often to look for new messages. With IDLE: how often to check anyway. */
  pollIntervalMs: number;
  idleCheckMs: number;
  /** Reconnect backoff: first delay, doubled up to the maximum. */
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** How long a liveness check (NOOP) may take before the connection is given up. */
  livenessTimeoutMs: number;
  /** Messages fetched per FETCH command. */
  fetchBatch: number;
  /** Longest wait for a message's authenticity verdict (its DNS look-ups have a 10 s deadline
   * of their own): past it the verdict is `unknown`, so that no check holds up the watcher. */
  verifyLimitMs: number;
}

export const DEFAULT_TUNING: WatchTuning = {
  autoIdleDelayMs: 150,
  idleRestartMs: 60_000,
  pollIntervalMs: 10_000,
  idleCheckMs: 60_000,
  reconnectMinMs: 1_000,
  reconnectMaxMs: 60_000,
  livenessTimeoutMs: 30_000,
  fetchBatch: 50,
  verifyLimitMs: 15_000,
};

export interface InboxWatcherOptions {
  server: ImapServer;
  folders: string[];
  ctx: WatchContext;
  /** Without a cursor, messages that arrived before this are not the run's (first scan, rescan). */
  since: Date;
  ownAddress?: string;
  tuning: WatchTuning;
  /** The authenticity verdict of a message of the test (DKIM/SPF/DMARC), recorded on its event;
   * without it none is recorded. */
  verify?: (raw: Buffer) => Promise<MessageAuthenticity>;
  log: (message: string) => void;
  /** Called with every client created, so that close() can end them. */
  track: (client: ImapFlow) => () => void;
}

/** `imap:Junk/Spam:1717:42` → `imap-Junk_2fSpam-1717-42.eml`: safe and distinct file names. */
export function messageFileName(key: string): string {
  return safeFileName(key) + '.eml';
}

/** Wakes a waiting loop: on a new-mail notice, a closed connection, a timer or the run's end. */
class Wake {
  private resolve: (() => void) | undefined;
  private pending = false;

  notify(): void {
    if (this.resolve) {
      const r = this.resolve;
      this.resolve = undefined;
      r();
    } else this.pending = true;
  }

  wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending || signal.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.resolve = done;
    });
  }
}

/** Failures of our own side (disk, event log): not retried by reconnecting. */
class LocalFailure extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original));
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${Math.round(ms / 1000)} s`)), ms);
    }),
  ]);
}

interface FolderState {
  folder: string;
  cursor?: { uidValidity: string; lastUid: number };
  /** Last cursor written to the log, to write only changes. */
  recorded?: string;
}

/** What became of a message read from a folder. */
type Prepared =
  | { kept: true; event: Omit<MessageReceivedEvent, 'v' | 'at'>; source: Buffer; mid?: string }
  /** Not the test's mail: counted, neither saved nor recorded. */
  | { kept: false; mid?: string };

export class InboxWatcher {
  /** Message-IDs already recorded or counted (this run): the same message in two folders gives
   * one event, or is counted once. */
  private readonly messageIds = new Set<string>();
  /** When the run started (whole seconds, as INTERNALDATE): nothing that arrived before is the
   * run's. Undefined outside a run (`rollcall check`). */
  private runStartMs: number | undefined;

  constructor(private readonly o: InboxWatcherOptions) {}

  async run(): Promise<void> {
    this.loadHistory();
    await Promise.all(this.o.folders.map((folder) => this.watchFolder(folder)));
  }

  private loadHistory(): void {
    const { state } = this.o.ctx;
    for (const e of state.messages) if (e.channel === 'email' && e.messageId) this.messageIds.add(normalizeMessageId(e.messageId));
    if (state.startedAt && this.runStartMs === undefined) this.runStartMs = Math.floor(state.startedAt.getTime() / 1000) * 1000;
  }

  private describe(folder: string): string {
    return `${this.o.server.shown.replace(/\/[^/]*$/, '')}/${folder}`;
  }

  private async watchFolder(folder: string): Promise<void> {
    const { ctx, tuning } = this.o;
    const state: FolderState = { folder };
    const saved = ctx.cursor('email', folder);
    if (saved) {
      state.cursor = { uidValidity: saved.uidValidity, lastUid: saved.lastUid };
      state.recorded = `${saved.uidValidity}:${saved.lastUid}`;
    }
    if (ctx.signal.aborted) return this.catchUp(state);
    let delay = tuning.reconnectMinMs;
    while (!ctx.signal.aborted) {
      let connected = false;
      try {
        await this.session(state, () => {
          connected = true;
          delay = tuning.reconnectMinMs;
        });
      } catch (e) {
        if (e instanceof LocalFailure) throw e.original;
        if (ctx.signal.aborted) break;
        this.o.log(`IMAP ${this.describe(folder)}: ${hideSecret((e as Error).message ?? String(e), this.o.server.auth)}`);
      }
      if (ctx.signal.aborted) break;
      if (connected) this.o.log(`IMAP ${this.describe(folder)}: connection lost, reconnecting`);
      try {
        await ctx.clock.sleep(delay, ctx.signal);
      } catch {
        break;
      }
      delay = Math.min(delay * 2, tuning.reconnectMaxMs);
    }
  }

  /** Called with a signal already aborted: one scan from the cursor (the engine's last look
   * before the window closes), a few attempts, then a plain error. */
  private async catchUp(state: FolderState): Promise<void> {
    let last: unknown;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, this.o.tuning.reconnectMinMs * 2 ** (attempt - 1)));
      try {
        return await this.session(state, () => {}, true);
      } catch (e) {
        if (e instanceof LocalFailure) throw e.original;
        last = e;
      }
    }
    throw new Error(`IMAP ${this.describe(state.folder)}: last scan failed: ${hideSecret((last as Error)?.message ?? String(last), this.o.server.auth)}`);
  }

  /** One connection: select read-only, scan, then (unless `once`) wait for news until it closes
   * or the run ends. */
  private async session(state: FolderState, onConnected: () => void, once = false): Promise<void> {
    const { server, ctx, tuning } = this.o;
    const wake = new Wake();
    let closed = false;
    let lastError: Error | undefined;
    const client = new ImapFlow({
      ...imapConnection(server),
      autoIdleDelay: tuning.autoIdleDelayMs,
      maxIdleTime: tuning.idleRestartMs,
      missingIdleCommand: 'NOOP',
      greetingTimeout: 16_000,
      socketTimeout: Math.max(3 * tuning.idleRestartMs, 180_000),
      clientInfo: { name: 'rollcall' },
    });
    // Attached before connect(): an unhandled 'error' would end the process.
    client.on('error', (e: Error) => {
      lastError = e;
      wake.notify();
    });
    client.on('close', () => {
      closed = true;
      wake.notify();
    });
    client.on('exists', () => wake.notify());
    const untrack = this.o.track(client);
    let opened = false;
    const onAbort = () => {
      wake.notify();
      // Stuck connecting to an unreachable server: give up at once.
      if (!opened) client.close();
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.connect();
      await client.mailboxOpen(state.folder, { readOnly: true });
      opened = true;
      onConnected();
      const idle = client.capabilities.has('IDLE');
      await this.scan(client, state);
      if (once) return;
      let lastCheck = Date.now();
      while (!ctx.signal.aborted && !closed) {
        const interval = idle ? tuning.idleCheckMs : tuning.pollIntervalMs;
        await wake.wait(Math.max(0, interval - (Date.now() - lastCheck)), ctx.signal);
        if (ctx.signal.aborted || closed) break;
        if (Date.now() - lastCheck >= interval) {
          // Liveness: IDLE can go silent on a dead connection; a NOOP that never returns says so.
          await withTimeout(client.noop(), tuning.livenessTimeoutMs, 'IMAP server');
          lastCheck = Date.now();
        }
        await this.scan(client, state);
      }
      if (closed && !ctx.signal.aborted) throw lastError ?? new Error('the server closed the connection');
    } finally {
      ctx.signal.removeEventListener('abort', onAbort);
      untrack();
      await this.end(client);
    }
  }

  private async end(client: ImapFlow): Promise<void> {
    if (client.usable) {
      try {
        await withTimeout(client.logout(), 2_000, 'logout');
        return;
      } catch {
        // fall through to close
      }
    }
    client.close();
  }

  /** Reads every message beyond the cursor (or, without one, since the run began) and records it. */
  private async scan(client: ImapFlow, state: FolderState): Promise<void> {
    const mailbox = client.mailbox;
    if (!mailbox) throw new Error(`${state.folder} is not selected`);
    const validity = mailbox.uidValidity.toString();
    // Read before searching: every message that arrives later has a UID at least this high.
    const uidNextBefore = mailbox.uidNext;
    const fresh = !state.cursor || state.cursor.uidValidity !== validity;
    let uids: number[];
    if (fresh) {
      if (state.cursor) this.o.log(`IMAP ${this.describe(state.folder)}: UIDVALIDITY changed (${state.cursor.uidValidity} → ${validity}); reading the folder again`);
      uids = (await client.search({ since: this.o.since }, { uid: true })) || [];
    } else {
      const last = state.cursor?.lastUid ?? 0;
      // `last+1:*` also returns the newest message when its UID is ≤ last: filter ourselves.
      uids = ((await client.search({ uid: `${last + 1}:*` }, { uid: true })) || []).filter((u) => u > last);
    }
    uids.sort((a, b) => a - b);
    let lastUid = fresh ? 0 : (state.cursor?.lastUid ?? 0);
    for (let i = 0; i < uids.length; i += this.o.tuning.fetchBatch) {
      const batch = uids.slice(i, i + this.o.tuning.fetchBatch);
      const messages = await client.fetchAll(batch.join(','), { uid: true, internalDate: true, source: true }, { uid: true });
      messages.sort((a, b) => a.uid - b.uid);
      const sinceSecond = Math.floor(this.o.since.getTime() / 1000) * 1000;
      const ignored = await this.handleBatch(
        messages.filter((m) => !(fresh && m.internalDate && new Date(m.internalDate).getTime() < sinceSecond)),
        state.folder,
        validity,
      );
      lastUid = Math.max(lastUid, ...batch);
      // The count rides on the cursor: a rescan after a crash starts after it, so it counts once.
      await this.saveCursor(state, validity, lastUid, ignored);
    }
    if (fresh) lastUid = Math.max(lastUid, uidNextBefore - 1);
    await this.saveCursor(state, validity, lastUid);
  }

  private async saveCursor(state: FolderState, uidValidity: string, lastUid: number, ignored = 0): Promise<void> {
    state.cursor = { uidValidity, lastUid };
    const id = `${uidValidity}:${lastUid}`;
    if (state.recorded === id && ignored === 0) return;
    const event: Omit<WatchCursorEvent, 'v' | 'at'> = { type: 'watch-cursor', channel: 'email', folder: state.folder, uidValidity, lastUid, ...(ignored > 0 ? { ignored } : {}) };
    try {
      await this.o.ctx.record(event);
    } catch (e) {
      throw new LocalFailure(e);
    }
    state.recorded = id;
  }

  /** Classifies a batch in UID order, writes the raw copies of the test's mail (in parallel: their
   * flushes overlap), then records the events in order, each after its file is on disk. Returns
   * how many messages were not the test's (counted, neither saved nor recorded). */
  private async handleBatch(messages: FetchMessageObject[], folder: string, validity: string): Promise<number> {
    const ready: Array<Extract<Prepared, { kept: true }>> = [];
    const counted: string[] = [];
    let ignored = 0;
    for (const m of messages) {
      const r = await this.prepare(m, folder, validity);
      if (!r) continue;
      if (r.kept) ready.push(r);
      else {
        ignored++;
        if (r.mid) counted.push(r.mid);
      }
    }
    const forget = (list: Array<{ mid?: string }>) => {
      for (const r of list) if (r.mid) this.messageIds.delete(r.mid);
      for (const mid of counted) this.messageIds.delete(mid);
    };
    if (this.o.verify && ready.length > 0) {
      // In parallel: each may wait on DNS; the arrival time is INTERNALDATE, not when this ends.
      const verify = this.o.verify;
      const verdicts = await Promise.all(
        ready.map((r) =>
          withTimeout(verify(r.source), this.o.tuning.verifyLimitMs, 'the check of its origin').catch(
            (e: unknown): MessageAuthenticity => ({ verdict: 'unknown', source: 'none', reasons: [`could not check: ${(e as Error)?.message ?? String(e)}`] }),
          ),
        ),
      );
      verdicts.forEach((v, i) => (ready[i]!.event.authenticity = v));
    }
    try {
      // Written in parallel (their flushes overlap); each event names the file saved for it.
      const files = await Promise.all(ready.map((r) => this.o.ctx.saveMessage(messageFileName(r.event.key), r.source)));
      files.forEach((file, i) => (ready[i]!.event.file = file));
    } catch (e) {
      forget(ready);
      throw new LocalFailure(e);
    }
    for (const [i, r] of ready.entries()) {
      try {
        await this.o.ctx.record(r.event);
      } catch (e) {
        forget(ready.slice(i));
        throw new LocalFailure(e);
      }
    }
    return ignored;
  }

  private async prepare(m: FetchMessageObject, folder: string, validity: string): Promise<Prepared | undefined> {
    const { ctx } = this.o;
    const key = `imap:${folder}:${validity}:${m.uid}`;
    if (ctx.seen(key) || !m.source) return undefined;
    const receivedAt = m.internalDate ? new Date(m.internalDate) : ctx.clock.now();
    let c: Classification;
    let parsed = true;
    try {
      c = await classifyMessage(m.source, {
        pings: ctx.pings,
        receivedAt,
        ...(this.o.ownAddress ? { ownAddress: this.o.ownAddress } : {}),
      });
    } catch (e) {
      // A message that cannot be parsed is still recorded (and kept) rather than retried forever,
      // when its raw text shows it is the test's.
      parsed = false;
      c = unparsedClassification(e);
    }
    const mid = c.messageId ? normalizeMessageId(c.messageId) : undefined;
    if (mid) {
      // The same message in two folders, or again after a UIDVALIDITY change: one event.
      if (this.messageIds.has(mid)) return undefined;
    }
    // Named by its ping's Message-ID or token: the run's whatever INTERNALDATE says (a server
    // clock behind ours can date a quick bounce before the start).
    const namesRun = (c.pingId !== undefined && c.matchedBy !== 'sender') || c.namesPing !== undefined;
    if (!namesRun && this.runStartMs !== undefined && receivedAt.getTime() < this.runStartMs) {
      // Arrived before the run started: not an answer, not the run's (a `check` ping, earlier mail).
      return undefined;
    }
    if (mid) this.messageIds.add(mid);
    if (!this.isTestMail(c, parsed ? undefined : m.source)) return { kept: false, ...(mid ? { mid } : {}) };
    const event: Omit<MessageReceivedEvent, 'v' | 'at'> = {
      type: 'message-received',
      key,
      channel: 'email',
      receivedAt: receivedAt.toISOString(),
      from: c.from,
      subject: c.subject,
      folder,
      file: `messages/${messageFileName(key)}`,
      class: c.class,
      reasons: c.reasons,
    };
    if (c.messageId) event.messageId = c.messageId;
    if (c.pingId) event.pingId = c.pingId;
    if (c.matchedBy) event.matchedBy = c.matchedBy;
    if (c.bounce) event.bounce = c.bounce;
    if (c.otherTest) {
      event.otherTest = { ...c.otherTest };
      const runId = await ctx.otherTestRun?.(c.otherTest.token).catch(() => undefined);
      if (runId) {
        event.otherTest.runId = runId;
        event.reasons = [...event.reasons, `${c.otherTest.token} was sent by run ${runId}`];
      }
    }
    return { kept: true, event, source: m.source, ...(mid ? { mid } : {}) };
  }

  /** The test's mail: matched to a ping of the run, naming one of its pings or another test's,
   * or from an address of the directory. For a message that could not be parsed, its raw text
   * is searched for a token and its From line for an address of the directory. */
  private isTestMail(c: Classification, unparsed: Buffer | undefined): boolean {
    if (c.pingId || c.namesPing || c.otherTest) return true;
    const fromDirectory = this.o.ctx.fromDirectory;
    if (c.fromAddress && fromDirectory?.(c.fromAddress)) return true;
    if (!unparsed) return false;
    const text = unparsed.toString('latin1');
    if (rollcallTokens(text).length > 0 || tokenCandidates(text).some((t) => this.o.ctx.pings.byToken(t))) return true;
    const from = /^From:[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*/im.exec(text)?.[0] ?? '';
    return (from.match(/[^\s<>"',;:]+@[^\s<>"',;]+/g) ?? []).some((a) => fromDirectory?.(a.toLowerCase()) ?? false);
  }
}
