// The directory of contact points, as every loader (YAML, JSON, CSV) produces it after validation:
// shared vocabulary, read by every layer (the loaders themselves live in src/directory/).

export type PartyStatus = 'party' | 'observer';
export type ContactKind = 'police' | 'prosecution' | 'other';

export interface ContactPoint {
  /** Unique in the directory, e.g. `AL-POL`. */
  id: string;
  unit: string;
  kind: ContactKind;
  emails: string[];
  /** Voice numbers, normalised to E.164. */
  phones: string[];
  /** SMS numbers, normalised to E.164. */
  sms: string[];
  /** IANA time zone. */
  timezone: string;
  languages: string[];
}

export interface Party {
  country: string;
  /** ISO 3166-1 alpha-2, upper case. */
  iso: string;
  status: PartyStatus;
  contacts: ContactPoint[];
}

export interface Directory {
  network: string;
  /** ISO date (YYYY-MM-DD) or undefined. */
  updated?: string;
  parties: Party[];
}
