// Delivery status notifications (RFC 3464), read receipts (RFC 8098) and the plain-text bounces
// some servers still send (Exim, qmail): the fields that say who failed, how, and which of our
// messages came back.
import type { BounceDetail } from '../core/events.js';
import { type HeaderBlock, type MimePart, decodeCharset, parseFieldGroups, parseMime, walkParts } from './mime.js';

/** What we can read of our own message returned inside a bounce or named by a receipt. */
export interface ReturnedOriginal {
  messageId?: string;
  subject?: string;
  /** X-Rollcall-Token header of the returned message. */
  token?: string;
  to?: string;
  /** Header text (and body, when returned in full), for a token search. */
  text: string;
}

export interface DsnRecipient extends BounceDetail {
  originalRecipient?: string;
}

export interface DeliveryReport {
  source: 'rfc3464' | 'plain-text';
  reportingMta?: string;
  /** Original-Envelope-Id: our token, when the server honoured the DSN ENVID we sent. */
  envelopeId?: string;
  recipients: DsnRecipient[];
  original?: ReturnedOriginal;
  /** The rules that recognised it. */
  reasons: string[];
}

export interface ReadReceipt {
  originalMessageId?: string;
  finalRecipient?: string;
  disposition?: string;
  original?: ReturnedOriginal;
  reasons: string[];
}

/** `rfc822; user@example.org` or `<user@example.org>` → `user@example.org`. */
export function addressField(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const v = value.includes(';') ? value.slice(value.indexOf(';') + 1) : value;
  const a = v.trim().replace(/^<|>$/g, '').trim();
  return a || undefined;
}

function returnedOriginal(root: MimePart): ReturnedOriginal | undefined {
  for (const p of walkParts(root)) {
    if (p === root) continue;
    if (['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/global-headers'].includes(p.contentType)) {
      const inner = p.children[0];
      if (inner) return originalFromPart(inner, p.body);
    }
  }
  return undefined;
}

function originalFromPart(inner: MimePart, rawText: string): ReturnedOriginal {
  const h = inner.headers;
  return {
    messageId: h.get('message-id')?.trim(),
    subject: h.get('subject'),
    token: h.get('x-rollcall-token')?.trim(),
    to: h.get('to'),
    text: decodeCharset(rawText, 'utf-8'),
  };
}

function recipientFrom(group: HeaderBlock): DsnRecipient {
  const r: DsnRecipient = {};
  const finalRecipient = addressField(group.get('final-recipient'));
  const originalRecipient = addressField(group.get('original-recipient'));
  if (finalRecipient ?? originalRecipient) r.recipient = finalRecipient ?? originalRecipient;
  if (originalRecipient) r.originalRecipient = originalRecipient;
  const action = group.get('action')?.trim().toLowerCase();
  if (action) r.action = action;
  const status = /\d\.\d{1,3}\.\d{1,3}/.exec(group.get('status') ?? '')?.[0];
  if (status) r.status = status;
  const diagnostic = group.get('diagnostic-code');
  if (diagnostic) r.diagnostic = diagnostic.trim();
  return r;
}

/** An RFC 3464 report: a message/delivery-status part, with its recipients and the original. */
export function findDeliveryReport(root: MimePart): DeliveryReport | undefined {
  for (const p of walkParts(root)) {
    if (p.contentType !== 'message/delivery-status' && p.contentType !== 'message/global-delivery-status') continue;
    const groups = parseFieldGroups(p.body);
    const [perMessage, ...perRecipient] = groups;
    const recipients = perRecipient.map(recipientFrom).filter((r) => r.recipient || r.action || r.status);
    const reasons = [`${p.contentType} part (RFC 3464)`];
    const report: DeliveryReport = { source: 'rfc3464', recipients, reasons };
    const mta = perMessage?.get('reporting-mta');
    if (mta) report.reportingMta = addressField(mta);
    const envid = perMessage?.get('original-envelope-id')?.trim();
    if (envid) report.envelopeId = envid;
    const original = returnedOriginal(root);
    if (original) report.original = original;
    return report;
  }
  return undefined;
}

/** An RFC 8098 message disposition notification. */
export function findReadReceipt(root: MimePart): ReadReceipt | undefined {
  for (const p of walkParts(root)) {
    if (p.contentType !== 'message/disposition-notification' && p.contentType !== 'message/global-disposition-notification') continue;
    const [fields] = parseFieldGroups(p.body);
    const receipt: ReadReceipt = { reasons: [`${p.contentType} part (RFC 8098)`] };
    const orig = fields?.get('original-message-id')?.trim();
    if (orig) receipt.originalMessageId = orig;
    const fr = addressField(fields?.get('final-recipient'));
    if (fr) receipt.finalRecipient = fr;
    const disp = fields?.get('disposition');
    if (disp) receipt.disposition = disp.trim();
    const original = returnedOriginal(root);
    if (original) receipt.original = original;
    return receipt;
  }
  return undefined;
}

/** The subject of a read notice sent without an RFC 8098 part (Outlook's "Read: ...", in the
 * languages it writes them; Lotus Notes' "Return Receipt"), lower case, accents removed. */
const READ_NOTICE_SUBJECT = /^\s*(?:(read|lu|gelesen|leido|letto|lida|gelezen|læst|luettu)\s*:|(return receipt|read receipt|read notification)\b)/;

/** A read notice known by its subject alone: not a person's answer, whatever it quotes. */
export function findReadNotice(subject: string): ReadReceipt | undefined {
  const m = READ_NOTICE_SUBJECT.exec(subject.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase());
  return m ? { reasons: [`Subject "${subject.trim().slice(0, m[0].trim().length)}" (a read notice without an RFC 8098 part)`] } : undefined;
}

const BOUNCE_SENDER = /(mailer-daemon|postmaster|mail delivery (system|subsystem)|mail administrator)/i;
const BOUNCE_SUBJECT =
  /(undeliver|mail delivery failed|delivery (status notification|failure|has failed|problem)|returned mail|failure notice|non[- ]?delivery|could not be delivered|unzustellbar|non remis|no entregado|warning: message .* delayed|delayed mail)/i;
const BOUNCE_BODY =
  /(could not be delivered|permanent (fatal )?error|following (address(\(es\))?|addresses|recipients?) failed|wasn't able to deliver|unable to deliver|delivery to the following recipients? failed|has not yet been delivered|delivery has failed)/i;
const DELAY_WORDS = /(delayed|not yet been delivered|will (continue to )?(retry|try)|still trying|temporar(y|ily) (error|failure|problem))/i;
const PERMANENT_WORDS = /(permanent (fatal )?error|i've given up|has failed|failed permanently|could not be delivered|user unknown|does not exist)/i;
/** Lines that introduce the copy of the original message in a plain-text bounce. */
const COPY_MARKER = /^[ \t]*-{2,}.*(copy of the (original )?message|below this line|original message).*$/im;

/** A plain-text bounce (Exim's "Mail delivery failed", qmail's "failure notice"). */
export function findPlainTextBounce(input: {
  from: string;
  subject: string;
  returnPath?: string;
  text: string;
  ownAddress?: string;
  /** Exim's X-Failed-Recipients header. */
  failedRecipients?: string;
}): DeliveryReport | undefined {
  const nullSender = input.returnPath !== undefined && /^<\s*>$/.test(input.returnPath.trim());
  const fromDaemon = BOUNCE_SENDER.test(input.from);
  const subjectHit = BOUNCE_SUBJECT.test(input.subject);
  const bodyHit = BOUNCE_BODY.exec(input.text);
  // A null sender alone does not make a bounce: RFC 3834 asks auto-replies to use one too, and a
  // vacation notice may say its owner is "unable to deliver" an answer. Without a mail-system
  // sender, only a bounce's subject does.
  if (!(fromDaemon || (nullSender && subjectHit)) || !(subjectHit || bodyHit)) return undefined;
  const headerAddresses = (input.failedRecipients ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  const reasons = [
    fromDaemon ? `From: ${input.from} (mail system)` : 'Return-Path: <> (null sender)',
    subjectHit ? `Subject: ${input.subject}` : `body: "${bodyHit?.[0]}"`,
    ...(headerAddresses.length > 0 ? [`X-Failed-Recipients: ${input.failedRecipients}`] : []),
  ];
  const marker = COPY_MARKER.exec(input.text);
  const report = marker ? input.text.slice(0, marker.index) : input.text;
  const returned = marker ? input.text.slice(marker.index + marker[0].length).replace(/^\s*\n/, '') : undefined;

  const skip = new Set([input.ownAddress?.toLowerCase(), addressOnly(input.from)?.toLowerCase()].filter(Boolean));
  const addresses = [...headerAddresses, ...[...report.matchAll(/<?([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?/g)]
    .map((m) => m[1] as string)
    .filter((a) => !skip.has(a.toLowerCase()) && !BOUNCE_SENDER.test(a))];
  const delayed = DELAY_WORDS.test(input.subject + '\n' + report) && !PERMANENT_WORDS.test(input.subject + '\n' + report);
  const lines = report.split(/\r?\n/);
  const diagLine = lines.find((l) => /\b[45]\d\d[ -]/.test(l)) ?? lines.find((l) => /[#(][245]\.\d{1,3}\.\d{1,3}\)?/.test(l));
  const status = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(diagLine ?? report)?.[1];
  const recipient: DsnRecipient = { action: delayed ? 'delayed' : 'failed' };
  if (addresses[0]) recipient.recipient = addresses[0];
  if (status) recipient.status = status;
  if (diagLine) recipient.diagnostic = diagLine.trim();
  const out: DeliveryReport = { source: 'plain-text', recipients: [recipient], reasons };
  if (returned) {
    const inner = parseMime(returned);
    out.original = originalFromPart(inner, returned);
  }
  return out;
}

function addressOnly(from: string): string | undefined {
  return /<([^>]+)>/.exec(from)?.[1] ?? (/\S+@\S+/.exec(from)?.[0] || undefined);
}

/** The recipient of a report that decides its class: the first failed, else the first delayed. */
export function decisiveRecipient(report: DeliveryReport): DsnRecipient | undefined {
  const rs = report.recipients;
  return (
    rs.find((r) => r.action === 'failed' || r.status?.startsWith('5')) ??
    rs.find((r) => r.action === 'delayed' || r.status?.startsWith('4')) ??
    rs[0]
  );
}
