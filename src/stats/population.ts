// Who is counted: the parties (or observers) of a directory, or the countries a log names; and
// the split of the figures by kind of contact point (`--by kind`).
import { isoForCountry } from '../directory/countries.js';
import type { ContactKind, Directory, Party, PartyStatus } from '../core/directory.js';
import type { InputProblem } from '../core/errors.js';
import { summarize, type PopulationMember } from './summarize.js';
import { ResponseTally } from './tally.js';
import type { Finding, GroupStats } from './types.js';

/** The countries of a directory with the given status, keyed by `keyOf`. */
export function membersOf(directory: Directory, status: PartyStatus, keyOf: (p: Party) => string): PopulationMember[] {
  return directory.parties
    .filter((p) => p.status === status)
    .map((p) => ({ key: keyOf(p), country: p.country, iso: p.iso, status: p.status, contacts: p.contacts }));
}

/** Without a directory: every country the log names, under the name it uses (with its ISO code
 * when the name is a known spelling). */
export function membersFromTally(tally: ResponseTally): PopulationMember[] {
  return [...tally.countries.keys()].map((key) => {
    const iso = isoForCountry(key);
    return iso ? { key, country: key, iso } : { key, country: key };
  });
}

const KINDS: readonly ContactKind[] = ['police', 'prosecution', 'other'];

/** The kind of a contact point, as the directory lists it; a contact id the directory does not
 * list is `other` (never guessed from the id: `stats` warns of such ids, see statsFromReplies). */
export function contactKind(member: PopulationMember, contactId: string): ContactKind {
  return member.contacts?.find((c) => c.id === contactId)?.kind ?? 'other';
}

/** Contact ids of a log named in the warning of unlistedContactsWarning, at most. */
const NAMED_IDS = 5;

/** The warning for contact ids of a log (a reply log, an events.jsonl) that the directory given
 * does not list: their kind is `other`. Undefined when there are none. */
export function unlistedContactsWarning(file: string, ids: readonly string[]): InputProblem | undefined {
  if (ids.length === 0) return undefined;
  const named = ids.slice(0, NAMED_IDS).join(', ') + (ids.length > NAMED_IDS ? ', ...' : '');
  const n = ids.length;
  return { file, message: `${n} contact id${n === 1 ? ' is' : 's are'} not in the directory (${named}); counted as kind "other"` };
}

/** The contact points pinged (by country ISO code and id) that the directory does not list under
 * that country, each id once, in the order first pinged. */
export function unlistedPinged(pinged: Iterable<{ iso: string; contactId: string }>, directory: Directory): string[] {
  const listed = new Set(directory.parties.flatMap((p) => p.contacts.map((c) => `${p.iso.toUpperCase()} ${c.id}`)));
  const ids = new Set<string>();
  for (const p of pinged) if (!listed.has(`${p.iso.toUpperCase()} ${p.contactId}`)) ids.add(p.contactId);
  return [...ids];
}

/** Does the population say the kinds of its contact points? One from a directory does (a run's, or
 * --directory); the countries of a reply log or of an events.jsonl read without one do not (no
 * member lists a contact point). */
export function knowsKinds(population: readonly PopulationMember[]): boolean {
  return population.some((m) => (m.contacts?.length ?? 0) > 0);
}

/** The figures per kind of contact point: for each kind, the countries that have (or were
 * pinged at) a contact point of that kind, timed by those contact points only. The kinds are the
 * directory's, a contact point it does not list being `other`; a population without a directory
 * has no kinds, and no split (an empty record). */
export function splitByKind(
  tally: ResponseTally,
  population: readonly PopulationMember[],
  bucketSeconds: readonly number[],
  findings: readonly Finding[],
): Partial<Record<ContactKind, GroupStats>> {
  if (!knowsKinds(population)) return {};
  // Each contact point's kind found once, by id: looking it up in its country's list for every
  // contact point (contactKind) grows with the square of a large country's size.
  const kindsOf = new Map<PopulationMember, Set<ContactKind>>();
  const kindOfContact = new Map<string, ContactKind>();
  const kindIn = new Map<PopulationMember, Map<string, ContactKind>>();
  // Each kind's contact points, country by country, sorted out once: a filter asked of every
  // contact point for every kind was a tenth of `stats` on a large run. Two countries under one
  // key (a directory that lists a country twice) keep the filter, which tells them apart.
  const distinct = new Set(population.map((m) => m.key)).size === population.length;
  // The kind of a contact point is looked up for the findings only.
  const found = new Set(findings.map((f) => f.contactId));
  const ofKind = new Map<ContactKind, ResponseTally>(KINDS.map((k) => [k, new ResponseTally()]));
  for (const m of population) {
    const kinds = new Set<ContactKind>();
    const listed = new Map<string, ContactKind>();
    for (const c of m.contacts ?? []) {
      kinds.add(c.kind);
      // The first listed wins, as find() would have it.
      if (!listed.has(c.id)) listed.set(c.id, c.kind);
    }
    for (const c of m.contacts ?? []) if (found.has(c.id)) kindOfContact.set(c.id, c.kind);
    const country = tally.countries.get(m.key);
    for (const [id, contact] of country?.contacts ?? []) {
      const kind = listed.get(id) ?? 'other';
      if (!listed.has(id)) listed.set(id, kind);
      kinds.add(kind);
      if (found.has(id)) kindOfContact.set(id, kind);
      if (!distinct) continue;
      const split = ofKind.get(kind)!.countries;
      let mine = split.get(m.key);
      if (!mine) split.set(m.key, (mine = { key: m.key, firstRow: country!.firstRow, contacts: new Map() }));
      mine.contacts.set(id, contact);
    }
    kindsOf.set(m, kinds);
    kindIn.set(m, listed);
  }
  const out: Partial<Record<ContactKind, GroupStats>> = {};
  for (const kind of KINDS) {
    const members = population.filter((m) => kindsOf.get(m)!.has(kind));
    if (members.length === 0) continue;
    const findingsOfKind = findings.filter((f) => f.contactId !== undefined && kindOfContact.get(f.contactId) === kind);
    out[kind] = distinct
      ? summarize(ofKind.get(kind)!, members, { bucketSeconds, findings: findingsOfKind })
      : summarize(tally, members, { bucketSeconds, contactFilter: (m, id) => (kindIn.get(m)?.get(id) ?? contactKind(m, id)) === kind, findings: findingsOfKind });
  }
  return out;
}
