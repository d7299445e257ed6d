// Reads a directory kept in an Excel workbook (.xlsx): the first visible sheet, or the one named,
// with the same columns as the CSV format. Excel's typed cells are turned back into what the
// office typed where that can be trusted: a date in a text column, a formula error or a formula
// never calculated is an error at its cell; a number in a phone column is flagged for validation
// (Excel drops a leading + or 0). exceljs is loaded only here.
import { basename, extname } from 'node:path';
import type { Cell, CellValue, Workbook, Worksheet } from 'exceljs';
import { InputError, type InputProblem } from '../core/errors.js';
import { checkHeader, columnLetter, foldColumn, headerProblems, tableSource, TABLE_COLUMNS, type Table, type TableCell, type TableRow } from './read-table.js';
import type { DirectorySource } from './source.js';
import { suggest } from '../core/suggest.js';

export interface XlsxOptions {
  /** The sheet to read (default: the first visible one). */
  sheet?: string;
}

/** Header rows are looked for this far down: an office sheet often has a title above its table. */
const HEADER_SEARCH_ROWS = 10;

export async function readXlsxSource(bytes: Uint8Array, file: string, opts: XlsxOptions = {}): Promise<DirectorySource> {
  const workbook = await openWorkbook(bytes, file);
  const visible = workbook.worksheets.filter((s) => s.state === 'visible' || s.state === undefined);
  const names = workbook.worksheets.map((s) => s.name);
  let sheet: Worksheet | undefined;
  if (opts.sheet !== undefined) {
    sheet = workbook.worksheets.find((s) => s.name === opts.sheet) ?? workbook.worksheets.find((s) => s.name.toLowerCase() === opts.sheet!.toLowerCase());
    if (!sheet) {
      const hint = suggest(opts.sheet, names);
      throw new InputError([{ file, message: `no sheet named '${opts.sheet}'${hint ? ` (did you mean '${hint}'?)` : ''}; the workbook has ${listNames(names)}` }]);
    }
  } else {
    sheet = visible[0] ?? workbook.worksheets[0];
    if (!sheet) throw new InputError([{ file, message: 'the workbook has no sheet' }]);
  }

  const errors: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const located = (row: number, field: string | undefined, message: string): InputProblem => ({
    file,
    sheet: sheet.name,
    row,
    ...(field !== undefined ? { field } : {}),
    message,
  });

  // The header is the first row that is not a `# key: value` line; or, when an office put a title
  // or notes above its table, the first row within the first few that names the columns.
  const meta: Table['meta'] = {};
  const all = rowsOf(sheet);
  const headerOf = (i: number) => all[i]!.values.map((v) => cellText(v).text);
  let headerAt = -1;
  const above: number[] = [];
  for (let i = 0; i < all.length && (headerAt < 0 || all[i]!.number <= HEADER_SEARCH_ROWS); i++) {
    const texts = headerOf(i);
    const first = texts.find((t) => t !== '');
    if (first === undefined) continue;
    if (first.startsWith('#')) {
      readMetaRow(texts, all[i]!.number, meta);
      continue;
    }
    if (headerAt < 0) headerAt = i;
    if (headerProblems(texts.map(foldColumn)) === undefined) {
      headerAt = i;
      break;
    }
    above.push(all[i]!.number);
  }
  if (headerAt < 0) {
    throw new InputError([{ file, sheet: sheet.name, message: `the sheet is empty${otherSheets(names)}` }]);
  }
  if (all[headerAt]!.number !== above[0] && above.length > 0) {
    const what = above.length === 1 ? 'above the header' : `rows ${above.join(', ')} are above the header`;
    warnings.push(located(above[0]!, undefined, `${what} (row ${all[headerAt]!.number}): ignored`));
  }
  const header = headerOf(headerAt);
  const headerRow = all[headerAt]!.number;
  const hint = opts.sheet === undefined ? sheetWithHeader(workbook, sheet) : undefined;
  checkHeader({
    file,
    sheet: sheet.name,
    headerRow,
    header,
    ...(names.length > 1 ? { readAs: `the workbook has ${listNames(names)}` } : {}),
    headerHint: hint ? `; sheet '${hint}' has the directory's columns: add --sheet '${hint}'` : '',
  });
  const columns = header.map(foldColumn);

  const rows: TableRow[] = [];
  for (const r of all.slice(headerAt + 1)) {
    const cells: TableCell[] = [];
    for (let i = 0; i < Math.max(columns.length, r.values.length); i++) {
      const column = columns[i] ?? '';
      const value = r.values[i];
      const field = column ? header[i] : columnLetter(i);
      const c = cellText(value);
      let reported = false;
      if (c.problem) {
        errors.push(located(r.number, field, c.problem));
        reported = true;
      } else if (c.date !== undefined && (TABLE_COLUMNS as readonly string[]).includes(column)) {
        errors.push(located(r.number, field, `Excel made this cell a date (${c.date}): format the column as Text and type the value again`));
        reported = true;
      }
      cells.push({ text: c.text, ...(c.number && (column === 'phones' || column === 'sms') ? { number: true } : {}), ...(reported ? { reported } : {}) });
    }
    rows.push({ row: r.number, cells });
  }

  return tableSource({
    file,
    sheet: sheet.name,
    headerRow,
    header,
    rows,
    meta,
    defaultNetwork: basename(file, extname(file)),
    errors,
    warnings,
  });
}

async function openWorkbook(bytes: Uint8Array, file: string): Promise<Workbook> {
  // An .xlsx is a zip archive ("PK"); an old .xls, or a workbook saved with a password, is an OLE file.
  if (bytes[0] === 0xd0 && bytes[1] === 0xcf && bytes[2] === 0x11 && bytes[3] === 0xe0) {
    throw new InputError([{ file, message: 'is an Excel 97-2003 workbook or one protected by a password: save it as "Excel Workbook (.xlsx)" without a password' }]);
  }
  if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new InputError([{ file, message: 'is not an Excel workbook (.xlsx): not a zip archive (a CSV file renamed?)' }]);
  }
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) as unknown as ArrayBuffer);
  } catch (e) {
    throw new InputError([{ file, message: `cannot be read as an Excel workbook (.xlsx): ${(e as Error).message}` }]);
  }
  return workbook;
}

interface SheetRow {
  number: number;
  /** 0-based: values[0] is column A. */
  values: CellValue[];
}

function rowsOf(sheet: Worksheet): SheetRow[] {
  const rows: SheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const values: CellValue[] = [];
    row.eachCell({ includeEmpty: true }, (cell: Cell, col: number) => {
      // A merged cell's value sits in its top-left cell only.
      values[col - 1] = cell.isMerged && cell.master !== cell ? null : cell.value;
    });
    rows.push({ number, values });
  });
  return rows;
}

interface CellText {
  text: string;
  /** Excel stored a number. */
  number?: boolean;
  /** Excel stored a date: YYYY-MM-DD. */
  date?: string;
  /** A value that cannot be used (a formula error, a formula never calculated). */
  problem?: string;
}

function isoDate(d: Date): string {
  const s = d.toISOString();
  return s.endsWith('T00:00:00.000Z') ? s.slice(0, 10) : s.replace(/\.000Z$/, 'Z');
}

/** The cell as text, as Excel shows it where that is unambiguous. */
export function cellText(v: CellValue): CellText {
  if (v === null || v === undefined) return { text: '' };
  if (typeof v === 'string') return { text: v.trim() };
  if (typeof v === 'number') return { text: String(v), number: true };
  if (typeof v === 'boolean') return { text: v ? 'TRUE' : 'FALSE' };
  if (v instanceof Date) return { text: isoDate(v), date: isoDate(v) };
  if ('error' in v) return { text: '', problem: `Excel error ${v.error} in this cell` };
  if ('richText' in v) return { text: v.richText.map((r) => r.text).join('').trim() };
  if ('hyperlink' in v) {
    // Excel turns a typed address into a link; the text is what was typed.
    const text = v.text as unknown;
    return typeof text === 'string' ? { text: text.trim() } : cellText(text as CellValue);
  }
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as { result?: CellValue }).result;
    if (result === undefined) return { text: '', problem: 'a formula whose result was never saved: open the workbook in Excel and save it' };
    return cellText(result);
  }
  return { text: String(v) };
}

/** `# network: X` in one cell, or `# updated:` with the value (a date, say) in the next. */
function readMetaRow(texts: string[], row: number, meta: Table['meta']): void {
  const start = texts.findIndex((t) => t !== '');
  const m = /^#\s*([A-Za-z_]+)\s*:\s*(.*)$/.exec(texts[start]!);
  if (!m) return;
  const value = m[2]!.trim() || (texts.slice(start + 1).find((t) => t !== '') ?? '');
  meta[m[1]!.toLowerCase()] = { value, row };
}

function listNames(names: readonly string[]): string {
  return names.length === 1 ? `one sheet, '${names[0]}'` : `sheets ${names.map((n) => `'${n}'`).join(', ')}`;
}

function otherSheets(names: readonly string[]): string {
  return names.length > 1 ? ` (the workbook has ${listNames(names)}; choose one with --sheet)` : '';
}

/** Another sheet whose first rows hold the directory's header. */
function sheetWithHeader(workbook: Workbook, except: Worksheet): string | undefined {
  for (const s of workbook.worksheets) {
    if (s === except) continue;
    for (const r of rowsOf(s).slice(0, HEADER_SEARCH_ROWS)) {
      if (headerProblems(r.values.map((v) => foldColumn(cellText(v).text))) === undefined) return s.name;
    }
  }
  return undefined;
}
