// Sending through the organisation's SMTP server with nodemailer's SMTPConnection, a few
// connections kept open and reused. Unlike a pooled transport, it tells the caller the moment a
// message is handed over: the connection is open and logged in, the server has taken the
// envelope and said to go ahead (354), and the content is about to leave. Before that moment
// nothing can have been delivered; after it, a cut connection or a server that never answers
// leaves the message's fate unknown.
import { Readable } from 'node:stream';
import MailComposer from 'nodemailer/lib/mail-composer';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import DKIM from 'nodemailer/lib/dkim';
import { buffer } from 'node:stream/consumers';
import type { SmtpServer } from './email-servers.js';

export interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** DKIM signing of the messages, as nodemailer's signer takes it (the key is never shown). */
export interface DkimOptions {
  domainName: string;
  keySelector: string;
  privateKey: string;
}

export interface SmtpTimeouts {
  /** Connecting, TLS and the greeting. */
  connectMs: number;
  /** Silence from the server in a session, the wait for the answer after the content included. */
  socketMs: number;
}

export const DEFAULT_SMTP_TIMEOUTS: SmtpTimeouts = { connectMs: 30_000, socketMs: 60_000 };

export type SmtpSendResult =
  | { ok: true; response: string; rejected: false }
  | { ok: true; response: string; rejected: true; error: SmtpError }
  | { ok: false; error: SmtpError; handedOver: boolean };

export interface SmtpMessage {
  envelope: { from: string; to: string[]; dsn?: { ret?: string; envid?: string; notify?: string[]; orcpt?: string } };
  /** What MailComposer takes (from, to, subject, text, html, messageId, date, headers). */
  mail: ConstructorParameters<typeof MailComposer>[0];
}

interface Session {
  connection: SMTPConnection;
  sent: number;
  /** Not to be used again (failed, closed by the server, or dropped). */
  closed: boolean;
  /** No longer counted among the open connections. */
  forgotten: boolean;
}

export class SmtpSender {
  private readonly idle: Session[] = [];
  private open = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly server: SmtpServer,
    private readonly o: { maxConnections: number; maxMessages: number; timeouts: SmtpTimeouts; dkim?: DkimOptions },
  ) {}

  /** Connects and logs in once, then lets go: the login check before a run. */
  async verify(): Promise<void> {
    const s = await this.connect();
    s.connection.quit();
  }

  /**
   * Sends one message. `handover` is called once the server has said to go ahead with the
   * content and before a byte of it leaves; when it rejects, nothing leaves and the session is
   * dropped. `handedOver` in a failure says whether the content had started to leave.
   */
  async send(message: SmtpMessage, handover?: () => Promise<void>): Promise<SmtpSendResult> {
    let raw = await new MailComposer(message.mail).compile().build();
    // Signed before any connection is used: the signature covers the exact bytes that leave.
    if (this.o.dkim) raw = await buffer(new DKIM(this.o.dkim).sign(Readable.from([raw])));
    for (let attempt = 0; ; attempt++) {
      let session: Session;
      try {
        session = await this.acquire();
      } catch (e) {
        return { ok: false, error: e as SmtpError, handedOver: false };
      }
      const reused = session.sent > 0;
      const result = await this.sendOn(session, message, raw, handover);
      // A kept connection the server had closed meanwhile fails before anything was handed
      // over: try once more on a new one.
      if (!result.ok && !result.handedOver && reused && attempt === 0 && result.error.responseCode === undefined) continue;
      return result;
    }
  }

  close(): void {
    for (const s of this.idle.splice(0)) this.drop(s);
  }

  private sendOn(session: Session, message: SmtpMessage, raw: Buffer, handover?: () => Promise<void>): Promise<SmtpSendResult> {
    let handedOver = false;
    const content = new Readable({
      read() {
        if (handedOver) return;
        handedOver = true;
        // The envelope was taken and DATA answered 354: this is the moment of hand-over.
        (handover ? handover() : Promise.resolve()).then(
          () => {
            this.push(raw);
            this.push(null);
          },
          (e: unknown) => {
            handedOver = false; // nothing left
            this.destroy(e as Error);
          },
        );
      },
    });
    return new Promise<SmtpSendResult>((resolve) => {
      session.connection.send({ from: message.envelope.from, to: message.envelope.to, ...(message.envelope.dsn ? { dsn: message.envelope.dsn } : {}) }, content, (err, info) => {
        if (err) {
          // A session that failed mid-transaction is not reused.
          this.drop(session);
          resolve({ ok: false, error: err, handedOver });
          return;
        }
        session.sent++;
        this.release(session);
        const rejected = info.rejectedErrors?.[0] ?? undefined;
        resolve(rejected && info.accepted.length === 0 ? { ok: true, response: info.response, rejected: true, error: rejected } : { ok: true, response: info.response, rejected: false });
      });
    });
  }

  private async acquire(): Promise<Session> {
    for (;;) {
      const s = this.idle.pop();
      if (s) {
        if (!s.closed) return s;
        this.drop(s);
        continue;
      }
      if (this.open < this.o.maxConnections) return this.connect();
      await new Promise<void>((r) => this.waiting.push(r));
    }
  }

  private release(s: Session): void {
    if (s.closed || s.sent >= this.o.maxMessages) return this.drop(s);
    this.idle.push(s);
    this.waiting.shift()?.();
  }

  private drop(s: Session): void {
    s.closed = true;
    s.connection.close();
    const i = this.idle.indexOf(s);
    if (i >= 0) this.idle.splice(i, 1);
    this.forget(s);
  }

  private forget(s: Session): void {
    if (s.forgotten) return;
    s.forgotten = true;
    this.open--;
    this.waiting.shift()?.();
  }

  private async connect(): Promise<Session> {
    const { server } = this;
    const connection = new SMTPConnection({
      host: server.host,
      port: server.port,
      secure: server.secure,
      requireTLS: server.requireTLS,
      connectionTimeout: this.o.timeouts.connectMs,
      greetingTimeout: this.o.timeouts.connectMs,
      socketTimeout: this.o.timeouts.socketMs,
      logger: false,
      debug: false,
    });
    this.open++;
    const session: Session = { connection, sent: 0, closed: false, forgotten: false };
    // Errors reach the callback of what is in progress; an idle session that the server closes
    // is forgotten.
    connection.on('error', () => {
      session.closed = true;
    });
    connection.once('end', () => {
      session.closed = true;
      // Idle: forgotten now; in use: the send in progress gets the error and drops it.
      if (this.idle.includes(session)) this.drop(session);
    });
    // A failure to connect (refused, timed out, TLS) is emitted as 'error' rather than given to
    // the connect callback: either ends the wait.
    const step = (run: (done: (err?: Error | null) => void) => void) =>
      new Promise<void>((resolve, reject) => {
        const onError = (e: Error) => reject(e);
        connection.once('error', onError);
        run((err) => {
          connection.off('error', onError);
          if (err) reject(err);
          else resolve();
        });
      });
    try {
      await step((done) => connection.connect(done));
      if (server.auth) {
        const auth = server.auth;
        await step((done) => connection.login({ user: auth.user, pass: auth.pass }, done));
      }
    } catch (e) {
      this.drop(session);
      throw e;
    }
    return session;
  }
}
