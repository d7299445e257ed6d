// How many parties, observers and contact points (by kind) a directory holds.
import type { ContactKind, Directory } from './model.js';

export const CONTACT_KINDS: readonly ContactKind[] = ['police', 'prosecution', 'other'];

export interface DirectoryTally {
  parties: number;
  observers: number;
  contacts: number;
  byKind: Record<ContactKind, number>;
}

export function countDirectory(d: Directory): DirectoryTally {
  const byKind: Record<ContactKind, number> = { police: 0, prosecution: 0, other: 0 };
  for (const p of d.parties) for (const c of p.contacts) byKind[c.kind]++;
  return {
    parties: d.parties.filter((p) => p.status === 'party').length,
    observers: d.parties.filter((p) => p.status === 'observer').length,
    contacts: d.parties.reduce((n, p) => n + p.contacts.length, 0),
    byKind,
  };
}
