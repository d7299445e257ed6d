// The Markdown report: the same content as the HTML one, with tables instead of charts (the bucket
// table carries a text bar), in the report's language. Every string from data goes through md().
import type { CountryResult, Stats } from '../stats/types.js';
import { authenticityView } from './authenticity.js';
import { testProblemSentences } from './test-problems.js';
import { bucketLines } from './bucket-lines.js';
import { compareBucketCells, compareBuckets, compareOutcomes } from './compare.js';
import { detailText } from './detail.js';
import { capList } from './cap.js';
import { md } from './escape.js';
import { byKindTable, overrideCells, overridesHaveAnswers, receivedText, reportFacts, shortUtc } from './facts.js';
import { footerText } from './html.js';
import { methodsText } from './methods.js';
import { channelLabel, type CountryRow, type ReportModel } from './model.js';

type Align = 'l' | 'r';

export function mdTable(head: Array<[string, Align]>, rows: string[][]): string {
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
  return mdTable(
    [
      [fmt.t('results.within'), 'l'],
      [fmt.t('results.countries'), 'r'],
      [fmt.t('results.share'), 'r'],
      [fmt.t('results.average'), 'r'],
      [fmt.t('results.median'), 'r'],
      ['', 'l'],
    ],
    stats.buckets.map((b) => [
      md(fmt.threshold(b.thresholdSeconds)),
      md(fmt.int(b.responded)),
      md(fmt.percent(b.share)),
      md(fmt.duration(b.averageSeconds)),
      md(fmt.duration(b.medianSeconds)),
      textBar(b.share),
    ]),
  );
}

function names(model: ReportModel, items: CountryResult[], detail: (c: CountryResult) => string = () => ''): string {
  if (items.length === 0) return md(model.fmt.t('outcomes.noneInline'));
  const collator = new Intl.Collator(model.fmt.locale);
  const { shown, more } = capList(items.slice().sort((a, b) => collator.compare(a.country, b.country)));
  return (
    shown.map((c) => md(c.country) + (detail(c) ? ` (${md(detail(c))})` : '')).join(', ') + (more ? ` ${md(model.fmt.n('lists.more', more))}` : '')
  );
}

/** A capped table's rows are followed by this line (src/report/cap.ts). */
function moreLine(model: ReportModel, more: number): string {
  return more ? `\n\n${md(model.fmt.n('lists.more', more))}` : '';
}

function countryTable(model: ReportModel, all: CountryRow[]): string {
  const { fmt } = model;
  const anon = model.anonymized;
  const { shown: rows, more } = capList(all);
  return mdTable(
    [
      [fmt.t('countries.country'), 'l'],
      [fmt.t('countries.result'), 'l'],
      [fmt.t('countries.responseTime'), 'r'],
      [fmt.t('countries.within'), 'l'],
      [fmt.t('countries.channel'), 'l'],
      ...(anon ? [] : ([[fmt.t('countries.contact'), 'l']] as Array<[string, Align]>)),
      [fmt.t(anon ? 'countries.periodOfDay' : 'countries.localTime'), 'l'],
    ],
    rows.map((r) => [
      md(r.country),
      md(r.outcomeLabel),
      md(r.response),
      md(r.within),
      md(channelLabel(fmt, r.channel)),
      ...(anon ? [] : [md(r.contactId ?? '')]),
      md(r.localTime),
    ]),
  ) + moreLine(model, more);
}

/** `**Label** (…): names` lines: the markup is the catalogue's, the values are escaped. */
function outcomeLine(model: ReportModel, key: 'outcomes.markdownLate' | 'outcomes.markdownAutomatic' | 'outcomes.markdownUnreachable' | 'outcomes.markdownSilent', list: CountryResult[], detail?: (c: CountryResult) => string): string {
  const { fmt } = model;
  const window = fmt.threshold(model.current.stats.buckets.at(-1)?.thresholdSeconds ?? 86400);
  return `- ${fmt.t(key, { window: md(window), count: md(fmt.int(list.length)), names: names(model, list, detail) })}`;
}

export function renderMarkdown(model: ReportModel): string {
  const { current, earlier, fmt } = model;
  const s = current.stats;
  const out: string[] = [];
  out.push(`# ${md(model.title)}`, '');
  if (model.network) out.push(`*${md(model.network)}*`, '');
  for (const [k, v] of reportFacts(model)) out.push(`- **${md(fmt.t('report.colon', { text: k }))}** ${md(v)}`);
  out.push('', `## ${md(fmt.t('results.heading'))}`, '', md(fmt.t('results.linesIntro')), '');
  for (const l of bucketLines(s.buckets, fmt)) out.push(`- ${md(l)}`);
  out.push('', md(fmt.t('report.colon', { text: fmt.t('results.bucketCaption', { population: fmt.int(s.population) }) })), '', bucketTable(s, model), '');
  const kinds = byKindTable(model);
  if (kinds) {
    out.push(md(fmt.t('report.colon', { text: fmt.t('results.byKindCaption') })), '');
    out.push(mdTable(kinds.head.map((h, i): [string, Align] => [h, i > 0 ? 'r' : 'l']), kinds.rows.map((r) => r.map(md))), '');
  }
  out.push(md(fmt.t('results.chartsInHtml')), '');

  if (earlier) {
    out.push(`## ${md(fmt.t('compare.heading', { date: earlier.label }))}`, '');
    for (const n of model.notes) out.push(`> ${md(n)}`, '');
    const e = earlier.label;
    const c = current.label;
    const change = fmt.t('compare.change');
    out.push(
      mdTable(
        [
          [fmt.t('results.within'), 'l'],
          [fmt.t('compare.columnCountries', { label: e }), 'r'],
          [fmt.t('compare.columnCountries', { label: c }), 'r'],
          [change, 'r'],
          [fmt.t('compare.columnShare', { label: e }), 'r'],
          [fmt.t('compare.columnShare', { label: c }), 'r'],
          [change, 'r'],
          [fmt.t('compare.columnAverage', { label: e }), 'r'],
          [fmt.t('compare.columnAverage', { label: c }), 'r'],
          [change, 'r'],
        ],
        compareBuckets(earlier.stats, s, fmt).map((r) => compareBucketCells(r, fmt).map(md)),
      ),
      '',
      mdTable(
        [
          ['', 'l'],
          [e, 'r'],
          [c, 'r'],
          [change, 'r'],
        ],
        compareOutcomes(earlier.stats, s, fmt).map((o) => [md(o.label), md(fmt.int(o.earlier)), md(fmt.int(o.current)), md(o.change)]),
      ),
      '',
    );
  }

  out.push(`## ${md(fmt.t('outcomes.heading'))}`, '');
  out.push(outcomeLine(model, 'outcomes.markdownLate', s.late, (c) => fmt.duration(c.responseSeconds)));
  out.push(outcomeLine(model, 'outcomes.markdownAutomatic', s.automaticOnly, (c) => receivedText(fmt, c.received)));
  out.push(outcomeLine(model, 'outcomes.markdownUnreachable', s.unreachable ?? []));
  out.push(outcomeLine(model, 'outcomes.markdownSilent', s.silent), '');

  const problems = testProblemSentences(fmt, s.testProblems, (iso) => fmt.dateTime(iso, 'UTC'));
  if (problems.length > 0) out.push(`## ${md(fmt.t('testProblems.heading'))}`, '', ...problems.map((p) => `- **${md(p)}**`), '');

  out.push(`## ${md(fmt.t('findings.heading'))}`, '');
  if (s.findings.length === 0) out.push(md(fmt.t('findings.none')), '');
  else {
    const { shown, more } = capList(s.findings);
    out.push(
      mdTable(
        [
          [fmt.t('findings.country'), 'l'],
          ...(model.anonymized ? [] : ([[fmt.t('findings.contact'), 'l']] as Array<[string, Align]>)),
          [fmt.t('findings.channel'), 'l'],
          [fmt.t('findings.address'), 'l'],
          [fmt.t('findings.finding'), 'l'],
          [fmt.t('findings.words'), 'l'],
          [fmt.t('findings.when'), 'l'],
        ],
        shown.map((f) => [
          md(f.country),
          ...(model.anonymized ? [] : [md(f.contactId ?? '')]),
          md(channelLabel(fmt, f.channel)),
          md(model.anonymized ? fmt.t('findings.hidden') : f.address || fmt.t('findings.notRecorded')),
          md(fmt.t(`finding.${f.status}`)),
          md(detailText(fmt, f.detail)),
          md(shortUtc(fmt, current.startedAt, f.at)),
        ]),
      ) + moreLine(model, more),
      '',
    );
  }

  if (s.authenticity) {
    const a = authenticityView(fmt, s.authenticity, (iso) => fmt.dateTime(iso, 'UTC'));
    out.push(`## ${md(fmt.t('authenticity.heading'))}`, '', md(a.policy), '');
    out.push(mdTable([[fmt.t('authenticity.verdict'), 'l'], [fmt.t('authenticity.answers'), 'r']], a.rows.map((r) => [md(r.label), md(fmt.int(r.count))])), '');
    if (a.bounces) out.push(md(a.bounces), '');
    if (a.unconfirmed.length > 0) out.push(`### ${md(fmt.t('authenticity.unconfirmedHeading'))}`, '', ...a.unconfirmed.map((u) => `- ${md(u)}`), '');
  }

  out.push(`## ${md(fmt.t('overrides.heading'))}`, '');
  if (s.overrides.length === 0) out.push(md(fmt.t('overrides.none')), '');
  else {
    const answers = overridesHaveAnswers(s.overrides);
    out.push(
      mdTable(
        [
          [fmt.t('overrides.when'), 'l'],
          [fmt.t('overrides.concerning'), 'l'],
          [fmt.t('overrides.correction'), 'l'],
          ...(answers ? ([[fmt.t('overrides.answer'), 'l']] as Array<[string, Align]>) : []),
          [fmt.t('overrides.reason'), 'l'],
        ],
        s.overrides.map((o) => {
          const c = overrideCells(model, o);
          return [md(c.when), md(c.concerning), md(c.correction), ...(answers ? [md(c.answer)] : []), md(c.reason)];
        }),
      ),
      '',
    );
  }

  out.push(`## ${md(fmt.t('countries.heading'))}`, '', `${md(fmt.n('countries.caption', current.rows.length))}.`, '');
  out.push(countryTable(model, current.rows), '');

  if (s.observers) {
    out.push(`## ${md(fmt.t('observers.heading'))}`, '');
    for (const l of bucketLines(s.observers.buckets, fmt)) out.push(`- ${md(l)}`);
    out.push('', bucketTable(s.observers, model), '', countryTable(model, current.observerRows), '');
  }

  out.push(`## ${md(fmt.t('methods.heading'))}`, '');
  for (const p of methodsText(model)) out.push(`### ${md(p.heading)}`, '', md(p.text), '');
  out.push('---', '', md(footerText(model)), '');
  return out.join('\n');
}
