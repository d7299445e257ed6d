// rollcall mark <run> <message-key | messages/<file>.eml | contact-id> --as ... --note ...:
// appends an override event to the run's log after checking the target is in the run. One
// O_APPEND write, so it is safe while another process is running the run.
import { basename, isAbsolute, relative, resolve } from 'node:path';
import { EXIT, UsageError } from '../core/errors.js';
import type { MessageReceivedEvent, OverrideClass, OverrideEvent } from '../core/events.js';
import { RunFolder } from '../core/run-folder.js';
import { suggest } from '../core/suggest.js';
import { paint, println, type Output } from './output.js';

const CLASSES: OverrideClass[] = ['reply', 'automatic', 'not-an-answer'];

type Target = { kind: 'message'; event: MessageReceivedEvent } | { kind: 'contact'; contactId: string; country: string };

function findMessage(events: MessageReceivedEvent[], target: string, runDir: string, cwd: string): MessageReceivedEvent | undefined {
  const byKey = events.find((e) => e.key === target);
  if (byKey) return byKey;
  if (!target.toLowerCase().endsWith('.eml')) return undefined;
  // messages/<file>.eml relative to the run, a path from here, or the bare file name.
  const fromCwd = resolve(cwd, target);
  const candidates = new Set([target.replace(/\\/g, '/'), relative(runDir, fromCwd).replace(/\\/g, '/'), `messages/${basename(target)}`]);
  if (isAbsolute(target)) candidates.add(relative(runDir, target).replace(/\\/g, '/'));
  return events.find((e) => e.file !== undefined && candidates.has(e.file));
}

function findContact(folder: RunFolder, target: string): { contactId: string; country: string } | undefined {
  if (!folder.hasDirectory()) return undefined;
  for (const party of folder.directory().parties) {
    for (const c of party.contacts) {
      if (c.id === target || c.id.toLowerCase() === target.toLowerCase()) return { contactId: c.id, country: party.country };
    }
  }
  return undefined;
}

export async function run(args: string[], opts: Record<string, unknown>, o: Output): Promise<number> {
  const [runArg, target] = args as [string, string];
  const as = String(opts.as) as OverrideClass;
  if (!CLASSES.includes(as)) throw new UsageError(`--as must be one of ${CLASSES.join(', ')}`);
  const note = String(opts.note ?? '').trim();
  if (note === '') throw new UsageError('--note: say why (the note is shown in reports)');

  const folder = RunFolder.open(resolve(o.cwd, runArg), runArg);
  const runDir = folder.dir;
  const eventsPath = folder.paths.events;
  const { events } = await folder.events();
  const messages = events.filter((e): e is MessageReceivedEvent => e.type === 'message-received');

  let found: Target | undefined;
  const message = findMessage(messages, target, runDir, o.cwd);
  if (message) found = { kind: 'message', event: message };
  else {
    const contact = findContact(folder, target);
    if (contact) found = { kind: 'contact', ...contact };
  }
  if (!found) {
    const ids = folder.hasDirectory() ? folder.directory().parties.flatMap((p) => p.contacts.map((c) => c.id)) : [];
    const hint = suggest(target, [...ids, ...messages.map((m) => m.key)]);
    if (hint) throw new UsageError(`"${target}" is neither a message nor a contact of run ${runArg}: did you mean ${hint}?`);
    throw new UsageError(
      `"${target}" is neither a message nor a contact of run ${runArg}: give a message key (imap:INBOX:<uidvalidity>:<uid>), ` +
        `a file messages/<name>.eml, or a contact id from its directory.json` +
        (messages.length > 0 ? ` (e.g. ${messages[0]?.key})` : ''),
    );
  }

  const written = folder.appendEvent(
    found.kind === 'message' ? { type: 'override', messageKey: found.event.key, as, note } : { type: 'override', contactId: found.contactId, as, note },
  ) as OverrideEvent;

  if (o.json) {
    println(o.out, JSON.stringify(written, null, 2));
    return EXIT.ok;
  }
  const p = await paint(o);
  const what =
    found.kind === 'message'
      ? `message ${found.event.key} from ${found.event.from || '(unknown sender)'} (recorded as ${found.event.class})`
      : `contact ${found.contactId} (${found.country})`;
  println(o.out, `Marked ${what} as ${p.bold(as)}: "${note}"`);
  const shownPath = relative(o.cwd, eventsPath).startsWith('..') ? eventsPath : relative(o.cwd, eventsPath);
  println(o.out, p.dim(`Appended to ${shownPath}; statistics and reports take it into account.`));
  return EXIT.ok;
}
