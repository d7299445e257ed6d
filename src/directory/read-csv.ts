// Reads a CSV directory (one row per contact point) as Excel saves it in any locale: the delimiter
// (`,` `;` or tab) is found from the header, the encoding was found by the loader. Rows are
// numbered as a spreadsheet shows them: the line of the file where the record starts (the header
// is row 1 unless comment lines precede it). Leading comment lines `# network: ...` and
// `# updated: ...` carry what YAML has at its top.
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../core/errors.js';
import { describeDialect, detectDelimiter, type CsvDialect, type TextEncoding } from './csv-dialect.js';
import { foldColumn, TABLE_COLUMNS, tableBuilder, type Table, type TableBuilder } from './read-table.js';
import type { DirectorySource } from './source.js';

export const CSV_COLUMNS = TABLE_COLUMNS;

/** A leading comment line, also as Excel saves it: quoted when it holds the delimiter, and
 * padded with empty cells (`# network: X;;;;;;;;;;`). */
function commentText(line: string): string | undefined {
  const t = line.trim();
  if (t.startsWith('#')) return t;
  const m = /^"(#(?:[^"]|"")*)"/.exec(t);
  return m ? m[1]!.replace(/""/g, '"') : undefined;
}

export function readCsvSource(text: string, file: string, encoding: TextEncoding = 'utf-8'): DirectorySource {
  const unmarked = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  // csv-parse counts a CRLF inside quotes as two lines: give it LF only (cells keep one break).
  const body = unmarked.includes('\r') ? unmarked.replace(/\r\n?/g, '\n') : unmarked;
  const meta: Table['meta'] = {};
  // Leading comment lines and blanks, read line by line without splitting the whole file.
  let offset = 0; // where the first line that is not a leading comment or blank starts
  let lineNo = 0;
  let headerLine = '';
  while (offset < body.length) {
    const nl = body.indexOf('\n', offset);
    const end = nl < 0 ? body.length : nl;
    const line = body.slice(offset, end);
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
  }
  const delimiter = detectDelimiter(headerLine, TABLE_COLUMNS, foldColumn);
  const dialect: CsvDialect = { encoding, delimiter };

  // The leading lines become blank lines for csv-parse: the row numbers stay the file's.
  const input = '\n'.repeat(lineNo) + body.slice(offset);
  let builder: TableBuilder | undefined;
  try {
    // Each record goes to the table as it is parsed (on_record keeps none): a large file is never
    // held as records, rows and directory data at once.
    parse(input, {
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
        }
        return null;
      },
    });
  } catch (e) {
    if (e instanceof InputError) throw e; // the header's, thrown from inside the parse
    const err = e as Error & { lines?: number; code?: string };
    const reason = err.message.replace(/ at line \d+.*$/, '').replace(/^([^:]+): /, (_, kind: string) => `${kind.toLowerCase()}: `);
    throw new InputError([{ file, row: err.lines, message: `cannot be parsed as CSV: ${reason} (${describeDialect(dialect)})` }]);
  }
  if (!builder) throw new InputError([{ file, message: 'the file is empty' }]);
  return builder.finish();
}
