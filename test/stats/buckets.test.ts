import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { DEFAULT_BUCKET_SECONDS, parseBuckets } from '../../src/stats/buckets.js';

describe('parseBuckets', () => {
  it('parses the default thresholds to seconds', () => {
    expect(parseBuckets('15m,30m,1h,12h,24h')).toEqual([...DEFAULT_BUCKET_SECONDS]);
  });
  it('sorts, drops duplicates and tolerates spaces', () => {
    expect(parseBuckets(' 1h, 5m ,15m,60m')).toEqual([300, 900, 3600]);
    expect(parseBuckets('90s,1h30m,2d')).toEqual([90, 5400, 172800]);
  });
  it('refuses malformed lists with a usage error naming the entry', () => {
    expect(() => parseBuckets('15m,abc')).toThrow(UsageError);
    expect(() => parseBuckets('15m,abc')).toThrow(/"abc"/);
    expect(() => parseBuckets('')).toThrow(/at least one/);
    expect(() => parseBuckets('15m,,1h')).toThrow(/empty/);
    expect(() => parseBuckets('0m')).toThrow(UsageError);
    expect(() => parseBuckets('1.5s')).toThrow(/whole number/);
  });
});
