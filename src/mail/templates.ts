// The office's own words in the ping: template files per language (templates/fr/email.txt,
// email.html, sms.txt, voice.txt, subject.txt) over the built-in texts of ping-texts.ts, checked
// before a run (every unknown placeholder and every template without the token, by file and line)
// and filled in for each ping. PingWording is what the channels ask for the words of a ping.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Ping } from '../core/ping.js';
import type { RunPlan } from '../core/run-folder.js';
import { InputError, type InputProblem } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { suggest } from '../core/suggest.js';
import { formatWall } from '../core/time.js';
import { isTimeZone } from '../core/zone.js';
import { BUILT_IN_TEXTS, baseLanguage, type VoicePrompts } from './ping-texts.js';

export type TemplateKind = 'subject' | 'email' | 'html' | 'sms' | 'voice';

/** The files of a language folder, and what each holds. */
export const TEMPLATE_FILES: Record<string, TemplateKind> = {
  'subject.txt': 'subject',
  'email.txt': 'email',
  'email.html': 'html',
  'sms.txt': 'sms',
  'voice.txt': 'voice',
};

/** The placeholders a template may use, with what each becomes. */
export const PLACEHOLDERS: Record<string, string> = {
  token: "the ping's token (RC-7QK3MZ), by which answers are matched: every template must keep it",
  network: "the network's name, from the directory",
  country: "the contact point's country",
  unit: "the contact point's unit",
  address: 'the address pinged (e-mail address or phone number)',
  deadline: "when the test window closes, in the contact point's time zone",
  window: 'how long the test window is (24h)',
};

/** The office's templates by language (base code, `fr`) and kind: what run.json keeps, so that
 * every ping of a run (also after a resume) says the same thing. */
export type TemplateSet = Record<string, Partial<Record<TemplateKind, string>>>;

export interface LoadedTemplates {
  templates: TemplateSet;
  /** Files read, as shown (`templates/fr/email.txt`). */
  files: string[];
  warnings: InputProblem[];
}

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const LANGUAGE_FOLDER = /^[a-z]{2,3}$/i;

/** Line (1-based) of an offset in a text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The problems of one template's text: unknown placeholders (each by line), no token, empty. */
export function checkTemplate(text: string, file: string, kind: TemplateKind): InputProblem[] {
  const problems: InputProblem[] = [];
  if (text.trim() === '') return [{ file, message: 'is empty: delete it to use the built-in text, or write the ping in it' }];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1]!;
    if (name in PLACEHOLDERS) continue;
    const hint = suggest(name, Object.keys(PLACEHOLDERS));
    problems.push({
      file,
      line: lineAt(text, m.index),
      message: `unknown placeholder {${name}}${hint ? ` (did you mean {${hint}}?)` : ''}; known: ${Object.keys(PLACEHOLDERS).map((p) => `{${p}}`).join(', ')}`,
    });
  }
  if (!/\{token\}/.test(text)) {
    problems.push({ file, message: `drops the token: write {token} in it (answers are matched by the token${kind === 'sms' ? ', and the SMS asks to send it back' : ''})` });
  }
  if (kind === 'subject') {
    const lines = text.replace(/\n+$/, '').split('\n');
    if (lines.length > 1) problems.push({ file, line: 2, message: 'a subject is one line' });
  }
  return problems;
}

/** Reads a file as UTF-8 (a BOM is dropped, CRLF becomes LF); a file in another encoding is an error. */
function readText(path: string, shown: string): string | InputProblem {
  try {
    const bytes = readFileSync(path);
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  } catch (e) {
    if (e instanceof TypeError) return { file: shown, message: 'is not UTF-8 text: save it as UTF-8 (in Notepad: Save as, Encoding UTF-8)' };
    return { file: shown, message: `cannot be read: ${(e as Error).message}` };
  }
}

/**
 * Reads and checks a template folder: one folder per language (`fr`, `en`...), in each the files
 * of TEMPLATE_FILES. Every problem is collected; any error throws an InputError listing them all.
 * `shownAs` is how the folder is named in messages (as the config file gives it).
 */
export function loadTemplates(folder: string, shownAs: string): LoadedTemplates {
  const errors: InputProblem[] = [];
  const warnings: InputProblem[] = [];
  const templates: TemplateSet = {};
  const files: string[] = [];
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new InputError([{ file: shownAs, message: 'no such template folder (named by `templates:` in rollcall.config.yaml)' }]);
  }
  const hidden = (name: string) => name.startsWith('.') || /^readme/i.test(name);
  for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (hidden(entry.name)) continue;
    const shownEntry = join(shownAs, entry.name);
    if (!entry.isDirectory()) {
      const kind = TEMPLATE_FILES[entry.name];
      errors.push({ file: shownEntry, message: `templates go in a folder per language${kind ? `: ${join(shownAs, 'en', entry.name)}, ${join(shownAs, 'fr', entry.name)}...` : ' (en, fr...)'}` });
      continue;
    }
    if (!LANGUAGE_FOLDER.test(entry.name)) {
      errors.push({ file: shownEntry, message: 'a folder per language, named by its code: en, fr, es, pt (the ping goes in the first of a contact point\'s languages that has a text)' });
      continue;
    }
    const lang = entry.name.toLowerCase();
    const set: Partial<Record<TemplateKind, string>> = {};
    for (const f of readdirSync(join(folder, entry.name), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (hidden(f.name)) continue;
      const shown = join(shownEntry, f.name);
      const kind = TEMPLATE_FILES[f.name];
      if (!kind || !f.isFile()) {
        const hint = suggest(f.name, Object.keys(TEMPLATE_FILES));
        errors.push({ file: shown, message: `unknown template file${hint ? ` (did you mean ${hint}?)` : ''}; a language folder holds ${Object.keys(TEMPLATE_FILES).join(', ')}` });
        continue;
      }
      const text = readText(join(folder, entry.name, f.name), shown);
      if (typeof text !== 'string') {
        errors.push(text);
        continue;
      }
      files.push(shown);
      const problems = checkTemplate(text, shown, kind);
      errors.push(...problems);
      if (problems.length === 0) set[kind] = kind === 'subject' ? text.trim() : text.replace(/\s+$/, '');
      if (kind === 'sms' && problems.length === 0) {
        const length = fill(text, { token: 'RC-7QK3MZ', network: 'N'.repeat(20), country: '', unit: '', address: '', deadline: '2024-06-06 10:31 (Europe/Paris)', window: '24h' }).trim().length;
        if (length > 160) warnings.push({ file: shown, message: `about ${length} characters once filled in: sent as several SMS (one holds 160, or 70 with accents outside the GSM alphabet)` });
      }
    }
    if (set.html !== undefined && !set.email && !errors.some((e) => e.file === join(shownEntry, 'email.txt'))) {
      errors.push({ file: join(shownEntry, 'email.html'), message: 'needs email.txt beside it: every ping carries a plain-text version' });
    }
    if (Object.keys(set).length > 0) templates[lang] = set;
  }
  if (errors.length > 0) throw new InputError(errors);
  return { templates, files, warnings };
}

/** The folder named by `templates:` in rollcall.config.yaml, read and checked; undefined when none
 * is named (the built-in texts are used). */
export function configuredTemplates(folder: string | undefined, cwd: string): LoadedTemplates | undefined {
  if (folder === undefined || folder.trim() === '') return undefined;
  return loadTemplates(resolve(cwd, folder), folder.replace(/\/+$/, '').replace(/^\.\//, ''));
}

/** Replaces the placeholders; `escape` is applied to the values (HTML). */
function fill(template: string, vars: Record<string, string>, escape: (s: string) => string = (s) => s): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => (name in vars ? escape(vars[name]!) : whole));
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The token read out character by character: "R, C, 7, Q...". */
function spell(token: string): string {
  return [...token.replace(/[^A-Za-z0-9]/g, '')].join(', ');
}

/** The fields of a ping that its words use (tests and `check` give fewer). */
export type PingFields = Pick<Ping, 'token' | 'languages'> & Partial<Pick<Ping, 'unit' | 'country' | 'address' | 'timezone'>>;

export interface EmailWords {
  /** Language it is written in (the English version follows any other). */
  language: string;
  /** From subject.txt of that language, when the office wrote one. */
  subject?: string;
  text: string;
  html: string;
}

export interface VoiceWords extends VoicePrompts {
  language: string;
  /** The script, token spelled out. */
  message: string;
  /** The voice of the prompts (press 1, thanks): the script's, or English when rollcall has no
   * prompts in the script's language. */
  promptSay: string;
}

export interface WordingOptions {
  network: string;
  /** The office's templates (run.json's snapshot); the built-in texts fill the gaps. */
  templates?: TemplateSet;
  /** When the test window closes ({deadline}). */
  deadline?: Date;
  /** Length of the test window in seconds ({window}); default 24 h. */
  windowSeconds?: number;
}

/** The words of every ping of a run, by channel, in the contact point's language. */
export class PingWording {
  private readonly templates: TemplateSet;

  constructor(private readonly o: WordingOptions) {
    this.templates = o.templates ?? {};
  }

  private text(lang: string, kind: 'email' | 'html' | 'sms' | 'voice' | 'subject'): string | undefined {
    const own = this.templates[lang]?.[kind];
    if (own !== undefined) return own;
    if (kind === 'html' || kind === 'subject') return undefined;
    // The office's e-mail text for a language replaces the built-in one, HTML included.
    const builtIn = BUILT_IN_TEXTS[lang];
    return builtIn?.[kind] || undefined;
  }

  /** The first of the contact point's languages with a text of this kind, else English. */
  languageOf(languages: readonly string[], kind: 'email' | 'sms' | 'voice'): string {
    for (const l of languages) {
      const base = baseLanguage(l);
      if (this.text(base, kind) !== undefined) return base;
    }
    return 'en';
  }

  /** Languages the office wrote templates for. */
  get ownLanguages(): string[] {
    return Object.keys(this.templates).sort();
  }

  private vars(ping: PingFields): Record<string, string> {
    const zone = ping.timezone && isTimeZone(ping.timezone) ? ping.timezone : 'UTC';
    return {
      token: ping.token,
      network: this.o.network,
      country: ping.country ?? '',
      unit: ping.unit ?? '',
      address: ping.address ?? '',
      deadline: this.o.deadline ? `${formatWall(this.o.deadline, zone)} (${zone})` : 'the end of the test window',
      window: formatDuration(this.o.windowSeconds ?? 86_400),
    };
  }

  /** A language's name in that language (`Français`), shown above the second version. */
  languageName(lang: string): string {
    const builtIn = BUILT_IN_TEXTS[lang]?.name;
    if (builtIn) return builtIn;
    try {
      const name = new Intl.DisplayNames([lang], { type: 'language' }).of(lang) ?? lang;
      return name.charAt(0).toLocaleUpperCase(lang) + name.slice(1);
    } catch {
      return lang;
    }
  }

  email(ping: PingFields): EmailWords {
    const language = this.languageOf(ping.languages, 'email');
    const langs = language === 'en' ? ['en'] : [language, 'en'];
    const vars = this.vars(ping);
    const blocks = langs.map((lang) => ({ lang, text: fill(this.text(lang, 'email') ?? '', vars), html: this.htmlBlock(lang, vars) }));
    const text = blocks.map((b, i) => (i === 0 ? '' : `----- ${this.languageName(b.lang)} -----\n\n`) + b.text).join('\n\n');
    const html =
      '<!doctype html><html><body>' +
      blocks.map((b, i) => (i === 0 ? '' : `<hr><p><em>${escapeHtml(this.languageName(b.lang))}</em></p>`) + `<div lang="${b.lang}">${b.html}</div>`).join('') +
      '</body></html>';
    const subject = this.text(language, 'subject');
    return { language, text: text + '\n', html, ...(subject !== undefined ? { subject: fill(subject, vars) } : {}) };
  }

  /** The office's HTML (its body, when it is a whole document), else the text as paragraphs. */
  private htmlBlock(lang: string, vars: Record<string, string>): string {
    const own = this.templates[lang]?.html;
    if (own !== undefined) {
      const body = /<body[^>]*>([\s\S]*)<\/body>/i.exec(own)?.[1] ?? own;
      return fill(body.trim(), vars, escapeHtml);
    }
    const token = escapeHtml(vars.token ?? '');
    return (this.text(lang, 'email') ?? '')
      .split(/\n{2,}/)
      .map((p) => `<p>${fill(p, vars, escapeHtml).split(token).join(`<strong>${token}</strong>`).replace(/\n/g, '<br>')}</p>`)
      .join('');
  }

  sms(ping: PingFields): string {
    const lang = this.languageOf(ping.languages, 'sms');
    return fill(this.text(lang, 'sms') ?? this.text('en', 'sms')!, this.vars(ping)).trim();
  }

  voice(ping: PingFields): VoiceWords {
    const language = this.languageOf(ping.languages, 'voice');
    const prompts = BUILT_IN_TEXTS[language]?.prompts ?? BUILT_IN_TEXTS.en!.prompts!;
    const vars = { ...this.vars(ping), token: spell(ping.token) };
    const message = fill(this.text(language, 'voice') ?? this.text('en', 'voice')!, vars).replace(/\s+/g, ' ').trim();
    return { language, message, ...prompts, say: BUILT_IN_TEXTS[language]?.prompts?.say ?? twilioVoice(language), promptSay: prompts.say };
  }
}

/** Twilio's <Say language> wants a region (`pl-PL`, `sv-SE`): the likeliest for a language. */
function twilioVoice(lang: string): string {
  try {
    const region = new Intl.Locale(lang).maximize().region;
    return region ? `${lang}-${region}` : lang;
  } catch {
    return lang;
  }
}

/** The words of a run's pings: its snapshot of the templates (run.json), the deadline counted
 * from its start (the planned one until it has started; now, when that has passed unstarted). */
export function runWording(plan: Pick<RunPlan, 'network' | 'templates' | 'windowSeconds' | 'startAt'>, startedAt?: string, now = new Date()): PingWording {
  const start = startedAt !== undefined ? Date.parse(startedAt) : Math.max(now.getTime(), Date.parse(plan.startAt));
  return new PingWording({
    network: plan.network,
    ...(plan.templates ? { templates: plan.templates } : {}),
    deadline: new Date(start + plan.windowSeconds * 1000),
    windowSeconds: plan.windowSeconds,
  });
}

/** The built-in words, for a network (what a run without a template folder sends). */
export function builtInWording(network: string): PingWording {
  return new PingWording({ network });
}
