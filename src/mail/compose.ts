// Composes one ping e-mail: the token in the subject, the body and an X-Rollcall-Token header,
// our own Message-ID, a plain-text body with an HTML alternative, in the contact's language (the
// words come from PingWording: the office's templates over the built-in texts).
// No Auto-Submitted header (docs/measurement.md, "Ping": a ping must trigger what a real request would).
import type { Ping } from '../core/ping.js';
import { builtInWording, type PingWording } from './templates.js';
import { newMessageId, type Random } from './token.js';

export const TOKEN_HEADER = 'X-Rollcall-Token';

export interface ComposeOptions {
  /** `Name <address>` of the sender (ROLLCALL_FROM). */
  from: string;
  /** Subject template; `{token}` and `{network}` are replaced. A language's subject.txt wins. */
  subject: string;
  network: string;
  random?: Random;
  /** The words (default: the built-in texts). */
  wording?: PingWording;
}

export interface ComposedPing {
  from: string;
  to: string;
  subject: string;
  messageId: string;
  /** Language the text was written in (the English version follows any other). */
  language: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export function renderSubject(template: string, token: string, network: string): string {
  const s = template.replaceAll('{network}', network).replaceAll('{token}', token);
  // The token must be in the subject whatever the template says: replies keep subjects best.
  return s.includes(token) ? s : `${s} [${token}]`;
}

/** The ping message for one address. Uses `ping.messageId` when the engine already chose one. */
export function composePing(ping: Ping, opts: ComposeOptions): ComposedPing {
  const words = (opts.wording ?? builtInWording(opts.network)).email(ping);
  return {
    from: opts.from,
    to: ping.address,
    subject: words.subject ?? renderSubject(opts.subject, ping.token, opts.network),
    messageId: ping.messageId ?? newMessageId(ping.token, opts.from, opts.random),
    language: words.language,
    text: words.text,
    html: words.html,
    headers: { [TOKEN_HEADER]: ping.token },
  };
}
