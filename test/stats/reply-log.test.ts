import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { importReplyLog, parseInstant, ReplyLogParser, splitQuoted } from '../../src/stats/reply-log.js';
import { KIND_BIT } from '../../src/stats/tally.js';
import { rollcall } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-replies-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Parses text fed in pieces of `step` characters (chunk boundaries anywhere). */
function parse(text: string, step = text.length) {
  const p = new ReplyLogParser('replies.csv');
  for (let i = 0; i < text.length; i += step) p.push(text.slice(i, i + step));
  return p.end();
}

function problems(text: string) {
  try {
    parse(text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).exitCode).toBe(2);
    return (e as InputError).problems;
  }
  throw new Error('expected an InputError');
}

describe('parseInstant', () => {
  it('agrees with Date.parse on ISO 8601 times with an offset or Z', () => {
    for (const s of [
      '2023-06-07T10:00:00+02:00',
      '2023-06-07T08:00:00Z',
      '2023-06-07t08:00:00z',
      '2023-06-07 08:00:00Z',
      '2023-06-07T02:05:58-06:00',
      '2023-06-07T13:30:00+05:30',
      '2023-06-07T10:00:00+0200',
      '2023-06-07T10:00Z',
      '2023-06-07T10:00:00.5Z',
      '2023-06-07T10:00:00.123456+01:00',
      '2024-02-29T23:59:59-12:00',
      '1999-12-31T23:59:59+14:00',
      '2000-03-01T00:00:00Z',
    ]) {
      expect(parseInstant(s), s).toBe(Date.parse(s));
    }
  });
  it('agrees with Date.parse on many generated instants and offsets', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      const ms = Date.UTC(1970, 0, 1) + Math.floor(rand() * 4e12);
      const off = Math.floor(rand() * 27 - 13) * 60 + (rand() < 0.2 ? 30 : 0);
      const local = new Date(ms + off * 60000).toISOString().slice(0, 19);
      const a = Math.abs(off);
      const s = `${local}${off < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
      expect(parseInstant(s), s).toBe(Date.parse(s));
    }
  });
  it('refuses times without an offset, impossible dates and other formats', () => {
    for (const s of [
      '2023-06-07T10:00:00',
      '2023-06-07',
      '2023-02-29T10:00:00Z',
      '2023-02-30T00:00:00Z',
      '2023-06-31T00:00:00Z',
      '2023-13-01T00:00:00Z',
      '2023-06-07T24:00:00Z',
      '2023-06-07T10:60:00Z',
      '2023-06-07T10:00:60Z',
      '2023-06-07T10:00:00+02',
      '2023-06-07T10:00:00+2:00',
      '2023-06-07T10:00:00.Z',
      '2023-06-07T10:00:00Z junk',
      '07/06/2023 10:00',
      'yesterday',
      '',
    ]) {
      expect(parseInstant(s), s).toBeNaN();
    }
  });
});

describe('splitQuoted', () => {
  it('reads RFC 4180 quoting', () => {
    expect(splitQuoted('a,"b, c","say ""hi""",')).toEqual(['a', 'b, c', 'say "hi"', '']);
    expect(splitQuoted('"two\nlines",x')).toEqual(['two\nlines', 'x']);
  });
});

describe('the reply-log importer', () => {
  const header = 'country,contact,channel,sent_at,replied_at,kind';

  it('keeps per contact point its first acknowledgement and what else came', () => {
    const { tally, rows } = parse(
      [
        header,
        'Albania,AL-POL,email,2023-06-07T10:00:00+02:00,2023-06-07T10:10:00+02:00,reply',
        'Albania,AL-POL,email,2023-06-07T10:00:00+02:00,2023-06-07T08:00:30Z,auto-reply',
        'Albania,AL-POL,email,2023-06-07T10:00:00+02:00,2023-06-07T09:06:00+01:00,', // default kind: reply
        'Albania,AL-PRO,email,2023-06-07T08:00:05Z,,',
        'Ghana,GH-POL,sms,2023-06-07T08:00:00Z,2023-06-07T08:00:04Z,bounce',
        'Ghana,GH-POL,sms,2023-06-07T08:00:00Z,2023-06-07T08:01:00Z,read-receipt',
      ].join('\n'),
    );
    expect(rows).toBe(6);
    const al = tally.countries.get('Albania')!;
    expect([...al.contacts.keys()]).toEqual(['AL-POL', 'AL-PRO']);
    expect(al.contacts.get('AL-POL')!.responseMs).toBe(360_000);
    expect(al.contacts.get('AL-POL')!.received).toBe(KIND_BIT.reply | KIND_BIT['auto-reply']);
    expect(al.contacts.get('AL-PRO')!.responseMs).toBeUndefined();
    const gh = tally.countries.get('Ghana')!.contacts.get('GH-POL')!;
    expect(gh.received).toBe(KIND_BIT.bounce | KIND_BIT['read-receipt']);
    expect(gh.bounceChannel).toBe('sms');
    expect([...tally.channels].sort()).toEqual(['email', 'sms']);
    expect(tally.firstSentMs).toBe(Date.parse('2023-06-07T08:00:00Z'));
  });

  it('takes the columns in any order, ignores extra ones, and reads quoted cells (even across lines)', () => {
    const text =
      '\uFEFFnote,replied_at,Kind,sent_at,contact,country,channel\r\n' +
      '"Out of office, back Monday",2023-06-07T08:00:10Z,auto-reply,2023-06-07T08:00:00Z,BA-POL,"Bosnia and Herzegovina",email\r\n' +
      '"two\r\nlines, ""quoted""",2023-06-07T08:05:00Z,,2023-06-07T08:00:00Z,BA-POL,Bosnia and Herzegovina,email\r\n' +
      '\r\n' +
      ',2023-06-07T09:00:00Z,reply,2023-06-07T08:00:00Z,KR-POL,"Korea, Republic of",\r\n';
    for (const step of [text.length, 7, 1]) {
      const { tally, rows } = parse(text, step);
      expect(rows).toBe(3);
      expect(tally.countries.get('Bosnia and Herzegovina')!.contacts.get('BA-POL')!.responseMs).toBe(300_000);
      expect(tally.countries.get('Korea, Republic of')!.contacts.get('KR-POL')!.responseMs).toBe(3_600_000);
    }
  });

  it('needs only country, sent_at and replied_at: contact defaults to the country, channel to email', () => {
    const { tally } = parse('country,sent_at,replied_at\nPeru,2023-06-07T03:00:00-05:00,2023-06-07T08:01:00Z\n');
    const c = tally.countries.get('Peru')!.contacts.get('Peru')!;
    expect(c.responseMs).toBe(60_000);
    expect(c.ackChannel).toBe('email');
  });

  it('reports every bad row with its row number, field and what is wrong', () => {
    const p = problems(
      [
        header, // row 1
        'Albania,AL-POL,email,2023-06-07 10:00,2023-06-07T10:10:00+02:00,reply', // 2: no offset
        'Albania,AL-PRO,email,2023-06-07T10:00:00+02:00,2023-06-07T09:59:00+02:00,reply', // 3: before its ping
        'Ghana,GH-POL,email,2023-06-07T08:00:00Z,2023-06-07T08:01:00Z,answer', // 4: unknown kind
        'Peru,PE-POL,email,2023-06-07T08:00:00Z', // 5: missing columns
        'Chile,CL-POL,fax,2023-06-07T08:00:00Z,,', // 6: unknown channel
        'Spain,ES-POL,email,2023-06-07T08:00:00Z,,reply', // 7: reply without a time
        ',XX-POL,email,2023-06-07T08:00:00Z,,', // 8: no country
        'Italy,IT-POL,email,2023-06-07T08:00:00Z,2023-06-31T08:00:00Z,', // 9: impossible date
        'Malta,MT-POL,email,2023-06-07T08:00:00Z,2023-06-07T08:30:00Z,reply,extra', // 10: too many fields
        'Japan,JP-POL,email,2023-06-07T08:00:00Z,2023-06-07T17:04:02+09:00,', // fine
      ].join('\n'),
    );
    expect(p.map((x) => [x.row, x.field])).toEqual([
      [2, 'sent_at'],
      [3, 'replied_at'],
      [4, 'kind'],
      [5, 'replied_at'],
      [6, 'channel'],
      [7, 'replied_at'],
      [8, 'country'],
      [9, 'replied_at'],
      [10, undefined],
    ]);
    expect(p.every((x) => x.file === 'replies.csv')).toBe(true);
    expect(p[0]!.message).toMatch(/"2023-06-07 10:00" is not an ISO 8601 time with an offset or Z/);
    expect(p[1]!.message).toMatch(/before the ping it answers/);
    expect(p[2]!.message).toMatch(/unknown kind "answer"/);
    expect(p[3]!.message).toMatch(/missing column/);
    expect(p[6]!.message).toBe('empty');
  });

  it('numbers rows by the line they start on (a quoted cell may span lines)', () => {
    const p = problems(`${header},note\nAlbania,AL-POL,email,2023-06-07T08:00:00Z,,,"line one\nline two"\nGhana,GH-POL,email,never,,,\n`);
    expect(p.map((x) => x.row)).toEqual([4]);
  });

  it('refuses a file without a header, or whose header lacks a required column', () => {
    expect(problems('Albania,AL-POL,email,2023-06-07T08:00:00Z,,\n')[0]).toMatchObject({ row: 1, message: expect.stringMatching(/header row lacks/) });
    expect(problems('country,contact,channel,replied_at,kind\nAlbania,AL-POL,email,,\n')).toEqual([
      expect.objectContaining({ row: 1, field: 'sent_at', message: expect.stringMatching(/lacks the column sent_at/) }),
    ]);
    expect(problems('country,country,sent_at,replied_at\n')[0]!.message).toMatch(/appears twice/);
    expect(problems('')[0]!.message).toMatch(/empty file/);
  });

  it('lists the first 50 problems and counts the rest', () => {
    const rows = Array.from({ length: 120 }, (_, i) => `C${i},X,email,bad,,`);
    const p = problems([header, ...rows].join('\n'));
    expect(p).toHaveLength(51);
    expect(p[50]!.message).toBe('and 70 more row problems');
  });

  it('streams a file; a missing file is an input error', async () => {
    const file = join(tmp, 'r.csv');
    writeFileSync(file, `${header}\nAlbania,AL-POL,email,2023-06-07T08:00:00Z,2023-06-07T08:06:00Z,\n`);
    const { tally } = await importReplyLog(file);
    expect(tally.countries.get('Albania')!.contacts.get('AL-POL')!.responseMs).toBe(360_000);
    await expect(importReplyLog(join(tmp, 'nope.csv'))).rejects.toThrow(/nope\.csv: no such file/);
  });
});

describe('reply logs as Excel saves them', () => {
  const rows = [
    'Côte d’Ivoire,CI-POL,email,2023-06-07T08:00:00Z,2023-06-07T08:05:00Z,reply',
    'Türkiye,TR-POL,sms,2023-06-07T08:00:00Z,2023-06-07T08:20:00Z,',
  ];

  it('finds the delimiter from the header: a semicolon, a tab; quoted cells too', () => {
    for (const d of [';', '\t']) {
      const text = ['country,contact,channel,sent_at,replied_at,kind,note', ...rows.map((r) => `${r},"a note${d} with ""quotes"""`)].map((l) => l.replaceAll(',', d)).join('\r\n');
      for (const step of [text.length, 5]) {
        const { tally, rows: n } = parse(text, step);
        expect(n).toBe(2);
        expect(tally.countries.get('Côte d’Ivoire')!.contacts.get('CI-POL')!.responseMs).toBe(300_000);
        expect(tally.countries.get('Türkiye')!.contacts.get('TR-POL')!.ackChannel).toBe('sms');
      }
    }
    expect(splitQuoted('a;"b; c";"say ""hi"""', ';')).toEqual(['a', 'b; c', 'say "hi"']);
  });

  it('names the delimiter and encoding it read when the header is wrong; a row cut by another delimiter', () => {
    const p = new ReplyLogParser('fr.csv', 'windows-1252');
    p.push('pays;contact;envoyé;réponse\r\nFrance;FR-POL;x;y\r\n');
    const e = (() => {
      try {
        p.end();
      } catch (err) {
        return err as InputError;
      }
    })();
    expect(e!.problems[0]!.message).toBe(
      "header row lacks the columns country, sent_at, replied_at (expected country,sent_at,replied_at,contact,channel,kind, in any order; read as Windows-1252, cells separated by ';')",
    );
    const long = problems('country;sent_at;replied_at\nFrance;2023-06-07T08:00:00Z;2023-06-07T08:01:00Z;x\n');
    expect(long[0]!.message).toBe("the row has 4 fields, the header 3 (a ';' in an unquoted cell?)");
  });

  it('reads the 2023 log saved by French Excel (;, Windows-1252, CRLF) exactly as the original', async () => {
    const [fr, original] = await Promise.all([importReplyLog('fixtures/replies-2023-excel-fr.csv'), importReplyLog('fixtures/replies-2023.csv')]);
    expect(fr.rows).toBe(original.rows);
    expect([...fr.tally.countries.keys()]).toEqual([...original.tally.countries.keys()]);
    expect([...fr.tally.countries.keys()]).toContain('Türkiye');
    expect(fr.encodingWarning).toEqual({ file: 'fixtures/replies-2023-excel-fr.csv', message: expect.stringMatching(/^not UTF-8: read as Windows-1252/) });
    expect(original.encodingWarning).toBeUndefined();
    for (const [key, country] of original.tally.countries) {
      for (const [id, c] of country.contacts) {
        const other = fr.tally.countries.get(key)!.contacts.get(id)!;
        expect([other.responseMs, other.received], `${key} ${id}`).toEqual([c.responseMs, c.received]);
      }
    }
    expect(fr.warnings).toEqual([]);
  });

  it('decodes UTF-8 with a byte-order mark and Windows-1252 from a file; refuses UTF-8 gone bad further on', async () => {
    const text = ['country,contact,channel,sent_at,replied_at,kind', ...rows].join('\r\n') + '\r\n';
    const bom = join(tmp, 'bom.csv');
    writeFileSync(bom, '\uFEFF' + text);
    expect([...(await importReplyLog(bom)).tally.countries.keys()]).toEqual(['Côte d’Ivoire', 'Türkiye']);
    const cp1252 = join(tmp, 'cp1252.csv');
    writeFileSync(cp1252, Buffer.from([...text].map((ch) => (ch === '’' ? 0x92 : ch.charCodeAt(0)))));
    expect([...(await importReplyLog(cp1252)).tally.countries.keys()]).toEqual(['Côte d’Ivoire', 'Türkiye']);
    // More than the first chunk (1 MB) of UTF-8, then a Windows-1252 byte.
    const filler = 'Albania,AL-POL,email,2023-06-07T08:00:00Z,2023-06-07T08:06:00Z,reply\n';
    const count = Math.ceil((1 << 20) / filler.length) + 10;
    const mixed = join(tmp, 'mixed.csv');
    writeFileSync(mixed, Buffer.concat([Buffer.from(`country,contact,channel,sent_at,replied_at,kind\n${filler.repeat(count)}`), Buffer.from([0x43, 0xf4, 0x74, 0x65]), Buffer.from(',CI-POL,email,2023-06-07T08:00:00Z,,\n')]));
    const e = await importReplyLog(mixed).catch((err: unknown) => err as InputError);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).problems).toEqual([
      { file: mixed, row: expect.any(Number), message: 'is not UTF-8 text from about this row on, though its beginning is: save the whole file as UTF-8' },
    ]);
    expect((e as InputError).problems[0]!.row).toBeGreaterThan(count - 200);
  });
});

describe('country names that are no country', () => {
  const header = 'country,contact,channel,sent_at,replied_at,kind';

  it('are warned about at the row where each first appears, with a suggestion; ISO codes and usual spellings are countries', () => {
    const { warnings } = parse(
      [
        header,
        'France,FR-POL,email,2023-06-07T08:00:00Z,,',
        'FR,FR-PRO,email,2023-06-07T08:00:00Z,,',
        'Korea, Republic of,KR-POL,email,2023-06-07T08:00:00Z,,'.replace('Korea, Republic of', '"Korea, Republic of"'),
        'Frnace,FR-X,email,2023-06-07T08:00:00Z,,',
        'Frnace,FR-Y,email,2023-06-07T08:00:00Z,,',
        'Atlantis,AT-X,email,2023-06-07T08:00:00Z,,',
      ].join('\n'),
    );
    expect(warnings).toEqual([
      { file: 'replies.csv', row: 5, field: 'country', message: '"Frnace" is not a country rollcall knows (did you mean France?); counted as a country of its own' },
      { file: 'replies.csv', row: 7, field: 'country', message: '"Atlantis" is not a country rollcall knows; counted as a country of its own' },
    ]);
  });

  it('lists ten and counts the rest', () => {
    const rows = Array.from({ length: 25 }, (_, i) => `Place ${i},P${i},email,2023-06-07T08:00:00Z,,`);
    const { warnings } = parse([header, ...rows].join('\n'));
    expect(warnings).toHaveLength(11);
    expect(warnings[10]!.message).toBe('and 15 more names that are not countries');
  });

  it('rollcall stats: a warning naming the row without --directory; an error with a suggestion with one', () => {
    const alone = rollcall(['stats', 'fixtures/broken/replies-misspelt.csv']);
    expect(alone.status).toBe(0);
    expect(alone.stderr).toBe(
      'rollcall: warning: fixtures/broken/replies-misspelt.csv:row 4: country: "Frnace" is not a country rollcall knows (did you mean France?); counted as a country of its own\n',
    );
    expect(alone.stdout).toContain('Population: 4 countries');
    for (const directory of ['fixtures/directory.yaml', 'fixtures/directory.xlsx']) {
      const counted = rollcall(['stats', 'fixtures/broken/replies-misspelt.csv', '--directory', directory]);
      expect(counted.status).toBe(2);
      expect(counted.stdout).toBe('');
      expect(counted.stderr).toBe('rollcall: fixtures/broken/replies-misspelt.csv:row 4: country: "Frnace" is not in the directory given with --directory (did you mean France?)\n');
    }
  });

  it('rollcall stats: the French Excel log prints the same table as the original', () => {
    const fr = rollcall(['stats', 'fixtures/replies-2023-excel-fr.csv', '--json']);
    const original = rollcall(['stats', 'fixtures/replies-2023.csv', '--json']);
    expect(fr.status).toBe(0);
    // Nothing in the bytes says which code page: what was assumed is said, as for a directory.
    expect(fr.stderr).toBe('rollcall: warning: fixtures/replies-2023-excel-fr.csv: not UTF-8: read as Windows-1252 (Excel\'s "CSV" in Western Europe); check accented names, or save as "CSV UTF-8"\n');
    expect(original.stderr).toBe('');
    expect(JSON.parse(fr.stdout)).toEqual(JSON.parse(original.stdout));
  });
});
