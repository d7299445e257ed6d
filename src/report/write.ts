// Writes the reports of a test (HTML, Markdown, CSV, JSON, PDF) into a folder — what `rollcall
// report` and the end of every run call — and the history of several tests and the letters to the
// parties. Checks everything that can fail (formats, locale, zone, Chromium for PDF) before
// writing anything; each file is written whole or not at all. A report in another language than
// English carries the locale in its name, so that it never replaces the English one.
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { makeFolder, pathError } from '../core/make-folder.js';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { SourceMeta } from '../stats/source.js';
import type { Stats } from '../stats/types.js';
import { UsageError } from '../core/errors.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { buildHistoryModel, renderHistoryCsv, renderHistoryHtml, renderHistoryJson, renderHistoryMarkdown, type HistoryModel } from './history.js';
import { buildLetters, renderLetterHtml, renderLetterMarkdown, renderLettersIndex, type LettersInput } from './letters.js';
import { buildReportModel, type ReportModel } from './model.js';
import { checkLocale } from './wording.js';
import { chromiumMissing, findChromium, printPdf } from './pdf.js';

export const REPORT_FORMATS = ['html', 'md', 'csv', 'json', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const ALIASES: Record<string, ReportFormat> = { markdown: 'md', htm: 'html' };

/** `html,md` or `['html', 'md']` → formats, deduplicated, in the order given. */
export function parseFormats(list: string | string[]): ReportFormat[] {
  const items = (Array.isArray(list) ? list : list.split(','))
    .flatMap((x) => x.split(','))
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`--format: give at least one of ${REPORT_FORMATS.join(', ')}`);
  const out: ReportFormat[] = [];
  for (const item of items) {
    const f = (ALIASES[item] ?? item) as ReportFormat;
    if (!REPORT_FORMATS.includes(f)) throw new UsageError(`--format: unknown format "${item}" (use ${REPORT_FORMATS.join(', ')})`);
    if (!out.includes(f)) out.push(f);
  }
  return out;
}

function stem(meta: SourceMeta): string {
  if (meta.runId) return meta.runId;
  const name = basename(meta.path);
  // `runs/<id>/events.jsonl` is named after its run folder.
  if (name === 'events.jsonl') return basename(dirname(meta.path)) || 'events';
  return name.replace(/\.(csv|jsonl|json)$/i, '') || 'report';
}

/** `-fr`, `-fr-BE`: the locale in a file name, when it is not English. */
export function localeSuffix(locale: string | undefined): string {
  if (!locale) return '';
  const tag = checkLocale(locale);
  return tag.toLowerCase() === 'en' || tag.toLowerCase().startsWith('en-') ? '' : `-${tag}`;
}

const safe = (name: string) => name.replace(/[^A-Za-z0-9._-]+/g, '_');

/** File name (without extension) of a report: `<run id or source name>[-vs-<other>][-anonymized][-<locale>]`. */
export function reportBaseName(meta: SourceMeta, opts: { compare?: SourceMeta; anonymize?: boolean; locale?: string } = {}): string {
  const parts = [`${stem(meta)}-report`];
  if (opts.compare) parts.push(`vs-${stem(opts.compare)}`);
  if (opts.anonymize) parts.push('anonymized');
  return safe(parts.join('-')) + localeSuffix(opts.locale);
}

/** `history-<oldest>-to-<newest>[-anonymized][-<locale>]`. */
export function historyBaseName(metas: SourceMeta[], opts: { anonymize?: boolean; locale?: string } = {}): string {
  const parts = ['history', stem(metas[0]!), 'to', stem(metas.at(-1)!)];
  if (opts.anonymize) parts.push('anonymized');
  return safe(parts.join('-')) + localeSuffix(opts.locale);
}

async function writeWhole(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, content, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => {});
    throw pathError(e, file, OUT);
  }
}

/** What an output that cannot be written is, in its error. */
const OUT = 'cannot write to';

/** Prints an HTML document to `file` (PDF) from a private copy, so that a PDF-only export leaves no HTML behind. */
async function writePdf(chromium: string, html: string, file: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-pdf-'));
  try {
    const htmlFile = join(dir, 'report.html');
    await writeFile(htmlFile, html, 'utf8');
    const tmpPdf = join(dir, 'report.pdf');
    await printPdf(chromium, htmlFile, tmpPdf);
    await rename(tmpPdf, file).catch(async () => {
      // Another file system: copy through a temp name beside the target.
      const { copyFile } = await import('node:fs/promises');
      await copyFile(tmpPdf, `${file}.${process.pid}.tmp`);
      await rename(`${file}.${process.pid}.tmp`, file);
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function chromiumFor(formats: string[], explicit: string | undefined): Promise<string | undefined> {
  if (!formats.includes('pdf')) return undefined;
  const chromium = await findChromium(explicit);
  if (!chromium) throw chromiumMissing(explicit);
  return chromium;
}

/** One file per format at `base.<format>`, in the order asked; PDF printed from the HTML. */
async function writeFormats(base: string, formats: ReportFormat[], render: Record<Exclude<ReportFormat, 'pdf'>, () => string>, chromium: string | undefined): Promise<string[]> {
  const written: string[] = [];
  let html: string | undefined;
  for (const f of formats) {
    if (f === 'pdf') continue;
    const content = render[f]();
    if (f === 'html') html = content;
    await writeWhole(`${base}.${f}`, content);
    written.push(`${base}.${f}`);
  }
  if (chromium) {
    await writePdf(chromium, html ?? render.html(), `${base}.pdf`);
    written.splice(formats.indexOf('pdf'), 0, `${base}.pdf`);
  }
  return written;
}

export interface WriteOptions {
  formats: string[];
  outDir: string;
  locale?: string;
  anonymize?: boolean;
  title?: string;
  tz?: string;
  chromium?: string;
}

const modelOptions = (opts: WriteOptions) => ({
  ...(opts.locale !== undefined ? { locale: opts.locale } : {}),
  ...(opts.anonymize !== undefined ? { anonymize: opts.anonymize } : {}),
  ...(opts.title !== undefined ? { title: opts.title } : {}),
  ...(opts.tz !== undefined ? { tz: opts.tz } : {}),
});

/** Writes one file per format into `outDir` (created if needed); returns the paths written, in
 * the order of `formats`. `chromium` names the browser for PDF (default: found on the system). */
export async function writeReports(input: { stats: Stats; meta: SourceMeta; compare?: { stats: Stats; meta: SourceMeta } }, opts: WriteOptions): Promise<string[]> {
  const formats = parseFormats(opts.formats);
  const model: ReportModel = buildReportModel(input, modelOptions(opts));
  const chromium = await chromiumFor(formats, opts.chromium);
  makeFolder(opts.outDir, OUT);
  const base = join(
    opts.outDir,
    reportBaseName(input.meta, { ...(input.compare ? { compare: input.compare.meta } : {}), anonymize: Boolean(opts.anonymize), ...(opts.locale ? { locale: opts.locale } : {}) }),
  );
  const render = { html: () => renderHtml(model), md: () => renderMarkdown(model), csv: () => renderCsv(model), json: () => renderJson(model) };
  return writeFormats(base, formats, render, chromium);
}

/** The history of several tests (--history): one file per format. */
export async function writeHistory(tests: Array<{ stats: Stats; meta: SourceMeta }>, opts: WriteOptions): Promise<string[]> {
  if (tests.length < 2) throw new UsageError('--history: give at least two tests (run folders or reply logs), oldest first');
  const formats = parseFormats(opts.formats);
  const model: HistoryModel = buildHistoryModel(tests, modelOptions(opts));
  const chromium = await chromiumFor(formats, opts.chromium);
  makeFolder(opts.outDir, OUT);
  const base = join(opts.outDir, historyBaseName(model.tests.map((t) => t.meta), { anonymize: Boolean(opts.anonymize), ...(opts.locale ? { locale: opts.locale } : {}) }));
  const render = { html: () => renderHistoryHtml(model), md: () => renderHistoryMarkdown(model), csv: () => renderHistoryCsv(model), json: () => renderHistoryJson(model) };
  return writeFormats(base, formats, render, chromium);
}

export const LETTER_FORMATS = ['md', 'html', 'pdf'] as const;

/** The letters to the parties (--letters) into `outDir` (their own folder), with index.md. */
export async function writeLetters(input: LettersInput, opts: { formats: string[]; outDir: string; locale?: string; all?: boolean; chromium?: string }): Promise<string[]> {
  const formats = parseFormats(opts.formats);
  const wrong = formats.filter((f) => !(LETTER_FORMATS as readonly string[]).includes(f));
  if (wrong.length) throw new UsageError(`--letters: letters are written as ${LETTER_FORMATS.join(', ')}, not ${wrong.join(', ')}`);
  if (opts.locale) checkLocale(opts.locale);
  const letterOpts = { ...(opts.locale ? { locale: opts.locale } : {}), ...(opts.all ? { all: true } : {}) };
  const letters = buildLetters(input, letterOpts);
  const chromium = await chromiumFor(formats, opts.chromium);
  makeFolder(opts.outDir, OUT);
  const written: string[] = [];
  for (const letter of letters) {
    const render = { html: () => renderLetterHtml(letter), md: () => renderLetterMarkdown(letter), csv: () => '', json: () => '' };
    written.push(...(await writeFormats(join(opts.outDir, letter.file), formats, render, chromium)));
  }
  const index = join(opts.outDir, `index${localeSuffix(opts.locale)}.md`);
  await writeWhole(index, renderLettersIndex(letters, input, { ...letterOpts, formats }));
  written.push(index);
  return written;
}
