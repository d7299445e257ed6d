// `rollcall report`, spawned as users run it (needs the build in dist/: `npm test` builds first).
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, rollcall } from '../support/cli.js';

let out: string;
beforeAll(async () => {
  if (!existsSync(join(repoRoot, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` (npm test does) first');
  out = await mkdtemp(join(tmpdir(), 'rollcall-report-cli-'));
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('rollcall report', () => {
  it('writes the 2023 reply log as HTML, Markdown, CSV and JSON and prints the paths', async () => {
    const dir = join(out, 'a');
    const r = rollcall(['report', 'fixtures/replies-2023.csv', '--format', 'html,md,csv,json', '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = ['html', 'md', 'csv', 'json'].map((ext) => join(dir, `replies-2023-report.${ext}`));
    expect(r.stdout).toBe(files.join('\n') + '\n');
    const html = await readFile(files[0]!, 'utf8');
    expect(html).toContain('<li>24 hours, 61 countries responded (89.71%), average response time of 1h 37 min</li>');
    expect(html).toContain('<li>12 hours, 59 countries responded, with an average response time of 1h 11 min</li>');
    // The JSON report carries exactly what `rollcall stats --json` computes.
    const stats = JSON.parse(rollcall(['stats', 'fixtures/replies-2023.csv', '--json']).stdout);
    expect(JSON.parse(await readFile(files[3]!, 'utf8')).stats).toEqual(stats);
    const csv = await readFile(files[2]!, 'utf8');
    expect(csv.split('\r\n').filter(Boolean).length - 1).toBeGreaterThanOrEqual(68);
  });
  it('prints { files } with --json', () => {
    const dir = join(out, 'b');
    const r = rollcall(['report', 'fixtures/replies-2023.csv', '--format', 'json', '--out', dir, '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ files: [join(dir, 'replies-2023-report.json')] });
  });
  it('compares with an earlier test, anonymizes and formats for French', async () => {
    const dir = join(out, 'c');
    const r = rollcall([
      'report', 'fixtures/replies-2023.csv', '--compare', 'fixtures/replies-2023.csv', '--anonymize', '--locale', 'fr',
      '--directory', 'fixtures/directory.yaml', '--tz', 'Europe/Paris', '--title', 'Test 2023', '--format', 'md', '--out', dir,
    ]);
    // The log's second contact points (XX-PRO) are not the directory's: their kind is `other`, said once.
    expect(r.stderr).toBe('rollcall: warning: fixtures/replies-2023.csv: 32 contact ids are not in the directory (AL-PRO, AD-PRO, AR-PRO, AT-PRO, AZ-PRO, ...); counted as kind "other"\n');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(join(dir, 'replies-2023-report-vs-replies-2023-anonymized-fr.md'));
    const md = (await readFile(join(dir, 'replies-2023-report-vs-replies-2023-anonymized-fr.md'), 'utf8')).replace(/[\u00a0\u202f]/g, ' ');
    expect(md.startsWith('# Test 2023\n')).toBe(true);
    expect(md).toContain('61 pays ont répondu (89,71 %)');
    expect(md).toMatch(/\| 24 heures \| 61 \| 61 \| 0 \| 89,71 % \| 89,71 % \| 0 pts \| 1 h 37 min \| 1 h 37 min \| 0 min \|/);
    expect(md).toContain('- **Début du test :** 7 juin 2023 à 08:00 UTC · 10:00 Europe/Paris (UTC+2)');
    expect(md).toMatch(/\| Pays \d\d \|/);
    expect(md).not.toMatch(/Albania|Albanie|Argentina|Argentine|AL-POL|@police|Country \d/);
  });
  it('reports a run folder with its own thresholds and zone', async () => {
    const dir = join(out, 'd');
    const r = rollcall(['report', 'fixtures/events/run-small', '--format', 'html', '--out', dir]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(join(dir, '2023-06-07T0800Z-small-report.html'));
    const html = await readFile(join(dir, '2023-06-07T0800Z-small-report.html'), 'utf8');
    expect(html).toContain('<h2>Observers (counted separately)</h2>');
    expect(html).toContain('counted as a reply (nothing to reclassify: not applied)');
  });
  it('exits 2 with one plain line on bad usage or input, writing nothing', async () => {
    const dir = join(out, 'e');
    for (const [args, message] of [
      [['report', 'fixtures/replies-2023.csv', '--format', 'html,docx'], /^rollcall: --format: unknown format "docx"/],
      [['report', 'fixtures/replies-2023.csv', '--tz', 'Europe/Strasbourg'], /^rollcall: --tz: unknown time zone "Europe\/Strasbourg"/],
      [['report', 'fixtures/replies-2023.csv', '--buckets', '15m,soon'], /^rollcall: --buckets: "soon" is not a duration/],
      [['report', 'fixtures/no-such.csv'], /^rollcall: fixtures\/no-such\.csv: no such file or run folder/],
      [['report', 'fixtures/replies-2023.csv', '--title', ' '], /^rollcall: --title: give a title/],
    ] as Array<[string[], RegExp]>) {
      const r = rollcall([...args, '--out', dir]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stdout).toBe('');
    }
    await expect(readdir(dir)).rejects.toThrow(/ENOENT/);
  });
});

describe('rollcall report: where files go, languages, history and letters', () => {
  it('writes a run folder’s report into the run’s own reports/ folder, and French beside English', async () => {
    const run = join(out, 'run-small');
    await cp('fixtures/events/run-small', run, { recursive: true });
    const en = rollcall(['report', run, '--format', 'md']);
    expect(en.stderr).toBe('');
    expect(en.stdout.trim()).toBe(join(run, 'reports', '2023-06-07T0800Z-small-report.md'));
    const fr = rollcall(['report', run, '--format', 'md', '--locale', 'fr']);
    expect(fr.stdout.trim()).toBe(join(run, 'reports', '2023-06-07T0800Z-small-report-fr.md'));
    const be = rollcall(['report', run, '--format', 'md', '--locale', 'fr-BE']);
    expect(be.stdout.trim()).toBe(join(run, 'reports', '2023-06-07T0800Z-small-report-fr-BE.md'));
    // The English report is still English: the French one did not replace it.
    expect(await readFile(join(run, 'reports', '2023-06-07T0800Z-small-report.md'), 'utf8')).toMatch(/^# 24\/7 Network \(fixture\) responsiveness test 7 June 2023/);
    expect(await readFile(join(run, 'reports', '2023-06-07T0800Z-small-report-fr.md'), 'utf8')).toMatch(/^# 24\/7 Network \(fixture\) : test de réactivité du 7 juin 2023/);
    expect((await readdir(join(run, 'reports'))).sort()).toEqual(['2023-06-07T0800Z-small-report-fr-BE.md', '2023-06-07T0800Z-small-report-fr.md', '2023-06-07T0800Z-small-report.md']);
  });
  it('warns when a locale has numbers but no wording yet, and still writes the report', async () => {
    const r = rollcall(['report', 'fixtures/replies-2023.csv', '--format', 'md', '--locale', 'de', '--out', join(out, 'de')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^rollcall: warning: no wording for "de" yet: numbers and dates in de, words in English/);
    expect(r.stdout.trim()).toBe(join(out, 'de', 'replies-2023-report-de.md'));
    // stats says so too; a locale with its wording says nothing.
    const stats = rollcall(['stats', 'fixtures/replies-2023.csv', '--locale', 'de']);
    expect(stats.status).toBe(0);
    expect(stats.stderr).toMatch(/^rollcall: warning: no wording for "de" yet: numbers and dates in de, words in English/);
    expect(stats.stdout).toContain('89,71');
    expect(rollcall(['stats', 'fixtures/replies-2023.csv', '--locale', 'fr']).stderr).toBe('');
  });
  it('puts several tests side by side with --history', async () => {
    const dir = join(out, 'history');
    const r = rollcall(['report', '--history', 'fixtures/replies-2023.csv', 'fixtures/events/run-small', '--format', 'md,json', '--out', dir]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [mdFile, jsonFile] = r.stdout.trim().split('\n');
    expect(mdFile).toMatch(/history-.+\.md$/);
    const md = await readFile(mdFile!, 'utf8');
    expect(md).toContain('## The figures, test by test');
    expect(md).toMatch(/The tests did not test the same countries \(6 countries on 7 June 2023 and 68 countries on 7 June 2023 \(2\)\)/);
    const doc = JSON.parse(await readFile(jsonFile!, 'utf8'));
    expect(doc.tests.map((t: { stats: { population: number } }) => t.stats.population)).toEqual([6, 68]);
  });
  it('writes a letter per party with --letters, and the index', async () => {
    const run = join(out, 'run-letters');
    await cp('fixtures/events/run-small', run, { recursive: true });
    const r = rollcall(['report', run, '--letters']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const files = r.stdout.trim().split('\n');
    expect(files.at(-1)).toBe(join(run, 'reports', 'letters', 'index.md'));
    expect(files.every((f) => f.startsWith(join(run, 'reports', 'letters')))).toBe(true);
    const index = await readFile(files.at(-1)!, 'utf8');
    expect(index).toMatch(/^# Letters to the parties: responsiveness test of 7 June 2023/);
  });
  it('refuses what cannot go together, with one plain line and exit 2', () => {
    for (const [args, message] of [
      [['report', '--history', 'fixtures/replies-2023.csv'], /--history: give at least two tests/],
      [['report', 'fixtures/events/run-small', '--letters', '--anonymize'], /--letters names each party: it cannot be --anonymize/],
      [['report', 'fixtures/events/run-small', '--letters', 'some'], /--letters: "some" is not "all"/],
      [['report', 'fixtures/events/run-small', '--letters', '--format', 'csv'], /--letters: letters are written as md, html, pdf, not csv/],
      [['report', '--history', 'fixtures/replies-2023.csv', 'fixtures/events/run-small', '--letters'], /--history and --letters go separately/],
      [['report'], /report: give a run folder/],
      [['report', 'fixtures/replies-2023.csv', '--locale', 'not a locale!'], /--locale: "not a locale!" is not a locale/],
    ] as Array<[string[], RegExp]>) {
      const r = rollcall([...args, '--out', join(out, 'refused')]);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(out, 'refused'))).toBe(false);
  });
});
