import { describe, expect, it } from 'vitest';
import { compareBuckets, compareOutcomes, countDelta, durationDelta, pointsDelta } from '../../src/report/compare.js';
import { createFormatter } from '../../src/report/format.js';
import { renderHtml } from '../../src/report/html.js';
import { buildReportModel } from '../../src/report/model.js';
import { bucketsFor, sampleMeta, sampleStats } from './sample-stats.js';

const en = createFormatter('en');

describe('compare deltas', () => {
  it('signs counts, points and durations with a real minus', () => {
    expect(countDelta(21, 24, en)).toBe('+3');
    expect(countDelta(24, 22, en)).toBe('\u22122');
    expect(countDelta(5, 5, en)).toBe('0');
    expect(pointsDelta(54.41, 51.91, en)).toBe('\u22122.5 pts');
    expect(pointsDelta(86.76, 89.71, en)).toBe('+2.95 pts');
    expect(pointsDelta(0.1, 0.3, en)).toBe('+0.2 pts'); // no binary noise (0.30000000000000004)
    expect(pointsDelta(50, 50, en)).toBe('0 pts');
    expect(pointsDelta(50, 52.5, createFormatter('fr'))).toBe('+2,5 pts');
  });
  it('subtracts durations as displayed, so the reader’s arithmetic agrees', () => {
    expect(durationDelta(10 * 60, 6 * 60)).toBe('\u22124 min');
    // 6.4 min shows as 6 min, 10.6 min as 11 min: the change reads +5 min, not +4.2.
    expect(durationDelta(6.4 * 60, 10.6 * 60)).toBe('+5 min');
    expect(durationDelta(97 * 60, 71 * 60)).toBe('\u221226 min');
    expect(durationDelta(60 * 60, 122 * 60)).toBe('+1h 2 min');
    expect(durationDelta(40, 45)).toBe('+5 s');
    expect(durationDelta(300, 300.2)).toBe('0 min');
    expect(durationDelta(null, 300)).toBe('');
  });
  it('lines up thresholds of both tests, leaving a change only where both have one', () => {
    const current = sampleStats();
    const earlier = sampleStats({ factor: 1.3, answered: 57 });
    earlier.buckets = bucketsFor(earlier.countries, earlier.population, [300, 900, 3600, 86400]);
    const rows = compareBuckets(earlier, current, en);
    expect(rows.map((r) => r.thresholdSeconds)).toEqual([300, 900, 1800, 3600, 43200, 86400]);
    const r15 = rows.find((r) => r.thresholdSeconds === 900)!;
    expect(r15.responded).toBe(countDelta(r15.earlier!.responded, r15.current!.responded, en));
    expect(r15.responded).toMatch(/^[+\u2212]?\d+$/);
    const r5 = rows.find((r) => r.thresholdSeconds === 300)!;
    expect([r5.responded, r5.share, r5.current, r5.earlier?.thresholdSeconds]).toEqual(['', '', undefined, 300]);
    const r30 = rows.find((r) => r.thresholdSeconds === 1800)!;
    expect([r30.responded, r30.earlier, r30.current?.responded]).toEqual(['', undefined, 35]);
    const r24 = rows.at(-1)!;
    expect([r24.earlier!.responded, r24.current!.responded, r24.responded]).toEqual([57, 61, '+4']);
  });
  it('compares populations and outcomes', () => {
    const rows = compareOutcomes(sampleStats({ answered: 57 }), sampleStats(), en);
    expect(rows.find((r) => r.label === 'No answer')).toEqual({ label: 'No answer', earlier: 8, current: 4, change: '\u22124' });
    expect(rows.find((r) => r.label === 'Countries tested')!.change).toBe('0');
  });
});

describe('comparing tests that differ', () => {
  /** Six countries tested for two minutes. */
  const twoMinutes = () => {
    const s = sampleStats();
    const countries = s.countries.slice(0, 6);
    return { ...s, population: 6, countries, buckets: bucketsFor(countries, 6, [30, 60, 120]), late: [], automaticOnly: [], unreachable: [], silent: [], findings: [], overrides: [] };
  };

  it('says the populations and thresholds differ, and shows no share change across different thresholds', () => {
    const model = buildReportModel({ stats: twoMinutes(), meta: sampleMeta({ startedAt: '2026-11-30T22:05:00Z' }), compare: { stats: sampleStats(), meta: sampleMeta() } });
    expect(model.notes[0]).toBe('The two tests did not test the same population: 68 countries on 7 June 2023, 6 countries on 30 November 2026. Each share is of its own test\'s population.');
    expect(model.notes[1]).toMatch(/^Tested on 7 June 2023 but not on 30 November 2026: .+ and 52 others\.$/);
    expect(model.notes[2]).toBe('The two tests used different thresholds (15 minutes, 30 minutes, 1 hour, 12 hours and 24 hours on 7 June 2023; 30 seconds, 1 minute and 2 minutes on 30 November 2026): their shares are not compared.');
    const doc = renderHtml(model);
    const key = doc.slice(doc.indexOf('<section class="key"'), doc.indexOf('</section>', doc.indexOf('<section class="key"')));
    expect(key).not.toContain('pts');
    expect(key).not.toMatch(/vs 7 June 2023<\/span>.*vs 7 June 2023<\/span>.*vs 7 June 2023/); // only the failed-address count compares
    const cmp = doc.slice(doc.indexOf('<section id="compare"'));
    expect(cmp).toContain('<p class="note">The two tests used different thresholds');
    // No row has a change: no threshold is shared.
    expect(compareBuckets(sampleStats(), twoMinutes(), en).every((r) => r.share === '' && r.responded === '')).toBe(true);
  });

  it('compares under the shared thresholds only, and says so', () => {
    const earlier = sampleStats();
    const current = sampleStats({ factor: 0.9 });
    current.buckets = bucketsFor(current.countries, current.population, [300, 900, 3600, 86400]);
    const model = buildReportModel({ stats: current, meta: sampleMeta({ startedAt: '2024-06-05T08:00:00Z' }), compare: { stats: earlier, meta: sampleMeta() } });
    expect(model.notes).toEqual(['Shares are compared only under the thresholds both tests used (15 minutes, 1 hour and 24 hours).']);
  });

  it('words the notes in French', () => {
    const model = buildReportModel({ stats: twoMinutes(), meta: sampleMeta({ startedAt: '2026-11-30T22:05:00Z' }), compare: { stats: sampleStats(), meta: sampleMeta() } }, { locale: 'fr' });
    expect(model.notes[0]).toBe('Les deux tests n’ont pas porté sur la même population : 68 pays le 7 juin 2023, 6 pays le 30 novembre 2026. Chaque part est calculée sur la population de son propre test.');
  });
});
