// The JSON export: the statistics exactly as `rollcall stats --json` gives them (seconds, shares in
// percent, outcomes as codes, country names as computed: JSON is for programs, whatever the
// report's language), plus the source's meta and what the report was made with.
import type { ReportModel } from './model.js';

export function renderJson(model: ReportModel): string {
  const { current, earlier } = model;
  const doc = {
    report: {
      title: model.title,
      ...(model.network ? { network: model.network } : {}),
      locale: model.fmt.locale,
      language: model.fmt.language,
      tz: model.fmt.tz,
      anonymized: model.anonymized,
      generator: model.generator,
      ...(model.notes.length ? { notes: model.notes } : {}),
    },
    meta: current.meta,
    stats: current.data,
    ...(earlier ? { compare: { meta: earlier.meta, stats: earlier.data } } : {}),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
