// A notice to the secretariat about a run (--notify): one e-mail through the same SMTP server as
// the pings, marked as automatic (Auto-Submitted: auto-generated, RFC 3834) so that no
// out-of-office answers it and rollcall never takes it for an answer to a ping.
import nodemailer from 'nodemailer';
import { requireSetting, type Settings } from '../settings.js';
import { hideSecret, smtpServer } from './email-servers.js';

export const NOTICE_HEADER = 'X-Rollcall-Notice';

export interface Notice {
  to: string[];
  subject: string;
  text: string;
  /** Files attached (the HTML report). */
  attachments?: Array<{ filename: string; path: string; contentType?: string }>;
  /** The run it is about (X-Rollcall-Notice). */
  runId: string;
}

/** Sends one notice; throws an Error with the server's words (password removed) when it cannot. */
export async function sendNotice(notice: Notice, settings: Settings, opts: { insecureTls?: boolean } = {}): Promise<void> {
  const smtp = smtpServer(requireSetting(settings, 'smtpUrl', 'ROLLCALL_SMTP_URL'), { insecureTls: opts.insecureTls ?? false });
  const from = requireSetting(settings, 'from', 'ROLLCALL_FROM');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTLS,
    ...(smtp.auth ? { auth: { user: smtp.auth.user, pass: smtp.auth.pass } } : {}),
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    logger: false,
    debug: false,
  });
  try {
    await transport.sendMail({
      from,
      to: notice.to,
      subject: notice.subject,
      text: notice.text,
      headers: { 'Auto-Submitted': 'auto-generated', [NOTICE_HEADER]: notice.runId },
      ...(notice.attachments ? { attachments: notice.attachments } : {}),
    });
  } catch (e) {
    const err = e as { response?: string; message?: string };
    throw new Error(hideSecret(err.response ?? err.message ?? String(e), smtp.auth));
  } finally {
    transport.close();
  }
}
