// A directory kept as a table, one row per contact point (CSV, or a sheet of an .xlsx workbook),
// turned into the same plain data as the YAML reader: rows grouped into parties by ISO code, each
// value located by its row and column. The CSV and XLSX readers only produce the rows.
import { InputError, type InputProblem } from '../core/errors.js';
import { formatPath, type DataPath, type DirectorySource, type Place } from './source.js';
import { suggest } from '../core/suggest.js';

export const TABLE_COLUMNS = ['country', 'iso', 'status', 'id', 'unit', 'kind', 'emails', 'phones', 'sms', 'timezone', 'languages'] as const;
const REQUIRED = ['country', 'iso', 'status', 'id', 'kind', 'timezone'];
const LISTS = new Set(['emails', 'phones', 'sms', 'languages']);
const REPEATED = new Set(['country', 'iso', 'status', 'kind', 'timezone', 'languages']);
const PARTY_FIELDS = ['country', 'iso', 'status'] as const;
const CONTACT_FIELDS = TABLE_COLUMNS.filter((c) => !(PARTY_FIELDS as readonly string[]).includes(c));

/** A header cell as it is matched: case, spaces, `-` and `_` do not count (`Time zone`, `E-mails`). */
export function foldColumn(name: string): string {
  return name.trim().toLowerCase().replace(/[\s_-]+/g, '');
}

export interface TableCell {
  text: string;
  /** The spreadsheet stored a number here: a phone number may have lost its leading + or 0. */
  number?: boolean;
  /** The reader already reported this cell (a formula error, a date): validation says no more of it. */
  reported?: boolean;
}

export interface TableRow {
  /** As the file or the spreadsheet numbers it. */
  row: number;
  cells: TableCell[];
}

export interface Table {
  file: string;
  /** The worksheet (.xlsx); problems are then located as `sheet S, row R, column C`. */
  sheet?: string;
  headerRow: number;
  /** Header cells as written. */
  header: string[];
  rows: TableRow[];
  /** `# network: ...`, `# updated: ...` above the header. */
  meta: Record<string, { value: string; row: number }>;
  /** CSV's delimiter: a row with fewer or more cells than the header is then an error (a delimiter
   * lost or added). A spreadsheet has no such thing. */
  delimiter?: string;
  /** How the file was read (encoding, delimiter), said when the header is not a directory's. */
  readAs?: string;
  /** Said after the missing columns (another sheet that has them...). */
  headerHint?: string;
  /** Network name when the file has no `# network:` line. */
  defaultNetwork: string;
  errors: InputProblem[];
  warnings: InputProblem[];
}

/** Throws the InputError for a header that is not a directory's, or returns the folded columns. */
export function checkHeader(t: Pick<Table, 'file' | 'sheet' | 'headerRow' | 'header' | 'readAs' | 'headerHint'>): string[] {
  const columns = t.header.map(foldColumn);
  const missing = headerProblems(columns);
  if (missing) {
    const how = [`expected ${TABLE_COLUMNS.join(',')}`, t.readAs].filter(Boolean).join('; ');
    const problem: InputProblem = { file: t.file, row: t.headerRow, message: `not a directory header: ${missing} (${how})${t.headerHint ?? ''}` };
    if (t.sheet !== undefined) problem.sheet = t.sheet;
    throw new InputError([problem]);
  }
  return columns;
}

/** What is wrong with a header (folded), or undefined when it is a directory's. */
export function headerProblems(columns: readonly string[]): string | undefined {
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const duplicated = columns.filter((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (missing.length === 0 && duplicated.length === 0) return undefined;
  return [
    missing.length ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
    duplicated.length ? `column${duplicated.length > 1 ? 's' : ''} ${[...new Set(duplicated)].join(', ')} named twice` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

/** A table's rows turned into directory data one at a time, so that a reader can hand them over
 * as it parses (a CSV of 100,000 rows is never held as rows and as data at once). */
export interface TableBuilder {
  add(row: TableRow): void;
  finish(): DirectorySource;
}

export function tableSource(t: Table): DirectorySource {
  const { rows, ...rest } = t;
  const builder = tableBuilder(rest);
  for (const row of rows) builder.add(row);
  return builder.finish();
}

/** Checks the header (throws the InputError of a header that is not a directory's), then takes rows. */
export function tableBuilder(t: Omit<Table, 'rows'>): TableBuilder {
  // What locate() needs is taken apart: the closure must not keep the table (or its rows) alive.
  const { file, sheet, headerRow, meta, delimiter } = t;
  const errors = [...t.errors];
  const warnings = [...t.warnings];
  const at = (row: number, field?: string): Place & { file: string } => ({
    file,
    ...(sheet !== undefined ? { sheet } : {}),
    row,
    ...(field !== undefined ? { field } : {}),
  });

  const columns = checkHeader(t);
  columns.forEach((c, i) => {
    if (c === '' && delimiter === undefined) return; // a spreadsheet's unnamed column: see below
    if (!(TABLE_COLUMNS as readonly string[]).includes(c)) {
      const hint = suggest(c, TABLE_COLUMNS, { max: 2 });
      warnings.push({ ...at(headerRow, t.header[i] || `column ${i + 1}`), message: `unknown column, ignored${hint ? ` (did you mean '${hint}'?)` : ''}` });
    }
  });
  /** Where each known column is (the first of a name), looked up once rather than per cell. */
  const index = new Map<string, number>();
  columns.forEach((c, i) => {
    if (!index.has(c)) index.set(c, i);
  });

  type RawParty = { country?: string; iso?: string; status?: string; contacts: Record<string, unknown>[] };
  const parties: RawParty[] = [];
  const partyRows: number[] = [];
  const contactRows: number[][] = [];
  const byKey = new Map<string, number>();
  const numberCells = new Set<string>();
  const reported = new Set<string>();
  // Problems name a column as the header writes it (`E-mails`, `Time zone`).
  const written = new Map<string, string>();
  columns.forEach((c, i) => {
    if (c !== '' && !written.has(c)) written.set(c, t.header[i]!.trim());
  });
  const columnName = (c: string) => written.get(c) ?? c;
  const unnamedWarned = new Set<number>();
  // Columns whose values repeat from row to row (a few zones, kinds, languages for 100,000
  // rows): one string each instead of one a row.
  const shared = new Map<string, string>();
  const intern = (column: string, text: string): string => {
    if (!REPEATED.has(column)) return text;
    const known = shared.get(text);
    if (known !== undefined) return known;
    shared.set(text, text);
    return text;
  };
  const d = delimiter === '\t' ? 'tab' : `'${delimiter}'`;

  function add({ row, cells }: TableRow): void {
    if (cells.every((c) => c.text === '')) return; // a spreadsheet's empty row: `,,,,`
    if (delimiter !== undefined) {
      if (cells.length < columns.length) {
        errors.push({ ...at(row), message: `short row: ${cells.length} cells, the header has ${columns.length} (a missing ${d} or a cut line?); row skipped` });
        return;
      }
      for (let i = columns.length; i < cells.length; i++) {
        if (cells[i]!.text !== '') {
          errors.push({ ...at(row), message: `long row: ${cells.length} cells, the header has ${columns.length} (a ${d} inside a cell needs quotes); row skipped` });
          return;
        }
      }
    } else {
      cells.forEach((c, i) => {
        if (c.text === '' || (columns[i] ?? '') !== '' || unnamedWarned.has(i)) return;
        unnamedWarned.add(i);
        warnings.push({ ...at(row, columnLetter(i)), message: 'a value in a column without a header, ignored' });
      });
    }
    const cellAt = (name: string): TableCell | undefined => {
      const i = index.get(name);
      return i === undefined ? undefined : (cells[i] ?? { text: '' });
    };
    const cell = (name: string): string | undefined => {
      const text = cellAt(name)?.text;
      return text === undefined ? undefined : intern(name, text);
    };

    const key = (cell('iso') || cell('country') || '').toUpperCase();
    let p = byKey.get(key);
    if (p === undefined) {
      p = parties.length;
      byKey.set(key, p);
      parties.push({ country: cell('country'), iso: cell('iso'), status: cell('status'), contacts: [] });
      partyRows.push(row);
      contactRows.push([]);
      for (const f of PARTY_FIELDS) if (cellAt(f)?.reported) reported.add(formatPath(['parties', p, f]));
    } else {
      const party = parties[p]!;
      for (const f of PARTY_FIELDS) {
        const here = cell(f) ?? '';
        const first = party[f] ?? '';
        const same = f === 'iso' ? here.toUpperCase() === first.toUpperCase() : f === 'country' ? here.toLowerCase() === first.toLowerCase() : here === first;
        if (!same) errors.push({ ...at(row, columnName(f)), message: `'${here}' differs from row ${partyRows[p]} ('${first}') for the same party` });
      }
    }
    const contact: Record<string, unknown> = {};
    const contactIndex = parties[p]!.contacts.length;
    for (const c of CONTACT_FIELDS) {
      const v = cellAt(c);
      if (v?.reported) reported.add(formatPath(['parties', p, 'contacts', contactIndex, c]));
      if (v === undefined || (v.text === '' && !LISTS.has(c))) continue; // absent: validation says "missing"
      if (!LISTS.has(c)) {
        contact[c] = intern(c, v.text);
        continue;
      }
      // Several values: `;` between them, or one a line (Alt+Enter in Excel).
      const list = v.number || !/[;\r\n]/.test(v.text) ? (v.text === '' ? [] : [v.text]) : v.text.split(/[;\r\n]/).map((s) => intern(c, s.trim())).filter((s) => s !== '');
      contact[c] = list;
      if (v.number) numberCells.add(formatPath(['parties', p, 'contacts', contactIndex, c, 0]));
    }
    parties[p]!.contacts.push(contact);
    contactRows[p]!.push(row);
  }

  function finish(): DirectorySource {
    const data: Record<string, unknown> = { network: meta.network?.value || t.defaultNetwork, parties };
    if (meta.updated) data.updated = meta.updated.value;
    return {
      data,
      errors,
      warnings,
      numberCells,
      reported,
      locate(path: DataPath): Place {
        const place = (row: number, field?: string): Place => ({ ...(sheet !== undefined ? { sheet } : {}), row, ...(field !== undefined ? { field: columnName(field) } : {}) });
        const [top, p, sub, c, field] = path;
        if (top !== 'parties') {
          const m = typeof top === 'string' ? meta[top] : undefined;
          return place(m?.row ?? headerRow, path.length ? formatPath(path) : undefined);
        }
        if (typeof p !== 'number') return place(headerRow);
        const partyRow = partyRows[p] ?? headerRow;
        if (sub !== 'contacts') return place(partyRow, typeof sub === 'string' ? sub : undefined);
        if (typeof c !== 'number') return place(partyRow);
        return place(contactRows[p]?.[c] ?? partyRow, typeof field === 'string' ? field : undefined);
      },
    };
  }

  return { add, finish };
}

/** `A`, `B`, ... `AA`: how a spreadsheet names column i (0-based). */
export function columnLetter(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
