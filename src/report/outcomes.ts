// A bounce is never an automatic answer (DESIGN.md section 1). Statistics from before the
// `unreachable` outcome listed a country whose only messages were delivery failures or delay
// notices as "automatic only"; every report shows such a country as not having answered instead.
import type { CountryResult, GroupStats, Stats } from '../stats/types.js';

/** The kinds of message that make an automatic answer: an auto-reply or a read receipt. */
export function automaticKinds(received: readonly string[] | undefined): string[] {
  return (received ?? []).filter((k) => k === 'auto-reply' || k === 'read-receipt');
}

/** Listed as automatic-only, and what it sent is known and holds no automatic answer. */
function bounceOnly(c: CountryResult): boolean {
  return c.outcome === 'automatic-only' && c.received !== undefined && automaticKinds(c.received).length === 0;
}

/** The same statistics with every bounce-only "automatic" country moved to the silent ones. */
export function withoutBounceAnswers(stats: Stats): Stats {
  const fix = <T extends GroupStats>(g: T): T => {
    if (!g.automaticOnly.some(bounceOnly)) return g;
    const moved = (c: CountryResult): CountryResult => (bounceOnly(c) ? { ...c, outcome: 'silent' } : c);
    const countries = g.countries.map(moved);
    return {
      ...g,
      countries,
      automaticOnly: g.automaticOnly.filter((c) => !bounceOnly(c)),
      silent: [...g.silent, ...g.automaticOnly.filter(bounceOnly).map(moved)],
    };
  };
  const out: Stats = { ...fix(stats) };
  if (stats.observers) out.observers = fix(stats.observers);
  if (stats.byKind) {
    out.byKind = {};
    for (const [k, g] of Object.entries(stats.byKind) as Array<[keyof NonNullable<Stats['byKind']>, GroupStats]>) out.byKind[k] = fix(g);
  }
  return out;
}

/** Whether a result (a country's or a contact point's) is an automatic answer, as shown. */
export function isAutomaticAnswer(c: CountryResult): boolean {
  return c.outcome === 'automatic-only' && !bounceOnly(c);
}
