// The facts at the head of every report (when, how long, who, how), as plain label/value pairs,
// and the small texts several formats share.
import type { OverrideSummary } from '../stats/types.js';
import type { Formatter } from './format.js';
import { automaticKinds, overrideFate } from './outcomes.js';
import { channelLabel, isHandEntered, overrideView, type ReportModel } from './model.js';

/** `7 June 2023 at 09:30 UTC · 11:30 Europe/Paris (UTC+2)`. */
export function whenText(fmt: Formatter, iso: string | undefined): string {
  if (!iso) return fmt.t('facts.notRecorded');
  const utc = fmt.dateTime(iso, 'UTC');
  if (fmt.tz === 'UTC' || fmt.tz === 'Etc/UTC') return fmt.t('facts.whenUtc', { utc });
  // The secretariat's local time, without the date when it is the same day as in UTC.
  const local = fmt.date(iso) === fmt.date(iso, 'UTC') ? fmt.time(iso) : fmt.dateTime(iso);
  return fmt.t('facts.when', { utc, local, zone: fmt.tz, offset: fmt.offset(iso, fmt.tz) });
}

export function reportFacts(model: ReportModel): Array<[string, string]> {
  const { current: cur, fmt, earlier } = model;
  const facts: Array<[string, string]> = [];
  facts.push([fmt.t('facts.testStarted'), whenText(fmt, cur.startedAt)]);
  if (cur.meta.endedAt) facts.push([fmt.t(cur.meta.kind === 'replies' ? 'facts.lastMessage' : 'facts.watchedUntil'), whenText(fmt, cur.meta.endedAt)]);
  const lastThreshold = cur.stats.buckets.at(-1)?.thresholdSeconds || cur.meta.windowSeconds || 86400;
  // A run may watch longer than its last threshold, to record late answers.
  const window = fmt.threshold(lastThreshold);
  const watched = cur.meta.kind !== 'replies' && cur.meta.windowSeconds > lastThreshold;
  facts.push([fmt.t('facts.window'), watched ? fmt.t('facts.watchedFor', { window, watched: fmt.threshold(cur.meta.windowSeconds) }) : window]);
  const pop = fmt.n(cur.meta.kind === 'replies' ? 'facts.countries' : 'facts.parties', cur.stats.population);
  const obs = cur.stats.observers ? ` · ${fmt.n('facts.observersApart', cur.stats.observers.population)}` : '';
  facts.push([fmt.t('facts.population'), pop + obs]);
  facts.push([fmt.t('facts.channels'), cur.channels.map((c) => channelLabel(fmt, c)).join(', ') || fmt.t('facts.notRecorded')]);
  if (earlier) facts.push([fmt.t('facts.comparedWith'), fmt.t('facts.theTestOf', { date: earlier.label })]);
  if (model.anonymized) facts.push([fmt.t('facts.names'), fmt.t('facts.anonymized')]);
  return facts;
}

/** A moment during the test, short: `07:32` on the day the test started (UTC), else `8 June 2023 at 07:32`. */
export function shortUtc(fmt: Formatter, start: string | undefined, iso: string | undefined): string {
  if (!iso) return '';
  return start && fmt.date(iso, 'UTC') === fmt.date(start, 'UTC') ? fmt.time(iso, 'UTC') : fmt.dateTime(iso, 'UTC');
}

/** Where the figures come from, for the footer: `run <id>` or the file name. */
export function sourceText(model: { fmt: Formatter; current: { meta: { runId?: string; path: string } } }): string {
  const meta = model.current.meta;
  return meta.runId ? model.fmt.t('report.sourceRun', { id: meta.runId }) : (meta.path.split(/[\\/]/).pop() ?? meta.path);
}

/** Countries answered per threshold for each kind of contact point (police, prosecution...):
 * head and rows of a small table, or undefined when there is only one kind. */
export function byKindTable(model: ReportModel): { head: string[]; rows: string[][] } | undefined {
  const { stats } = model.current;
  const { fmt } = model;
  const kinds = (['police', 'prosecution', 'other'] as const).filter((k) => stats.byKind?.[k]);
  if (kinds.length < 2) return undefined;
  const head = [fmt.t('results.byKindHead'), ...stats.buckets.map((b) => fmt.t('results.withinThreshold', { threshold: fmt.threshold(b.thresholdSeconds) }))];
  const rows = kinds.map((k) => {
    const g = stats.byKind![k]!;
    return [
      fmt.t('results.kindRow', { kind: fmt.t(`kind.${k}`), countries: fmt.n('facts.countries', g.population) }),
      ...stats.buckets.map((b) => {
        const gb = g.buckets.find((x) => x.thresholdSeconds === b.thresholdSeconds);
        return gb ? `${fmt.int(gb.responded)} (${fmt.percent(gb.share)})` : '—';
      }),
    ];
  });
  return { head, rows };
}

/** `automatic reply, read receipt`: what an automatic-only country sent. Bounces and delay
 * notices are the network's, not an answer of any kind: never listed as automatic answers. */
export function receivedText(fmt: Formatter, received: string[] | undefined): string {
  return automaticKinds(received)
    .map((k) => fmt.t(`received.${k as 'auto-reply'}`))
    .join(', ');
}

/** One override as table cells: when entered, what it concerns, the correction, the answer's time
 * and means (hand-entered answers), the reason. */
export function overrideCells(model: ReportModel, o: OverrideSummary): { when: string; concerning: string; correction: string; answer: string; reason: string } {
  const { fmt } = model;
  const v = overrideView(o);
  const country = o.contactId ? countryOfContact(model, o.contactId) : undefined;
  const concerning = o.contactId
    ? country && !model.anonymized
      ? fmt.t('overrides.contactOf', { contact: o.contactId, country })
      : o.contactId
    : o.messageKey
      ? fmt.t('overrides.message', { key: o.messageKey })
      : '';
  const base = isHandEntered(o) ? fmt.t('overrides.handEntered') : fmt.t(`overrides.${o.as}`);
  const f = overrideFate(o);
  const correction = f.fate === 'applied' ? base : fmt.t(`overrides.${f.fate}`, { correction: base, when: 'when' in f ? fmt.dateTime(f.when, 'UTC') : '' });
  let answer = '';
  if (v.answeredAt) {
    const time = fmt.dateTime(v.answeredAt, 'UTC');
    answer = v.channel ? fmt.t('overrides.answerAtBy', { time, channel: channelLabel(fmt, v.channel) }) : fmt.t('overrides.answerAt', { time });
  } else if (v.channel) answer = channelLabel(fmt, v.channel);
  return { when: fmt.dateTime(o.at, 'UTC'), concerning, correction, answer, reason: o.note };
}

/** The country (as shown) of a contact point, from the results or the findings. */
export function countryOfContact(model: ReportModel, contactId: string): string | undefined {
  const s = model.current.stats;
  const all = [...s.countries, ...(s.observers?.countries ?? []), ...s.findings, ...(s.observers?.findings ?? [])];
  // Else by the usual id convention (`GH-POL` is Ghana's), when the country has an ISO code.
  const prefix = contactId.split('-')[0]!.toUpperCase();
  return (all.find((c) => c.contactId === contactId) ?? all.find((c) => c.iso?.toUpperCase() === prefix))?.country;
}

/** Whether any override carries a hand-entered answer's time or means (the table gets a column). */
export function overridesHaveAnswers(overrides: OverrideSummary[]): boolean {
  return overrides.some((o) => o.handEntered !== undefined);
}

