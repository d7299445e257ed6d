// Chart labels never overlap: on close values (two thresholds a minute apart with the same share,
// a bar that reaches the population line, tests whose shares coincide) each label is moved or
// dropped. Boxes are measured as the placer measures them (widths of DejaVu Sans, the widest usual
// font); the browser test checks the real boxes in Chromium.
import { describe, expect, it } from 'vitest';
import { bucketBarsSvg, cumulativeChartSvg, historyChartSvg } from '../../src/report/chart.js';
import { createFormatter } from '../../src/report/format.js';
import { LabelPlacer, overlaps, textBox, textWidth, type Box } from '../../src/report/labels.js';
import type { CountryResult, Stats } from '../../src/stats/types.js';
import { bucketsFor, sampleStats } from './sample-stats.js';

const fmt = createFormatter('en');

interface Drawn {
  text: string;
  box: Box;
}

/** Every horizontal text of an SVG with the box it occupies. */
function texts(svg: string): Drawn[] {
  return [...svg.matchAll(/<text(?![^>]*transform)([^>]*)>([^<]*)<\/text>/g)].map((m) => {
    const a = Object.fromEntries([...m[1]!.matchAll(/([a-z-]+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    const text = m[2]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#39;/g, "'").replace(/&quot;/g, '"');
    const anchor = (a['text-anchor'] ?? 'start') as 'start' | 'middle' | 'end';
    return { text, box: textBox(text, { x: Number(a.x), y: Number(a.y), anchor }, Number(a['font-size'] ?? 11), a['font-weight'] === '600') };
  });
}

function overlapping(drawn: Drawn[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < drawn.length; i++) for (let j = i + 1; j < drawn.length; j++) if (overlaps(drawn[i]!.box, drawn[j]!.box, 0)) out.push(`"${drawn[i]!.text}" over "${drawn[j]!.text}"`);
  return out;
}

/** Six countries tested for two minutes, as in the test whose labels read "33.33%33.33%". */
function twoMinuteTest(answered: number[]): Stats {
  const names = ['Albania', 'Andorra', 'Armenia', 'Austria', 'Belgium', 'Chile'];
  const countries: CountryResult[] = names.map((country, i) =>
    i < answered.length ? { country, outcome: 'answered', responseSeconds: answered[i]! } : { country, outcome: 'silent', responseSeconds: null },
  );
  const answeredOnes = countries.filter((c) => c.outcome === 'answered');
  return {
    population: 6,
    buckets: bucketsFor(countries, 6, [30, 60, 90, 120]),
    late: [],
    automaticOnly: [],
    unreachable: [],
    silent: countries.filter((c) => c.outcome === 'silent'),
    findings: [],
    countries,
    overrides: [],
    byChannel: { email: answeredOnes.length },
  };
}

describe('label placement', () => {
  it('measures text on the wide side and never places two labels on each other', () => {
    expect(textWidth('33.33%', 11)).toBeGreaterThan(6 * 11 * 0.55);
    const placer = new LabelPlacer({ x: 0, y: 0, width: 100, height: 42 });
    const a = placer.place('33.33%', [{ x: 50, y: 20, anchor: 'middle' }], 11)!;
    const b = placer.place('33.33%', [{ x: 52, y: 20, anchor: 'middle' }, { x: 52, y: 36, anchor: 'middle' }], 11)!;
    expect(b.y).toBe(36);
    expect(overlaps(a.box, b.box, 0)).toBe(false);
    // No room left at all: the label is dropped rather than drawn over another.
    expect(placer.place('33.33%', [{ x: 50, y: 20, anchor: 'middle' }, { x: 200, y: 20, anchor: 'start' }], 11)).toBeUndefined();
  });

  it('keeps the shares of thresholds a few seconds apart apart on the cumulative chart', () => {
    // Two countries answered in 20 s: 33.33% at 30 s, 1 min, 90 s and 2 min, four marks close together.
    const stats = twoMinuteTest([20, 20]);
    expect(stats.buckets.map((b) => b.share)).toEqual([33.33, 33.33, 33.33, 33.33]);
    const svg = cumulativeChartSvg([{ name: 'x', stats, role: 'current' }], fmt);
    const drawn = texts(svg);
    expect(overlapping(drawn)).toEqual([]);
    // The window's share is always shown; the others where they fit.
    const labels = drawn.filter((d) => d.text === '33.33%');
    expect(labels.length).toBeGreaterThanOrEqual(2);
    expect(svg).not.toContain('33.33%33.33%');
  });

  it('keeps the 2023 chart’s five shares and its axis labels readable', () => {
    const stats = sampleStats();
    const drawn = texts(cumulativeChartSvg([{ name: 'x', stats, role: 'current' }], fmt));
    expect(overlapping(drawn)).toEqual([]);
    for (const b of stats.buckets) expect(drawn.map((d) => d.text)).toContain(fmt.percent(b.share));
    for (const t of ['15 min', '30 min', '1 h', '12 h', '24 h']) expect(drawn.map((d) => d.text)).toContain(t);
  });

  it('moves the population line’s label off a bar that reaches it', () => {
    const full = twoMinuteTest([10, 20, 30, 40, 50, 60]);
    const svg = bucketBarsSvg([{ name: 'x', stats: full, role: 'current' }], fmt);
    const drawn = texts(svg);
    expect(overlapping(drawn)).toEqual([]);
    const label = drawn.find((d) => d.text === '6 countries tested');
    expect(label, 'the population label is drawn').toBeDefined();
    // Not inside any bar either.
    const bars = [...svg.matchAll(/<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="#1f4e79"/g)]
      .map((m) => ({ x: +m[1]!, y: +m[2]!, width: +m[3]!, height: +m[4]! }))
      .filter((b) => b.width > 11); // not the legend's swatch
    expect(bars.length).toBe(4);
    for (const bar of bars) expect(overlaps(label!.box, bar, 0)).toBe(false);
  });

  it('compares a 6-country two-minute test with the 2023 test without a label on another', () => {
    const svgs = [
      cumulativeChartSvg([{ name: '7 June 2023', stats: sampleStats(), role: 'earlier' }, { name: '1 December 2026', stats: twoMinuteTest([20, 20]), role: 'current' }], fmt),
      bucketBarsSvg([{ name: '7 June 2023', stats: sampleStats(), role: 'earlier' }, { name: '1 December 2026', stats: twoMinuteTest([20, 20]), role: 'current' }], fmt),
    ];
    for (const svg of svgs) expect(overlapping(texts(svg))).toEqual([]);
  });

  it('labels the history chart without overlap when tests have the same shares', () => {
    const tests = [
      { label: '7 June 2023', stats: sampleStats() },
      { label: '5 June 2024', stats: sampleStats({ factor: 1.02 }) },
      { label: '4 June 2025', stats: sampleStats() },
      { label: '1 December 2026', stats: twoMinuteTest([20, 20]) },
    ];
    const svg = historyChartSvg(tests, fmt);
    const drawn = texts(svg);
    expect(overlapping(drawn)).toEqual([]);
    // The latest test's shares come first: they are all there.
    for (const b of tests.at(-1)!.stats.buckets) expect(drawn.some((d) => d.text === fmt.percent(b.share))).toBe(true);
  });
});
