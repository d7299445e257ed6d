// rollcall mark <run> <message-key | messages/<file>.eml | contact-id> --as ... --note ...
// [--at <time> [--channel phone|email|sms|other]] [--contact <id>]: appends an override event to
// the run's log once src/run/mark.ts has decided it applies (else exit 2 with why); this only
// parses the options and prints what was done.
import { relative, resolve } from 'node:path';
import { EXIT, UsageError } from '../core/errors.js';
import { RunFolder } from '../core/run-folder.js';
import { markRun } from '../run/mark.js';
import { println, type Output } from './output.js';
import { palette } from '../core/palette.js';
import type { MarkOptions } from './commands.js';

export async function run(args: string[], opts: MarkOptions, o: Output): Promise<number> {
  const [runArg, target] = args as [string, string];
  if (!runArg || !target) throw new UsageError('mark: give the run folder and what to mark (a message key or file, or a contact id)');
  const folder = RunFolder.open(resolve(o.cwd, runArg), runArg);
  const { plan, written } = await markRun(folder, {
    target,
    as: opts.as,
    note: opts.note,
    ...(opts.at !== undefined ? { at: opts.at } : {}),
    ...(opts.channel !== undefined ? { channel: opts.channel } : {}),
    ...(opts.contact !== undefined ? { contact: opts.contact } : {}),
    cwd: o.cwd,
  });

  if (o.json) {
    // The event as written, and what it changed for the country.
    println(o.out, JSON.stringify({ ...written, effect: { words: plan.effect, before: plan.before ?? null, after: plan.after ?? null } }, null, 2));
    return EXIT.ok;
  }
  const p = palette(o.color);
  println(o.out, plan.headline);
  println(o.out, `Effect: ${plan.effect}.`);
  const eventsPath = folder.paths.events;
  const shownPath = relative(o.cwd, eventsPath).startsWith('..') ? eventsPath : relative(o.cwd, eventsPath);
  println(o.out, p.dim(`Appended to ${shownPath}; statistics, reports and status take it into account.`));
  return EXIT.ok;
}
