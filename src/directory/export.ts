// Writes a checked directory back out, normalised, for the office to keep editing: XLSX (phone
// columns formatted as Text, drop-down lists for status and kind), CSV (the columns of the CSV
// format), YAML or JSON. Reading any of them back gives the same directory.
import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { Document, isScalar, isSeq, Scalar, visit } from 'yaml';
import type { Delimiter } from './csv-dialect.js';
import type { ContactPoint, Directory } from './model.js';
import { TABLE_COLUMNS } from './read-table.js';

export const EXPORT_FORMATS = ['xlsx', 'csv', 'yaml', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `+355 67 212 3410`: E.164 with the spaces people read it with (it reads back to the same). */
export function readableNumber(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** One row per contact point, values as text, several in a cell separated by `; `. */
export function directoryRows(d: Directory): string[][] {
  const rows: string[][] = [];
  for (const p of d.parties) {
    for (const c of p.contacts) {
      const cell: Record<(typeof TABLE_COLUMNS)[number], string> = {
        country: p.country,
        iso: p.iso,
        status: p.status,
        id: c.id,
        unit: c.unit,
        kind: c.kind,
        emails: c.emails.join('; '),
        phones: c.phones.map(readableNumber).join('; '),
        sms: c.sms.map(readableNumber).join('; '),
        timezone: c.timezone,
        languages: c.languages.join('; '),
      };
      rows.push(TABLE_COLUMNS.map((k) => cell[k]));
    }
  }
  return rows;
}

function metaLines(d: Directory): string[] {
  return [`# network: ${d.network}`, ...(d.updated ? [`# updated: ${d.updated}`] : [])];
}

export function directoryToCsv(d: Directory, delimiter: Delimiter = ','): string {
  const quote = (v: string) => (v.includes(delimiter) || /["\r\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [...metaLines(d).map(quote), TABLE_COLUMNS.join(delimiter), ...directoryRows(d).map((r) => r.map(quote).join(delimiter))];
  return lines.join('\r\n') + '\r\n';
}

export function directoryToJson(d: Directory): string {
  return JSON.stringify(d, null, 2) + '\n';
}

export function directoryToYaml(d: Directory): string {
  const contact = (c: ContactPoint) => ({
    id: c.id,
    ...(c.unit ? { unit: c.unit } : {}),
    kind: c.kind,
    emails: c.emails,
    phones: c.phones.map(readableNumber),
    sms: c.sms.map(readableNumber),
    timezone: c.timezone,
    languages: c.languages,
  });
  // Contact points share lists (one empty list, each set of languages once): each is written out
  // where it is, never as an &anchor and *alias.
  const doc = new Document({
    network: d.network,
    ...(d.updated ? { updated: d.updated } : {}),
    parties: d.parties.map((p) => ({ country: p.country, iso: p.iso, status: p.status, contacts: p.contacts.map(contact) })),
  }, { aliasDuplicateObjects: false });
  visit(doc, {
    Pair(_, pair) {
      const key = isScalar(pair.key) ? pair.key.value : undefined;
      if (isSeq(pair.value) && key !== 'parties' && key !== 'contacts') {
        pair.value.flow = true;
        // Numbers in quotes, so that no YAML reader takes them for numbers.
        if (key === 'phones' || key === 'sms') for (const item of pair.value.items) if (isScalar(item)) item.type = Scalar.QUOTE_DOUBLE;
      }
      // `NO` is Norway, not false, in YAML 1.1 readers too.
      if (key === 'iso' && isScalar(pair.value) && /^(?:y|n|yes|no|on|off)$/i.test(String(pair.value.value))) pair.value.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/** How many rows below the table keep the drop-down lists, for the contact points the office adds. */
const ROOM_TO_GROW = 500;

export async function directoryToXlsx(d: Directory, sheetName = 'Directory'): Promise<Buffer> {
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'rollcall';
  const sheet = workbook.addWorksheet(sheetName);
  const meta = metaLines(d);
  for (const line of meta) sheet.addRow([line]).font = { italic: true };
  const headerRow = sheet.addRow([...TABLE_COLUMNS]);
  headerRow.font = { bold: true };
  const rows = directoryRows(d);
  for (const r of rows) sheet.addRow(r);

  TABLE_COLUMNS.forEach((name, i) => {
    const column = sheet.getColumn(i + 1);
    const widest = Math.max(name.length, ...rows.map((r) => r[i]!.length));
    column.width = Math.min(60, Math.max(8, widest + 2));
    // Text, not General: a number typed later keeps its + and its leading 0.
    column.numFmt = '@';
  });
  const first = headerRow.number + 1;
  const last = headerRow.number + rows.length + ROOM_TO_GROW;
  const lists: Partial<Record<(typeof TABLE_COLUMNS)[number], string>> = { status: '"party,observer"', kind: '"police,prosecution,other"' };
  for (const [name, formula] of Object.entries(lists)) {
    const column = TABLE_COLUMNS.indexOf(name as (typeof TABLE_COLUMNS)[number]) + 1;
    for (let r = first; r <= last; r++) {
      sheet.getCell(r, column).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [formula],
        showErrorMessage: true,
        errorTitle: name,
        error: `Choose ${formula.replace(/"/g, '').replace(/,/g, ', ')}`,
      };
    }
  }
  sheet.views = [{ state: 'frozen', ySplit: headerRow.number, xSplit: 0 }];
  sheet.autoFilter = { from: { row: headerRow.number, column: 1 }, to: { row: headerRow.number + rows.length, column: TABLE_COLUMNS.length } };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
