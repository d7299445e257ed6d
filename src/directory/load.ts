// Loads a directory of contact points from YAML, JSON, CSV or XLSX (by extension) and validates
// it. Light to import: the parsers, zod, libphonenumber and exceljs are loaded only when a file is
// read, and only the reader for that file's format.
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { InputError, UsageError, type InputProblem } from '../core/errors.js';
import type { Directory } from './model.js';
import type { DirectorySource } from './source.js';
import type { DirectoryCheck, DirectoryCounts } from './validate.js';

export type { DirectoryCheck, DirectoryCounts };

export interface LoadOptions {
  /** Folder that a relative `file` is read from (default: the process's). Messages keep `file` as given. */
  cwd?: string;
  /** The sheet of an .xlsx workbook (default: the first). */
  sheet?: string;
}

type Format = 'yaml' | 'json' | 'csv' | 'xlsx';
const FORMATS: Record<string, Format> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json', '.csv': 'csv', '.tsv': 'csv', '.xlsx': 'xlsx', '.xlsm': 'xlsx' };
const SAVE_AS: Record<string, string> = {
  '.xls': 'an Excel 97-2003 workbook: save it as "Excel Workbook (.xlsx)" or CSV',
  '.ods': 'an OpenDocument spreadsheet: save it as .xlsx or CSV',
  '.numbers': 'a Numbers spreadsheet: export it as .xlsx or CSV',
};

/** The directory formats, by extension; undefined for a file rollcall cannot read. */
export function directoryFormat(file: string): Format | undefined {
  return FORMATS[extname(file).toLowerCase()];
}

async function readBytes(file: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new InputError([{ file, message: `cannot be read: ${why}` }]);
  }
}

function utf8Text(file: string, bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    // Where the first bad byte is, so the user can find it.
    const text = bytes.toString('utf8');
    const bad = text.indexOf('\uFFFD');
    const line = bad < 0 ? undefined : text.slice(0, bad).split('\n').length;
    throw new InputError([{ file, line, message: 'is not UTF-8 text: save it as UTF-8' }]);
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
    const why = SAVE_AS[ext] ? `'${ext}' is ${SAVE_AS[ext]}` : `unknown directory format '${ext || '(no extension)'}': use .yaml, .yml, .json, .csv or .xlsx`;
    throw new InputError([{ file, message: why }]);
  }
  if (opts.sheet !== undefined && format !== 'xlsx') throw new UsageError(`--sheet: ${file} is not an .xlsx workbook; --sheet names a sheet of one`);
  const [{ validateDirectory }, source] = await Promise.all([import('./validate.js'), readSource(file, format, opts)]);
  return validateDirectory(source, file);
}

/** The file read into plain data. Apart from loadDirectory so that the bytes and the text are
 * out of reach (collectable) while the data is checked. */
async function readSource(file: string, format: Format, opts: LoadOptions): Promise<DirectorySource> {
  const bytes = await readBytes(file, resolve(opts.cwd ?? process.cwd(), file));
  if (format === 'xlsx') {
    const { readXlsxSource } = await import('./read-xlsx.js');
    return readXlsxSource(bytes, file, { ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}) });
  }
  if (format === 'csv') {
    const { readCsvSource } = await import('./read-csv.js');
    return readCsvSource(bytes, file);
  }
  const text = utf8Text(file, bytes);
  const reader = format === 'json' ? (await import('./read-json.js')).readJsonSource : (await import('./read-yaml.js')).readYamlSource;
  return reader(text, file);
}

/** The checked directory; throws an InputError listing every error (warnings are dropped). */
export async function readDirectory(file: string, opts: LoadOptions = {}): Promise<Directory> {
  const { directory, errors } = await loadDirectory(file, opts);
  if (!directory) throw new InputError(errors.length ? errors : [{ file, message: 'not a valid directory' } satisfies InputProblem]);
  return directory;
}
