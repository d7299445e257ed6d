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
  it('formats the share in the locale and keeps the English wording', () => {
    const last = bucketLines(sampleStats().buckets, createFormatter('fr')).at(-1)!;
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
