// rollcall stats <run folder | events.jsonl | replies.csv> [--buckets ...] [--directory f] [--by status|kind] [--locale fr] [--json]
import { isAbsolute, resolve } from 'node:path';
import { authenticityOption } from '../settings.js';
import { EXIT, formatProblem, UsageError } from '../core/errors.js';
import { bucketsPastWindow, parseBuckets } from '../stats/buckets.js';
import { writeJson } from '../core/json-text.js';
import { loadStatsSource } from '../stats/source.js';
import type { Output } from './output.js';
import type { StatsOptions } from './commands.js';

export async function run(args: string[], opts: StatsOptions, o: Output): Promise<number> {
  const source = args[0];
  if (!source) throw new UsageError('stats: give a run folder, an events.jsonl or a reply-log CSV');
  const by = opts.by;
  if (by !== undefined && by !== 'status' && by !== 'kind') throw new UsageError(`--by: "${by}" is not status or kind`);
  const bucketSeconds = opts.buckets !== undefined ? parseBuckets(opts.buckets) : undefined;
  const locale = opts.locale;
  if (locale !== undefined) {
    // Loaded only with --locale: the English table needs no Intl locale data.
    const [{ checkLocale }, { missingWordingWarning }] = await Promise.all([import('../report/wording.js'), import('../report/i18n.js')]);
    checkLocale(locale);
    const missing = missingWordingWarning(locale);
    if (missing) o.err.write(`rollcall: warning: ${missing}\n`);
  }
  // Paths stay as the user wrote them (they appear in error messages) unless cwd was moved.
  const at = (p: string) => (isAbsolute(p) || resolve(o.cwd) === process.cwd() ? p : resolve(o.cwd, p));
  const directory = opts.directory !== undefined ? at(opts.directory) : undefined;

  const authenticity = authenticityOption(opts.authenticity);
  const { stats, warnings, meta } = await loadStatsSource(at(source), { directory, bucketSeconds, ...(authenticity ? { authenticity } : {}) });
  for (const w of warnings) o.err.write(`rollcall: warning: ${formatProblem(w)}\n`);
  const pastWindow = bucketSeconds && bucketsPastWindow(bucketSeconds, meta);
  if (pastWindow) o.err.write(`rollcall: warning: ${pastWindow}\n`);

  if (o.json) {
    await writeJson(o.out, stats);
  } else {
    // Loaded only for text output: --json on a big log need not pay for the table code.
    const { renderStatsText } = await import('../report/terminal.js');
    o.out.write(renderStatsText(stats, { color: o.color, ...(by ? { by } : {}), ...(locale ? { locale } : {}) }));
  }
  return EXIT.ok;
}
