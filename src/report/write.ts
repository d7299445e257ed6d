// Writes the reports of a test (HTML, Markdown, CSV, JSON, PDF) into a folder: what
// `rollcall report` and the end of every run call. Checks everything that can fail (formats,
// locale, zone, Chromium for PDF) before writing anything; each file is written whole or not at all.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { SourceMeta } from '../stats/source.js';
import type { Stats } from '../stats/types.js';
import { UsageError } from '../core/errors.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { buildReportModel, type ReportModel } from './model.js';
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

/** File name (without extension) of a report: `<run id or source name>[-vs-<other>][-anonymized]`. */
export function reportBaseName(meta: SourceMeta, opts: { compare?: SourceMeta; anonymize?: boolean } = {}): string {
  const parts = [`${stem(meta)}-report`];
  if (opts.compare) parts.push(`vs-${stem(opts.compare)}`);
  if (opts.anonymize) parts.push('anonymized');
  return parts.join('-').replace(/[^A-Za-z0-9._-]+/g, '_');
}

async function writeWhole(file: string, content: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, content, 'utf8');
  await rename(tmp, file);
}

const RENDER: Record<Exclude<ReportFormat, 'pdf'>, (m: ReportModel) => string> = {
  html: renderHtml,
  md: renderMarkdown,
  csv: renderCsv,
  json: renderJson,
};

/** Writes one file per format into `outDir` (created if needed); returns the paths written, in
 * the order of `formats`. `chromium` names the browser for PDF (default: found on the system). */
export async function writeReports(
  input: { stats: Stats; meta: SourceMeta; compare?: { stats: Stats; meta: SourceMeta } },
  opts: { formats: string[]; outDir: string; locale?: string; anonymize?: boolean; title?: string; tz?: string; chromium?: string },
): Promise<string[]> {
  const formats = parseFormats(opts.formats);
  const model = buildReportModel(input, {
    ...(opts.locale !== undefined ? { locale: opts.locale } : {}),
    ...(opts.anonymize !== undefined ? { anonymize: opts.anonymize } : {}),
    ...(opts.title !== undefined ? { title: opts.title } : {}),
    ...(opts.tz !== undefined ? { tz: opts.tz } : {}),
  });
  let chromium: string | undefined;
  if (formats.includes('pdf')) {
    chromium = await findChromium(opts.chromium);
    if (!chromium) throw chromiumMissing(opts.chromium);
  }
  await mkdir(opts.outDir, { recursive: true });
  const base = join(opts.outDir, reportBaseName(input.meta, { ...(input.compare ? { compare: input.compare.meta } : {}), anonymize: Boolean(opts.anonymize) }));
  const written: string[] = [];
  let html: string | undefined;
  for (const f of formats) {
    if (f === 'pdf') continue;
    const content = RENDER[f](model);
    if (f === 'html') html = content;
    const file = `${base}.${f}`;
    await writeWhole(file, content);
    written.push(file);
  }
  if (formats.includes('pdf')) {
    // Print from a private copy of the HTML, so that a PDF-only export leaves no HTML behind.
    const dir = await mkdtemp(join(tmpdir(), 'rollcall-pdf-'));
    try {
      const htmlFile = join(dir, 'report.html');
      await writeFile(htmlFile, html ?? renderHtml(model), 'utf8');
      const tmpPdf = join(dir, 'report.pdf');
      await printPdf(chromium!, htmlFile, tmpPdf);
      const file = `${base}.pdf`;
      await rename(tmpPdf, file).catch(async () => {
        // Another file system: copy through a temp name beside the target.
        const { copyFile } = await import('node:fs/promises');
        await copyFile(tmpPdf, `${file}.${process.pid}.tmp`);
        await rename(`${file}.${process.pid}.tmp`, file);
      });
      written.splice(formats.indexOf('pdf'), 0, file);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return written;
}
