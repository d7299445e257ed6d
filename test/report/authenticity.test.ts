// The section "Origin of the answers" in every report format, in English and French: the totals by
// verdict, the policy in one sentence, the answers whose origin could not be confirmed (counted or
// not), the unauthenticated bounces, and the finding of a bounce that failed the check.
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildReportModel } from '../../src/report/model.js';
import { renderStatsText } from '../../src/report/terminal.js';
import { renderJson } from '../../src/report/json.js';
import type { AuthenticitySummary, Stats } from '../../src/stats/types.js';
import { sampleMeta, sampleStats } from './sample-stats.js';

const UNAUTHENTICATED = 'bounce: 5.1.1 failed smtp; 550 5.1.1 user unknown (unauthenticated bounce: its origin could not be confirmed)';

function withOrigin(policy: AuthenticitySummary['policy']): Stats {
  const s = sampleStats();
  s.authenticity = {
    policy,
    counted: { pass: 40, fail: policy === 'report' ? 1 : 0, none: 12, unknown: 3, unchecked: 5 },
    unconfirmed: [
      {
        country: 'France',
        iso: 'FR',
        contactId: 'FR-POL',
        messageKey: 'imap:INBOX:1:7',
        from: 'poc@police.fr.example',
        receivedAt: '2023-06-07T07:42:10Z',
        counted: policy === 'report',
        reasons: ['police.fr.example publishes a DMARC policy (p=reject) and this message does not meet it'],
      },
    ],
    unauthenticatedBounces: 1,
  };
  s.findings = [{ country: 'Italy', iso: 'IT', contactId: 'IT-POL', channel: 'email', address: 'duty@polizia.it.example', status: 'failed', detail: UNAUTHENTICATED, at: '2023-06-07T07:31:00Z' }];
  return s;
}

const model = (s: Stats, locale = 'en') => buildReportModel({ stats: s, meta: sampleMeta() }, { locale });

describe('the origin of the answers, in English', () => {
  it('Markdown: totals, the policy, the unconfirmed answer counted, the unauthenticated bounce', () => {
    const md = renderMarkdown(model(withOrigin('report')));
    const start = md.indexOf('## Origin of the answers');
    const section = md.slice(start, md.indexOf('\n## ', start));
    expect(section).toContain('Answers whose origin could not be confirmed count, and are listed below.');
    expect(section).toMatch(/\| confirmed \(DMARC or aligned DKIM pass\) +\| +40 \|/);
    expect(section).toMatch(/\| not confirmed \(the check failed\) +\| +1 \|/);
    expect(section).toMatch(/\| not e-mail, or not checked +\| +5 \|/);
    expect(section).toContain('1 bounce failed the check of its origin.');
    expect(section).toContain('### Answers whose origin could not be confirmed');
    expect(section).toMatch(/^- France \(FR-POL\), from poc@police\.fr\.example, arrived .*: counted$/m);
    expect(md).toContain('(unauthenticated bounce: its origin could not be confirmed)');
  });

  it('Markdown under require: the answer was not counted, and the policy says the country fell back', () => {
    const md = renderMarkdown(model(withOrigin('require')));
    expect(md).toContain('Answers whose origin could not be confirmed count for nothing here: the country falls to its next outcome.');
    expect(md).toMatch(/^- France \(FR-POL\), from poc@police\.fr\.example, arrived .*: not counted$/m);
    // A verdict with no answer is left out of the table, except pass and fail.
    expect(md).toMatch(/\| not confirmed \(the check failed\) +\| +0 \|/);
  });

  it('HTML: its own section with the table and the list', () => {
    const html = renderHtml(model(withOrigin('report')));
    const section = /<section id="authenticity">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(section).toContain('<h2>Origin of the answers</h2>');
    expect(section).toContain('<h3>Answers whose origin could not be confirmed</h3>');
    expect(section).toMatch(/<li>France \(FR-POL\), from poc@police\.fr\.example, arrived [^<]*: counted<\/li>/);
    expect(section).toContain('1 bounce failed the check of its origin.');
  });

  it('the terminal: one line of totals, the policy, the list', () => {
    const text = renderStatsText(withOrigin('require'), { color: false });
    expect(text).toMatch(/^Origin of the answers: confirmed \(DMARC or aligned DKIM pass\) 40; nothing to check .* 12; could not be checked 3; not confirmed \(the check failed\) 0; not e-mail, or not checked 5$/m);
    expect(text).toContain('  Answers whose origin could not be confirmed count for nothing here');
    expect(text).toMatch(/^ {2}France \(FR-POL\), from poc@police\.fr\.example, arrived 2023-06-07 07:42 UTC: not counted$/m);
    expect(text).toContain('  1 bounce failed the check of its origin.');
  });

  it('JSON carries the totals as computed', () => {
    const json = JSON.parse(renderJson(model(withOrigin('report')))) as { stats?: Stats } & Stats;
    const stats = (json.stats ?? json);
    expect(stats.authenticity).toEqual(withOrigin('report').authenticity);
  });

  it('has no section when no message was checked', () => {
    const s = sampleStats();
    expect(renderMarkdown(model(s))).not.toContain('Origin of the answers');
    expect(renderHtml(model(s))).not.toContain('id="authenticity"');
    expect(renderStatsText(s, { color: false })).not.toContain('Origin of the answers');
  });
});

describe("l'origine des réponses, en français", () => {
  it('Markdown and HTML in French, the unauthenticated bounce worded in French too', () => {
    const md = renderMarkdown(model(withOrigin('require'), 'fr'));
    expect(md).toContain('## Origine des réponses');
    expect(md).toContain('Les réponses dont l’origine n’a pas pu être confirmée ne sont pas prises en compte ici : le pays passe au résultat suivant.');
    expect(md).toMatch(/^- France \(FR-POL\), de poc@police\.fr\.example, arrivée le .* : non prise en compte$/m);
    expect(md).toContain('1 avis de non-remise n’a pas passé le contrôle de son origine.');
    expect(md).toContain('non-remise : 5.1.1 failed smtp; 550 5.1.1 user unknown (avis de non-remise non authentifié : son origine n’a pas pu être confirmée)');
    expect(md).not.toContain('unauthenticated');
    const html = renderHtml(model(withOrigin('report'), 'fr'));
    expect(html).toContain('<h2>Origine des réponses</h2>');
    expect(html).toContain('<h3>Réponses dont l’origine n’a pas pu être confirmée</h3>');
    expect(html).toMatch(/<li>France \(FR-POL\), de poc@police\.fr\.example, arrivée le [^<]* : prise en compte<\/li>/);
  });

  it('a delay notice that failed the check, forwarded to another address', () => {
    const s = withOrigin('report');
    s.findings[0] = { ...s.findings[0]!, status: 'delayed', detail: 'delay notice: 4.4.1 delayed (for duty@polizia.it.example) (unauthenticated delay notice: its origin could not be confirmed)' };
    const md = renderMarkdown(model(s, 'fr'));
    expect(md).toContain('avis de retard : 4.4.1 delayed (pour duty@polizia.it.example) (avis de retard non authentifié : son origine n’a pas pu être confirmée)');
  });
});
