// The bucket figures worded as the 2023 report words them:
//   15 minutes, 24 countries responded, with an average response time of 6 min
//   24 hours, 61 countries responded (89.71%), average response time of 1h 37 min
import type { BucketStat } from '../stats/types.js';
import { thresholdLabel } from '../core/duration.js';
import type { Formatter } from './format.js';

function countries(fmt: Formatter, n: number): string {
  return n === 0 ? 'no country' : `${fmt.int(n)} ${n === 1 ? 'country' : 'countries'}`;
}

/** One line per bucket, without the list marker. The last bucket (the test window) carries the
 * share of the population, as in 2023. */
export function bucketLines(buckets: BucketStat[], fmt: Formatter): string[] {
  return buckets.map((b, i) => {
    const last = i === buckets.length - 1;
    const head = `${thresholdLabel(b.thresholdSeconds)}, ${countries(fmt, b.responded)} responded`;
    if (b.averageSeconds === null || b.responded === 0) return last ? `${head} (${fmt.percent(b.share)})` : head;
    return last
      ? `${head} (${fmt.percent(b.share)}), average response time of ${fmt.duration(b.averageSeconds)}`
      : `${head}, with an average response time of ${fmt.duration(b.averageSeconds)}`;
  });
}
