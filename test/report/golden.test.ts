// Golden files of the 2023 reply log's report, in English and French (Markdown and HTML): any
// change to the wording, the figures or the layout shows as a diff to review. After a deliberate
// change: UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts, and read the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildReportModel } from '../../src/report/model.js';
import { loadStatsSource, type StatsSource } from '../../src/stats/source.js';

const GOLDEN = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

/** The tool's version is the only thing that changes without the report changing. */
const stable = (text: string) => text.replace(/rollcall \d+\.\d+\.\d+(-[\w.]+)?/g, 'rollcall VERSION');

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (update) writeFileSync(file, actual);
  if (!existsSync(file)) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts and review it`);
  expect(actual, `${name} differs from its golden file (UPDATE_GOLDEN=1 to accept a deliberate change)`).toBe(readFileSync(file, 'utf8'));
}

describe('the 2023 reply log’s report, golden files', () => {
  let source: StatsSource;
  beforeAll(async () => {
    source = await loadStatsSource('fixtures/replies-2023.csv', { directory: 'fixtures/directory.yaml' });
  });

  for (const locale of ['en', 'fr']) {
    it(`is unchanged in ${locale === 'en' ? 'English' : 'French'}`, () => {
      const model = buildReportModel({ stats: source.stats, meta: source.meta }, { locale, tz: 'Europe/Paris' });
      const md = stable(renderMarkdown(model));
      const html = stable(renderHtml(model));
      // The lines the meeting reads, checked here in plain words as well.
      const first = locale === 'en' ? '- 15 minutes, 24 countries responded, with an average response time of 6 min' : '- 15 minutes : 24 pays ont répondu, avec un temps de réponse moyen de 6 min';
      expect(md).toContain(first);
      golden(`replies-2023.${locale}.md`, md);
      golden(`replies-2023.${locale}.html`, html);
    });
  }
});
