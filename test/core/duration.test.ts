import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, shortDuration, thresholdLabel } from '../../src/core/duration.js';

describe('durations', () => {
  it('writes response times as the 2023 report does, half up', () => {
    expect(formatDuration(6 * 60)).toBe('6 min');
    expect(formatDuration(71 * 60 + 29)).toBe('1h 11 min');
    expect(formatDuration(71 * 60 + 30)).toBe('1h 12 min');
    expect(formatDuration(97 * 60)).toBe('1h 37 min');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(59.4)).toBe('59 s');
    expect(formatDuration(89)).toBe('1 min');
    expect(formatDuration(90)).toBe('2 min');
    expect(formatDuration(120 * 60)).toBe('2h');
  });
  it('parses thresholds and windows', () => {
    expect(parseDuration('15m')).toBe(900);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('24h')).toBe(86400);
    expect(parseDuration('90s')).toBe(90);
    expect(parseDuration('15')).toBeUndefined();
    expect(parseDuration('0m')).toBeUndefined();
    expect(parseDuration('abc')).toBeUndefined();
  });
  it('names thresholds', () => {
    expect(shortDuration(900)).toBe('15m');
    expect(shortDuration(5400)).toBe('1h30m');
    expect(thresholdLabel(900)).toBe('15 minutes');
    expect(thresholdLabel(3600)).toBe('1 hour');
    expect(thresholdLabel(43200)).toBe('12 hours');
  });
});
