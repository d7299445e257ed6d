// Statistics from an imported reply log: population = the countries the log names, or with a
// directory its parties (those absent from the log are silent). Pure: no I/O.
import { countryMatches, foldCountryName, suggestCountry } from '../directory/countries.js';
import type { Directory, Party } from '../core/directory.js';
import { InputError, type InputProblem } from '../core/errors.js';
import type { ChannelName } from '../core/events.js';
import { membersFromTally, membersOf, splitByKind, unlistedContactsWarning } from './population.js';
import { summarize, type PopulationMember } from './summarize.js';
import type { ResponseTally } from './tally.js';
import type { Finding, Stats } from './types.js';

export interface ReplyStatsOptions {
  bucketSeconds: number[];
  /** The reply log's path, for errors. */
  file: string;
  /** Where to add the warnings about the log against the directory (contact ids it does not list). */
  warnings?: InputProblem[];
}

/** Throws InputError (with the row where each first appears) for countries of the log that
 * the directory does not list. The kinds of contact point (`byKind`) are the directory's: a
 * contact id of the log that its country's entry does not list is `other`, with one warning (in
 * `opts.warnings`) saying how many there are; without a directory the log has no kinds. */
export function statsFromReplies(tally: ResponseTally, directory: Directory | undefined, opts: ReplyStatsOptions): Stats {
  if (!directory) {
    const members = membersFromTally(tally);
    return group(tally, members, opts.bucketSeconds);
  }
  const partyOf = matchCountries(tally, directory, opts.file);
  const unlisted = unlistedContacts(tally, partyOf, opts.file);
  if (unlisted) opts.warnings?.push(unlisted);
  const keyOf = new Map<Party, string>();
  for (const [key, party] of partyOf) keyOf.set(party, key);
  // Parties the log never names get a key no tally entry has: they count, as silent.
  const byKey = (p: Party) => keyOf.get(p) ?? `\u0000${p.iso}`;
  const stats: Stats = group(tally, membersOf(directory, 'party', byKey), opts.bucketSeconds);
  if ([...partyOf.values()].some((p) => p.status === 'observer')) stats.observers = group(tally, membersOf(directory, 'observer', byKey), opts.bucketSeconds);
  return stats;
}

function group(tally: ResponseTally, members: PopulationMember[], bucketSeconds: number[]): Omit<Stats, 'observers'> {
  const findings = bounceFindings(tally, members);
  return { ...summarize(tally, members, { bucketSeconds, findings }), byKind: splitByKind(tally, members, bucketSeconds, findings) };
}

/** Each country of the log → its party in the directory, by ISO code or by any usual spelling. */
function matchCountries(tally: ResponseTally, directory: Directory, file: string): Map<string, Party> {
  const byFolded = new Map<string, Party>();
  const byIso = new Map<string, Party>();
  for (const p of directory.parties) {
    byFolded.set(foldCountryName(p.country), p);
    byIso.set(p.iso.toUpperCase(), p);
  }
  const out = new Map<string, Party>();
  const problems: InputProblem[] = [];
  for (const [key, c] of tally.countries) {
    const party =
      byIso.get(key.toUpperCase()) ?? byFolded.get(foldCountryName(key)) ?? directory.parties.find((p) => countryMatches(p.iso, key));
    if (party) out.set(key, party);
    else {
      const hint = suggestCountry(key, directory.parties.map((p) => p.country));
      problems.push({ file, row: c.firstRow, field: 'country', message: `"${key}" is not in the directory given with --directory${hint ? ` (did you mean ${hint}?)` : ''}` });
    }
  }
  if (problems.length) throw new InputError(problems);
  return out;
}

/** One warning for the contact ids of the log that the directory does not list under their
 * country (a contact column left out: the country's name stands for its contact point), naming
 * the first few; undefined when it lists them all. */
function unlistedContacts(tally: ResponseTally, partyOf: ReadonlyMap<string, Party>, file: string): InputProblem | undefined {
  const ids: string[] = [];
  for (const [key, party] of partyOf) {
    const contacts = tally.countries.get(key)?.contacts;
    if (!contacts) continue;
    const listed = new Set(party.contacts.map((c) => c.id));
    // A log without a contact column names each contact point by its country: no id to check.
    for (const id of contacts.keys()) if (id !== key && !listed.has(id)) ids.push(id);
  }
  return unlistedContactsWarning(file, ids);
}

/** A bounce row says an address of that contact point failed; the log does not say which, so
 * the finding names the directory's address when the contact point has just one on the channel. */
function bounceFindings(tally: ResponseTally, members: readonly PopulationMember[]): Finding[] {
  const findings: Finding[] = [];
  for (const m of members) {
    const contacts = tally.countries.get(m.key)?.contacts;
    if (!contacts) continue;
    for (const c of contacts.values()) {
      if (c.bounceChannel === undefined) continue;
      const f: Finding = { country: m.country, contactId: c.contactId, channel: c.bounceChannel, address: addressOf(m, c.contactId, c.bounceChannel), status: 'failed', detail: 'bounce recorded in the reply log' };
      if (m.iso) f.iso = m.iso;
      findings.push(f);
    }
  }
  return findings;
}

function addressOf(m: PopulationMember, contactId: string, channel: ChannelName): string {
  const cp = m.contacts?.find((c) => c.id === contactId);
  const list = !cp ? [] : channel === 'email' ? cp.emails : channel === 'sms' ? cp.sms : channel === 'voice' ? cp.phones : [];
  return list.length === 1 ? list[0]! : '';
}
