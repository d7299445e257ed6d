// How a CSV file was saved: its encoding and the character between cells. Excel writes what the
// computer's locale says: `;` and Windows-1252 in France, `,` and UTF-8 with a byte-order mark
// for "CSV UTF-8", a tab for "Unicode text". Shared by the directory and the reply-log readers.
import { isUtf8 } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';
export type Delimiter = ',' | ';' | '\t';

export interface CsvDialect {
  encoding: TextEncoding;
  delimiter: Delimiter;
}

const DELIMITERS: readonly Delimiter[] = [',', ';', '\t'];

/**
 * The encoding of a file from its first bytes: a byte-order mark says it; else text that decodes
 * as UTF-8 is UTF-8 (plain ASCII too); else it is taken for Windows-1252, the single-byte encoding
 * Excel uses in Western Europe and the Americas. `complete` says the sample is the whole file
 * (otherwise a character cut at its end is not held against UTF-8).
 */
export function detectEncoding(sample: Uint8Array, complete = true): TextEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8-bom';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  // A whole file is checked without being decoded (a copy of all its text, thrown away).
  if (complete) return isUtf8(sample) ? 'utf-8' : 'windows-1252';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/** What Windows-1252 has at 0x80-0x9F (where Latin-1 has control codes); the five unassigned
 * bytes stay the control code, as the WHATWG Encoding Standard says. */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** Decodes chunk by chunk, like TextDecoder (which is used for the others). */
export interface Decoder {
  decode(bytes: Uint8Array, opts?: { stream?: boolean }): string;
}

/** Windows-1252 by hand: Node 20's TextDecoder decodes it as Latin-1, turning ’ and € into control codes. */
const windows1252: Decoder = {
  decode(bytes) {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      .toString('latin1')
      .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
  },
};

const REPLACEMENT = Buffer.from('\uFFFD');

/** UTF-8 through Node's StringDecoder (what a stream with `encoding: 'utf8'` uses; TextDecoder
 * with `fatal` costs a tenth more on a large reply log). A bad byte comes out as U+FFFD: when the
 * text has more of those than the bytes spell, the bytes were not UTF-8 and it throws. */
function utf8Decoder(): Decoder {
  const decoder = new StringDecoder('utf8');
  let first = true;
  return {
    decode(bytes, opts) {
      const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let text = opts?.stream ? decoder.write(buffer) : decoder.end(buffer);
      if (first && text.length > 0) {
        first = false;
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      }
      if (text.includes('\uFFFD') && count(text, '\uFFFD') > count(buffer, REPLACEMENT)) throw new TypeError('The encoded data was not valid for encoding utf-8');
      return text;
    },
  };
}

function count(haystack: string | Buffer, needle: string | Buffer): number {
  let n = 0;
  for (let i = haystack.indexOf(needle as never); i !== -1; i = haystack.indexOf(needle as never, i + 1)) n++;
  return n;
}

/** A decoder for the encoding; the byte-order mark, if any, is dropped. UTF-8 is decoded
 * strictly: a bad byte later in a file detected as UTF-8 throws a TypeError. */
export function textDecoder(encoding: TextEncoding): Decoder {
  switch (encoding) {
    case 'utf-8':
    case 'utf-8-bom':
      return utf8Decoder();
    case 'utf-16le':
    case 'utf-16be':
      return new TextDecoder(encoding);
    case 'windows-1252':
      return windows1252;
  }
}


/** How many times `ch` separates cells in a line (quoted cells not counted). */
function countOutsideQuotes(line: string, ch: string): number {
  let n = 0;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) n++;
  }
  return n;
}

/**
 * The delimiter of a header line: the one that splits it into the most known column names; when
 * none gives any (a header in another language), the most frequent; a comma when there is none.
 */
export function detectDelimiter(headerLine: string, columns: readonly string[], fold: (s: string) => string = (s) => s.trim().toLowerCase()): Delimiter {
  const known = new Set(columns.map(fold));
  let best: Delimiter = ',';
  let bestScore = -1;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = countOutsideQuotes(headerLine, d);
    if (count === 0) continue;
    const score = headerLine
      .split(d)
      .map((c) => fold(c.replace(/^"|"$/g, '')))
      .filter((c) => known.has(c)).length;
    if (score > bestScore || (score === bestScore && count > bestCount)) [best, bestScore, bestCount] = [d, score, count];
  }
  return best;
}

const ENCODING_NAMES: Record<TextEncoding, string> = {
  'utf-8': 'UTF-8',
  'utf-8-bom': 'UTF-8 with BOM',
  'utf-16le': 'UTF-16 (little-endian)',
  'utf-16be': 'UTF-16 (big-endian)',
  'windows-1252': 'Windows-1252',
};
const DELIMITER_NAMES: Record<Delimiter, string> = { ',': "','", ';': "';'", '\t': 'tab' };

export function encodingName(e: TextEncoding): string {
  return ENCODING_NAMES[e];
}

/** What is said of a CSV file read in a single-byte code page with characters beyond ASCII:
 * nothing in the bytes says which code page it is, so say what was assumed. */
export function codePageWarning(e: TextEncoding): string {
  return `not UTF-8: read as ${ENCODING_NAMES[e]} (Excel's "CSV" in Western Europe); check accented names, or save as "CSV UTF-8"`;
}

/** `read as Windows-1252, cells separated by ';'` — said when a header looks wrong. */
export function describeDialect(d: CsvDialect): string {
  return `read as ${ENCODING_NAMES[d.encoding]}, cells separated by ${DELIMITER_NAMES[d.delimiter]}`;
}
