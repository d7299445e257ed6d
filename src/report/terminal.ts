// The statistics on a terminal: the bucket table (cli-table3), the 2023 report's lines, the late,
// automatic-only and silent countries, the directory findings and the manual overrides.
import Table from 'cli-table3';
import type { ContactKind } from '../core/directory.js';
import { formatDuration, thresholdLabel } from '../core/duration.js';
import { printable } from '../core/printable.js';
import type { BucketStat, CountryResult, Finding, GroupStats, Stats } from '../stats/types.js';
import { bucketLines } from './bucket-lines.js';
import type { Formatter } from './format.js';

export interface TerminalOptions {
  color: boolean;
  /** Split the table by party/observer or by the kind of contact point. */
  by?: 'status' | 'kind';
  /** Wrap lists at this width (default 100). */
  width?: number;
}

/** The few styles used. Plain SGR codes rather than chalk: loading chalk costs ~30 ms of the
 * 200 ms start-up budget, and whether to colour is decided by the caller (src/cli/output.ts). */
type Style = (text: string) => string;
interface Paint {
  bold: Style;
  dim: Style;
  red: Style;
  yellow: Style;
  magenta: Style;
}
const sgr = (on: number, off: number): Style => (t) => `\u001b[${on}m${t}\u001b[${off}m`;
const COLOUR: Paint = { bold: sgr(1, 22), dim: sgr(2, 22), red: sgr(31, 39), yellow: sgr(33, 39), magenta: sgr(35, 39) };
const same: Style = (t) => t;
const PLAIN: Paint = { bold: same, dim: same, red: same, yellow: same, magenta: same };

/** The 2023 wording in English, without Intl (its locale data costs ~30 ms at start-up): the
 * parts of Formatter that bucketLines() uses. */
const WORDING = {
  int: (n: number) => String(n),
  percent: (share: number) => `${share.toFixed(2)}%`,
  duration: (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? '—' : formatDuration(seconds)),
} as Pick<Formatter, 'int' | 'percent' | 'duration'> as Formatter;
type Row = Array<string | { content: string; rowSpan: number; vAlign: 'top' }>;

const KIND_LABEL: Record<ContactKind, string> = { police: 'Police', prosecution: 'Prosecution', other: 'Other' };

export function renderStatsText(stats: Stats, opts: TerminalOptions): string {
  const c = opts.color ? COLOUR : PLAIN;
  const width = opts.width ?? 100;
  const out: string[] = [];
  const last = stats.buckets[stats.buckets.length - 1];
  const window = last ? thresholdLabel(last.thresholdSeconds) : 'the window';

  const observers = stats.observers ? `; observers counted apart: ${stats.observers.population}` : '';
  out.push(c.bold(`Population: ${countries(stats.population)}${observers}`));
  if (opts.by === 'status') {
    const groups: Array<[string, GroupStats]> = [[`Parties (${stats.population})`, stats]];
    if (stats.observers) groups.push([`Observers (${stats.observers.population})`, stats.observers]);
    out.push(groupedTable(groups, c));
    if (!stats.observers) out.push(c.dim('No observers were tested (rollcall run --include-observers).'));
  } else if (opts.by === 'kind') {
    const groups = (Object.entries(stats.byKind ?? {}) as Array<[ContactKind, GroupStats]>).map(
      ([k, g]): [string, GroupStats] => [`${KIND_LABEL[k]} (${g.population})`, g],
    );
    out.push(groups.length ? groupedTable(groups, c) : c.dim('No contact points to split by kind.'));
  } else {
    out.push(table(stats.buckets, c));
  }

  out.push('');
  for (const line of bucketLines(stats.buckets, WORDING)) out.push(`- ${line}`);
  out.push('');
  out.push(...section(c, `Answered late, after ${window}`, stats.late, (r) => `${r.country} (${formatDuration(r.responseSeconds ?? 0)})`, width));
  out.push(...section(c, 'Automatic answers only', stats.automaticOnly, (r) => `${r.country}${r.received?.length ? ` (${r.received.join(', ')})` : ''}`, width));
  out.push(...section(c, 'Silent', stats.silent, (r) => r.country, width));
  if (stats.observers) {
    const o = stats.observers;
    out.push('');
    out.push(c.bold(`Observers: ${countries(o.population)}`));
    for (const line of bucketLines(o.buckets, WORDING)) out.push(`- ${line}`);
    out.push(...section(c, `Answered late, after ${window}`, o.late, (r) => `${r.country} (${formatDuration(r.responseSeconds ?? 0)})`, width));
    out.push(...section(c, 'Automatic answers only', o.automaticOnly, (r) => r.country, width));
    out.push(...section(c, 'Silent', o.silent, (r) => r.country, width));
  }
  const findings = [...stats.findings, ...(stats.observers?.findings ?? [])];
  out.push('');
  out.push(findings.length ? c.bold(`Directory findings (${findings.length}):`) : `${c.bold('Directory findings:')} ${c.dim('none')}`);
  for (const f of findings) out.push(`  ${findingLine(f, c)}`);
  if (stats.overrides.length) {
    out.push('');
    out.push(c.bold(`Manual corrections (${stats.overrides.length}):`));
    for (const o of stats.overrides)
      out.push(`  ${o.messageKey ?? o.contactId} → ${o.as}${o.messageKey && o.contactId ? ` (from ${o.contactId})` : ''}: ${printable(o.note)}${o.applied === false ? c.dim(' [nothing to reclassify]') : ''}`);
  }
  return out.join('\n') + '\n';
}

function countries(n: number): string {
  return `${n} ${n === 1 ? 'country' : 'countries'}`;
}

const HEAD = ['Threshold', 'Countries', 'Share', 'Average', 'Median'];

function newTable(head: string[], c: Paint): Table.Table {
  return new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], compact: true },
    colAligns: [...head.slice(0, head.length - 4).map(() => 'left' as const), 'right', 'right', 'right', 'right'],
  });
}

function cells(b: BucketStat): string[] {
  const d = (s: number | null) => (s === null ? '—' : formatDuration(s));
  return [thresholdLabel(b.thresholdSeconds), String(b.responded), `${b.share.toFixed(2)}%`, d(b.averageSeconds), d(b.medianSeconds)];
}

function table(buckets: BucketStat[], c: Paint): string {
  const t = newTable(HEAD, c);
  for (const b of buckets) t.push(cells(b));
  return t.toString();
}

function groupedTable(groups: Array<[string, GroupStats]>, c: Paint): string {
  const t = newTable(['Group', ...HEAD], c);
  for (const [label, g] of groups) {
    g.buckets.forEach((b, i) => {
      const row: Row = i === 0 ? [{ content: label, rowSpan: g.buckets.length, vAlign: 'top' }, ...cells(b)] : cells(b);
      t.push(row);
    });
  }
  return t.toString();
}

function section(c: Paint, title: string, list: CountryResult[], item: (r: CountryResult) => string, width: number): string[] {
  if (list.length === 0) return [`${c.bold(`${title}:`)} ${c.dim('none')}`];
  return wrap(`${c.bold(`${title} (${list.length}):`)}`, list.map(item), width);
}

function findingLine(f: Finding, c: Paint): string {
  const label = f.status.padEnd(10);
  const status = f.status === 'failed' ? c.red(label) : f.status === 'uncertain' ? c.yellow(label) : c.magenta(label);
  const who = [f.country, f.contactId, f.channel, f.address].filter(Boolean).join('  ');
  // The detail holds a server's or a bounce's own words: shown with control characters visible.
  return `${status} ${printable(who)} — ${printable(f.detail)}`;
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
