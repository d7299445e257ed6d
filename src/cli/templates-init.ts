// rollcall templates init [folder] [--languages en,fr]: writes rollcall's built-in ping texts as
// template files, for the office to reword (never over a file that exists), and says how to use
// them. The same checks as `run` are then applied to the folder.
import { existsSync, writeFileSync } from 'node:fs';
import { makeFolder, pathError } from '../core/make-folder.js';
import { join, resolve } from 'node:path';
import { EXIT, UsageError } from '../core/errors.js';
import { BUILT_IN_TEXTS } from '../mail/ping-texts.js';
import { loadTemplates } from '../mail/templates.js';
import { shown } from './end-summary.js';
import { commandLine, type Output } from './output.js';
import type { TemplatesInitOptions } from './commands.js';

export async function run(args: string[], opts: TemplatesInitOptions, o: Output): Promise<number> {
  const folderArg = args[0]!; // default declared in commands.ts
  const folder = resolve(o.cwd, folderArg);
  const known = Object.keys(BUILT_IN_TEXTS);
  const wanted = opts.languages !== undefined ? opts.languages.split(',').map((l) => l.trim().toLowerCase()).filter(Boolean) : known;
  for (const l of wanted) {
    if (!known.includes(l)) throw new UsageError(`--languages: rollcall has no built-in text in "${l}" (it has ${known.join(', ')}); write ${join(folderArg, l, 'email.txt')} yourself`);
  }
  const written: string[] = [];
  const kept: string[] = [];
  for (const lang of wanted) {
    const t = BUILT_IN_TEXTS[lang]!;
    const files: Array<[string, string | undefined]> = [
      ['email.txt', t.email],
      ['sms.txt', t.sms],
      ['voice.txt', t.voice],
    ];
    for (const [name, text] of files) {
      if (text === undefined) continue;
      const path = join(folder, lang, name);
      if (existsSync(path)) {
        kept.push(shown(path, o.cwd));
        continue;
      }
      makeFolder(join(folder, lang), 'templates init: cannot write to');
      try {
        writeFileSync(path, text + '\n');
      } catch (e) {
        throw pathError(e, path, 'templates init: cannot write to');
      }
      written.push(shown(path, o.cwd));
    }
  }
  // What was written must pass the checks a run applies.
  loadTemplates(folder, folderArg);
  if (o.json) {
    o.out.write(JSON.stringify({ folder: shown(folder, o.cwd), written, kept }, null, 2) + '\n');
    return EXIT.ok;
  }
  o.out.write(
    [
      `Wrote ${written.length} template file${written.length === 1 ? '' : 's'} into ${shown(folder, o.cwd)}${kept.length > 0 ? ` (kept ${kept.length} that existed)` : ''}.`,
      `Reword them, delete those you do not need (the built-in text is used instead), keep {token} in each.`,
      `Then set \`templates: ${folderArg.startsWith('.') || folderArg.startsWith('/') ? folderArg : `./${folderArg}`}\` in rollcall.config.yaml and see them rendered: ${commandLine(o, 'check --directory <file>')}`,
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}
