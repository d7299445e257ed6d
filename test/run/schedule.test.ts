// When a run starts: wall times in IANA zones (DST days included), --at, --between drawn at random
// within its window.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { mulberry32 } from '../../src/core/random.js';
import { parseSchedule } from '../../src/run/schedule.js';
import { instantOf, offsetAt, wallTimeAt } from '../../src/core/time.js';

const iso = (d: Date) => d.toISOString();

describe('wall times in a zone', () => {
  it('converts ordinary times both ways', () => {
    expect(iso(instantOf({ year: 2024, month: 6, day: 5, hour: 9, minute: 30 }, 'Europe/Paris'))).toBe('2024-06-05T07:30:00.000Z');
    expect(iso(instantOf({ year: 2024, month: 1, day: 15, hour: 9, minute: 30 }, 'Europe/Paris'))).toBe('2024-01-15T08:30:00.000Z');
    expect(iso(instantOf({ year: 2024, month: 6, day: 5, hour: 9, minute: 30 }, 'America/New_York'))).toBe('2024-06-05T13:30:00.000Z');
    expect(iso(instantOf({ year: 2024, month: 12, day: 5, hour: 9, minute: 30 }, 'America/New_York'))).toBe('2024-12-05T14:30:00.000Z');
    expect(iso(instantOf({ year: 2024, month: 6, day: 5, hour: 9, minute: 30 }, 'Asia/Kolkata'))).toBe('2024-06-05T04:00:00.000Z');
    expect(wallTimeAt(new Date('2024-06-05T07:30:00Z'), 'Europe/Paris')).toMatchObject({ hour: 9, minute: 30 });
    expect(offsetAt(new Date('2024-06-05T07:30:00Z'), 'Europe/Paris')).toBe(2 * 3600_000);
  });

  it('moves a time that does not exist (clocks go forward) by the gap', () => {
    // Paris, 2024-03-31: 02:00 CET becomes 03:00 CEST.
    expect(iso(instantOf({ year: 2024, month: 3, day: 31, hour: 2, minute: 30 }, 'Europe/Paris'))).toBe('2024-03-31T01:30:00.000Z');
    expect(wallTimeAt(new Date('2024-03-31T01:30:00Z'), 'Europe/Paris')).toMatchObject({ hour: 3, minute: 30 });
    expect(iso(instantOf({ year: 2024, month: 3, day: 31, hour: 1, minute: 59 }, 'Europe/Paris'))).toBe('2024-03-31T00:59:00.000Z');
    expect(iso(instantOf({ year: 2024, month: 3, day: 31, hour: 3, minute: 0 }, 'Europe/Paris'))).toBe('2024-03-31T01:00:00.000Z');
    // New York, 2024-03-10: 02:00 EST becomes 03:00 EDT.
    expect(iso(instantOf({ year: 2024, month: 3, day: 10, hour: 2, minute: 15 }, 'America/New_York'))).toBe('2024-03-10T07:15:00.000Z');
  });

  it('takes the first of a time that occurs twice (clocks go back)', () => {
    // Paris, 2024-10-27: 02:30 happens at 00:30Z (CEST) and again at 01:30Z (CET).
    expect(iso(instantOf({ year: 2024, month: 10, day: 27, hour: 2, minute: 30 }, 'Europe/Paris'))).toBe('2024-10-27T00:30:00.000Z');
    expect(iso(instantOf({ year: 2024, month: 10, day: 27, hour: 3, minute: 30 }, 'Europe/Paris'))).toBe('2024-10-27T02:30:00.000Z');
    // New York, 2024-11-03: 01:30 EDT (05:30Z) then 01:30 EST (06:30Z).
    expect(iso(instantOf({ year: 2024, month: 11, day: 3, hour: 1, minute: 30 }, 'America/New_York'))).toBe('2024-11-03T05:30:00.000Z');
  });
});

describe('parseSchedule', () => {
  const now = new Date('2024-06-01T12:00:00Z');

  it('starts now without --at or --between', () => {
    const s = parseSchedule({ tz: 'UTC' }, now, Math.random);
    expect(s.startAt).toEqual(now);
    expect(s.plan).toEqual({ kind: 'now', tz: 'UTC' });
  });

  it('reads --at as ISO with offset, local date-time in --tz, or HH:MM on --on', () => {
    expect(iso(parseSchedule({ at: '2024-06-05T10:30:00+02:00', tz: 'UTC' }, now, Math.random).startAt)).toBe('2024-06-05T08:30:00.000Z');
    expect(iso(parseSchedule({ at: '2024-06-05T10:30', tz: 'America/New_York' }, now, Math.random).startAt)).toBe('2024-06-05T14:30:00.000Z');
    expect(iso(parseSchedule({ at: '10:30', on: '2024-06-05', tz: 'Europe/Paris' }, now, Math.random).startAt)).toBe('2024-06-05T08:30:00.000Z');
    // HH:MM without --on: today in the zone (2024-06-01).
    expect(iso(parseSchedule({ at: '23:00', tz: 'Europe/Paris' }, now, Math.random).startAt)).toBe('2024-06-01T21:00:00.000Z');
  });

  it('refuses bad input with the option named', () => {
    const bad: Array<[Parameters<typeof parseSchedule>[0], RegExp]> = [
      [{ at: 'tomorrow', tz: 'UTC' }, /--at: "tomorrow"/],
      [{ at: '2024-05-01T10:00:00Z', tz: 'UTC' }, /--at: .* is in the past/],
      [{ at: '10:00', between: '09:00-17:00', tz: 'UTC' }, /either --at or --between/],
      [{ between: '9-17', tz: 'UTC' }, /--between: "9" is not a time of day/],
      [{ between: 'morning', tz: 'UTC' }, /--between: "morning" is not a window/],
      [{ between: '09:00-17:00', on: '2024-02-30', tz: 'UTC' }, /--on: "2024-02-30" is not a valid date/],
      [{ between: '09:00-17:00', on: '2024-05-01', tz: 'UTC' }, /already over/],
      [{ between: '09:00-17:00', tz: 'Mars/Olympus' }, /--tz: unknown time zone "Mars\/Olympus"/],
      [{ on: '2024-06-05', tz: 'UTC' }, /--on needs --between/],
    ];
    for (const [req, message] of bad) {
      expect(() => parseSchedule(req, now, Math.random), JSON.stringify(req)).toThrow(UsageError);
      expect(() => parseSchedule(req, now, Math.random), JSON.stringify(req)).toThrow(message);
    }
  });

  it('draws --between uniformly within the window, on whole seconds, and records how', () => {
    const random = mulberry32(42);
    const starts: number[] = [];
    for (let i = 0; i < 2000; i++) {
      const s = parseSchedule({ between: '09:00-17:00', on: '2024-06-05', tz: 'Europe/Paris' }, now, random);
      starts.push(s.startAt.getTime());
      expect(s.window).toEqual({ from: new Date('2024-06-05T07:00:00Z'), to: new Date('2024-06-05T15:00:00Z') });
      expect(s.plan).toEqual({ kind: 'between', tz: 'Europe/Paris', between: '09:00-17:00', on: '2024-06-05' });
    }
    const lo = Date.parse('2024-06-05T07:00:00Z');
    const hi = Date.parse('2024-06-05T15:00:00Z');
    for (const t of starts) {
      expect(t).toBeGreaterThanOrEqual(lo);
      expect(t).toBeLessThan(hi);
      expect(t % 1000).toBe(0);
    }
    // Spread over the whole window: every hour of it drawn, none much more than another.
    const perHour = new Array(8).fill(0);
    for (const t of starts) perHour[Math.floor((t - lo) / 3600_000)]++;
    for (const n of perHour) expect(n).toBeGreaterThan(180);
    expect(new Set(starts).size).toBeGreaterThan(1900);
  });

  it('counts a window across a DST change in real time', () => {
    // Paris, 2024-03-31, 01:00-04:00 local is two real hours (00:00Z-02:00Z).
    const spring = parseSchedule({ between: '01:00-04:00', on: '2024-03-31', tz: 'Europe/Paris' }, new Date('2024-03-01T00:00:00Z'), () => 0.999999);
    expect(spring.window).toEqual({ from: new Date('2024-03-31T00:00:00Z'), to: new Date('2024-03-31T02:00:00Z') });
    expect(spring.startAt.getTime()).toBeLessThan(Date.parse('2024-03-31T02:00:00Z'));
    // Paris, 2024-10-27, 01:00-04:00 local is four real hours (23:00Z-03:00Z).
    const autumn = parseSchedule({ between: '01:00-04:00', on: '2024-10-27', tz: 'Europe/Paris' }, new Date('2024-10-01T00:00:00Z'), () => 0);
    expect(autumn.window).toEqual({ from: new Date('2024-10-26T23:00:00Z'), to: new Date('2024-10-27T03:00:00Z') });
    expect(autumn.startAt).toEqual(new Date('2024-10-26T23:00:00Z'));
    // New York's spring day.
    const ny = parseSchedule({ between: '00:00-06:00', on: '2024-03-10', tz: 'America/New_York' }, new Date('2024-03-01T00:00:00Z'), () => 0.5);
    expect(ny.window).toEqual({ from: new Date('2024-03-10T05:00:00Z'), to: new Date('2024-03-10T10:00:00Z') });
    expect(ny.startAt).toEqual(new Date('2024-03-10T07:30:00Z'));
  });

  it('crosses midnight when the window ends before it starts, and draws only from what is left of a window under way', () => {
    const night = parseSchedule({ between: '22:00-02:00', on: '2024-06-05', tz: 'UTC' }, now, () => 0.75);
    expect(night.window).toEqual({ from: new Date('2024-06-05T22:00:00Z'), to: new Date('2024-06-06T02:00:00Z') });
    expect(night.startAt).toEqual(new Date('2024-06-06T01:00:00Z'));
    const begun = parseSchedule({ between: '10:00-14:00', tz: 'UTC' }, now, () => 0);
    expect(begun.startAt).toEqual(now);
    const begun2 = parseSchedule({ between: '10:00-14:00', tz: 'UTC' }, now, () => 0.5);
    expect(begun2.startAt).toEqual(new Date('2024-06-01T13:00:00Z'));
  });
});
