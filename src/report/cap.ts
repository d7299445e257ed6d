// Long lists in the reports people read (HTML, Markdown, PDF, the terminal) show their first
// LIST_CAP rows and say how many more there are; the CSV and JSON reports keep every row. A
// rehearsal on 100,000 contact points finds tens of thousands of addresses that do not work: a
// page of that many rows is read by no one and takes a browser minutes to lay out.

/** Rows shown of a findings table, a country table or an outcome list. */
export const LIST_CAP = 200;

export interface Capped<T> {
  shown: T[];
  /** Rows left out (0: the whole list is shown). */
  more: number;
}

export function capList<T>(items: readonly T[], cap: number = LIST_CAP): Capped<T> {
  return items.length <= cap ? { shown: items.slice(), more: 0 } : { shown: items.slice(0, cap), more: items.length - cap };
}
