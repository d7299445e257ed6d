// Loads a directory of contact points from YAML, JSON or CSV (by extension) and validates it.
// Light to import: the parsers, zod and libphonenumber are loaded only when a file is read, and
// only the reader for that file's format.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { InputError, type InputProblem } from '../core/errors.js';
import type { Directory } from './model.js';
import type { DirectoryCheck, DirectoryCounts } from './validate.js';

export type { DirectoryCheck, DirectoryCounts };

export interface LoadOptions {
  /** Folder that a relative `file` is read from (default: the process's). Messages keep `file` as given. */
  cwd?: string;
}

const FORMATS: Record<string, 'yaml' | 'json' | 'csv'> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json', '.csv': 'csv' };

async function readText(file: string, path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new InputError([{ file, message: `cannot be read: ${why}` }]);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Where the first bad byte is, so the user can find it.
    const text = bytes.toString('utf8');
    const bad = text.indexOf('\uFFFD');
    const line = bad < 0 ? undefined : text.slice(0, bad).split('\n').length;
    throw new InputError([{ file, line, message: 'is not UTF-8 text (save it as UTF-8; in Excel: "CSV UTF-8")' }]);
  }
}

/**
 * Reads and checks a directory. Problems in its content come back as `errors` and `warnings`
 * (all of them, located); `directory` is there only when there are no errors. A file that
 * cannot be read or parsed at all throws an InputError.
 */
export async function loadDirectory(file: string, opts: LoadOptions = {}): Promise<DirectoryCheck> {
  const ext = extname(file).toLowerCase();
  const format = FORMATS[ext];
  if (!format) {
    throw new InputError([{ file, message: `unknown directory format '${ext || '(no extension)'}': use .yaml, .yml, .json or .csv` }]);
  }
  const [text, reader, { validateDirectory }] = await Promise.all([
    readText(file, resolve(opts.cwd ?? process.cwd(), file)),
    format === 'csv'
      ? import('./read-csv.js').then((m) => m.readCsvSource)
      : format === 'json'
        ? import('./read-json.js').then((m) => m.readJsonSource)
        : import('./read-yaml.js').then((m) => m.readYamlSource),
    import('./validate.js'),
  ]);
  return validateDirectory(reader(text, file), file);
}

/** The checked directory; throws an InputError listing every error (warnings are dropped). */
export async function readDirectory(file: string, opts: LoadOptions = {}): Promise<Directory> {
  const { directory, errors } = await loadDirectory(file, opts);
  if (!directory) throw new InputError(errors.length ? errors : [{ file, message: 'not a valid directory' } satisfies InputProblem]);
  return directory;
}
