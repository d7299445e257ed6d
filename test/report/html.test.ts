import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { buildReportModel } from '../../src/report/model.js';
import type { Stats } from '../../src/stats/types.js';
import { bucketsFor, sampleMeta, sampleStats } from './sample-stats.js';

const html = (stats: Stats = sampleStats(), opts: Parameters<typeof buildReportModel>[1] = {}, compare?: Stats) =>
  renderHtml(
    buildReportModel(
      { stats, meta: sampleMeta(), ...(compare ? { compare: { stats: compare, meta: sampleMeta({ runId: '2022-06-08T0730Z-old', startedAt: '2022-06-08T07:30:00Z' }) } } : {}) },
      opts,
    ),
  );
const section = (doc: string, id: string) => {
  const start = doc.indexOf(`<section id="${id}"`);
  expect(start, `section ${id}`).toBeGreaterThan(-1);
  return doc.slice(start, doc.indexOf('</section>', start));
};

describe('HTML report', () => {
  it('heads the report with title, UTC and local times, population and channels', () => {
    const doc = html();
    expect(doc).toContain('<title>24/7 Network (Budapest Convention) responsiveness test 7 June 2023</title>');
    expect(doc).toContain('<h1>24/7 Network (Budapest Convention) responsiveness test 7 June 2023</h1>');
    expect(doc).toContain('<dt>Test started</dt><dd>7 June 2023 at 07:30 UTC · 09:30 Europe/Paris (UTC+2)</dd>');
    expect(doc).toContain('<dt>Watched until</dt><dd>8 June 2023 at 07:30 UTC · 09:30 Europe/Paris (UTC+2)</dd>');
    expect(doc).toContain('<dt>Population</dt><dd>68 parties</dd>');
    expect(doc).toContain('<dt>Channels</dt><dd>e-mail, SMS, voice call</dd>');
    expect(html(sampleStats(), { tz: 'UTC' })).toContain('<dt>Test started</dt><dd>7 June 2023 at 07:30 UTC</dd>');
  });
  it('uses --title, escaped', () => {
    const doc = html(sampleStats(), { title: 'Test <2024> & "co"' });
    expect(doc).toContain('<h1>Test &lt;2024&gt; &amp; &quot;co&quot;</h1>');
  });
  it('gives the 2023 lines and the bucket table with the median', () => {
    const results = section(html(), 'results');
    expect(results).toContain('<li>15 minutes, 24 countries responded, with an average response time of 6 min</li>');
    expect(results).toContain('<li>24 hours, 61 countries responded (89.71%), average response time of 1h 37 min</li>');
    expect(results).toMatch(/<table class="buckets"><caption>Countries that answered, by threshold \(cumulative\), of 68 tested<\/caption>/);
    expect(results).toContain('<th scope="col" class="num">Median</th>');
    expect(results).toMatch(/<th scope="row">24 hours<\/th><td class="num">61<\/td><td class="num">89\.71%<\/td><td class="num">1h 37 min<\/td><td class="num">24 min<\/td>/);
    expect(results).toContain('class="chart chart-curve"');
    expect(results).toContain('class="chart chart-bars"');
  });
  it('lists late, automatic-only and silent countries, findings with the server’s words, and corrections', () => {
    const s = sampleStats();
    const doc = html(s);
    const outcomes = section(doc, 'outcomes');
    expect(outcomes).toContain(`<li>${s.late[0]!.country} <span class="quiet">— 25h 10 min</span></li>`);
    for (const c of [...s.automaticOnly, ...s.silent]) expect(outcomes).toContain(`<li>${c.country}`);
    const findings = section(doc, 'findings');
    expect(findings).toContain('&lt;duty@prosecution.');
    expect(findings).toContain('Recipient address rejected: User unknown in virtual mailbox table');
    expect(findings).toContain('451 4.7.1 Greylisted, please try again in 300 seconds');
    expect(findings).toContain('<span class="late">delayed</span>');
    const overrides = section(doc, 'overrides');
    expect(overrides).toContain('counted as a reply');
    expect(overrides).toContain(`confirmed by ${s.countries[30]!.country}`);
  });
  it('gives each country its response time, bucket, channel and local time when pinged', () => {
    const s = sampleStats();
    const rows = section(html(s), 'countries');
    const ro = s.countries.find((c) => c.country === 'Romania')!;
    expect(rows).toMatch(
      new RegExp(`<th scope="row">Romania</th><td>Answered</td><td class="num nowrap">${ro.responseSeconds! < 60 ? `${ro.responseSeconds} s` : '\\d+ min'}</td><td class="nowrap">15 minutes</td><td class="nowrap">[^<]+</td><td class="nowrap">RO-POL</td><td class="nowrap">10:30 \\(UTC\\+3\\)</td>`),
    );
    expect(rows).toMatch(/<th scope="row">Tonga<\/th>.*?20:30 \(UTC\+13\)/);
    expect((rows.match(/<tr><th scope="row">/g) ?? []).length).toBe(68);
  });
  it('explains the method in plain words', () => {
    const methods = section(html(), 'methods');
    expect(methods).toContain('What counts as an answer');
    expect(methods).toContain('Automatic replies (out-of-office messages, auto-responders), delivery failure and delay notices, and read receipts do not count');
    expect(methods).toContain('never the time written by the sender');
    expect(methods).toContain('an answer after exactly 15 minutes, to the second, is within 15 minutes');
  });
  it('is one self-contained file, printable on A4', () => {
    const doc = html();
    expect(doc).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|src=|href=/i);
    expect(doc).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`);
    expect(doc).toContain('@page{size:A4');
    expect(doc).toContain('@media print{');
    expect(doc).toContain('<section id="countries" class="page-break">');
  });
  it('gives every table a caption and scoped headers', () => {
    const doc = html(sampleStats(), {}, sampleStats({ answered: 57 }));
    const tables = doc.match(/<table[\s\S]*?<\/table>/g)!;
    expect(tables.length).toBeGreaterThanOrEqual(6);
    for (const t of tables) {
      expect(t).toMatch(/^<table[^>]*><caption>[^<]+<\/caption>/);
      expect(t).not.toMatch(/<th(?=[\s>])(?![^>]*scope=)/);
    }
  });
  it('escapes every string from the data', () => {
    const s = sampleStats();
    const evil = '<img src=x onerror=alert(1)>';
    s.countries[0]!.country = evil;
    s.silent[0]!.country = `${evil}"`;
    s.findings[0]!.detail = '</td><script>alert(1)</script>';
    s.overrides[0]!.note = '<b>note</b>';
    s.buckets = bucketsFor(s.countries, s.population);
    const doc = html(s);
    expect(doc).not.toContain('<img');
    expect(doc).not.toContain('<script');
    expect(doc).not.toContain('<b>');
    expect(doc).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
  it('is written in French with --locale fr: words, numbers, dates and country names', () => {
    const doc = html(sampleStats(), { locale: 'fr' }).replace(/[\u00a0\u202f]/g, ' ');
    expect(doc).toContain('<html lang="fr">');
    expect(doc).toContain('<title>Réseau 24/7 (Convention de Budapest) : test de réactivité du 7 juin 2023</title>');
    expect(doc).toContain('<dt>Début du test</dt><dd>7 juin 2023 à 07:30 UTC · 09:30 Europe/Paris (UTC+2)</dd>');
    expect(doc).toContain('<td class="num">89,71 %</td>');
    expect(doc).toContain('<li>24 heures : 61 pays ont répondu (89,71 %), temps de réponse moyen de 1 h 37 min</li>');
    expect(doc).toContain('<th scope="row">Roumanie</th>');
    expect(doc).not.toContain('Romania');
  });
  it('puts both tests side by side with the change when comparing', () => {
    const doc = html(sampleStats(), {}, sampleStats({ factor: 1.3, answered: 57 }));
    const cmp = section(doc, 'compare');
    expect(cmp).toContain('<h2>Compared with the test of 8 June 2022</h2>');
    expect(cmp).toMatch(/<th scope="row" class="nowrap">24 hours<\/th><td class="num nowrap">57<\/td><td class="num nowrap">61<\/td><td class="num nowrap">\+4<\/td><td class="num nowrap">83\.82%<\/td><td class="num nowrap">89\.71%<\/td><td class="num nowrap">\+5\.89 pts<\/td>/);
    expect(cmp).toMatch(/<th scope="row">No answer<\/th><td class="num">8<\/td><td class="num">4<\/td><td class="num">\u22124<\/td>/);
    expect(cmp).toMatch(/<th scope="row">Unreachable<\/th><td class="num">0<\/td><td class="num">0<\/td>/);
    expect(doc).toContain('class="series series-earlier" data-name="8 June 2022"');
    expect(doc).toContain('<dt>Compared with</dt><dd>the test of 8 June 2022</dd>');
  });
  it('shows observers apart and the figures by kind of contact point when there are several', () => {
    const s = sampleStats();
    const obs = sampleStats({ answered: 3 });
    s.observers = { ...obs, population: 68 };
    s.byKind = { police: sampleStats({ answered: 50 }), prosecution: sampleStats({ answered: 20 }) };
    const doc = html(s);
    const observers = section(doc, 'observers');
    expect(observers).toContain('<h2>Observers (counted separately)</h2>');
    expect(observers).toContain('<li>24 hours, 3 countries responded (4.41%), average response time of 2 min</li>');
    expect(doc).toContain('<dt>Population</dt><dd>68 parties · 68 observers, counted separately</dd>');
    expect(doc).toMatch(/<table class="by-kind">[\s\S]*?<th scope="row">Police \(68 countries\)<\/th><td class="num nowrap">24 \(35\.29%\)<\/td>/);
  });
});
