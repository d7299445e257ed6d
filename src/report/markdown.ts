// The Markdown report: the same content as the HTML one, with tables instead of charts (the bucket
// table carries a text bar). Every string from data goes through md().
import type { CountryResult, Stats } from '../stats/types.js';
import { thresholdLabel } from '../core/duration.js';
import { bucketLines } from './bucket-lines.js';
import { compareBucketCells, compareBuckets, compareOutcomes } from './compare.js';
import { md } from './escape.js';
import { byKindTable, receivedText, reportFacts, shortUtc, sourceText } from './facts.js';
import { isoUtc } from './format.js';
import { methodsText } from './methods.js';
import { CHANNEL_LABEL, FINDING_LABEL, OVERRIDE_LABEL, type CountryRow, type ReportModel } from './model.js';

type Align = 'l' | 'r';

function table(head: Array<[string, Align]>, rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head.map(([h]) => md(h))), line(head.map(([, a]) => (a === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

/** A text bar for a share: 20 cells, one per 5 %. */
export function textBar(share: number): string {
  const full = Math.round(share / 5);
  return '█'.repeat(full) + '░'.repeat(20 - full);
}

function bucketTable(stats: Stats, model: ReportModel): string {
  const { fmt } = model;
  return table(
    [
      ['Within', 'l'],
      ['Countries', 'r'],
      ['Share', 'r'],
      ['Average', 'r'],
      ['Median', 'r'],
      ['', 'l'],
    ],
    stats.buckets.map((b) => [
      md(thresholdLabel(b.thresholdSeconds)),
      md(fmt.int(b.responded)),
      md(fmt.percent(b.share)),
      md(fmt.duration(b.averageSeconds)),
      md(fmt.duration(b.medianSeconds)),
      textBar(b.share),
    ]),
  );
}

function names(model: ReportModel, items: CountryResult[], detail: (c: CountryResult) => string = () => ''): string {
  if (items.length === 0) return 'none';
  return items
    .slice()
    .sort((a, b) => a.country.localeCompare(b.country, model.fmt.locale))
    .map((c) => md(c.country) + (detail(c) ? ` (${md(detail(c))})` : ''))
    .join(', ');
}

function countryTable(model: ReportModel, rows: CountryRow[]): string {
  const anon = model.anonymized;
  return table(
    [
      ['Country', 'l'],
      ['Result', 'l'],
      ['Response time', 'r'],
      ['Within', 'l'],
      ['Channel', 'l'],
      ...(anon ? [] : ([['Contact point', 'l']] as Array<[string, Align]>)),
      [anon ? 'Time of day at the contact point' : 'Local time at the contact point when pinged', 'l'],
    ],
    rows.map((r) => [
      md(r.country),
      md(r.outcomeLabel),
      md(r.response),
      md(r.within),
      md(r.channel ? (CHANNEL_LABEL[r.channel] ?? r.channel) : ''),
      ...(anon ? [] : [md(r.contactId ?? '')]),
      md(r.localTime),
    ]),
  );
}

export function renderMarkdown(model: ReportModel): string {
  const { current, earlier, fmt } = model;
  const s = current.stats;
  const out: string[] = [];
  out.push(`# ${md(model.title)}`, '');
  if (model.network) out.push(`*${md(model.network)}*`, '');
  for (const [k, v] of reportFacts(model)) out.push(`- **${md(k)}:** ${md(v)}`);
  out.push('', '## Results', '', 'As in the 2023 report:', '');
  for (const l of bucketLines(s.buckets, fmt)) out.push(`- ${md(l)}`);
  out.push('', `Countries that answered, by threshold (cumulative), of ${md(fmt.int(s.population))} tested:`, '', bucketTable(s, model), '');
  const kinds = byKindTable(model);
  if (kinds) {
    out.push('By kind of contact point (countries with a contact point of that kind, counted by that contact point alone):', '');
    out.push(table(kinds.head.map((h, i): [string, Align] => [h, i > 0 ? 'r' : 'l']), kinds.rows.map((r) => r.map(md))), '');
  }
  out.push('The charts (cumulative share over the window, countries per threshold) are in the HTML report.', '');

  if (earlier) {
    out.push(`## Compared with the test of ${md(earlier.label)}`, '');
    const e = earlier.label;
    const c = current.label;
    out.push(
      table(
        [
          ['Within', 'l'],
          [`Countries ${e}`, 'r'],
          [`Countries ${c}`, 'r'],
          ['Change', 'r'],
          [`Share ${e}`, 'r'],
          [`Share ${c}`, 'r'],
          ['Change', 'r'],
          [`Average ${e}`, 'r'],
          [`Average ${c}`, 'r'],
          ['Change', 'r'],
        ],
        compareBuckets(earlier.stats, s, fmt).map((r) => compareBucketCells(r, fmt).map(md)),
      ),
      '',
      table(
        [
          ['', 'l'],
          [e, 'r'],
          [c, 'r'],
          ['Change', 'r'],
        ],
        compareOutcomes(earlier.stats, s, fmt).map((o) => [md(o.label), md(fmt.int(o.earlier)), md(fmt.int(o.current)), md(o.change)]),
      ),
      '',
    );
  }

  const windowLabel = thresholdLabel(s.buckets.at(-1)?.thresholdSeconds ?? 86400);
  out.push('## Late, automatic replies only, no answer', '');
  out.push(`- **Answered late** (after ${md(windowLabel)}, ${md(fmt.int(s.late.length))}): ${names(model, s.late, (c) => fmt.duration(c.responseSeconds))}`);
  out.push(`- **Automatic reply only** (${md(fmt.int(s.automaticOnly.length))}): ${names(model, s.automaticOnly, (c) => receivedText(c.received))}`);
  out.push(`- **No answer** (${md(fmt.int(s.silent.length))}): ${names(model, s.silent)}`, '');

  out.push('## Directory findings', '');
  if (s.findings.length === 0) out.push('No address or number failed or was delayed.', '');
  else {
    out.push(
      table(
        [
          ['Country', 'l'],
          ...(model.anonymized ? [] : ([['Contact point', 'l']] as Array<[string, Align]>)),
          ['Channel', 'l'],
          ['Address', 'l'],
          ['Finding', 'l'],
          ['What the server said', 'l'],
          ['When (UTC)', 'l'],
        ],
        s.findings.map((f) => [
          md(f.country),
          ...(model.anonymized ? [] : [md(f.contactId ?? '')]),
          md(CHANNEL_LABEL[f.channel] ?? f.channel),
          md(model.anonymized ? 'hidden' : f.address || 'not recorded'),
          md(FINDING_LABEL[f.status] ?? f.status),
          md(f.detail),
          md(shortUtc(model, f.at)),
        ]),
      ),
      '',
    );
  }

  out.push('## Manual corrections', '');
  if (s.overrides.length === 0) out.push('No classification was corrected by hand.', '');
  else {
    out.push(
      table(
        [
          ['When (UTC)', 'l'],
          ['Concerning', 'l'],
          ['Correction', 'l'],
          ['Reason given', 'l'],
        ],
        s.overrides.map((o) => [
          md(fmt.dateTime(o.at, 'UTC')),
          md(o.contactId ?? (o.messageKey ? `message ${o.messageKey}` : '')),
          md((OVERRIDE_LABEL[o.as] ?? o.as) + (o.applied === false ? ' (nothing to reclassify: not applied)' : '')),
          md(o.note),
        ]),
      ),
      '',
    );
  }

  out.push('## Results by country', '', `${md(fmt.int(current.rows.length))} countries, fastest first; the response time is that of the country's fastest contact point.`, '');
  out.push(countryTable(model, current.rows), '');

  if (s.observers) {
    out.push('## Observers (counted separately)', '');
    for (const l of bucketLines(s.observers.buckets, fmt)) out.push(`- ${md(l)}`);
    out.push('', bucketTable(s.observers as Stats, model), '', countryTable(model, current.observerRows), '');
  }

  out.push('## Method', '');
  for (const p of methodsText(model)) out.push(`### ${md(p.heading)}`, '', md(p.text), '');
  const started = current.startedAt ? ` (test of ${isoUtc(current.startedAt)})` : '';
  out.push('---', '', `Made by ${md(model.generator)} from ${md(sourceText(model))}${md(started)}. Numbers and dates formatted for ${md(fmt.locale)}; times in UTC unless a zone is named.`, '');
  return out.join('\n');
}
