// The value checks the validator applies: e-mail syntax and IANA time zones.
import { describe, expect, it } from 'vitest';
import { normaliseEmail, normaliseTimeZone, RENAMED_ZONES } from '../../src/directory/validate.js';

describe('e-mail addresses', () => {
  it('accepts usual and international addresses, lower-casing the domain only', () => {
    expect(normaliseEmail('poc@police.al.example')).toBe('poc@police.al.example');
    expect(normaliseEmail('Duty.Officer+247@Police.AL.example')).toBe('Duty.Officer+247@police.al.example');
    expect(normaliseEmail('x@müller.example')).toBe('x@müller.example');
    expect(normaliseEmail('x@xn--mller-kva.example')).toBe('x@xn--mller-kva.example');
  });

  it('refuses what is not an address', () => {
    for (const bad of ['poc@@police.al.example', 'poc@police', 'poc at police.al.example', '.x@a.example', 'x..y@a.example', 'x@a..example', 'x@-a.example', 'x@a.b1', '@a.example', 'x@', `${'x'.repeat(65)}@a.example`]) {
      expect(normaliseEmail(bad), bad).toBeUndefined();
    }
  });
});

describe('time zones', () => {
  it('knows renamed zones only where the engine knows both names', () => {
    const list = new Set(Intl.supportedValuesOf('timeZone'));
    for (const [current, old] of Object.entries(RENAMED_ZONES)) {
      expect(list.has(old), old).toBe(true);
      expect(() => new Intl.DateTimeFormat('en', { timeZone: current }), current).not.toThrow();
      expect(normaliseTimeZone(current)).toBe(current);
    }
  });

  it('accepts IANA names, fixes their case, refuses offsets and made-up names', () => {
    expect(normaliseTimeZone('Europe/Paris')).toBe('Europe/Paris');
    expect(normaliseTimeZone('UTC')).toBe('UTC');
    expect(normaliseTimeZone('europe/paris')).toBe('Europe/Paris');
    expect(normaliseTimeZone('+01:00')).toBeUndefined();
    expect(normaliseTimeZone('Europe/Atlantis')).toBeUndefined();
  });
});
