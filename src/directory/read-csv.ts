// Reads a CSV directory (one row per contact point) into the same plain data as the YAML reader,
// grouping rows into parties by ISO code. Rows are numbered as a spreadsheet shows them: the
// line of the file where the record starts (the header is row 1 unless comment lines precede it).
// Leading comment lines `# network: ...` and `# updated: ...` carry what YAML has at its top.
import { basename, extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { InputError, type InputProblem } from '../core/errors.js';
import { formatPath, type DataPath, type DirectorySource, type Place } from './source.js';

export const CSV_COLUMNS = ['country', 'iso', 'status', 'id', 'unit', 'kind', 'emails', 'phones', 'sms', 'timezone', 'languages'] as const;
const REQUIRED = ['country', 'iso', 'status', 'id', 'kind', 'timezone'];
const LISTS = new Set(['emails', 'phones', 'sms', 'languages']);
const PARTY_FIELDS = ['country', 'iso', 'status'] as const;

type Record_ = { record: string[]; info: { lines: number } };

export function readCsvSource(text: string, file: string): DirectorySource {
  const errors: InputProblem[] = [];
  const warnings: InputProblem[] = [];

  // Leading `# key: value` lines.
  const meta: Record<string, { value: string; row: number }> = {};
  const fileLines = text.split(/\r?\n/);
  for (let i = 0; i < fileLines.length; i++) {
    const line = fileLines[i]!.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break;
    const m = /^#\s*([A-Za-z_]+)\s*:\s*(.*)$/.exec(line);
    if (m) meta[m[1]!.toLowerCase()] = { value: m[2]!.trim(), row: i + 1 };
  }

  let records: Record_[];
  try {
    // csv-parse counts a CRLF inside quotes as two lines: give it LF only (cells keep one break).
    records = parse(text.replace(/\r\n?/g, '\n'), {
      bom: true,
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
    throw new InputError([{ file, row: err.lines, message: `cannot be parsed as CSV: ${reason}` }]);
  }
  // Where a record starts: the line it ends on, minus the line breaks inside its quoted cells.
  const rowOf = (r: Record_) => r.info.lines - r.record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0);

  const header = records.shift();
  if (!header) throw new InputError([{ file, message: 'the file is empty' }]);
  const headerRow = rowOf(header);
  const columns = header.record.map((c) => c.toLowerCase());
  const missing = REQUIRED.filter((c) => !columns.includes(c));
  const duplicated = columns.filter((c, i) => c !== '' && columns.indexOf(c) !== i);
  if (missing.length > 0 || duplicated.length > 0) {
    const what = [
      missing.length ? `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` : '',
      duplicated.length ? `column${duplicated.length > 1 ? 's' : ''} ${[...new Set(duplicated)].join(', ')} named twice` : '',
    ].filter(Boolean);
    throw new InputError([
      { file, row: headerRow, message: `not a directory header: ${what.join('; ')} (expected ${CSV_COLUMNS.join(',')})` },
    ]);
  }
  columns.forEach((c, i) => {
    if (!(CSV_COLUMNS as readonly string[]).includes(c)) {
      warnings.push({ file, row: headerRow, field: header.record[i] || `column ${i + 1}`, message: 'unknown column, ignored' });
    }
  });

  type RawParty = { country?: string; iso?: string; status?: string; contacts: Record<string, unknown>[] };
  const parties: RawParty[] = [];
  const partyRows: number[] = [];
  const contactRows: number[][] = [];
  const byKey = new Map<string, number>();

  for (const rec of records) {
    const row = rowOf(rec);
    const cells = rec.record;
    if (cells.every((c) => c === '')) continue; // a spreadsheet's empty row: `,,,,`
    if (cells.length < columns.length) {
      errors.push({ file, row, message: `short row: ${cells.length} cells, the header has ${columns.length} (a missing comma or a cut line?); row skipped` });
      continue;
    }
    if (cells.slice(columns.length).some((c) => c !== '')) {
      errors.push({ file, row, message: `long row: ${cells.length} cells, the header has ${columns.length} (a comma inside a cell needs quotes); row skipped` });
      continue;
    }
    const cell = (name: string): string | undefined => {
      const i = columns.indexOf(name);
      return i < 0 ? undefined : cells[i];
    };

    const key = (cell('iso') || cell('country') || '').toUpperCase();
    let index = byKey.get(key);
    if (index === undefined) {
      index = parties.length;
      byKey.set(key, index);
      parties.push({ country: cell('country'), iso: cell('iso'), status: cell('status'), contacts: [] });
      partyRows.push(row);
      contactRows.push([]);
    } else {
      const party = parties[index]!;
      for (const f of PARTY_FIELDS) {
        const here = cell(f) ?? '';
        const first = party[f] ?? '';
        const same = f === 'iso' ? here.toUpperCase() === first.toUpperCase() : f === 'country' ? here.toLowerCase() === first.toLowerCase() : here === first;
        if (!same) {
          errors.push({ file, row, field: f, message: `'${here}' differs from row ${partyRows[index]} ('${first}') for the same party` });
        }
      }
    }
    const contact: Record<string, unknown> = {};
    for (const c of CSV_COLUMNS) {
      if (PARTY_FIELDS.includes(c as (typeof PARTY_FIELDS)[number])) continue;
      const v = cell(c);
      if (v === undefined || (v === '' && !LISTS.has(c))) continue; // absent: validation says "missing"
      contact[c] = LISTS.has(c) ? v.split(';').map((s) => s.trim()).filter((s) => s !== '') : v;
    }
    parties[index]!.contacts.push(contact);
    contactRows[index]!.push(row);
  }

  const data: Record<string, unknown> = {
    network: meta.network?.value || basename(file, extname(file)),
    parties,
  };
  if (meta.updated) data.updated = meta.updated.value;

  return {
    data,
    errors,
    warnings,
    locate(path: DataPath): Place {
      const [top, p, sub, c, field] = path;
      if (top !== 'parties') {
        const m = typeof top === 'string' ? meta[top] : undefined;
        return { row: m?.row ?? headerRow, field: path.length ? formatPath(path) : undefined };
      }
      if (typeof p !== 'number') return { row: headerRow };
      const partyRow = partyRows[p] ?? headerRow;
      if (sub !== 'contacts') return { row: partyRow, field: typeof sub === 'string' ? sub : undefined };
      if (typeof c !== 'number') return { row: partyRow };
      const row = contactRows[p]?.[c] ?? partyRow;
      return { row, field: typeof field === 'string' ? field : undefined };
    },
  };
}
