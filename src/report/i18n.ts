// The wording of reports in the reader's language: one JSON catalogue per language in locales/
// (en.json, fr.json...), which a translator edits without reading code; adding a language is
// adding a file. Plural forms follow Intl.PluralRules; country names come from Intl.DisplayNames.
import { readdirSync, readFileSync } from 'node:fs';
import { isoForCountry } from '../directory/countries.js';
import type EN from './locales/en.json';

/** A plural entry: ICU-style categories (`one`, `few`, `many`, `other`...) and exact counts (`=0`). */
export type PluralEntry = { other: string } & Record<string, string>;

/** The keys of a plural entry: Intl.PluralRules categories and exact counts. An object whose keys
 * are all of these (with `other`) is a plural entry; any other object is a section. */
export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
type PluralCategory = (typeof PLURAL_CATEGORIES)[number] | `=${number}`;
type IsPlural<V> = V extends { other: string } ? (Exclude<keyof V, PluralCategory> extends never ? true : false) : false;
type TextPaths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : IsPlural<T[K]> extends true ? never : TextPaths<T[K], `${P}${K}.`>;
}[keyof T & string];
type PluralPaths<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? never : IsPlural<T[K]> extends true ? `${P}${K}` : PluralPaths<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Whether a catalogue value is a plural entry (see PLURAL_CATEGORIES). */
export function isPluralEntry(v: unknown): v is PluralEntry {
  if (typeof v !== 'object' || v === null || typeof (v as Record<string, unknown>).other !== 'string') return false;
  return Object.keys(v).every((k) => (PLURAL_CATEGORIES as readonly string[]).includes(k) || /^=\d+$/.test(k));
}

/** Sections of a catalogue that are data for names, not wording every catalogue must have. */
export const NAME_SECTIONS = ['countryNames', 'networkNames'] as const;
type Wording = Omit<typeof EN, (typeof NAME_SECTIONS)[number]>;

/** Keys of plain texts (`results.heading`) and of plural entries (`facts.countries`): the
 * English catalogue is the reference, so that a key the code uses and en.json lacks fails tsc. */
export type TextKey = TextPaths<Wording>;
export type PluralKey = PluralPaths<Wording>;
export type Vars = Record<string, string | number>;

export type Catalogue = Record<string, unknown>;

const LOCALES = new URL('./locales/', import.meta.url);
const loaded = new Map<string, Catalogue>();

/** Languages with a catalogue: the file names in locales/ (`en`, `fr`). */
export function catalogueLanguages(): string[] {
  return readdirSync(LOCALES)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}

/** The catalogue of one language (file name without `.json`), parsed once. */
export function loadCatalogue(language: string): Catalogue {
  let c = loaded.get(language);
  if (!c) {
    c = JSON.parse(readFileSync(new URL(`${language}.json`, LOCALES), 'utf8')) as Catalogue;
    loaded.set(language, c);
  }
  return c;
}

/** The warning for a locale without a catalogue of words (numbers and dates are its own). */
export function missingWordingWarning(locale: string): string | undefined {
  return catalogueFor(locale) ? undefined : `no wording for "${locale}" yet: numbers and dates in ${locale}, words in English (add src/report/locales/<language>.json)`;
}

/** The catalogue for a locale: the exact tag (`fr-BE.json`), else its language (`fr.json`), else
 * none (the caller words in English and says so). */
export function catalogueFor(locale: string): string | undefined {
  const have = catalogueLanguages();
  const lower = have.map((l) => l.toLowerCase());
  const tag = locale.toLowerCase();
  const exact = lower.indexOf(tag);
  if (exact >= 0) return have[exact];
  const base = lower.indexOf(tag.split('-')[0]!);
  return base >= 0 ? have[base] : undefined;
}

function lookup(c: Catalogue, key: string): unknown {
  let v: unknown = c;
  for (const part of key.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** `{name}` → vars.name; a placeholder without a value stays as written, so a slip shows. */
export function interpolate(text: string, vars: Vars = {}): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in vars ? String(vars[k]) : m));
}

export interface Messages {
  /** The catalogue's language (`fr`), `en` when the locale has none. */
  language: string;
  /** The locale given has no catalogue: the wording is English. */
  fallback: boolean;
  /** BCP 47 tag of the formats (`fr-BE`), for Intl. */
  locale: string;
  t(key: TextKey, vars?: Vars): string;
  /** A plural entry for `count`; `{n}` is the count formatted for the locale. */
  n(key: PluralKey, count: number, vars?: Vars): string;
  /** `a, b and c` in the language (Intl.ListFormat). */
  list(items: string[]): string;
  /** A country's name in the language: the catalogue's `countryNames` entry, else Intl.DisplayNames
   * from its ISO code, else the name as given. English keeps the directory's own names. */
  country(name: string, iso?: string): string;
  /** A network's name in the language when the catalogue's `networkNames` section has it. */
  network(name: string): string;
}

export function createMessages(locale: string, int: (n: number) => string = String): Messages {
  const language = catalogueFor(locale);
  const main = loadCatalogue(language ?? 'en');
  const english = language === 'en' || !language ? main : loadCatalogue('en');
  // Missing keys fall back to English (the catalogue test keeps them from being missing).
  const get = (key: string) => lookup(main, key) ?? lookup(english, key);
  let plural: Intl.PluralRules | undefined;
  let lists: Intl.ListFormat | undefined;
  let regions: Intl.DisplayNames | undefined | null;
  const countries = (main.countryNames ?? {}) as Record<string, string>;
  const networks = (main.networkNames ?? {}) as Record<string, string>;
  const lang = language ?? 'en';
  const msgs: Messages = {
    language: lang,
    fallback: !language,
    locale,
    t(key, vars) {
      const v = get(key);
      return typeof v === 'string' ? interpolate(v, vars) : key;
    },
    n(key, count, vars = {}) {
      const v = get(key);
      if (!isPluralEntry(v)) return key;
      plural ??= new Intl.PluralRules(language ? locale : 'en');
      const text = v[`=${count}`] ?? v[plural.select(count)] ?? v.other;
      return interpolate(text, { n: int(count), ...vars });
    },
    list(items) {
      if (items.length < 2) return items.join('');
      lists ??= new Intl.ListFormat(language ? locale : 'en', { type: 'conjunction' });
      return lists.format(items);
    },
    country(name, iso) {
      if (lang === 'en') return name;
      const code = (iso ?? isoForCountry(name))?.toUpperCase();
      if (!code) return name;
      if (countries[code]) return countries[code];
      if (regions === undefined) {
        try {
          regions = new Intl.DisplayNames([locale], { type: 'region', fallback: 'none' });
        } catch {
          regions = null;
        }
      }
      return regions?.of(code) ?? name;
    },
    network(name) {
      return networks[name] ?? name;
    },
  };
  return msgs;
}

/** Every text of a catalogue by key (`results.heading`), plural entries whole; name sections left out. */
export function catalogueEntries(c: Catalogue, prefix = ''): Map<string, string | PluralEntry> {
  const out = new Map<string, string | PluralEntry>();
  for (const [k, v] of Object.entries(c)) {
    if (!prefix && (NAME_SECTIONS as readonly string[]).includes(k)) continue;
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string' || isPluralEntry(v)) out.set(key, v);
    else if (typeof v === 'object' && v !== null) for (const [kk, vv] of catalogueEntries(v as Catalogue, key)) out.set(kk, vv);
    else out.set(key, v as string);
  }
  return out;
}

const placeholders = (v: string | PluralEntry) =>
  [...new Set((typeof v === 'string' ? [v] : Object.values(v)).flatMap((t) => [...t.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)))].sort();

/** What is wrong with a catalogue against the English one: keys missing or unknown, a text where
 * a plural entry is expected (or the reverse), placeholders that differ, plural categories the
 * language needs (Intl.PluralRules, counts 0 to 10,000) and lacks, empty texts. */
export function catalogueProblems(candidate: Catalogue, reference: Catalogue, language: string): string[] {
  const want = catalogueEntries(reference);
  const have = catalogueEntries(candidate);
  const problems: string[] = [];
  const rules = new Intl.PluralRules(language);
  const needed = new Set<string>();
  for (let n = 0; n <= 10_000; n++) needed.add(rules.select(n));
  for (const [key, ref] of want) {
    const v = have.get(key);
    if (v === undefined) {
      problems.push(`${language}: missing ${key}`);
      continue;
    }
    if (typeof ref === 'string' && typeof v !== 'string') problems.push(`${language}: ${key} should be a text`);
    else if (typeof ref !== 'string' && !isPluralEntry(v)) problems.push(`${language}: ${key} should be a plural entry ({ "one": ..., "other": ... })`);
    else {
      if (placeholders(v).join() !== placeholders(ref).join()) problems.push(`${language}: ${key} has placeholders {${placeholders(v).join('}, {')}}, English has {${placeholders(ref).join('}, {')}}`);
      if (isPluralEntry(v)) for (const cat of needed) if (v[cat] === undefined && cat !== 'other') problems.push(`${language}: ${key} lacks the plural form "${cat}"`);
      if ((typeof v === 'string' ? [v] : Object.values(v)).some((t) => t.trim() === '')) problems.push(`${language}: ${key} is empty`);
    }
  }
  for (const key of have.keys()) if (!want.has(key)) problems.push(`${language}: unknown key ${key} (not in en.json)`);
  return problems;
}
