// rollcall directory validate <file>: every problem in a directory, errors apart from warnings.
// Exit 0 clean (warnings allowed), 1 errors found, 2 the file cannot be read or parsed.
import { EXIT, formatProblem, InputError, type InputProblem } from '../core/errors.js';
import { loadDirectory } from '../directory/load.js';
import { println, type Output } from './output.js';
import { palette } from '../core/palette.js';
import type { DirectoryValidateOptions } from './commands.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export async function run(args: string[], opts: DirectoryValidateOptions, o: Output): Promise<number> {
  const file = args[0]!;
  let check;
  try {
    check = await loadDirectory(file, { cwd: o.cwd, ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}) });
  } catch (e) {
    if (!(e instanceof InputError) || !o.json) throw e;
    println(o.out, JSON.stringify({ file, valid: false, errors: e.problems, warnings: [], parties: 0, observers: 0, contacts: 0 }, null, 2));
    return EXIT.cannotStart;
  }
  const { errors, warnings, counts } = check;
  const valid = errors.length === 0;

  if (o.json) {
    println(o.out, JSON.stringify({ file, valid, errors, warnings, ...counts }, null, 2));
    return valid ? EXIT.ok : EXIT.problems;
  }

  const c = palette(o.color);
  const list = (title: string, colour: (s: string) => string, problems: InputProblem[]) => {
    if (problems.length === 0) return;
    println(o.out, colour(title));
    for (const p of problems) println(o.out, formatProblem(p));
    println(o.out);
  };
  list(`${plural(errors.length, 'error')}:`, (t: string) => c.red(c.bold(t)), errors);
  list(`${plural(warnings.length, 'warning')}:`, (t: string) => c.yellow(c.bold(t)), warnings);

  const size = `${plural(counts.parties, 'party', 'parties')}, ${plural(counts.observers, 'observer')}, ${plural(counts.contacts, 'contact point')}`;
  const verdict = valid ? c.green('valid') : c.red(`${plural(errors.length, 'error')}`);
  const also = warnings.length ? `, ${c.yellow(plural(warnings.length, 'warning'))}` : '';
  println(o.out, `${file}: ${verdict}${also} (${size})`);
  return valid ? EXIT.ok : EXIT.problems;
}
