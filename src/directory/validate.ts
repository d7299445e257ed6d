// Checks a directory read from YAML, JSON, CSV or XLSX: schema (zod) field by field, so that one bad
// field does not hide the others, then normalisation (ISO upper case, E.164 numbers) and the rules
// (codes that exist and agree with the country, e-mail syntax, numbers valid for the country,
// IANA zones, unique ids, every party reachable). Every problem is collected, none thrown.
import { z } from 'zod';
import { isSupportedCountry, parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/min';
import type { InputProblem } from '../core/errors.js';
import { countryMatches, countryName, isoForCountry } from './countries.js';
import type { ContactPoint, Directory, Party } from './model.js';
import { formatPath, type DataPath, type DirectorySource } from './source.js';
import { suggest } from '../core/suggest.js';
import { normaliseTimeZone, suggestTimeZone } from '../core/zone.js';
import { heapTick } from '../core/heap-governor.js';

export interface DirectoryCounts {
  parties: number;
  observers: number;
  contacts: number;
}

export interface DirectoryCheck {
  /** Present when there are no errors (warnings allowed). */
  directory?: Directory;
  errors: InputProblem[];
  warnings: InputProblem[];
  /** Best-effort counts, also when the directory has errors. */
  counts: DirectoryCounts;
}

// ---- schema ---------------------------------------------------------------------------------

function describe(v: unknown): string {
  if (v === null) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'boolean') return `${v}`;
  return typeof v;
}

const textError = (iss: { input?: unknown }) =>
  iss.input === undefined ? 'missing' : iss.input === null ? 'is empty' : `must be text, not ${describe(iss.input)}`;
const text = z.string({ error: textError }).trim().min(1, 'is empty');
const optionalText = z.preprocess((v) => (v === null || v === '' ? undefined : v), z.string({ error: textError }).trim().optional());
/** A list of text values; a single value or nothing are accepted too. */
const textList = z.preprocess(
  (v): unknown[] => (v === null || v === undefined ? [] : Array.isArray(v) ? (v as unknown[]) : [v]),
  z.array(z.string({ error: textError }).trim()).transform((l) => l.filter((s) => s !== '')),
);
function oneOf<T extends string>(what: string, values: readonly [T, ...T[]]) {
  return z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() : v),
    z.enum(values, {
      error: (iss) =>
        iss.input === undefined
          ? 'missing'
          : `unknown ${what} '${typeof iss.input === 'string' ? iss.input : describe(iss.input)}' (expected ${values.join(', ')})`,
    }),
  );
}

const directoryShape = {
  network: text,
  updated: optionalText,
  parties: z.array(z.unknown(), { error: (iss) => (iss.input === undefined ? 'missing' : 'must be a list of parties') }),
};
const partyShape = {
  country: text,
  iso: text,
  status: oneOf('status', ['party', 'observer']),
  contacts: z.preprocess(
    (v) => (v === null ? [] : v),
    z.array(z.unknown(), { error: (iss) => (iss.input === undefined ? 'missing' : 'must be a list of contact points') }),
  ),
};
const KINDS = ['police', 'prosecution', 'other'] as const;
const contactShape = {
  id: text,
  unit: optionalText,
  kind: oneOf('kind', KINDS),
  emails: textList,
  phones: textList,
  sms: textList,
  timezone: text,
  languages: textList,
};

type Shape = Record<string, z.ZodType>;
type Parsed<S extends Shape> = { [K in keyof S]?: z.output<S[K]> };

// ---- helpers --------------------------------------------------------------------------------

const EMAIL_LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;
const TLD = /^(?:[a-z]{2,63}|xn--[a-z0-9-]+|\p{L}{2,63})$/iu;

/** The address with its domain in lower case, or undefined when it is not an e-mail address. */
export function normaliseEmail(text: string): string | undefined {
  const at = text.lastIndexOf('@');
  if (at <= 0 || text.length > 254) return undefined;
  const local = text.slice(0, at);
  const labels = text.slice(at + 1).toLowerCase().split('.');
  if (local.length > 64 || !EMAIL_LOCAL.test(local) || labels.length < 2) return undefined;
  const tld = labels.pop()!;
  // Labels one by one: a single pattern over the whole domain backtracks on long bad input.
  if (!TLD.test(tld) || !labels.every((l) => l.length <= 63 && (ASCII_LABEL.test(l) || LABEL.test(l)))) return undefined;
  return `${local}@${[...labels, tld].join('.')}`;
}

// Zone names are core's (core/zone.ts), shared with the --tz options; exported here as before.
export { normaliseTimeZone, RENAMED_ZONES } from '../core/zone.js';

const languageChecked = new Map<string, string | undefined>();
function normaliseLanguage(tag: string): string | undefined {
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/.test(tag)) return undefined;
  if (!languageChecked.has(tag)) {
    let canonical: string | undefined;
    try {
      canonical = Intl.getCanonicalLocales(tag)[0];
    } catch {
      canonical = undefined;
    }
    languageChecked.set(tag, canonical);
  }
  return languageChecked.get(tag);
}

function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().startsWith(s);
}

const LENGTH_PROBLEMS: Record<string, string> = { TOO_SHORT: 'too short', TOO_LONG: 'too long', INVALID_LENGTH: 'wrong length' };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- validation -----------------------------------------------------------------------------

/** What the checks of one directory share: where problems go, the field parser, and what was
 * seen so far (ISO codes, contact ids, addresses) to find what is listed twice. */
/** The empty list every contact point without such values shares. */
const NO_VALUES = Object.freeze([]) as unknown as string[];

class Check {
  readonly errors: InputProblem[];
  readonly warnings: InputProblem[];
  readonly isoSeen = new Map<string, DataPath>();
  /** Lower-case id -> path of the contact point. */
  readonly idSeen = new Map<string, DataPath>();
  /** Address -> who has it, one map a list: no "emails:x" key built per address. */
  readonly addressSeen = { emails: new Map<string, string>(), phones: new Map<string, string>(), sms: new Map<string, string>() };
  /** Cells a spreadsheet stored as numbers (their leading + or 0 may be lost). */
  readonly numberCells: ReadonlySet<string> | undefined;
  /** Each list of languages once: a directory of 100,000 contact points has a few dozen. */
  private readonly languageLists = new Map<string, string[]>();

  /** The contact point's list as it keeps it: an empty one is the one shared empty list, a list
   * of languages the same as every other contact point's with those languages. Shared lists are
   * frozen (nothing changes one contact point's list through another's): a list each was 7 MB of
   * a directory of 100,000 contact points, most of them empty or the same few languages. */
  kept(list: string[], shared = false): string[] {
    if (list.length === 0) return NO_VALUES;
    if (!shared) return list.slice(); // exact size: a list grown by push() keeps room for 17
    const key = list.join('\n');
    let known = this.languageLists.get(key);
    if (!known) this.languageLists.set(key, (known = Object.freeze(list.slice()) as string[]));
    return known;
  }

  constructor(
    private readonly source: DirectorySource,
    private readonly file: string,
  ) {
    this.errors = [...source.errors];
    this.warnings = [...source.warnings];
    this.numberCells = source.numberCells !== undefined && source.numberCells.size > 0 ? source.numberCells : undefined;
  }

  private problem(path: DataPath, message: string): InputProblem {
    return { file: this.file, ...this.source.locate(path), message };
  }

  /** Once the reader has said what is wrong with a cell, the checks add nothing about it. */
  private reportedByReader(path: DataPath): boolean {
    const reported = this.source.reported;
    return reported !== undefined && path.some((_, i) => reported.has(formatPath(path.slice(0, i + 1))));
  }

  error(path: DataPath, message: string): void {
    if (!this.reportedByReader(path)) this.errors.push(this.problem(path, message));
  }

  warn(path: DataPath, message: string): void {
    this.warnings.push(this.problem(path, message));
  }

  where(path: DataPath): string {
    const p = this.source.locate(path);
    return p.line !== undefined ? `line ${p.line}` : p.row !== undefined ? `row ${p.row}` : 'elsewhere';
  }

  /** Parses each field on its own: the ones that pass are returned, the others reported. */
  fields<S extends Shape>(shape: S, value: unknown, path: DataPath, what: string): Parsed<S> | undefined {
    if (!isObject(value)) {
      this.error(path, `must be a mapping (${what}), not ${describe(value)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(shape)) {
      const r = schema.safeParse(value[key]);
      if (r.success) out[key] = r.data;
      else for (const issue of r.error.issues) this.error([...path, key, ...(issue.path as (string | number)[])], issue.message);
    }
    for (const key of Object.keys(value)) {
      if (key in shape) continue;
      const hint = suggest(key, Object.keys(shape), { max: 2 });
      this.warn([...path, key], `unknown field, ignored${hint ? ` (did you mean '${hint}'?)` : ''}`);
    }
    return out as Parsed<S>;
  }
}

export function validateDirectory(source: DirectorySource, file: string): DirectoryCheck {
  const ck = new Check(source, file);
  const counts: DirectoryCounts = { parties: 0, observers: 0, contacts: 0 };
  const top = ck.fields(directoryShape, source.data, [], 'network, updated, parties');
  if (top?.updated !== undefined && !isDate(top.updated)) ck.error(['updated'], `'${top.updated}' is not a date (YYYY-MM-DD)`);
  const rawParties = top?.parties ?? [];
  if (top?.parties && rawParties.length === 0) ck.error(['parties'], 'no parties: the directory is empty');

  const parties: Party[] = [];
  rawParties.forEach((rawParty, p) => {
    const party = checkParty(ck, rawParty, ['parties', p], counts);
    if (party) parties.push(party);
  });

  const byPlace = (a: InputProblem, b: InputProblem) => (a.line ?? a.row ?? 0) - (b.line ?? b.row ?? 0);
  const { errors, warnings } = ck;
  errors.sort(byPlace);
  warnings.sort(byPlace);

  if (errors.length > 0 || !top?.network) return { errors, warnings, counts };
  const directory: Directory = { network: top.network, ...(top.updated !== undefined ? { updated: top.updated } : {}), parties };
  return { directory, errors, warnings, counts };
}

/** One party: its fields, its ISO code, its contact points, and whether any of them can be
 * reached. The party, when everything it needs is valid. */
function checkParty(ck: Check, rawParty: unknown, partyPath: DataPath, counts: DirectoryCounts): Party | undefined {
  const party = ck.fields(partyShape, rawParty, partyPath, 'a party: country, iso, status, contacts');
  if (isObject(rawParty) && String(rawParty.status).trim().toLowerCase() === 'observer') counts.observers++;
  else counts.parties++;
  if (!party) return undefined;

  const iso = party.iso !== undefined ? checkIso(ck, party.iso, party.country, partyPath) : undefined;
  const place: PartyPlace = {
    iso,
    label: `${party.country ?? '?'}${iso ? ` (${iso})` : ''}`,
    phoneCountry: iso && isSupportedCountry(iso) ? iso : undefined,
  };

  const contacts: ContactPoint[] = [];
  const unreachable: DataPath[] = [];
  let reachable = 0;
  const rawContacts = party.contacts ?? [];
  const readerContacts = isObject(rawParty) && Array.isArray(rawParty.contacts) ? (rawParty.contacts as unknown[]) : undefined;
  rawContacts.forEach((rawContact, c) => {
    heapTick();
    // Checked once, the raw value is dropped (here and in the reader's data, which validation
    // consumes), so that a directory of 100,000 contact points is not held twice.
    rawContacts[c] = undefined;
    if (readerContacts) readerContacts[c] = undefined;
    counts.contacts++;
    const contactPath: DataPath = [...partyPath, 'contacts', c];
    const checked = checkContact(ck, rawContact, contactPath, c, place);
    if (!checked) return;
    reachable += checked.addresses;
    if (checked.written === 0) unreachable.push(contactPath);
    if (checked.point) contacts.push(checked.point);
  });

  if (party.contacts !== undefined && reachable === 0) {
    const why = party.contacts.length === 0 ? 'it has no contact points' : 'no valid e-mail, phone or SMS number';
    ck.error(partyPath, `${place.label} has no contact point that can be reached: ${why}`);
  } else {
    for (const path of unreachable) ck.warn(path, 'this contact point cannot be reached: no e-mail, phone or SMS number');
  }
  if (party.country !== undefined && iso && party.status !== undefined) {
    return { country: party.country, iso, status: party.status === 'observer' ? 'observer' : 'party', contacts };
  }
  return undefined;
}

/** The party's ISO code, upper case, when it exists, agrees with the country and is not used
 * twice (reported otherwise). */
function checkIso(ck: Check, written: string, country: string | undefined, partyPath: DataPath): string | undefined {
  const code = written.toUpperCase();
  const path = [...partyPath, 'iso'];
  const named = country !== undefined ? isoForCountry(country) : undefined;
  const hint = named && named !== code ? `; ${country} is ${named}` : '';
  if (!/^[A-Z]{2}$/.test(code)) {
    ck.error(path, `'${written}' is not an ISO 3166-1 alpha-2 code (two letters)${hint}`);
    return undefined;
  }
  if (!countryName(code)) {
    ck.error(path, `'${code}' is not an ISO 3166-1 alpha-2 code${hint}`);
    return undefined;
  }
  if (country !== undefined && !countryMatches(code, country)) {
    ck.error(path, `${code} is ${countryName(code)}, not '${country}'${hint}`);
  }
  const first = ck.isoSeen.get(code);
  if (first) ck.error(path, `${code} is listed twice (also at ${ck.where(first)})`);
  else ck.isoSeen.set(code, path);
  return code;
}

/** What a contact point's checks need to know of its party. */
interface PartyPlace {
  iso: string | undefined;
  /** `France (FR)`, for messages. */
  label: string;
  /** The country phone numbers without a + are read in, when libphonenumber knows it. */
  phoneCountry: CountryCode | undefined;
}

/** One contact point: its fields, id, addresses, numbers, zone and languages. `addresses`
 * counts the valid ones, `written` those written at all; `point` is there when everything the
 * contact point needs is valid. */
function checkContact(
  ck: Check,
  rawContact: unknown,
  contactPath: DataPath,
  c: number,
  place: PartyPlace,
): { point?: ContactPoint; addresses: number; written: number } | undefined {
  const contact = ck.fields(contactShape, rawContact, contactPath, 'a contact point: id, unit, kind, emails, phones, sms, timezone, languages');
  if (!contact) return undefined;

  if (contact.id !== undefined) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(contact.id)) {
      ck.error([...contactPath, 'id'], `'${contact.id}' may only hold letters, digits, '.', '_' and '-' (it is typed on command lines)`);
    }
    const first = ck.idSeen.get(contact.id.toLowerCase());
    if (first) ck.error([...contactPath, 'id'], `duplicate contact id '${contact.id}' (also at ${ck.where([...first, 'id'])})`);
    else ck.idSeen.set(contact.id.toLowerCase(), contactPath);
  }
  const who = contact.id ?? `contact point ${c + 1} of ${place.label}`;

  const unique = (list: AddressList, value: string, i: number, kept: string[]): boolean => {
    if (kept.includes(value)) {
      ck.warn([...contactPath, list, i], `'${value}' is listed twice for ${who}; kept once`);
      return false;
    }
    const other = ck.addressSeen[list].get(value);
    if (other !== undefined) ck.warn([...contactPath, list, i], `'${value}' is also listed for ${other}`);
    else ck.addressSeen[list].set(value, who);
    return true;
  };

  const emails: string[] = [];
  (contact.emails ?? []).forEach((raw, i) => {
    const email = normaliseEmail(raw);
    if (!email) ck.error([...contactPath, 'emails', i], `'${raw}' is not an e-mail address`);
    else if (unique('emails', email, i, emails)) emails.push(email);
  });
  const phones = checkNumbers(ck, contact.phones ?? [], [...contactPath, 'phones'], place, (n, i, kept) => unique('phones', n, i, kept));
  const sms = checkNumbers(ck, contact.sms ?? [], [...contactPath, 'sms'], place, (n, i, kept) => unique('sms', n, i, kept));

  let timezone: string | undefined;
  if (contact.timezone !== undefined) {
    timezone = normaliseTimeZone(contact.timezone);
    if (!timezone) {
      const hint = suggestTimeZone(contact.timezone, 3);
      ck.error([...contactPath, 'timezone'], `unknown time zone '${contact.timezone}' (an IANA name such as Europe/Paris${hint ? `; did you mean ${hint}?` : ''})`);
    }
  }

  const languages: string[] = [];
  (contact.languages ?? []).forEach((raw, i) => {
    const tag = normaliseLanguage(raw);
    if (!tag) ck.warn([...contactPath, 'languages', i], `'${raw}' is not a language code (such as en, fr, pt-BR); ignored`);
    else if (!languages.includes(tag)) languages.push(tag);
  });

  const addresses = emails.length + phones.length + sms.length;
  const written = (contact.emails?.length ?? 0) + (contact.phones?.length ?? 0) + (contact.sms?.length ?? 0);
  if (written > 0 && (contact.phones?.length ?? 0) === 0) {
    const by = [emails.length || !sms.length ? 'e-mail' : '', sms.length ? 'SMS' : ''].filter(Boolean).join(' and ');
    ck.warn([...contactPath, 'phones'], `${who} has no phone number: reachable by ${by} only`);
  }

  if (contact.id === undefined || contact.kind === undefined || contact.timezone === undefined || !timezone) return { addresses, written };
  const point: ContactPoint = {
    id: contact.id,
    unit: contact.unit ?? '',
    kind: KINDS.find((k) => k === contact.kind) ?? contact.kind,
    emails: ck.kept(emails),
    phones: ck.kept(phones),
    sms: ck.kept(sms),
    timezone,
    languages: ck.kept(languages, true),
  };
  return { point, addresses, written };
}

type AddressList = 'emails' | 'phones' | 'sms';

/** A contact point's phone or SMS numbers in E.164, each checked against the party's country;
 * `unique` says whether a number is kept (not listed twice for this contact point). */
function checkNumbers(
  ck: Check,
  written: readonly string[],
  listPath: DataPath,
  place: PartyPlace,
  unique: (number: string, i: number, kept: string[]) => boolean,
): string[] {
  const { iso, phoneCountry } = place;
  const kept: string[] = [];
  written.forEach((raw, i) => {
    const path = [...listPath, i];
    // Excel writes a long number in scientific notation (3,55672E+11): its last digits are gone.
    if (/^\d(?:[.,]\d+)?E\+?\d+$/i.test(raw)) {
      ck.error(path, `'${raw}' is a number a spreadsheet wrote in scientific notation: its last digits are lost; format the column as Text and type the number again`);
      return;
    }
    // A spreadsheet that stored the number as a number dropped its leading + or 0. The digits
    // are trusted only when, read with a +, they are a valid number of the party's country.
    // (Digits written as text are read as usual: libphonenumber takes a leading country code
    // without its + when it is the party's.)
    if (ck.numberCells?.has(formatPath(path))) {
      const plus = parsePhoneNumberFromString(`+${raw}`);
      if (plus?.isValid() && iso && plus.country === iso) {
        ck.warn(path, `${raw} is stored as a number in the spreadsheet; read as ${plus.formatInternational()}: format the column as Text so that the + is kept`);
        if (unique(plus.number, i, kept)) kept.push(plus.number);
      } else {
        ck.error(path, `${raw} is stored as a number in the spreadsheet: its leading + or 0 is lost and it cannot be trusted; format the column as Text and type the number with + and the country code`);
      }
      return;
    }
    const n = parsePhoneNumberFromString(raw, { defaultCountry: phoneCountry, extract: false });
    if (!n?.isValid()) {
      const length = LENGTH_PROBLEMS[validatePhoneNumberLength(raw, { defaultCountry: phoneCountry }) ?? ''];
      if (!n && !length) {
        const why = !raw.startsWith('+') && !phoneCountry ? ' (write it with + and the country code)' : '';
        ck.error(path, `'${raw}' is not a phone number${why}`);
        return;
      }
      const country = n?.country ?? (raw.startsWith('+') ? undefined : phoneCountry);
      const forCountry = country ? ` for ${countryName(country) ?? country}` : n ? ` (+${n.countryCallingCode})` : '';
      ck.error(path, `'${raw}' is not a valid phone number${forCountry}${length ? `: ${length}` : ''}`);
      return;
    }
    if (iso && n.country !== iso) {
      const of = n.country ? `${countryName(n.country) ?? n.country} (+${n.countryCallingCode})` : `+${n.countryCallingCode}`;
      ck.warn(path, `'${raw}' is a number of ${of}, not of ${countryName(iso)} (${iso})`);
    }
    if (n.ext) ck.warn(path, `extension ${n.ext} of '${raw}' dropped: a ping cannot dial extensions`);
    if (unique(n.number, i, kept)) kept.push(n.number);
  });
  return kept;
}
