import { describe, expect, it } from 'vitest';
import { compareBuckets, compareOutcomes, countDelta, durationDelta, pointsDelta } from '../../src/report/compare.js';
import { createFormatter } from '../../src/report/format.js';
import { bucketsFor, sampleStats } from './sample-stats.js';

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
