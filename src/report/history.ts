// --history: several tests side by side, oldest first, each labelled by its date — the figures of
// each test in one table, one chart of the share answered per threshold across tests, and each
// country's outcome test by test, with the countries silent or unreachable in two tests running
// called out. Populations that differ are said plainly; shares are compared only under
// thresholds the tests share.
import type { SourceMeta } from '../stats/source.js';
import type { CountryOutcome, CountryResult, Stats } from '../stats/types.js';
import { countryLabelsIn } from './anonymize.js';
import { historyChartSvg } from './chart.js';
import { countriesByKey, countryKey, outcomeCounts, pointsDelta, shortList, thresholdList } from './compare.js';
import { csvRow, esc, md } from './escape.js';
import { createFormatter, isoUtc, type Formatter } from './format.js';
import { htmlDocument, htmlTable } from './html-page.js';
import { notesHtml } from './html.js';
import { mdTable } from './markdown.js';
import { generator, reportZone, testView, type TestView } from './model.js';

export interface HistoryOptions {
  locale?: string;
  anonymize?: boolean;
  title?: string;
  tz?: string;
}

export interface HistoryCell {
  outcome: CountryOutcome | 'not-tested';
  responseSeconds: number | null;
  text: string;
  /** Silent or unreachable in this test and in the one before or after it that tested the country. */
  streak: boolean;
}

export interface HistoryCountryRow {
  key: string;
  country: string;
  iso?: string;
  cells: HistoryCell[];
  /** Labels of the tests of its silent/unreachable runs of two or more. */
  streakTests: string[];
}

export interface HistoryModel {
  title: string;
  network?: string;
  fmt: Formatter;
  anonymized: boolean;
  tests: TestView[];
  /** Every threshold any test used, shortest first. */
  thresholds: number[];
  populationNotes: string[];
  thresholdNotes: string[];
  countries: HistoryCountryRow[];
  generator: string;
}

const QUIET: ReadonlySet<CountryOutcome | 'not-tested'> = new Set(['silent', 'unreachable']);

/** Tests in date order (those without a date keep their place after the dated ones). */
function byDate<T extends { meta: SourceMeta; stats: Stats }>(tests: T[]): T[] {
  const when = (t: T) => Date.parse(t.meta.startedAt ?? '') || Infinity;
  return tests.map((t, i) => ({ t, i })).sort((a, b) => when(a.t) - when(b.t) || a.i - b.i).map((x) => x.t);
}

function cellOf(fmt: Formatter, stats: Stats, c: CountryResult | undefined): HistoryCell {
  if (!c) return { outcome: 'not-tested', responseSeconds: null, text: fmt.t('history.notTested'), streak: false };
  const cell: HistoryCell = { outcome: c.outcome, responseSeconds: c.responseSeconds, text: fmt.t(`outcome.${c.outcome}`), streak: false };
  if (c.outcome === 'answered' && c.responseSeconds !== null) {
    const bucket = stats.buckets.find((b) => c.responseSeconds! <= b.thresholdSeconds);
    if (bucket) cell.text = fmt.t('history.answeredCell', { threshold: fmt.axisTime(bucket.thresholdSeconds), time: fmt.duration(c.responseSeconds) });
  } else if (c.outcome === 'late' && c.responseSeconds !== null) {
    cell.text = fmt.t('history.lateCell', { time: fmt.duration(c.responseSeconds) });
  }
  return cell;
}

function populationNotes(fmt: Formatter, tests: TestView[]): string[] {
  const keys = tests.map((t) => countriesByKey(t.data, t.stats));
  const same = keys.every((k) => k.size === keys[0]!.size && [...k.keys()].every((x) => keys[0]!.has(x)));
  if (same) return [fmt.t('history.populationsSame', { countries: fmt.n('facts.countries', tests[0]!.stats.population) })];
  const notes = [
    fmt.t('history.populationsDiffer', {
      list: fmt.list(tests.map((t) => fmt.t('history.populationItem', { count: fmt.n('facts.countries', t.stats.population), label: t.label }))),
    }),
  ];
  for (let i = 1; i < tests.length; i++) {
    const e = keys[i - 1]!;
    const c = keys[i]!;
    const joined = [...c.keys()].filter((k) => !e.has(k)).map((k) => c.get(k)!);
    const left = [...e.keys()].filter((k) => !c.has(k)).map((k) => e.get(k)!);
    const vars = { earlier: tests[i - 1]!.label, current: tests[i]!.label };
    if (joined.length) notes.push(fmt.t('compare.joined', { ...vars, names: shortList(joined, fmt) }));
    if (left.length) notes.push(fmt.t('compare.left', { ...vars, names: shortList(left, fmt) }));
  }
  return notes;
}

function thresholdNotes(fmt: Formatter, tests: TestView[]): string[] {
  const sig = (t: TestView) => t.stats.buckets.map((b) => b.thresholdSeconds).join(',');
  const counts = new Map<string, number>();
  for (const t of tests) counts.set(sig(t), (counts.get(sig(t)) ?? 0) + 1);
  if (counts.size <= 1) return tests.length ? [fmt.t('history.thresholdsSame', { list: thresholdList(tests[0]!.stats.buckets, fmt) })] : [];
  // The usual thresholds: those most tests used (on a tie, the latest test's).
  const best = Math.max(...counts.values());
  const main = [...tests].reverse().find((t) => counts.get(sig(t)) === best)!;
  const mainSeconds = main.stats.buckets.map((b) => b.thresholdSeconds);
  return tests
    .filter((t) => sig(t) !== sig(main))
    .map((t) => {
      const shared = t.stats.buckets.filter((b) => mainSeconds.includes(b.thresholdSeconds));
      const vars = { label: t.label, list: thresholdList(t.stats.buckets, fmt), others: thresholdList(main.stats.buckets, fmt) };
      return shared.length
        ? fmt.t('history.thresholdsPartly', { ...vars, shared: thresholdList(shared, fmt) })
        : fmt.t('history.thresholdsDiffer', vars);
    });
}

export function buildHistoryModel(inputs: Array<{ stats: Stats; meta: SourceMeta }>, opts: HistoryOptions = {}): HistoryModel {
  const ordered = byDate(inputs);
  const newest = ordered.at(-1)!;
  const fmt = createFormatter(opts.locale ?? 'en', reportZone(newest.meta, opts.tz));
  const labels = opts.anonymize ? countryLabelsIn((n) => fmt.t('anonymize.label', { n }), ordered.map((t) => t.stats)) : undefined;
  const tests = ordered.map((t) => testView(t.stats, t.meta, fmt, labels));
  // Two tests on the same day keep apart: `7 June 2023`, `7 June 2023 (2)`.
  const seen = new Map<string, number>();
  for (const t of tests) {
    const n = (seen.get(t.label) ?? 0) + 1;
    seen.set(t.label, n);
    if (n > 1) t.label = `${t.label} (${n})`;
  }
  const thresholds = [...new Set(tests.flatMap((t) => t.stats.buckets.map((b) => b.thresholdSeconds)))].sort((a, b) => a - b);

  // Countries across tests, by ISO code (or name); named as in the latest test that had them.
  const rows = new Map<string, HistoryCountryRow>();
  tests.forEach((t) => {
    t.data.countries.forEach((c, k) => {
      const key = countryKey(c);
      let row = rows.get(key);
      if (!row) {
        row = { key, country: '', cells: [], streakTests: [] };
        rows.set(key, row);
      }
      row.country = t.stats.countries[k]?.country ?? c.country;
      if (c.iso && !labels) row.iso = c.iso;
    });
  });
  const byKey = tests.map((t) => new Map(t.data.countries.map((c, k) => [countryKey(c), k])));
  for (const row of rows.values()) {
    row.cells = tests.map((t, i) => {
      const k = byKey[i]!.get(row.key);
      return cellOf(fmt, t.stats, k === undefined ? undefined : t.stats.countries[k]);
    });
    // Two tests running of this country: a test that did not include it does not break the run.
    const tested = row.cells.filter((c) => c.outcome !== 'not-tested');
    for (let i = 1; i < tested.length; i++) {
      if (QUIET.has(tested[i - 1]!.outcome) && QUIET.has(tested[i]!.outcome)) {
        tested[i - 1]!.streak = true;
        tested[i]!.streak = true;
      }
    }
    row.streakTests = row.cells.flatMap((c, i) => (c.streak ? [tests[i]!.label] : []));
  }
  const countries = [...rows.values()].sort((a, b) => a.country.localeCompare(b.country, fmt.locale));

  const network = newest.meta.network ? fmt.network(newest.meta.network) : undefined;
  const first = tests[0]!.label;
  const last = tests.at(-1)!.label;
  const title = opts.title?.trim() || (network ? fmt.t('history.title', { network, first, last }) : fmt.t('history.titleBare', { first, last }));
  const model: HistoryModel = {
    title,
    fmt,
    anonymized: Boolean(opts.anonymize),
    tests,
    thresholds,
    populationNotes: populationNotes(fmt, tests),
    thresholdNotes: thresholdNotes(fmt, tests),
    countries,
    generator: generator(),
  };
  if (network) model.network = network;
  return model;
}

function sourceOf(fmt: Formatter, t: TestView): string {
  return t.meta.runId ? fmt.t('history.sourceRun', { id: t.meta.runId }) : fmt.t('history.sourceReplies', { file: t.meta.path.split(/[\\/]/).pop() ?? t.meta.path });
}

/** The figures table: one row per threshold, one column per test, then the change of the share
 * between the last two tests that used the threshold (this year against the one before). */
function figureRows(m: HistoryModel): { head: string[]; rows: string[][] } {
  const { fmt, tests } = m;
  const head = [fmt.t('history.within'), ...tests.map((t) => t.label), fmt.t('history.change')];
  const rows = m.thresholds.map((s) => {
    const cells = tests.map((t) => {
      const b = t.stats.buckets.find((x) => x.thresholdSeconds === s);
      if (!b) return fmt.t('history.notUsed');
      const vars = { count: fmt.int(b.responded), share: fmt.percent(b.share), average: fmt.duration(b.averageSeconds) };
      return fmt.t(b.averageSeconds === null ? 'history.cellNone' : 'history.cell', vars);
    });
    const using = tests.filter((t) => t.stats.buckets.some((x) => x.thresholdSeconds === s));
    let change = '';
    if (using.length >= 2) {
      const a = using.at(-2)!;
      const z = using.at(-1)!;
      const d = pointsDelta(a.stats.buckets.find((x) => x.thresholdSeconds === s)!.share, z.stats.buckets.find((x) => x.thresholdSeconds === s)!.share, fmt);
      change = a === tests.at(-2) && z === tests.at(-1) ? d : fmt.t('history.changeBetween', { change: d, from: a.label, to: z.label });
    }
    return [fmt.threshold(s), ...cells, change];
  });
  return { head, rows };
}

function outcomeRows(m: HistoryModel): { head: string[]; rows: string[][] } {
  const { fmt, tests } = m;
  const counts = tests.map((t) => outcomeCounts(t.stats));
  return {
    head: ['', ...tests.map((t) => t.label)],
    rows: counts[0]!.map(([key], k) => [fmt.t(key), ...counts.map((c) => fmt.int(c[k]![1]))]),
  };
}

function streakList(m: HistoryModel): HistoryCountryRow[] {
  return m.countries.filter((r) => r.streakTests.length > 0);
}

export function renderHistoryHtml(m: HistoryModel): string {
  const { fmt } = m;
  const items = m.tests.map((t) => fmt.t('history.testItem', { label: t.label, population: fmt.n('facts.countries', t.stats.population), source: sourceOf(fmt, t) }));
  const factList = `<dl class="facts">${items.map((v, i) => `<dt>${i === 0 ? esc(fmt.t('history.testsFact')) : ''}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
  const figures = figureRows(m);
  const outcomes = outcomeRows(m);
  const streaks = streakList(m);
  const countryCols = [{ label: fmt.t('countries.country') }, ...m.tests.map((t) => ({ label: t.label, nowrap: true }))];
  const countryRows = m.countries.map((r) => [
    esc(r.country),
    ...r.cells.map((c) => {
      const cls = c.streak ? 'mark' : c.outcome === 'not-tested' ? 'quiet' : c.outcome === 'answered' ? '' : c.outcome === 'automatic-only' ? 'auto' : c.outcome;
      return cls ? `<span class="${cls}">${esc(c.text)}</span>` : esc(c.text);
    }),
  ]);
  return htmlDocument({
    lang: fmt.language === 'en' ? 'en' : fmt.locale,
    title: m.title,
    generator: m.generator,
    body: [
      `<header>${m.network && !m.title.includes(m.network) ? `<p class="network">${esc(m.network)}</p>` : ''}<h1>${esc(m.title)}</h1>${factList}</header>`,
      '<main>',
      `<section id="populations"><h2>${esc(fmt.t('history.populationsHeading'))}</h2>${notesHtml([...m.populationNotes, ...m.thresholdNotes])}</section>`,
      `<section id="figures"><h2>${esc(fmt.t('history.figuresHeading'))}</h2>` +
        htmlTable(
          fmt.t('history.figuresCaption'),
          figures.head.map((h, i) => ({ label: h, num: i > 0, nowrap: i === 0 })),
          figures.rows.map((r) => r.map(esc)),
          { cls: 'history-figures' },
        ) +
        `<figure>${historyChartSvg(
          m.tests.map((t) => ({ label: t.label, stats: t.stats })),
          fmt,
        )}<figcaption>${esc(fmt.t('history.chartCaption'))}</figcaption></figure>` +
        htmlTable(
          fmt.t('history.outcomesCaption'),
          outcomes.head.map((h, i) => ({ label: h, num: i > 0 })),
          outcomes.rows.map((r) => r.map(esc)),
          { cls: 'history-outcomes' },
        ) +
        `</section>`,
      `<section id="streaks"><h2>${esc(fmt.t('history.streakHeading'))}</h2>` +
        (streaks.length
          ? `<p>${esc(fmt.t('history.streakIntro'))}</p><ul class="lines">${streaks
              .map((r) => `<li><span class="mark">${esc(r.country)}</span>: ${esc(fmt.list(r.streakTests))}</li>`)
              .join('')}</ul>`
          : `<p class="quiet">${esc(fmt.t('history.streakNone'))}</p>`) +
        `</section>`,
      `<section id="countries" class="page-break"><h2>${esc(fmt.t('history.countriesHeading'))}</h2>` +
        htmlTable(fmt.t('history.countriesCaption'), countryCols, countryRows, { cls: 'history-countries' }) +
        `</section>`,
      `<section id="methods" class="methods"><h2>${esc(fmt.t('methods.heading'))}</h2><p>${esc(fmt.t('history.methods'))}</p></section>`,
      '</main>',
      `<footer>${esc(historyFooter(m))}</footer>`,
    ],
  });
}

function historyFooter(m: HistoryModel): string {
  const { fmt } = m;
  return fmt.t('history.footer', { generator: m.generator, sources: fmt.list(m.tests.map((t) => sourceOf(fmt, t))), locale: fmt.locale });
}

export function renderHistoryMarkdown(m: HistoryModel): string {
  const { fmt } = m;
  const out: string[] = [`# ${md(m.title)}`, ''];
  if (m.network && !m.title.includes(m.network)) out.push(`*${md(m.network)}*`, '');
  out.push(`**${md(fmt.t('report.colon', { text: fmt.t('history.testsFact') }))}**`, '');
  for (const t of m.tests) out.push(`- ${md(fmt.t('history.testItem', { label: t.label, population: fmt.n('facts.countries', t.stats.population), source: sourceOf(fmt, t) }))}`);
  out.push('', `## ${md(fmt.t('history.populationsHeading'))}`, '');
  for (const n of [...m.populationNotes, ...m.thresholdNotes]) out.push(`> ${md(n)}`, '');
  const figures = figureRows(m);
  out.push(`## ${md(fmt.t('history.figuresHeading'))}`, '', md(fmt.t('report.colon', { text: fmt.t('history.figuresCaption') })), '');
  out.push(mdTable(figures.head.map((h, i) => [h, i > 0 ? 'r' : 'l']), figures.rows.map((r) => r.map(md))), '');
  const outcomes = outcomeRows(m);
  out.push(md(fmt.t('report.colon', { text: fmt.t('history.outcomesCaption') })), '', mdTable(outcomes.head.map((h, i) => [h, i > 0 ? 'r' : 'l']), outcomes.rows.map((r) => r.map(md))), '');
  out.push(md(fmt.t('results.chartsInHtml')), '');
  out.push(`## ${md(fmt.t('history.streakHeading'))}`, '');
  const streaks = streakList(m);
  if (streaks.length) {
    out.push(md(fmt.t('history.streakIntro')), '');
    for (const r of streaks) out.push(`- **${md(r.country)}**: ${md(fmt.list(r.streakTests))}`);
    out.push('');
  } else out.push(md(fmt.t('history.streakNone')), '');
  out.push(`## ${md(fmt.t('history.countriesHeading'))}`, '', md(fmt.t('report.colon', { text: fmt.t('history.countriesCaption') })), '');
  out.push(
    mdTable(
      [[fmt.t('countries.country'), 'l'], ...m.tests.map((t): [string, 'l'] => [t.label, 'l'])],
      m.countries.map((r) => [md(r.country), ...r.cells.map((c) => (c.streak ? `**${md(c.text)}**` : md(c.text)))]),
    ),
    '',
  );
  out.push(`## ${md(fmt.t('methods.heading'))}`, '', md(fmt.t('history.methods')), '', '---', '', md(historyFooter(m)), '');
  return out.join('\n');
}

/** One row per country: its outcome code word and response time in each test. */
export function renderHistoryCsv(m: HistoryModel): string {
  const { fmt } = m;
  const head = [fmt.t('csv.country'), fmt.t('csv.iso'), ...m.tests.flatMap((t) => [`${t.label}: ${fmt.t('csv.outcome')}`, `${t.label}: ${fmt.t('csv.responseSeconds')}`])];
  const lines = [csvRow(head)];
  for (const r of m.countries) {
    lines.push(
      csvRow([r.country, r.iso ?? '', ...r.cells.flatMap((c) => [c.outcome === 'not-tested' ? fmt.t('csv.notTested') : fmt.t(`csv.${c.outcome}`), c.responseSeconds ?? ''])]),
    );
  }
  return '\uFEFF' + lines.join('\r\n') + '\r\n';
}

export function renderHistoryJson(m: HistoryModel): string {
  const doc = {
    report: {
      title: m.title,
      ...(m.network ? { network: m.network } : {}),
      locale: m.fmt.locale,
      language: m.fmt.language,
      anonymized: m.anonymized,
      generator: m.generator,
      notes: [...m.populationNotes, ...m.thresholdNotes],
    },
    tests: m.tests.map((t) => ({ label: t.label, ...(t.startedAt ? { startedAt: isoUtc(t.startedAt) } : {}), meta: t.meta, stats: t.data })),
    streaks: streakList(m).map((r) => ({ country: r.country, ...(r.iso ? { iso: r.iso } : {}), tests: r.streakTests })),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}
