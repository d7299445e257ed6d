// What a directory reader (YAML, JSON, CSV or XLSX) hands to validation: plain data in the shape of the
// YAML format, and a way to turn a path in that data back into a place in the file.
import type { InputProblem } from '../core/errors.js';

export type DataPath = ReadonlyArray<string | number>;

/** A place in the file: line (YAML/JSON) or row (CSV, XLSX with its sheet), and the field as the user wrote it. */
export interface Place {
  line?: number;
  row?: number;
  sheet?: string;
  field?: string;
}

export interface DirectorySource {
  /** `{ network, updated, parties: [{ country, iso, status, contacts: [...] }] }`, unchecked.
   * Validation consumes it: each contact point is dropped from it once checked. */
  data: unknown;
  /** Where a value, or the nearest enclosing value that exists, sits in the file. */
  locate(path: DataPath): Place;
  /** Problems only the reader can see (a short CSV row, an unknown column). */
  errors: InputProblem[];
  warnings: InputProblem[];
  /** Paths (`parties[0].contacts[1].phones[0]`) of values a spreadsheet stored as numbers. */
  numberCells?: ReadonlySet<string>;
  /** Paths of values whose problem the reader reported already (an Excel error value, a date). */
  reported?: ReadonlySet<string>;
}

/** `parties[3].contacts[0].emails[1]` */
export function formatPath(path: DataPath): string {
  let s = '';
  for (const k of path) s += typeof k === 'number' ? `[${k}]` : s ? `.${k}` : k;
  return s;
}
