// IANA time-zone names: which exist, how each is written, the nearest one to a typo, and the one
// message for a bad zone option. Intl only: the directory's validator, option checks and the
// terminal tables load this, not the zone arithmetic of time.ts (date-fns, ~25 ms at start-up).
import { UsageError } from './errors.js';
import { suggest } from './suggest.js';

/**
 * Current IANA names that the engine's list (CLDR) has under their old names. Knowing them saves
 * the first `Intl.DateTimeFormat`, which loads zone data (tens of ms at start-up); anything else
 * missing from the list still gets that check.
 */
export const RENAMED_ZONES: Readonly<Record<string, string>> = {
  'Africa/Asmara': 'Africa/Asmera',
  'America/Argentina/Buenos_Aires': 'America/Buenos_Aires',
  'America/Argentina/Catamarca': 'America/Catamarca',
  'America/Argentina/Cordoba': 'America/Cordoba',
  'America/Argentina/Jujuy': 'America/Jujuy',
  'America/Argentina/Mendoza': 'America/Mendoza',
  'America/Atikokan': 'America/Coral_Harbour',
  'America/Indiana/Indianapolis': 'America/Indianapolis',
  'America/Kentucky/Louisville': 'America/Louisville',
  'America/Nuuk': 'America/Godthab',
  'Asia/Ho_Chi_Minh': 'Asia/Saigon',
  'Asia/Kathmandu': 'Asia/Katmandu',
  'Asia/Kolkata': 'Asia/Calcutta',
  'Asia/Yangon': 'Asia/Rangoon',
  'Atlantic/Faroe': 'Atlantic/Faeroe',
  'Europe/Kyiv': 'Europe/Kiev',
  'Pacific/Chuuk': 'Pacific/Truk',
  'Pacific/Kanton': 'Pacific/Enderbury',
  'Pacific/Pohnpei': 'Pacific/Ponape',
};

let zoneList: Set<string> | undefined;
const zoneChecked = new Map<string, string | undefined>();

function zones(): Set<string> {
  return (zoneList ??= new Set(Intl.supportedValuesOf('timeZone')));
}

/** The zone as it should be written, or undefined when it is not an IANA time zone. */
export function normaliseTimeZone(zone: string): string | undefined {
  const list = zones();
  // The same zone read from many rows is kept as one string (a directory of 100,000 contact
  // points names a few dozen zones).
  const known = zoneChecked.get(zone);
  if (known !== undefined) return known;
  if (list.has(zone) || zone === 'UTC' || zone === 'Etc/UTC') {
    zoneChecked.set(zone, zone);
    return zone;
  }
  const old = RENAMED_ZONES[zone];
  if (old && list.has(old)) {
    zoneChecked.set(zone, zone);
    return zone;
  }
  // Offsets ("+01:00") are accepted by some engines but are not IANA names.
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(zone)) return undefined;
  if (zoneChecked.has(zone)) return zoneChecked.get(zone);
  let result: string | undefined;
  try {
    // Links and newer names are missing from the list but known to the engine.
    const resolved = new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone;
    result = resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  } catch {
    result = undefined;
  }
  zoneChecked.set(zone, result);
  return result;
}

/** Is this an IANA zone this Node knows? */
export function isTimeZone(zone: string): boolean {
  return normaliseTimeZone(zone) !== undefined;
}

/** The known zone nearest to a mistyped one, if one is near enough (`max` edits at most). */
export function suggestTimeZone(zone: string, max?: number): string | undefined {
  return suggest(zone, ['UTC', ...zones()], max === undefined ? {} : { max });
}

/** The zone as it should be written, or a UsageError naming the option: the one message for a
 * bad zone given on the command line or in the settings. */
export function checkTimeZone(zone: string, what = '--tz'): string {
  const normal = normaliseTimeZone(zone);
  if (normal !== undefined) return normal;
  const hint = suggestTimeZone(zone);
  throw new UsageError(`${what}: unknown time zone "${zone}" (${hint ? `did you mean ${hint}?` : 'use an IANA name such as Europe/Paris or UTC'})`);
}
