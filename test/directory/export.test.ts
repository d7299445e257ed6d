// `rollcall directory export`: the normalised directory written back as XLSX, CSV, YAML or JSON;
// each reads back as the same directory.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryToCsv, directoryToJson, directoryToXlsx, directoryToYaml } from '../../src/directory/export.js';
import { loadDirectory, readDirectory } from '../../src/directory/load.js';
import type { Directory } from '../../src/core/directory.js';
import { rollcall } from '../support/cli.js';

let tmp: string;
let yaml: Directory;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rollcall-export-'));
  yaml = await readDirectory('fixtures/directory.yaml');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function reread(name: string, content: string | Buffer): Promise<Directory> {
  const file = join(tmp, name);
  await writeFile(file, content);
  const r = await loadDirectory(file);
  expect(r.errors).toEqual([]);
  return r.directory!;
}

describe('export, then read back', () => {
  it('gives the same directory in every format', async () => {
    expect(await reread('d.yaml', directoryToYaml(yaml))).toEqual(yaml);
    // Contact points share their lists (one empty list, each set of languages once): the YAML
    // writes each out, never as an &anchor and *alias.
    expect(directoryToYaml(yaml)).not.toMatch(/[&*]a\d/);
    expect(directoryToYaml(yaml)).toContain('languages: [de, en]');
    expect(await reread('d.json', directoryToJson(yaml))).toEqual(yaml);
    expect(await reread('d.csv', directoryToCsv(yaml))).toEqual(yaml);
    expect(await reread('d-semicolon.csv', directoryToCsv(yaml, ';'))).toEqual(yaml);
    expect(await reread('d-tab.tsv', directoryToCsv(yaml, '\t'))).toEqual(yaml);
    expect(await reread('d.xlsx', await directoryToXlsx(yaml))).toEqual(yaml);
  });

  it('writes numbers readably, lists in one cell, and YAML that YAML 1.1 readers do not misread', async () => {
    const norway: Directory = {
      network: 'N',
      parties: [
        {
          country: 'Norway',
          iso: 'NO',
          status: 'party',
          contacts: [{ id: 'NO-POL', unit: 'Kripos; 24/7 desk', kind: 'police', emails: ['a@kripos.no.example', 'b@kripos.no.example'], phones: ['+4722000010'], sms: [], timezone: 'Europe/Oslo', languages: ['no', 'en'] }],
        },
      ],
    };
    const y = directoryToYaml(norway);
    expect(y).toContain('iso: "NO"');
    expect(y).toContain('phones: [ "+47 22 00 00 10" ]'.replace(/\[ | \]/g, (m) => m.trim()));
    expect(y).not.toContain('updated');
    const csv = directoryToCsv(norway, ';');
    expect(csv.split('\r\n')).toEqual([
      '# network: N',
      'country;iso;status;id;unit;kind;emails;phones;sms;timezone;languages',
      'Norway;NO;party;NO-POL;"Kripos; 24/7 desk";police;"a@kripos.no.example; b@kripos.no.example";+47 22 00 00 10;;Europe/Oslo;"no; en"',
      '',
    ]);
    expect(await reread('norway.csv', csv)).toEqual(norway);
    expect(await reread('norway.yaml', y)).toEqual(norway);
  });

  it('makes a workbook the office can keep editing: Text phone columns, lists for status and kind', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await directoryToXlsx(yaml)) as unknown as ArrayBuffer);
    const sheet = wb.worksheets[0]!;
    expect(sheet.name).toBe('Directory');
    expect(sheet.getCell('A1').value).toBe('# network: 24/7 Network (Budapest Convention)');
    expect(sheet.getCell('A2').value).toBe('# updated: 2023-12-01');
    expect(sheet.getRow(3).values).toEqual([undefined, 'country', 'iso', 'status', 'id', 'unit', 'kind', 'emails', 'phones', 'sms', 'timezone', 'languages']);
    expect(sheet.getCell('H4').value).toBe('+355 67 212 3410');
    expect(sheet.getColumn(8).numFmt).toBe('@');
    // Rows the office adds below the table get the lists too.
    for (const address of ['C4', 'C200']) expect(sheet.getCell(address).dataValidation).toMatchObject({ type: 'list', formulae: ['"party,observer"'] });
    expect(sheet.getCell('F4').dataValidation).toMatchObject({ type: 'list', formulae: ['"police,prosecution,other"'] });
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 3 });
  });
});

describe('rollcall directory export', () => {
  it('xlsx → validate → export yaml: the same directory as the fixture', async () => {
    const xlsx = join(tmp, 'cli.xlsx');
    const w = rollcall(['directory', 'export', 'fixtures/directory.yaml', '--out', xlsx]);
    expect(w.status).toBe(0);
    expect(w.stdout).toBe(`${xlsx}: xlsx, 68 parties, 12 observers, 96 contact points\n`);
    expect(w.stderr).toContain('rollcall: warning: fixtures/directory.yaml:115: parties[7].contacts[1].phones: BE-PROS has no phone number');
    const v = rollcall(['directory', 'validate', xlsx]);
    expect(v.status).toBe(0);
    expect(v.stdout.trim().split('\n').at(-1)).toBe(`${xlsx}: valid, 5 warnings (68 parties, 12 observers, 96 contact points)`);
    const y = rollcall(['directory', 'export', xlsx, '--format', 'yaml']);
    expect(y.status).toBe(0);
    expect(await reread('from-xlsx.yaml', y.stdout)).toEqual(yaml);
  });

  it('CSV for Excel: a byte-order mark in a file, the delimiter asked for; none on stdout', async () => {
    const out = join(tmp, 'cli.csv');
    expect(rollcall(['directory', 'export', 'fixtures/directory-excel-fr.csv', '--out', out, '--delimiter', ';']).status).toBe(0);
    const bytes = await readFile(out);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8')).toContain('\r\ncountry;iso;status;id;unit;kind;emails;phones;sms;timezone;languages\r\n');
    expect(bytes.toString('utf8')).toContain("Côte d'Ivoire;CI;");
    expect(await readDirectory(out)).toEqual(yaml);
    const stdout = rollcall(['directory', 'export', 'fixtures/directory.yaml', '--format', 'csv']);
    expect(stdout.stdout.startsWith('# network: 24/7 Network (Budapest Convention)\r\n')).toBe(true);
  });

  it('takes the format from --out, the sheet from --sheet', async () => {
    const out = join(tmp, 'second.json');
    const r = rollcall(['directory', 'export', 'fixtures/broken/second-sheet.xlsx', '--sheet', 'Directory', '--out', out]);
    expect(r.status).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toEqual(yaml);
  });

  it('refuses, exit 2: no format, xlsx to stdout, an existing file without --force, a directory with errors', async () => {
    const noFormat = rollcall(['directory', 'export', 'fixtures/directory.yaml']);
    expect([noFormat.status, noFormat.stderr]).toEqual([2, 'rollcall: --format: say which (xlsx, csv, yaml, json), or give --out a file name ending in one\n']);
    const toStdout = rollcall(['directory', 'export', 'fixtures/directory.yaml', '--format', 'xlsx']);
    expect([toStdout.status, toStdout.stderr]).toEqual([2, 'rollcall: --format xlsx writes a workbook: give the file with --out (e.g. --out directory.xlsx)\n']);
    const existing = join(tmp, 'existing.yaml');
    await writeFile(existing, 'keep me\n');
    const kept = rollcall(['directory', 'export', 'fixtures/directory.csv', '--out', existing]);
    expect([kept.status, kept.stderr]).toEqual([2, `rollcall: --out: ${existing} exists; add --force to replace it\n`]);
    expect(await readFile(existing, 'utf8')).toBe('keep me\n');
    expect(rollcall(['directory', 'export', 'fixtures/directory.csv', '--out', existing, '--force']).status).toBe(0);
    expect(await readDirectory(existing)).toEqual(yaml);
    const bad = rollcall(['directory', 'export', 'fixtures/broken/bad-cells.xlsx', '--format', 'yaml']);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain("rollcall: fixtures/broken/bad-cells.xlsx: sheet Directory, row 7, column Phones: 612345678 is stored as a number");
    expect(bad.stderr).toContain("fixtures/broken/bad-cells.xlsx: sheet Directory, row 14, column E-mails: 'not-an-address' is not an e-mail address");
    const delimiter = rollcall(['directory', 'export', 'fixtures/directory.yaml', '--format', 'csv', '--delimiter', '|']);
    expect([delimiter.status, delimiter.stderr]).toEqual([2, 'rollcall: --delimiter: "|" is not one of , ; tab\n']);
  });
});
