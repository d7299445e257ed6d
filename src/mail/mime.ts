// A small MIME walker for the parts mailparser folds away: the fields of message/delivery-status
// and message/disposition-notification, and the headers of a returned original message
// (message/rfc822, text/rfc822-headers). Bytes are kept as latin1 strings until decoded; the
// decoding itself (quoted-printable, encoded words, charsets, parameters) is libmime's and libqp's.
import libmime from 'libmime';
import { decode as decodeBytes } from 'libmime/lib/charset.js';
import { decode as decodeQp } from 'libqp';

export interface HeaderField {
  name: string;
  value: string;
}

export class HeaderBlock {
  constructor(readonly fields: HeaderField[]) {}

  get(name: string): string | undefined {
    const n = name.toLowerCase();
    return this.fields.find((f) => f.name.toLowerCase() === n)?.value;
  }

  all(name: string): string[] {
    const n = name.toLowerCase();
    return this.fields.filter((f) => f.name.toLowerCase() === n).map((f) => f.value);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

export interface MimePart {
  headers: HeaderBlock;
  /** Lower-cased `type/subtype`; `text/plain` when absent. */
  contentType: string;
  params: Record<string, string>;
  /** The body, transfer-decoded, as a latin1 string (one char per byte). */
  body: string;
  /** Sub-parts of a multipart, or the single message of message/rfc822 and text/rfc822-headers. */
  children: MimePart[];
}

/** Unfolds and splits header lines (`Name: value`), values trimmed, encoded words decoded. */
export function parseHeaderBlock(text: string): HeaderBlock {
  const fields: HeaderField[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && fields.length > 0) {
      const last = fields[fields.length - 1] as HeaderField;
      last.value += ' ' + line.trim();
      continue;
    }
    const i = line.indexOf(':');
    if (i <= 0) continue;
    fields.push({ name: line.slice(0, i).trim(), value: line.slice(i + 1).trim() });
  }
  for (const f of fields) f.value = decodeWords(f.value);
  return new HeaderBlock(fields);
}

/** Splits a message into header text and body at the first empty line. */
export function splitHeaderBody(raw: string): { head: string; body: string } {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { head: raw, body: '' };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

/** `type/subtype; a=b; c="d"` → type and parameters (names lower-cased; RFC 2231 values decoded). */
export function parseContentType(value: string | undefined): { type: string; params: Record<string, string> } {
  if (!value) return { type: 'text/plain', params: {} };
  const parsed = libmime.parseHeaderValue(value);
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.params)) params[k.toLowerCase()] = v;
  return { type: parsed.value.trim().toLowerCase() || 'text/plain', params };
}

function decodeTransfer(body: string, encoding: string | undefined): string {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('latin1');
  if (e === 'quoted-printable') return decodeQp(body).toString('latin1');
  return body;
}

/** Decodes latin1-held bytes in the given charset (UTF-8 when unknown). */
export function decodeCharset(bytes: string, charset = 'utf-8'): string {
  return decodeBytes(Buffer.from(bytes, 'latin1'), charset);
}

/** RFC 2047 encoded words (`=?utf-8?Q?...?=`, `=?iso-8859-1?B?...?=`). */
export function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  return libmime.decodeWords(value);
}

const MAX_DEPTH = 8;

/** Parses a raw message (Buffer or latin1 string) into its MIME tree. */
export function parseMime(raw: Buffer | string, depth = 0): MimePart {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const { head, body } = splitHeaderBody(text);
  const headers = parseHeaderBlock(head);
  const { type, params } = parseContentType(headers.get('content-type'));
  const decoded = type.startsWith('multipart/') ? body : decodeTransfer(body, headers.get('content-transfer-encoding'));
  const part: MimePart = { headers, contentType: type, params, body: decoded, children: [] };
  if (depth >= MAX_DEPTH) return part;
  if (type.startsWith('multipart/') && params.boundary) {
    part.children = splitMultipart(body, params.boundary).map((p) => parseMime(p, depth + 1));
  } else if (type === 'message/rfc822' || type === 'message/global') {
    part.children = [parseMime(decoded, depth + 1)];
  } else if (type === 'text/rfc822-headers' || type === 'message/global-headers') {
    part.children = [parseMime(decoded.replace(/\s+$/, '') + '\r\n\r\n', depth + 1)];
  }
  return part;
}

function splitMultipart(body: string, boundary: string): string[] {
  const delimiter = '--' + boundary;
  const lines = body.split(/\r?\n/);
  const parts: string[] = [];
  let cur: string[] | undefined;
  for (const line of lines) {
    const t = line.trimEnd();
    if (t === delimiter || t === delimiter + '--') {
      if (cur) parts.push(cur.join('\r\n'));
      cur = t === delimiter ? [] : undefined;
      if (t !== delimiter) break;
      continue;
    }
    cur?.push(line);
  }
  if (cur) parts.push(cur.join('\r\n'));
  return parts;
}

/** Every part of the tree, depth first, the root included. */
export function* walkParts(part: MimePart): Generator<MimePart> {
  yield part;
  for (const c of part.children) yield* walkParts(c);
}

/** Blocks of `Name: value` fields separated by empty lines (delivery-status, MDN bodies). */
export function parseFieldGroups(text: string): HeaderBlock[] {
  return text
    .replace(/\r\n/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g) => parseHeaderBlock(g));
}
