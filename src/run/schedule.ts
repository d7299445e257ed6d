// When a run starts: now, `--at <time>`, or an unannounced moment drawn at random in
// `--between HH:MM-HH:MM --on <date> --tz <zone>` (DST days included).
import { UsageError } from '../core/errors.js';
import type { RunPlan } from '../core/run-folder.js';
import { dateIn, instantOf, type WallTime } from '../core/time.js';
import { checkTimeZone } from '../core/zone.js';

export interface ScheduleRequest {
  at?: string;
  between?: string;
  on?: string;
  tz: string;
}

export interface Schedule {
  startAt: Date;
  /** The record kept in run.json. */
  plan: RunPlan['schedule'];
  /** For --between: the window in absolute time, the only thing the output may show before the start. */
  window?: { from: Date; to: Date };
}

const HHMM = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function parseSchedule(req: ScheduleRequest, now: Date, random: () => number): Schedule {
  const tz = checkTimeZone(req.tz);
  if (req.at !== undefined && req.between !== undefined) throw new UsageError('give either --at or --between, not both');
  if (req.on !== undefined && req.at === undefined && req.between === undefined) throw new UsageError('--on needs --between (or --at HH:MM)');
  const day = req.on !== undefined ? parseDate(req.on) : undefined;

  if (req.between !== undefined) {
    const m = /^\s*(\S+)\s*-\s*(\S+)\s*$/.exec(req.between);
    if (!m) throw new UsageError(`--between: "${req.between}" is not a window like 09:00-17:00`);
    const from = parseHHMM(m[1]!, '--between');
    const to = parseHHMM(m[2]!, '--between');
    const d = day ?? parseDate(dateIn(now, tz));
    const start = instantOf({ ...d, ...from }, tz);
    // A window ending at or before its start ends on the next day (22:00-02:00).
    const crosses = to.hour * 60 + to.minute <= from.hour * 60 + from.minute;
    const endDay = crosses ? nextDay(d) : d;
    const end = instantOf({ ...endDay, ...to }, tz);
    if (end.getTime() <= start.getTime()) throw new UsageError(`--between: the window ${req.between} is empty on ${fmtDate(d)} in ${tz}`);
    if (end.getTime() <= now.getTime()) {
      throw new UsageError(`--between: the window ${req.between} on ${fmtDate(d)} (${tz}) is already over; give --on with a later day`);
    }
    // Only what is left of a window that has begun can still be drawn from.
    const lo = Math.max(start.getTime(), now.getTime());
    const startAt = new Date(Math.floor((lo + random() * (end.getTime() - lo)) / 1000) * 1000);
    return {
      startAt: startAt.getTime() < lo ? new Date(lo) : startAt,
      plan: { kind: 'between', tz, between: req.between.trim(), on: fmtDate(d) },
      window: { from: start, to: end },
    };
  }

  if (req.at !== undefined) {
    const startAt = parseAt(req.at, tz, day, now);
    if (startAt.getTime() < now.getTime() - 60_000) {
      throw new UsageError(`--at: ${startAt.toISOString()} is in the past (now ${now.toISOString()})`);
    }
    return { startAt, plan: { kind: 'at', tz, ...(req.on ? { on: req.on } : {}) } };
  }
  return { startAt: now, plan: { kind: 'now', tz } };
}

/** `--at`: ISO 8601 with an offset or Z (absolute), a local date-time (in --tz), or HH:MM (today
 * or --on, in --tz). */
function parseAt(text: string, tz: string, day: { year: number; month: number; day: number } | undefined, now: Date): Date {
  const t = text.trim();
  const hhmm = HHMM.exec(t);
  if (hhmm) return instantOf({ ...(day ?? parseDate(dateIn(now, tz))), hour: Number(hhmm[1]), minute: Number(hhmm[2]) }, tz);
  if (day) throw new UsageError('--on goes with --at HH:MM only; put the date in --at');
  if (/(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
    const ms = Date.parse(t);
    if (!Number.isNaN(ms) && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(t)) return new Date(ms);
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (local) {
    const [, y, mo, d, h, mi, s] = local;
    const wall: WallTime = { year: Number(y), month: Number(mo), day: Number(d), hour: Number(h), minute: Number(mi), second: Number(s ?? 0) };
    checkDate(wall, `--at: "${text}"`);
    if (wall.hour > 23 || wall.minute > 59 || (wall.second ?? 0) > 59) throw new UsageError(`--at: "${text}" is not a valid time`);
    return instantOf(wall, tz);
  }
  throw new UsageError(`--at: "${text}" is not a time (use 2024-06-05T10:30:00+02:00, 2024-06-05T10:30 in --tz, or 10:30)`);
}

function parseHHMM(text: string, option: string): { hour: number; minute: number } {
  const m = HHMM.exec(text);
  if (!m) throw new UsageError(`${option}: "${text}" is not a time of day (HH:MM)`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

function parseDate(text: string): { year: number; month: number; day: number } {
  const m = DATE.exec(text.trim());
  if (!m) throw new UsageError(`--on: "${text}" is not a date (YYYY-MM-DD)`);
  const d = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  checkDate(d, `--on: "${text}"`);
  return d;
}

function checkDate(d: { year: number; month: number; day: number }, what: string): void {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  if (t.getUTCFullYear() !== d.year || t.getUTCMonth() !== d.month - 1 || t.getUTCDate() !== d.day) {
    throw new UsageError(`${what} is not a valid date`);
  }
}

function nextDay(d: { year: number; month: number; day: number }) {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + 1));
  return { year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
}

function fmtDate(d: { year: number; month: number; day: number }): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}
