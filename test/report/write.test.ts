import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, SettingsError, UsageError } from '../../src/core/errors.js';
import { parseFormats, reportBaseName, writeReports } from '../../src/report/write.js';
import { sampleMeta, sampleStats } from './sample-stats.js';

const dirs: string[] = [];
const tempDir = async () => {
  const d = await mkdtemp(join(tmpdir(), 'rollcall-report-'));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('writeReports', () => {
  it('writes one file per format, named after the run, in the order asked', async () => {
    const dir = await tempDir();
    const out = join(dir, 'nested', 'reports');
    const stats = sampleStats();
    const files = await writeReports({ stats, meta: sampleMeta() }, { formats: ['json', 'html', 'md', 'csv'], outDir: out });
    expect(files).toEqual(['json', 'html', 'md', 'csv'].map((ext) => join(out, `2023-06-07T0730Z-demo-report.${ext}`)));
    expect((await readdir(out)).sort()).toEqual(files.map((f) => f.slice(out.length + 1)).sort()); // no temp files left
    const json = JSON.parse(await readFile(files[0]!, 'utf8'));
    expect(json.stats).toEqual(stats);
    expect(json.meta.runId).toBe('2023-06-07T0730Z-demo');
    expect(json.report).toMatchObject({ title: '24/7 Network (Budapest Convention) responsiveness test 7 June 2023', locale: 'en-GB', tz: 'Europe/Paris', anonymized: false });
    expect(await readFile(files[1]!, 'utf8')).toMatch(/^<!doctype html>/);
  });
  it('replaces an earlier report of the same run', async () => {
    const dir = await tempDir();
    await writeReports({ stats: sampleStats({ answered: 10 }), meta: sampleMeta() }, { formats: ['md'], outDir: dir });
    const [file] = await writeReports({ stats: sampleStats(), meta: sampleMeta() }, { formats: ['md'], outDir: dir, title: 'Second' });
    expect(await readFile(file!, 'utf8')).toMatch(/^# Second\n/);
    expect(await readdir(dir)).toHaveLength(1);
  });
  it('puts the comparison and anonymization in the file name', () => {
    expect(reportBaseName(sampleMeta({ runId: undefined, path: 'fixtures/replies-2023.csv', kind: 'replies' }))).toBe('replies-2023-report');
    expect(reportBaseName(sampleMeta({ runId: undefined, path: 'runs/2024-06-05T0930Z-k3f9/events.jsonl', kind: 'events' }))).toBe('2024-06-05T0930Z-k3f9-report');
    expect(reportBaseName(sampleMeta(), { compare: sampleMeta({ runId: undefined, path: 'old/replies 2022.csv' }), anonymize: true })).toBe(
      '2023-06-07T0730Z-demo-report-vs-replies_2022-anonymized',
    );
  });
  it('refuses unknown formats, locales and zones before writing anything', async () => {
    const dir = join(await tempDir(), 'out');
    const input = { stats: sampleStats(), meta: sampleMeta() };
    await expect(writeReports(input, { formats: ['html', 'docx'], outDir: dir })).rejects.toThrow(/--format: unknown format "docx" \(use html, md, csv, json, pdf\)/);
    await expect(writeReports(input, { formats: ['html'], outDir: dir, tz: 'Mars/Olympus' })).rejects.toThrow(UsageError);
    await expect(writeReports(input, { formats: ['html'], outDir: dir, locale: '$$' })).rejects.toThrow(/--locale/);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });
  it('says clearly, with exit code 2, that PDF needs Chromium when it is missing, and writes nothing', async () => {
    const dir = join(await tempDir(), 'out');
    const err = await writeReports({ stats: sampleStats(), meta: sampleMeta() }, { formats: ['html', 'pdf'], outDir: dir, chromium: '/nonexistent/chromium' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as SettingsError).exitCode).toBe(EXIT.cannotStart);
    expect((err as Error).message).toMatch(/--format pdf needs headless Chromium, which was not found \(looked for \/nonexistent\/chromium\)\. Install it \(Debian\/Ubuntu: apt-get install chromium\)/);
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });
});

describe('parseFormats', () => {
  it('accepts a list with spaces, case and aliases, without duplicates', () => {
    expect(parseFormats('html, MD,markdown,csv')).toEqual(['html', 'md', 'csv']);
    expect(parseFormats(['json', 'pdf'])).toEqual(['json', 'pdf']);
  });
  it('needs at least one format', () => {
    expect(() => parseFormats(' , ')).toThrow(/--format: give at least one of html, md, csv, json, pdf/);
  });
});
