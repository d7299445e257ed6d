import { describe, expect, it } from 'vitest';
import { bucketLines } from '../../src/report/bucket-lines.js';
import { createFormatter } from '../../src/report/format.js';
import type { BucketStat } from '../../src/stats/types.js';
import { sampleStats } from './sample-stats.js';

describe('the 2023 report lines', () => {
  it('words the sample exactly as the 2023 report', () => {
    expect(bucketLines(sampleStats().buckets, createFormatter('en'))).toEqual([
      '15 minutes, 24 countries responded, with an average response time of 6 min',
      '30 minutes, 35 countries responded, with an average response time of 11 min',
      '1 hour, 42 countries responded, with an average response time of 17 min',
      '12 hours, 59 countries responded, with an average response time of 1h 11 min',
      '24 hours, 61 countries responded (89.71%), average response time of 1h 37 min',
    ]);
  });
  it('words the lines in French with --locale fr', () => {
    const lines = bucketLines(sampleStats().buckets, createFormatter('fr')).map((l) => l.replace(/[\u00a0\u202f]/g, ' '));
    expect(lines).toEqual([
      '15 minutes : 24 pays ont répondu, avec un temps de réponse moyen de 6 min',
      '30 minutes : 35 pays ont répondu, avec un temps de réponse moyen de 11 min',
      '1 heure : 42 pays ont répondu, avec un temps de réponse moyen de 17 min',
      '12 heures : 59 pays ont répondu, avec un temps de réponse moyen de 1 h 11 min',
      '24 heures : 61 pays ont répondu (89,71 %), temps de réponse moyen de 1 h 37 min',
    ]);
    // French plural rules: 0 and 1 take the singular (Intl.PluralRules), with a word for none.
    const b = (responded: number): BucketStat => ({ threshold: '', thresholdSeconds: 900, responded, share: 0, averageSeconds: 60, medianSeconds: 60 });
    expect(bucketLines([b(0), b(1), b(2)], createFormatter('fr'))).toEqual([
      '15 minutes : aucun pays n’a répondu',
      '15 minutes : 1 pays a répondu, avec un temps de réponse moyen de 1 min',
      '15 minutes : 2 pays ont répondu (0,00\u00a0%), temps de réponse moyen de 1 min',
    ]);
  });
  it('keeps the English wording for a locale without a catalogue, numbers in that locale', () => {
    const last = bucketLines(sampleStats().buckets, createFormatter('de')).at(-1)!;
    expect(last.replace(/[\u00a0\u202f]/g, ' ')).toBe('24 hours, 61 countries responded (89,71 %), average response time of 1h 37 min');
  });
  it('says "no country" and "1 country", and has no average when none answered', () => {
    const b = (t: number, responded: number, avg: number | null, share: number): BucketStat => ({
      threshold: '', thresholdSeconds: t, responded, share, averageSeconds: avg, medianSeconds: avg,
    });
    expect(bucketLines([b(300, 0, null, 0), b(900, 1, 45, 10), b(5400, 3, 700, 30)], createFormatter('en'))).toEqual([
      '5 minutes, no country responded',
      '15 minutes, 1 country responded, with an average response time of 45 s',
      '1h 30 min, 3 countries responded (30.00%), average response time of 12 min',
    ]);
  });
});
