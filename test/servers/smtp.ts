// Test harness: an SMTP server (the smtp-server package) on 127.0.0.1 that accepts pings,
// can be scripted to refuse a recipient (550 at RCPT, or 451 once then accept), and delivers
// what it accepts into Dovecot over LMTP. When Dovecot refuses a recipient after we accepted
// the message (unknown user), it sends the sender an RFC 3464 bounce, as Postfix would.
// Self-contained (node built-ins, smtp-server, nodemailer) so that bench/ can load it too.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';
import { SMTPServer, type SMTPServerAddress, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';

export interface SmtpReply {
  code: number;
  message: string;
}

export interface SmtpDelivery {
  from: string;
  to: string[];
  raw: Buffer;
  /** When we answered 250 after DATA. */
  acceptedAt: Date;
  messageId?: string;
}

export interface SmtpHarness {
  port: number;
  /** `smtp://user:pass@127.0.0.1:port` (credentials when the server was started with auth). */
  url(auth?: { user: string; pass: string }): string;
  received: SmtpDelivery[];
  /** The next RCPT TO for this address get these replies in turn; later ones are accepted. */
  scriptRcpt(address: string, ...replies: SmtpReply[]): void;
  /** Every RCPT TO for this address gets this reply. */
  refuseRcpt(address: string, reply: SmtpReply): void;
  /** The next messages to this address are taken whole (kept in `received`, delivered), and
   * then the connection is cut (`drop`) or no answer ever comes (`stall`) instead of the 250. */
  afterData(address: string, ...actions: Array<'drop' | 'stall'>): void;
  /** Resolves when `n` messages were accepted in all. */
  waitForMessages(n: number, ms?: number): Promise<SmtpDelivery[]>;
  /** Resolves when every LMTP delivery (and bounce) started so far is done. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export interface SmtpOptions {
  /** Where accepted mail goes (Dovecot's LMTP listener). Without it, mail is only kept in memory. */
  lmtp?: { host: string; port: number };
  auth?: { user: string; pass: string };
  /** Host name in greetings and bounces. */
  hostname?: string;
}

/** An RFC 3464 bounce as Postfix writes it, returning the original message's headers. */
export function composeBounce(o: {
  reportingMta: string;
  sender: string;
  recipient: string;
  status: string;
  diagnostic: string;
  original: Buffer;
  action?: 'failed' | 'delayed';
  date?: Date;
}): string {
  const boundary = `${randomBytes(6).toString('hex')}/${o.reportingMta}`;
  const date = (o.date ?? new Date()).toUTCString();
  const text = o.original.toString('utf8');
  const headers = text.slice(0, Math.max(0, text.search(/\r?\n\r?\n/))) || text;
  const action = o.action ?? 'failed';
  return [
    `Return-Path: <>`,
    `Date: ${date}`,
    `From: MAILER-DAEMON@${o.reportingMta} (Mail Delivery System)`,
    `Subject: ${action === 'failed' ? 'Undelivered Mail Returned to Sender' : 'Delayed Mail (still being retried)'}`,
    `To: ${o.sender}`,
    `Auto-Submitted: auto-replied`,
    `Message-Id: <${Date.now()}.${randomBytes(4).toString('hex')}@${o.reportingMta}>`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/report; report-type=delivery-status;`,
    `\tboundary="${boundary}"`,
    ``,
    `This is a MIME-encapsulated message.`,
    ``,
    `--${boundary}`,
    `Content-Description: Notification`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `This is the mail system at host ${o.reportingMta}.`,
    ``,
    `I'm sorry to have to inform you that your message could not`,
    `be delivered to one or more recipients. It's attached below.`,
    ``,
    `<${o.recipient}>: ${o.diagnostic}`,
    ``,
    `--${boundary}`,
    `Content-Description: Delivery report`,
    `Content-Type: message/delivery-status`,
    ``,
    `Reporting-MTA: dns; ${o.reportingMta}`,
    `Arrival-Date: ${date}`,
    ``,
    `Final-Recipient: rfc822; ${o.recipient}`,
    `Original-Recipient: rfc822;${o.recipient}`,
    `Action: ${action}`,
    `Status: ${o.status}`,
    `Diagnostic-Code: smtp; ${o.diagnostic}`,
    ``,
    `--${boundary}`,
    `Content-Description: Undelivered Message Headers`,
    `Content-Type: text/rfc822-headers`,
    ``,
    headers.replace(/\r?\n/g, '\r\n'),
    ``,
    `--${boundary}--`,
    ``,
  ].join('\r\n');
}

export async function startSmtp(opts: SmtpOptions = {}): Promise<SmtpHarness> {
  const hostname = opts.hostname ?? 'mx.rollcall.test';
  const received: SmtpDelivery[] = [];
  const scripts = new Map<string, SmtpReply[]>();
  const always = new Map<string, SmtpReply>();
  const dataActions = new Map<string, Array<'drop' | 'stall'>>();
  const pending = new Set<Promise<void>>();
  const waiters: Array<() => void> = [];
  const lmtp = opts.lmtp ? nodemailer.createTransport({ host: opts.lmtp.host, port: opts.lmtp.port, lmtp: true, logger: false }) : undefined;

  const refusal = (reply: SmtpReply) => Object.assign(new Error(reply.message), { responseCode: reply.code });

  const deliver = async (from: string, to: string, raw: Buffer): Promise<void> => {
    if (!lmtp) return;
    try {
      await lmtp.sendMail({ envelope: { from: from || '', to: [to] }, raw });
    } catch (e) {
      const err = e as { responseCode?: number; response?: string; message: string };
      if (!from || !err.responseCode || err.responseCode < 500) return;
      const bounce = composeBounce({
        reportingMta: hostname,
        sender: from,
        recipient: to,
        status: /\b([245]\.\d+\.\d+)\b/.exec(err.response ?? '')?.[1] ?? '5.0.0',
        diagnostic: err.response ?? err.message,
        original: raw,
      });
      await lmtp.sendMail({ envelope: { from: '', to: [from] }, raw: bounce }).catch(() => undefined);
    }
  };

  const server = new SMTPServer({
    name: hostname,
    banner: 'rollcall test SMTP server',
    secure: false,
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth: SMTPServerAuthentication, _session: SMTPServerSession, cb: (err: Error | null | undefined, res?: { user: string }) => void) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) return cb(null, { user: auth.username ?? '' });
      cb(refusal({ code: 535, message: '5.7.8 Authentication credentials invalid' }));
    },
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) {
      const a = address.address.toLowerCase();
      const fixed = always.get(a);
      if (fixed) return cb(refusal(fixed));
      const next = scripts.get(a)?.shift();
      if (next) return cb(refusal(next));
      cb();
    },
    onData(stream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const to = session.envelope.rcptTo.map((r) => r.address);
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(raw.toString('utf8'))?.[1];
        const queueId = randomBytes(5).toString('hex').toUpperCase();
        received.push({ from, to, raw, acceptedAt: new Date(), ...(messageId ? { messageId } : {}) });
        // Deliver after answering, as a real MTA does: a bounce comes after the 250.
        setImmediate(() => {
          const p = Promise.all(to.map((t) => deliver(from, t, raw))).then(() => undefined);
          pending.add(p);
          void p.finally(() => pending.delete(p));
        });
        for (const w of waiters.splice(0)) w();
        const action = to.map((t) => dataActions.get(t.toLowerCase())?.shift()).find(Boolean);
        if (action === 'stall') return; // the 250 never comes
        if (action === 'drop') {
          const connections = (server as unknown as { connections: Set<{ id: string; _socket: { destroy(): void } }> }).connections;
          for (const c of connections) if (c.id === session.id) c._socket.destroy();
          return;
        }
        cb(null, `2.0.0 Ok: queued as ${queueId}`);
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    url(auth = opts.auth) {
      return auth ? `smtp://${encodeURIComponent(auth.user)}:${encodeURIComponent(auth.pass)}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`;
    },
    received,
    scriptRcpt(address, ...replies) {
      scripts.set(address.toLowerCase(), [...(scripts.get(address.toLowerCase()) ?? []), ...replies]);
    },
    refuseRcpt(address, reply) {
      always.set(address.toLowerCase(), reply);
    },
    afterData(address, ...actions) {
      dataActions.set(address.toLowerCase(), [...(dataActions.get(address.toLowerCase()) ?? []), ...actions]);
    },
    async waitForMessages(n, ms = 10_000) {
      const deadline = Date.now() + ms;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${received.length} of ${n} messages arrived`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 100);
        });
      }
      return received.slice(0, n);
    },
    async settled() {
      // A delivery is registered on the next tick after the 250: let it start first.
      await new Promise((r) => setImmediate(r));
      while (pending.size > 0) await Promise.all([...pending]);
    },
    async stop() {
      lmtp?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
