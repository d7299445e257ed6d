// The statistics on a terminal, in the language of --locale: the bucket table (cli-table3), the
// lines of the meeting's report, the late, automatic-only, unreachable and silent countries, the
// directory findings and the answers entered by hand and corrections.
import Table from 'cli-table3';
import { authenticityView } from './authenticity.js';
import { testProblemSentences } from './test-problems.js';
import type { ContactKind } from '../core/directory.js';
import type { BucketStat, CountryResult, Finding, GroupStats, OverrideSummary, Stats } from '../stats/types.js';
import { bucketLines, type LineWording } from './bucket-lines.js';
import { capList } from './cap.js';
import { detailText } from './detail.js';
import { automaticKinds, overrideFate } from './outcomes.js';
import { createWording, durationIn, thresholdIn } from './wording.js';
import { catalogueFor, createMessages, type Messages } from './i18n.js';
import { palette, type Palette } from '../core/palette.js';
import { printable } from '../core/printable.js';

export interface TerminalOptions {
  color: boolean;
  /** Split the table by party/observer or by the kind of contact point. */
  by?: 'status' | 'kind';
  /** Wrap lists at this width (default 100). */
  width?: number;
  /** Language and number format (`fr`, `fr-BE`); default English. */
  locale?: string;
}

type Wording = LineWording & Messages & { int: (n: number) => string; sortNames: boolean };

/** English without Intl number formats (their locale data costs ~30 ms at start-up); any other
 * language with the reports' wording of figures. */
function wording(locale: string | undefined): Wording {
  const language = locale ? catalogueFor(locale) : 'en';
  if (!locale || language === 'en') {
    const m = createMessages('en');
    return {
      ...m,
      int: String,
      percent: (share: number) => `${share.toFixed(2)}%`,
      duration: (seconds: number | null | undefined) => durationIn(m, seconds),
      threshold: (seconds: number) => thresholdIn(m, seconds),
      sortNames: false,
    };
  }
  return { ...createWording(locale), sortNames: true };
}

type Row = Array<string | { content: string; rowSpan: number; vAlign: 'top' }>;

export function renderStatsText(computed: Stats, opts: TerminalOptions): string {
  const w = wording(opts.locale);
  const stats = computed;
  const c = palette(opts.color);
  const width = opts.width ?? 100;
  const out: string[] = [];
  const last = stats.buckets[stats.buckets.length - 1];
  const window = last ? w.threshold(last.thresholdSeconds) : w.t('terminal.theWindow');
  const name = (r: { country: string; iso?: string }) => w.country(r.country, r.iso);
  const countries = (n: number) => w.n('facts.countries', n);

  const observers = stats.observers ? w.t('terminal.observersApart', { n: stats.observers.population }) : '';
  out.push(c.bold(w.t('terminal.population', { countries: countries(stats.population) }) + observers));
  if (opts.by === 'status') {
    const groups: Array<[string, GroupStats]> = [[w.t('terminal.parties', { n: stats.population }), stats]];
    if (stats.observers) groups.push([w.t('terminal.observers', { n: stats.observers.population }), stats.observers]);
    out.push(groupedTable(groups, c, w));
    if (!stats.observers) out.push(c.dim(w.t('terminal.noObservers')));
  } else if (opts.by === 'kind') {
    const groups = (Object.entries(stats.byKind ?? {}) as Array<[ContactKind, GroupStats]>).map(
      ([k, g]): [string, GroupStats] => [`${w.t(`kind.${k}`)} (${g.population})`, g],
    );
    out.push(groups.length ? groupedTable(groups, c, w) : c.dim(w.t('terminal.noKinds')));
  } else {
    out.push(table(stats.buckets, c, w));
  }

  const outcomes = (g: GroupStats) => {
    const list = (title: string, items: CountryResult[], item: (r: CountryResult) => string) => {
      const sorted = w.sortNames ? [...items].sort((a, b) => name(a).localeCompare(name(b), w.locale)) : items;
      return section(c, w, title, sorted, item, width);
    };
    const automatic = (r: CountryResult) => {
      // Bounces and delay notices are never listed as automatic answers.
      const kinds = automaticKinds(r.received).map((k) => w.t(`received.${k as 'auto-reply'}`));
      return `${name(r)}${kinds.length ? ` (${kinds.join(', ')})` : ''}`;
    };
    return [
      ...list(w.t('terminal.late', { window }), g.late, (r) => `${name(r)} (${w.duration(r.responseSeconds ?? 0)})`),
      ...list(w.t('terminal.automatic'), g.automaticOnly, automatic),
      ...list(w.t('terminal.unreachable'), g.unreachable ?? [], name),
      ...list(w.t('terminal.silent'), g.silent, name),
    ];
  };

  out.push('');
  for (const line of bucketLines(stats.buckets, w)) out.push(`- ${line}`);
  out.push('');
  out.push(...outcomes(stats));
  if (stats.observers) {
    const o = stats.observers;
    out.push('');
    out.push(c.bold(w.t('terminal.observersHead', { countries: countries(o.population) })));
    for (const line of bucketLines(o.buckets, w)) out.push(`- ${line}`);
    out.push(...outcomes(o));
  }
  const findings = [...stats.findings, ...(stats.observers?.findings ?? [])];
  const problems = testProblemSentences(w, stats.testProblems, utcMinute);
  if (problems.length > 0) {
    out.push('', c.bold(w.t('report.colon', { text: w.t('testProblems.heading') })));
    for (const p of problems) out.push(`  ${c.red(p)}`);
  }
  out.push('');
  const findingsTitle = w.t('terminal.findings');
  const colon = (text: string) => w.t('report.colon', { text });
  out.push(findings.length ? c.bold(colon(`${findingsTitle} (${findings.length})`)) : `${c.bold(colon(findingsTitle))} ${c.dim(w.t('terminal.none'))}`);
  const { shown, more } = capList(findings);
  const pad = shown.reduce((n, f) => Math.max(n, w.t(`terminal.finding.${f.status}`).length), 0);
  for (const f of shown) out.push(`  ${findingLine(f, c, w, pad, name)}`);
  if (more) out.push(`  ${c.dim(w.n('lists.moreTerminal', more))}`);
  if (stats.authenticity) {
    const a = authenticityView(w, stats.authenticity, utcMinute);
    out.push('', c.bold(w.t('report.colon', { text: w.t('authenticity.heading') })) + ' ' + a.rows.map((r) => `${r.label} ${w.int(r.count)}`).join('; '));
    out.push(`  ${a.policy}`);
    if (a.bounces) out.push(`  ${a.bounces}`);
    for (const u of a.unconfirmed) out.push(`  ${c.yellow(u)}`);
  }
  if (stats.overrides.length) {
    out.push('');
    out.push(c.bold(colon(`${w.t('terminal.corrections')} (${stats.overrides.length})`)));
    for (const o of stats.overrides) out.push(`  ${overrideLine(o, c, w)}`);
  }
  return out.join('\n') + '\n';
}

/** `2023-06-07 22:11 UTC`: the same in every language, and no Intl date formats to load. */
const utcMinute = (iso: string) => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

function overrideLine(o: OverrideSummary, c: Palette, w: Wording): string {
  const v = { answeredAt: o.handEntered?.answeredAt, channel: o.handEntered?.channel as string | undefined };
  const channel = v.channel && ['email', 'sms', 'voice', 'sim', 'phone', 'other'].includes(v.channel) ? w.t(`channel.${v.channel as 'email'}`) : v.channel;
  const what =
    o.as === 'reply' && !o.messageKey && v.answeredAt
      ? w.t(channel ? 'terminal.handAnswerBy' : 'terminal.handAnswer', { time: utcMinute(v.answeredAt), channel: channel ?? '' })
      : w.t(`terminal.as.${o.as}`);
  const from = o.messageKey && o.contactId ? ` ${w.t('terminal.fromContact', { contact: o.contactId })}` : '';
  const f = overrideFate(o);
  const fate = f.fate === 'applied' ? '' : c.dim(` ${w.t(`terminal.fate.${f.fate}`, { when: 'when' in f ? utcMinute(f.when) : '' })}`);
  return `${w.t('report.colon', { text: `${o.messageKey ?? o.contactId} → ${what}${from}` })} ${printable(o.note)}${fate}`;
}

function newTable(head: string[], c: Palette): Table.Table {
  return new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    colAligns: [...head.slice(0, head.length - 4).map(() => 'left' as const), 'right', 'right', 'right', 'right'],
  });
}

const head = (w: Wording) => [w.t('terminal.threshold'), w.t('terminal.countries'), w.t('terminal.share'), w.t('terminal.average'), w.t('terminal.median')];

function cells(b: BucketStat, w: Wording): string[] {
  return [w.threshold(b.thresholdSeconds), w.int(b.responded), w.percent(b.share), w.duration(b.averageSeconds), w.duration(b.medianSeconds)];
}

function table(buckets: BucketStat[], c: Palette, w: Wording): string {
  const t = newTable(head(w), c);
  for (const b of buckets) t.push(cells(b, w));
  return t.toString();
}

function groupedTable(groups: Array<[string, GroupStats]>, c: Palette, w: Wording): string {
  const t = newTable([w.t('terminal.group'), ...head(w)], c);
  for (const [label, g] of groups) {
    g.buckets.forEach((b, i) => {
      const row: Row = i === 0 ? [{ content: label, rowSpan: g.buckets.length, vAlign: 'top' }, ...cells(b, w)] : cells(b, w);
      t.push(row);
    });
  }
  return t.toString();
}

function section(c: Palette, w: Wording, title: string, list: CountryResult[], item: (r: CountryResult) => string, width: number): string[] {
  const colon = (text: string) => w.t('report.colon', { text });
  if (list.length === 0) return [`${c.bold(colon(title))} ${c.dim(w.t('terminal.none'))}`];
  const { shown, more } = capList(list);
  return wrap(c.bold(colon(`${title} (${list.length})`)), [...shown.map(item), ...(more ? [w.n('lists.moreTerminal', more)] : [])], width);
}

function findingLine(f: Finding, c: Palette, w: Wording, pad: number, name: (r: { country: string; iso?: string }) => string): string {
  const label = w.t(`terminal.finding.${f.status}`).padEnd(pad);
  const status = f.status === 'failed' ? c.red(label) : f.status === 'uncertain' ? c.yellow(label) : c.magenta(label);
  const channel = ['email', 'sms', 'voice', 'sim'].includes(f.channel) ? w.t(`terminal.channel.${f.channel}`) : f.channel;
  const who = [name(f), f.contactId, channel, f.address].filter(Boolean).join('  ');
  // The detail holds a server's or a bounce's own words: shown with control characters visible.
  return `${status} ${printable(who)} — ${printable(detailText(w, f.detail))}`;
}

/** The title, then the items separated by commas, breaking lines between items (never inside
 * a name); continuation lines are indented by two. */
function wrap(title: string, items: string[], width: number): string[] {
  const lines: string[] = [];
  let line = title;
  let length = visibleLength(title);
  items.forEach((item, i) => {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (length + 1 + piece.length > width && length > 2) {
      lines.push(line);
      line = `  ${piece}`;
      length = 2 + piece.length;
    } else {
      line += ` ${piece}`;
      length += 1 + piece.length;
    }
  });
  lines.push(line);
  return lines;
}

function visibleLength(s: string): number {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;]*m/g, '').length;
}
