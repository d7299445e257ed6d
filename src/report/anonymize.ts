// --anonymize: country names become "Country 01".."Country NN" for reports shared beyond the
// network. Labels are numbered in the order of sha256(ISO code, or name when there is none), so
// they are stable across runs of the same population and do not follow the alphabet (an
// alphabetical numbering would be undone by anyone holding the member list). Contact ids,
// addresses, time zones and anything that looks like an address in the servers' words are removed.
import { createHash } from 'node:crypto';
import type { CountryResult, Finding, OverrideSummary, Stats } from '../stats/types.js';

type StatsCore = Omit<Stats, 'observers' | 'byKind'>;

function eachCountry(stats: Stats): Array<{ country: string; iso?: string }> {
  const core = (s: StatsCore) => [...s.countries, ...s.late, ...s.automaticOnly, ...s.unreachable, ...s.silent, ...s.findings];
  return [...core(stats), ...(stats.observers ? core(stats.observers) : []), ...Object.values(stats.byKind ?? {}).flatMap((g) => (g ? core(g) : []))];
}

/** Label of every country (by name) over one or several tests; the union keeps a country's label
 * the same in both columns of a comparison. A country is keyed by its ISO code when any source
 * gives one, else by its name. */
export function countryLabels(...tests: Stats[]): Map<string, string> {
  return countryLabelsIn((n) => `Country ${n}`, tests);
}

/** The same labels worded in the report's language (`Pays 07`): `word` gets the padded number. */
export function countryLabelsIn(word: (n: string) => string, tests: Stats[]): Map<string, string> {
  const isoOf = new Map<string, string>();
  const names = new Set<string>();
  for (const s of tests) {
    for (const c of eachCountry(s)) {
      names.add(c.country);
      if (c.iso) isoOf.set(c.country, c.iso.trim().toUpperCase());
    }
  }
  const keyOf = (name: string) => (isoOf.has(name) ? `iso:${isoOf.get(name)}` : `name:${name.trim().toUpperCase()}`);
  const hash = (k: string) => createHash('sha256').update(k).digest('hex');
  const keys = [...new Set([...names].map(keyOf))].map((k) => ({ k, h: hash(k) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  const width = Math.max(2, String(keys.length).length);
  const labelOfKey = new Map(keys.map(({ k }, i) => [k, word(String(i + 1).padStart(width, '0'))]));
  return new Map([...names].map((n) => [n, labelOfKey.get(keyOf(n))!]));
}

export interface Scrubber {
  (text: string): string;
}

/** Removes what would identify a country from free text: e-mail addresses, host names, phone
 * numbers, IP addresses, the population's country names, ISO codes in ids, contact ids. */
export function makeScrubber(labels: Map<string, string>, contactIds: string[]): Scrubber {
  const escRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const names = [...labels.keys()].filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
  const nameRe = names.length ? new RegExp(`(?<![\\p{L}\\p{N}])(${names.map(escRe).join('|')})(?![\\p{L}\\p{N}])`, 'giu') : undefined;
  const ids = contactIds.filter((id) => id.length > 1).sort((a, b) => b.length - a.length);
  const idRe = ids.length ? new RegExp(`(${ids.map(escRe).join('|')})`, 'gi') : undefined;
  const lower = new Map([...labels].map(([n, l]) => [n.toLowerCase(), l]));
  return (text: string) => {
    let t = text
      .replace(/[^\s<>()"',;:]+@[^\s<>()"',;]+/g, '[address]')
      .replace(/\b(?:\d{1,3}\.){3}\d{1,3}\b/g, '[ip]')
      .replace(/\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b/gi, '[host]')
      // Phone numbers: with a + (E.164), or 9+ digits; SMTP codes like `550 5.1.1` survive.
      .replace(/\+\d[\d ().-]{5,}\d/g, '[number]')
      .replace(/\b\d(?:[ ().-]?\d){8,}\b/g, '[number]');
    if (idRe) t = t.replace(idRe, '[contact]');
    if (nameRe) t = t.replace(nameRe, (m) => lower.get(m.toLowerCase()) ?? '[country]');
    return t;
  };
}

function anonCountry(c: CountryResult, label: (n: string) => string, scrub: Scrubber): CountryResult {
  const out: CountryResult = { country: label(c.country), outcome: c.outcome, responseSeconds: c.responseSeconds };
  if (c.status) out.status = c.status;
  if (c.channel) out.channel = c.channel;
  if (c.sentAt) out.sentAt = c.sentAt;
  if (c.answeredAt) out.answeredAt = c.answeredAt;
  if (c.received) out.received = [...c.received];
  // Every report shows an answer entered by hand as such (docs/measurement.md): its note scrubbed.
  if (c.handEntered) out.handEntered = { channel: c.handEntered.channel, note: scrub(c.handEntered.note) };
  return out;
}

const byTimeThenName = (a: CountryResult, b: CountryResult) =>
  (a.responseSeconds ?? Infinity) - (b.responseSeconds ?? Infinity) || a.country.localeCompare(b.country, 'en');

function anonCore(s: StatsCore, label: (n: string) => string, scrub: Scrubber, contactCountry: Map<string, string>): StatsCore {
  const list = (xs: CountryResult[]) => xs.map((c) => anonCountry(c, label, scrub)).sort(byTimeThenName);
  const findings: Finding[] = s.findings
    .map((f) => {
      const out: Finding = { country: label(f.country), channel: f.channel, address: 'hidden', status: f.status, detail: scrub(f.detail) };
      if (f.at) out.at = f.at;
      return out;
    })
    .sort((a, b) => a.country.localeCompare(b.country, 'en') || a.channel.localeCompare(b.channel));
  const overrides: OverrideSummary[] = s.overrides.map((o) => {
    const out: OverrideSummary = { at: o.at, as: o.as, note: scrub(o.note) };
    // Whether it counted, and when a later mark replaced or withdrew it: no one's identity.
    if (o.applied !== undefined) out.applied = o.applied;
    if (o.replacedBy) out.replacedBy = o.replacedBy;
    if (o.withdrawnBy) out.withdrawnBy = o.withdrawnBy;
    if (o.handEntered) out.handEntered = { ...o.handEntered };
    // Keep which country a correction concerned, not which contact point.
    if (o.contactId) out.contactId = contactCountry.has(o.contactId) ? label(contactCountry.get(o.contactId)!) : 'hidden';
    if (o.messageKey) out.messageKey = 'hidden';
    return out;
  });
  return {
    population: s.population,
    buckets: s.buckets.map((b) => ({ ...b })),
    late: list(s.late),
    automaticOnly: list(s.automaticOnly),
    unreachable: list(s.unreachable),
    silent: list(s.silent),
    findings,
    countries: list(s.countries),
    overrides,
    byChannel: { ...s.byChannel },
  };
}

/** The same statistics with country names replaced by `labels` and identifying details removed.
 * Figures (buckets, counts, times) are unchanged. */
export function anonymizeStats(stats: Stats, labels: Map<string, string>): Stats {
  const label = (n: string) => labels.get(n) ?? '??';
  const contactCountry = new Map<string, string>();
  const core = (s: StatsCore) => {
    for (const c of s.countries) if (c.contactId) contactCountry.set(c.contactId, c.country);
    for (const f of s.findings) if (f.contactId) contactCountry.set(f.contactId, f.country);
  };
  core(stats);
  if (stats.observers) core(stats.observers);
  const scrub = makeScrubber(labels, [...contactCountry.keys()]);
  const out: Stats = anonCore(stats, label, scrub, contactCountry);
  if (stats.observers) out.observers = anonCore(stats.observers, label, scrub, contactCountry);
  if (stats.byKind) {
    out.byKind = {};
    for (const [kind, group] of Object.entries(stats.byKind) as Array<[keyof NonNullable<Stats['byKind']>, StatsCore]>) {
      out.byKind[kind] = anonCore(group, label, scrub, contactCountry);
    }
  }
  return out;
}
