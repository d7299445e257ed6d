// The HTML report: one self-contained page (html-page.ts), charts as inline SVG, in the report's
// language. Every string from data goes through esc().
import type { BucketStat, CountryResult, Stats } from '../stats/types.js';
import { authenticityView } from './authenticity.js';
import { testProblemSentences } from './test-problems.js';
import { bucketLines } from './bucket-lines.js';
import { axisStart, bucketBarsSvg, cumulativeChartSvg, type Series } from './chart.js';
import { compareBucketCells, compareBuckets, compareOutcomes, countDelta, durationDelta, pointsDelta, sameThreshold } from './compare.js';
import { capList } from './cap.js';
import { esc } from './escape.js';
import { detailText } from './detail.js';
import { byKindTable, overrideCells, overridesHaveAnswers, receivedText, reportFacts, shortUtc, sourceText } from './facts.js';
import { isoUtc } from './format.js';
import { htmlDocument, htmlTable as table, type Col } from './html-page.js';
import { methodsText } from './methods.js';
import { channelLabel, type CountryRow, type ReportModel } from './model.js';

function bucketTable(stats: Stats, model: ReportModel, caption: string): string {
  const { fmt } = model;
  return table(
    caption,
    [
      { label: fmt.t('results.within') },
      { label: fmt.t('results.countries'), num: true },
      { label: fmt.t('results.share'), num: true },
      { label: fmt.t('results.average'), num: true },
      { label: fmt.t('results.median'), num: true },
    ],
    stats.buckets.map((b: BucketStat) => [
      esc(fmt.threshold(b.thresholdSeconds)),
      esc(fmt.int(b.responded)),
      esc(fmt.percent(b.share)),
      esc(fmt.duration(b.averageSeconds)),
      esc(fmt.duration(b.medianSeconds)),
    ]),
    { cls: 'buckets' },
  );
}

function header(model: ReportModel): string {
  return (
    `<header>${model.network && !model.title.includes(model.network) ? `<p class="network">${esc(model.network)}</p>` : ''}<h1>${esc(model.title)}</h1>` +
    `<dl class="facts">${reportFacts(model)
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`)
      .join('')}</dl></header>`
  );
}

function keyFigures(model: ReportModel): string {
  const { current, earlier, fmt } = model;
  const s = current.stats;
  const last = s.buckets.at(-1);
  const first = s.buckets[0];
  const e = earlier?.stats;
  // A change only against the same threshold: a 2-minute test's share is no 24-hour share.
  const eLast = sameThreshold(e, last);
  const eFirst = sameThreshold(e, first);
  const failed = s.findings.filter((f) => f.status === 'failed').length;
  const tile = (value: string, what: string, change?: string) =>
    `<div><span class="value">${esc(value)}</span><span class="what">${esc(what)}</span>${change ? `<span class="change">${esc(change)}</span>` : ''}</div>`;
  const vs = (change: string) => (earlier ? fmt.t('key.versus', { change, label: earlier.label }) : change);
  const tiles = [
    last
      ? tile(
          fmt.percent(last.share),
          fmt.n('key.answeredOf', s.population, { answered: fmt.int(last.responded), threshold: fmt.threshold(last.thresholdSeconds) }),
          eLast ? vs(pointsDelta(eLast.share, last.share, fmt)) : undefined,
        )
      : '',
    first
      ? tile(
          fmt.int(first.responded),
          fmt.t('key.answeredWithin', { threshold: fmt.threshold(first.thresholdSeconds), share: fmt.percent(first.share) }),
          eFirst ? vs(countDelta(eFirst.responded, first.responded, fmt)) : undefined,
        )
      : '',
    last
      ? tile(
          fmt.duration(last.medianSeconds),
          fmt.t('key.median', { threshold: fmt.threshold(last.thresholdSeconds) }),
          eLast && durationDelta(eLast.medianSeconds, last.medianSeconds, fmt) ? vs(durationDelta(eLast.medianSeconds, last.medianSeconds, fmt)) : undefined,
        )
      : '',
    tile(fmt.int(failed), fmt.n('key.failed', failed), e ? vs(countDelta(e.findings.filter((f) => f.status === 'failed').length, failed, fmt)) : undefined),
  ];
  return `<section class="key" aria-label="${esc(fmt.t('report.keyFigures'))}">${tiles.join('')}</section>`;
}

function series(model: ReportModel): Series[] {
  const out: Series[] = [{ name: model.current.label, stats: model.current.stats, role: 'current' }];
  if (model.earlier) out.push({ name: model.earlier.label, stats: model.earlier.stats, role: 'earlier' });
  return out;
}

function clampNote(model: ReportModel): string {
  const stats = [model.current.stats, ...(model.earlier ? [model.earlier.stats] : [])];
  const start = axisStart(stats.flatMap((x) => x.buckets.map((b) => b.thresholdSeconds)));
  const under = stats.some((x) => x.countries.some((c) => c.outcome === 'answered' && c.responseSeconds !== null && c.responseSeconds < start));
  return under ? ` ${esc(model.fmt.t('chart.clampNote', { time: model.fmt.axisTime(start) }))}` : '';
}

function results(model: ReportModel): string {
  const { current, fmt } = model;
  const s = current.stats;
  const lines = bucketLines(s.buckets, fmt);
  return (
    `<section id="results"><h2>${esc(fmt.t('results.heading'))}</h2>` +
    `<p>${esc(fmt.t('results.linesIntro'))}</p><ul class="lines">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` +
    bucketTable(s, model, fmt.t('results.bucketCaption', { population: fmt.int(s.population) })) +
    kindTable(model) +
    `<figure>${cumulativeChartSvg(series(model), fmt, 'curve')}<figcaption>${esc(fmt.t('chart.curveCaption', { window: fmt.threshold(s.buckets.at(-1)?.thresholdSeconds ?? 86400) }))}${clampNote(model)}</figcaption></figure>` +
    `<figure>${bucketBarsSvg(series(model), fmt, 'bars')}<figcaption>${esc(fmt.t('chart.barsCaption'))}</figcaption></figure>` +
    `</section>`
  );
}

function kindTable(model: ReportModel): string {
  const t = byKindTable(model);
  if (!t) return '';
  return table(
    model.fmt.t('results.byKindCaption'),
    t.head.map((h, i) => ({ label: h, num: i > 0, nowrap: i > 0 })),
    t.rows.map((r) => r.map(esc)),
    { cls: 'by-kind' },
  );
}

/** What a reader must know before reading a comparison, as callouts. */
export function notesHtml(notes: string[]): string {
  return notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
}

function comparison(model: ReportModel): string {
  const { earlier, current, fmt } = model;
  if (!earlier) return '';
  const rows = compareBuckets(earlier.stats, current.stats, fmt);
  const e = esc(earlier.label);
  const c = esc(current.label);
  const change = esc(fmt.t('compare.change'));
  const head =
    `<tr class="group"><th scope="col" rowspan="2">${esc(fmt.t('results.within'))}</th><th scope="colgroup" colspan="3">${esc(fmt.t('compare.countries'))}</th><th scope="colgroup" colspan="3">${esc(fmt.t('compare.share'))}</th><th scope="colgroup" colspan="3">${esc(fmt.t('compare.average'))}</th></tr>` +
    `<tr>${[0, 1, 2].map(() => `<th scope="col" class="num">${e}</th><th scope="col" class="num">${c}</th><th scope="col" class="num">${change}</th>`).join('')}</tr>`;
  const cols: Col[] = [{ label: '', nowrap: true }, ...Array.from({ length: 9 }, () => ({ label: '', num: true, nowrap: true }))];
  const bucketRows = rows.map((r) => compareBucketCells(r, fmt).map(esc));
  const outcomes = compareOutcomes(earlier.stats, current.stats, fmt);
  return (
    `<section id="compare"><h2>${esc(fmt.t('compare.heading', { date: earlier.label }))}</h2>` +
    notesHtml(model.notes) +
    table(fmt.t('compare.caption', { earlier: earlier.label, current: current.label }), cols, bucketRows, { head, cls: 'compare' }) +
    table(
      fmt.t('compare.outcomesCaption'),
      [{ label: '' }, { label: earlier.label, num: true }, { label: current.label, num: true }, { label: fmt.t('compare.change'), num: true }],
      outcomes.map((o) => [esc(o.label), esc(fmt.int(o.earlier)), esc(fmt.int(o.current)), esc(o.change)]),
      { cls: 'compare-outcomes' },
    ) +
    `</section>`
  );
}

function outcomeList(model: ReportModel, items: CountryResult[], detail: (c: CountryResult) => string): string {
  if (items.length === 0) return `<p class="quiet">${esc(model.fmt.t('outcomes.none'))}</p>`;
  const collator = new Intl.Collator(model.fmt.locale);
  const { shown, more } = capList(items.slice().sort((a, b) => collator.compare(a.country, b.country)));
  return `<ul>${shown
    .map((c) => `<li>${esc(c.country)}${detail(c) ? ` <span class="quiet">— ${esc(detail(c))}</span>` : ''}</li>`)
    .join('')}${more ? `<li class="quiet more">${esc(model.fmt.n('lists.more', more))}</li>` : ''}</ul>`;
}

function notAnswered(model: ReportModel): string {
  const { fmt } = model;
  const s = model.current.stats;
  const window = fmt.threshold(s.buckets.at(-1)?.thresholdSeconds ?? 86400);
  const box = (cls: string, title: string, count: number, note: string, list: string) =>
    `<div><h3 class="${cls}">${esc(fmt.t('outcomes.withCount', { title, count: fmt.int(count) }))}</h3><p class="quiet">${esc(note)}</p>${list}</div>`;
  const unreachable = s.unreachable ?? [];
  return (
    `<section id="outcomes"><h2>${esc(fmt.t('outcomes.heading'))}</h2><div class="outcomes">` +
    box('late', fmt.t('outcomes.late'), s.late.length, fmt.t('outcomes.lateNote', { window }), outcomeList(model, s.late, (c) => fmt.duration(c.responseSeconds))) +
    box('auto', fmt.t('outcomes.automatic'), s.automaticOnly.length, fmt.t('outcomes.automaticNote'), outcomeList(model, s.automaticOnly, (c) => receivedText(fmt, c.received))) +
    box('unreachable', fmt.t('outcomes.unreachable'), unreachable.length, fmt.t('outcomes.unreachableNote'), outcomeList(model, unreachable, () => '')) +
    box('silent', fmt.t('outcomes.silent'), s.silent.length, fmt.t('outcomes.silentNote', { window }), outcomeList(model, s.silent, () => '')) +
    `</div></section>`
  );
}

function findings(model: ReportModel): string {
  const { fmt } = model;
  const s = model.current.stats;
  const quiet = (t: string) => `<span class="quiet">${esc(t)}</span>`;
  const { shown, more } = capList(s.findings);
  const body =
    s.findings.length === 0
      ? `<p class="quiet">${esc(fmt.t('findings.none'))}</p>`
      : table(
          fmt.n('findings.caption', s.findings.length),
          [
            { label: fmt.t('findings.country') },
            ...(model.anonymized ? [] : [{ label: fmt.t('findings.contact') }]),
            { label: fmt.t('findings.channel'), nowrap: true },
            { label: fmt.t('findings.address') },
            { label: fmt.t('findings.finding'), nowrap: true },
            { label: fmt.t('findings.words') },
            { label: fmt.t('findings.when'), nowrap: true },
          ],
          shown.map((f) => [
            esc(f.country),
            ...(model.anonymized ? [] : [esc(f.contactId ?? '')]),
            esc(channelLabel(fmt, f.channel)),
            model.anonymized ? quiet(fmt.t('findings.hidden')) : f.address ? esc(f.address) : quiet(fmt.t('findings.notRecorded')),
            `<span class="${f.status === 'failed' ? 'silent' : 'late'}">${esc(fmt.t(`finding.${f.status}`))}</span>`,
            `<span class="words">${esc(detailText(fmt, f.detail))}</span>`,
            esc(shortUtc(fmt, model.current.startedAt, f.at)),
          ]),
          { cls: 'findings' },
        ) + moreRows(model, more);
  const problems = testProblemSentences(fmt, s.testProblems, (iso) => fmt.dateTime(iso, 'UTC'));
  const problemSection = problems.length
    ? `<section id="test-problems"><h2>${esc(fmt.t('testProblems.heading'))}</h2>${problems.map((p) => `<p class="silent"><strong>${esc(p)}</strong></p>`).join('')}</section>`
    : '';
  let origin = '';
  if (s.authenticity) {
    const a = authenticityView(fmt, s.authenticity, (iso) => fmt.dateTime(iso, 'UTC'));
    origin =
      `<section id="authenticity"><h2>${esc(fmt.t('authenticity.heading'))}</h2><p>${esc(a.policy)}</p>` +
      table(fmt.t('authenticity.caption'), [{ label: fmt.t('authenticity.verdict') }, { label: fmt.t('authenticity.answers'), num: true }], a.rows.map((r) => [esc(r.label), esc(fmt.int(r.count))])) +
      (a.bounces ? `<p>${esc(a.bounces)}</p>` : '') +
      (a.unconfirmed.length ? `<h3>${esc(fmt.t('authenticity.unconfirmedHeading'))}</h3><ul>${a.unconfirmed.map((u) => `<li>${esc(u)}</li>`).join('')}</ul>` : '') +
      '</section>';
  }
  return `${problemSection}<section id="findings"><h2>${esc(fmt.t('findings.heading'))}</h2>${body}</section>${origin}`;
}

function overrides(model: ReportModel): string {
  const { fmt } = model;
  const s = model.current.stats;
  const answers = overridesHaveAnswers(s.overrides);
  const body =
    s.overrides.length === 0
      ? `<p class="quiet">${esc(fmt.t('overrides.none'))}</p>`
      : table(
          fmt.t('overrides.caption'),
          [
            { label: fmt.t('overrides.when'), nowrap: true },
            { label: fmt.t('overrides.concerning') },
            { label: fmt.t('overrides.correction') },
            ...(answers ? [{ label: fmt.t('overrides.answer') }] : []),
            { label: fmt.t('overrides.reason') },
          ],
          s.overrides.map((o) => {
            const c = overrideCells(model, o);
            return [esc(c.when), esc(c.concerning), esc(c.correction), ...(answers ? [esc(c.answer)] : []), esc(c.reason)];
          }),
          { cls: 'overrides', rowHeader: 1 },
        );
  return `<section id="overrides"><h2>${esc(fmt.t('overrides.heading'))}</h2>${body}</section>`;
}

const OUTCOME_CLASS: Record<string, string> = { late: 'late', silent: 'silent', 'automatic-only': 'auto', unreachable: 'unreachable' };

/** The line under a capped table (src/report/cap.ts). */
function moreRows(model: ReportModel, more: number): string {
  return more ? `<p class="quiet more">${esc(model.fmt.n('lists.more', more))}</p>` : '';
}

function countryTable(model: ReportModel, all: CountryRow[], caption: string): string {
  const { fmt } = model;
  const anon = model.anonymized;
  const { shown: rows, more } = capList(all);
  const cols: Col[] = [
    { label: fmt.t('countries.country') },
    { label: fmt.t('countries.result') },
    { label: fmt.t('countries.responseTime'), num: true, nowrap: true },
    { label: fmt.t('countries.within'), nowrap: true },
    { label: fmt.t('countries.channel'), nowrap: true },
    ...(anon ? [] : [{ label: fmt.t('countries.contact'), nowrap: true }]),
    { label: fmt.t(anon ? 'countries.periodOfDay' : 'countries.localTime'), nowrap: true },
  ];
  return table(
    caption,
    cols,
    rows.map((r) => {
      const cls = OUTCOME_CLASS[r.outcome];
      return [
        esc(r.country),
        cls ? `<span class="${cls}">${esc(r.outcomeLabel)}</span>` : esc(r.outcomeLabel),
        esc(r.response),
        esc(r.within),
        esc(channelLabel(fmt, r.channel)),
        ...(anon ? [] : [esc(r.contactId ?? '')]),
        esc(r.localTime),
      ];
    }),
    { cls: 'countries' },
  ) + moreRows(model, more);
}

function byCountry(model: ReportModel): string {
  const { fmt, current: cur } = model;
  return (
    `<section id="countries" class="page-break"><h2>${esc(fmt.t('countries.heading'))}</h2>` +
    countryTable(model, cur.rows, fmt.n('countries.caption', cur.rows.length)) +
    `</section>`
  );
}

function observers(model: ReportModel): string {
  const { fmt } = model;
  const o = model.current.stats.observers;
  if (!o) return '';
  return (
    `<section id="observers"><h2>${esc(fmt.t('observers.heading'))}</h2>` +
    `<ul class="lines">${bucketLines(o.buckets, fmt)
      .map((l) => `<li>${esc(l)}</li>`)
      .join('')}</ul>` +
    bucketTable(o, model, fmt.t('observers.bucketCaption', { population: fmt.int(o.population) })) +
    countryTable(model, model.current.observerRows, fmt.t('observers.countriesCaption')) +
    `</section>`
  );
}

function methods(model: ReportModel): string {
  return `<section id="methods" class="methods"><h2>${esc(model.fmt.t('methods.heading'))}</h2>${methodsText(model)
    .map((p) => `<h3>${esc(p.heading)}</h3><p>${esc(p.text)}</p>`)
    .join('')}</section>`;
}

export function footerText(model: ReportModel): string {
  const started = model.current.startedAt ? model.fmt.t('report.footerStarted', { iso: isoUtc(model.current.startedAt) }) : '';
  return model.fmt.t('report.footer', { generator: model.generator, source: sourceText(model), started, locale: model.fmt.locale });
}

/** The whole HTML document. */
export function renderHtml(model: ReportModel): string {
  return htmlDocument({
    lang: model.fmt.language === 'en' ? 'en' : model.fmt.locale,
    title: model.title,
    generator: model.generator,
    body: [
      header(model),
      '<main>',
      keyFigures(model),
      results(model),
      comparison(model),
      notAnswered(model),
      findings(model),
      overrides(model),
      byCountry(model),
      observers(model),
      methods(model),
      '</main>',
      `<footer>${esc(footerText(model))}</footer>`,
    ],
  });
}
