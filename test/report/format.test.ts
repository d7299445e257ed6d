import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { isoLocal } from '../../src/core/time.js';
import { createFormatter, isoUtc } from '../../src/report/format.js';
import { checkLocale } from '../../src/report/wording.js';

// Intl separates number and % with a narrow no-break space in French: compare with spaces normalised.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('locale formatting', () => {
  it('formats shares with two decimals in the locale', () => {
    expect(createFormatter('en').percent(89.71)).toBe('89.71%');
    expect(plain(createFormatter('fr').percent(89.71))).toBe('89,71 %');
    expect(plain(createFormatter('de').percent(89.71))).toBe('89,71 %');
    expect(plain(createFormatter('es').percent(5))).toBe('5,00 %');
    expect(createFormatter('en').percent(100, 0)).toBe('100%');
  });
  it('formats counts and decimals', () => {
    expect(plain(createFormatter('fr').int(1234567))).toBe('1 234 567');
    expect(createFormatter('en').int(1234567)).toBe('1,234,567');
    expect(createFormatter('de').decimal(2.5)).toBe('2,5');
  });
  it('writes dates in the given zone, day month year, 24-hour clock for bare en', () => {
    const f = createFormatter('en', 'Europe/Paris');
    expect(f.locale).toBe('en-GB');
    expect(f.date('2023-06-07T22:30:00Z')).toBe('8 June 2023'); // already the 8th in Paris
    expect(f.date('2023-06-07T22:30:00Z', 'UTC')).toBe('7 June 2023');
    expect(f.time('2023-06-07T07:30:00Z')).toBe('09:30');
    expect(createFormatter('fr', 'UTC').date('2023-06-07T07:30:00Z')).toBe('7 juin 2023');
    expect(createFormatter('de', 'UTC').date('2023-06-07T07:30:00Z')).toBe('7. Juni 2023');
  });
  it('names UTC offsets with a real minus sign', () => {
    const f = createFormatter('en');
    expect(f.offset('2023-06-07T07:30:00Z', 'Europe/Paris')).toBe('UTC+2');
    expect(f.offset('2023-06-07T07:30:00Z', 'America/New_York')).toBe('UTC\u22124');
    expect(f.offset('2023-06-07T07:30:00Z', 'Asia/Kolkata')).toBe('UTC+5:30');
    expect(f.offset('2023-06-07T07:30:00Z', 'Africa/Dakar')).toBe('UTC');
  });
  it('writes durations in the 2023 style, with the language’s spacing', () => {
    expect(createFormatter('en').duration(97 * 60)).toBe('1h 37 min');
    expect(createFormatter('fr').duration(97 * 60)).toBe('1 h 37 min');
    expect(createFormatter('fr').duration(6 * 60 + 20)).toBe('6 min');
    expect(createFormatter('fr').duration(45)).toBe('45 s');
    expect(createFormatter('fr').duration(null)).toBe('—');
    // A locale without a catalogue keeps the English wording (and its own number format).
    expect(createFormatter('de').duration(97 * 60)).toBe('1h 37 min');
  });
  it('words thresholds with plural rules', () => {
    const en = createFormatter('en');
    const fr = createFormatter('fr');
    expect([1, 60, 900, 3600, 5400, 43200].map((s) => en.threshold(s))).toEqual(['1 second', '1 minute', '15 minutes', '1 hour', '1h 30 min', '12 hours']);
    expect([1, 60, 900, 3600, 5400, 86400].map((s) => fr.threshold(s))).toEqual(['1 seconde', '1 minute', '15 minutes', '1 heure', '1 h 30 min', '24 heures']);
  });
  it('rejects unknown zones and malformed locales as usage errors', () => {
    expect(() => createFormatter('en', 'Europe/Strasbourg')).toThrow(UsageError);
    expect(() => createFormatter('en', 'Europe/Strasbourg')).toThrow(/--tz: unknown time zone "Europe\/Strasbourg"/);
    expect(() => checkLocale('not a locale!')).toThrow(/--locale/);
  });
  it('writes UTC timestamps with Z and local ones with their offset', () => {
    expect(isoUtc('2023-06-07T10:23:21+02:00')).toBe('2023-06-07T08:23:21Z');
    expect(isoUtc('2023-06-07T08:23:21.250Z')).toBe('2023-06-07T08:23:21.250Z');
    expect(isoLocal(new Date('2023-06-07T08:00:43Z'), 'America/Toronto')).toBe('2023-06-07T04:00:43-04:00');
    expect(isoLocal(new Date('2023-06-07T08:00:43Z'), 'Africa/Accra')).toBe('2023-06-07T08:00:43Z');
    expect(isoLocal(new Date('2023-06-07T23:00:00Z'), 'Pacific/Tongatapu')).toBe('2023-06-08T12:00:00+13:00');
  });
  it('names periods of the day for anonymized reports', () => {
    const en = createFormatter('en');
    expect([0, 5, 6, 11, 12, 17, 18, 23].map((h) => en.periodOfDay(h))).toEqual([
      'night (00–06)', 'night (00–06)', 'morning (06–12)', 'morning (06–12)', 'afternoon (12–18)', 'afternoon (12–18)', 'evening (18–24)', 'evening (18–24)',
    ]);
  });
});
