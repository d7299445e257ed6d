// Hand-built statistics for the report tests: 68 Parties whose figures are the 2023 table
// (24/6 min, 35/11 min, 42/17 min, 59/1h 11 min, 61 = 89.71 %/1h 37 min), with a late answer,
// automatic-only and silent countries, directory findings and a manual correction. The buckets are
// computed here from the countries so that the fixture is consistent with itself.
import type { SourceMeta } from '../../src/stats/source.js';
import type { BucketStat, CountryResult, Finding, Stats } from '../../src/stats/types.js';
import { shortDuration } from '../../src/core/duration.js';

export const SENT_AT = '2023-06-07T07:30:00Z';
export const DEFAULT_BUCKETS = [900, 1800, 3600, 43200, 86400];

// [name, ISO, IANA zone]
const PARTIES: Array<[string, string, string]> = [
  ['Albania', 'AL', 'Europe/Tirane'], ['Andorra', 'AD', 'Europe/Andorra'], ['Argentina', 'AR', 'America/Argentina/Buenos_Aires'],
  ['Armenia', 'AM', 'Asia/Yerevan'], ['Australia', 'AU', 'Australia/Sydney'], ['Austria', 'AT', 'Europe/Vienna'],
  ['Azerbaijan', 'AZ', 'Asia/Baku'], ['Belgium', 'BE', 'Europe/Brussels'], ['Bosnia and Herzegovina', 'BA', 'Europe/Sarajevo'],
  ['Brazil', 'BR', 'America/Sao_Paulo'], ['Bulgaria', 'BG', 'Europe/Sofia'], ['Cabo Verde', 'CV', 'Atlantic/Cape_Verde'],
  ['Canada', 'CA', 'America/Toronto'], ['Chile', 'CL', 'America/Santiago'], ['Colombia', 'CO', 'America/Bogota'],
  ['Costa Rica', 'CR', 'America/Costa_Rica'], ['Croatia', 'HR', 'Europe/Zagreb'], ['Cyprus', 'CY', 'Asia/Nicosia'],
  ['Czech Republic', 'CZ', 'Europe/Prague'], ['Denmark', 'DK', 'Europe/Copenhagen'], ['Dominican Republic', 'DO', 'America/Santo_Domingo'],
  ['Estonia', 'EE', 'Europe/Tallinn'], ['Finland', 'FI', 'Europe/Helsinki'], ['France', 'FR', 'Europe/Paris'],
  ['Georgia', 'GE', 'Asia/Tbilisi'], ['Germany', 'DE', 'Europe/Berlin'], ['Ghana', 'GH', 'Africa/Accra'],
  ['Greece', 'GR', 'Europe/Athens'], ['Hungary', 'HU', 'Europe/Budapest'], ['Iceland', 'IS', 'Atlantic/Reykjavik'],
  ['Israel', 'IL', 'Asia/Jerusalem'], ['Italy', 'IT', 'Europe/Rome'], ['Japan', 'JP', 'Asia/Tokyo'],
  ['Latvia', 'LV', 'Europe/Riga'], ['Liechtenstein', 'LI', 'Europe/Vaduz'], ['Lithuania', 'LT', 'Europe/Vilnius'],
  ['Luxembourg', 'LU', 'Europe/Luxembourg'], ['Malta', 'MT', 'Europe/Malta'], ['Mauritius', 'MU', 'Indian/Mauritius'],
  ['Moldova', 'MD', 'Europe/Chisinau'], ['Monaco', 'MC', 'Europe/Monaco'], ['Montenegro', 'ME', 'Europe/Podgorica'],
  ['Morocco', 'MA', 'Africa/Casablanca'], ['Netherlands', 'NL', 'Europe/Amsterdam'], ['Nigeria', 'NG', 'Africa/Lagos'],
  ['North Macedonia', 'MK', 'Europe/Skopje'], ['Norway', 'NO', 'Europe/Oslo'], ['Panama', 'PA', 'America/Panama'],
  ['Paraguay', 'PY', 'America/Asuncion'], ['Peru', 'PE', 'America/Lima'], ['Philippines', 'PH', 'Asia/Manila'],
  ['Poland', 'PL', 'Europe/Warsaw'], ['Portugal', 'PT', 'Europe/Lisbon'], ['Romania', 'RO', 'Europe/Bucharest'],
  ['San Marino', 'SM', 'Europe/San_Marino'], ['Senegal', 'SN', 'Africa/Dakar'], ['Serbia', 'RS', 'Europe/Belgrade'],
  ['Slovakia', 'SK', 'Europe/Bratislava'], ['Slovenia', 'SI', 'Europe/Ljubljana'], ['Spain', 'ES', 'Europe/Madrid'],
  ['Sri Lanka', 'LK', 'Asia/Colombo'], ['Sweden', 'SE', 'Europe/Stockholm'], ['Switzerland', 'CH', 'Europe/Zurich'],
  ['Tonga', 'TO', 'Pacific/Tongatapu'], ['Türkiye', 'TR', 'Europe/Istanbul'], ['Ukraine', 'UA', 'Europe/Kyiv'],
  ['United Kingdom', 'GB', 'Europe/London'], ['United States of America', 'US', 'America/New_York'],
];

// Response times in seconds: 61 within 24 h (one at exactly 15:00, one at exactly 30:00).
const MIN = 60;
const ANSWERED = [
  45, 2 * MIN, 2 * MIN, 3 * MIN, 3 * MIN, 4 * MIN, 4 * MIN, 4 * MIN, 5 * MIN, 5 * MIN, 5 * MIN, 6 * MIN, 6 * MIN, 6 * MIN,
  7 * MIN, 7 * MIN, 8 * MIN, 8 * MIN, 9 * MIN, 9 * MIN, 10 * MIN, 11 * MIN, 12 * MIN, 15 * MIN,
  16 * MIN, 18 * MIN, 19 * MIN, 20 * MIN, 21 * MIN, 22 * MIN, 24 * MIN, 25 * MIN, 27 * MIN, 28 * MIN, 30 * MIN,
  33 * MIN, 38 * MIN, 43 * MIN, 47 * MIN, 52 * MIN, 56 * MIN, 59 * MIN,
  65, 70, 75, 80, 90, 100, 110, 120, 140, 160, 180, 210, 240, 300, 400, 500, 608].map((x, i) => (i >= 42 ? x * MIN : x));
ANSWERED.push(790 * MIN, 938 * MIN);

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function bucketsFor(countries: CountryResult[], population: number, thresholds = DEFAULT_BUCKETS): BucketStat[] {
  return thresholds.map((t) => {
    const xs = countries.filter((c) => c.outcome === 'answered' && c.responseSeconds !== null && c.responseSeconds <= t).map((c) => c.responseSeconds!);
    return {
      threshold: shortDuration(t),
      thresholdSeconds: t,
      responded: xs.length,
      share: Math.floor((2 * xs.length * 10000 + population) / (2 * population)) / 100,
      averageSeconds: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null,
      medianSeconds: median(xs),
    };
  });
}

const at = (base: string, seconds: number) => new Date(Date.parse(base) + seconds * 1000).toISOString();

export interface SampleOptions {
  /** Shift every response time by this factor (an "earlier year"). */
  factor?: number;
  /** Number of countries (taken from the start of the answered list) that answer: the rest go silent. */
  answered?: number;
  sentAt?: string;
}

/** The 2023-like statistics. Countries are assigned response times in a fixed shuffled order. */
export function sampleStats(opts: SampleOptions = {}): Stats {
  const sentAt = opts.sentAt ?? SENT_AT;
  const factor = opts.factor ?? 1;
  // A fixed permutation so that fast answers are not alphabetical.
  const order = PARTIES.map((p, i) => ({ p, k: (i * 37 + 11) % PARTIES.length })).sort((a, b) => a.k - b.k).map((x) => x.p);
  const times = ANSWERED.slice(0, opts.answered ?? ANSWERED.length).map((t) => Math.round(t * factor));
  const countries: CountryResult[] = order.map(([country, iso, timezone], i) => {
    const base = { country, iso, status: 'party' as const, timezone, contactId: `${iso}-POL`, sentAt };
    if (i < times.length) {
      const t = times[i]!;
      const channel = i % 11 === 3 ? ('sms' as const) : i % 17 === 5 ? ('voice' as const) : ('email' as const);
      return { ...base, outcome: 'answered' as const, responseSeconds: t, channel, answeredAt: at(sentAt, t) };
    }
    const j = i - times.length;
    if (j === 0) return { ...base, outcome: 'late' as const, responseSeconds: 25 * 3600 + 10 * 60, channel: 'email' as const, answeredAt: at(sentAt, 25 * 3600 + 600) };
    if (j <= 2) return { ...base, outcome: 'automatic-only' as const, responseSeconds: null };
    return { ...base, outcome: 'silent' as const, responseSeconds: null };
  });
  countries.sort((a, b) => (a.responseSeconds ?? Infinity) - (b.responseSeconds ?? Infinity) || a.country.localeCompare(b.country));
  const by = (o: CountryResult['outcome']) => countries.filter((c) => c.outcome === o);
  const silent = by('silent');
  const auto = by('automatic-only');
  const findings: Finding[] = [
    {
      country: silent[0]!.country,
      iso: silent[0]!.iso!,
      contactId: `${silent[0]!.iso}-PRO`,
      channel: 'email',
      address: `duty@prosecution.${silent[0]!.iso!.toLowerCase()}.example`,
      status: 'failed',
      detail: `550 5.1.1 <duty@prosecution.${silent[0]!.iso!.toLowerCase()}.example>: Recipient address rejected: User unknown in virtual mailbox table`,
      at: at(sentAt, 4),
    },
    {
      country: auto[0]!.country,
      iso: auto[0]!.iso!,
      contactId: auto[0]!.contactId!,
      channel: 'email',
      address: `poc@police.${auto[0]!.iso!.toLowerCase()}.example`,
      status: 'delayed',
      detail: '451 4.7.1 Greylisted, please try again in 300 seconds',
      at: at(sentAt, 2),
    },
    {
      country: silent[1]!.country,
      iso: silent[1]!.iso!,
      contactId: silent[1]!.contactId!,
      channel: 'sms',
      address: '+15555550123',
      status: 'failed',
      detail: "Twilio 21211: The 'To' number +15555550123 is not a valid phone number.",
      at: at(sentAt, 1),
    },
  ];
  const byChannel: Stats['byChannel'] = {};
  for (const c of by('answered')) byChannel[c.channel!] = (byChannel[c.channel!] ?? 0) + 1;
  return {
    population: countries.length,
    buckets: bucketsFor(countries, countries.length),
    late: by('late'),
    automaticOnly: auto,
    unreachable: by('unreachable'),
    silent,
    findings,
    countries,
    overrides: [
      { at: '2023-06-07T10:02:00Z', contactId: countries[30]!.contactId!, as: 'reply', note: `Answered by phone to the secretariat, confirmed by ${countries[30]!.country}` },
    ],
    byChannel,
  };
}

export function sampleMeta(over: Partial<SourceMeta> = {}): SourceMeta {
  return {
    kind: 'run',
    path: 'runs/2023-06-07T0730Z-demo',
    runId: '2023-06-07T0730Z-demo',
    network: '24/7 Network (Budapest Convention)',
    startedAt: SENT_AT,
    endedAt: at(SENT_AT, 86400),
    channels: ['email', 'sms', 'voice'],
    bucketSeconds: DEFAULT_BUCKETS,
    windowSeconds: 86400,
    tz: 'Europe/Paris',
    ...over,
  };
}
