// rollcall directory show <file>: parties and contact points as a table, with counts by status
// and kind; --json prints the normalised directory. An invalid directory ends it with exit 2.
import { EXIT, formatProblem, InputError } from '../core/errors.js';
import { loadDirectory } from '../directory/load.js';
import { CONTACT_KINDS as KINDS, countDirectory } from '../directory/counts.js';
import type { Party } from '../core/directory.js';
import { println, type Output } from './output.js';
import { palette } from '../core/palette.js';
import type { DirectoryShowOptions } from './commands.js';

export async function run(args: string[], opts: DirectoryShowOptions, o: Output): Promise<number> {
  const file = args[0]!;
  const { directory, errors, warnings } = await loadDirectory(file, { cwd: o.cwd, ...(opts.sheet !== undefined ? { sheet: opts.sheet } : {}) });
  if (!directory) throw new InputError(errors);
  const counts = countDirectory(directory);

  if (o.json) {
    const { network, updated } = directory;
    const parties = directory.parties.filter((p) => p.status === 'party');
    const observers = directory.parties.filter((p) => p.status === 'observer');
    println(o.out, JSON.stringify({ network, updated, parties, observers, counts }, null, 2));
    return EXIT.ok;
  }

  const c = palette(o.color);
  const { default: Table } = await import('cli-table3');
  // cli-table3 colours its header itself unless told not to: colours come from paint() only.
  const style = { head: [], border: [] };
  // One line per contact point: no rule between rows.
  const chars = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
  const { parsePhoneNumberFromString } = await import('libphonenumber-js/min');
  const readable = (e164: string) => parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
  const table = new Table({
    chars,
    head: ['Country', 'ISO', 'Status', 'Contact', 'Kind', 'E-mails', 'Phones', 'SMS', 'Zone'].map((h) => c.bold(h)),
    style,
  });
  const ordered: Party[] = [
    ...directory.parties.filter((p) => p.status === 'party'),
    ...directory.parties.filter((p) => p.status === 'observer'),
  ];
  for (const p of ordered) {
    p.contacts.forEach((cp, i) => {
      const first = i === 0;
      table.push([
        first ? p.country : '',
        first ? p.iso : '',
        first ? (p.status === 'observer' ? c.cyan(p.status) : p.status) : '',
        cp.id,
        cp.kind,
        cp.emails.join('\n'),
        cp.phones.length ? cp.phones.map(readable).join('\n') : c.yellow('none'),
        cp.sms.map(readable).join('\n'),
        cp.timezone,
      ]);
    });
  }
  println(o.out, c.bold(`${directory.network}${directory.updated ? `, updated ${directory.updated}` : ''}`));
  println(o.out, table.toString());

  const summary = new Table({ head: ['', ...KINDS, 'contact points', 'countries'].map((h) => c.bold(h)), style });
  for (const status of ['party', 'observer'] as const) {
    const ps = directory.parties.filter((p) => p.status === status);
    const kinds = KINDS.map((k) => ps.reduce((n, p) => n + p.contacts.filter((cp) => cp.kind === k).length, 0));
    summary.push([status === 'party' ? 'parties' : 'observers', ...kinds, kinds.reduce((a, b) => a + b, 0), ps.length]);
  }
  summary.push(['total', ...KINDS.map((k) => counts.byKind[k]), counts.contacts, counts.parties + counts.observers]);
  println(o.out, summary.toString());

  if (warnings.length > 0) {
    println(o.err, c.yellow(`${warnings.length} warning${warnings.length === 1 ? '' : 's'}:`));
    for (const w of warnings) println(o.err, formatProblem(w));
  }
  return EXIT.ok;
}
