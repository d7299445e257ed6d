// "Did you mean ...?": the nearest of some known values to what the user typed, by edit distance.
// One helper for every place that names something from a list (a field, a time zone, a country,
// a sheet; later --tz and contact ids on the command line).

/** Edits (insert, delete, substitute, swap two neighbours) from a to b: `Frnace` is 1 from `France`. */
export function editDistance(a: string, b: string): number {
  // Optimal string alignment (Damerau–Levenshtein without repeated edits of one substring).
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

export interface SuggestOptions {
  /** Most edits a suggestion may be away (default: 1 for short words, up to 3 for long ones). */
  max?: number;
  /** How values are compared (default: case-insensitive). */
  fold?: (s: string) => string;
}

/**
 * The candidate nearest to `value`, or undefined when none is within `max` edits. On equal
 * distance the first candidate wins, so list the usual spellings first.
 */
export function suggest(value: string, candidates: Iterable<string>, opts: SuggestOptions = {}): string | undefined {
  const fold = opts.fold ?? ((s: string) => s.toLowerCase());
  const word = fold(value);
  const max = opts.max ?? Math.max(1, Math.min(3, Math.floor(word.length / 4)));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const other = fold(c);
    // Cheap bound first: the length difference alone is at least that many edits.
    if (Math.abs(other.length - word.length) >= bestD) continue;
    const d = editDistance(word, other);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}
