// Reads a CSV directory (one row per contact point) as Excel saves it in any locale: the delimiter
// (`,` `;` or tab) is found from the header, the encoding was found by the loader. Rows are
// numbered as a spreadsheet shows them: the line of the file where the record starts (the header
// is row 1 unless comment lines precede it). Leading comment lines `# network: ...` and
// `# updated: ...` carry what YAML has at its top.
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError } from '../core/errors.js';
import { describeDialect, detectDelimiter, type CsvDialect, type TextEncoding } from './csv-dialect.js';
import { foldColumn, TABLE_COLUMNS, tableSource, type Table, type TableRow } from './read-table.js';
import type { DirectorySource } from './source.js';

export const CSV_COLUMNS = TABLE_COLUMNS;

type Record_ = { record: string[]; info: { lines: number } };

/** A leading comment line, also as Excel saves it: quoted when it holds the delimiter, and
 * padded with empty cells (`# network: X;;;;;;;;;;`). */
function commentText(line: string): string | undefined {
  const t = line.trim();
  if (t.startsWith('#')) return t;
  const m = /^"(#(?:[^"]|"")*)"/.exec(t);
  return m ? m[1]!.replace(/""/g, '"') : undefined;
}

export function readCsvSource(text: string, file: string, encoding: TextEncoding = 'utf-8'): DirectorySource {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n?|\n/);
  const meta: Table['meta'] = {};
  let first = 0; // index of the first line that is not a leading comment or blank
  for (; first < lines.length; first++) {
    const line = lines[first]!.trim();
    if (line === '') continue;
    const comment = commentText(line);
    if (comment === undefined) break;
    lines[first] = ''; // csv-parse sees a blank line: the row numbers stay the file's
    const m = /^#\s*([A-Za-z_]+)\s*:\s*(.*)$/.exec(comment);
    if (m) meta[m[1]!.toLowerCase()] = { value: m[2]!.replace(/[,;\t]+$/, '').trim(), row: first + 1 };
  }
  const delimiter = detectDelimiter(lines[first] ?? '', TABLE_COLUMNS, foldColumn);
  const dialect: CsvDialect = { encoding, delimiter };

  let records: Record_[];
  try {
    // csv-parse counts a CRLF inside quotes as two lines: give it LF only (cells keep one break).
    records = parse(lines.join('\n'), {
      delimiter,
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    }) as unknown as Record_[];
  } catch (e) {
    const err = e as Error & { lines?: number; code?: string };
    const reason = err.message.replace(/ at line \d+.*$/, '').replace(/^([^:]+): /, (_, kind: string) => `${kind.toLowerCase()}: `);
    throw new InputError([{ file, row: err.lines, message: `cannot be parsed as CSV: ${reason} (${describeDialect(dialect)})` }]);
  }
  // Where a record starts: the line it ends on, minus the line breaks inside its quoted cells.
  const rowOf = (r: Record_) => r.info.lines - r.record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);

  const header = records.shift();
  if (!header) throw new InputError([{ file, message: 'the file is empty' }]);
  const rows: TableRow[] = records.map((r) => ({ row: rowOf(r), cells: r.record.map((text) => ({ text })) }));
  return tableSource({
    file,
    headerRow: rowOf(header),
    header: header.record,
    rows,
    meta,
    delimiter,
    readAs: describeDialect(dialect),
    defaultNetwork: basename(file, extname(file)),
    errors: [],
    warnings: [],
  });
}
