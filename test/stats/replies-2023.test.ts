import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { splitQuoted } from '../../src/stats/reply-log.js';
import { formatDuration } from '../../src/core/duration.js';
import { loadStatsSource } from '../../src/stats/source.js';
// @ts-expect-error: a plain .mjs script without types
import { generate } from '../../fixtures/generate-replies.mjs';

const file = new URL('../../fixtures/replies-2023.csv', import.meta.url).pathname;
const text = readFileSync(file, 'utf8');

/** The 2023 annual meeting's table: threshold, countries, share, average as printed. */
const TABLE_2023 = [
  ['15m', 24, 35.29, '6 min'],
  ['30m', 35, 51.47, '11 min'],
  ['1h', 42, 61.76, '17 min'],
  ['12h', 59, 86.76, '1h 11 min'],
  ['24h', 61, 89.71, '1h 37 min'],
];

describe('fixtures/replies-2023.csv', () => {
  it('gives exactly the 2023 table', async () => {
    const { stats, meta } = await loadStatsSource(file);
    expect(stats.population).toBe(68);
    expect(stats.buckets.map((b) => [b.threshold, b.responded, b.share, formatDuration(b.averageSeconds!)])).toEqual(TABLE_2023);
    expect(stats.late).toHaveLength(1);
    expect(stats.late[0]!.responseSeconds).toBeGreaterThan(86400);
    expect(stats.automaticOnly).toHaveLength(2);
    expect(stats.silent).toHaveLength(4);
    expect(meta).toMatchObject({ kind: 'replies', bucketSeconds: [900, 1800, 3600, 43200, 86400], windowSeconds: 86400, startedAt: '2023-06-07T08:00:01.000Z' });
  });

  it('gives the same table counted against the directory of the 68 parties', async () => {
    const { stats } = await loadStatsSource(file, { directory: new URL('../../fixtures/directory.yaml', import.meta.url).pathname });
    expect(stats.population).toBe(68);
    expect(stats.buckets.map((b) => [b.threshold, b.responded, b.share, formatDuration(b.averageSeconds!)])).toEqual(TABLE_2023);
    expect(stats.observers).toBeUndefined();
  });

  it('names the 66 parties of the 2023 summary plus Israel and Liechtenstein', () => {
    const countries = new Set(text.trim().split('\n').slice(1).map((l) => splitQuoted(l)[0]));
    expect(countries.size).toBe(68);
    for (const c of ['Albania', 'Cabo Verde', 'Türkiye', 'United States of America', 'Israel', 'Liechtenstein', 'Tonga']) expect(countries).toContain(c);
  });

  it('holds the awkward cases', () => {
    const rows = text.trim().split('\n').slice(1).map((l) => splitQuoted(l));
    const seconds = (r: string[]) => (r[4] ? (Date.parse(r[4]) - Date.parse(r[3]!)) / 1000 : null);
    const human = rows.filter((r) => r[4] && (r[5] === '' || r[5] === 'reply'));
    expect(human.map(seconds)).toEqual(expect.arrayContaining([900, 1800, 3600, 43200, 90600]));
    expect(rows.some((r) => r[5] === 'auto-reply')).toBe(true);
    expect(rows.some((r) => r[5] === 'bounce')).toBe(true);
    expect(rows.some((r) => r[5] === 'read-receipt')).toBe(true);
    expect(rows.some((r) => r[2] === 'sms') && rows.some((r) => r[2] === 'voice')).toBe(true);
    // An automatic message arriving before the same contact point's human answer.
    expect(
      human.some((h) => rows.some((r) => r[1] === h[1] && r[5] === 'auto-reply' && Date.parse(r[4]!) < Date.parse(h[4]!))),
    ).toBe(true);
    // A country whose slower contact point comes first in the file.
    const first = new Map<string, string[]>();
    let slowerFirst = false;
    for (const r of human) {
      const f = first.get(r[0]!);
      if (!f) first.set(r[0]!, r);
      else if (f[1] !== r[1] && seconds(f)! > seconds(r)!) slowerFirst = true;
    }
    expect(slowerFirst).toBe(true);
    const offsets = new Set(rows.flatMap((r) => [r[3], r[4]]).filter(Boolean).map((t) => /(Z|[+-]\d\d:\d\d)$/.exec(t!)![1]));
    expect(offsets.size).toBeGreaterThanOrEqual(8);
    expect(offsets).toContain('+05:30');
    expect(offsets).toContain('Z');
  });

  it('is what fixtures/generate-replies.mjs writes', () => {
    expect(generate()).toBe(text);
  });
});
