// --letters on the demo run: which parties get a letter (computed here from the statistics), what
// each says (its result, its contact points' own times, the addresses that failed with the
// server's words, what to update), in the party's language; and index.md.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { md } from '../../src/report/escape.js';
import { buildLetters, renderLetterHtml, renderLetterMarkdown, type Letter } from '../../src/report/letters.js';
import { writeLetters } from '../../src/report/write.js';
import { loadContactDetails, loadStatsSource, type ContactDetails, type StatsSource } from '../../src/stats/source.js';
import type { Stats } from '../../src/stats/types.js';
import { sampleMeta, sampleStats } from './sample-stats.js';

let tmp: string;
let run: string;
let source: StatsSource;
let details: ContactDetails;

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'rollcall-letters-'));
  const out = new PassThrough();
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  const code = await main(['demo', '--json', '--speed', '2000000', '--seed', '2023', '--runs-dir', join(tmp, 'runs')], { out, err: new PassThrough(), color: false, interactive: false, env: { NO_COLOR: '1' }, cwd: tmp });
  expect(code).toBe(0);
  run = JSON.parse(text).runDir;
  if (!run.startsWith('/')) run = join(tmp, run);
  source = await loadStatsSource(run);
  details = await loadContactDetails(run);
}, 120_000);
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const input = () => ({ stats: source.stats, meta: source.meta, contacts: details.contacts, ...(details.directory ? { directory: details.directory } : {}) });
const letterOf = (letters: Letter[], iso: string) => letters.find((l) => l.iso === iso);
const utcTime = (iso: string) => new Date(iso).toISOString().slice(11, 16);

describe('letters to the parties, from the demo run', () => {
  it('goes to every party that did not answer within 15 minutes or whose address failed, and to no other', () => {
    const { stats } = source;
    const first = stats.buckets[0]!.thresholdSeconds;
    const failedIsos = new Set(stats.findings.filter((f) => f.status === 'failed' || f.status === 'no-answer').map((f) => f.iso));
    const expected = stats.countries
      .filter((c) => !(c.outcome === 'answered' && c.responseSeconds! <= first) || failedIsos.has(c.iso))
      .map((c) => c.iso)
      .sort();
    const letters = buildLetters(input());
    expect(letters.map((l) => l.iso).sort()).toEqual(expected);
    // Some answered within 15 minutes and had nothing fail: no letter for them.
    expect(expected.length).toBeLessThan(stats.population);
    expect(stats.countries.some((c) => c.outcome === 'answered' && c.responseSeconds! <= first && !failedIsos.has(c.iso) && !letterOf(letters, c.iso!))).toBe(true);
    expect(buildLetters(input(), { all: true })).toHaveLength(stats.population);
  });

  it('quotes every failed address with the server’s words and asks for it to be fixed', () => {
    const letters = buildLetters(input(), { locale: 'en' });
    expect(source.stats.findings.length).toBeGreaterThan(0);
    for (const f of source.stats.findings) {
      const text = renderLetterMarkdown(letterOf(letters, f.iso!)!);
      expect(text).toContain(`| ${f.contactId} | simulated | ${md(f.address)} | failed | ${md(f.detail)} |`);
      expect(text).toContain(`- ${md(f.address)} (${f.contactId}, simulated): the test message could not be delivered.`);
      expect(text).toContain(`${md(f.address)} (did not work)`);
    }
  });

  it('gives the result in plain words, never calling a bounce an automatic answer', () => {
    const letters = buildLetters(input(), { locale: 'en' });
    const { stats } = source;
    for (const c of stats.countries) {
      const letter = letterOf(letters, c.iso!);
      if (!letter) continue;
      const text = renderLetterMarkdown(letter);
      const automatic = (c.received ?? []).some((k) => k === 'auto-reply' || k === 'read-receipt');
      if (c.outcome === 'late') expect(text).toContain('after the end of the test (24 hours): the answer is recorded as late');
      if (c.outcome === 'silent') expect(text).toContain('**No answer.** No person answered within 24 hours, and no automatic reply came back.');
      if (c.outcome === 'automatic-only' && automatic) expect(text).toContain('**Automatic reply only.** Only automatic messages came back (automatic reply');
      if (c.outcome === 'automatic-only' && !automatic) {
        // Only a bounce came back: the country did not answer, and nothing says "automatic".
        expect(text).toContain('**No answer.** No person answered within 24 hours');
        expect(text).not.toMatch(/Automatic reply only|automatic messages came back|contactAutomatic|automatic reply only/i);
      }
      if (c.outcome === 'answered') expect(text).toMatch(/^\*\*Answered\.\*\* A person answered .+ after the test message was sent/m);
    }
    // The statistics never call a bounce-only country automatic; the demo has unreachable ones.
    expect(stats.automaticOnly.every((c) => (c.received ?? []).some((k) => k === 'auto-reply' || k === 'read-receipt'))).toBe(true);
    expect(stats.unreachable.length).toBeGreaterThan(0);
  });

  it('lists each contact point with its own time, as the statistics compute it for that contact point alone', () => {
    const letters = buildLetters(input(), { locale: 'en', all: true });
    let checked = 0;
    for (const party of details.directory!.parties.filter((p) => p.status === 'party' && p.contacts.length > 1)) {
      const text = renderLetterMarkdown(letterOf(letters, party.iso)!);
      for (const cp of party.contacts) {
        const r = details.contacts.get(cp.id);
        expect(r, cp.id).toBeDefined();
        if (r!.outcome === 'answered') {
          expect(text).toMatch(new RegExp(`\\| ${cp.id} \\| [^|]+ \\| [^|]+ \\| answered at ${utcTime(r!.answeredAt!)} UTC \\| [^|]+ \\|`));
          checked++;
        } else if (r!.outcome === 'silent') expect(text).toMatch(new RegExp(`\\| ${cp.id} \\| [^|]+ \\| [^|]+ \\| (no answer|could not be reached) \\|`));
      }
    }
    expect(checked).toBeGreaterThan(3);
    // A country's own time is its fastest contact point's.
    for (const c of source.stats.countries.filter((x) => x.outcome === 'answered')) expect(details.contacts.get(c.contactId!)!.responseSeconds).toBe(c.responseSeconds);
  });

  it('is written in the party’s language: French for a party whose contact points read French first', () => {
    const letters = buildLetters(input());
    const languageOf = (iso: string) => {
      const party = details.directory!.parties.find((p) => p.iso === iso)!;
      const first = party.contacts.flatMap((c) => c.languages).find((l) => l === 'en' || l === 'fr');
      return first ?? 'en';
    };
    const french = letters.filter((l) => languageOf(l.iso!) === 'fr');
    expect(french.length).toBeGreaterThan(0);
    for (const l of letters) {
      expect(l.language, l.country).toBe(languageOf(l.iso!));
      const text = renderLetterMarkdown(l);
      if (l.language === 'fr') {
        expect(l.file.endsWith('-fr')).toBe(true);
        expect(text).toContain('## Votre résultat');
        expect(text).toContain('## Ce qu’il faut mettre à jour dans l’annuaire');
        expect(renderLetterHtml(l)).toContain('<html lang="fr">');
      } else expect(text).toContain('## Your result');
    }
    // --locale says which, for every letter.
    expect(buildLetters(input(), { locale: 'en' }).every((l) => l.language === 'en' && !l.file.endsWith('-fr'))).toBe(true);
  });

  it('writes Markdown and HTML per party and an index linking them', async () => {
    const dir = join(tmp, 'letters');
    const files = await writeLetters(input(), { formats: ['md', 'html'], outDir: dir });
    expect(files.at(-1)).toBe(join(dir, 'index.md'));
    const letters = buildLetters(input());
    expect(files).toHaveLength(letters.length * 2 + 1);
    const index = await readFile(join(dir, 'index.md'), 'utf8');
    for (const l of letters) {
      expect(index).toContain(`[md](${encodeURI(`${l.file}.md`)})`);
      expect(existsSync(join(dir, `${l.file}.md`)) && existsSync(join(dir, `${l.file}.html`))).toBe(true);
    }
    const html = await readFile(join(dir, `${letters[0]!.file}.html`), 'utf8');
    expect(html).not.toMatch(/<script|<link|<img|src=|href=/i);
  });
});

describe('letters from hand-built statistics', () => {
  it('says a party could not be reached, and names an answer entered by hand', () => {
    const s: Stats = sampleStats();
    const unreachable = { ...s.silent[0]!, outcome: 'unreachable' as const };
    s.countries = s.countries.map((c) => (c.country === unreachable.country ? unreachable : c));
    s.silent = s.silent.slice(1);
    s.unreachable = [unreachable];
    // Its answer that counted was entered by hand, as the statistics record it: in the country's
    // result (its time and means) and in the list of overrides.
    const late = { ...s.late[0]!, answeredAt: '2023-06-08T08:40:00Z', handEntered: { channel: 'phone' as const, note: 'phoned' } };
    s.late = [late, ...s.late.slice(1)];
    s.countries = s.countries.map((c) => (c.country === late.country ? late : c));
    s.overrides.push({ at: '2023-06-08T09:00:00Z', contactId: late.contactId!, as: 'reply', note: 'phoned', applied: true, handEntered: { answeredAt: '2023-06-08T08:40:00Z', channel: 'phone' } });
    const letters = buildLetters({ stats: s, meta: sampleMeta() }, { locale: 'en' });
    const text = renderLetterMarkdown(letters.find((l) => l.name === unreachable.country)!);
    expect(text).toContain('**Unreachable.** None of the addresses and numbers listed could be reached');
    expect(text).toContain(`| ${s.findings[0]!.contactId} | e-mail | ${md(s.findings[0]!.address)} | failed |`);
    const hand = renderLetterMarkdown(letters.find((l) => l.name === late.country)!);
    expect(hand).toContain('Your answer was entered by hand by the secretariat (8 June 2023 at 08:40 UTC, by telephone) and counted like any other.');
    const fr = renderLetterMarkdown(buildLetters({ stats: s, meta: sampleMeta() }, { locale: 'fr' }).find((l) => l.name === late.country)!);
    expect(fr).toContain('Votre réponse a été saisie à la main par le secrétariat (8 juin 2023 à 08:40 UTC, par téléphone)');
  });
});
