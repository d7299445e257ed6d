// rollcall report <run | events.jsonl | replies.csv> --format html,md,csv,json[,pdf] [--out dir]
//   [--compare <earlier>] [--anonymize] [--locale fr] [--title ...] [--tz zone] [--buckets ...] [--directory f] [--json]
// rollcall report --history <test> <test>... [same options]   several tests side by side
// rollcall report <run> --letters [all] [--locale fr]         a letter per party
import { stat } from 'node:fs/promises';
import { authenticityOption } from '../settings.js';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { EXIT, formatProblem, UsageError } from '../core/errors.js';
import { checkTimeZone } from '../core/zone.js';
import { checkLocale } from '../report/wording.js';
import { missingWordingWarning } from '../report/i18n.js';
import { parseFormats, writeHistory, writeLetters, writeReports } from '../report/write.js';
import { bucketsPastWindow, parseBuckets } from '../stats/buckets.js';
import { loadContactDetails, loadStatsSourceApart, type StatsSource, type StatsSourceOptions } from '../stats/source.js';
import { println, type Output } from './output.js';
import type { ReportOptions } from './commands.js';

export async function run(args: string[], opts: ReportOptions, o: Output): Promise<number> {
  let source = args[0];
  const history = opts.history ?? [];
  // `--letters` takes an optional `all`; `report --letters runs/x` means the run, not a value.
  let letters: false | 'some' | 'all' = false;
  if (opts.letters === true) letters = 'some';
  else if (typeof opts.letters === 'string') {
    if (opts.letters === 'all') letters = 'all';
    else if (!source) {
      source = opts.letters;
      letters = 'some';
    } else throw new UsageError(`--letters: "${opts.letters}" is not "all" (write --letters, or --letters all)`);
  }

  // Every usage problem is reported before any file is read.
  if (history.length && letters) throw new UsageError('--history and --letters go separately: letters are written for one test');
  if (history.length && opts.compare !== undefined) throw new UsageError('--history already puts the tests side by side: leave --compare out');
  if (letters && opts.anonymize) throw new UsageError('--letters names each party: it cannot be --anonymize');
  if (!source && !history.length) throw new UsageError('report: give a run folder, an events.jsonl or a reply-log CSV (or --history with several)');
  const formats = parseFormats(opts.format);
  const locale = opts.locale;
  if (locale !== undefined) {
    checkLocale(locale);
    const missing = missingWordingWarning(locale);
    if (missing) o.err.write(`rollcall: warning: ${missing}\n`);
  }
  const tz = opts.tz !== undefined ? checkTimeZone(opts.tz) : undefined;
  const bucketSeconds = opts.buckets !== undefined ? parseBuckets(opts.buckets) : undefined;
  const title = opts.title;
  if (title !== undefined && title.trim() === '') throw new UsageError('--title: give a title, or leave the option out for the default');

  // Paths stay as the user wrote them (they appear in error messages) unless cwd was moved.
  const at = (p: string) => (isAbsolute(p) || resolve(o.cwd) === process.cwd() ? p : resolve(o.cwd, p));
  const directory = opts.directory !== undefined ? at(opts.directory) : undefined;
  const authenticity = authenticityOption(opts.authenticity);
  const load = async (path: string, withDirectory: boolean): Promise<StatsSource> => {
    const loadOpts: StatsSourceOptions = { ...(withDirectory && directory ? { directory } : {}), ...(bucketSeconds ? { bucketSeconds } : {}), ...(authenticity ? { authenticity } : {}) };
    const loaded = await loadStatsSourceApart(at(path), loadOpts);
    for (const w of loaded.warnings) o.err.write(`rollcall: warning: ${formatProblem(w)}\n`);
    const pastWindow = bucketSeconds && bucketsPastWindow(bucketSeconds, loaded.meta);
    if (pastWindow) o.err.write(`rollcall: warning: ${path}: ${pastWindow}\n`);
    return loaded;
  };
  const isRunFolder = async (path: string) => stat(at(path)).then((s) => s.isDirectory(), () => false);
  const common = { ...(locale ? { locale } : {}), ...(tz !== undefined ? { tz } : {}), ...(title !== undefined ? { title } : {}) };
  const outDir = async (fallback: string | undefined) => at(opts.out ?? (fallback && (await isRunFolder(fallback)) ? join(fallback, 'reports') : 'reports'));

  let files: string[];
  if (history.length) {
    const sources = [...history, ...(source ? [source] : [])];
    // --directory applies to reply logs and event logs; a run folder counts against its own.
    const tests = [];
    for (const s of sources) tests.push(await load(s, !(await isRunFolder(s))));
    files = await writeHistory(
      tests.map((t) => ({ stats: t.stats, meta: t.meta })),
      { formats, outDir: await outDir(undefined), anonymize: opts.anonymize === true, ...common },
    );
  } else if (letters) {
    const current = await load(source!, true);
    const details = await loadContactDetails(at(source!), { ...(directory ? { directory } : {}), ...(bucketSeconds ? { bucketSeconds } : {}) });
    files = await writeLetters(
      { stats: current.stats, meta: current.meta, contacts: details.contacts, ...(details.directory ? { directory: details.directory } : {}) },
      { formats, outDir: join(await outDir(source), 'letters'), ...(locale ? { locale } : {}), all: letters === 'all' },
    );
  } else {
    const current = await load(source!, true);
    let compare: { stats: StatsSource['stats']; meta: StatsSource['meta'] } | undefined;
    const earlier = opts.compare;
    if (earlier !== undefined) {
      // The earlier test is counted with the same thresholds; its population is its own
      // (--directory is for the source only: a directory changes from one year to the next).
      const loaded = await load(earlier, false);
      compare = { stats: loaded.stats, meta: loaded.meta };
    }
    files = await writeReports(
      { stats: current.stats, meta: current.meta, ...(compare ? { compare } : {}) },
      { formats, outDir: await outDir(source), anonymize: opts.anonymize === true, ...common },
    );
  }
  const shown = files.map((f) => {
    const rel = relative(o.cwd, f);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : f;
  });
  if (o.json) println(o.out, JSON.stringify({ files: shown }));
  else for (const f of shown) println(o.out, f);
  return EXIT.ok;
}
