// Charts as inline SVG, written by hand: the cumulative share of countries answered over the
// test window (a step curve, logarithmic time axis so that 15 minutes and 24 hours are both
// readable, bucket thresholds marked), and the countries counted per bucket. Every data point
// carries data- attributes (data-seconds, data-count, data-share) so tests can check them.
import type { Stats } from '../stats/types.js';
import { esc } from './escape.js';
import type { Formatter } from './format.js';

export interface CurvePoint {
  /** Response time, seconds. */
  seconds: number;
  /** Countries answered at or before `seconds`. */
  count: number;
  /** `count` as a percent of the population, two decimals, half up. */
  share: number;
}

/** Percent, two decimals, half up, computed in integers (no binary rounding surprises). */
export function shareOf(count: number, population: number): number {
  if (population <= 0) return 0;
  return Math.floor((2 * count * 10000 + population) / (2 * population)) / 100;
}

/** Corners of the step curve: one point per distinct response time of the countries that
 * answered within the window. */
export function cumulativeCurve(stats: Stats): CurvePoint[] {
  const times = stats.countries
    .filter((c) => c.outcome === 'answered' && c.responseSeconds !== null)
    .map((c) => c.responseSeconds!)
    .sort((a, b) => a - b);
  const points: CurvePoint[] = [];
  times.forEach((t, i) => {
    const count = i + 1;
    const last = points.at(-1);
    if (last && last.seconds === t) {
      last.count = count;
      last.share = shareOf(count, stats.population);
    } else points.push({ seconds: t, count, share: shareOf(count, stats.population) });
  });
  return points;
}

/** Axis label of a time: `30 s`, `15 min`, `1 h`, `24 h`, `1 h 30`. */
export function axisTime(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return seconds % 60 === 0 ? `${seconds / 60} min` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`;
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

  const desc =
    `Step curve of the share of the ${fmt.int(current.stats.population)} countries that had answered, against the time since the test message was sent (logarithmic scale). ` +
    current.stats.buckets.map((b) => `${axisTime(b.thresholdSeconds)}: ${fmt.int(b.responded)} countries (${fmt.percent(b.share)})`).join('; ') +
    '.' +
    (series.length > 1 ? ` Dashed grey: the earlier test, ${series.filter((s) => s.role === 'earlier').map((s) => s.name).join(', ')}.` : '');
  parts.push(svgOpen(id, f, 'Cumulative share of countries that answered', desc, 'chart chart-curve'));

  // Grid and y axis (share).
  for (const s of [0, 20, 40, 60, 80, 100]) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${n1(y(s))}" y2="${n1(y(s))}" stroke="${s === 0 ? COLOR.axis : COLOR.grid}" stroke-width="1"/>`);
    parts.push(`<text x="${f.left - 8}" y="${n1(y(s) + 4)}" text-anchor="end" font-size="11" fill="${COLOR.muted}">${esc(fmt.percent(s, 0))}</text>`);
  }
  const samePopulation = series.every((s) => s.stats.population === current.stats.population);
  const yTitle = samePopulation ? `Countries answered (% of ${fmt.int(current.stats.population)})` : 'Countries answered (% of those tested)';
  parts.push(
    `<text transform="translate(14 ${n1((f.top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="11.5" fill="${COLOR.muted}">${esc(yTitle)}</text>`,
  );

  // x axis: nice ticks (light) and the thresholds (dashed, labelled in bold).
  const labelled: number[] = [];
  for (const t of thresholds) labelled.push(x(t));
  for (const t of NICE_TICKS.filter((t) => t >= min && t <= max && !thresholds.includes(t))) {
    const px = x(t);
    parts.push(`<line x1="${n1(px)}" x2="${n1(px)}" y1="${f.top}" y2="${plotBottom}" stroke="${COLOR.grid}" stroke-width="1"/>`);
    if (labelled.every((l) => Math.abs(l - px) >= 46)) {
      labelled.push(px);
      parts.push(`<text x="${n1(px)}" y="${plotBottom + 16}" text-anchor="middle" font-size="11" fill="${COLOR.muted}">${esc(axisTime(t))}</text>`);
    }
  }
  for (const b of current.stats.buckets) {
    const px = x(b.thresholdSeconds);
    parts.push(
      `<line class="threshold" x1="${n1(px)}" x2="${n1(px)}" y1="${f.top}" y2="${plotBottom}" stroke="${COLOR.threshold}" stroke-width="1" stroke-dasharray="4 3"/>`,
      `<text x="${n1(px)}" y="${plotBottom + 16}" text-anchor="middle" font-size="11.5" font-weight="600" fill="${COLOR.ink}">${esc(axisTime(b.thresholdSeconds))}</text>`,
    );
  }
  parts.push(
    `<text x="${n1((f.left + f.width - f.right) / 2)}" y="${f.height - 12}" text-anchor="middle" font-size="11.5" fill="${COLOR.muted}">Time since the test message was sent (logarithmic scale; dashed lines: bucket thresholds)</text>`,
  );

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

  // Bucket markers on the current curve, with their share.
  parts.push('<g class="bucket-marks">');
  current.stats.buckets.forEach((b) => {
    const px = x(b.thresholdSeconds);
    const py = y(b.share);
    parts.push(
      `<circle class="bucket-mark" cx="${n1(px)}" cy="${n1(py)}" r="4.5" fill="#fff" stroke="${COLOR.current}" stroke-width="2" data-threshold-seconds="${b.thresholdSeconds}" data-count="${b.responded}" data-share="${b.share}"/>`,
      `<text x="${n1(px - 7)}" y="${n1(py - 8)}" text-anchor="end" font-size="11" font-weight="600" fill="${COLOR.current}">${esc(fmt.percent(b.share))}</text>`,
    );
  });
  parts.push('</g>');

  if (series.length > 1) parts.push(legend(series, f.left + 12, f.top + 6, 'line'));
  parts.push('</svg>');
  return parts.join('');
}

function legend(series: Series[], x0: number, y0: number, kind: 'line' | 'box', layout: 'column' | 'row' = 'column'): string {
  const items = [...series].sort((a, b) => (a.role === b.role ? 0 : a.role === 'earlier' ? 1 : -1));
  let out = `<g class="legend" font-size="11.5" fill="${COLOR.ink}">`;
  items.forEach((s, i) => {
    const xx = layout === 'row' ? x0 + i * 220 : x0;
    const yy = layout === 'row' ? y0 : y0 + i * 18;
    const color = s.role === 'current' ? COLOR.current : COLOR.earlier;
    out +=
      kind === 'line'
        ? `<line x1="${xx}" x2="${xx + 22}" y1="${yy}" y2="${yy}" stroke="${color}" stroke-width="2"${s.role === 'earlier' ? ' stroke-dasharray="6 4"' : ''}/>`
        : `<rect x="${xx}" y="${yy - 6}" width="12" height="12" fill="${color}"/>`;
    out += `<text x="${xx + (kind === 'line' ? 28 : 18)}" y="${yy + 4}">${esc(s.name)}${s.role === 'current' ? ' (this test)' : ''}</text>`;
  });
  return out + '</g>';
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
  const desc =
    `Bars: countries that answered within each threshold (cumulative). ` +
    current.stats.buckets.map((b) => `${axisTime(b.thresholdSeconds)}: ${fmt.int(b.responded)}`).join('; ') +
    `, of ${fmt.int(current.stats.population)} countries tested.`;
  parts.push(svgOpen(id, f, 'Countries that answered, by bucket', desc, 'chart chart-bars'));

  const step = top > 50 ? 10 : top > 20 ? 5 : top > 8 ? 2 : 1;
  for (let v = 0; v <= top; v += step) {
    parts.push(`<line x1="${f.left}" x2="${f.width - f.right}" y1="${n1(y(v))}" y2="${n1(y(v))}" stroke="${v === 0 ? COLOR.axis : COLOR.grid}" stroke-width="1"/>`);
    parts.push(`<text x="${f.left - 8}" y="${n1(y(v) + 4)}" text-anchor="end" font-size="11" fill="${COLOR.muted}">${esc(fmt.int(v))}</text>`);
  }
  // Population line: the whole of the bar's possible height.
  parts.push(
    `<line x1="${f.left}" x2="${f.width - f.right}" y1="${n1(y(current.stats.population))}" y2="${n1(y(current.stats.population))}" stroke="${COLOR.threshold}" stroke-dasharray="4 3"/>`,
    `<text x="${f.width - f.right}" y="${n1(y(current.stats.population) - 6)}" text-anchor="end" font-size="11" fill="${COLOR.muted}">${esc(fmt.int(current.stats.population))} countries tested</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${n1((f.top + plotBottom) / 2)}) rotate(-90)" text-anchor="middle" font-size="11.5" fill="${COLOR.muted}">Countries</text>`,
  );

  thresholds.forEach((t, i) => {
    const cx = f.left + slot * (i + 0.5);
    parts.push(`<text x="${n1(cx)}" y="${plotBottom + 17}" text-anchor="middle" font-size="11.5" font-weight="600" fill="${COLOR.ink}">${esc(`≤ ${axisTime(t)}`)}</text>`);
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
      parts.push(
        `<text x="${n1(bx + w / 2)}" y="${n1(y(b.responded) - 5)}" text-anchor="middle" font-size="11.5" font-weight="600" fill="${s.role === 'current' ? COLOR.ink : COLOR.muted}">${esc(fmt.int(b.responded))}</text>`,
      );
    });
  });
  parts.push(
    `<text x="${n1((f.left + f.width - f.right) / 2)}" y="${f.height - 14}" text-anchor="middle" font-size="11.5" fill="${COLOR.muted}">Answered within (cumulative)</text>`,
  );
  if (ordered.length > 1) parts.push(legend(series, f.left, 14, 'box', 'row'));
  else {
    const lx = f.left;
    const ly = 8;
    parts.push(
      `<g class="legend" font-size="11" fill="${COLOR.ink}">`,
      `<rect x="${lx}" y="${ly}" width="11" height="11" fill="${COLOR.currentLight}"/><text x="${lx + 16}" y="${ly + 9.5}">counted at the previous threshold</text>`,
      `<rect x="${lx + 210}" y="${ly}" width="11" height="11" fill="${COLOR.current}"/><text x="${lx + 226}" y="${ly + 9.5}">new within this threshold</text>`,
      '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
