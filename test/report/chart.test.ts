import { describe, expect, it } from 'vitest';
import { axisStart, axisTime, bucketBarsSvg, cumulativeChartSvg, CURVE_FRAME, shareScale, timeScale } from '../../src/report/chart.js';
import { cumulativeCurve } from '../../src/stats/curve.js';
import { shareHalfUp as shareOf } from '../../src/stats/summarize.js';
import { createFormatter } from '../../src/report/format.js';
import { sampleStats } from './sample-stats.js';

const fmt = createFormatter('en');
const attrs = (svg: string, tag: string, cls: string) =>
  [...svg.matchAll(new RegExp(`<${tag} class="${cls}"[^>]*>`, 'g'))].map((m) =>
    Object.fromEntries([...m[0].matchAll(/([a-z-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

describe('charts', () => {
  it('computes shares half up in integers', () => {
    expect(shareOf(61, 68)).toBe(89.71);
    expect(shareOf(24, 68)).toBe(35.29);
    expect(shareOf(1, 8)).toBe(12.5);
    expect(shareOf(1, 200)).toBe(0.5);
    expect(shareOf(1, 1600)).toBe(0.06); // 0.0625 → 0.06, half up at the third decimal only
    expect(shareOf(1, 400)).toBe(0.25);
    expect(shareOf(3, 0)).toBe(0);
  });
  it('has one curve point per distinct response time, ending at the 24-hour share', () => {
    const s = sampleStats();
    const points = cumulativeCurve(s);
    const times = s.countries.filter((c) => c.outcome === 'answered').map((c) => c.responseSeconds!);
    expect(points.length).toBe(new Set(times).size);
    expect(points.at(-1)).toMatchObject({ count: 61, share: 89.71 });
    // Two countries answered in 2 min: one corner counting both.
    expect(points.find((p) => p.seconds === 120)).toMatchObject({ count: 3 });
    // Every bucket's figure is the curve's value at its threshold (inclusive: 15:00 counts).
    for (const b of s.buckets) expect(points.filter((p) => p.seconds <= b.thresholdSeconds).at(-1)!.count).toBe(b.responded);
  });
  it('writes the points and bucket marks with data attributes matching the statistics', () => {
    const s = sampleStats();
    const svg = cumulativeChartSvg([{ name: '7 June 2023', stats: s, role: 'current' }], fmt);
    const pts = attrs(svg, 'circle', 'point');
    expect(pts.map((p) => Number(p['data-seconds']))).toEqual(cumulativeCurve(s).map((p) => p.seconds));
    expect(pts.map((p) => Number(p['data-share']))).toEqual(cumulativeCurve(s).map((p) => p.share));
    const marks = attrs(svg, 'circle', 'bucket-mark');
    expect(marks.map((m) => [Number(m['data-threshold-seconds']), Number(m['data-count']), Number(m['data-share'])])).toEqual(
      s.buckets.map((b) => [b.thresholdSeconds, b.responded, b.share]),
    );
    // Positions follow the scales: log time, linear share.
    const x = timeScale(60, 86400, CURVE_FRAME);
    const y = shareScale(CURVE_FRAME);
    for (const p of pts) {
      expect(Number(p.cx)).toBeCloseTo(x(Number(p['data-seconds'])), 0);
      expect(Number(p.cy)).toBeCloseTo(y(Number(p['data-share'])), 0);
    }
  });
  it('is accessible: role, title and description naming the figures', () => {
    const svg = cumulativeChartSvg([{ name: 'x', stats: sampleStats(), role: 'current' }], fmt, 'c1');
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-labelledby="c1-title c1-desc"/);
    expect(svg).toContain('<title id="c1-title">Cumulative share of countries that answered</title>');
    expect(svg).toMatch(/<desc id="c1-desc">[^<]*24 h: 61 countries \(89\.71%\)/);
    expect(svg).toContain('logarithmic scale');
  });
  it('draws both curves when comparing, the earlier dashed', () => {
    const svg = cumulativeChartSvg(
      [
        { name: '7 June 2023', stats: sampleStats(), role: 'current' },
        { name: '8 June 2022', stats: sampleStats({ factor: 1.3, answered: 57 }), role: 'earlier' },
      ],
      fmt,
    );
    expect(svg).toMatch(/<g class="series series-earlier" data-name="8 June 2022"[^>]*><path [^>]*stroke-dasharray/);
    expect(svg).toContain('class="series series-current"');
    expect(svg).toContain('8 June 2022</text>');
  });
  it('labels the time axis readably', () => {
    expect([30, 60, 900, 3600, 5400, 43200, 86400].map(axisTime)).toEqual(['30 s', '1 min', '15 min', '1 h', '1 h 30', '12 h', '24 h']);
    expect(axisStart([900, 86400])).toBe(60);
    expect(axisStart([120, 900])).toBe(10);
    expect(axisStart([30, 900])).toBe(1);
  });
  it('draws one bar per bucket with its count', () => {
    const s = sampleStats();
    const svg = bucketBarsSvg([{ name: 'x', stats: s, role: 'current' }], fmt);
    const bars = attrs(svg, 'g', 'bar');
    expect(bars.map((b) => Number(b['data-count']))).toEqual([24, 35, 42, 59, 61]);
    expect(svg).toContain('>≤ 15 min</text>');
    expect(svg).toContain('68 countries tested');
  });
  it('escapes names in charts', () => {
    const svg = cumulativeChartSvg(
      [
        { name: 'x', stats: sampleStats(), role: 'current' },
        { name: '<b>2022</b>', stats: sampleStats(), role: 'earlier' },
      ],
      fmt,
    );
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('&lt;b&gt;2022&lt;/b&gt;');
  });
});
