// The HTML report opened in headless Chromium (Debian's `chromium`; no browser is downloaded):
// it renders without console errors or network requests, its chart points match the statistics,
// it prints to A4, and a screenshot is saved. Without Chromium the test is skipped locally and
// FAILS in CI (CI=true), where .ci/run installs it.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { chromiumFlags } from '../../src/report/pdf.js';
import { writeHistory, writeReports } from '../../src/report/write.js';
import { loadStatsSource } from '../../src/stats/source.js';
import type { Stats } from '../../src/stats/types.js';
import { sampleMeta, sampleStats } from './sample-stats.js';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const inCI = process.env.CI === 'true';

if (!present && inCI) {
  describe('HTML report in Chromium', () => {
    it('needs Chromium in CI', () => {
      throw new Error(`${CHROMIUM} is missing: CI must install Debian's chromium (.ci/run does)`);
    });
  });
}

describe.skipIf(!present)('HTML report in Chromium', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rollcall-report-browser-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: chromiumFlags(join(dir, 'profile')).filter((a) => !a.startsWith('--user-data-dir') && a !== '--headless') });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Text elements of the page's charts whose boxes, as Chromium draws them, overlap. */
  async function overlappingLabels(page: Awaited<ReturnType<typeof open>>['page']): Promise<string[]> {
    return page.$$eval('svg.chart', (svgs) =>
      svgs.flatMap((svg) => {
        const boxes = [...svg.querySelectorAll('text')].filter((t) => !t.getAttribute('transform')).map((t) => ({ t: t.textContent, b: t.getBoundingClientRect() }));
        const out: string[] = [];
        for (let i = 0; i < boxes.length; i++)
          for (let j = i + 1; j < boxes.length; j++) {
            const a = boxes[i]!.b;
            const b = boxes[j]!.b;
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) out.push(`${svg.id}: "${boxes[i]!.t}" over "${boxes[j]!.t}"`);
          }
        return out;
      }),
    );
  }

  async function open(file: string) {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, problems, requests };
  }

  /** The share each threshold should show, computed here from the countries, half up. */
  const expectedShare = (stats: Stats, seconds: number) => {
    const n = stats.countries.filter((c) => c.outcome === 'answered' && c.responseSeconds !== null && c.responseSeconds <= seconds).length;
    return Math.round((n / stats.population) * 10000 + 1e-9) / 100;
  };

  it('renders the 2023 reply log without errors, its chart matching the statistics', async () => {
    const { stats, meta } = await loadStatsSource('fixtures/replies-2023.csv', { directory: 'fixtures/directory.yaml' });
    const [file] = await writeReports({ stats, meta }, { formats: ['html'], outDir: dir, tz: 'Europe/Paris' });
    const { page, problems, requests } = await open(file!);
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file!).href]); // self-contained: nothing else is fetched
    expect(await page.title()).toBe('24/7 Network (Budapest Convention) responsiveness test 7 June 2023');

    // One point per distinct response time within the window, each with the running count and share.
    const points = await page.$$eval('svg.chart-curve .series-current circle.point', (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { seconds: Number(e.getAttribute('data-seconds')), count: Number(e.getAttribute('data-count')), share: Number(e.getAttribute('data-share')), x: r.x, y: r.y, w: r.width };
      }),
    );
    const times = stats.countries.filter((c) => c.outcome === 'answered').map((c) => c.responseSeconds!);
    expect(points.map((p) => p.seconds)).toEqual([...new Set(times)].sort((a, b) => a - b));
    for (const p of points) {
      expect(p.count).toBe(times.filter((t) => t <= p.seconds).length);
      expect(p.share).toBeCloseTo(expectedShare(stats, p.seconds), 2);
      expect(p.w).toBeGreaterThan(0); // drawn, not hidden
    }
    expect(points.at(-1)!.share).toBe(89.71);
    // Drawn left to right and bottom to top.
    for (let i = 1; i < points.length; i++) {
      expect(points[i]!.x).toBeGreaterThanOrEqual(points[i - 1]!.x);
      expect(points[i]!.y).toBeLessThanOrEqual(points[i - 1]!.y + 0.01);
    }
    // The threshold marks carry the bucket figures and sit on the curve's final height at their threshold.
    const marks = await page.$$eval('svg.chart-curve circle.bucket-mark', (els) =>
      els.map((e) => ({ seconds: Number(e.getAttribute('data-threshold-seconds')), count: Number(e.getAttribute('data-count')), share: Number(e.getAttribute('data-share')), cy: Number(e.getAttribute('cy')) })),
    );
    expect(marks.map((m) => [m.seconds, m.count, m.share])).toEqual(stats.buckets.map((b) => [b.thresholdSeconds, b.responded, b.share]));
    expect(marks.map((m) => m.share)).toEqual([35.29, 51.47, 61.76, 86.76, 89.71]);
    for (const m of marks) expect(m.share).toBeCloseTo(expectedShare(stats, m.seconds), 2);
    const bars = await page.$$eval('svg.chart-bars g.bar', (els) => els.map((e) => Number(e.getAttribute('data-count'))));
    expect(bars).toEqual([24, 35, 42, 59, 61]);

    // Accessible charts: role img, labelled by a title and a description that exist.
    const charts = await page.$$eval('svg.chart', (els) =>
      els.map((e) => ({ role: e.getAttribute('role'), labels: (e.getAttribute('aria-labelledby') ?? '').split(' ').map((id) => document.getElementById(id)?.textContent ?? '') })),
    );
    expect(charts).toHaveLength(2);
    for (const c of charts) {
      expect(c.role).toBe('img');
      expect(c.labels.every((t) => t.length > 10)).toBe(true);
    }
    // Every header cell is scoped; every table has a caption.
    expect(await page.$$eval('th:not([scope])', (els) => els.length)).toBe(0);
    expect(await page.$$eval('table', (els) => els.filter((t) => !t.querySelector(':scope > caption')).length)).toBe(0);
    // Legible: the chart is at least 700 px wide on this screen, its axis labels at least 10 px.
    const svgWidth = await page.$eval('svg.chart-curve', (e) => e.getBoundingClientRect().width);
    expect(svgWidth).toBeGreaterThan(700);
    const smallest = await page.$$eval('svg.chart-curve text', (els) => Math.min(...els.map((e) => e.getBoundingClientRect().height)));
    expect(smallest).toBeGreaterThanOrEqual(10);

    expect(await overlappingLabels(page)).toEqual([]);

    const shot = join(dir, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    const png = await readFile(shot);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1100); // width from the IHDR chunk
    expect(png.readUInt32BE(20)).toBeGreaterThan(3000); // the whole report, not one screen

    // Print: A4 page breaks before the per-country table.
    await page.emulateMedia({ media: 'print' });
    expect(await page.$eval('#countries', (e) => getComputedStyle(e).breakBefore)).toBe('page');
    await page.close();
  });

  it('draws both curves when comparing two tests', async () => {
    const current = sampleStats();
    const earlier = sampleStats({ factor: 1.3, answered: 57 });
    const [file] = await writeReports(
      { stats: current, meta: sampleMeta(), compare: { stats: earlier, meta: sampleMeta({ runId: '2022-06-08T0730Z-old', startedAt: '2022-06-08T07:30:00Z' }) } },
      { formats: ['html'], outDir: dir },
    );
    const { page, problems } = await open(file!);
    expect(problems).toEqual([]);
    expect(await overlappingLabels(page)).toEqual([]);
    const series = await page.$$eval('svg.chart-curve g.series', (els) =>
      els.map((e) => ({ name: e.getAttribute('data-name'), last: Number(e.querySelector('circle.point:last-of-type')?.getAttribute('data-share')) })),
    );
    expect(series).toEqual([
      { name: '8 June 2022', last: earlier.buckets.at(-1)!.share },
      { name: '7 June 2023', last: 89.71 },
    ]);
    await page.screenshot({ path: join(dir, 'compare.png'), fullPage: true });
    await page.close();
  });

  it('renders the French report of the 2023 reply log without errors or overlapping labels', async () => {
    const { stats, meta } = await loadStatsSource('fixtures/replies-2023.csv', { directory: 'fixtures/directory.yaml' });
    const [file] = await writeReports({ stats, meta }, { formats: ['html'], outDir: dir, tz: 'Europe/Paris', locale: 'fr' });
    expect(file).toMatch(/replies-2023-report-fr\.html$/);
    const { page, problems } = await open(file!);
    expect(problems).toEqual([]);
    expect(await page.title()).toBe('Réseau 24/7 (Convention de Budapest) : test de réactivité du 7 juin 2023');
    expect(await page.$eval('html', (e) => e.lang)).toBe('fr');
    expect(await overlappingLabels(page)).toEqual([]);
    await page.close();
  });

  it('renders the history of three tests (the 2023 reply log, the demo, a small run), each chart point matching its test', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (d: Buffer) => (text += d.toString()));
    expect(await main(['demo', '--json', '--speed', '2000000', '--seed', '2023', '--runs-dir', join(dir, 'runs')], { out, err: new PassThrough(), color: false, interactive: false, env: { NO_COLOR: '1' }, cwd: dir })).toBe(0);
    const demoRun = join(dir, JSON.parse(text).runDir);
    const tests = [
      await loadStatsSource('fixtures/replies-2023.csv', { directory: 'fixtures/directory.yaml' }),
      await loadStatsSource(demoRun),
      await loadStatsSource('fixtures/events/run-small'),
    ];
    const [file] = await writeHistory(tests.map((t) => ({ stats: t.stats, meta: t.meta })), { formats: ['html'], outDir: dir, tz: 'Europe/Paris' });
    const { page, problems, requests } = await open(file!);
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file!).href]);

    // The tests in date order: the small run and the reply log (both 7 June 2023), then the demo.
    const byDate = [...tests].sort((a, b) => Date.parse(a.meta.startedAt!) - Date.parse(b.meta.startedAt!));
    const points = await page.$$eval('svg.chart-history circle.history-point', (els) =>
      els.map((e) => {
        const r = e.getBoundingClientRect();
        return { test: Number(e.getAttribute('data-test-index')), seconds: Number(e.getAttribute('data-threshold-seconds')), count: Number(e.getAttribute('data-count')), share: Number(e.getAttribute('data-share')), population: Number(e.getAttribute('data-population')), x: r.x + r.width / 2, y: r.y + r.height / 2, w: r.width };
      }),
    );
    const expectedPoints = byDate.flatMap((t, i) => t.stats.buckets.map((b) => ({ test: i, seconds: b.thresholdSeconds })));
    expect(points.map((p) => ({ test: p.test, seconds: p.seconds })).sort((a, b) => a.test - b.test || a.seconds - b.seconds)).toEqual(expectedPoints);
    for (const p of points) {
      const stats = byDate[p.test]!.stats;
      const b = stats.buckets.find((x) => x.thresholdSeconds === p.seconds)!;
      // Each point is its test's own figure, recomputed here from the countries.
      const n = stats.countries.filter((c) => c.outcome === 'answered' && c.responseSeconds! <= p.seconds).length;
      expect([p.count, p.share, p.population]).toEqual([n, expectedShare(stats, p.seconds), stats.population]);
      expect(p.share).toBe(b.share);
      expect(p.w).toBeGreaterThan(0);
    }
    // Drawn where the scales say: tests left to right, higher shares higher up.
    const xs = [0, 1, 2].map((i) => points.find((p) => p.test === i)!.x);
    expect(xs[0]).toBeLessThan(xs[1]!);
    expect(xs[1]).toBeLessThan(xs[2]!);
    for (const a of points) for (const b of points) if (a.share > b.share + 0.5) expect(a.y).toBeLessThan(b.y);
    expect(await overlappingLabels(page)).toEqual([]);
    // The populations differ (6 and 68 countries): said plainly.
    expect(await page.$eval('#populations', (e) => e.textContent)).toContain('The tests did not test the same countries (6 countries on 7 June 2023');
    await page.screenshot({ path: join(dir, 'history.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('prints a PDF on A4 through the chromium command line', async () => {
    const [file] = await writeReports({ stats: sampleStats(), meta: sampleMeta() }, { formats: ['pdf'], outDir: join(dir, 'pdf'), chromium: CHROMIUM });
    expect(file).toBe(join(dir, 'pdf', '2023-06-07T0730Z-demo-report.pdf'));
    const pdf = await readFile(file!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await stat(file!)).size).toBeGreaterThan(20_000);
    const text = pdf.toString('latin1');
    // A4 is 595 × 842 points; several pages (the per-country table starts a new one).
    expect(text).toMatch(/\/MediaBox \[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]/);
    expect((text.match(/\/Type\s*\/Page\b/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });
});
