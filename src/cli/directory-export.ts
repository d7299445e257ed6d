// rollcall directory export <file> --format xlsx|csv|yaml|json [--out f] [--delimiter ;] [--force]:
// the checked, normalised directory written back for the office to keep editing. Text formats go
// to stdout without --out; an existing --out file is replaced only with --force. A directory
// with errors is not exported: its errors are printed and the command exits 2.
import { access, writeFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { makeFolder, pathError } from '../core/make-folder.js';
import { EXIT, formatProblem, InputError, UsageError } from '../core/errors.js';
import type { Delimiter } from '../directory/csv-dialect.js';
import { countDirectory } from '../directory/counts.js';
import { directoryToCsv, directoryToJson, directoryToXlsx, directoryToYaml, EXPORT_FORMATS, type ExportFormat } from '../directory/export.js';
import { loadDirectory } from '../directory/load.js';
import { println, type Output } from './output.js';
import type { DirectoryExportOptions } from './commands.js';

const BY_EXTENSION: Record<string, ExportFormat> = { '.xlsx': 'xlsx', '.csv': 'csv', '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };
const DELIMITERS: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\\t': '\t', '\t': '\t' };
/** Excel reads a CSV file as UTF-8 only when it starts with a byte-order mark. */
const BOM = '\uFEFF';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function run(args: string[], opts: DirectoryExportOptions, o: Output): Promise<number> {
  const file = args[0]!;
  const out = opts.out;
  const formatText = opts.format ?? (out ? BY_EXTENSION[extname(out).toLowerCase()] : undefined);
  if (formatText === undefined) throw new UsageError(`--format: say which (${EXPORT_FORMATS.join(', ')}), or give --out a file name ending in one`);
  if (!(EXPORT_FORMATS as readonly string[]).includes(formatText)) throw new UsageError(`--format: "${formatText}" is not one of ${EXPORT_FORMATS.join(', ')}`);
  const format = formatText;
  if (format === 'xlsx' && !out) throw new UsageError('--format xlsx writes a workbook: give the file with --out (e.g. --out directory.xlsx)');
  const delimiterText = opts.delimiter;
  const delimiter = DELIMITERS[delimiterText.toLowerCase()];
  if (!delimiter) throw new UsageError(`--delimiter: "${delimiterText}" is not one of , ; tab`);
  if (delimiterText !== ',' && format !== 'csv') throw new UsageError('--delimiter is for --format csv');
  const target = out ? resolve(o.cwd, out) : undefined;
  if (target && !opts.force && (await exists(target))) throw new UsageError(`--out: ${out} exists; add --force to replace it`);

  const sheet = opts.sheet;
  const { directory, errors, warnings } = await loadDirectory(file, { cwd: o.cwd, ...(sheet !== undefined ? { sheet } : {}) });
  if (!directory) throw new InputError(errors);
  for (const w of warnings) o.err.write(`rollcall: warning: ${formatProblem(w)}\n`);

  const content: string | Buffer =
    format === 'xlsx'
      ? await directoryToXlsx(directory)
      : format === 'csv'
        ? (target ? BOM : '') + directoryToCsv(directory, delimiter)
        : format === 'yaml'
          ? directoryToYaml(directory)
          : directoryToJson(directory);
  if (!target) {
    o.out.write(content);
    return EXIT.ok;
  }
  // The folder is made if needed, as `report --out` makes its own.
  makeFolder(dirname(target), '--out: cannot write to');
  try {
    await writeFile(target, content);
  } catch (e) {
    throw pathError(e, out!, '--out: cannot write to');
  }
  const c = countDirectory(directory);
  println(o.out, `${out}: ${format}, ${plural(c.parties, 'party', 'parties')}, ${plural(c.observers, 'observer')}, ${plural(c.contacts, 'contact point')}`);
  return EXIT.ok;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
