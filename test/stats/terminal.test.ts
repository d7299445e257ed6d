import { describe, expect, it } from 'vitest';
import { renderStatsText } from '../../src/report/terminal.js';
import { summarize } from '../../src/stats/summarize.js';
import { KIND_BIT, ResponseTally } from '../../src/stats/tally.js';
import type { Stats } from '../../src/stats/types.js';

const T0 = Date.UTC(2023, 5, 7, 8, 0, 0);

function sample(): Stats {
  const t = new ResponseTally();
  t.contact('Albania', 'AL-POL').add('email', T0, T0 + 330_000, KIND_BIT.reply);
  t.contact('Andorra', 'AD-POL').add('email', T0, T0 + 90_000_000, KIND_BIT.reply);
  t.contact('Ghana', 'GH-POL').add('email', T0, T0 + 4000, KIND_BIT['auto-reply']);
  t.contact('Peru', 'PE-POL');
  const members = ['Albania', 'Andorra', 'Ghana', 'Peru'].map((c) => ({ key: c, country: c }));
  return {
    ...summarize(t, members, {
      bucketSeconds: [900, 86400],
      findings: [{ country: 'Peru', contactId: 'PE-POL', channel: 'email', address: 'poc@police.pe.example', status: 'failed', detail: '550 5.1.1 user unknown' }],
      overrides: [{ at: '2023-06-08T09:00:00Z', contactId: 'GH-POL', as: 'automatic', note: 'ticket robot', applied: true }],
    }),
  };
}

describe('renderStatsText', () => {
  const text = renderStatsText(sample(), { color: false });

  it('prints the table, then the lines worded as in the 2023 report', () => {
    expect(text).toMatch(/Threshold\s+│\s+Countries\s+│\s+Share\s+│\s+Average\s+│\s+Median/);
    expect(text).toMatch(/│ 15 minutes │\s+1 │ 25\.00% │\s+6 min │\s+6 min │/);
    expect(text).toContain('- 15 minutes, 1 country responded, with an average response time of 6 min\n- 24 hours, 1 country responded (25.00%), average response time of 6 min');
  });

  it('lists late, automatic-only and silent countries, findings and corrections', () => {
    expect(text).toContain('Answered late, after 24 hours (1): Andorra (25h)');
    expect(text).toContain('Automatic answers only (1): Ghana (automatic reply)');
    expect(text).toContain('Unreachable, every address failed: none');
    expect(text).toContain('Silent (1): Peru');
    expect(text).toMatch(/failed\s+Peru {2}PE-POL {2}email {2}poc@police\.pe\.example — 550 5\.1\.1 user unknown/);
    expect(text).toContain('Answers entered by hand and corrections (1):');
    expect(text).toContain('GH-POL → automatic: ticket robot');
  });

  it('uses colour only when asked', () => {
    expect(text).not.toContain('\u001b[');
    expect(renderStatsText(sample(), { color: true })).toContain('\u001b[1mPopulation: 4 countries\u001b[22m');
  });

  it('breaks long lists between names, never inside one', () => {
    const s = sample();
    s.silent = Array.from({ length: 30 }, (_, i) => ({ country: `Bosnia and Herzegovina ${i}`, outcome: 'silent' as const, responseSeconds: null }));
    const lines = renderStatsText(s, { color: false, width: 60 }).split('\n');
    const start = lines.findIndex((l) => l.startsWith('Silent (30):'));
    const block = lines.slice(start, lines.findIndex((l, i) => i > start && !l.startsWith('  ')));
    expect(block.length).toBeGreaterThan(5);
    for (const l of block) expect(l.length).toBeLessThanOrEqual(60);
    expect(block.join(' ')).toContain('Bosnia and Herzegovina 29');
    for (const l of block.slice(1)) expect(l).toMatch(/^ {2}Bosnia and Herzegovina \d+,?( Bosnia and Herzegovina \d+,?)*$/);
  });
});

describe('renderStatsText in French and with the five outcomes', () => {
  const five = (): Stats => {
    const s = sample();
    // A country whose every address failed, and a hand-entered answer by phone.
    s.unreachable = [{ country: 'Bulgaria', iso: 'BG', outcome: 'unreachable', responseSeconds: null, received: ['bounce'] }];
    s.findings.push({ country: 'Bulgaria', iso: 'BG', contactId: 'BG-POL', channel: 'email', address: 'poc@police.bg.example', status: 'failed', detail: 'bounce: 5.1.1 failed 550 user unknown' });
    s.overrides.push({ at: '2023-06-07T09:00:00Z', contactId: 'JP-POL', as: 'reply', note: 'phoned the duty line', applied: true, handEntered: { answeredAt: '2023-06-07T08:11:00Z', channel: 'phone' } });
    return s;
  };

  it('lists an unreachable country apart, never as an automatic answer', () => {
    const text = renderStatsText(five(), { color: false });
    expect(text).toContain('Unreachable, every address failed (1): Bulgaria');
    expect(text).toMatch(/Automatic answers only \(1\): Ghana \(automatic reply\)\n/);
    expect(text).toContain('JP-POL → answer entered by hand at 2023-06-07 08:11 UTC, by telephone: phoned the duty line');
  });

  it('prints the lines, the table and the lists in French with --locale fr', () => {
    const text = renderStatsText(five(), { color: false, locale: 'fr' }).replace(/[\u00a0\u202f]/g, ' ');
    expect(text).toMatch(/Seuil\s+│\s+Pays\s+│\s+Part\s+│\s+Moyenne\s+│\s+Médiane/);
    expect(text).toContain('- 15 minutes : 1 pays a répondu, avec un temps de réponse moyen de 6 min');
    expect(text).toContain('- 24 heures : 1 pays a répondu (25,00 %), temps de réponse moyen de 6 min');
    expect(text).toContain('Réponse en retard, après 24 heures (1) : Andorre (25 h)');
    expect(text).toContain('Réponses automatiques seulement (1) : Ghana (réponse automatique)');
    expect(text).toContain('Injoignables, toutes les adresses en échec (1) : Bulgarie');
    expect(text).toContain('Sans réponse (1) : Pérou');
    expect(text).toContain('Constats sur l’annuaire (2) :');
    expect(text).toMatch(/en échec\s+Bulgarie {2}BG-POL {2}courriel {2}poc@police\.bg\.example — non-remise : 5\.1\.1 failed 550 user unknown/);
    expect(text).toContain('JP-POL → réponse saisie à la main à 2023-06-07 08:11 UTC, par téléphone : phoned the duty line');
    expect(text).not.toMatch(/\b(countries|responded|average|Silent|Automatic|failed:)\b/);
  });
});
