// The directory loaders and checks: the 2023 fixtures, and one broken directory per rule, each
// expected to give its own located message.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError, type InputProblem } from '../../src/core/errors.js';
import { loadDirectory, readDirectory } from '../../src/directory/load.js';
import { PIECE_BYTES } from '../../src/directory/read-csv.js';

const broken = (name: string) => `fixtures/broken/${name}`;

/** Loads a file expected to have errors, and returns them. */
async function errorsOf(file: string): Promise<InputProblem[]> {
  const r = await loadDirectory(file);
  expect(r.directory).toBeUndefined();
  return r.errors;
}

/** The InputError a file that cannot be parsed throws. */
async function parseFailure(file: string, opts = {}): Promise<InputError> {
  const e = await loadDirectory(file, opts).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rollcall-directory-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('the 2023 fixtures', () => {
  it('load from YAML: 68 parties and 12 observers, no errors', async () => {
    const r = await loadDirectory('fixtures/directory.yaml');
    expect(r.errors).toEqual([]);
    const d = r.directory!;
    expect(d.network).toBe('24/7 Network (Budapest Convention)');
    expect(d.updated).toBe('2023-12-01');
    expect(d.parties.filter((p) => p.status === 'party')).toHaveLength(68);
    expect(d.parties.filter((p) => p.status === 'observer')).toHaveLength(12);
    expect(r.counts).toEqual({ parties: 68, observers: 12, contacts: 96 });
    const names = d.parties.map((p) => p.country);
    for (const n of ['Türkiye', 'Czech Republic', 'United States of America', 'Israel', 'Liechtenstein', "Côte d'Ivoire", 'Kosovo', 'Republic of Korea']) {
      expect(names).toContain(n);
    }
    const both = d.parties.filter((p) => p.contacts.some((c) => c.kind === 'police') && p.contacts.some((c) => c.kind === 'prosecution'));
    expect(both.length).toBeGreaterThanOrEqual(10);
    expect(d.parties.flatMap((p) => p.contacts).filter((c) => c.sms.length > 0)).toHaveLength(15);
    // Fictional contact points only: reserved domains, numbers normalised to E.164.
    for (const c of d.parties.flatMap((p) => p.contacts)) {
      for (const e of c.emails) expect(e).toMatch(/\.(example|test)$/);
      for (const n of [...c.phones, ...c.sms]) expect(n).toMatch(/^\+[1-9]\d{6,14}$/);
    }
  });

  it('warn only about the five contact points without a phone', async () => {
    const { warnings } = await loadDirectory('fixtures/directory.yaml');
    expect(warnings.map((w) => w.message)).toEqual([
      'BE-PROS has no phone number: reachable by e-mail only',
      'IT-PROS has no phone number: reachable by e-mail only',
      'RO-PROS has no phone number: reachable by e-mail only',
      'CM-POL has no phone number: reachable by e-mail only',
      'TN-POL has no phone number: reachable by e-mail only',
    ]);
    expect(warnings[0]).toMatchObject({ file: 'fixtures/directory.yaml', line: 115, field: 'parties[7].contacts[1].phones' });
  });

  it('normalise national numbers and keep zone names the engine knows only as links', async () => {
    const d = await readDirectory('fixtures/directory.yaml');
    const contact = (id: string) => d.parties.flatMap((p) => p.contacts).find((c) => c.id === id)!;
    expect(contact('GB-POL').phones).toEqual(['+442079460010']); // written "020 7946 0010"
    expect(contact('FR-POL').phones).toEqual(['+33199000110']); // written "01 99 00 01 10"
    expect(contact('US-POL').sms).toEqual(['+12025550111']);
    expect(contact('UA-POL').timezone).toBe('Europe/Kyiv');
    expect(d.parties.find((p) => p.country === 'Kosovo')?.iso).toBe('XK');
  });

  it('YAML, CSV and JSON give the same directory', async () => {
    const yaml = await readDirectory('fixtures/directory.yaml');
    const csv = await readDirectory('fixtures/directory.csv');
    expect(csv).toEqual(yaml);
    const json = join(tmp, 'directory.json');
    await writeFile(json, JSON.stringify(yaml, null, 2));
    expect(await readDirectory(json)).toEqual(yaml);
  });

  it('reads a relative path from the given folder and names it as given', async () => {
    const r = await loadDirectory('directory.yaml', { cwd: 'fixtures' });
    expect(r.directory?.parties).toHaveLength(80);
    const e = await parseFailure('nowhere.yaml', { cwd: 'fixtures' });
    expect(e.problems).toEqual([{ file: 'nowhere.yaml', message: 'cannot be read: no such file' }]);
  });
});

describe('broken directories: each problem located', () => {
  it('a bad e-mail address', async () => {
    expect(await errorsOf(broken('bad-email.yaml'))).toEqual([
      {
        file: 'fixtures/broken/bad-email.yaml',
        line: 12,
        field: 'parties[0].contacts[0].emails[0]',
        message: "'poc@@police.al.example' is not an e-mail address",
      },
    ]);
  });

  it('a phone number not valid for its country', async () => {
    expect(await errorsOf(broken('bad-phone.yaml'))).toEqual([
      {
        file: 'fixtures/broken/bad-phone.yaml',
        line: 13,
        field: 'parties[0].contacts[0].phones[0]',
        message: "'+355 67 212' is not a valid phone number for Albania: too short",
      },
    ]);
  });

  it('a bad phone number in JSON, with its line', async () => {
    expect(await errorsOf(broken('bad-phone.json'))).toEqual([
      expect.objectContaining({ line: 13, field: 'parties[0].contacts[0].phones[0]', message: expect.stringContaining("'+355 1' is not a valid phone number") }),
    ]);
  });

  it('an unknown time zone, with the nearest real one', async () => {
    expect(await errorsOf(broken('unknown-timezone.yaml'))).toEqual([
      {
        file: 'fixtures/broken/unknown-timezone.yaml',
        line: 14,
        field: 'parties[0].contacts[0].timezone',
        message: "unknown time zone 'Europe/Tirana' (an IANA name such as Europe/Paris; did you mean Europe/Tirane?)",
      },
    ]);
  });

  it('an unknown status', async () => {
    expect(await errorsOf(broken('unknown-status.yaml'))).toEqual([
      {
        file: 'fixtures/broken/unknown-status.yaml',
        line: 7,
        field: 'parties[0].status',
        message: "unknown status 'member' (expected party, observer)",
      },
    ]);
  });

  it('an unknown kind', async () => {
    expect(await errorsOf(broken('unknown-kind.yaml'))).toEqual([
      {
        file: 'fixtures/broken/unknown-kind.yaml',
        line: 11,
        field: 'parties[0].contacts[0].kind',
        message: "unknown kind 'military' (expected police, prosecution, other)",
      },
    ]);
  });

  it('a duplicate contact id, pointing at the first one', async () => {
    expect(await errorsOf(broken('duplicate-id.yaml'))).toEqual([
      {
        file: 'fixtures/broken/duplicate-id.yaml',
        line: 22,
        field: 'parties[1].contacts[1].id',
        message: "duplicate contact id 'AL-POL' (also at line 8)",
      },
    ]);
  });

  it('an ISO code that is not the country', async () => {
    const r = await loadDirectory(broken('iso-mismatch.yaml'));
    expect(r.errors).toEqual([
      { file: 'fixtures/broken/iso-mismatch.yaml', line: 6, field: 'parties[0].iso', message: "AD is Andorra, not 'Albania'; Albania is AL" },
    ]);
    expect(r.warnings.map((w) => w.message)).toEqual(["'+355 67 212 3410' is a number of Albania (+355), not of Andorra (AD)"]);
  });

  it('a party with no contact point that can be reached', async () => {
    expect(await errorsOf(broken('unreachable.yaml'))).toEqual([
      {
        file: 'fixtures/broken/unreachable.yaml',
        line: 14,
        field: 'parties[1]',
        message: 'Andorra (AD) has no contact point that can be reached: no valid e-mail, phone or SMS number',
      },
    ]);
  });

  it('several problems in one file, all reported at once in file order', async () => {
    const r = await loadDirectory(broken('many-problems.yaml'));
    expect(r.errors.map((e) => [e.line, e.field])).toEqual([
      [5, 'updated'],
      [13, 'parties[0].contacts[0].kind'],
      [14, 'parties[0].contacts[0].emails[1]'],
      [15, 'parties[0].contacts[0].phones[0]'],
      [16, 'parties[0].contacts[0].timezone'],
      [19, 'parties[1].iso'],
    ]);
    expect(r.errors[5]!.message).toBe("'QQ' is not an ISO 3166-1 alpha-2 code; Andorra is AD");
    expect(r.warnings).toContainEqual(
      expect.objectContaining({ line: 25, field: 'parties[1].contacts[0].phone', message: "unknown field, ignored (did you mean 'phones'?)" }),
    );
    expect(r.counts).toEqual({ parties: 1, observers: 1, contacts: 2 });
  });

  it('readDirectory throws one InputError listing every error', async () => {
    const e = await readDirectory(broken('many-problems.yaml')).then(
      () => undefined,
      (err: unknown) => err as InputError,
    );
    expect(e).toBeInstanceOf(InputError);
    expect(e!.problems).toHaveLength(6);
    expect(e!.exitCode).toBe(2);
    expect(e!.message.split('\n')[0]).toBe("fixtures/broken/many-problems.yaml:5: updated: '2023-13-01' is not a date (YYYY-MM-DD)");
  });

  it('malformed YAML cannot be parsed: an InputError with the line', async () => {
    const e = await parseFailure(broken('malformed.yaml'));
    expect(e.problems).toEqual([
      {
        file: 'fixtures/broken/malformed.yaml',
        line: 10,
        message: 'cannot be parsed: Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
  });
});

describe('JSON directories', () => {
  it('locate problems deep in a large file', async () => {
    const d = await readDirectory('fixtures/directory.yaml');
    const text = JSON.stringify(d, null, 2).replace('"Europe/Kyiv"', '"Europe/Kyyiv"').replace('"poc@police.xk.example"', '"poc at police.xk.example"');
    const file = join(tmp, 'deep.json');
    await writeFile(file, text);
    const lineOf = (s: string) => text.split('\n').findIndex((l) => l.includes(s)) + 1;
    const r = await loadDirectory(file);
    expect(r.errors.map((e) => [e.line, e.field])).toEqual([
      [lineOf('"Europe/Kyyiv"'), `parties[${d.parties.findIndex((p) => p.iso === 'UA')}].contacts[0].timezone`],
      [lineOf('"poc at police.xk.example"'), `parties[${d.parties.findIndex((p) => p.iso === 'XK')}].contacts[0].emails[0]`],
    ]);
    expect(r.errors[0]!.line).toBeGreaterThan(1000);
  });

  it('are held to JSON: a trailing comma YAML would forgive cannot be parsed', async () => {
    const e = await parseFailure(broken('trailing-comma.json'));
    expect(e.problems).toEqual([
      { file: 'fixtures/broken/trailing-comma.json', line: 9, message: 'cannot be parsed as JSON: Expected double-quoted property name' },
    ]);
  });
});

describe('CSV directories', () => {
  it('a short row is reported with its row number and skipped; the other rows load', async () => {
    const r = await loadDirectory(broken('short-row.csv'));
    expect(r.errors).toEqual([
      {
        file: 'fixtures/broken/short-row.csv',
        row: 3,
        message: "short row: 9 cells, the header has 11 (a missing ',' or a cut line?); row skipped",
      },
    ]);
    expect(r.counts).toEqual({ parties: 2, observers: 0, contacts: 2 });
  });

  it('each bad cell gets its row and column', async () => {
    const r = await loadDirectory(broken('bad-cells.csv'));
    expect(r.errors.map((e) => [e.row, e.field, e.message])).toEqual([
      [3, 'emails', "'not-an-address' is not an e-mail address"],
      [4, 'status', "'observer' differs from row 3 ('party') for the same party"],
      [4, 'sms', "'+355 67 212' is not a valid phone number for Albania: too short"],
      [5, 'timezone', "unknown time zone 'Mars/Olympus' (an IANA name such as Europe/Paris)"],
    ]);
  });

  it('rows are lines of the file, counting comment lines and quoted line breaks', async () => {
    const file = join(tmp, 'rows.csv');
    await writeFile(
      file,
      [
        '# network: Rows',
        'country,iso,status,id,unit,kind,emails,phones,sms,timezone,languages',
        'Albania,AL,party,AL-POL,"State Police',
        'Cybercrime Unit",police,poc@police.al.example,,,Europe/Tirane,sq',
        '',
        'Andorra,AD,party,AD-POL,Police,police,poc@police.ad.example,,,Europe/Andora,ca',
      ].join('\r\n'),
    );
    const r = await loadDirectory(file);
    expect(r.errors).toEqual([expect.objectContaining({ row: 6, field: 'timezone' })]);
    expect(r.warnings.map((w) => w.row)).toEqual([3, 6]); // no phone
  });

  it('a large file is read in pieces: a CRLF or a character cut between two pieces changes nothing', async () => {
    // Windows-1252 (one byte a character) with CRLF, 3,000 rows: several pieces, and the leading
    // comment padded so that a CR ends the first piece exactly, its LF opening the second.
    const rows = Array.from({ length: 3000 }, (_, i) => {
      const iso = i % 2 ? 'CI' : 'FR';
      const country = i % 2 ? "Côte d'Ivoire" : 'France';
      const zone = i % 2 ? 'Africa/Abidjan' : 'Europe/Paris';
      const unit = i % 7 === 0 ? `"Unité ${i}\r\nCybercriminalité"` : `Unité ${i}`;
      return `${country};${iso};party;${iso}-${i};${unit};police;poc${i}@unit.${iso.toLowerCase()}.example;;;${i === 2999 ? 'Mars/Olympus' : zone};fr`;
    });
    const lines = (pad: string) => [`# network: Pièces${pad}`, 'country;iso;status;id;unit;kind;emails;phones;sms;timezone;languages', ...rows];
    const text = lines('').join('\r\n');
    const cr = text.indexOf('\r\n', PIECE_BYTES - 200);
    const padded = lines(' '.repeat(PIECE_BYTES - 1 - cr)).join('\r\n');
    expect(padded.slice(PIECE_BYTES - 1, PIECE_BYTES + 1)).toBe('\r\n');
    const cp1252 = Buffer.from(padded, 'latin1');
    const utf8 = Buffer.from(padded.replace(/\r\n/g, '\n'), 'utf8');
    expect(cp1252.length).toBeGreaterThan(4 * PIECE_BYTES);
    const [a, b] = [join(tmp, 'pieces-1252.csv'), join(tmp, 'pieces-utf8.csv')];
    await writeFile(a, cp1252);
    await writeFile(b, utf8);
    const [ra, rb] = [await loadDirectory(a), await loadDirectory(b)];
    // The last row, 3,002nd of the file plus the quoted line breaks before it (one in seven rows).
    const last = 2 + 3000 + Math.ceil(2999 / 7);
    for (const r of [ra, rb]) expect(r.errors).toEqual([expect.objectContaining({ row: last, field: 'timezone' })]);
    expect(ra.warnings[0]!.message).toContain('not UTF-8: read as Windows-1252');
    expect(rb.warnings.some((w) => w.message.includes('not UTF-8'))).toBe(false);
    // The same data either way, cells with their accents and their one line break.
    expect(ra.warnings.slice(1)).toEqual(rb.warnings.map((w) => ({ ...w, file: a })));
    const fixed = (buf: Buffer, enc: BufferEncoding) => Buffer.from(buf.toString(enc).replace('Mars/Olympus', 'Europe/Paris'), enc);
    await writeFile(a, fixed(cp1252, 'latin1'));
    await writeFile(b, fixed(utf8, 'utf8'));
    const [da, db] = [await readDirectory(a), await readDirectory(b)];
    expect(da).toEqual(db);
    expect(da.network).toBe(`Pièces${' '.repeat(PIECE_BYTES - 1 - cr)}`.trim());
    const units1252 = da.parties.flatMap((p) => p.contacts.map((c) => c.unit));
    expect(units1252).toContain('Unité 7\nCybercriminalité');
    expect(units1252.filter((u) => u.includes('\r'))).toEqual([]);
    expect(da.parties.map((p) => [p.iso, p.contacts.length])).toEqual([['FR', 1500], ['CI', 1500]]);
  });

  it('a file that is not CSV, or not a directory, cannot be used (exit 2)', async () => {
    const quote = await parseFailure(broken('unclosed-quote.csv'));
    expect(quote.problems).toEqual([
      { file: 'fixtures/broken/unclosed-quote.csv', row: 2, field: 'unit', message: 'a quoted cell is never closed on its row: add the closing " or remove the opening one (read as UTF-8, cells separated by \',\')' },
    ]);
    // A quote left open in the middle of a file: csv-parse trips rows later, on the next quote;
    // the row named is the one where it was left open.
    const mid = join(tmp, 'unclosed-mid.csv');
    await writeFile(
      mid,
      [
        'country;iso;status;id;unit;kind;emails;phones;sms;timezone;languages',
        'Albania;AL;party;AL-POL;Police;police;poc@police.al.example;;;Europe/Tirane;sq',
        'Belgium;BE;party;BE-POL;Police;police;"poc@police.be.example;;;Europe/Brussels;fr',
        'Bulgaria;BG;party;BG-POL;Police;police;poc@police.bg.example;;;Europe/Sofia;bg',
        'Croatia;HR;party;HR-POL;"Police";police;poc@police.hr.example;;;Europe/Zagreb;hr',
        '',
      ].join('\n'),
    );
    expect((await parseFailure(mid)).problems).toEqual([{ file: mid, row: 3, field: 'emails', message: expect.stringMatching(/^a quoted cell is never closed on its row/) }]);
    const header = await parseFailure(broken('not-csv.csv'));
    expect(header.problems[0]).toMatchObject({ row: 1, message: expect.stringContaining('missing columns country, iso, status, id, kind, timezone') });
    expect(header.exitCode).toBe(2);
  });
});

describe('files that cannot be read', () => {
  it('a missing file, an unknown extension, a folder, text that is not UTF-8', async () => {
    expect((await parseFailure('fixtures/no-such.yaml')).problems[0]!.message).toBe('cannot be read: no such file');
    expect((await parseFailure('fixtures/directory.txt')).problems[0]!.message).toBe(
      "unknown directory format '.txt': use .yaml, .yml, .json, .csv or .xlsx",
    );
    const folder = join(tmp, 'folder.yaml');
    await (await import('node:fs/promises')).mkdir(folder);
    expect((await parseFailure(folder)).problems[0]!.message).toBe('cannot be read: is a folder, not a file');
    // YAML and JSON are UTF-8 by definition; a CSV file may be Windows-1252 (see spreadsheet.test.ts).
    const latin1 = join(tmp, 'latin1.yaml');
    await writeFile(latin1, Buffer.from('network: N\nparties:\n  - country: C\xf4te d\'Ivoire\n', 'latin1'));
    expect((await parseFailure(latin1)).problems[0]).toMatchObject({ line: 3, message: 'is not UTF-8 text: save it as UTF-8' });
    expect((await parseFailure(broken('old.xls'))).problems[0]!.message).toBe('\'.xls\' is an Excel 97-2003 workbook: save it as "Excel Workbook (.xlsx)" or CSV');
  });

  it('an empty file and a file that is not a mapping', async () => {
    const empty = join(tmp, 'empty.yaml');
    await writeFile(empty, '# nothing\n');
    expect((await parseFailure(empty)).problems[0]!.message).toBe('the file is empty');
    for (const [name, text] of [['empty.json', ''], ['blank.json', '\n  \n'], ['empty.csv', '']] as const) {
      const file = join(tmp, name);
      await writeFile(file, text);
      expect((await parseFailure(file)).problems[0]!.message, name).toBe('the file is empty');
    }
    const list = join(tmp, 'list.yaml');
    await writeFile(list, '- Albania\n- Andorra\n');
    expect((await parseFailure(list)).problems[0]).toMatchObject({ line: 1, message: expect.stringContaining('not a directory') });
  });
});

describe('rules', () => {
  async function check(yaml: string) {
    const file = join(tmp, `case-${Math.random().toString(36).slice(2)}.yaml`);
    await writeFile(file, yaml);
    return loadDirectory(file);
  }
  const contact = (extra: string) => `network: N
parties:
  - country: Türkiye
    iso: tr
    status: Party
    contacts:
      - id: TR-POL
        kind: police
        timezone: Europe/Istanbul
${extra}`;

  it('accepts common spellings of countries, a lower-case code, scalars for lists, unquoted numbers', async () => {
    const r = await check(contact('        emails: poc@Police.TR.example\n        phones: +905012345678\n        languages: [TR, en]\n'));
    expect(r.errors).toEqual([]);
    expect(r.directory!.parties[0]).toEqual({
      country: 'Türkiye',
      iso: 'TR',
      status: 'party',
      contacts: [
        {
          id: 'TR-POL',
          unit: '',
          kind: 'police',
          emails: ['poc@police.tr.example'],
          phones: ['+905012345678'],
          sms: [],
          timezone: 'Europe/Istanbul',
          languages: ['tr', 'en'],
        },
      ],
    });
    const turkey = await check(contact('        emails: [poc@police.tr.example]\n').replace('Türkiye', 'Turkey'));
    expect(turkey.errors).toEqual([]);
  });

  it('keeps values as written under YAML 1.1 too (NO stays Norway, 0047... keeps its zeros)', async () => {
    const r = await check(`%YAML 1.1
---
network: N
parties:
  - {country: Norway, iso: NO, status: party, contacts: [{id: NO-POL, kind: police, phones: [004722000010], timezone: Europe/Oslo}]}
`);
    expect(r.errors).toEqual([]);
    expect(r.directory!.parties[0]).toMatchObject({ iso: 'NO', contacts: [{ phones: ['+4722000010'] }] });
  });

  it('does not take a time offset for a zone, nor a number of another country silently', async () => {
    const r = await check(contact('        emails: [poc@police.tr.example]\n        phones: ["+44 20 7946 0123"]\n').replace('Europe/Istanbul', '"+03:00"'));
    expect(r.errors.map((e) => e.message)).toEqual(["unknown time zone '+03:00' (an IANA name such as Europe/Paris)"]);
    expect(r.warnings.map((w) => w.message)).toEqual(["'+44 20 7946 0123' is a number of United Kingdom (+44), not of Türkiye (TR)"]);
  });

  it('reports missing and mistyped fields, and the same address listed twice', async () => {
    const r = await check(`network: N
parties:
  - country: Albania
    iso: AL
    contacts:
      - id: [AL-POL]
        kind: police
        emails: [poc@police.al.example, poc@POLICE.al.example]
        timezone: Europe/Tirane
`);
    expect(r.errors.map((e) => [e.line, e.field, e.message])).toEqual([
      [3, 'parties[0].status', 'missing'],
      [6, 'parties[0].contacts[0].id', 'must be text, not a list'],
    ]);
    expect(r.warnings.map((w) => w.message)).toContain("'poc@police.al.example' is listed twice for contact point 1 of Albania (AL); kept once");
  });

  it('an ISO code used twice, and a directory without parties', async () => {
    const twice = await check(`network: N
parties:
  - {country: Albania, iso: AL, status: party, contacts: [{id: A, kind: police, emails: [a@b.example], timezone: UTC}]}
  - {country: Albania, iso: AL, status: party, contacts: [{id: B, kind: police, emails: [c@b.example], timezone: UTC}]}
`);
    expect(twice.errors).toEqual([expect.objectContaining({ line: 4, field: 'parties[1].iso', message: 'AL is listed twice (also at line 3)' })]);
    const none = await check('network: N\nparties: []\n');
    expect(none.errors.map((e) => e.message)).toEqual(['no parties: the directory is empty']);
  });
});
