// The directory as a secretariat keeps it: an Excel workbook, and CSV files as Excel saves them
// in other locales (`;`, Windows-1252, a byte-order mark). The fixtures are written by
// fixtures/generate-spreadsheets.mjs from fixtures/directory.yaml.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem, InputError, UsageError } from '../../src/core/errors.js';
import { loadDirectory, readDirectory, type LoadOptions } from '../../src/directory/load.js';
import type { Directory } from '../../src/core/directory.js';

const broken = (name: string) => `fixtures/broken/${name}`;

let tmp: string;
let yaml: Directory;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rollcall-sheet-'));
  yaml = await readDirectory('fixtures/directory.yaml');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function failure(file: string, opts: LoadOptions = {}): Promise<InputError> {
  const e = await loadDirectory(file, opts).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

/** A workbook with one sheet holding these rows (values as exceljs takes them). */
async function workbook(name: string, rows: unknown[][], sheet = 'Directory'): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheet);
  for (const r of rows) ws.addRow(r);
  const file = join(tmp, name);
  await wb.xlsx.writeFile(file);
  return file;
}

const HEADER = ['country', 'iso', 'status', 'id', 'unit', 'kind', 'emails', 'phones', 'sms', 'timezone', 'languages'];

describe('.xlsx directories', () => {
  it('the 2023 workbook gives the same directory as the YAML file', async () => {
    const r = await loadDirectory('fixtures/directory.xlsx');
    expect(r.errors).toEqual([]);
    expect(r.directory).toEqual(yaml);
    // Its header is written as an office writes it, and `updated` is a date cell.
    expect(r.directory!.updated).toBe('2023-12-01');
    expect(r.warnings[0]).toMatchObject({ file: 'fixtures/directory.xlsx', sheet: 'Directory', field: 'Phones', message: 'BE-PROS has no phone number: reachable by e-mail only' });
  });

  it('locates each problem Excel makes by sheet, row and column, and reports them all', async () => {
    const r = await loadDirectory(broken('bad-cells.xlsx'));
    expect(r.directory).toBeUndefined();
    expect(r.errors.map(formatProblem)).toEqual([
      'fixtures/broken/bad-cells.xlsx: sheet Directory, row 7, column Phones: 612345678 is stored as a number in the spreadsheet: its leading + or 0 is lost and it cannot be trusted; format the column as Text and type the number with + and the country code',
      'fixtures/broken/bad-cells.xlsx: sheet Directory, row 8, column ID: Excel made this cell a date (2023-03-04): format the column as Text and type the value again',
      'fixtures/broken/bad-cells.xlsx: sheet Directory, row 9, column Time zone: Excel error #N/A in this cell',
      "fixtures/broken/bad-cells.xlsx: sheet Directory, row 11, column Kind: unknown kind 'military' (expected police, prosecution, other)",
      "fixtures/broken/bad-cells.xlsx: sheet Directory, row 14, column E-mails: 'not-an-address' is not an e-mail address",
    ]);
    const warnings = r.warnings.map(formatProblem);
    expect(warnings).toContain('fixtures/broken/bad-cells.xlsx: sheet Directory, row 1: above the header (row 4): ignored');
    expect(warnings).toContain(
      'fixtures/broken/bad-cells.xlsx: sheet Directory, row 6, column Phones: 355672123410 is stored as a number in the spreadsheet; read as +355 67 212 3410: format the column as Text so that the + is kept',
    );
    expect(warnings).toContain('fixtures/broken/bad-cells.xlsx: sheet Directory, row 12, column L: a value in a column without a header, ignored');
    // Row 10: NO stays Norway, and the status is a formula's result: no problem there.
    expect([...r.errors, ...r.warnings].filter((p) => p.row === 10)).toEqual([]);
  });

  it('uses a phone stored as a number when its digits read with + are a number of the country', async () => {
    const file = await workbook('numbers.xlsx', [
      ['# network: Numbers'],
      HEADER,
      ['Albania', 'AL', 'party', 'AL-POL', '', 'police', 'poc@police.al.example', 355672123410, 355672123411, 'Europe/Tirane', 'sq'],
      ['Norway', 'NO', 'party', 'NO-POL', '', 'police', 'poc@police.no.example', 4722000010, '', 'Europe/Oslo', 'no'],
    ]);
    const r = await loadDirectory(file);
    expect(r.errors).toEqual([]);
    expect(r.directory!.network).toBe('Numbers');
    expect(r.directory!.parties[0]!.contacts[0]).toMatchObject({ phones: ['+355672123410'], sms: ['+355672123411'] });
    expect(r.directory!.parties[1]).toMatchObject({ iso: 'NO', contacts: [{ phones: ['+4722000010'], languages: ['no'] }] });
    expect(r.warnings.filter((w) => /stored as a number/.test(w.message)).map((w) => [w.row, w.field])).toEqual([
      [3, 'phones'],
      [3, 'sms'],
      [4, 'phones'],
    ]);
  });

  it('reads links, rich text and two addresses on two lines of one cell', async () => {
    const file = await workbook('cells.xlsx', [
      HEADER,
      [
        'France',
        'fr',
        'Party',
        'FR-POL',
        { richText: [{ text: 'Office central ' }, { text: 'OCLCTIC', font: { bold: true } }] },
        'police',
        'poc@police.fr.example\nnight@police.fr.example',
        '+33 1 99 00 01 10',
        '',
        'Europe/Paris',
        'fr; en',
      ],
      ['Germany', 'DE', 'party', 'DE-POL', '', 'police', { text: 'poc@police.de.example', hyperlink: 'mailto:poc@police.de.example' }, '030 23125010', '', 'Europe/Berlin', 'de'],
    ]);
    const d = await readDirectory(file);
    expect(d.network).toBe('cells'); // no `# network:` row: named after the file
    expect(d.parties[0]).toMatchObject({ iso: 'FR', status: 'party', contacts: [{ unit: 'Office central OCLCTIC', emails: ['poc@police.fr.example', 'night@police.fr.example'], languages: ['fr', 'en'] }] });
    expect(d.parties[1]!.contacts[0]).toMatchObject({ emails: ['poc@police.de.example'], phones: ['+493023125010'] });
  });

  it('reads the sheet named by --sheet; says which sheet has the table when the first has not', async () => {
    const e = await failure(broken('second-sheet.xlsx'));
    expect(e.message).toBe(
      "fixtures/broken/second-sheet.xlsx: sheet Notes, row 1: not a directory header: missing columns country, iso, status, id, kind, timezone (expected country,iso,status,id,unit,kind,emails,phones,sms,timezone,languages; the workbook has sheets 'Notes', 'Directory'); sheet 'Directory' has the directory's columns: add --sheet 'Directory'",
    );
    expect(await readDirectory(broken('second-sheet.xlsx'), { sheet: 'Directory' })).toEqual(yaml);
    const typo = await failure(broken('second-sheet.xlsx'), { sheet: 'Directroy' });
    expect(typo.message).toBe("fixtures/broken/second-sheet.xlsx: no sheet named 'Directroy' (did you mean 'Directory'?); the workbook has sheets 'Notes', 'Directory'");
  });

  it('--sheet on a file that is not a workbook is bad usage', async () => {
    const e = await loadDirectory('fixtures/directory.csv', { sheet: 'Directory' }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
  });

  it('a file that is not a workbook, an empty sheet, a formula never calculated', async () => {
    expect((await failure(broken('not-a-workbook.xlsx'))).problems).toEqual([
      { file: 'fixtures/broken/not-a-workbook.xlsx', message: 'is not an Excel workbook (.xlsx): not a zip archive (a CSV file renamed?)' },
    ]);
    const ole = join(tmp, 'old.xlsx');
    await writeFile(ole, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]));
    expect((await failure(ole)).problems[0]!.message).toMatch(/Excel 97-2003 workbook or one protected by a password/);
    const cut = join(tmp, 'cut.xlsx');
    await writeFile(cut, Buffer.from('PK\x03\x04 not really a zip'));
    expect((await failure(cut)).problems[0]!.message).toMatch(/^cannot be read as an Excel workbook \(\.xlsx\): /);
    const empty = await workbook('empty.xlsx', []);
    expect((await failure(empty)).problems).toEqual([{ file: empty, sheet: 'Directory', message: 'the sheet is empty' }]);
    const formula = await workbook('formula.xlsx', [HEADER, ['France', 'FR', 'party', 'FR-POL', '', 'police', 'a@b.example', '', '', { formula: 'A1' }, '']]);
    const r = await loadDirectory(formula);
    expect(r.errors).toEqual([{ file: formula, sheet: 'Directory', row: 2, field: 'timezone', message: 'a formula whose result was never saved: open the workbook in Excel and save it' }]);
  });
});

describe('CSV as Excel saves it', () => {
  it('French Excel: semicolons, Windows-1252, CRLF, padded comment lines: the same directory', async () => {
    const r = await loadDirectory('fixtures/directory-excel-fr.csv');
    expect(r.errors).toEqual([]);
    // Côte d'Ivoire and Türkiye only match their ISO codes when the bytes were decoded right.
    expect(r.directory).toEqual(yaml);
    expect(r.warnings[0]).toEqual({
      file: 'fixtures/directory-excel-fr.csv',
      message: 'not UTF-8: read as Windows-1252 (Excel\'s "CSV" in Western Europe); check accented names, or save as "CSV UTF-8"',
    });
  });

  it('Windows-1252 is decoded as Windows-1252, not Latin-1 (’ and € are 0x92 and 0x80)', async () => {
    const file = join(tmp, 'cp1252.csv');
    const text = `${HEADER.join(';')}\r\nFrance;FR;party;FR-POL;Office central de l’information (€);police;poc@police.fr.example;;;Europe/Paris;fr\r\n`;
    const high = new Map([...'€‚ƒ„…†‡ˆ‰Š‹Œ'].map((ch, i) => [ch, [0x80, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c][i]!]));
    high.set('’', 0x92);
    await writeFile(file, Buffer.from([...text].map((ch) => high.get(ch) ?? ch.charCodeAt(0))));
    const d = await readDirectory(file);
    expect(d.parties[0]!.contacts[0]!.unit).toBe('Office central de l’information (€)');
  });

  it('"CSV UTF-8": a byte-order mark, commas: the same directory, no encoding warning', async () => {
    const r = await loadDirectory('fixtures/directory-excel-utf8.csv');
    expect(r.directory).toEqual(yaml);
    expect(r.warnings.map((w) => w.message)).not.toContainEqual(expect.stringContaining('UTF-8'));
  });

  it('reads comment lines Excel quoted because they hold the delimiter', async () => {
    for (const [d, name] of [[';', 'quoted-semicolon.csv'], [',', 'quoted-comma.csv']] as const) {
      const file = join(tmp, name);
      const row = ['France', 'FR', 'party', 'FR-POL', '', 'police', 'poc@police.fr.example', '', '', 'Europe/Paris', 'fr'];
      await writeFile(file, [`"# network: Réseau${d} 24/7"${d.repeat(10)}`, `# updated: 2024-01-15${d.repeat(10)}`, HEADER.join(d), row.join(d)].join('\r\n'));
      const d2 = await readDirectory(file);
      expect([d2.network, d2.updated]).toEqual([`Réseau${d} 24/7`, '2024-01-15']);
    }
  });

  it('a tab between cells, and a header written as people write it', async () => {
    const file = join(tmp, 'tabs.tsv');
    await writeFile(
      file,
      'Country\tISO\tStatus\tID\tUnit\tKind\tE-mails\tPhones\tSMS\tTime zone\tLanguages\nFrance\tFR\tparty\tFR-POL\tOCLCTIC, Nanterre\tpolice\tpoc@police.fr.example;night@police.fr.example\t+33 1 99 00 01 10\t\tEurope/Paris\tfr\n',
    );
    const d = await readDirectory(file);
    expect(d.parties[0]!.contacts[0]).toMatchObject({ unit: 'OCLCTIC, Nanterre', emails: ['poc@police.fr.example', 'night@police.fr.example'], timezone: 'Europe/Paris' });
  });

  it('locates bad cells of a French Excel file, and says what a spreadsheet did to a number', async () => {
    const r = await loadDirectory(broken('excel-fr-bad-cells.csv'));
    expect(r.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [4, 'phones', "'3,55672E+11' is a number a spreadsheet wrote in scientific notation: its last digits are lost; format the column as Text and type the number again"],
      [5, 'emails', "'poc@@police.tr.example' is not an e-mail address"],
      [7, 'iso', "BE is Belgium, not 'Belgique'"],
      [7, 'timezone', "unknown time zone 'Europe/Bruxelles' (an IANA name such as Europe/Paris)"],
    ]);
    expect(r.counts).toEqual({ parties: 5, observers: 0, contacts: 5 });
    // Row 6, 355672123410: digits that lost their + as text still start with Albania's code.
    expect([...r.errors, ...r.warnings].filter((p) => p.row === 6)).toEqual([]);
  });

  it('says how the file was read when its header is not a directory header', async () => {
    const e = await failure(broken('excel-fr-header.csv'));
    expect(e.problems).toEqual([
      {
        file: 'fixtures/broken/excel-fr-header.csv',
        row: 1,
        message:
          "not a directory header: missing columns country, iso, status, id, kind, timezone (expected country,iso,status,id,unit,kind,emails,phones,sms,timezone,languages; read as Windows-1252, cells separated by ';')",
      },
    ]);
    expect(e.exitCode).toBe(2);
  });
});
