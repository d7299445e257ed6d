// Durations: parsing thresholds and windows (`15m`, `1h30m`, `24h`), and writing them as the
// 2023 report does (`6 min`, `1h 11 min`, `45 s`), rounded half up.

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `90s`, `15m`, `1h`, `1h30m`, `2d`; returns seconds, or undefined when malformed. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(t)) return undefined;
  let total = 0;
  for (const [, n, u] of t.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) total += Number(n) * UNIT_SECONDS[u!]!;
  return total > 0 ? total : undefined;
}

/** `900` → `15m`, `3600` → `1h`, `5400` → `1h30m`. */
export function shortDuration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 86400 * 2) return `${seconds / 86400}d`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}` || '0s';
}

/** Threshold as the 2023 report words it: `15 minutes`, `1 hour`, `12 hours`, `90 seconds`. */
export function thresholdLabel(seconds: number): string {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0) return seconds > 3600 ? `${Math.floor(seconds / 3600)}h ${(seconds % 3600) / 60} min` : plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}

/** Response time for display: whole minutes half up (`6 min`, `1h 11 min`, `2h`); under one
 * minute, whole seconds (`45 s`). */
export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds + 0.5);
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(seconds / 60 + 0.5);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h}h` : `${h}h ${m} min`;
}
