// `rollcall directory validate|show`, spawned as users run them (needs the build in dist/:
// `npm test` builds first), plus the commands' output run in-process for the colour switch.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Output } from '../../src/cli/output.js';

function rollcall(...args: string[]) {
  if (!existsSync('dist/cli/main.js')) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` (npm test does) first');
  const r = spawnSync(process.execPath, ['bin/rollcall.js', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const empty = mkdtempSync(join(tmpdir(), 'rollcall-cli-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

/** With environment variables of its own, in an empty folder (no rollcall.config.yaml). */
function spawn(args: string[], env: Record<string, string>) {
  const r = spawnSync(process.execPath, [resolve('bin/rollcall.js'), ...args.map((a) => (a.startsWith('fixtures/') ? resolve(a) : a))], {
    encoding: 'utf8',
    cwd: empty,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr.replaceAll(resolve('fixtures'), 'fixtures') };
}

const ESC = '\u001b[';

describe('rollcall directory validate', () => {
  it('exits 0 on the 2023 fixture, with its warnings and a summary', () => {
    const r = rollcall('directory', 'validate', 'fixtures/directory.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toContain('5 warnings:\nfixtures/directory.yaml:115: parties[7].contacts[1].phones: BE-PROS has no phone number');
    expect(r.out.trim().split('\n').at(-1)).toBe('fixtures/directory.yaml: valid, 5 warnings (68 parties, 12 observers, 96 contact points)');
    expect(r.out).not.toContain('error');
    expect(r.out).not.toContain(ESC);
    expect(r.err).toBe('');
  });

  it('exits 1 and lists errors before warnings when it finds errors', () => {
    const r = rollcall('directory', 'validate', 'fixtures/broken/duplicate-id.yaml');
    expect(r.code).toBe(1);
    const errorsAt = r.out.indexOf('1 error:\n');
    const warningsAt = r.out.indexOf('1 warning:\n');
    expect(errorsAt).toBe(0);
    expect(warningsAt).toBeGreaterThan(errorsAt);
    expect(r.out).toContain("fixtures/broken/duplicate-id.yaml:22: parties[1].contacts[1].id: duplicate contact id 'AL-POL' (also at line 8)\n");
    expect(r.out).toContain('fixtures/broken/duplicate-id.yaml: 1 error, 1 warning (2 parties, 0 observers, 3 contact points)');
  });

  it('exits 1 on a short CSV row', () => {
    const r = rollcall('directory', 'validate', 'fixtures/broken/short-row.csv');
    expect(r.code).toBe(1);
    expect(r.out).toContain('fixtures/broken/short-row.csv:row 3: short row: 9 cells, the header has 11');
  });

  it('exits 2 on malformed YAML and on a missing file, saying why without a stack', () => {
    const bad = rollcall('directory', 'validate', 'fixtures/broken/malformed.yaml');
    expect(bad.code).toBe(2);
    expect(bad.err).toBe(
      'rollcall: fixtures/broken/malformed.yaml:10: cannot be parsed: Flow sequence in block collection must be sufficiently indented and end with a ]\n',
    );
    const missing = rollcall('directory', 'validate', 'fixtures/nowhere.yaml');
    expect(missing.code).toBe(2);
    expect(missing.err).toBe('rollcall: fixtures/nowhere.yaml: cannot be read: no such file\n');
    expect(missing.err).not.toMatch(/\n\s+at /);
  });

  it('--json prints the verdict, every problem and the counts', () => {
    const r = rollcall('directory', 'validate', 'fixtures/broken/many-problems.yaml', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ file: 'fixtures/broken/many-problems.yaml', valid: false, parties: 1, observers: 1, contacts: 2 });
    expect(j.errors).toHaveLength(6);
    expect(j.errors[0]).toEqual({ file: 'fixtures/broken/many-problems.yaml', line: 5, field: 'updated', message: "'2023-13-01' is not a date (YYYY-MM-DD)" });
    expect(j.warnings).toHaveLength(2);

    const ok = rollcall('directory', 'validate', 'fixtures/directory.csv', '--json');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out)).toMatchObject({ valid: true, errors: [], parties: 68, observers: 12, contacts: 96 });

    const unparsable = rollcall('directory', 'validate', 'fixtures/broken/unclosed-quote.csv', '--json');
    expect(unparsable.code).toBe(2);
    expect(JSON.parse(unparsable.out)).toMatchObject({ valid: false, errors: [{ row: 2 }] });
  });
});

describe('spreadsheets from the command line', () => {
  it('validate: an .xlsx with every problem located by sheet, row and column, exit 1', () => {
    const r = rollcall('directory', 'validate', 'fixtures/broken/bad-cells.xlsx');
    expect(r.code).toBe(1);
    expect(r.out.startsWith('5 errors:\n')).toBe(true);
    expect(r.out).toContain("fixtures/broken/bad-cells.xlsx: sheet Directory, row 14, column E-mails: 'not-an-address' is not an e-mail address\n");
    expect(r.out.trim().split('\n').at(-1)).toBe('fixtures/broken/bad-cells.xlsx: 5 errors, 9 warnings (10 parties, 0 observers, 10 contact points)');
    const json = JSON.parse(rollcall('directory', 'validate', 'fixtures/broken/bad-cells.xlsx', '--json').out);
    expect(json.errors.at(-1)).toEqual({ file: 'fixtures/broken/bad-cells.xlsx', sheet: 'Directory', row: 14, field: 'E-mails', message: "'not-an-address' is not an e-mail address" });
  });

  it('validate and show: --sheet picks the sheet; without it the error names the sheet that has the table', () => {
    const first = rollcall('directory', 'validate', 'fixtures/broken/second-sheet.xlsx');
    expect(first.code).toBe(2);
    expect(first.err).toMatch(/^rollcall: fixtures\/broken\/second-sheet\.xlsx: sheet Notes, row 1: not a directory header: .*add --sheet 'Directory'\n$/);
    expect(rollcall('directory', 'validate', 'fixtures/broken/second-sheet.xlsx', '--sheet', 'Directory').code).toBe(0);
    const shown = rollcall('directory', 'show', 'fixtures/broken/second-sheet.xlsx', '--sheet', 'Directory', '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out).counts).toMatchObject({ parties: 68, observers: 12, contacts: 96 });
  });

  it('validate: a French Excel CSV reads; one with French column names says how it was read', () => {
    const ok = rollcall('directory', 'validate', 'fixtures/directory-excel-fr.csv');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('fixtures/directory-excel-fr.csv: not UTF-8: read as Windows-1252');
    const header = rollcall('directory', 'validate', 'fixtures/broken/excel-fr-header.csv');
    expect(header.code).toBe(2);
    expect(header.err).toContain("(expected country,iso,status,id,unit,kind,emails,phones,sms,timezone,languages; read as Windows-1252, cells separated by ';')");
  });

  it('run and check take --sheet: the directory is read before anything else', () => {
    const env = { ROLLCALL_SMTP_URL: '', ROLLCALL_IMAP_URL: '' };
    const wrong = spawn(['run', '--directory', 'fixtures/broken/second-sheet.xlsx', '--yes'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("add --sheet 'Directory'");
    // With the right sheet the directory loads, and the run stops at the next thing missing: settings.
    const right = spawn(['run', '--directory', 'fixtures/broken/second-sheet.xlsx', '--sheet', 'Directory', '--yes'], env);
    expect(right.code).toBe(2);
    expect(right.err).toMatch(/^rollcall: missing setting ROLLCALL_SMTP_URL/);
    const check = spawn(['check', '--directory', 'fixtures/broken/second-sheet.xlsx', '--sheet', 'Direktory'], env);
    expect(check.code).toBe(2);
    expect(check.err).toContain("no sheet named 'Direktory' (did you mean 'Directory'?)");
  });
});

describe('rollcall directory show', () => {
  it('--json lists 68 parties and 12 observers, normalised', () => {
    const r = rollcall('directory', 'show', 'fixtures/directory.csv', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.network).toBe('24/7 Network (Budapest Convention)');
    expect(j.updated).toBe('2023-12-01');
    expect(j.parties).toHaveLength(68);
    expect(j.observers).toHaveLength(12);
    expect(j.counts).toEqual({ parties: 68, observers: 12, contacts: 96, byKind: { police: 80, prosecution: 14, other: 2 } });
    expect(j.parties[0].contacts[0]).toMatchObject({ id: 'AL-POL', phones: ['+355672123410'] });
    expect(r.err).toBe('');
  });

  it('prints a table of contact points and the counts by status and kind', () => {
    const r = rollcall('directory', 'show', 'fixtures/directory.yaml');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/│ Albania\s+│ AL\s+│ party\s+│ AL-POL\s+│ police\s+│ poc@police\.al\.example\s+│ \+355 67 212 3410\s+│ \+355 67 212 3411\s+│ Europe\/Tirane/);
    expect(r.out).toMatch(/│ Kosovo\s+│ XK\s+│ observer/);
    expect(r.out).toMatch(/│ parties\s+│ 68\s+│ 14\s+│ 2\s+│ 84\s+│ 68\s+│/);
    expect(r.out).toMatch(/│ observers\s+│ 12\s+│ 0\s+│ 0\s+│ 12\s+│ 12\s+│/);
    expect(r.out).not.toContain(ESC);
    expect(r.err).toContain('5 warnings:');
  });

  it('an invalid directory: its errors, exit 2', () => {
    const r = rollcall('directory', 'show', 'fixtures/broken/bad-email.yaml');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe("rollcall: fixtures/broken/bad-email.yaml:12: parties[0].contacts[0].emails[0]: 'poc@@police.al.example' is not an e-mail address\n");
  });
});

describe('colours', () => {
  function output(color: boolean): { o: Output; text: () => string } {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d) => (text += String(d)));
    return { o: { out, err: new PassThrough(), color, interactive: false, json: false, env: {}, cwd: process.cwd() }, text: () => text };
  }

  it('only when the output says so', async () => {
    const { run } = await import('../../src/cli/directory-validate.js');
    const plain = output(false);
    expect(await run(['fixtures/broken/bad-email.yaml'], {}, plain.o)).toBe(1);
    expect(plain.text()).not.toContain(ESC);
    const coloured = output(true);
    expect(await run(['fixtures/broken/bad-email.yaml'], {}, coloured.o)).toBe(1);
    expect(coloured.text()).toContain(ESC);
    expect(stripVTControlCharacters(coloured.text())).toBe(plain.text());
  });
});
