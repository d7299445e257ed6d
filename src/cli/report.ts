// rollcall report <run | events.jsonl | replies.csv> --format html,md,csv,json[,pdf] [--out reports/]
//   [--compare <earlier>] [--anonymize] [--locale fr] [--title ...] [--tz zone] [--buckets ...] [--directory f] [--json]
import { isAbsolute, relative, resolve } from 'node:path';
import { EXIT, formatProblem, UsageError } from '../core/errors.js';
import { checkLocale, checkTimeZone } from '../report/format.js';
import { parseFormats, writeReports } from '../report/write.js';
import { parseBuckets } from '../stats/buckets.js';
import { loadStatsSource } from '../stats/source.js';
import { println, type Output } from './output.js';

export async function run(args: string[], opts: Record<string, unknown>, o: Output): Promise<number> {
  const source = args[0];
  if (!source) throw new UsageError('report: give a run folder, an events.jsonl or a reply-log CSV');
  const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);

  // Every usage problem is reported before any file is read.
  const formats = parseFormats(str('format') ?? 'html,md');
  const locale = str('locale') ?? 'en';
  checkLocale(locale);
  const tz = str('tz');
  if (tz !== undefined) checkTimeZone(tz);
  const bucketSeconds = str('buckets') !== undefined ? parseBuckets(str('buckets')!) : undefined;
  const title = str('title');
  if (title !== undefined && title.trim() === '') throw new UsageError('--title: give a title, or leave the option out for the default');

  // Paths stay as the user wrote them (they appear in error messages) unless cwd was moved.
  const at = (p: string) => (isAbsolute(p) || resolve(o.cwd) === process.cwd() ? p : resolve(o.cwd, p));
  const directory = str('directory') !== undefined ? at(str('directory')!) : undefined;
  const loadOpts = { ...(directory ? { directory } : {}), ...(bucketSeconds ? { bucketSeconds } : {}) };

  const current = await loadStatsSource(at(source), loadOpts);
  for (const w of current.warnings) o.err.write(`rollcall: warning: ${formatProblem(w)}\n`);
  let compare: { stats: typeof current.stats; meta: typeof current.meta } | undefined;
  const earlier = str('compare');
  if (earlier !== undefined) {
    // The earlier test is counted with the same thresholds; its population is its own
    // (--directory is for the source only: a directory changes from one year to the next).
    const loaded = await loadStatsSource(at(earlier), bucketSeconds ? { bucketSeconds } : {});
    for (const w of loaded.warnings) o.err.write(`rollcall: warning: ${formatProblem(w)}\n`);
    compare = { stats: loaded.stats, meta: loaded.meta };
  }

  const files = await writeReports(
    { stats: current.stats, meta: current.meta, ...(compare ? { compare } : {}) },
    {
      formats,
      outDir: at(str('out') ?? 'reports'),
      locale,
      anonymize: Boolean(opts.anonymize),
      ...(title !== undefined ? { title } : {}),
      ...(tz !== undefined ? { tz } : {}),
    },
  );
  const shown = files.map((f) => {
    const rel = relative(o.cwd, f);
    return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : f;
  });
  if (o.json) println(o.out, JSON.stringify({ files: shown }));
  else for (const f of shown) println(o.out, f);
  return EXIT.ok;
}
