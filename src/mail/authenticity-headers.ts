// The headers the authenticity verdict reads: Authentication-Results (RFC 8601) as a receiving
// server writes them, the last external hop of the Received chain (for SPF), and the From domain.
import { BlockList, isIP } from 'node:net';
import { addressField } from './dsn.js';
import type { HeaderBlock } from './mime.js';

/** One `method=result` of an Authentication-Results header, with its properties. */
export interface AuthResult {
  /** Lower-cased: dkim, spf, dmarc, arc, iprev, auth... */
  method: string;
  /** Lower-cased: pass, fail, none, neutral, softfail, temperror, permerror, policy... */
  result: string;
  reason?: string;
  /** `header.d`, `smtp.mailfrom`, `header.from`... (ptype.property, lower-cased) → value. */
  props: Record<string, string>;
  /** The comments, joined: servers put the DMARC policy and the failure's cause there. */
  comment?: string;
}

export interface AuthResultsHeader {
  authservId: string;
  results: AuthResult[];
}

/** Splits `text` at `sep` outside quoted strings and comments; comments are taken out and
 * returned per piece (nested parentheses and backslash escapes as RFC 5322 has them). */
function splitOutside(text: string, sep: string): Array<{ text: string; comments: string[] }> {
  const pieces: Array<{ text: string; comments: string[] }> = [];
  let cur = '';
  let comments: string[] = [];
  let comment = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '\\' && (quoted || depth > 0)) {
      const next = text[i + 1] ?? '';
      if (depth > 0) comment += next;
      else cur += ch + next;
      i++;
    } else if (depth > 0) {
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      if (depth > 0) comment += ch;
      else {
        comments.push(comment.trim());
        comment = '';
        cur += ' ';
      }
    } else if (quoted) {
      cur += ch;
      if (ch === '"') quoted = false;
    } else if (ch === '"') {
      quoted = true;
      cur += ch;
    } else if (ch === '(') {
      depth = 1;
    } else if (ch === sep) {
      pieces.push({ text: cur, comments });
      cur = '';
      comments = [];
    } else cur += ch;
  }
  pieces.push({ text: cur, comments });
  return pieces;
}

function unquote(v: string): string {
  return v.startsWith('"') && v.endsWith('"') && v.length >= 2 ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v;
}

/** Parses one Authentication-Results value (`authserv-id [version]; method=result ...; ...`).
 * Undefined when it has no authserv-id. */
export function parseAuthenticationResults(value: string): AuthResultsHeader | undefined {
  const pieces = splitOutside(value.replace(/\r?\n[ \t]+/g, ' '), ';');
  const head = (pieces.shift()?.text ?? '').trim().split(/\s+/)[0];
  if (!head) return undefined;
  const results: AuthResult[] = [];
  for (const piece of pieces) {
    // Spaces are allowed around `=`, `.` and `/` (CFWS); closing them up leaves one word per item.
    const words = piece.text
      .replace(/\s*([=./])\s*/g, '$1')
      .trim()
      .match(/(?:[^\s"]+|"(?:[^"\\]|\\.)*")+/g);
    if (!words || words.length === 0) continue;
    const first = /^([A-Za-z0-9_-]+)(?:\/[^=]*)?=(.+)$/.exec(words[0]);
    if (!first) continue; // `none`, or something we cannot read
    const r: AuthResult = { method: (first[1] as string).toLowerCase(), result: unquote(first[2] as string).toLowerCase(), props: {} };
    for (const w of words.slice(1)) {
      const m = /^([^=]+)=(.*)$/.exec(w);
      if (!m) continue;
      const key = (m[1] as string).toLowerCase();
      const val = unquote(m[2] as string);
      if (key === 'reason') r.reason = val;
      else if (key.includes('.')) r.props[key] = val;
    }
    const comment = piece.comments.filter(Boolean).join('; ');
    if (comment) r.comment = comment;
    results.push(r);
  }
  return { authservId: unquote(head), results };
}

/** The Authentication-Results headers written by the given authserv-ids, top (newest) first.
 * Any other may have been written by the sender, and is ignored. */
export function trustedAuthenticationResults(headers: HeaderBlock, trusted: readonly string[]): AuthResultsHeader[] {
  const ids = new Set(trusted.map((t) => t.toLowerCase()));
  return headers
    .all('authentication-results')
    .map(parseAuthenticationResults)
    .filter((h): h is AuthResultsHeader => h !== undefined && ids.has(h.authservId.toLowerCase()));
}

/** The first result per method among trusted headers (the newest server's word wins). DKIM keeps
 * one result per signature. */
export function mergeResults(headers: AuthResultsHeader[]): AuthResult[] {
  const out: AuthResult[] = [];
  const seen = new Set<string>();
  for (const h of headers) {
    for (const r of h.results) {
      const key = r.method === 'dkim' ? `dkim ${r.props['header.d'] ?? ''} ${r.props['header.s'] ?? ''} ${r.props['header.b'] ?? ''}` : r.method;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

const INTERNAL = new BlockList();
for (const [net, bits] of [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['100.64.0.0', 10],
  ['0.0.0.0', 8],
] as const) {
  INTERNAL.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(net, bits, 'ipv6');
}

/** Loopback, private and link-local addresses: hops inside the receiving organisation. */
export function isInternalAddress(ip: string): boolean {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1];
  const a = v4 ?? ip;
  const family = isIP(a);
  if (family === 0) return false;
  return INTERNAL.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/** Where a message entered the receiving organisation: the sending server's address and name. */
export interface ExternalHop {
  ip: string;
  helo?: string;
  /** The Received header it was read from (trimmed), for the reasons. */
  received: string;
}

/** Reads the client of one Received header: `from <helo> (<name> [<ip>])`, or Exim's
 * `from <name> ([<ip>] helo=<helo>)`. */
export function receivedClient(value: string): { ip?: string; helo?: string } {
  const from = /\bfrom\s+(.*?)(?:\s+by\s|;|$)/is.exec(value)?.[1];
  if (!from) return {};
  const ip = /\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]/.exec(from)?.[1];
  const helo = /\b(?:helo|ehlo)[=\s]+([^\s)\]]+)/i.exec(from)?.[1] ?? /^([^\s([]+)/.exec(from.trim())?.[1];
  return { ...(ip && isIP(ip) ? { ip } : {}), ...(helo ? { helo } : {}) };
}

/** The last hop from outside: going down from the newest Received header, the first whose client
 * is not an internal address. The headers above it were written by our own servers; the ones
 * below it by the sender's side, and prove nothing. */
export function lastExternalHop(headers: HeaderBlock): ExternalHop | undefined {
  for (const value of headers.all('received')) {
    const c = receivedClient(value);
    if (!c.ip) continue;
    if (isInternalAddress(c.ip)) continue;
    return { ip: c.ip, ...(c.helo ? { helo: c.helo } : {}), received: value.replace(/\s+/g, ' ').trim() };
  }
  return undefined;
}

/** The envelope sender (MAIL FROM), as the delivering server recorded it in Return-Path; empty
 * for a bounce (`<>`), undefined when no header says. */
export function envelopeSender(headers: HeaderBlock): string | undefined {
  const rp = headers.get('return-path');
  if (rp === undefined) return undefined;
  return addressField(rp) ?? '';
}

/** The single address of the From header; undefined when there is none or several. */
export function fromAddress(headers: HeaderBlock): string | undefined {
  const from = headers.all('from');
  if (from.length !== 1) return undefined;
  const v = from[0] as string;
  const angle = [...v.matchAll(/<([^<>\s]+@[^<>\s]+)>/g)].map((m) => m[1] as string);
  if (angle.length > 1) return undefined;
  if (angle[0]) return angle[0].toLowerCase();
  const bare = [...v.matchAll(/([^\s<>",;:()]+@[^\s<>",;:()]+)/g)].map((m) => m[1] as string);
  return bare.length === 1 ? (bare[0] as string).toLowerCase() : undefined;
}

export function domainOf(address: string | undefined): string | undefined {
  if (!address || !address.includes('@')) return undefined;
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase().replace(/\.$/, '') || undefined;
}
