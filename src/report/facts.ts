// The facts at the head of every report (when, how long, who, how), as plain label/value pairs.
import { thresholdLabel } from '../core/duration.js';
import { CHANNEL_LABEL, KIND_LABEL, RECEIVED_LABEL, type ReportModel } from './model.js';

/** `7 June 2023, 09:30 UTC · 7 June 2023, 11:30 Europe/Paris (UTC+2)`. */
export function whenText(model: ReportModel, iso: string | undefined): string {
  if (!iso) return 'not recorded';
  const { fmt } = model;
  const utc = `${fmt.dateTime(iso, 'UTC')} UTC`;
  if (fmt.tz === 'UTC' || fmt.tz === 'Etc/UTC') return utc;
  // The secretariat's local time, without the date when it is the same day as in UTC.
  const local = fmt.date(iso) === fmt.date(iso, 'UTC') ? fmt.time(iso) : fmt.dateTime(iso);
  return `${utc} · ${local} ${fmt.tz} (${fmt.offset(iso, fmt.tz)})`;
}

export function reportFacts(model: ReportModel): Array<[string, string]> {
  const { current: cur, fmt, earlier } = model;
  const facts: Array<[string, string]> = [];
  facts.push(['Test started', whenText(model, cur.startedAt)]);
  if (cur.meta.endedAt) facts.push([cur.meta.kind === 'replies' ? 'Last message in the log' : 'Watched until', whenText(model, cur.meta.endedAt)]);
  const lastThreshold = cur.stats.buckets.at(-1)?.thresholdSeconds || cur.meta.windowSeconds || 86400;
  // A run may watch longer than its last threshold, to record late answers.
  const watched = cur.meta.kind !== 'replies' && cur.meta.windowSeconds > lastThreshold ? ` (answers watched for ${thresholdLabel(cur.meta.windowSeconds)})` : '';
  facts.push(['Window', thresholdLabel(lastThreshold) + watched]);
  const pop = `${fmt.int(cur.stats.population)} ${cur.meta.kind === 'replies' ? 'countries' : 'Parties'}`;
  const obs = cur.stats.observers ? ` · ${fmt.int(cur.stats.observers.population)} ${cur.stats.observers.population === 1 ? 'observer' : 'observers'}, counted separately` : '';
  facts.push(['Population', pop + obs]);
  facts.push(['Channels', cur.channels.map((c) => CHANNEL_LABEL[c] ?? c).join(', ') || 'not recorded']);
  if (earlier) facts.push(['Compared with', `the test of ${earlier.label}`]);
  if (model.anonymized) facts.push(['Names', 'anonymized: countries are shown as numbered labels']);
  return facts;
}

/** A moment during the test, short: `07:32` on the day the test started (UTC), else `8 June 2023, 07:32`. */
export function shortUtc(model: ReportModel, iso: string | undefined): string {
  if (!iso) return '';
  const { fmt } = model;
  const start = model.current.startedAt;
  return start && fmt.date(iso, 'UTC') === fmt.date(start, 'UTC') ? fmt.time(iso, 'UTC') : fmt.dateTime(iso, 'UTC');
}

/** Where the figures come from, for the footer: `run <id>` or the file name. */
export function sourceText(model: ReportModel): string {
  const meta = model.current.meta;
  return meta.runId ? `run ${meta.runId}` : (meta.path.split(/[\\/]/).pop() ?? meta.path);
}

/** Countries answered per threshold for each kind of contact point (police, prosecution...):
 * head and rows of a small table, or undefined when there is only one kind. */
export function byKindTable(model: ReportModel): { head: string[]; rows: string[][] } | undefined {
  const { stats } = model.current;
  const { fmt } = model;
  const kinds = (['police', 'prosecution', 'other'] as const).filter((k) => stats.byKind?.[k]);
  if (kinds.length < 2) return undefined;
  const head = ['Contact points', ...stats.buckets.map((b) => `Within ${thresholdLabel(b.thresholdSeconds)}`)];
  const rows = kinds.map((k) => {
    const g = stats.byKind![k]!;
    return [
      `${KIND_LABEL[k]} (${fmt.int(g.population)} ${g.population === 1 ? 'country' : 'countries'})`,
      ...stats.buckets.map((b) => {
        const gb = g.buckets.find((x) => x.thresholdSeconds === b.thresholdSeconds);
        return gb ? `${fmt.int(gb.responded)} (${fmt.percent(gb.share)})` : '—';
      }),
    ];
  });
  return { head, rows };
}

/** `automatic reply, read receipt`: what an automatic-only country sent. */
export function receivedText(received: string[] | undefined): string {
  return (received ?? []).filter((k) => k !== 'reply').map((k) => RECEIVED_LABEL[k] ?? k).join(', ');
}
