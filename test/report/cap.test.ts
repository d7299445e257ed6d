// Long lists are capped in the reports people read (HTML, Markdown, the terminal) with an "and N
// more, see the CSV" line in the report's language; the CSV and JSON keep every row.
import { describe, expect, it } from 'vitest';
import { capList, LIST_CAP } from '../../src/report/cap.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderStatsText } from '../../src/report/terminal.js';
import type { CountryResult, Finding, Stats } from '../../src/stats/types.js';
import { sampleMeta, sampleStats } from './sample-stats.js';

const EXTRA = 57;

/** The sample test with LIST_CAP + EXTRA failed addresses and as many silent countries. */
function longStats(): Stats {
  const s = sampleStats();
  const findings: Finding[] = Array.from({ length: LIST_CAP + EXTRA }, (_, i) => ({
    country: 'Czech Republic',
    iso: 'CZ',
    contactId: `CZ-POL-${String(i).padStart(6, '0')}`,
    channel: 'email',
    address: `poc${i}@police.cz.example`,
    status: 'failed',
    detail: '550 5.1.1 User unknown',
    at: '2023-06-07T07:31:00Z',
  }));
  const silent: CountryResult[] = Array.from({ length: LIST_CAP + EXTRA }, (_, i) => ({ country: `Land ${String(i).padStart(4, '0')}`, outcome: 'silent', responseSeconds: null }));
  return { ...s, findings, silent, countries: [...s.countries, ...silent], population: s.population + silent.length };
}

const model = (locale?: string) => buildReportModel({ stats: longStats(), meta: sampleMeta() }, locale ? { locale } : {});
const count = (text: string, needle: string) => text.split(needle).length - 1;

describe('capped lists', () => {
  it('capList keeps the first rows and counts the rest', () => {
    expect(capList([1, 2, 3], 2)).toEqual({ shown: [1, 2], more: 1 });
    expect(capList([1, 2], 2)).toEqual({ shown: [1, 2], more: 0 });
  });

  it('HTML and Markdown show LIST_CAP findings and say how many more are in the CSV (English)', () => {
    const m = model();
    const html = renderHtml(m);
    expect(count(html, '@police.cz.example')).toBe(LIST_CAP);
    expect(html).toContain(`… and ${EXTRA} more: see the CSV report`);
    const md = renderMarkdown(m);
    expect(count(md, '@police.cz.example')).toBe(LIST_CAP);
    expect(md).toContain(`… and ${EXTRA} more: see the CSV report`);
    // The silent list and the country table are capped too.
    expect(count(html, 'Land 0')).toBeLessThan(3 * (LIST_CAP + EXTRA));
    expect(html).not.toContain('Land 0256');
    expect(md).not.toContain('Land 0256');
  });

  it('says it in French with the French catalogue', () => {
    const m = model('fr');
    expect(renderHtml(m)).toContain(`… et ${EXTRA} de plus : voir le rapport CSV`);
    expect(renderMarkdown(m)).toContain(`… et ${EXTRA} de plus : voir le rapport CSV`);
    expect(renderStatsText(longStats(), { color: false, locale: 'fr' })).toContain(`… et ${EXTRA} de plus (rollcall report --format csv, ou --json, donne la liste complète)`);
  });

  it('the terminal lists LIST_CAP findings and points to the full list', () => {
    const text = renderStatsText(longStats(), { color: false });
    expect(count(text, '@police.cz.example')).toBe(LIST_CAP);
    expect(text).toContain(`… and ${EXTRA} more (rollcall report --format csv, or --json, lists them all)`);
  });

  it('CSV and JSON keep every row', () => {
    const m = model();
    expect(count(renderCsv(m), '@police.cz.example')).toBe(LIST_CAP + EXTRA);
    const json = JSON.parse(renderJson(m)) as { stats: Stats };
    expect(json.stats.findings).toHaveLength(LIST_CAP + EXTRA);
    expect(json.stats.silent).toHaveLength(LIST_CAP + EXTRA);
  });

  it('a list within the cap has no such line', () => {
    const m = buildReportModel({ stats: sampleStats(), meta: sampleMeta() });
    expect(renderHtml(m)).not.toContain('see the CSV report');
    expect(renderMarkdown(m)).not.toContain('see the CSV report');
  });
});
