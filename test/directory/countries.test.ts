// The ISO 3166-1 table: every code exists, and the names in use in the network match their codes.
import { describe, expect, it } from 'vitest';
import { countryCodes, countryMatches, countryName, isoForCountry } from '../../src/directory/countries.js';

describe('ISO 3166-1 alpha-2 table', () => {
  it('has the 249 assigned codes plus XK, each one a region the engine knows', () => {
    const codes = countryCodes();
    expect(codes).toHaveLength(250);
    expect(new Set(codes).size).toBe(250);
    const regions = new Intl.DisplayNames('en', { type: 'region' });
    for (const code of codes) expect(regions.of(code), code).not.toBe(code);
  });

  it('matches the usual spellings', () => {
    const cases: [string, string][] = [
      ['TR', 'Türkiye'],
      ['TR', 'Turkiye'],
      ['TR', 'Turkey'],
      ['CZ', 'Czech Republic'],
      ['CZ', 'Czechia'],
      ['US', 'United States of America'],
      ['US', 'USA'],
      ['KR', 'Republic of Korea'],
      ['KR', 'Korea, Republic of'],
      ['CI', "Côte d'Ivoire"],
      ['CI', 'Cote d’Ivoire'],
      ['CI', 'Ivory Coast'],
      ['XK', 'Kosovo'],
      ['CV', 'Cape Verde'],
      ['MK', 'North Macedonia'],
      ['NL', 'the Netherlands'],
      ['BA', 'Bosnia & Herzegovina'],
      ['GB', 'United Kingdom'],
      ['MD', 'Republic of Moldova'],
      ['LC', 'St. Lucia'],
      ['CD', 'Congo, Democratic Republic of the'],
    ];
    for (const [iso, name] of cases) {
      expect(countryMatches(iso, name), `${iso} ${name}`).toBe(true);
      expect(isoForCountry(name), name).toBe(iso);
    }
  });

  it('does not match other countries, and knows no made-up code', () => {
    expect(countryMatches('AT', 'Australia')).toBe(false);
    expect(countryMatches('KR', "Democratic People's Republic of Korea")).toBe(false);
    expect(countryMatches('CG', 'Democratic Republic of the Congo')).toBe(false);
    expect(countryName('QQ')).toBeUndefined();
    expect(countryName('xk')).toBe('Kosovo');
    expect(isoForCountry('Atlantis')).toBeUndefined();
  });
});
