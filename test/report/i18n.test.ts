// The catalogues: every language has every key English has, with the same placeholders and the
// plural forms its rules need; the wording reaches every format; a French report holds no English.
import { describe, expect, it } from 'vitest';
import { catalogueFor, catalogueLanguages, catalogueProblems, createMessages, interpolate, loadCatalogue } from '../../src/report/i18n.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildReportModel } from '../../src/report/model.js';
import { loadStatsSource } from '../../src/stats/source.js';
import type { Stats } from '../../src/stats/types.js';
import { sampleMeta, sampleStats } from './sample-stats.js';

describe('catalogues', () => {
  it('has English and French, one file each', () => {
    expect(catalogueLanguages()).toEqual(expect.arrayContaining(['en', 'fr']));
  });

  it('gives every language every key of English, with its placeholders and plural forms', () => {
    const en = loadCatalogue('en');
    for (const language of catalogueLanguages()) {
      expect(catalogueProblems(loadCatalogue(language), en, language), language).toEqual([]);
    }
  });

  it('finds a missing key, a wrong placeholder, a missing plural form and an unknown key', () => {
    const en = loadCatalogue('en');
    const broken = structuredClone(loadCatalogue('fr')) as Record<string, Record<string, unknown>>;
    delete broken.results!.heading;
    broken.lines!.bucket = '{threshold} : {responded}, moyenne {moyenne}';
    broken.facts!.countries = { other: '{n} pays' };
    broken.results!.extra = 'de trop';
    expect(catalogueProblems(broken, en, 'fr').sort()).toEqual([
      'fr: facts.countries lacks the plural form "one"',
      'fr: lines.bucket has placeholders {moyenne}, {responded}, {threshold}, English has {average}, {responded}, {threshold}',
      'fr: missing results.heading',
      'fr: unknown key results.extra (not in en.json)',
    ]);
  });

  it('picks the catalogue of a locale by its language, and says when there is none', () => {
    expect(catalogueFor('fr')).toBe('fr');
    expect(catalogueFor('fr-BE')).toBe('fr');
    expect(catalogueFor('FR-ch')).toBe('fr');
    expect(catalogueFor('en-GB')).toBe('en');
    expect(catalogueFor('de-DE')).toBeUndefined();
    const de = createMessages('de-DE');
    expect([de.language, de.fallback, de.t('results.heading')]).toEqual(['en', true, 'Results']);
  });

  it('chooses plural forms with Intl.PluralRules: French singular for 0 and 1, exact forms first', () => {
    const fr = createMessages('fr');
    const en = createMessages('en');
    expect([0, 1, 2, 61].map((n) => fr.n('lines.responded', n))).toEqual(['aucun pays n’a répondu', '1 pays a répondu', '2 pays ont répondu', '61 pays ont répondu']);
    expect([0, 1, 2].map((n) => en.n('facts.parties', n))).toEqual(['0 parties', '1 party', '2 parties']);
    expect(fr.n('facts.parties', 0)).toBe('0 partie'); // French: 0 takes the singular
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}'); // a slip shows, it is not silent
  });

  it('names countries in the language, from their ISO code or their English name', () => {
    const fr = createMessages('fr');
    expect(fr.country('Czech Republic', 'CZ')).toBe('Tchéquie');
    expect(fr.country('United Kingdom')).toBe('Royaume-Uni');
    expect(fr.country('Atlantis')).toBe('Atlantis');
    expect(createMessages('en').country('Türkiye', 'TR')).toBe('Türkiye');
    expect(fr.network('24/7 Network (Budapest Convention)')).toBe('Réseau 24/7 (Convention de Budapest)');
  });
});

/** Everything a reader sees: text of the page and charts, without the servers' quoted words,
 * contact ids, addresses, zone names and the tool's own name. */
function visibleWords(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<span class="words">[\s\S]*?<\/span>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z#0-9]+;/g, ' ')
    .replace(/\S+@\S+/g, ' ')
    .replace(/\b[A-Z]{2}-[A-Z]+\b/g, ' ')
    .replace(/\b[A-Z][a-z]+\/[A-Za-z_]+\b/g, ' ')
    .replace(/\brollcall\b[^.]*\d+\.\d+\.\d+/g, ' ')
    .replace(/\S+\.(csv|jsonl)\b/g, ' ');
}

const ENGLISH = /\b(the|and|of|with|by|from|countries|country|answered|responded|average|within|hours?|response|time|late|automatic|unreachable|answer|results|method|directory|findings|threshold|share|median|window|channel|reply|replies|log|made|tested|silent|party)\b/i;

describe('a report in French', () => {
  const everything = (): Stats => {
    const s = sampleStats();
    s.overrides[0]!.note = 'Réponse par téléphone au secrétariat'; // the reason is the secretariat's words, in its language
    s.unreachable = [{ ...s.silent[0]!, outcome: 'unreachable' }];
    s.silent = s.silent.slice(1);
    s.countries = s.countries.map((c) => (c.country === s.unreachable[0]!.country ? s.unreachable[0]! : c));
    s.overrides.push({ at: '2023-06-07T10:30:00Z', contactId: s.countries[5]!.contactId!, as: 'reply', note: 'Par téléphone', applied: true, handEntered: { answeredAt: '2023-06-07T08:11:00Z', channel: 'phone' } });
    s.observers = { ...sampleStats({ answered: 2 }), population: 68 };
    // The origin of the answers: a forged answer set aside, a bounce that failed the check.
    s.authenticity = {
      policy: 'require',
      counted: { pass: 40, fail: 0, none: 12, unknown: 3, unchecked: 5 },
      unconfirmed: [{ country: 'France', iso: 'FR', contactId: 'FR-POL', messageKey: 'k', from: 'poc@police.fr.example', receivedAt: '2023-06-07T07:42:10Z', counted: false, reasons: ['x'] }],
      unauthenticatedBounces: 1,
    };
    s.findings.push({ country: 'Italy', iso: 'IT', contactId: 'IT-POL', channel: 'email', address: 'duty@polizia.it.example', status: 'failed', detail: 'bounce: 5.1.1 (unauthenticated bounce: its origin could not be confirmed)' });
    return s;
  };

  it('has no English word in any section of the HTML, charts included', () => {
    const model = buildReportModel({ stats: everything(), meta: sampleMeta(), compare: { stats: sampleStats({ answered: 50 }), meta: sampleMeta({ startedAt: '2022-06-08T07:30:00Z' }) } }, { locale: 'fr' });
    const html = renderHtml(model);
    const text = visibleWords(html);
    expect(text).toContain('Injoignables (1)');
    expect(text).toContain('réponse saisie à la main');
    expect(text).toContain('Origine des réponses');
    // The finding's words are the server's (left out above), with rollcall's part in French.
    expect(html).toContain('non-remise : 5.1.1 (avis de non-remise non authentifié : son origine n’a pas pu être confirmée)');
    const found = text.match(new RegExp(ENGLISH.source, 'gi'));
    expect(found, `English words in the French report: ${found?.join(', ')}`).toBeNull();
  });

  it('has no English word in the 2023 reply log’s report, in HTML, Markdown or CSV headers', async () => {
    const { stats, meta } = await loadStatsSource('fixtures/replies-2023.csv', { directory: 'fixtures/directory.yaml' });
    const model = buildReportModel({ stats, meta }, { locale: 'fr', tz: 'Europe/Paris' });
    for (const text of [visibleWords(renderHtml(model)), visibleWords(renderMarkdown(model)).replace(/[*|#>_-]/g, ' ')]) {
      const found = text.match(new RegExp(ENGLISH.source, 'gi'));
      expect(found, `English words: ${found?.join(', ')}`).toBeNull();
    }
    const header = renderCsv(model).split('\r\n')[0]!.replace('\uFEFF', '');
    expect(header).toBe('pays,iso,statut,resultat,temps_de_reponse_secondes,temps_de_reponse,seuil,point_de_contact,compte,moyen,envoye_a,repondu_a,fuseau_horaire,heure_locale_du_point_de_contact,saisie_a_la_main,constats');
  });
});
