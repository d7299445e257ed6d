// The HTML report: one self-contained file (no scripts, fonts or images from anywhere; a CSP
// forbids them), charts as inline SVG, print styles for A4, table headers and chart titles for
// screen readers. Every string from data goes through esc().
import type { BucketStat, CountryResult, Stats } from '../stats/types.js';
import { thresholdLabel } from '../core/duration.js';
import { bucketLines } from './bucket-lines.js';
import { axisStart, axisTime, bucketBarsSvg, cumulativeChartSvg, type Series } from './chart.js';
import { compareBucketCells, compareBuckets, compareOutcomes, countDelta, durationDelta, pointsDelta } from './compare.js';
import { esc } from './escape.js';
import { methodsText } from './methods.js';
import { byKindTable, receivedText, reportFacts, shortUtc, sourceText } from './facts.js';
import { CHANNEL_LABEL, FINDING_LABEL, OVERRIDE_LABEL, type CountryRow, type ReportModel } from './model.js';
import { isoUtc } from './format.js';

const STYLE = `
:root{--ink:#1d2330;--muted:#5b6474;--line:#dfe3e8;--rule:#1d2330;--accent:#1f4e79;--soft:#f3f5f8;--warn:#8a5300;--bad:#9b2c2c}
*{box-sizing:border-box}
html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Liberation Sans","DejaVu Sans",sans-serif;color:var(--ink);background:#fff;font-size:15px;line-height:1.45;-webkit-text-size-adjust:100%}
body{max-width:980px;margin:0 auto;padding:36px 28px 56px}
header{border-bottom:2px solid var(--rule);padding-bottom:14px;margin-bottom:22px}
.network{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:12px;color:var(--muted);font-weight:600}
h1{font-size:28px;line-height:1.2;margin:6px 0 14px;font-weight:650;letter-spacing:-.01em}
h2{font-size:19px;margin:34px 0 10px;font-weight:650;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px;font-weight:650}
p{margin:0 0 10px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:3px 18px;margin:0;font-size:14px}
.facts dt{color:var(--muted)}
.facts dd{margin:0}
.key{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:0 0 6px}
.key div{border-top:3px solid var(--accent);padding:8px 2px 0}
.key .value{display:block;font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.15}
.key .what{display:block;font-size:13px;color:var(--muted)}
.key .change{display:block;font-size:12.5px;color:var(--ink);margin-top:2px}
ul.lines{margin:6px 0 16px;padding-left:20px}
ul.lines li{margin:2px 0}
table{border-collapse:collapse;width:100%;font-size:13.5px;font-variant-numeric:tabular-nums;margin:6px 0 18px}
caption{text-align:left;font-weight:600;padding:0 0 6px;font-size:14px}
th,td{padding:5px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-weight:600;color:var(--muted);font-size:12.5px;border-bottom:1.5px solid var(--rule);vertical-align:bottom}
tbody th{font-weight:500}
.num{text-align:right}
td.change{color:var(--muted)}
tr.group th{border-bottom:none;text-align:center}
figure{margin:14px 0 22px}
figure svg{width:100%;height:auto;display:block}
figcaption{font-size:13px;color:var(--muted);margin-top:4px}
.outcomes{display:grid;grid-template-columns:repeat(3,1fr);gap:18px}
.outcomes ul{margin:0;padding-left:18px;font-size:14px}
.outcomes p{font-size:13px;margin:0 0 6px}
td.nowrap,th.nowrap{white-space:nowrap}
.late{color:var(--warn)}.silent{color:var(--bad)}.auto{color:var(--warn)}
.quiet{color:var(--muted)}
.words{font-family:ui-monospace,"SFMono-Regular",Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-word}
.methods h3{margin-top:12px}
.methods p{max-width:46em}
footer{margin-top:36px;padding-top:10px;border-top:1px solid var(--line);font-size:12px;color:var(--muted)}
@media (max-width:700px){.key{grid-template-columns:repeat(2,1fr)}.outcomes{grid-template-columns:1fr}body{padding:20px 14px}}
@page{size:A4;margin:15mm 14mm 16mm}
@media print{
 html{font-size:10pt}
 body{max-width:none;padding:0}
 h1{font-size:20pt}
 h2{font-size:13pt;break-after:avoid}
 table{font-size:9pt}
 .words{font-size:7.5pt}
 figcaption{font-size:8.5pt}
 thead{display:table-header-group}
 tr,figure,.key,.outcomes,ul.lines{break-inside:avoid}
 .page-break{break-before:page}
 a{color:inherit;text-decoration:none}
}
`;

interface Col {
  label: string;
  num?: boolean;
  /** Short values that should not wrap (channel, times). */
  nowrap?: boolean;
}

const colClass = (c: Col | undefined) => {
  const cls = [c?.num ? 'num' : '', c?.nowrap ? 'nowrap' : ''].filter(Boolean).join(' ');
  return cls ? ` class="${cls}"` : '';
};

function table(caption: string, cols: Col[], rows: string[][], opts: { rowHeader?: number; cls?: string; head?: string } = {}): string {
  const rh = opts.rowHeader ?? 0;
  const head = opts.head ?? `<tr>${cols.map((c) => `<th scope="col"${c.num ? ' class="num"' : ''}>${esc(c.label)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (r) =>
        `<tr>${r
          .map((cell, i) => {
            const cls = colClass(cols[i]);
            return i === rh ? `<th scope="row"${cls}>${cell}</th>` : `<td${cls}>${cell}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table${opts.cls ? ` class="${opts.cls}"` : ''}><caption>${esc(caption)}</caption><thead>${head}</thead><tbody>\n${body}\n</tbody></table>`;
}

function bucketTable(stats: Stats, model: ReportModel, caption: string): string {
  const { fmt } = model;
  return table(
    caption,
    [{ label: 'Within' }, { label: 'Countries', num: true }, { label: 'Share', num: true }, { label: 'Average', num: true }, { label: 'Median', num: true }],
    stats.buckets.map((b: BucketStat) => [
      esc(thresholdLabel(b.thresholdSeconds)),
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
    `<dl class="facts">${reportFacts(model).map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl></header>`
  );
}

function keyFigures(model: ReportModel): string {
  const { current, earlier, fmt } = model;
  const s = current.stats;
  const last = s.buckets.at(-1);
  const first = s.buckets[0];
  const e = earlier?.stats;
  const eLast = e?.buckets.at(-1);
  const eFirst = e?.buckets.find((b) => b.thresholdSeconds === first?.thresholdSeconds);
  const failed = s.findings.filter((f) => f.status === 'failed').length;
  const tile = (value: string, what: string, change?: string) =>
    `<div><span class="value">${esc(value)}</span><span class="what">${esc(what)}</span>${change ? `<span class="change">${esc(change)}</span>` : ''}</div>`;
  const vs = earlier ? ` vs ${earlier.label}` : '';
  const tiles = [
    last
      ? tile(fmt.percent(last.share), `${fmt.int(last.responded)} of ${fmt.int(s.population)} countries answered within ${thresholdLabel(last.thresholdSeconds)}`, eLast ? pointsDelta(eLast.share, last.share, fmt) + vs : undefined)
      : '',
    first
      ? tile(fmt.int(first.responded), `answered within ${thresholdLabel(first.thresholdSeconds)} (${fmt.percent(first.share)})`, eFirst ? countDelta(eFirst.responded, first.responded, fmt) + vs : undefined)
      : '',
    last
      ? tile(fmt.duration(last.medianSeconds), `median response time of those who answered within ${thresholdLabel(last.thresholdSeconds)}`, eLast && durationDelta(eLast.medianSeconds, last.medianSeconds) ? durationDelta(eLast.medianSeconds, last.medianSeconds) + vs : undefined)
      : '',
    tile(fmt.int(failed), `${failed === 1 ? 'address or number' : 'addresses and numbers'} in the directory failed`, e ? countDelta(e.findings.filter((f) => f.status === 'failed').length, failed, fmt) + vs : undefined),
  ];
  return `<section class="key" aria-label="Key figures">${tiles.join('')}</section>`;
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
  return under ? ` Answers faster than ${esc(axisTime(start))} are drawn at ${esc(axisTime(start))}.` : '';
}

function results(model: ReportModel): string {
  const { current, fmt } = model;
  const s = current.stats;
  const lines = bucketLines(s.buckets, fmt);
  return (
    `<section id="results"><h2>Results</h2>` +
    `<p>As in the 2023 report:</p><ul class="lines">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` +
    bucketTable(s, model, `Countries that answered, by threshold (cumulative), of ${fmt.int(s.population)} tested`) +
    kindTable(model) +
    `<figure>${cumulativeChartSvg(series(model), fmt, 'curve')}<figcaption>Each step is a country answering. The time axis is logarithmic so that the first minutes and the whole ${esc(thresholdLabel(s.buckets.at(-1)?.thresholdSeconds ?? 86400))} are both readable; circles mark the share at each threshold.${clampNote(model)}</figcaption></figure>` +
    `<figure>${bucketBarsSvg(series(model), fmt, 'bars')}<figcaption>Countries counted under each threshold; the counts are cumulative, as in the table.</figcaption></figure>` +
    `</section>`
  );
}

function kindTable(model: ReportModel): string {
  const t = byKindTable(model);
  if (!t) return '';
  return table(
    'By kind of contact point: countries with a contact point of that kind, counted by that contact point alone',
    t.head.map((h, i) => ({ label: h, num: i > 0, nowrap: i > 0 })),
    t.rows.map((r) => r.map(esc)),
    { cls: 'by-kind' },
  );
}

function comparison(model: ReportModel): string {
  const { earlier, current, fmt } = model;
  if (!earlier) return '';
  const rows = compareBuckets(earlier.stats, current.stats, fmt);
  const e = esc(earlier.label);
  const c = esc(current.label);
  const head =
    `<tr class="group"><th scope="col" rowspan="2">Within</th><th scope="colgroup" colspan="3">Countries</th><th scope="colgroup" colspan="3">Share</th><th scope="colgroup" colspan="3">Average response time</th></tr>` +
    `<tr>${[0, 1, 2].map(() => `<th scope="col" class="num">${e}</th><th scope="col" class="num">${c}</th><th scope="col" class="num">Change</th>`).join('')}</tr>`;
  const cols: Col[] = [{ label: 'Within', nowrap: true }, ...Array.from({ length: 9 }, () => ({ label: '', num: true, nowrap: true }))];
  const bucketRows = rows.map((r) => compareBucketCells(r, fmt).map(esc));
  const outcomes = compareOutcomes(earlier.stats, current.stats, fmt);
  return (
    `<section id="compare"><h2>Compared with the test of ${e}</h2>` +
    table(`The two tests side by side (${e} → ${c})`, cols, bucketRows, { head, cls: 'compare' }) +
    table(
      'Outcomes',
      [{ label: '' }, { label: earlier.label, num: true }, { label: current.label, num: true }, { label: 'Change', num: true }],
      outcomes.map((o) => [esc(o.label), esc(fmt.int(o.earlier)), esc(fmt.int(o.current)), esc(o.change)]),
      { cls: 'compare-outcomes' },
    ) +
    `</section>`
  );
}

function outcomeList(model: ReportModel, items: CountryResult[], detail: (c: CountryResult) => string): string {
  if (items.length === 0) return '<p class="quiet">None.</p>';
  return `<ul>${items
    .slice()
    .sort((a, b) => a.country.localeCompare(b.country, model.fmt.locale))
    .map((c) => `<li>${esc(c.country)}${detail(c) ? ` <span class="quiet">— ${esc(detail(c))}</span>` : ''}</li>`)
    .join('')}</ul>`;
}

function notAnswered(model: ReportModel): string {
  const s = model.current.stats;
  const windowLabel = thresholdLabel(s.buckets.at(-1)?.thresholdSeconds ?? 86400);
  return (
    `<section id="outcomes"><h2>Late, automatic replies only, no answer</h2><div class="outcomes">` +
    `<div><h3 class="late">Answered late (${model.fmt.int(s.late.length)})</h3><p class="quiet">after ${esc(windowLabel)}</p>${outcomeList(model, s.late, (c) => model.fmt.duration(c.responseSeconds))}</div>` +
    `<div><h3 class="auto">Automatic reply only (${model.fmt.int(s.automaticOnly.length)})</h3><p class="quiet">out-of-office or auto-responder, no person</p>${outcomeList(model, s.automaticOnly, (c) => receivedText(c.received))}</div>` +
    `<div><h3 class="silent">No answer (${model.fmt.int(s.silent.length)})</h3><p class="quiet">nothing from a person within ${esc(windowLabel)}</p>${outcomeList(model, s.silent, () => '')}</div>` +
    `</div></section>`
  );
}

function findings(model: ReportModel): string {
  const s = model.current.stats;
  const { fmt } = model;
  const body =
    s.findings.length === 0
      ? '<p class="quiet">No address or number failed or was delayed.</p>'
      : table(
          `${fmt.int(s.findings.length)} ${s.findings.length === 1 ? 'address or number' : 'addresses and numbers'} that did not work as listed`,
          [
            { label: 'Country' },
            ...(model.anonymized ? [] : [{ label: 'Contact point' }]),
            { label: 'Channel', nowrap: true },
            { label: 'Address' },
            { label: 'Finding' },
            { label: 'What the server said' },
            { label: 'When (UTC)', nowrap: true },
          ],
          s.findings.map((f) => [
            esc(f.country),
            ...(model.anonymized ? [] : [esc(f.contactId ?? '')]),
            esc(CHANNEL_LABEL[f.channel] ?? f.channel),
            model.anonymized ? '<span class="quiet">hidden</span>' : f.address ? esc(f.address) : '<span class="quiet">not recorded</span>',
            `<span class="${f.status === 'failed' ? 'silent' : 'late'}">${esc(FINDING_LABEL[f.status] ?? f.status)}</span>`,
            `<span class="words">${esc(f.detail)}</span>`,
            esc(shortUtc(model, f.at)),
          ]),
          { cls: 'findings' },
        );
  return `<section id="findings"><h2>Directory findings</h2>${body}</section>`;
}

function overrides(model: ReportModel): string {
  const s = model.current.stats;
  const body =
    s.overrides.length === 0
      ? '<p class="quiet">No classification was corrected by hand.</p>'
      : table(
          'Corrections made by the secretariat, applied to the figures unless noted',
          [{ label: 'When (UTC)' }, { label: 'Concerning' }, { label: 'Correction' }, { label: 'Reason given' }],
          s.overrides.map((o) => [
            esc(model.fmt.dateTime(o.at, 'UTC')),
            esc(o.contactId ?? (o.messageKey ? `message ${o.messageKey}` : '')),
            esc((OVERRIDE_LABEL[o.as] ?? o.as) + (o.applied === false ? ' (nothing to reclassify: not applied)' : '')),
            esc(o.note),
          ]),
          { cls: 'overrides', rowHeader: 1 },
        );
  return `<section id="overrides"><h2>Manual corrections</h2>${body}</section>`;
}

function countryTable(model: ReportModel, rows: CountryRow[], caption: string): string {
  const anon = model.anonymized;
  const cols: Col[] = [
    { label: 'Country' },
    { label: 'Result' },
    { label: 'Response time', num: true, nowrap: true },
    { label: 'Within', nowrap: true },
    { label: 'Channel', nowrap: true },
    ...(anon ? [] : [{ label: 'Contact point', nowrap: true }]),
    { label: anon ? 'Time of day at the contact point' : 'Local time at the contact point when pinged', nowrap: true },
  ];
  const cls = (r: CountryRow) => (r.outcome === 'late' ? 'late' : r.outcome === 'silent' ? 'silent' : r.outcome === 'automatic-only' ? 'auto' : '');
  return table(
    caption,
    cols,
    rows.map((r) => [
      esc(r.country),
      cls(r) ? `<span class="${cls(r)}">${esc(r.outcomeLabel)}</span>` : esc(r.outcomeLabel),
      esc(r.response),
      esc(r.within),
      esc(r.channel ? (CHANNEL_LABEL[r.channel] ?? r.channel) : ''),
      ...(anon ? [] : [esc(r.contactId ?? '')]),
      esc(r.localTime),
    ]),
    { cls: 'countries' },
  );
}

function byCountry(model: ReportModel): string {
  const cur = model.current;
  return (
    `<section id="countries" class="page-break"><h2>Results by country</h2>` +
    countryTable(model, cur.rows, `${model.fmt.int(cur.rows.length)} countries, fastest first; the response time is that of the country's fastest contact point`) +
    `</section>`
  );
}

function observers(model: ReportModel): string {
  const o = model.current.stats.observers;
  if (!o) return '';
  return (
    `<section id="observers"><h2>Observers (counted separately)</h2>` +
    `<ul class="lines">${bucketLines(o.buckets, model.fmt).map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` +
    bucketTable(o as Stats, model, `Observers that answered, by threshold, of ${model.fmt.int(o.population)} tested`) +
    countryTable(model, model.current.observerRows, 'Observers, fastest first') +
    `</section>`
  );
}

function methods(model: ReportModel): string {
  return `<section id="methods" class="methods"><h2>Method</h2>${methodsText(model)
    .map((p) => `<h3>${esc(p.heading)}</h3><p>${esc(p.text)}</p>`)
    .join('')}</section>`;
}

function footer(model: ReportModel): string {
  const started = model.current.startedAt ? ` (test of ${isoUtc(model.current.startedAt)})` : '';
  return `<footer>Made by ${esc(model.generator)} from ${esc(sourceText(model))}${esc(started)}. Numbers and dates formatted for ${esc(model.fmt.locale)}; times in UTC unless a zone is named.</footer>`;
}

/** The whole HTML document. */
export function renderHtml(model: ReportModel): string {
  return [
    '<!doctype html>',
    '<html lang="en">', // the wording is English in every locale; --locale formats numbers and dates
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="generator" content="${esc(model.generator)}">`,
    `<title>${esc(model.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
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
    footer(model),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
