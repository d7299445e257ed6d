import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, suggest } from '../../src/core/suggest.js';

describe('did you mean', () => {
  it('counts a swap of two neighbours as one edit', () => {
    expect(editDistance('pairs', 'paris')).toBe(1);
    expect(editDistance('europe/pariss', 'europe/paris')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });
  it('suggests the nearest known name, whatever its case', () => {
    const zones = ['UTC', ...Intl.supportedValuesOf('timeZone')];
    expect(suggest('Europe/Pariss', zones)).toBe('Europe/Paris');
    expect(suggest('europe/tirana', zones)).toBe('Europe/Tirane');
    expect(suggest('FR-POLL', ['AL-POL', 'FR-POL', 'FR-PRO'])).toBe('FR-POL');
    expect(suggest('tokne', ['token', 'network', 'unit'])).toBe('token');
  });
  it('suggests nothing for a different word', () => {
    expect(suggest('Mars/Olympus', ['UTC', ...Intl.supportedValuesOf('timeZone')])).toBeUndefined();
    expect(suggest('XY', ['AL-POL', 'FR-POL'])).toBeUndefined();
    expect(didYouMean('zzz', ['token'])).toBe('');
    expect(didYouMean('tokn', ['token'])).toBe(' (did you mean token?)');
  });
});
