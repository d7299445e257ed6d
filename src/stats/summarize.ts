// From per-contact tallies and a population to the figures (docs/measurement.md): response time
// of a country = the shortest of its contact points; cumulative inclusive buckets; share of the
// population with two decimals, half up; mean and median; the outcome of each country (answered,
// late, automatic only, unreachable, silent).
import type { ContactPoint, PartyStatus } from '../core/directory.js';
import { shortDuration } from '../core/duration.js';
import { AUTOMATIC_BITS, kindsOf, type ContactTally, type ResponseTally } from './tally.js';
import type { BucketStat, CountryOutcome, CountryResult, Finding, GroupStats, OverrideSummary } from './types.js';

/**
 * Exactly one outcome per country: answered (an acknowledgement within the last threshold), late
 * (one after it), automatic only (an auto-reply or read receipt, no person), unreachable (every
 * address of every contact point tested failed for good), silent (nothing came back). A bounce
 * is never an automatic answer; a country with a failed and a working address keeps its outcome
 * (the failed address is a directory finding).
 */
export function countryOutcome(responseMs: number | undefined, lastThresholdMs: number, received: number, everyAddressFailed: boolean): CountryOutcome {
  if (responseMs !== undefined) return responseMs <= lastThresholdMs ? 'answered' : 'late';
  if (received & AUTOMATIC_BITS) return 'automatic-only';
  return everyAddressFailed ? 'unreachable' : 'silent';
}

/** One country of the population. */
export interface PopulationMember {
  /** Its key in the tally (reply log: the country as written; events: the ISO code). */
  key: string;
  country: string;
  iso?: string;
  status?: PartyStatus;
  /** Its contact points in the directory, when there is one (time zone, kind, addresses). */
  contacts?: ContactPoint[];
}

/** Alphabetical order of country names, accents folded (Åland with A, Türkiye with T). Not
 * localeCompare: creating an ICU collator costs 20-50 ms, a tenth of the start-up budget. */
export function compareNames(a: string, b: string): number {
  const x = sortKey(a);
  const y = sortKey(b);
  return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
}

function sortKey(name: string): string {
  // eslint-disable-next-line no-control-regex
  const plain = /^[\x00-\x7f]*$/.test(name) ? name : name.normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  return plain.toLowerCase();
}

/** Percent of the population, two decimals, rounded half up in integer arithmetic: 61/68 → 89.71. */
export function shareHalfUp(responded: number, population: number): number {
  if (population <= 0) return 0;
  return Math.floor((responded * 20000 + population) / (2 * population)) / 100;
}

/** Median of the first n values of an ascending array (mean of the two middle ones when n is
 * even, rounded half up to the unit). */
export function medianOf(sorted: readonly number[], n: number = sorted.length): number | null {
  if (n <= 0) return null;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** The bucket table from the countries' response times (ms, ascending): per threshold the
 * countries with a response time ≤ threshold, their share, mean and median (seconds, ms precision). */
export function bucketStats(sortedMs: readonly number[], population: number, bucketSeconds: readonly number[]): BucketStat[] {
  const buckets: BucketStat[] = [];
  let n = 0;
  let sum = 0;
  for (const seconds of bucketSeconds) {
    const limit = seconds * 1000;
    while (n < sortedMs.length && sortedMs[n]! <= limit) sum += sortedMs[n++]!;
    buckets.push({
      threshold: shortDuration(seconds),
      thresholdSeconds: seconds,
      responded: n,
      share: shareHalfUp(n, population),
      averageSeconds: n ? Math.round(sum / n) / 1000 : null,
      medianSeconds: n ? medianOf(sortedMs, n)! / 1000 : null,
    });
  }
  return buckets;
}

export interface SummarizeOptions {
  bucketSeconds: readonly number[];
  /** Count only these contact points (a split by kind). */
  contactFilter?: (member: PopulationMember, contactId: string) => boolean;
  findings?: Finding[];
  overrides?: OverrideSummary[];
}

/** Every figure of one group of countries. */
export function summarize(tally: ResponseTally, population: readonly PopulationMember[], opts: SummarizeOptions): GroupStats {
  const lastMs = (opts.bucketSeconds[opts.bucketSeconds.length - 1] ?? Infinity) * 1000;
  const results: Array<{ result: CountryResult; ms: number | undefined }> = [];
  for (const member of population) {
    const contacts = tally.countries.get(member.key)?.contacts;
    let best: ContactTally | undefined;
    let received = 0;
    let tested = 0;
    let unreachable = 0;
    if (contacts) {
      for (const c of contacts.values()) {
        if (opts.contactFilter && !opts.contactFilter(member, c.contactId)) continue;
        received |= c.received;
        tested++;
        if (c.unreachable) unreachable++;
        const ms = c.responseMs;
        if (ms === undefined) continue;
        const bestMs = best?.responseMs;
        if (bestMs === undefined || ms < bestMs || (ms === bestMs && c.contactId < best!.contactId)) best = c;
      }
    }
    const ms = best?.responseMs;
    const outcome = countryOutcome(ms, lastMs, received, tested > 0 && unreachable === tested);
    const result: CountryResult = {
      country: member.country,
      ...(member.iso ? { iso: member.iso } : {}),
      ...(member.status ? { status: member.status } : {}),
      outcome,
      responseSeconds: ms === undefined ? null : ms / 1000,
    };
    if (best) {
      result.contactId = best.contactId;
      result.channel = best.ackChannel!;
      result.sentAt = new Date(best.ackSentMs).toISOString();
      result.answeredAt = new Date(best.ackArrivedMs).toISOString();
      if (best.ackFolder && best.ackFolder.toUpperCase() !== 'INBOX') result.folder = best.ackFolder;
      if (best.ackHandEntered) result.handEntered = { ...best.ackHandEntered };
      if (best.ackAuthenticity) result.authenticity = best.ackAuthenticity;
    }
    const zone = (best && member.contacts?.find((c) => c.id === best.contactId)?.timezone) ?? member.contacts?.[0]?.timezone;
    if (zone) result.timezone = zone;
    if (received) result.received = kindsOf(received);
    results.push({ result, ms });
  }
  results.sort((a, b) => {
    if (a.ms !== b.ms) {
      if (a.ms === undefined) return 1;
      if (b.ms === undefined) return -1;
      return a.ms - b.ms;
    }
    return compareNames(a.result.country, b.result.country);
  });

  const answeredMs: number[] = [];
  const byChannel: GroupStats['byChannel'] = {};
  for (const { result, ms } of results) {
    if (result.outcome !== 'answered') continue;
    answeredMs.push(ms!);
    byChannel[result.channel!] = (byChannel[result.channel!] ?? 0) + 1;
  }
  const countries = results.map((r) => r.result);
  const having = (o: CountryResult['outcome']) => countries.filter((c) => c.outcome === o);
  return {
    population: population.length,
    buckets: bucketStats(answeredMs, population.length, opts.bucketSeconds),
    late: having('late'),
    automaticOnly: having('automatic-only'),
    unreachable: having('unreachable'),
    silent: having('silent'),
    findings: opts.findings ?? [],
    countries,
    overrides: opts.overrides ?? [],
    byChannel,
  };
}
