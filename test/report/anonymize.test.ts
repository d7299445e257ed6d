import { describe, expect, it } from 'vitest';
import { anonymizeStats, countryLabels, makeScrubber } from '../../src/report/anonymize.js';
import { renderCsv } from '../../src/report/csv.js';
import { renderHtml } from '../../src/report/html.js';
import { renderJson } from '../../src/report/json.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { buildReportModel } from '../../src/report/model.js';
import { sampleMeta, sampleStats } from './sample-stats.js';
import { at, statsWithMarks } from '../stats/marks-run.js';

describe('--anonymize', () => {
  it('gives every country a distinct numbered label, the same for the same population whatever the order', () => {
    const a = sampleStats();
    const b = sampleStats();
    b.countries.reverse();
    b.silent.reverse();
    const la = countryLabels(a);
    const lb = countryLabels(b);
    expect([...la].sort()).toEqual([...lb].sort());
    expect(new Set(la.values()).size).toBe(68);
    expect([...la.values()].sort()[0]).toBe('Country 01');
    expect([...la.values()].sort().at(-1)).toBe('Country 68');
  });
  it('does not number the countries in alphabetical order', () => {
    const labels = countryLabels(sampleStats());
    const byName = [...labels.keys()].sort((x, y) => x.localeCompare(y, 'en'));
    const numbered = [...labels.entries()].sort((x, y) => x[1].localeCompare(y[1])).map(([n]) => n);
    expect(numbered).not.toEqual(byName);
    // The order is sha256 of the ISO code: Albania (AL) has a fixed label across runs.
    expect(labels.get('Albania')).toBe(countryLabels(sampleStats({ factor: 2 })).get('Albania'));
  });
  it('keeps a country’s label across the two tests of a comparison', () => {
    const cur = sampleStats();
    const old = sampleStats({ factor: 1.3, answered: 57 });
    old.countries.push({ country: 'Atlantis', iso: 'XA', outcome: 'silent', responseSeconds: null });
    const labels = countryLabels(cur, old);
    const model = buildReportModel({ stats: cur, meta: sampleMeta(), compare: { stats: old, meta: sampleMeta() } }, { anonymize: true });
    const labelOf = (rows: typeof model.current.rows, time: number | null) => rows.find((r) => r.responseSeconds === time)?.country;
    expect(labels.get(cur.countries[0]!.country)).toBe(labelOf(model.current.rows, cur.countries[0]!.responseSeconds));
    expect(labels.size).toBe(69);
  });
  it('removes addresses, numbers, hosts, contact ids and names from the servers’ words', () => {
    const labels = new Map([['Belgium', 'Country 07'], ['Bosnia and Herzegovina', 'Country 12']]);
    const scrub = makeScrubber(labels, ['BE-PRO']);
    expect(scrub('550 5.1.1 <duty@prosecution.be.example>: Recipient address rejected')).toBe('550 5.1.1 <[address]>: Recipient address rejected');
    expect(scrub("Twilio 21211: The 'To' number +32 2 555 01 23 is not valid")).toBe("Twilio 21211: The 'To' number [number] is not valid");
    expect(scrub('connect to mx.police.be.example[192.0.2.7]:25 timed out')).toBe('connect to [host][[ip]]:25 timed out');
    expect(scrub('BE-PRO confirmed by phone for Belgium and bosnia and herzegovina')).toBe('[contact] confirmed by phone for Country 07 and Country 12');
    expect(scrub('451 4.7.1 Greylisted, try again in 300 seconds')).toBe('451 4.7.1 Greylisted, try again in 300 seconds');
  });
  it('keeps the figures and drops identifying fields', () => {
    const s = sampleStats();
    const a = anonymizeStats(s, countryLabels(s));
    expect(a.buckets).toEqual(s.buckets);
    expect(a.population).toBe(68);
    expect(a.countries.every((c) => /^Country \d\d$/.test(c.country) && !c.iso && !c.contactId && !c.timezone)).toBe(true);
    expect(a.findings.every((f) => f.address === 'hidden' && !f.contactId && !f.iso)).toBe(true);
    expect(a.overrides[0]!.contactId).toMatch(/^Country \d\d$/);
    expect(a.countries.map((c) => c.responseSeconds)).toEqual(s.countries.map((c) => c.responseSeconds));
  });
  it('still shows an answer entered by hand as such (every report does), its note scrubbed', () => {
    // LV-POL phoned back at 12 min; the note names the officer's number.
    const s = statsWithMarks([{ contactId: 'LV-POL', as: 'reply', note: 'phoned from +371 2000 0000', answeredAt: at(720), channel: 'phone' }], (i) => at(3600 + 60 * i));
    expect(s.countries.find((c) => c.iso === 'LV')).toMatchObject({ outcome: 'answered', handEntered: { channel: 'phone' } });
    const a = anonymizeStats(s, countryLabels(s));
    const lv = a.countries.find((c) => c.handEntered);
    expect(lv).toMatchObject({ outcome: 'answered', responseSeconds: 720, handEntered: { channel: 'phone', note: 'phoned from [number]' } });
    expect(a.overrides[0]).toMatchObject({ as: 'reply', handEntered: { answeredAt: at(720), channel: 'phone' } });
    expect(lv!.country).toBe(countryLabels(s).get('Latvia'));
    const md = renderMarkdown(buildReportModel({ stats: s, meta: sampleMeta({ network: 't' }) }, { anonymize: true }));
    expect(md).toContain(`| ${lv!.country} | Answered (entered by hand) | 12 min |`);
    expect(md).toContain('answer entered by hand');
    expect(md).not.toContain('2000 0000');
    expect(md).not.toContain('Latvia');
  });

  it('leaves no name, ISO-derived id, address or time zone in any format', () => {
    const s = sampleStats();
    const model = buildReportModel({ stats: s, meta: sampleMeta() }, { anonymize: true });
    const outputs = { html: renderHtml(model), md: renderMarkdown(model), csv: renderCsv(model), json: renderJson(model) };
    const secrets = [
      ...s.countries.map((c) => c.country),
      ...s.countries.map((c) => c.contactId!),
      // (the secretariat's own zone, Europe/Paris, is named in the header: it says nothing of a country)
      ...s.countries.map((c) => c.timezone!).filter((z) => z !== 'Europe/Paris'),
      ...s.findings.map((f) => f.address),
    ];
    for (const [format, text] of Object.entries(outputs)) {
      const plain = text.replace(/&#39;/g, "'");
      for (const secret of secrets) {
        const re = new RegExp(`(?<![\\p{L}])${secret.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(?![\\p{L}])`, 'u');
        expect(re.test(plain), `${format} contains ${secret}`).toBe(false);
      }
      expect(plain).toContain('Country 0');
    }
    // Local time of day stays, coarsened.
    const byCountry = outputs.html.slice(outputs.html.indexOf('<section id="countries"'));
    expect(byCountry).toMatch(/morning \(06–12\)|afternoon \(12–18\)/);
    expect(byCountry).not.toMatch(/UTC[+\u2212]\d/);
  });
});
