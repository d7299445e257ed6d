import { describe, expect, it } from 'vitest';
import { bucketStats, medianOf, shareHalfUp, summarize, type PopulationMember } from '../../src/stats/summarize.js';
import { KIND_BIT, ResponseTally } from '../../src/stats/tally.js';
import { formatDuration } from '../../src/core/duration.js';

const T0 = Date.UTC(2023, 5, 7, 8, 0, 0);
const DEFAULT = [900, 1800, 3600, 43200, 86400];
const members = (...names: string[]): PopulationMember[] => names.map((n) => ({ key: n, country: n }));

/** A tally where each country's single contact point replies after the given seconds. */
function tallyOf(times: Record<string, number | null>): ResponseTally {
  const t = new ResponseTally();
  for (const [country, s] of Object.entries(times)) {
    const c = t.contact(country, `${country}-POL`);
    if (s !== null) c.add('email', T0, T0 + s * 1000, KIND_BIT.reply);
  }
  return t;
}

describe('shares', () => {
  it('are percentages with two decimals, rounded half up in integers', () => {
    expect(shareHalfUp(61, 68)).toBe(89.71);
    expect(shareHalfUp(24, 68)).toBe(35.29);
    expect(shareHalfUp(1, 3)).toBe(33.33);
    expect(shareHalfUp(2, 3)).toBe(66.67);
    // 1/8 = 12.5 % exactly; 1/16 = 6.25 %; 1/32 = 3.125 % → 3.13 (half up), 1/1600 = 0.0625 % → 0.06
    expect(shareHalfUp(1, 32)).toBe(3.13);
    expect(shareHalfUp(3, 800)).toBe(0.38); // 0.375 → 0.38
    expect(shareHalfUp(1, 1600)).toBe(0.06); // 0.0625 → 0.06
    expect(shareHalfUp(68, 68)).toBe(100);
    expect(shareHalfUp(0, 68)).toBe(0);
    expect(shareHalfUp(0, 0)).toBe(0);
  });
});

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(medianOf([1, 5, 9])).toBe(5);
    expect(medianOf([1, 5, 9, 11])).toBe(7);
    expect(medianOf([1, 2])).toBe(2); // 1.5 half up
    expect(medianOf([10, 20, 30, 40], 3)).toBe(20);
    expect(medianOf([])).toBeNull();
  });
});

describe('buckets', () => {
  it('are cumulative and inclusive to the millisecond', () => {
    const b = bucketStats([899_999, 900_000, 900_001, 1_800_000, 1_800_001], 10, [900, 1800]);
    expect(b.map((x) => x.responded)).toEqual([2, 4]);
    expect(b[0]).toMatchObject({ threshold: '15m', thresholdSeconds: 900, share: 20, averageSeconds: 900, medianSeconds: 900 }); // 899.9995 s: half up to the ms
    expect(b[1]!.averageSeconds).toBe(1125); // (899.999 + 900 + 900.001 + 1800) / 4
  });
  it('report no average or median for an empty bucket', () => {
    expect(bucketStats([], 5, [900])[0]).toEqual({ threshold: '15m', thresholdSeconds: 900, responded: 0, share: 0, averageSeconds: null, medianSeconds: null });
  });
  it('keep milliseconds in the mean (JSON keeps seconds)', () => {
    expect(bucketStats([1000, 2001], 2, [60])[0]!.averageSeconds).toBe(1.501);
  });
});

describe('summarize', () => {
  it('counts a country at exactly 15:00 in the 15-minute bucket, and one second more in the next', () => {
    const s = summarize(tallyOf({ A: 900, B: 901, C: null }), members('A', 'B', 'C'), { bucketSeconds: DEFAULT });
    expect(s.buckets.map((b) => b.responded)).toEqual([1, 2, 2, 2, 2]);
    expect(s.population).toBe(3);
    expect(s.buckets[4]!.share).toBe(66.67);
  });

  it('takes the shortest response time among a country’s contact points', () => {
    const t = new ResponseTally();
    t.contact('A', 'A-POL').add('email', T0, T0 + 3000_000, KIND_BIT.reply);
    t.contact('A', 'A-PRO').add('email', T0 + 5000, T0 + 5000 + 240_000, KIND_BIT.reply);
    const s = summarize(t, members('A'), { bucketSeconds: DEFAULT });
    expect(s.countries[0]).toMatchObject({ country: 'A', outcome: 'answered', responseSeconds: 240, contactId: 'A-PRO', channel: 'email' });
    expect(s.countries[0]!.sentAt).toBe(new Date(T0 + 5000).toISOString());
  });

  it("times a contact point by its first acknowledgement by arrival, against that answer's ping", () => {
    const t = new ResponseTally();
    const c = t.contact('A', 'A-POL');
    // e-mail ping at T0 answered at +6 min; SMS ping at +5 min answered at +7 min (2 min after it).
    c.add('sms', T0 + 300_000, T0 + 420_000, KIND_BIT.reply);
    c.add('email', T0, T0 + 360_000, KIND_BIT.reply);
    expect(summarize(t, members('A'), { bucketSeconds: DEFAULT }).countries[0]!.responseSeconds).toBe(360);
  });

  it('ignores automatic answers for timing: automatic-only when nothing human came', () => {
    const t = new ResponseTally();
    t.contact('A', 'A-POL').add('email', T0, T0 + 5000, KIND_BIT['auto-reply']);
    t.contact('A', 'A-POL').add('email', T0, T0 + 600_000, KIND_BIT.reply);
    t.contact('B', 'B-POL').add('email', T0, T0 + 5000, KIND_BIT['auto-reply']);
    t.contact('C', 'C-POL').add('email', T0, T0 + 4000, KIND_BIT.bounce);
    t.contact('C', 'C-PRO').add('email', T0, T0 + 9000, KIND_BIT['read-receipt']);
    t.contact('D', 'D-POL');
    const s = summarize(t, members('A', 'B', 'C', 'D'), { bucketSeconds: DEFAULT });
    expect(s.countries.find((c) => c.country === 'A')).toMatchObject({ outcome: 'answered', responseSeconds: 600, received: ['reply', 'auto-reply'] });
    expect(s.automaticOnly.map((c) => [c.country, c.received])).toEqual([
      ['B', ['auto-reply']],
      ['C', ['bounce', 'read-receipt']],
    ]);
    expect(s.silent.map((c) => c.country)).toEqual(['D']);
    expect(s.buckets[0]!.responded).toBe(1);
  });

  it('records an answer after the last threshold as late, in no bucket', () => {
    const s = summarize(tallyOf({ A: 86400, B: 86401, C: 120 }), members('A', 'B', 'C'), { bucketSeconds: DEFAULT });
    expect(s.buckets[4]!.responded).toBe(2);
    expect(s.late.map((c) => [c.country, c.responseSeconds])).toEqual([['B', 86401]]);
  });

  it('uses custom thresholds: the last one is the window', () => {
    const s = summarize(tallyOf({ A: 200, B: 700, C: 4000 }), members('A', 'B', 'C'), { bucketSeconds: [300, 900, 3600] });
    expect(s.buckets.map((b) => [b.threshold, b.responded])).toEqual([
      ['5m', 1],
      ['15m', 2],
      ['1h', 2],
    ]);
    expect(s.late.map((c) => c.country)).toEqual(['C']);
  });

  it('counts members absent from the tally as silent and sorts countries by time, then name', () => {
    const s = summarize(tallyOf({ B: 60, A: 60, C: 30 }), members('A', 'B', 'C', 'Z', 'Y'), { bucketSeconds: DEFAULT });
    expect(s.countries.map((c) => c.country)).toEqual(['C', 'A', 'B', 'Y', 'Z']);
    expect(s.silent.map((c) => c.country)).toEqual(['Y', 'Z']);
    expect(s.population).toBe(5);
    expect(s.byChannel).toEqual({ email: 3 });
  });

  it('gives the mean and median of the counted countries, formatted as in 2023', () => {
    const s = summarize(tallyOf({ A: 300, B: 420, C: 360, D: 2000 }), members('A', 'B', 'C', 'D'), { bucketSeconds: DEFAULT });
    expect(s.buckets[0]).toMatchObject({ responded: 3, averageSeconds: 360, medianSeconds: 360 });
    expect(formatDuration(s.buckets[0]!.averageSeconds!)).toBe('6 min');
    expect(s.buckets[2]).toMatchObject({ responded: 4, averageSeconds: 770, medianSeconds: 390 });
  });
});

describe('compareNames', () => {
  it('sorts country names alphabetically with accents folded', async () => {
    const { compareNames } = await import('../../src/stats/summarize.js');
    expect(['Uruguay', 'Türkiye', 'Åland Islands', 'Tonga', 'austria', 'Côte d’Ivoire', 'Czech Republic'].sort(compareNames)).toEqual([
      'Åland Islands',
      'austria',
      'Côte d’Ivoire',
      'Czech Republic',
      'Tonga',
      'Türkiye',
      'Uruguay',
    ]);
  });
});
