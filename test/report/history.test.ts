// --history: tests side by side in date order, populations that differ said plainly, shares
// compared only under the same thresholds, countries silent or unreachable twice running called out.
import { describe, expect, it } from 'vitest';
import { buildHistoryModel, renderHistoryCsv, renderHistoryHtml, renderHistoryJson, renderHistoryMarkdown } from '../../src/report/history.js';
import type { CountryResult, Stats } from '../../src/stats/types.js';
import { bucketsFor, sampleMeta, sampleStats } from './sample-stats.js';

const meta = (startedAt: string, runId: string) => sampleMeta({ startedAt, runId, path: `runs/${runId}` });

/** `stats` with one country's outcome changed (lists kept consistent). */
function withOutcome(stats: Stats, country: string, outcome: CountryResult['outcome']): Stats {
  const countries = stats.countries.map((c) => (c.country === country ? { ...c, outcome, responseSeconds: null, answeredAt: undefined } : c));
  const by = (o: CountryResult['outcome']) => countries.filter((c) => c.outcome === o);
  return {
    ...stats,
    countries,
    buckets: bucketsFor(countries, stats.population),
    late: by('late'),
    automaticOnly: by('automatic-only'),
    unreachable: by('unreachable'),
    silent: by('silent'),
  };
}

/** A test of a few countries only, with its own thresholds. */
function smallTest(thresholds: number[]): Stats {
  const s = sampleStats();
  const keep = new Set(['Albania', 'France', 'Ghana', 'Brazil', 'Nigeria', 'Tonga']);
  const countries = s.countries.filter((c) => keep.has(c.country));
  const by = (o: CountryResult['outcome']) => countries.filter((c) => c.outcome === o);
  return { ...s, population: countries.length, countries, buckets: bucketsFor(countries, countries.length, thresholds), late: by('late'), automaticOnly: by('automatic-only'), unreachable: by('unreachable'), silent: by('silent'), findings: [], overrides: [] };
}

describe('history of several tests', () => {
  const y2023 = sampleStats();
  const silentIn2023 = y2023.silent[0]!.country;
  const answeredIn2023 = y2023.countries.find((c) => c.outcome === 'answered' && c.responseSeconds! < 300)!.country;
  // 2024: the country silent in 2023 is unreachable (every address failed); another goes silent.
  const y2024 = withOutcome(withOutcome(sampleStats({ factor: 1.1 }), silentIn2023, 'unreachable'), answeredIn2023, 'silent');
  const y2025 = sampleStats({ factor: 0.9 });
  const inputs = [
    // Given out of order: the history puts them by date.
    { stats: y2025, meta: meta('2025-06-04T08:00:00Z', '2025-06-04T0800Z-c') },
    { stats: y2023, meta: meta('2023-06-07T07:30:00Z', '2023-06-07T0730Z-a') },
    { stats: y2024, meta: meta('2024-06-05T09:00:00Z', '2024-06-05T0900Z-b') },
  ];

  it('orders the tests by date and labels each by its date', () => {
    const m = buildHistoryModel(inputs);
    expect(m.tests.map((t) => t.label)).toEqual(['7 June 2023', '5 June 2024', '4 June 2025']);
    expect(m.title).toBe('24/7 Network (Budapest Convention): responsiveness tests from 7 June 2023 to 4 June 2025');
  });

  it('calls out the countries silent or unreachable in two tests running, and only those', () => {
    const m = buildHistoryModel(inputs);
    // Computed here from the three tests in date order: silent or unreachable in two tests next to each other.
    const ordered = [y2023, y2024, y2025];
    const quiet = (s: Stats, name: string) => ['silent', 'unreachable'].includes(s.countries.find((c) => c.country === name)?.outcome ?? '');
    const expected = y2023.countries.map((c) => c.country).filter((name) => ordered.some((s, i) => i > 0 && quiet(ordered[i - 1]!, name) && quiet(s, name)));
    expect(expected.length).toBeGreaterThan(0);
    expect(m.countries.filter((r) => r.streakTests.length).map((r) => r.country).sort()).toEqual(expected.sort());
    const row = m.countries.find((r) => r.country === silentIn2023)!;
    expect(row.cells.map((c) => c.outcome)).toEqual(['silent', 'unreachable', y2025.countries.find((c) => c.country === silentIn2023)!.outcome]);
    expect(row.cells[0]!.streak && row.cells[1]!.streak).toBe(true);
    // Silent once (2024) between two answers: no call-out.
    expect(m.countries.find((r) => r.country === answeredIn2023)!.streakTests).toEqual([]);
    const html = renderHistoryHtml(m);
    expect(html).toContain(`<li><span class="mark">${silentIn2023}</span>: ${row.streakTests.join(', ').replace(/, ([^,]+)$/, ' and $1')}</li>`);
    expect(renderHistoryMarkdown(m)).toContain(`- **${silentIn2023}**: 7 June 2023, 5 June 2024`);
  });

  it('gives each test’s five lines in one table, and the change against the test before', () => {
    const m = buildHistoryModel(inputs);
    const md = renderHistoryMarkdown(m);
    const b = (s: Stats, i: number) => s.buckets[i]!;
    expect(md).toContain(
      `| 15 minutes | ${b(y2023, 0).responded} (${b(y2023, 0).share.toFixed(2)}%), 6 min | ${b(y2024, 0).responded} (${b(y2024, 0).share.toFixed(2)}%), `,
    );
    const change = Math.round((b(y2025, 4).share - b(y2024, 4).share) * 100) / 100;
    expect(md).toMatch(new RegExp(`\\| 24 hours \\|.*\\| ${change > 0 ? '\\+' : change < 0 ? '\u2212' : ''}${Math.abs(change)} pts \\|`));
    expect(md).toContain('Every test had the same population: 68 countries.');
    expect(md).toContain('Every test used the same thresholds (15 minutes, 30 minutes, 1 hour, 12 hours and 24 hours)');
  });

  it('counts two tests running of a country across a test that did not include it', () => {
    const small = smallTest([900, 1800, 3600, 43200, 86400]);
    const quiet = y2023.silent.find((c) => !small.countries.some((x) => x.country === c.country))!.country;
    const m = buildHistoryModel([
      { stats: y2023, meta: meta('2023-06-07T07:30:00Z', '2023-06-07T0730Z-a') },
      { stats: small, meta: meta('2024-06-05T09:00:00Z', '2024-06-05T0900Z-b') },
      { stats: withOutcome(y2025, quiet, 'unreachable'), meta: meta('2025-06-04T08:00:00Z', '2025-06-04T0800Z-c') },
    ]);
    const row = m.countries.find((r) => r.country === quiet)!;
    expect(row.cells.map((c) => c.outcome)).toEqual(['silent', 'not-tested', 'unreachable']);
    expect(row.streakTests).toEqual(['7 June 2023', '4 June 2025']);
  });

  it('says plainly when populations differ, and who joined', () => {
    const m = buildHistoryModel([
      { stats: smallTest([900, 1800, 3600, 43200, 86400]), meta: meta('2022-06-08T07:30:00Z', '2022-06-08T0730Z-s') },
      { stats: y2023, meta: meta('2023-06-07T07:30:00Z', '2023-06-07T0730Z-a') },
    ]);
    expect(m.populationNotes[0]).toBe('The tests did not test the same countries (6 countries on 8 June 2022 and 68 countries on 7 June 2023). Each share is of its own test\'s population; the counts of countries are not directly comparable.');
    expect(m.populationNotes[1]).toMatch(/^Tested on 7 June 2023 but not on 8 June 2022: Andorra, Argentina, .* and 52 others\.$/);
    const notTested = m.countries.find((r) => r.country === 'Andorra')!;
    expect(notTested.cells[0]).toMatchObject({ outcome: 'not-tested', text: 'not tested' });
  });

  it('compares shares only under the thresholds both tests used, and says why not otherwise', () => {
    const twoMinutes = smallTest([30, 60, 120]);
    const m = buildHistoryModel([
      { stats: y2023, meta: meta('2023-06-07T07:30:00Z', '2023-06-07T0730Z-a') },
      { stats: twoMinutes, meta: meta('2024-06-05T09:00:00Z', '2024-06-05T0900Z-b') },
      { stats: y2025, meta: meta('2025-06-04T08:00:00Z', '2025-06-04T0800Z-c') },
    ]);
    expect(m.thresholdNotes).toEqual([
      'The test of 5 June 2024 used other thresholds (30 seconds, 1 minute and 2 minutes): its figures are shown, but its shares are not compared with those of the tests that used 15 minutes, 30 minutes, 1 hour, 12 hours and 24 hours.',
    ]);
    const md = renderHistoryMarkdown(m);
    // 2 minutes: only the 2024 test used it, no change; 24 hours: 2025 against 2023, said so.
    expect(md).toMatch(/\| 2 minutes \| not used \| \d+ \([\d.]+%\)(, [^|]+)? \| not used \| {2}\|/);
    expect(md).toMatch(/\| 24 hours \| [^|]+ \| not used \| [^|]+ \| [+\u2212]?[\d.]+ pts \(7 June 2023 → 4 June 2025\) \|/);
    // The chart has no 24-hour point for the 2024 test, and no line across it.
    const html = renderHistoryHtml(m);
    const points = [...html.matchAll(/class="history-point"[^>]*data-test-index="(\d)" data-threshold-seconds="(\d+)"/g)].map((x) => `${x[1]}:${x[2]}`);
    expect(points).toContain('0:86400');
    expect(points).not.toContain('1:86400');
    expect(points).toContain('1:120');
  });

  it('exports one CSV row per country and the tests as JSON', () => {
    const m = buildHistoryModel(inputs);
    const csv = renderHistoryCsv(m).replace('\uFEFF', '').split('\r\n');
    expect(csv[0]).toBe('country,iso,7 June 2023: outcome,7 June 2023: response_seconds,5 June 2024: outcome,5 June 2024: response_seconds,4 June 2025: outcome,4 June 2025: response_seconds');
    expect(csv.filter(Boolean)).toHaveLength(69);
    expect(csv.find((l) => l.startsWith(`${silentIn2023},`))).toMatch(/,silent,,unreachable,,/);
    const json = JSON.parse(renderHistoryJson(m));
    expect(json.tests.map((t: { label: string; stats: Stats }) => [t.label, t.stats.buckets.at(-1)!.share])).toEqual([
      ['7 June 2023', y2023.buckets.at(-1)!.share],
      ['5 June 2024', y2024.buckets.at(-1)!.share],
      ['4 June 2025', y2025.buckets.at(-1)!.share],
    ]);
    expect(json.streaks).toContainEqual({ country: silentIn2023, iso: y2023.silent[0]!.iso, tests: m.countries.find((r) => r.country === silentIn2023)!.streakTests });
    expect(json.streaks.every((x: { tests: string[] }) => x.tests.length >= 2)).toBe(true);
  });

  it('is written in French with --locale fr', () => {
    const m = buildHistoryModel(inputs, { locale: 'fr' });
    const md = renderHistoryMarkdown(m).replace(/[\u00a0\u202f]/g, ' ');
    expect(md).toMatch(/^# Réseau 24\/7 \(Convention de Budapest\) : tests de réactivité du 7 juin 2023 au 4 juin 2025/);
    expect(md).toContain('## Sans réponse ou injoignables à deux tests de suite');
    expect(md).toContain('Tous les tests ont porté sur la même population : 68 pays.');
    expect(md).toContain('| 15 minutes | 24 (35,29 %), 6 min |');
  });
});
