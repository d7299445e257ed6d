import { describe, expect, it } from 'vitest';
import { renderMarkdown, textBar } from '../../src/report/markdown.js';
import { buildReportModel } from '../../src/report/model.js';
import type { Stats } from '../../src/stats/types.js';
import { sampleMeta, sampleStats } from './sample-stats.js';

const render = (stats: Stats = sampleStats(), opts: Parameters<typeof buildReportModel>[1] = {}, compare?: Stats) =>
  renderMarkdown(
    buildReportModel({ stats, meta: sampleMeta(), ...(compare ? { compare: { stats: compare, meta: sampleMeta({ startedAt: '2022-06-08T07:30:00Z' }) } } : {}) }, opts),
  );

describe('Markdown report', () => {
  it('has the title, facts and the 2023 lines', () => {
    const md = render();
    expect(md.startsWith('# 24/7 Network (Budapest Convention) responsiveness test 7 June 2023\n')).toBe(true);
    expect(md).toContain('- **Test started:** 7 June 2023 at 07:30 UTC · 09:30 Europe/Paris (UTC+2)');
    expect(md).toContain('- **Population:** 68 parties');
    expect(md).toContain('For the meeting\'s report:');
    expect(md).not.toContain('As in the 2023 report');
    expect(md).toContain('- 12 hours, 59 countries responded, with an average response time of 1h 11 min');
    expect(md).toContain('- 24 hours, 61 countries responded (89.71%), average response time of 1h 37 min');
  });
  it('gives the bucket table with the median and a text bar', () => {
    const md = render();
    expect(md).toContain('| Within | Countries | Share | Average | Median |  |\n| --- | ---: | ---: | ---: | ---: | --- |');
    expect(md).toContain(`| 15 minutes | 24 | 35.29% | 6 min | 6 min | ${textBar(35.29)} |`);
    expect(textBar(89.71)).toBe('██████████████████░░');
    expect(textBar(0)).toBe('░'.repeat(20));
  });
  it('lists outcomes, findings, corrections, countries and the method', () => {
    const s = sampleStats();
    const md = render(s);
    expect(md).toContain(`- **Answered late** (after 24 hours, 1): ${s.late[0]!.country} (25h 10 min)`);
    expect(md).toMatch(/\| Country \| Contact point \| Channel \| Address \| Finding \| What the server said \| When \(UTC\) \|/);
    expect(md).toContain('| Czech Republic | CZ-POL | SMS | +15555550123 | failed |');
    expect(md).toContain('## Answers entered by hand and corrections');
    expect(md).toMatch(/\| Romania \| Answered \| \d+ (s|min) \| 15 minutes \| [^|]+ \| RO-POL \| 10:30 \(UTC\+3\) \|/);
    expect(md).toContain('### What counts as an answer');
  });
  it('escapes Markdown and HTML from the data', () => {
    const s = sampleStats();
    s.countries[0]!.country = 'A | B <script>';
    s.findings[0]!.detail = '*bold* [x](http://evil.example)';
    const md = render(s);
    expect(md).toContain('A \\| B &lt;script>');
    expect(md).toContain('\\*bold\\* \\[x\\](http://evil.example)');
    expect(md).not.toContain('<script');
  });
  it('compares two tests with the change', () => {
    const md = render(sampleStats(), {}, sampleStats({ factor: 1.3, answered: 57 }));
    expect(md).toContain('## Compared with the test of 8 June 2022');
    expect(md).toMatch(/\| 24 hours \| 57 \| 61 \| \+4 \| 83\.82% \| 89\.71% \| \+5\.89 pts \| 1h 10 min \| 1h 37 min \| \+27 min \|/);
  });
  it('formats numbers for a locale without a catalogue, keeping the English words', () => {
    expect(render(sampleStats(), { locale: 'de' }).replace(/[\u00a0\u202f]/g, ' ')).toContain('| 24 hours | 61 | 89,71 % |');
  });
  it('is written in French with --locale fr', () => {
    const md = render(sampleStats(), { locale: 'fr' }).replace(/[\u00a0\u202f]/g, ' ');
    expect(md).toContain('- **Début du test :** 7 juin 2023 à 07:30 UTC · 09:30 Europe/Paris (UTC+2)');
    expect(md).toContain('| 24 heures | 61 | 89,71 % |');
    expect(md).toContain('## Réponses saisies à la main et corrections');
  });
});
