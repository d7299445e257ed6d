// The JSON export: the statistics exactly as `rollcall stats --json` gives them (seconds, shares in
// percent), plus the source's meta and what the report was made with.
import type { ReportModel } from './model.js';

export function renderJson(model: ReportModel): string {
  const { current, earlier } = model;
  const doc = {
    report: {
      title: model.title,
      ...(model.network ? { network: model.network } : {}),
      locale: model.fmt.locale,
      tz: model.fmt.tz,
      anonymized: model.anonymized,
      generator: model.generator,
    },
    meta: current.meta,
    stats: current.stats,
    ...(earlier ? { compare: { meta: earlier.meta, stats: earlier.stats } } : {}),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
