// The cumulative curve of a test: how many countries had answered by each response time, as a
// count and as a share of the population (rounded as the buckets are). Reports draw it.
import { shareHalfUp } from './summarize.js';
import type { Stats } from './types.js';

export interface CurvePoint {
  /** Response time, seconds. */
  seconds: number;
  /** Countries answered at or before `seconds`. */
  count: number;
  /** `count` as a percent of the population, two decimals, half up. */
  share: number;
}

/** Corners of the step curve: one point per distinct response time of the countries that
 * answered within the window. */
export function cumulativeCurve(stats: Pick<Stats, 'countries' | 'population'>): CurvePoint[] {
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
      last.share = shareHalfUp(count, stats.population);
    } else points.push({ seconds: t, count, share: shareHalfUp(count, stats.population) });
  });
  return points;
}
