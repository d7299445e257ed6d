// Problems of the test itself (webhooks that never arrived), in the report's language: a
// sentence each, for every format that shows the findings.
import type { TestProblem } from '../stats/phone-findings.js';
import type { Messages } from './i18n.js';

export function testProblemSentences(w: Pick<Messages, 't' | 'n'>, problems: readonly TestProblem[] | undefined, when: (iso: string) => string): string[] {
  return (problems ?? []).map((p) =>
    w.n('testProblems.webhooksMissing', p.pingIds.length, {
      since: when(p.since),
      until: p.until ? w.t('testProblems.until', { until: when(p.until) }) : '',
      channel: w.t(`channel.${p.channel}`),
    }),
  );
}
