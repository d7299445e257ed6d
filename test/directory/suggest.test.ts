// "Did you mean": the one helper every command uses to suggest a known value.
import { describe, expect, it } from 'vitest';
import { isCountry, suggestCountry } from '../../src/directory/countries.js';
import { editDistance, suggest } from '../../src/core/suggest.js';

describe('editDistance', () => {
  it('counts inserts, deletes, substitutions, and a swap of neighbours as one edit', () => {
    expect(editDistance('France', 'France')).toBe(0);
    expect(editDistance('Frnace', 'France')).toBe(1);
    expect(editDistance('Tirana', 'Tirane')).toBe(1);
    expect(editDistance('Pariss', 'Paris')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});

describe('suggest', () => {
  it('gives the nearest candidate within reach, ignoring case by default', () => {
    expect(suggest('Europe/Pariss', ['Europe/Paris', 'Europe/Prague'])).toBe('Europe/Paris');
    expect(suggest('fr-poll', ['FR-POL', 'FR-PRO', 'DE-POL'])).toBe('FR-POL');
    expect(suggest('emial', ['emails', 'phones'], { max: 2 })).toBe('emails');
  });

  it('gives nothing when every candidate is too far, and prefers the first on a tie', () => {
    expect(suggest('Mars/Olympus', ['Europe/Paris', 'Asia/Tokyo'])).toBeUndefined();
    expect(suggest('ab', ['xb', 'ay'])).toBe('xb');
    expect(suggest('anything', [])).toBeUndefined();
  });

  it('lets short words be one edit away only', () => {
    expect(suggest('NL', ['NO'])).toBe('NO');
    expect(suggest('XY', ['NO'])).toBeUndefined();
  });
});

describe('countries', () => {
  it('knows names, usual spellings and ISO codes', () => {
    for (const name of ['France', 'france', 'Turkey', 'Türkiye', 'Korea, Republic of', 'FR', 'xk']) expect(isCountry(name), name).toBe(true);
    for (const name of ['Frnace', 'Country 7', 'ZZ', '']) expect(isCountry(name), name).toBe(false);
  });

  it('suggests the country a misspelt name stands for, among all or among some', () => {
    expect(suggestCountry('Frnace')).toBe('France');
    expect(suggestCountry('Germnay')).toBe('Germany');
    expect(suggestCountry("Cote d'Ivorie")).toBe("Côte d'Ivoire");
    expect(suggestCountry('Czech Repblic')).toBe('Czech Republic');
    expect(suggestCountry('Atlantis')).toBeUndefined();
    expect(suggestCountry('Frnace', ['Germany', 'Italy'])).toBeUndefined();
  });
});
