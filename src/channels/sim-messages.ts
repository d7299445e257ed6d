// Raw RFC 5322 messages that simulated contact points send back: human replies (quoting the
// ping or not), out-of-office auto-replies, RFC 3464 bounces, RFC 8098 read receipts. They go
// through the real classifier, so the demo exercises what a real run does.
import type { Ping } from '../core/ping.js';
import type { SimAnswer } from './sim-world.js';
import { offsetAt } from '../core/time.js';
import type { ReadFields } from '../mail/classify.js';

export interface SimMessageInput {
  ping: Ping;
  answer: SimAnswer;
  /** Arrival at our side. */
  arrival: Date;
  /** Our address (ROLLCALL_FROM). */
  to: string;
  /** Subject of the ping as sent. */
  pingSubject: string;
  /** Distinguishes messages (Message-IDs, MIME boundaries). */
  serial: string;
}

/** RFC 5322 date in the sender's own zone: what a sender writes, and what we never time by. */
function rfc5322Date(at: Date, tz: string): string {
  let offset = 0;
  try {
    offset = offsetAt(at, tz);
  } catch {
    offset = 0;
  }
  const local = new Date(at.getTime() + offset);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  return (
    `${days[local.getUTCDay()]}, ${local.getUTCDate()} ${months[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${p(local.getUTCHours())}:${p(local.getUTCMinutes())}:${p(local.getUTCSeconds())} ${sign}${p(Math.floor(abs / 60))}${p(abs % 60)}`
  );
}

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).replace(/>$/, '');
}

function lines(...ls: string[]): string {
  return ls.join('\r\n');
}

/** The message a simulated contact point sends back. */
export function simMessage(input: SimMessageInput): Buffer {
  return simAnswerMessage(input).raw;
}

/** A unit name that mailparser gives back as written between the quotes: letters, digits,
 * single spaces and plain punctuation (test/channels/sim-messages.test.ts checks each kind). */
const PLAIN_NAME = /^[\p{L}\p{N}](?:[\p{L}\p{N}.,'&/+#-]| (?! ))*$/u;
const PLAIN_ADDRESS = /^[A-Za-z0-9._+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$/;
/** A subject mailparser gives back as written: printable, single-spaced, no encoded words. */
const PLAIN_SUBJECT = /^[^\s](?:[^\s=]| (?! )|=(?!\?))*$/u;

/**
 * The message a simulated contact point sends back, and what mailparser reads from it (From,
 * Subject, text, Date) when that is plain to see from the message's own parts: then the sim
 * channel classifies it without mailparser. `read` is absent for unusual names or subjects,
 * whose message goes through mailparser like any other.
 */
export function simAnswerMessage(input: SimMessageInput): { raw: Buffer; read?: ReadFields } {
  const raw = buildMessage(input);
  const { ping, answer } = input;
  if (!PLAIN_NAME.test(ping.unit) || !PLAIN_ADDRESS.test(ping.address) || !PLAIN_SUBJECT.test(input.pingSubject)) return { raw };
  const date = new Date(Date.parse(dateHeader(input)));
  if (Number.isNaN(date.getTime())) return { raw };
  const domain = domainOf(ping.address);
  const from = { from: `"${ping.unit}" <${ping.address}>`, fromAddress: ping.address.toLowerCase() };
  switch (answer.kind) {
    case 'reply':
      return {
        raw,
        read: {
          ...from,
          subject: answer.style === 'sender' ? 'Test message received' : `RE: ${input.pingSubject}`,
          text:
            answer.style === 'sender'
              ? 'Good morning,\n\nwe received your test message and confirm that our 24/7 contact point is available.\n\nDuty officer\n'
              : `Dear colleagues,\n\nreceived, ${ping.token}. The 24/7 contact point is available.\n\nDuty officer\n${ping.unit}\n`,
          date,
        },
      };
    case 'auto-reply':
      return {
        raw,
        read: {
          ...from,
          subject: `Automatic reply: ${input.pingSubject}`,
          text: 'Thank you for your message. This mailbox is not monitored outside office hours.\nFor urgent matters please call the duty officer.\n',
          date,
        },
      };
    case 'bounce': {
      const mta = `mx.${domain}`;
      const diagnostic = `550 5.1.1 <${ping.address}>: Recipient address rejected: User unknown`;
      return {
        raw,
        read: {
          from: `"Mail Delivery System" <MAILER-DAEMON@${mta}>`,
          fromAddress: `mailer-daemon@${mta}`.toLowerCase(),
          subject: 'Undelivered Mail Returned to Sender',
          text:
            `This is the mail system at host ${mta}.\n\nI'm sorry to have to inform you that your message could not\nbe delivered to one or more recipients.\n\n` +
            `<${ping.address}>: host ${mta} said: ${diagnostic}\n\n` +
            `Reporting-MTA: dns; ${mta}\n\nFinal-Recipient: rfc822; ${ping.address}\nOriginal-Recipient: rfc822; ${ping.address}\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; ${diagnostic}\n`,
          date,
        },
      };
    }
    case 'read-receipt':
      return { raw, read: { ...from, subject: `Read: ${input.pingSubject}`, text: `Your message to ${ping.address} was displayed.\n`, date } };
  }
}

function dateHeader(input: SimMessageInput): string {
  // The sender's clock is a little off, and in its own zone: a Date header is never the arrival.
  return rfc5322Date(new Date(input.arrival.getTime() - 37_000), input.ping.timezone);
}

function buildMessage(input: SimMessageInput): Buffer {
  const { ping, answer, to } = input;
  const domain = domainOf(ping.address);
  const messageId = `<sim.${input.serial}@${domain}>`;
  const date = dateHeader(input);
  const from = `"${ping.unit.replace(/"/g, "'")}" <${ping.address}>`;
  switch (answer.kind) {
    case 'reply': {
      const quote = answer.style === 'in-reply-to';
      const subject = answer.style === 'sender' ? 'Test message received' : `RE: ${input.pingSubject}`;
      const body =
        answer.style === 'sender'
          ? 'Good morning,\r\n\r\nwe received your test message and confirm that our 24/7 contact point is available.\r\n\r\nDuty officer'
          : `Dear colleagues,\r\n\r\nreceived, ${ping.token}. The 24/7 contact point is available.\r\n\r\nDuty officer\r\n${ping.unit}`;
      return Buffer.from(
        lines(
          `From: ${from}`,
          `To: ${to}`,
          `Subject: ${subject}`,
          `Date: ${date}`,
          `Message-ID: ${messageId}`,
          ...(quote && ping.messageId ? [`In-Reply-To: ${ping.messageId}`, `References: ${ping.messageId}`] : []),
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          'Content-Transfer-Encoding: 8bit',
          '',
          body,
          '',
        ),
      );
    }
    case 'auto-reply':
      return Buffer.from(
        lines(
          `From: ${from}`,
          `To: ${to}`,
          `Subject: Automatic reply: ${input.pingSubject}`,
          `Date: ${date}`,
          `Message-ID: ${messageId}`,
          ...(ping.messageId ? [`In-Reply-To: ${ping.messageId}`, `References: ${ping.messageId}`] : []),
          'Auto-Submitted: auto-replied',
          'X-Auto-Response-Suppress: All',
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Thank you for your message. This mailbox is not monitored outside office hours.',
          'For urgent matters please call the duty officer.',
          '',
        ),
      );
    case 'bounce': {
      const boundary = `=_sim_${input.serial}`;
      const mta = `mx.${domain}`;
      return Buffer.from(
        lines(
          `From: Mail Delivery System <MAILER-DAEMON@${mta}>`,
          `To: ${to}`,
          'Subject: Undelivered Mail Returned to Sender',
          `Date: ${date}`,
          `Message-ID: ${messageId}`,
          'Auto-Submitted: auto-replied',
          'MIME-Version: 1.0',
          `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
          '',
          `--${boundary}`,
          'Content-Type: text/plain; charset=us-ascii',
          '',
          `This is the mail system at host ${mta}.`,
          '',
          "I'm sorry to have to inform you that your message could not",
          'be delivered to one or more recipients.',
          '',
          `<${ping.address}>: host ${mta} said: 550 5.1.1 <${ping.address}>: Recipient address rejected: User unknown`,
          '',
          `--${boundary}`,
          'Content-Type: message/delivery-status',
          '',
          `Reporting-MTA: dns; ${mta}`,
          '',
          `Final-Recipient: rfc822; ${ping.address}`,
          `Original-Recipient: rfc822; ${ping.address}`,
          'Action: failed',
          'Status: 5.1.1',
          `Diagnostic-Code: smtp; 550 5.1.1 <${ping.address}>: Recipient address rejected: User unknown`,
          '',
          `--${boundary}`,
          'Content-Type: text/rfc822-headers',
          '',
          `From: ${to}`,
          `To: ${ping.address}`,
          `Subject: ${input.pingSubject}`,
          ...(ping.messageId ? [`Message-ID: ${ping.messageId}`] : []),
          `X-Rollcall-Token: ${ping.token}`,
          '',
          `--${boundary}--`,
          '',
        ),
      );
    }
    case 'read-receipt': {
      const boundary = `=_sim_${input.serial}`;
      return Buffer.from(
        lines(
          `From: ${from}`,
          `To: ${to}`,
          `Subject: Read: ${input.pingSubject}`,
          `Date: ${date}`,
          `Message-ID: ${messageId}`,
          'MIME-Version: 1.0',
          `Content-Type: multipart/report; report-type=disposition-notification; boundary="${boundary}"`,
          '',
          `--${boundary}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          `Your message to ${ping.address} was displayed.`,
          '',
          `--${boundary}`,
          'Content-Type: message/disposition-notification',
          '',
          `Final-Recipient: rfc822; ${ping.address}`,
          ...(ping.messageId ? [`Original-Message-ID: ${ping.messageId}`] : []),
          'Disposition: manual-action/MDN-sent-manually; displayed',
          '',
          `--${boundary}--`,
          '',
        ),
      );
    }
  }
}
