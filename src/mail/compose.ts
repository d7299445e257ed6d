// Composes one ping e-mail: the token in the subject, the body and an X-Rollcall-Token header,
// our own Message-ID, a plain-text body with an HTML alternative, in the contact's language.
// No Auto-Submitted header (docs/measurement.md, "Ping": a ping must trigger what a real request would).
import type { Ping } from '../core/ping.js';
import { PING_TEXTS, pickLanguage, type PingText } from './ping-texts.js';
import { newMessageId, type Random } from './token.js';

export const TOKEN_HEADER = 'X-Rollcall-Token';

export interface ComposeOptions {
  /** `Name <address>` of the sender (ROLLCALL_FROM). */
  from: string;
  /** Subject template; `{token}` and `{network}` are replaced. */
  subject: string;
  network: string;
  random?: Random;
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

function fill(s: string, vars: Record<string, string>): string {
  return s.replace(/\{(unit|network|token|address)\}/g, (_, k: string) => vars[k] ?? '');
}

function textBlock(t: PingText, vars: Record<string, string>): string {
  return [
    ...t.paragraphs.map((p) => fill(p, vars)),
    `${t.reference}: ${vars.token}\n${t.sentTo}: ${vars.address}`,
    t.thanks,
  ].join('\n\n');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function htmlBlock(t: PingText, vars: Record<string, string>, lang: string): string {
  const ps = t.paragraphs.map((p) => `<p>${escapeHtml(fill(p, vars)).replace(escapeHtml(vars.token ?? ''), `<strong>${escapeHtml(vars.token ?? '')}</strong>`)}</p>`);
  return (
    `<div lang="${lang}">${ps.join('')}` +
    `<p>${escapeHtml(t.reference)}: <strong>${escapeHtml(vars.token ?? '')}</strong><br>${escapeHtml(t.sentTo)}: ${escapeHtml(vars.address ?? '')}</p>` +
    `<p>${escapeHtml(t.thanks)}</p></div>`
  );
}

/** The ping message for one address. Uses `ping.messageId` when the engine already chose one. */
export function composePing(ping: Ping, opts: ComposeOptions): ComposedPing {
  const language = pickLanguage(ping.languages);
  const vars = { unit: ping.unit, network: opts.network, token: ping.token, address: ping.address };
  const langs = language === 'en' ? ['en'] : [language, 'en'];
  const texts = langs.map((l) => PING_TEXTS[l] as PingText);
  const text = texts.map((t, i) => (i === 0 ? '' : `----- ${t.name} -----\n\n`) + textBlock(t, vars)).join('\n\n');
  const html =
    '<!doctype html><html><body>' +
    texts.map((t, i) => (i === 0 ? '' : `<hr><p><em>${escapeHtml(t.name)}</em></p>`) + htmlBlock(t, vars, langs[i] ?? 'en')).join('') +
    '</body></html>';
  return {
    from: opts.from,
    to: ping.address,
    subject: renderSubject(opts.subject, ping.token, opts.network),
    messageId: ping.messageId ?? newMessageId(ping.token, opts.from, opts.random),
    language,
    text: text + '\n',
    html,
    headers: { [TOKEN_HEADER]: ping.token },
  };
}
