// Test harness: contact points that answer pings by SMTP as people and their mail servers do —
// quoting the ping (In-Reply-To), keeping only its token, an auto-reply first — watching what the
// SMTP harness accepted. Self-contained (nodemailer and the SMTP harness).
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import type { SmtpDelivery, SmtpHarness } from './smtp.js';

export type Behaviour = { kind: 'quote' | 'token' | 'auto-then-quote'; afterMs: number } | { kind: 'refused' | 'greylisted' | 'unknown' | 'silent' | 'cut-after-data' };

export interface ScriptedContact {
  iso: string;
  address: string;
  behaviour: Behaviour;
}

export class Responders {
  private readonly handled = new Set<SmtpDelivery>();
  private readonly timer: NodeJS.Timeout;
  private readonly transport: Transporter;
  /** Replies sent, with the moment the SMTP server accepted each (≈ its arrival in Dovecot). */
  readonly replies: Array<{ from: string; to: string; kind: string; sentAt: Date }> = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly server: SmtpHarness,
    private readonly contacts: ScriptedContact[],
    auth?: { user: string; pass: string },
  ) {
    this.transport = nodemailer.createTransport({ host: '127.0.0.1', port: server.port, ...(auth ? { auth } : {}), secure: false, ignoreTLS: true });
    this.timer = setInterval(() => this.look(), 50);
  }

  private look(): void {
    for (const d of this.server.received) {
      if (this.handled.has(d)) continue;
      this.handled.add(d);
      const contact = this.contacts.find((c) => d.to.includes(c.address));
      if (!contact || !d.from.startsWith('secretariat')) continue;
      const b = contact.behaviour;
      const raw = d.raw.toString('utf8');
      const subject = /^Subject: (.*)$/im.exec(raw)?.[1] ?? '';
      const token = /X-Rollcall-Token: (\S+)/i.exec(raw)?.[1] ?? '';
      const mid = d.messageId ?? '';
      const send = (kind: string, afterMs: number, mail: SendMailOptions) => {
        const p = new Promise<void>((r) => setTimeout(r, afterMs))
          .then(() => this.transport.sendMail({ from: contact.address, to: d.from, ...mail }))
          .then(() => {
            this.replies.push({ from: contact.address, to: d.from, kind, sentAt: new Date() });
          })
          .catch(() => undefined);
        this.pending.add(p);
        void p.finally(() => this.pending.delete(p));
      };
      if (b.kind === 'quote' || b.kind === 'greylisted' || b.kind === 'cut-after-data') {
        send('reply', b.kind === 'quote' ? b.afterMs : 1000, { subject: `Re: ${subject}`, inReplyTo: mid, references: [mid], text: 'Received, the 24/7 point of contact is available.' });
      } else if (b.kind === 'token') {
        send('reply', b.afterMs, { subject: `Test ${token} received`, text: 'Received your message, all good.' });
      } else if (b.kind === 'auto-then-quote') {
        send('automatic', 0, { subject: `Automatic reply: ${subject}`, inReplyTo: mid, headers: { 'Auto-Submitted': 'auto-replied' }, text: 'I am out of the office.' });
        send('reply', b.afterMs, { subject: `RE: ${subject}`, inReplyTo: mid, references: [mid], text: 'Sorry for the delay: received.' });
      }
    }
  }

  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    await this.server.settled();
  }

  stop(): void {
    clearInterval(this.timer);
    this.transport.close();
  }
}
