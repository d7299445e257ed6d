// The table of corrections in every report format says what became of each mark as the statistics
// do (docs/events.md): replaced by a later mark (with when), withdrawn by a later mark (with when),
// nothing to reclassify only when there was nothing. From events through statsFromEvents to md,
// HTML, JSON and the terminal, in English and French, and anonymized.
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { buildLetters, renderLetterMarkdown } from '../../src/report/letters.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildReportModel, type ReportOptions } from '../../src/report/model.js';
import { renderStatsText } from '../../src/report/terminal.js';
import type { Stats } from '../../src/stats/types.js';
import { sampleMeta } from './sample-stats.js';
import { at, statsWithMarks, type Mark } from '../stats/marks-run.js';

/** The walkthrough: AL-POL's reply marked automatic twice, an answer of LV-POL entered by hand and
 * withdrawn, and a mark of GH-POL (nothing arrived) with truly nothing to reclassify. Marks at
 * 09:00, 09:05, 09:10, 09:15, 09:20 UTC. */
function walkthrough(): Stats {
  const marks: Mark[] = [
    { messageKey: 'al-1', as: 'automatic', note: 'first' },
    { messageKey: 'al-1', as: 'automatic', note: 'second' },
    { contactId: 'LV-POL', as: 'reply', note: 'phoned', answeredAt: at(720), channel: 'phone' },
    { contactId: 'LV-POL', as: 'not-an-answer', note: 'withdraw' },
    { contactId: 'GH-POL', as: 'reply', note: 'nothing came' },
  ];
  return statsWithMarks(marks, (i) => at(3600 + 300 * i));
}

const model = (opts: ReportOptions = {}) => buildReportModel({ stats: walkthrough(), meta: sampleMeta({ network: 't' }) }, opts);
/** The rows of the Markdown table of corrections, by their reason (the last cell). */
function mdRows(md: string): Map<string, string> {
  const rows = md.split('\n').filter((l) => /^\| (\d|Country|Pays)/.test(l) && /\| (first|second|phoned|withdraw|nothing came) \|$/.test(l));
  return new Map(rows.map((r) => [r.split(' | ').at(-1)!.replace(/ \|$/, ''), r]));
}

describe('the table of corrections', () => {
  it('in Markdown, English: replaced and withdrawn with when; nothing to reclassify only when there was nothing', () => {
    const rows = mdRows(renderMarkdown(model()));
    expect(rows.get('first')).toContain('| counted as an automatic reply (replaced by a later mark, entered 5 June 2024 at 09:05 UTC: not applied) |');
    expect(rows.get('second')).toContain('| counted as an automatic reply |');
    expect(rows.get('phoned')).toContain('| answer entered by hand (withdrawn by a later mark, entered 5 June 2024 at 09:15 UTC: not counted) |');
    expect(rows.get('withdraw')).toContain('| not counted as an answer |');
    expect(rows.get('nothing came')).toContain('| counted as a reply (nothing to reclassify: not applied) |');
    for (const reason of ['first', 'second', 'phoned', 'withdraw']) expect(rows.get(reason)).not.toContain('nothing to reclassify');
  });

  it('in Markdown, French', () => {
    const rows = mdRows(renderMarkdown(model({ locale: 'fr' })).replace(/[\u00a0\u202f]/g, ' '));
    expect(rows.get('first')).toContain('| comptée comme réponse automatique (remplacée par une saisie ultérieure, le 5 juin 2024 à 09:05 UTC : non appliquée) |');
    expect(rows.get('phoned')).toContain('| réponse saisie à la main (retirée par une saisie ultérieure, le 5 juin 2024 à 09:15 UTC : non comptée) |');
    expect(rows.get('nothing came')).toContain('(rien à reclasser : non appliquée)');
    for (const reason of ['first', 'second', 'phoned', 'withdraw']) expect(rows.get(reason)).not.toContain('rien à reclasser');
  });

  it('in HTML', () => {
    const html = renderHtml(model());
    const section = html.slice(html.indexOf('<section id="overrides">'), html.indexOf('</section>', html.indexOf('<section id="overrides">')));
    expect(section).toContain('counted as an automatic reply (replaced by a later mark, entered 5 June 2024 at 09:05 UTC: not applied)');
    expect(section).toContain('answer entered by hand (withdrawn by a later mark, entered 5 June 2024 at 09:15 UTC: not counted)');
    expect(section.match(/nothing to reclassify/g)).toHaveLength(1);
  });

  it('in the JSON report, as stats --json gives them: applied false, replacedBy / withdrawnBy with when', () => {
    const doc = JSON.parse(renderJson(model())) as { stats: Stats };
    expect(doc.stats.overrides.map((o) => [o.note, o.applied, o.replacedBy, o.withdrawnBy])).toEqual([
      ['first', false, at(3900), undefined],
      ['second', true, undefined, undefined],
      ['phoned', false, undefined, at(4500)],
      ['withdraw', true, undefined, undefined],
      ['nothing came', false, undefined, undefined],
    ]);
  });

  it('anonymized: still told apart', () => {
    const md = renderMarkdown(model({ anonymize: true }));
    expect(md).toContain('counted as an automatic reply (replaced by a later mark, entered 5 June 2024 at 09:05 UTC: not applied)');
    expect(md).toContain('counted as a reply (nothing to reclassify: not applied)');
  });

  it('on the terminal (rollcall stats), English and French', () => {
    const en = renderStatsText(walkthrough(), { color: false });
    expect(en).toContain('al-1 → automatic: first [replaced by a later mark, 2024-06-05 09:05 UTC]');
    expect(en).toMatch(/al-1 → automatic: second\n/);
    expect(en).toContain('LV-POL → answer entered by hand at 2024-06-05 08:12 UTC, by telephone: phoned [withdrawn by a later mark, 2024-06-05 09:15 UTC]');
    expect(en).toContain('GH-POL → reply: nothing came [nothing to reclassify]');
    expect(en.match(/nothing to reclassify/g)).toHaveLength(1);
    const fr = renderStatsText(walkthrough(), { color: false, locale: 'fr' }).replace(/[\u00a0\u202f]/g, ' ');
    expect(fr).toContain('[remplacée par une saisie ultérieure, 2024-06-05 09:05 UTC]');
    expect(fr).toContain('[retirée par une saisie ultérieure, 2024-06-05 09:15 UTC]');
    expect(fr.match(/rien à reclasser/g)).toHaveLength(1);
  });

  it('an answer entered by hand that no ping had left for is not "nothing to reclassify"', () => {
    const s = walkthrough();
    s.overrides.push({ at: at(9000), contactId: 'GH-POL', as: 'reply', note: 'too early', applied: false, handEntered: { answeredAt: at(-60), channel: 'phone' } });
    const md = renderMarkdown(buildReportModel({ stats: s, meta: sampleMeta({ network: 't' }) }));
    expect(md).toMatch(/\| answer entered by hand \(no ping of the contact point had left by then: not applied\) \| [^|]+ \| too early \|/);
    expect(renderStatsText(s, { color: false })).toMatch(/too early \[no ping had left by then: not applied\]/);
  });

  it('a country is "entered by hand" only when the answer that counted was: not for a faster e-mail of the same contact point', () => {
    // AL-POL's e-mail came at 60 s; its call, entered by hand, at 12 min (applied, but not the answer that counts).
    const s = statsWithMarks([{ contactId: 'AL-POL', as: 'reply', note: 'called back', answeredAt: at(720), channel: 'phone' }], (i) => at(3600 + 60 * i));
    expect(s.overrides[0]!.applied).toBe(true);
    expect(s.countries.find((c) => c.iso === 'AL')).toMatchObject({ responseSeconds: 60, channel: 'email' });
    const md = renderMarkdown(buildReportModel({ stats: s, meta: sampleMeta({ network: 't' }) }));
    expect(md).toContain('| Albania | Answered | 1 min |');
    expect(md).not.toContain('| Albania | Answered (entered by hand)');
    const letter = renderLetterMarkdown(buildLetters({ stats: s, meta: sampleMeta({ network: 't' }) }, { all: true }).find((l) => l.name === 'Albania')!);
    expect(letter).toContain('Albania');
    expect(letter).not.toContain('entered by hand');
  });
});
