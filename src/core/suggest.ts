// "Did you mean": the known name closest to a mistyped one, for every layer's messages (a time
// zone, a contact id, a template placeholder). Case does not count; one typo in a short word and
// up to a third of a long one are forgiven, never a completely different word.

/** Edit distance with adjacent transpositions (optimal string alignment): `Pairs` → `Paris` is 1. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

export interface SuggestOptions {
  /** Most edits a suggestion may be away (default: 1 for words up to 4 characters, then a
   * third of the length, at most 3). */
  max?: number;
  /** How values are compared (default: case-insensitive). */
  fold?: (s: string) => string;
}

/**
 * The candidate closest to `word`, when it is close enough to be what was meant. Ties go to the
 * first candidate given, so list the usual spellings first.
 */
export function suggest(word: string, candidates: Iterable<string>, opts: number | SuggestOptions = {}): string | undefined {
  const o = typeof opts === 'number' ? { max: opts } : opts;
  const fold = o.fold ?? ((s: string) => s.toLowerCase());
  const w = fold(word.trim());
  if (w === '') return undefined;
  const max = o.max ?? (w.length <= 4 ? 1 : Math.min(3, Math.floor(w.length / 3)));
  let best: string | undefined;
  let bestD = max + 1;
  for (const c of candidates) {
    const other = fold(c);
    if (other === w) return c;
    // The distance is at least the difference in length: skip the far ones cheaply.
    if (Math.abs(other.length - w.length) >= bestD) continue;
    const d = editDistance(w, other);
    if (d < bestD) [best, bestD] = [c, d];
  }
  return best;
}

/** ` (did you mean X?)`, or '' when nothing is close: to append to a message. */
export function didYouMean(word: string, candidates: Iterable<string>, maxDistance?: number): string {
  const s = suggest(word, candidates, maxDistance);
  return s ? ` (did you mean ${s}?)` : '';
}
