// The methods section: docs/measurement.md (the measurement rules) in plain words, for readers
// of the report who will not read the tool's documentation, in the report's language.
import type { ReportModel } from './model.js';

export interface MethodsParagraph {
  heading: string;
  text: string;
}

export function methodsText(model: ReportModel): MethodsParagraph[] {
  const { fmt } = model;
  const { stats, meta } = model.current;
  const window = fmt.threshold(stats.buckets.at(-1)?.thresholdSeconds ?? meta.windowSeconds);
  const thresholds = stats.buckets.map((b) => fmt.threshold(b.thresholdSeconds));
  const first = thresholds[0] ?? window;
  const replies = meta.kind === 'replies';
  const population = fmt.n(replies ? 'facts.countries' : 'facts.parties', stats.population);
  const p = (heading: Parameters<typeof fmt.t>[0], text: string): MethodsParagraph => ({ heading: fmt.t(heading), text });
  const paragraphs: MethodsParagraph[] = [
    p('methods.whoHeading', fmt.t(replies ? 'methods.whoReplies' : 'methods.whoRun', { population })),
    p('methods.answerHeading', fmt.t('methods.answer')),
    p('methods.outcomeHeading', fmt.t('methods.outcome')),
    p('methods.timeHeading', fmt.t('methods.time')),
    p('methods.countingHeading', fmt.t('methods.counting', { list: fmt.list(thresholds), first, population: fmt.n('facts.countries', stats.population), window })),
    p('methods.durationsHeading', fmt.t('methods.durations', { a: fmt.duration(360), b: fmt.duration(4260), c: fmt.duration(5820), s: fmt.duration(45) })),
    p('methods.findingsHeading', fmt.t('methods.findings')),
    p('methods.handHeading', fmt.t('methods.hand')),
  ];
  if (replies) paragraphs.push(p('methods.sourceHeading', fmt.t('methods.source')));
  if (model.anonymized) paragraphs.push(p('methods.anonymizationHeading', fmt.t('methods.anonymization')));
  return paragraphs;
}
