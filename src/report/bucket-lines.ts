// The bucket figures worded as the annual meeting's report words them, in the report's language:
//   15 minutes, 24 countries responded, with an average response time of 6 min
//   24 hours, 61 countries responded (89.71%), average response time of 1h 37 min
//   15 minutes : 24 pays ont répondu, avec un temps de réponse moyen de 6 min
import type { BucketStat } from '../stats/types.js';
import type { Formatter } from './format.js';

/** The parts of a Formatter the lines need (the terminal builds a lighter one). */
export type LineWording = Pick<Formatter, 't' | 'n' | 'percent' | 'duration' | 'threshold'>;

/** One line per bucket, without the list marker. The last bucket (the test window) carries the
 * share of the population, as in 2023. */
export function bucketLines(buckets: BucketStat[], fmt: LineWording): string[] {
  return buckets.map((b, i) => {
    const last = i === buckets.length - 1;
    const vars = {
      threshold: fmt.threshold(b.thresholdSeconds),
      responded: fmt.n('lines.responded', b.responded),
      share: fmt.percent(b.share),
      average: fmt.duration(b.averageSeconds),
    };
    const none = b.averageSeconds === null || b.responded === 0;
    if (last) return fmt.t(none ? 'lines.lastNone' : 'lines.last', vars);
    return fmt.t(none ? 'lines.bucketNone' : 'lines.bucket', vars);
  });
}
