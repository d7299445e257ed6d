// Importer of the reply-log CSV (docs/events.md, "The reply log (CSV)"): `country,contact,channel,sent_at,replied_at,kind`,
// header required, columns in any order, extra columns ignored; saved as Excel saves it in any
// locale (`,` `;` or tab between cells; UTF-8 with or without BOM, Windows-1252). Streams the file
// and tallies each row as it goes (per contact point: its first acknowledgement), so a million
// rows cost one pass and little memory. Every bad row is collected with its row number into one
// InputError; a country name that is no country is a warning.
import { createReadStream } from 'node:fs';
import { InputError, type InputProblem } from '../core/errors.js';
import { codePageWarning, describeDialect, detectDelimiter, detectEncoding, textDecoder, type Decoder, type Delimiter, type TextEncoding } from '../directory/csv-dialect.js';
import { isCountry, suggestCountry } from '../directory/countries.js';
import { KIND_BIT, ResponseTally, type ContactTally } from './tally.js';
import type { ChannelName } from '../core/events.js';

export const REPLY_KINDS = ['reply', 'auto-reply', 'bounce', 'read-receipt'] as const;
const CHANNELS: readonly ChannelName[] = ['email', 'sms', 'voice', 'sim'];
const REQUIRED = ['country', 'sent_at', 'replied_at'] as const;
const OPTIONAL = ['contact', 'channel', 'kind'] as const;
const HEADER_COLUMNS = [...REQUIRED, ...OPTIONAL];
/** Problems listed before the rest are only counted: a wholly wrong file should not print a million lines. */
const MAX_PROBLEMS = 50;
/** Country names that are no country, listed one by one before the rest are counted. */
const MAX_UNKNOWN_COUNTRIES = 10;

export interface ReplyLogImport {
  tally: ResponseTally;
  /** Data rows read (the header and blank lines not counted). */
  rows: number;
  /** Country names that are no known country (a typo?), each at the row where it first appears. */
  warnings: InputProblem[];
  /** The file is not UTF-8 and has characters beyond ASCII: the code page it was read in. */
  encodingWarning?: InputProblem;
}

/** Parses an ISO 8601 instant that carries its offset: `2023-06-07T10:00:00+02:00`, `...Z`,
 * `...+0200`; seconds and fraction optional; `T` or a space between date and time. Returns
 * ms since the epoch, or NaN for anything else (no offset, 2023-02-30, 25:00...). Reads
 * s[from, to) in place: it is both the strict check and the parse, with no substring made and
 * faster than a regex plus Date.parse. */
export function parseInstant(s: string, from = 0, to = s.length): number {
  if (to - from < 17) return NaN;
  const y = d4(s, from);
  const mo = d2(s, from + 5);
  const d = d2(s, from + 8);
  const h = d2(s, from + 11);
  const mi = d2(s, from + 14);
  if (s.charCodeAt(from + 4) !== 45 || s.charCodeAt(from + 7) !== 45 || s.charCodeAt(from + 13) !== 58) return NaN;
  const sep = s.charCodeAt(from + 10);
  if (sep !== 84 && sep !== 116 && sep !== 32) return NaN; // T t space
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59) return NaN;
  let i = from + 16;
  let sec = 0;
  let ms = 0;
  if (i < to && s.charCodeAt(i) === 58) {
    sec = d2(s, i + 1);
    if (sec < 0 || sec > 59 || i + 3 > to) return NaN;
    i += 3;
    if (i < to && (s.charCodeAt(i) === 46 || s.charCodeAt(i) === 44)) {
      i++;
      const digits = i;
      let scale = 100;
      while (i < to) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        ms += c * scale;
        scale /= 10;
        i++;
      }
      if (i === digits) return NaN;
      ms = Math.floor(ms);
    }
  }
  let offsetMin: number;
  const z = i < to ? s.charCodeAt(i) : -1;
  if ((z === 90 || z === 122) && i + 1 === to) {
    offsetMin = 0;
  } else if (z === 43 || z === 45) {
    const oh = d2(s, i + 1);
    let om: number;
    if (i + 6 === to && s.charCodeAt(i + 3) === 58) om = d2(s, i + 4);
    else if (i + 5 === to) om = d2(s, i + 3);
    else return NaN;
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return NaN;
    offsetMin = (z === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return NaN;
  }
  return ((daysFromCivil(y, mo, d) * 24 + h) * 60 + mi - offsetMin) * 60000 + sec * 1000 + ms;
}

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

function d4(s: string, i: number): number {
  const a = d2(s, i);
  const b = d2(s, i + 2);
  return a < 0 || b < 0 ? -1 : a * 100 + b;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

/** Splits one CSV record with RFC 4180 quoting (`"a, b"`, `""` for a quote); may span lines. */
export function splitQuoted(record: string, delimiter: string = ','): string[] {
  const cells: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  while (i < record.length) {
    const c = record[i]!;
    if (quoted) {
      if (c === '"') {
        if (record[i + 1] === '"') {
          cell += '"';
          i++;
        } else quoted = false;
      } else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += c;
    i++;
  }
  cells.push(cell);
  return cells;
}

function countQuotes(s: string): number {
  let n = 0;
  for (let i = s.indexOf('"'); i !== -1; i = s.indexOf('"', i + 1)) n++;
  return n;
}

/**
 * Streaming parser: feed text chunks with push(), then end(). Lines without quotes (nearly all)
 * are read in place: the cells are ranges of the chunk (starts/ends), the timestamps are parsed
 * from those ranges, and the only string made per row is the contact id, the key of the tally.
 * Lines with quotes go through splitQuoted(). Rows are numbered by the line they start on
 * (header = row 1), as a spreadsheet or an editor shows them.
 */
export class ReplyLogParser {
  readonly tally = new ResponseTally();
  rows = 0;
  private readonly problems: InputProblem[] = [];
  private omitted = 0;
  private rest = '';
  private started = false;
  private lineNo = 0;
  /** Lines read so far (where a decoding error is). */
  get linesRead(): number {
    return this.lineNo;
  }
  /** A quoted record spanning lines, and the line it started on. */
  private pending: string | undefined;
  private pendingLine = 0;
  private header: string[] | undefined;
  /** Number of columns; -1 once the header proved unusable. */
  private width = 0;
  private ci = -1;
  private oi = -1;
  private hi = -1;
  private si = -1;
  private ri = -1;
  private ki = -1;
  /** Cell ranges of the current row. */
  private starts = new Int32Array(0);
  private ends = new Int32Array(0);
  /** Contact id → its tally (checked against the row's country): one lookup per row. */
  private readonly byContact = new Map<string, ContactTally>();
  private channelBits = 0;
  private firstSentMs = Infinity;
  private lastArrivedMs = -Infinity;

  /** Between cells: found from the header line. */
  private delimiter: Delimiter = ',';

  /** `encoding` is only said in messages (the caller decodes). */
  constructor(
    readonly file: string,
    private readonly encoding: TextEncoding = 'utf-8',
  ) {}

  push(chunk: string): void {
    if (!this.started && chunk.length) {
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    // The line cut at the previous chunk's end is finished on its own; the chunk itself is then
    // read in place. (Never `rest + chunk`: V8 may re-flatten that 1 MB cons string on every
    // indexOf, which made reading 100 times slower.)
    let from = 0;
    if (this.rest.length) {
      const nl = chunk.indexOf('\n');
      if (nl === -1) {
        this.rest += chunk;
        return;
      }
      const line = this.rest + chunk.slice(0, nl + 1);
      this.rest = '';
      this.lines(line, 0);
      from = nl + 1;
    }
    const start = this.lines(chunk, from);
    this.rest = start === chunk.length ? '' : chunk.slice(start);
  }

  /** Reads every complete line of text from `from`; returns where the incomplete rest begins.
   * A chunk without any quote (the common case) is read in place; otherwise line by line. (Never
   * a long `indexOf('"')` scan in this loop: in optimised code V8 made it 100 times slower.) */
  private lines(text: string, from: number): number {
    const quoted = this.pending !== undefined || text.includes('"', from);
    let start = from;
    for (let nl = text.indexOf('\n', from); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (quoted) this.anyLine(text.slice(start, end));
      else this.plainLine(text, start, end);
      start = nl + 1;
    }
    return start;
  }

  private anyLine(line: string): void {
    if (this.pending !== undefined || line.indexOf('"') !== -1) this.quotedLine(line);
    else this.plainLine(line, 0, line.length);
  }

  end(): ReplyLogImport {
    if (this.rest.length) {
      this.anyLine(this.rest.charCodeAt(this.rest.length - 1) === 13 ? this.rest.slice(0, -1) : this.rest);
    }
    this.rest = '';
    if (this.pending !== undefined) this.problem(this.pendingLine, undefined, 'a quoted cell is never closed');
    if (this.header === undefined) this.problem(1, undefined, `empty file: a header row is required (${[...REQUIRED, ...OPTIONAL].join(',')})`);
    if (this.problems.length || this.omitted) {
      const all = [...this.problems];
      if (this.omitted) all.push({ file: this.file, message: `and ${this.omitted} more row problems` });
      throw new InputError(all);
    }
    const t = this.tally;
    CHANNELS.forEach((c, i) => {
      if (this.channelBits & (1 << i)) t.channels.add(c);
    });
    t.firstSentMs = this.firstSentMs;
    t.lastArrivedMs = this.lastArrivedMs;
    return { tally: t, rows: this.rows, warnings: this.unknownCountries() };
  }

  /** Names in the country column that are neither a country's usual spelling nor its ISO code:
   * each would count as a country of its own. */
  private unknownCountries(): InputProblem[] {
    const warnings: InputProblem[] = [];
    let more = 0;
    for (const c of this.tally.countries.values()) {
      if (isCountry(c.key)) continue;
      if (warnings.length >= MAX_UNKNOWN_COUNTRIES) {
        more++;
        continue;
      }
      const hint = suggestCountry(c.key);
      const p: InputProblem = { file: this.file, field: 'country', message: `"${c.key}" is not a country rollcall knows${hint ? ` (did you mean ${hint}?)` : ''}; counted as a country of its own` };
      if (c.firstRow !== undefined) p.row = c.firstRow;
      warnings.push(p);
    }
    if (more) warnings.push({ file: this.file, field: 'country', message: `and ${more} more names that are not countries` });
    return warnings;
  }

  private problem(row: number | undefined, field: string | undefined, message: string): void {
    if (this.problems.length >= MAX_PROBLEMS) {
      this.omitted++;
      return;
    }
    const p: InputProblem = { file: this.file, message };
    if (row !== undefined) p.row = row;
    if (field) p.field = field;
    this.problems.push(p);
  }

  /** A line without quotes: cells are the ranges between commas, read in place. */
  private plainLine(text: string, start: number, end: number): void {
    const row = ++this.lineNo;
    if (this.header === undefined) {
      if (start === end) return;
      const line = text.slice(start, end);
      this.delimiter = detectDelimiter(line, HEADER_COLUMNS);
      this.readHeader(line.split(this.delimiter), row);
      return;
    }
    const width = this.width;
    const S = this.starts;
    const E = this.ends;
    let n = 0;
    let pos = start;
    const delimiter = this.delimiter;
    for (;;) {
      const comma = text.indexOf(delimiter, pos);
      const stop = comma === -1 || comma >= end ? end : comma;
      if (n < width) {
        S[n] = pos;
        E[n] = stop;
      }
      n++;
      if (stop === end) break;
      pos = comma + 1;
    }
    this.record(text, n, row);
  }

  /** A line with quotes, or the next line of a quoted cell spanning lines. */
  private quotedLine(line: string): void {
    const row = ++this.lineNo;
    let record = line;
    if (this.pending !== undefined) {
      record = this.pending + '\n' + line;
      this.pending = undefined;
    }
    if (countQuotes(record) % 2 === 1) {
      if (record === line) this.pendingLine = row;
      this.pending = record;
      return;
    }
    const first = record === line ? row : this.pendingLine;
    this.pendingLine = 0;
    if (this.header === undefined) this.delimiter = detectDelimiter(record, HEADER_COLUMNS);
    const cells = splitQuoted(record, this.delimiter);
    if (this.header === undefined) return this.readHeader(cells, first);
    // Lay the cells end to end and point the ranges at them, as for a plain line.
    const width = this.width;
    let pos = 0;
    for (let i = 0; i < cells.length && i < width; i++) {
      this.starts[i] = pos;
      pos += cells[i]!.length;
      this.ends[i] = pos;
    }
    this.record(cells.join(''), cells.length, first);
  }

  private readHeader(cells: string[], row: number): void {
    const names = cells.map((c) => c.trim().toLowerCase());
    const index = (name: string) => names.indexOf(name);
    const missing = REQUIRED.filter((n) => index(n) === -1);
    const dup = names.filter((n, i) => n !== '' && names.indexOf(n) !== i);
    if (missing.length || dup.length) {
      if (missing.length)
        this.problem(
          row,
          missing.join(','),
          `header row lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${[...REQUIRED, ...OPTIONAL].join(',')}, in any order; ${describeDialect({ encoding: this.encoding, delimiter: this.delimiter })})`,
        );
      if (dup.length) this.problem(row, dup[0], `column ${dup[0]} appears twice in the header`);
      // Without a usable header no row can be read: stop at the header's problems.
      this.header = [];
      this.width = -1;
      return;
    }
    this.header = names;
    this.width = names.length;
    this.starts = new Int32Array(names.length);
    this.ends = new Int32Array(names.length);
    this.ci = index('country');
    this.oi = index('contact');
    this.hi = index('channel');
    this.si = index('sent_at');
    this.ri = index('replied_at');
    this.ki = index('kind');
  }

  /** Narrows cell i's range to its text without surrounding blanks. */
  private trim(text: string, i: number): void {
    let s = this.starts[i]!;
    let e = this.ends[i]!;
    if (s === e || (text.charCodeAt(s) > 32 && text.charCodeAt(e - 1) > 32)) return;
    while (s < e && text.charCodeAt(s) <= 32) s++;
    while (e > s && text.charCodeAt(e - 1) <= 32) e--;
    this.starts[i] = s;
    this.ends[i] = e;
  }

  private cell(text: string, i: number): string {
    return text.slice(this.starts[i], this.ends[i]);
  }

  private record(text: string, n: number, row: number): void {
    const width = this.width;
    if (width < 0) return;
    if (n === 1) {
      this.trim(text, 0);
      if (this.starts[0] === this.ends[0]) return; // blank line
    }
    this.rows++;
    if (n !== width) {
      if (n < width) this.problem(row, this.header![n], `missing column: the row has ${n} fields, the header ${width}`);
      else this.problem(row, undefined, `the row has ${n} fields, the header ${width} (a ${this.delimiter === '\t' ? 'tab' : `'${this.delimiter}'`} in an unquoted cell?)`);
      return;
    }
    const S = this.starts;
    const E = this.ends;
    const ci = this.ci;
    this.trim(text, ci);
    const cs = S[ci]!;
    const ce = E[ci]!;
    if (cs === ce) return this.problem(row, 'country', 'empty');

    let channel = 0; // index in CHANNELS
    const hi = this.hi;
    if (hi >= 0) {
      this.trim(text, hi);
      const len = E[hi]! - S[hi]!;
      if (len !== 0 && !(len === 5 && text.startsWith('email', S[hi]))) {
        const ch = this.cell(text, hi);
        channel = CHANNELS.indexOf(ch.toLowerCase() as ChannelName);
        if (channel < 0) return this.problem(row, 'channel', `unknown channel "${ch}" (use ${CHANNELS.join(', ')})`);
      }
    }

    const si = this.si;
    this.trim(text, si);
    const sentMs = parseInstant(text, S[si], E[si]);
    if (sentMs !== sentMs) {
      const t = this.cell(text, si);
      return this.problem(row, 'sent_at', t === '' ? 'empty' : `"${t}" is not an ISO 8601 time with an offset or Z (e.g. 2023-06-07T10:00:00+02:00)`);
    }

    let bit = KIND_BIT.reply;
    let kindGiven = false;
    const ki = this.ki;
    if (ki >= 0) {
      this.trim(text, ki);
      const ks = S[ki]!;
      const len = E[ki]! - ks;
      if (len !== 0) {
        kindGiven = true;
        bit =
          len === 5 && text.startsWith('reply', ks)
            ? KIND_BIT.reply
            : len === 10 && text.startsWith('auto-reply', ks)
              ? KIND_BIT['auto-reply']
              : len === 6 && text.startsWith('bounce', ks)
                ? KIND_BIT.bounce
                : len === 12 && text.startsWith('read-receipt', ks)
                  ? KIND_BIT['read-receipt']
                  : 0;
        if (bit === 0) return this.problem(row, 'kind', `unknown kind "${this.cell(text, ki)}" (use ${REPLY_KINDS.join(', ')}, or leave it empty)`);
      }
    }

    const ri = this.ri;
    this.trim(text, ri);
    const rs = S[ri]!;
    const re = E[ri]!;
    let repliedMs = NaN;
    if (rs !== re) {
      repliedMs = parseInstant(text, rs, re);
      if (repliedMs !== repliedMs)
        return this.problem(row, 'replied_at', `"${this.cell(text, ri)}" is not an ISO 8601 time with an offset or Z (e.g. 2023-06-07T10:06:00+02:00)`);
      if (repliedMs < sentMs) return this.problem(row, 'replied_at', `${this.cell(text, ri)} is before the ping it answers (sent_at ${this.cell(text, si)})`);
    } else if (kindGiven) {
      return this.problem(row, 'replied_at', `empty, but kind is ${this.cell(text, ki)}`);
    }

    // The contact point's tally: one lookup by contact id, checked against the row's country.
    const oi = this.oi;
    let contact: string;
    if (oi >= 0) {
      this.trim(text, oi);
      contact = S[oi] === E[oi] ? text.slice(cs, ce) : this.cell(text, oi);
    } else contact = text.slice(cs, ce);
    let tally = this.byContact.get(contact);
    if (tally === undefined || tally.countryKey.length !== ce - cs || !text.startsWith(tally.countryKey, cs)) {
      tally = this.tally.contact(text.slice(cs, ce), contact, row);
      this.byContact.set(contact, tally);
    }

    this.channelBits |= 1 << channel;
    tally.pingedOn(CHANNELS[channel]!); // for the outcome: every channel of it bounced = unreachable
    if (sentMs < this.firstSentMs) this.firstSentMs = sentMs;
    if (repliedMs === repliedMs) {
      tally.add(CHANNELS[channel]!, sentMs, repliedMs, bit);
      if (repliedMs > this.lastArrivedMs) this.lastArrivedMs = repliedMs;
    }
  }
}

/** Reads a reply-log CSV; throws InputError listing every bad row (nothing is returned then). The
 * encoding is found from the first chunk (a byte-order mark, else UTF-8 if it decodes, else
 * Windows-1252). */
export async function importReplyLog(path: string): Promise<ReplyLogImport> {
  let parser: ReplyLogParser | undefined;
  let decoder: Decoder | undefined;
  let encoding: TextEncoding | undefined;
  let nonAscii = false;
  const stream = createReadStream(path, { highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) {
      const bytes = chunk as Buffer;
      if (!parser) {
        encoding = detectEncoding(bytes, bytes.length < stream.readableHighWaterMark);
        parser = new ReplyLogParser(path, encoding);
        decoder = textDecoder(encoding);
      }
      const text = decode(decoder!, bytes, true, path, parser);
      if (encoding === 'windows-1252' && !nonAscii) nonAscii = /[\u0080-\uffff]/.test(text);
      parser.push(text);
    }
  } catch (e) {
    if (e instanceof InputError) throw e;
    const err = e as NodeJS.ErrnoException;
    throw new InputError([{ file: path, message: err.code === 'ENOENT' ? 'no such file' : `cannot read: ${err.message}` }]);
  }
  parser ??= new ReplyLogParser(path);
  if (decoder) parser.push(decode(decoder, new Uint8Array(0), false, path, parser));
  const result = parser.end();
  return nonAscii && encoding ? { ...result, encodingWarning: { file: path, message: codePageWarning(encoding) } } : result;
}

function decode(decoder: Decoder, bytes: Uint8Array, stream: boolean, path: string, parser: ReplyLogParser): string {
  try {
    return decoder.decode(bytes, { stream });
  } catch {
    // The file began as UTF-8 (so it was read as such) and then has a byte that is not.
    throw new InputError([{ file: path, row: parser.linesRead + 1, message: 'is not UTF-8 text from about this row on, though its beginning is: save the whole file as UTF-8' }]);
  }
}
