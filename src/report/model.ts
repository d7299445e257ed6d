// What every report format shows, computed once: title, dates in UTC and the secretariat's zone,
// per-country rows with local time of day, names in the report's language. Anonymization happens
// here, after local times are derived from the real time zones (which are then dropped).
import { toolVersion } from '../core/version.js';
import type { ChannelName } from '../core/events.js';
import type { SourceMeta } from '../stats/source.js';
import type { CountryOutcome, CountryResult, GroupStats, OverrideSummary, Stats } from '../stats/types.js';
import { anonymizeStats, countryLabelsIn } from './anonymize.js';
import { comparisonNotes } from './compare.js';
import { hourIn, isoLocal } from '../core/time.js';
import { isTimeZone } from '../core/zone.js';
import { createFormatter, type Formatter } from './format.js';

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
  /** The name in the report's language (or its anonymized label). */
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
  /** The answer that counted was entered by hand (`rollcall mark --as reply --at`). */
  handEntered: boolean;
  /** At the contact point when the ping arrived: `11:30 (UTC+2)`; a period of day when anonymized. */
  localTime: string;
  /** The same as local ISO 8601 with offset (`2023-06-07T11:30:00+02:00`), for CSV; not when anonymized. */
  localIso?: string;
}

export interface TestView {
  /** The statistics as shown: country names in the report's language, or anonymized. */
  stats: Stats;
  /** The statistics as exported (JSON): as computed, or anonymized; names never translated. */
  data: Stats;
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
  /** What a reader must know before comparing the two tests (populations, thresholds). */
  notes: string[];
  /** `rollcall 0.1.0`. */
  generator: string;
}

/** An override as `rollcall mark --as reply --at <time> --channel phone` records it: the
 * statistics add the answer's time and means to the summary (older logs have neither). */
export type OverrideView = OverrideSummary & { answeredAt?: string; channel?: string };

/** An override with the time and means of a hand-entered answer at hand. */
export function overrideView(o: OverrideSummary): OverrideView {
  return o.handEntered ? { ...o, answeredAt: o.handEntered.answeredAt, channel: o.handEntered.channel } : o;
}

/** An answer confirmed outside rollcall and entered by hand, rather than a reclassified message. */
export function isHandEntered(o: OverrideSummary): boolean {
  return o.as === 'reply' && !o.messageKey && o.handEntered !== undefined;
}

/** A channel's name in the report's language; `phone` and `other` are the means of hand-entered answers. */
export function channelLabel(fmt: Formatter, channel: string | undefined): string {
  if (!channel) return '';
  return ['email', 'sms', 'voice', 'sim', 'phone', 'other'].includes(channel) ? fmt.t(`channel.${channel as 'email'}`) : channel;
}

export function generator(): string {
  try {
    return `rollcall ${toolVersion()}`;
  } catch {
    return 'rollcall';
  }
}

export function firstSent(stats: Stats): string | undefined {
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
  // A zone this Node does not know: no local time rather than a wrong one.
  if (!c.sentAt || !c.timezone || !isTimeZone(c.timezone)) return { text: '' };
  const sent = new Date(c.sentAt);
  if (Number.isNaN(sent.getTime())) return { text: '' };
  if (anonymize) return { text: fmt.periodOfDay(hourIn(sent, c.timezone)) };
  return { text: `${fmt.time(c.sentAt, c.timezone)} (${fmt.offset(c.sentAt, c.timezone)})`, iso: isoLocal(sent, c.timezone) };
}

/** The same statistics with every country named by `rename` (figures and order unchanged; the
 * findings in the order of the new names). */
export function renameCountries(stats: Stats, rename: (c: { country: string; iso?: string }) => string, locale = 'en'): Stats {
  // One collator each, not localeCompare: with a locale it builds one for every comparison
  // (the findings of a 100,000-contact run are tens of thousands).
  const byName = new Intl.Collator(locale).compare;
  const byDefault = new Intl.Collator().compare;
  const core = (s: GroupStats): GroupStats => {
    const list = (xs: CountryResult[]) => xs.map((c) => ({ ...c, country: rename(c) }));
    return {
      ...s,
      late: list(s.late),
      automaticOnly: list(s.automaticOnly),
      unreachable: list(s.unreachable ?? []),
      silent: list(s.silent),
      countries: list(s.countries),
      findings: s.findings.map((f) => ({ ...f, country: rename(f) })).sort((a, b) => byName(a.country, b.country) || byDefault(a.contactId ?? '', b.contactId ?? '') || byDefault(a.address, b.address)),
    };
  };
  const out: Stats = { ...stats, ...core(stats) };
  if (stats.observers) out.observers = core(stats.observers);
  if (stats.byKind) {
    out.byKind = {};
    for (const [k, g] of Object.entries(stats.byKind) as Array<[keyof NonNullable<Stats['byKind']>, GroupStats]>) out.byKind[k] = core(g);
  }
  return out;
}

function rowsOf(countries: CountryResult[], stats: Stats, fmt: Formatter, name: (c: CountryResult) => string, anonymize: boolean): CountryRow[] {
  const windowSeconds = stats.buckets.at(-1)?.thresholdSeconds;
  const rows = countries.map((c) => {
    const bucket = c.outcome === 'answered' && c.responseSeconds !== null ? stats.buckets.find((b) => c.responseSeconds! <= b.thresholdSeconds) : undefined;
    const local = localTime(c, fmt, anonymize);
    // The statistics say whether the answer that counted was entered by hand (anonymized or not).
    const handEntered = c.handEntered !== undefined && (c.outcome === 'answered' || c.outcome === 'late');
    const outcomeLabel = fmt.t(`outcome.${c.outcome}`);
    const row: CountryRow = {
      country: name(c),
      outcome: c.outcome,
      outcomeLabel: handEntered ? fmt.t('countries.byHand', { result: outcomeLabel }) : outcomeLabel,
      responseSeconds: c.responseSeconds,
      response: c.responseSeconds === null ? '' : fmt.duration(c.responseSeconds),
      within: bucket
        ? fmt.threshold(bucket.thresholdSeconds)
        : c.outcome === 'late' && windowSeconds
          ? fmt.t('countries.after', { window: fmt.threshold(windowSeconds) })
          : '',
      handEntered,
      localTime: local.text,
    };
    if (local.iso && !anonymize) row.localIso = local.iso;
    const keep = anonymize ? (['status', 'channel', 'sentAt', 'answeredAt'] as const) : (['iso', 'status', 'contactId', 'channel', 'sentAt', 'answeredAt', 'timezone'] as const);
    for (const k of keep) {
      if (c[k] !== undefined) (row as unknown as Record<string, unknown>)[k] = c[k];
    }
    return row;
  });
  return rows.sort(
    (a, b) => (a.responseSeconds ?? Infinity) - (b.responseSeconds ?? Infinity) || a.country.localeCompare(b.country, fmt.locale),
  );
}

/** One test as every format shows it: names in the language (or anonymized), rows, label. */
export function testView(computed: Stats, meta: SourceMeta, fmt: Formatter, labels: Map<string, string> | undefined): TestView {
  const anonymize = labels !== undefined;
  const stats = computed;
  const name = (c: { country: string; iso?: string }) => (labels ? (labels.get(c.country) ?? c.country) : fmt.country(c.country, c.iso));
  // JSON carries the statistics as computed (anonymized when asked); every other format shows
  // them with names in the language and no bounce called an automatic answer.
  const data = labels ? anonymizeStats(computed, labels) : computed;
  const shown = labels ? anonymizeStats(stats, labels) : renameCountries(stats, name, fmt.locale);
  const startedAt = meta.startedAt ?? firstSent(stats);
  const channels = new Set<ChannelName>((meta.channels ?? []) as ChannelName[]);
  for (const k of Object.keys(stats.byChannel) as ChannelName[]) channels.add(k);
  for (const c of stats.countries) if (c.channel) channels.add(c.channel);
  return {
    stats: shown,
    data,
    meta,
    label: startedAt ? fmt.date(startedAt) : (meta.runId ?? meta.path),
    ...(startedAt ? { startedAt } : {}),
    channels: [...channels],
    rows: rowsOf(stats.countries, stats, fmt, name, anonymize),
    observerRows: stats.observers ? rowsOf(stats.observers.countries, stats.observers, fmt, name, anonymize) : [],
  };
}

/** The secretariat's zone: `--tz`, else the run's when Intl knows it (a run may have recorded
 * `Europe/Strasbourg`, not an IANA name: UTC then, rather than failing the report). */
export function reportZone(meta: SourceMeta, tz?: string): string {
  return tz ?? (meta.tz && isTimeZone(meta.tz) ? meta.tz : 'UTC');
}

/** `24/7 Network (Budapest Convention) responsiveness test 7 June 2023`, or `--title`. */
export function reportTitle(fmt: Formatter, network: string | undefined, date: string, title?: string): string {
  if (title?.trim()) return title.trim();
  if (network) return date ? fmt.t('report.title', { network, date }) : fmt.t('report.titleUndated', { network });
  return date ? fmt.t('report.titleNoNetwork', { date }) : fmt.t('report.titleBare');
}

export function buildReportModel(input: ReportInput, opts: ReportOptions = {}): ReportModel {
  const fmt = createFormatter(opts.locale ?? 'en', reportZone(input.meta, opts.tz));
  const labels = opts.anonymize
    ? countryLabelsIn((n) => fmt.t('anonymize.label', { n }), [input.stats, ...(input.compare ? [input.compare.stats] : [])])
    : undefined;
  const current = testView(input.stats, input.meta, fmt, labels);
  const network = input.meta.network ? fmt.network(input.meta.network) : undefined;
  const title = reportTitle(fmt, network, current.startedAt ? fmt.date(current.startedAt) : '', opts.title);
  const model: ReportModel = { title, fmt, anonymized: Boolean(opts.anonymize), current, notes: [], generator: generator() };
  if (network) model.network = network;
  if (input.compare) {
    model.earlier = testView(input.compare.stats, input.compare.meta, fmt, labels);
    if (model.earlier.label === current.label) model.earlier.label = fmt.t('report.earlierSuffix', { label: model.earlier.label });
    model.notes = comparisonNotes(model.earlier, current, fmt);
  }
  return model;
}
