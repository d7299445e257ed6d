// Charts as inline SVG, written by hand: the cumulative share of countries answered over the
// test window (a step curve, logarithmic time axis so that 15 minutes and 24 hours are both
// readable, bucket thresholds marked), the countries counted per bucket, and the share answered
// per threshold across several tests (--history). Every data point carries data- attributes
// (data-seconds, data-count, data-share) so tests can check them. Text labels go through
// LabelPlacer: moved, or dropped, never drawn over one another.
import type { Stats } from '../stats/types.js';
import { cumulativeCurve } from '../stats/curve.js';
import { esc } from './escape.js';
import type { Formatter } from './format.js';
import { axisTimeIn } from './wording.js';
import { LabelPlacer, textBox, type Box, type LabelSpot, type PlacedLabel } from './labels.js';

const ENGLISH_AXIS = { t: (key: string, vars?: Record<string, string | number>) => englishAxis(key, vars ?? {}) };
function englishAxis(key: string, v: Record<string, string | number>): string {
  switch (key) {
    case 'axis.seconds':
      return `${v.n} s`;
    case 'axis.minutes':
      return `${v.n} min`;
    case 'axis.minutesSeconds':
      return `${v.m} min ${v.s} s`;
    case 'axis.hours':
      return `${v.n} h`;
    default:
      return `${v.h} h ${v.mm}`;
  }
}

/** Axis label of a time in English: `30 s`, `15 min`, `1 h`, `24 h`, `1 h 30`. */
export function axisTime(seconds: number): string {
  return axisTimeIn(ENGLISH_AXIS, seconds);
}

const NICE_TICKS = [1, 5, 10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 345600, 604800];

const COLOR = {
  ink: '#1d2330',
  muted: '#5b6474',
  grid: '#e4e7ec',
  axis: '#9aa2ae',
  threshold: '#aab1bc',
  current: '#1f4e79',
  currentLight: '#b7cbe0',
  earlier: '#8c96a5',
};

/** One colour per threshold in the history chart, shortest first; told apart also by their label. */
const THRESHOLD_COLORS = ['#1f4e79', '#c0392b', '#2e7d32', '#b9770e', '#6c3483', '#117a8b', '#7b5e3b', '#555555'];

export interface Series {
  /** Legend name: the test's date. */
  name: string;
  stats: Stats;
  /** The test this report is about (solid, dark) or the earlier one it is compared with. */
  role: 'current' | 'earlier';
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

const n1 = (v: number) => String(Math.round(v * 10) / 10);

/** The log time scale of the cumulative chart: from `min` (left edge) to `max` (the window). */
export function timeScale(min: number, max: number, frame: Frame) {
  const a = Math.log10(min);
  const b = Math.log10(max);
  const x0 = frame.left;
  const x1 = frame.width - frame.right;
  return (seconds: number) => x0 + ((Math.log10(Math.min(Math.max(seconds, min), max)) - a) / (b - a)) * (x1 - x0);
}

export function shareScale(frame: Frame) {
  const y0 = frame.height - frame.bottom;
  const y1 = frame.top;
  return (share: number) => y0 - (share / 100) * (y0 - y1);
}

/** Left edge of the time axis: one minute, or less when a threshold is shorter than 4 minutes. */
export function axisStart(thresholds: number[]): number {
  const smallest = Math.min(...thresholds);
  return [60, 10, 1].find((t) => t <= smallest / 4) ?? 1;
}

export const CURVE_FRAME: Frame = { width: 760, height: 340, left: 58, right: 22, top: 26, bottom: 58 };

function svgOpen(id: string, frame: Frame, title: string, desc: string, cls: string): string {
  return (
    `<svg class="${cls}" id="${esc(id)}" viewBox="0 0 ${frame.width} ${frame.height}" role="img" aria-labelledby="${esc(id)}-title ${esc(id)}-desc" xmlns="http://www.w3.org/2000/svg">` +
    `<title id="${esc(id)}-title">${esc(title)}</title><desc id="${esc(id)}-desc">${esc(desc)}</desc>`
  );
}

interface TextStyle {
  size: number;
  bold?: boolean;
  fill: string;
  cls?: string;
}

function text(label: PlacedLabel | (LabelSpot & { text: string }), style: TextStyle): string {
  return (
    `<text${style.cls ? ` class="${style.cls}"` : ''} x="${n1(label.x)}" y="${n1(label.y)}" text-anchor="${label.anchor}" font-size="${style.size}"` +
    `${style.bold ? ' font-weight="600"' : ''} fill="${style.fill}">${esc(label.text)}</text>`
  );
}

/** Draws `label` at the first free spot, or nothing. */
function placed(placer: LabelPlacer, label: string, spots: LabelSpot[], style: TextStyle): string {
  const p = placer.place(label, spots, style.size, style.bold);
  return p ? text(p, style) : '';
}

const whole = (f: Frame): Box => ({ x: 0, y: 0, width: f.width, height: f.height });

/** Small boxes along a line, so that no label is drawn across it. */
function segmentBoxes(x1: number, y1: number, x2: number, y2: number): Box[] {
  const steps = Math.max(1, Math.ceil(Math.hypot(x2 - x1, y2 - y1) / 4));
  return Array.from({ length: steps + 1 }, (_, k) => {
    const t = k / steps;
    return { x: x1 + (x2 - x1) * t - 1.5, y: y1 + (y2 - y1) * t - 1.5, width: 3, height: 3 };
  });
}
const dot = (x: number, y: number, r: number): Box => ({ x: x - r, y: y - r, width: 2 * r, height: 2 * r });

/** The cumulative share of countries answered over the window, one step curve per test. */
export function cumulativeChartSvg(series: Series[], fmt: Formatter, id = 'curve'): string {
  const f = CURVE_FRAME;
  const current = series.find((s) => s.role === 'current') ?? series[0]!;
  const thresholds = current.stats.buckets.map((b) => b.thresholdSeconds);
  const all = series.flatMap((s) => s.stats.buckets.map((b) => b.thresholdSeconds));
  const min = axisStart(all.length ? all : [86400]);
  const max = Math.max(...(all.length ? all : [86400]));
  const x = timeScale(min, max, f);
  const y = shareScale(f);
  const plotBottom = f.height - f.bottom;
  const parts: string[] = [];
  const placer = new LabelPlacer(whole(f));

  const figures = current.stats.buckets
    .map((b) => fmt.t('chart.curveDescFigure', { time: fmt.axisTime(b.thresholdSeconds), countries: fmt.n('facts.countries', b.responded), share: fmt.percent(b.share) }))
    .join('; ');
  const earlierNames = series.filter((s) => s.role === 'earlier').map((s) => s.name);
  const desc =
    fmt.t('chart.curveDesc', { population: fmt.int(current.stats.population), figures }) +
    (earlierNames.length ? ` ${fmt.t('chart.curveDescEarlier', { names: fmt.list(earlierNames) })}` : '');
  parts.push(svgOpen(id, f, fmt.t('chart.curveTitle'), desc, 'chart chart-curve'));

  // Grid and y axis (share).
  for (const s of [0, 20, 40, 60, 80, 100]) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${n1(y(s))}" y2="${n1(y(s))}" stroke="${s === 0 ? COLOR.axis : COLOR.grid}" stroke-width="1"/>`);
    parts.push(placed(placer, fmt.percent(s, 0), [{ x: f.left - 8, y: y(s) + 4, anchor: 'end' }], { size: 11, fill: COLOR.muted }));
  }
  const samePopulation = series.every((s) => s.stats.population === current.stats.population);
  const yTitle = samePopulation ? fmt.t('chart.curveYSame', { population: fmt.int(current.stats.population) }) : fmt.t('chart.curveYMixed');
  parts.push(
    `<text transform="translate(14 ${n1((f.top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="11.5" fill="${COLOR.muted}">${esc(yTitle)}</text>`,
  );
  const xTitle = { x: (f.left + f.width - f.right) / 2, y: f.height - 12, anchor: 'middle' as const, text: fmt.t('chart.curveX') };
  placer.block(textBox(xTitle.text, xTitle, 11.5));
  parts.push(text(xTitle, { size: 11.5, fill: COLOR.muted }));

  // x axis: the thresholds (dashed, labelled in bold, on a second line when two are close), then
  // nice ticks (light) where there is room.
  const belowAxis = (px: number): LabelSpot[] => [
    { x: px, y: plotBottom + 16, anchor: 'middle' },
    { x: px, y: plotBottom + 30, anchor: 'middle' },
  ];
  for (const b of current.stats.buckets) {
    const px = x(b.thresholdSeconds);
    parts.push(
      `<line class="threshold" x1="${n1(px)}" x2="${n1(px)}" y1="${f.top}" y2="${plotBottom}" stroke="${COLOR.threshold}" stroke-width="1" stroke-dasharray="4 3"/>`,
      placed(placer, fmt.axisTime(b.thresholdSeconds), belowAxis(px), { size: 11.5, bold: true, fill: COLOR.ink }),
    );
  }
  for (const t of NICE_TICKS.filter((t) => t >= min && t <= max && !thresholds.includes(t))) {
    const px = x(t);
    parts.push(`<line x1="${n1(px)}" x2="${n1(px)}" y1="${f.top}" y2="${plotBottom}" stroke="${COLOR.grid}" stroke-width="1"/>`);
    // Light ticks keep their distance from the thresholds' labels, so the axis does not crowd.
    const p = placer.place(fmt.axisTime(t), [{ x: px, y: plotBottom + 16, anchor: 'middle' }], 11, false, 8);
    if (p) parts.push(text(p, { size: 11, fill: COLOR.muted }));
  }

  // Legend first, so that no label covers it.
  if (series.length > 1) {
    const lg = legend(series, f.left + 12, f.top + 6, 'line', fmt);
    placer.block(lg.box);
    parts.push(lg.svg);
  }

  // Curves: the earlier test first, so the current one is drawn on top.
  const ordered = [...series].sort((a, b) => (a.role === b.role ? 0 : a.role === 'earlier' ? -1 : 1));
  for (const s of ordered) {
    const points = cumulativeCurve(s.stats);
    const start = points.filter((p) => p.seconds <= min).at(-1)?.share ?? 0;
    let d = `M${n1(x(min))} ${n1(y(start))}`;
    for (const p of points) d += ` H${n1(x(p.seconds))} V${n1(y(p.share))}`;
    d += ` H${n1(x(max))}`;
    const color = s.role === 'current' ? COLOR.current : COLOR.earlier;
    parts.push(
      `<g class="series series-${s.role}" data-name="${esc(s.name)}" data-population="${s.stats.population}">`,
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="${s.role === 'current' ? 2.25 : 1.75}"${s.role === 'earlier' ? ' stroke-dasharray="6 4"' : ''} stroke-linejoin="round"/>`,
    );
    for (const p of points) {
      parts.push(
        `<circle class="point" cx="${n1(x(p.seconds))}" cy="${n1(y(p.share))}" r="${s.role === 'current' ? 2.4 : 1.8}" fill="${color}" data-seconds="${p.seconds}" data-count="${p.count}" data-share="${p.share}"/>`,
      );
    }
    parts.push('</g>');
  }

  // Bucket markers on the current curve, each with its share where it fits: above left of the
  // mark, else above right, below right, below left, or higher up; else no label.
  const marks = current.stats.buckets.map((b) => ({ b, px: x(b.thresholdSeconds), py: y(b.share) }));
  for (const m of marks) placer.block(dot(m.px, m.py, 5));
  parts.push('<g class="bucket-marks">');
  for (const { b, px, py } of marks) {
    parts.push(
      `<circle class="bucket-mark" cx="${n1(px)}" cy="${n1(py)}" r="4.5" fill="#fff" stroke="${COLOR.current}" stroke-width="2" data-threshold-seconds="${b.thresholdSeconds}" data-count="${b.responded}" data-share="${b.share}"/>`,
    );
  }
  // The longest threshold (the window) first: its share is the headline figure.
  for (const { b, px, py } of [...marks].reverse()) {
    parts.push(
      placed(
        placer,
        fmt.percent(b.share),
        [
          { x: px - 7, y: py - 8, anchor: 'end' },
          { x: px + 7, y: py - 8, anchor: 'start' },
          { x: px + 7, y: py + 16, anchor: 'start' },
          { x: px - 7, y: py + 16, anchor: 'end' },
          { x: px - 7, y: py - 22, anchor: 'end' },
          { x: px + 7, y: py - 22, anchor: 'start' },
        ],
        { size: 11, bold: true, fill: COLOR.current, cls: 'bucket-label' },
      ),
    );
  }
  parts.push('</g>');
  parts.push('</svg>');
  return parts.join('');
}

function legend(series: Series[], x0: number, y0: number, kind: 'line' | 'box', fmt: Formatter, layout: 'column' | 'row' = 'column'): { svg: string; box: Box } {
  const items = [...series].sort((a, b) => (a.role === b.role ? 0 : a.role === 'earlier' ? 1 : -1));
  let out = `<g class="legend" font-size="11.5" fill="${COLOR.ink}">`;
  let right = x0;
  let xx = x0;
  items.forEach((s, i) => {
    const yy = layout === 'row' ? y0 : y0 + i * 18;
    if (layout === 'column') xx = x0;
    const color = s.role === 'current' ? COLOR.current : COLOR.earlier;
    const name = s.role === 'current' ? fmt.t('chart.thisTest', { name: s.name }) : s.name;
    const tx = xx + (kind === 'line' ? 28 : 18);
    out +=
      kind === 'line'
        ? `<line x1="${xx}" x2="${xx + 22}" y1="${yy}" y2="${yy}" stroke="${color}" stroke-width="2"${s.role === 'earlier' ? ' stroke-dasharray="6 4"' : ''}/>`
        : `<rect x="${xx}" y="${yy - 6}" width="12" height="12" fill="${color}"/>`;
    out += `<text x="${tx}" y="${yy + 4}">${esc(name)}</text>`;
    const end = tx + textBox(name, { x: tx, y: yy + 4, anchor: 'start' }, 11.5).width;
    right = Math.max(right, end);
    if (layout === 'row') xx = end + 24;
  });
  const rows = layout === 'row' ? 1 : items.length;
  return { svg: out + '</g>', box: { x: x0 - 2, y: y0 - 9, width: right - x0 + 4, height: rows * 18 } };
}

export const BARS_FRAME: Frame = { width: 760, height: 300, left: 58, right: 22, top: 40, bottom: 64 };

/** Countries counted in each bucket (cumulative, as in the table). With one test, each bar shows
 * in a darker shade the countries that joined at that threshold; with two, bars side by side. */
export function bucketBarsSvg(series: Series[], fmt: Formatter, id = 'bars'): string {
  const f = BARS_FRAME;
  const current = series.find((s) => s.role === 'current') ?? series[0]!;
  const ordered = [...series].sort((a, b) => (a.role === b.role ? 0 : a.role === 'earlier' ? -1 : 1));
  const thresholds = [...new Set(series.flatMap((s) => s.stats.buckets.map((b) => b.thresholdSeconds)))].sort((a, b) => a - b);
  const top = Math.max(1, ...series.map((s) => s.stats.population));
  const plotBottom = f.height - f.bottom;
  const y = (n: number) => plotBottom - (n / top) * (plotBottom - f.top);
  const slot = (f.width - f.left - f.right) / Math.max(1, thresholds.length);
  const barWidth = Math.min(64, (slot * 0.62) / ordered.length);
  const parts: string[] = [];
  const placer = new LabelPlacer(whole(f));
  const figures = current.stats.buckets.map((b) => fmt.t('chart.barsDescFigure', { time: fmt.axisTime(b.thresholdSeconds), count: fmt.int(b.responded) })).join('; ');
  const desc = fmt.t('chart.barsDesc', { figures, population: fmt.int(current.stats.population) });
  parts.push(svgOpen(id, f, fmt.t('chart.barsTitle'), desc, 'chart chart-bars'));

  const step = top > 50 ? 10 : top > 20 ? 5 : top > 8 ? 2 : 1;
  for (let v = 0; v <= top; v += step) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${n1(y(v))}" y2="${n1(y(v))}" stroke="${v === 0 ? COLOR.axis : COLOR.grid}" stroke-width="1"/>`);
    parts.push(placed(placer, fmt.int(v), [{ x: f.left - 8, y: y(v) + 4, anchor: 'end' }], { size: 11, fill: COLOR.muted }));
  }
  parts.push(
    `<text transform="translate(14 ${n1((f.top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="11.5" fill="${COLOR.muted}">${esc(fmt.t('chart.barsY'))}</text>`,
  );
  const xTitle = { x: (f.left + f.width - f.right) / 2, y: f.height - 14, anchor: 'middle' as const, text: fmt.t('chart.barsX') };
  placer.block(textBox(xTitle.text, xTitle, 11.5));
  parts.push(text(xTitle, { size: 11.5, fill: COLOR.muted }));

  // Legend at the top, reserved before any label.
  if (ordered.length > 1) {
    const lg = legend(series, f.left, 14, 'box', fmt, 'row');
    placer.block(lg.box);
    parts.push(lg.svg);
  } else {
    const lx = f.left;
    const ly = 8;
    const second = lx + 18 + textBox(fmt.t('chart.barsPrevious'), { x: lx + 16, y: ly + 9.5, anchor: 'start' }, 11).width + 24;
    parts.push(
      `<g class="legend" font-size="11" fill="${COLOR.ink}">`,
      `<rect x="${lx}" y="${ly}" width="11" height="11" fill="${COLOR.currentLight}"/><text x="${lx + 16}" y="${ly + 9.5}">${esc(fmt.t('chart.barsPrevious'))}</text>`,
      `<rect x="${n1(second)}" y="${ly}" width="11" height="11" fill="${COLOR.current}"/><text x="${n1(second + 16)}" y="${ly + 9.5}">${esc(fmt.t('chart.barsNew'))}</text>`,
      '</g>',
    );
    const end = second + 16 + textBox(fmt.t('chart.barsNew'), { x: second + 16, y: ly + 9.5, anchor: 'start' }, 11).width;
    placer.block({ x: lx, y: ly - 2, width: end - lx, height: 15 });
  }

  const counts: Array<{ label: string; spots: LabelSpot[]; fill: string }> = [];
  thresholds.forEach((t, i) => {
    const cx = f.left + slot * (i + 0.5);
    parts.push(placed(placer, fmt.t('chart.atMost', { time: fmt.axisTime(t) }), [{ x: cx, y: plotBottom + 17, anchor: 'middle' }, { x: cx, y: plotBottom + 31, anchor: 'middle' }], { size: 11.5, bold: true, fill: COLOR.ink }));
    ordered.forEach((s, j) => {
      const b = s.stats.buckets.find((bb) => bb.thresholdSeconds === t);
      if (!b) return;
      const bx = cx - (barWidth * ordered.length) / 2 + j * barWidth + 1;
      const w = barWidth - 2;
      const color = s.role === 'current' ? COLOR.current : COLOR.earlier;
      const attrs = `data-role="${s.role}" data-threshold-seconds="${t}" data-count="${b.responded}" data-share="${b.share}"`;
      if (ordered.length === 1) {
        const k = s.stats.buckets.indexOf(b);
        const before = k > 0 ? s.stats.buckets[k - 1]!.responded : 0;
        parts.push(
          `<g class="bar" ${attrs}>`,
          `<rect x="${n1(bx)}" y="${n1(y(before))}" width="${n1(w)}" height="${n1(plotBottom - y(before))}" fill="${COLOR.currentLight}"/>`,
          `<rect x="${n1(bx)}" y="${n1(y(b.responded))}" width="${n1(w)}" height="${n1(y(before) - y(b.responded))}" fill="${color}"/>`,
          '</g>',
        );
      } else {
        parts.push(`<rect class="bar" ${attrs} x="${n1(bx)}" y="${n1(y(b.responded))}" width="${n1(w)}" height="${n1(plotBottom - y(b.responded))}" fill="${color}"/>`);
      }
      placer.block({ x: bx, y: y(b.responded), width: w, height: plotBottom - y(b.responded) });
      const top = y(b.responded);
      counts.push({
        label: fmt.int(b.responded),
        spots: [
          { x: bx + w / 2, y: top - 5, anchor: 'middle' },
          { x: bx + w / 2, y: top - 18, anchor: 'middle' },
        ],
        fill: s.role === 'current' ? COLOR.ink : COLOR.muted,
      });
    });
  });
  // The counts on the bars first; the population line's label only where it then fits.
  for (const c of counts) parts.push(placed(placer, c.label, c.spots, { size: 11.5, bold: true, fill: c.fill }));
  const py = y(current.stats.population);
  parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${n1(py)}" y2="${n1(py)}" stroke="${COLOR.threshold}" stroke-dasharray="4 3"/>`);
  parts.push(
    placed(
      placer,
      fmt.n('chart.barsTested', current.stats.population),
      [
        { x: f.width - f.right, y: py - 6, anchor: 'end' },
        { x: f.width - f.right, y: py + 14, anchor: 'end' },
        { x: f.left + 4, y: py - 6, anchor: 'start' },
        { x: f.left + 4, y: py + 14, anchor: 'start' },
        { x: (f.left + f.width - f.right) / 2, y: py - 6, anchor: 'middle' },
      ],
      { size: 11, fill: COLOR.muted, cls: 'population-label' },
    ),
  );
  parts.push('</svg>');
  return parts.join('');
}

export interface HistoryTest {
  /** The test's date, as the x axis names it. */
  label: string;
  stats: Stats;
}

export const HISTORY_FRAME: Frame = { width: 760, height: 360, left: 58, right: 30, top: 50, bottom: 58 };

/** The share answered within each threshold, test by test: one line per threshold (those of the
 * tests that used it), one point per test. */
export function historyChartSvg(tests: HistoryTest[], fmt: Formatter, id = 'history'): string {
  const f = HISTORY_FRAME;
  const plotBottom = f.height - f.bottom;
  const y = shareScale(f);
  const span = f.width - f.left - f.right;
  // Tests spaced evenly, with half a step of margin at each end.
  const x = (i: number) => f.left + (span * (i + 0.5)) / Math.max(1, tests.length);
  const thresholds = [...new Set(tests.flatMap((t) => t.stats.buckets.map((b) => b.thresholdSeconds)))].sort((a, b) => a - b);
  const color = (t: number) => THRESHOLD_COLORS[thresholds.indexOf(t) % THRESHOLD_COLORS.length]!;
  const parts: string[] = [];
  const placer = new LabelPlacer(whole(f));

  const figures = thresholds
    .map((t) =>
      fmt.t('history.chartDescFigure', {
        threshold: fmt.threshold(t),
        values: tests
          .flatMap((test) => {
            const b = test.stats.buckets.find((bb) => bb.thresholdSeconds === t);
            return b ? [fmt.t('history.chartDescValue', { label: test.label, share: fmt.percent(b.share) })] : [];
          })
          .join(', '),
      }),
    )
    .join('; ');
  parts.push(svgOpen(id, f, fmt.t('history.chartTitle'), fmt.t('history.chartDesc', { figures }), 'chart chart-history'));

  for (const s of [0, 20, 40, 60, 80, 100]) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${n1(y(s))}" y2="${n1(y(s))}" stroke="${s === 0 ? COLOR.axis : COLOR.grid}" stroke-width="1"/>`);
    parts.push(placed(placer, fmt.percent(s, 0), [{ x: f.left - 8, y: y(s) + 4, anchor: 'end' }], { size: 11, fill: COLOR.muted }));
  }
  parts.push(
    `<text transform="translate(14 ${n1((f.top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="11.5" fill="${COLOR.muted}">${esc(fmt.t('history.chartY'))}</text>`,
  );
  const xTitle = { x: (f.left + f.width - f.right) / 2, y: f.height - 12, anchor: 'middle' as const, text: fmt.t('history.chartX') };
  placer.block(textBox(xTitle.text, xTitle, 11.5));
  parts.push(text(xTitle, { size: 11.5, fill: COLOR.muted }));
  tests.forEach((t, i) => {
    parts.push(`<line x1="${n1(x(i))}" x2="${n1(x(i))}" y1="${f.top}" y2="${plotBottom}" stroke="${COLOR.grid}" stroke-width="1"/>`);
    parts.push(placed(placer, t.label, [{ x: x(i), y: plotBottom + 17, anchor: 'middle' }, { x: x(i), y: plotBottom + 31, anchor: 'middle' }], { size: 11.5, bold: true, fill: COLOR.ink }));
  });

  // Legend: one entry per threshold, in a row above the plot (wrapping when long).
  let lx = f.left;
  let ly = 16;
  parts.push(`<g class="legend" font-size="11.5" fill="${COLOR.ink}">`);
  for (const t of thresholds) {
    const name = fmt.threshold(t);
    const w = 30 + textBox(name, { x: 0, y: 0, anchor: 'start' }, 11.5).width;
    if (lx + w > f.width - f.right) {
      lx = f.left;
      ly += 18;
    }
    parts.push(
      `<line x1="${n1(lx)}" x2="${n1(lx + 20)}" y1="${ly}" y2="${ly}" stroke="${color(t)}" stroke-width="2.25"/><circle cx="${n1(lx + 10)}" cy="${ly}" r="3.5" fill="${color(t)}"/>`,
      `<text x="${n1(lx + 26)}" y="${ly + 4}">${esc(name)}</text>`,
    );
    placer.block({ x: lx, y: ly - 9, width: w, height: 18 });
    lx += w + 18;
  }
  parts.push('</g>');

  // Lines and points; every point is reserved before any value label is placed.
  const points: Array<{ t: number; i: number; px: number; py: number; share: number }> = [];
  for (const t of thresholds) {
    const mine = tests.flatMap((test, i) => {
      const b = test.stats.buckets.find((bb) => bb.thresholdSeconds === t);
      return b ? [{ i, b }] : [];
    });
    parts.push(`<g class="history-series" data-threshold-seconds="${t}">`);
    // A line joins only tests next to each other that both used the threshold.
    for (let k = 1; k < mine.length; k++) {
      const a = mine[k - 1]!;
      const b = mine[k]!;
      if (b.i !== a.i + 1) continue;
      parts.push(`<line x1="${n1(x(a.i))}" y1="${n1(y(a.b.share))}" x2="${n1(x(b.i))}" y2="${n1(y(b.b.share))}" stroke="${color(t)}" stroke-width="2.25"/>`);
      for (const box of segmentBoxes(x(a.i), y(a.b.share), x(b.i), y(b.b.share))) placer.block(box);
    }
    for (const { i, b } of mine) {
      parts.push(
        `<circle class="history-point" cx="${n1(x(i))}" cy="${n1(y(b.share))}" r="4" fill="${color(t)}" stroke="#fff" stroke-width="1" data-test="${esc(tests[i]!.label)}" data-test-index="${i}" data-threshold-seconds="${t}" data-count="${b.responded}" data-share="${b.share}" data-population="${tests[i]!.stats.population}"/>`,
      );
      points.push({ t, i, px: x(i), py: y(b.share), share: b.share });
      placer.block(dot(x(i), y(b.share), 4.5));
    }
    parts.push('</g>');
  }
  // Value labels: the latest test first (the figure the meeting discusses), then the others; one
  // label for points that coincide (several thresholds at the same share), in ink.
  const order = [...points].sort((a, b) => b.i - a.i || b.t - a.t);
  const labelled = new Set<string>();
  parts.push('<g class="history-labels">');
  for (const p of order) {
    const at = `${p.i}:${p.share}`;
    if (labelled.has(at)) continue;
    labelled.add(at);
    const shared = points.filter((q) => q.i === p.i && q.share === p.share).length > 1;
    parts.push(
      placed(
        placer,
        fmt.percent(p.share),
        [
          { x: p.px + 8, y: p.py + 4, anchor: 'start' },
          { x: p.px - 8, y: p.py + 4, anchor: 'end' },
          { x: p.px, y: p.py - 9, anchor: 'middle' },
          { x: p.px, y: p.py + 17, anchor: 'middle' },
          { x: p.px + 8, y: p.py - 8, anchor: 'start' },
          { x: p.px + 8, y: p.py + 16, anchor: 'start' },
          { x: p.px - 8, y: p.py - 8, anchor: 'end' },
          { x: p.px - 8, y: p.py + 16, anchor: 'end' },
        ],
        { size: 10.5, bold: true, fill: shared ? COLOR.ink : color(p.t), cls: 'history-label' },
      ),
    );
  }
  parts.push('</g></svg>');
  return parts.join('');
}
