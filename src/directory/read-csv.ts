// Reads a CSV directory (one row per contact point) as Excel saves it in any locale: the delimiter
// (`,` `;` or tab) is found from the header, the encoding was found by the loader. Rows are
// numbered as a spreadsheet shows them: the line of the file where the record starts (the header
// is row 1 unless comment lines precede it). Leading comment lines `# network: ...` and
// `# updated: ...` carry what YAML has at its top.
import { basename, extname } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { InputError } from '../core/errors.js';
import { codePageWarning, describeDialect, detectDelimiter, detectEncoding, textDecoder, type CsvDialect, type TextEncoding } from './csv-dialect.js';
import { foldColumn, TABLE_COLUMNS, tableBuilder, type Table, type TableBuilder } from './read-table.js';
import type { DirectorySource } from './source.js';
import { heapTick } from '../core/heap-governor.js';

export const CSV_COLUMNS = TABLE_COLUMNS;

/** A leading comment line, also as Excel saves it: quoted when it holds the delimiter, and
 * padded with empty cells (`# network: X;;;;;;;;;;`). */
function commentText(line: string): string | undefined {
  const t = line.trim();
  if (t.startsWith('#')) return t;
  const m = /^"(#(?:[^"]|"")*)"/.exec(t);
  return m ? m[1]!.replace(/""/g, '"') : undefined;
}

/** A piece of text at a time: the file is decoded and parsed in pieces, never held as one string
 * (a directory of 100,000 contact points was held as bytes, text, a copy for the parser and the
 * parser's own buffer at once: 60 MB of its 300). */
export const PIECE_BYTES = 1 << 16;

/** The text of a file's bytes, a piece at a time, line breaks as LF only (csv-parse counts a CRLF
 * inside quotes as two lines; cells keep one break), a byte-order mark dropped. */
function* textPieces(bytes: Uint8Array, encoding: TextEncoding): Generator<string> {
  const decoder = textDecoder(encoding);
  let cr = false; // a piece ended on CR: its LF may open the next
  for (let pos = 0; pos < bytes.length; pos += PIECE_BYTES) {
    const end = Math.min(bytes.length, pos + PIECE_BYTES);
    let text: string = (cr ? '\r' : '') + decoder.decode(bytes.subarray(pos, end), { stream: end < bytes.length });
    if (pos === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    cr = end < bytes.length && text.endsWith('\r');
    if (cr) text = text.slice(0, -1);
    yield text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  }
}

export async function readCsvSource(bytes: Uint8Array, file: string): Promise<DirectorySource> {
  const encoding = detectEncoding(bytes);
  const pieces = textPieces(bytes, encoding);
  let nonAscii = false;
  const next = (): string | undefined => {
    const r = pieces.next();
    if (r.done) return undefined;
    if (encoding === 'windows-1252' && !nonAscii) nonAscii = /[\u0080-\uffff]/.test(r.value);
    return r.value;
  };
  const meta: Table['meta'] = {};
  // Leading comment lines and blanks, read line by line from the first pieces.
  let head = next() ?? '';
  let offset = 0; // where the first line that is not a leading comment or blank starts
  let lineNo = 0;
  let headerLine = '';
  let more = head !== '';
  while (more) {
    let nl = head.indexOf('\n', offset);
    while (nl < 0) {
      const piece = next();
      if (piece === undefined) break;
      head += piece;
      nl = head.indexOf('\n', offset);
    }
    const end = nl < 0 ? head.length : nl;
    const line = head.slice(offset, end);
    const trimmed = line.trim();
    const comment = trimmed === '' ? undefined : commentText(trimmed);
    if (trimmed !== '' && comment === undefined) {
      headerLine = line;
      break;
    }
    lineNo++;
    if (comment !== undefined) {
      const m = /^#\s*([A-Za-z_]+)\s*:\s*(.*)$/.exec(comment);
      // A copy, not a slice: a slice of the file's text keeps all of it alive (the network name
      // of a 100,000-contact directory held its 15 MB for the whole run).
      if (m) meta[m[1]!.toLowerCase()] = { value: Buffer.from(m[2]!.replace(/[,;\t]+$/, '').trim(), 'utf8').toString('utf8'), row: lineNo };
    }
    offset = end + 1;
    more = nl >= 0;
  }
  const delimiter = detectDelimiter(headerLine, TABLE_COLUMNS, foldColumn);
  const dialect: CsvDialect = { encoding, delimiter };

  // The leading lines become blank lines for csv-parse: the row numbers stay the file's.
  const first = '\n'.repeat(lineNo) + head.slice(Math.min(offset, head.length));
  head = '';
  function* input(): Generator<Buffer> {
    yield Buffer.from(first);
    for (let piece = next(); piece !== undefined; piece = next()) yield Buffer.from(piece);
  }
  let builder: TableBuilder | undefined;
  try {
    // Each record goes to the table as it is parsed (on_record keeps none, so nothing comes out of
    // the parser): a large file is never held as records, rows and directory data at once.
    const parser = parse({
      delimiter,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      on_record: (record: string[], info: { lines: number }) => {
        // Where a record starts: the line it ends on, minus the line breaks inside its quoted cells.
        let breaks = 0;
        for (const cell of record) if (cell.includes('\n')) breaks += cell.split('\n').length - 1;
        const row = info.lines - breaks;
        if (builder === undefined) {
          builder = tableBuilder({
            file,
            headerRow: row,
            header: record,
            meta,
            delimiter,
            readAs: describeDialect(dialect),
            defaultNetwork: basename(file, extname(file)),
            errors: [],
            warnings: [],
          });
        } else {
          builder.add({ row, cells: record.map((text) => ({ text })) });
          heapTick();
        }
        return null;
      },
    });
    await pipeline(Readable.from(input()), parser, new Writable({ objectMode: true, write: (_record, _enc, done) => done() }));
  } catch (e) {
    if (e instanceof InputError) throw e; // the header's, thrown from inside the parse
    const err = e as Error & { lines?: number; code?: string };
    if (err.code === 'CSV_QUOTE_NOT_CLOSED' || err.code === 'CSV_INVALID_CLOSING_QUOTE') {
      // csv-parse names where the quoting went wrong for it, often rows after the quote left open.
      const open = unclosedQuote([...textPieces(bytes, encoding)].join(''), delimiter);
      if (open) {
        const field = headerCells(headerLine, delimiter)[open.column];
        throw new InputError([{ file, row: open.line, ...(field ? { field } : {}), message: `a quoted cell is never closed on its row: add the closing " or remove the opening one (${describeDialect(dialect)})` }]);
      }
    }
    const reason = err.message.replace(/ at line \d+.*$/, '').replace(/^([^:]+): /, (_, kind: string) => `${kind.toLowerCase()}: `);
    throw new InputError([{ file, row: err.lines, message: `cannot be parsed as CSV: ${reason} (${describeDialect(dialect)})` }]);
  }
  if (!builder) throw new InputError([{ file, message: 'the file is empty' }]);
  const source = builder.finish();
  if (nonAscii) {
    // Nothing in the bytes says which single-byte code page they are: say what was assumed.
    source.warnings.unshift({ file, message: codePageWarning(encoding) });
  }
  return source;
}

/** The header's cells, as the user wrote them (for naming the column of a problem). */
function headerCells(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((c) => c.trim().replace(/^"|"$/g, ''));
}

/**
 * The first line on which a quoted cell opens and is still open when the line ends (a missing
 * closing quote), with the column it opened in; comment lines skipped. A cell may hold a line
 * break inside quotes, but a file that fails to parse on a quote most likely has this.
 */
export function unclosedQuote(text: string, delimiter: string): { line: number; column: number } | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trimStart().startsWith('#')) continue;
    let column = 0;
    let cellStart = true;
    let inQuotes = false;
    let openedIn = 0;
    for (let j = 0; j < line.length; j++) {
      const ch = line[j]!;
      if (inQuotes) {
        if (ch === '"') {
          if (line[j + 1] === '"') j++;
          else inQuotes = false;
        }
      } else if (ch === delimiter) {
        column++;
        cellStart = true;
        continue;
      } else if (ch === '"' && cellStart) {
        inQuotes = true;
        openedIn = column;
      }
      if (ch !== ' ' && ch !== '\t') cellStart = false;
    }
    if (inQuotes) return { line: i + 1, column: openedIn };
  }
  return undefined;
}
