// What every report format shows, computed once: title, dates in UTC and the secretariat's zone,
// per-country rows with local time of day, labels. Anonymization happens here, after local times
// are derived from the real time zones (which are then dropped).
import { readFileSync } from 'node:fs';
import type { ChannelName, OverrideClass } from '../core/events.js';
import type { SourceMeta } from '../stats/source.js';
import type { CountryOutcome, CountryResult, FindingStatus, Stats } from '../stats/types.js';
import { thresholdLabel } from '../core/duration.js';
import { anonymizeStats, countryLabels } from './anonymize.js';
import { checkTimeZone, createFormatter, hourIn, isoLocal, periodOfDay, type Formatter } from './format.js';

export interface ReportOptions {
  locale?: string;
  anonymize?: boolean;
  title?: string;
  /** The secretariat's IANA zone; default the run's (`meta.tz`), else UTC. */
  tz?: string;
}

export interface ReportInput {
  stats: Stats;
  meta: SourceMeta;
  compare?: { stats: Stats; meta: SourceMeta };
}

export interface CountryRow {
  country: string;
  iso?: string;
  status?: 'party' | 'observer';
  outcome: CountryOutcome;
  outcomeLabel: string;
  responseSeconds: number | null;
  /** `6 min`, or empty. */
  response: string;
  /** Smallest bucket the country falls in (`15 minutes`), `after 24 hours` when late, else empty. */
  within: string;
  contactId?: string;
  channel?: ChannelName;
  sentAt?: string;
  answeredAt?: string;
  timezone?: string;
  /** At the contact point when the ping arrived: `11:30 (UTC+2)`; a period of day when anonymized. */
  localTime: string;
  /** The same as local ISO 8601 with offset (`2023-06-07T11:30:00+02:00`), for CSV; not when anonymized. */
  localIso?: string;
}

export interface TestView {
  stats: Stats;
  meta: SourceMeta;
  /** Short name of the test for column headers: its date. */
  label: string;
  startedAt?: string;
  channels: ChannelName[];
  rows: CountryRow[];
  observerRows: CountryRow[];
}

export interface ReportModel {
  title: string;
  network?: string;
  fmt: Formatter;
  anonymized: boolean;
  current: TestView;
  earlier?: TestView;
  /** `rollcall 0.1.0`. */
  generator: string;
}

export const OUTCOME_LABEL: Record<CountryOutcome, string> = {
  answered: 'Answered',
  late: 'Late',
  'automatic-only': 'Automatic reply only',
  unreachable: 'Unreachable',
  silent: 'No answer',
};

export const CHANNEL_LABEL: Record<ChannelName, string> = { email: 'e-mail', sms: 'SMS', voice: 'voice call', sim: 'simulated' };

export const FINDING_LABEL: Record<FindingStatus, string> = {
  failed: 'failed',
  delayed: 'delayed',
  'no-answer': 'no answer',
  uncertain: 'uncertain (sending not confirmed)',
};

export const RECEIVED_LABEL: Record<string, string> = {
  reply: 'reply',
  'auto-reply': 'automatic reply',
  bounce: 'bounce',
  delay: 'delay notice',
  'read-receipt': 'read receipt',
};

export const KIND_LABEL: Record<string, string> = { police: 'Police', prosecution: 'Prosecution', other: 'Other' };

export const OVERRIDE_LABEL: Record<OverrideClass, string> = {
  reply: 'counted as a reply',
  automatic: 'counted as an automatic reply',
  'not-an-answer': 'not counted as an answer',
};

function generator(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return `rollcall ${pkg.version ?? ''}`.trim();
  } catch {
    return 'rollcall';
  }
}

function firstSent(stats: Stats): string | undefined {
  let min: string | undefined;
  let minMs = Infinity;
  for (const c of [...stats.countries, ...(stats.observers?.countries ?? [])]) {
    const ms = c.sentAt ? Date.parse(c.sentAt) : NaN;
    if (ms < minMs) {
      minMs = ms;
      min = c.sentAt;
    }
  }
  return min;
}

function localTime(c: CountryResult, fmt: Formatter, anonymize: boolean): { text: string; iso?: string } {
  if (!c.sentAt || !c.timezone) return { text: '' };
  try {
    if (anonymize) return { text: periodOfDay(hourIn(c.sentAt, c.timezone)) };
    return { text: `${fmt.time(c.sentAt, c.timezone)} (${fmt.offset(c.sentAt, c.timezone)})`, iso: isoLocal(c.sentAt, c.timezone) };
  } catch {
    return { text: '' }; // a zone Intl does not know: no local time rather than a wrong one
  }
}

function rowsOf(original: CountryResult[], shown: CountryResult[], stats: Stats, fmt: Formatter, anonymize: boolean): CountryRow[] {
  // Local times come from the real zones; anonymized rows are matched back by position in the
  // original order before they are re-sorted.
  const local = new Map<CountryResult, { text: string; iso?: string }>();
  original.forEach((c, i) => local.set(shown[i]!, localTime(c, fmt, anonymize)));
  const windowSeconds = stats.buckets.at(-1)?.thresholdSeconds;
  const sorted = [...shown].sort(
    (a, b) => (a.responseSeconds ?? Infinity) - (b.responseSeconds ?? Infinity) || a.country.localeCompare(b.country, fmt.locale),
  );
  return sorted.map((c) => {
    const bucket = c.outcome === 'answered' && c.responseSeconds !== null ? stats.buckets.find((b) => c.responseSeconds! <= b.thresholdSeconds) : undefined;
    const row: CountryRow = {
      country: c.country,
      outcome: c.outcome,
      outcomeLabel: OUTCOME_LABEL[c.outcome],
      responseSeconds: c.responseSeconds,
      response: c.responseSeconds === null ? '' : fmt.duration(c.responseSeconds),
      within: bucket ? thresholdLabel(bucket.thresholdSeconds) : c.outcome === 'late' && windowSeconds ? `after ${thresholdLabel(windowSeconds)}` : '',
      localTime: local.get(c)?.text ?? '',
    };
    const iso = local.get(c)?.iso;
    if (iso) row.localIso = iso;
    for (const k of ['iso', 'status', 'contactId', 'channel', 'sentAt', 'answeredAt', 'timezone'] as const) {
      if (c[k] !== undefined) (row as unknown as Record<string, unknown>)[k] = c[k];
    }
    return row;
  });
}

function view(stats: Stats, meta: SourceMeta, fmt: Formatter, labels: Map<string, string> | undefined): TestView {
  const anonymize = labels !== undefined;
  const shown = labels ? anonymizeStats(stats, labels) : stats;
  // anonymizeStats re-sorts; rebuild the positional pairing from the original order.
  const pair = (orig: CountryResult[]) => (labels ? orig.map((c) => ({ ...c, country: labels.get(c.country) ?? c.country, iso: undefined, contactId: undefined, timezone: undefined })) : orig);
  const startedAt = meta.startedAt ?? firstSent(stats);
  const channels = new Set<ChannelName>((meta.channels ?? []) as ChannelName[]);
  for (const k of Object.keys(stats.byChannel) as ChannelName[]) channels.add(k);
  for (const c of stats.countries) if (c.channel) channels.add(c.channel);
  const strip = (rows: CountryRow[]) =>
    rows.map((r) => {
      if (!anonymize) return r;
      const { iso: _i, contactId: _c, timezone: _t, ...rest } = r;
      return rest as CountryRow;
    });
  return {
    stats: shown,
    meta,
    label: startedAt ? fmt.date(startedAt) : meta.runId ?? meta.path,
    ...(startedAt ? { startedAt } : {}),
    channels: [...channels],
    rows: strip(rowsOf(stats.countries, pair(stats.countries), shown, fmt, anonymize)),
    observerRows: stats.observers ? strip(rowsOf(stats.observers.countries, pair(stats.observers.countries), shown, fmt, anonymize)) : [],
  };
}

function knownZone(zone: string): boolean {
  try {
    checkTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}

export function buildReportModel(input: ReportInput, opts: ReportOptions = {}): ReportModel {
  // An explicit --tz must be valid (UsageError); a run's recorded zone that Intl does not know
  // (e.g. `Europe/Strasbourg`, not an IANA name) falls back to UTC rather than failing the report.
  const tz = opts.tz ?? (input.meta.tz && knownZone(input.meta.tz) ? input.meta.tz : 'UTC');
  const fmt = createFormatter(opts.locale ?? 'en', tz);
  const labels = opts.anonymize ? countryLabels(input.stats, ...(input.compare ? [input.compare.stats] : [])) : undefined;
  const current = view(input.stats, input.meta, fmt, labels);
  const network = input.meta.network;
  const date = current.startedAt ? fmt.date(current.startedAt) : '';
  const title = opts.title?.trim() || [network ? `${network} responsiveness test` : 'Responsiveness test', date].filter(Boolean).join(' ');
  const model: ReportModel = { title, fmt, anonymized: Boolean(opts.anonymize), current, generator: generator() };
  if (network) model.network = network;
  if (input.compare) {
    model.earlier = view(input.compare.stats, input.compare.meta, fmt, labels);
    if (model.earlier.label === current.label) {
      model.earlier.label = `${model.earlier.label} (earlier)`;
    }
  }
  return model;
}
