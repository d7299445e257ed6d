// The office's own words: template folders checked (every unknown placeholder and every template
// without the token, by file and line), filled in per ping and channel, refused before a run is
// created, shown by `check`, and kept in run.json so that a resumed run says the same thing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import type { Ping } from '../../src/core/ping.js';
import { composePing } from '../../src/mail/compose.js';
import { checkTemplate, loadTemplates, PingWording, runWording } from '../../src/mail/templates.js';
import { smsText } from '../../src/channels/sms.js';
import { voiceTwiml } from '../../src/channels/voice.js';
import { loadSettings, DEFAULT_SUBJECT } from '../../src/settings.js';
import type { RunPlan } from '../../src/core/run-folder.js';
import { binPath, rollcall } from '../support/cli.js';
import { tempDir } from '../run/support.js';

const tmp = tempDir('rollcall-templates-');
afterAll(() => tmp.remove());

function folder(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(tmp.path, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const ping = (over: Partial<Ping> = {}): Ping => ({
  pingId: 'FR-POL/email/1',
  contactId: 'FR-POL',
  iso: 'FR',
  country: 'France',
  unit: 'OFAC <cyber>',
  channel: 'email',
  address: 'poc@police.fr.example',
  token: 'RC-7QK3MZ',
  messageId: '<RC-7QK3MZ.abcdefghjk@coe.example>',
  languages: ['fr', 'en'],
  timezone: 'Europe/Paris',
  ...over,
});

const OFFICE = {
  'fr/email.txt': 'Madame, Monsieur ({unit}, {country}),\r\n\r\nCeci est un exercice {token} du {network}.\r\nMerci de répondre avant le {deadline}.\r\n',
  'fr/email.html': '<html><body><p>Exercice <b>{token}</b> pour {unit}</p></body></html>',
  'fr/subject.txt': '\uFEFFExercice {network} {token}\n',
  'fr/sms.txt': '{network}: exercice {token}, répondez OK {token}',
  'fr/voice.txt': 'Exercice du {network}. Code {token}.',
  'en/email.txt': 'Dear {unit},\n\nDrill {token} of the {network}, within {window}.\n',
  'pl/email.txt': 'Test {token} ({network}).',
  'pl/voice.txt': 'To jest test, kod {token}.',
  '.DS_Store': 'ignored',
};

describe('checking templates', () => {
  it('names the file and line of every unknown placeholder, with the nearest known one', () => {
    expect(checkTemplate('Hello {unit},\n\nref {tokne}\n{token} {foo}', 't/fr/email.txt', 'email')).toEqual([
      { file: 't/fr/email.txt', line: 3, message: expect.stringMatching(/^unknown placeholder \{tokne\} \(did you mean \{token\}\?\); known: \{token\}, \{network\}/) },
      { file: 't/fr/email.txt', line: 4, message: expect.stringMatching(/^unknown placeholder \{foo\}; known:/) },
    ]);
  });

  it('refuses a template that drops the token, an empty one, a subject of two lines', () => {
    expect(checkTemplate('Reply OK', 'sms.txt', 'sms')).toEqual([{ file: 'sms.txt', message: expect.stringMatching(/^drops the token: write \{token\}/) }]);
    expect(checkTemplate('  \n', 'voice.txt', 'voice')[0]!.message).toMatch(/is empty/);
    expect(checkTemplate('Test {token}\nsecond', 'subject.txt', 'subject')).toEqual([{ file: 'subject.txt', line: 2, message: 'a subject is one line' }]);
  });

  it('lists every problem of a folder at once: unknown files and folders, not UTF-8, HTML without text', () => {
    const dir = folder('broken', {
      'fr/email.txt': 'Bonjour,\nréférence {tokn}\n',
      'fr/emial.txt': 'typo in the file name',
      'fr/sms.txt': Buffer.from('R\xe9pondez OK {token}', 'latin1'),
      'de/email.html': '<p>{token}</p>',
      'french/email.txt': '{token}',
      'email.txt': '{token}',
    });
    let error: unknown;
    try {
      loadTemplates(dir, 'templates');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const lines = (error as InputError).message.split('\n');
    expect(lines).toEqual([
      'templates/de/email.html: needs email.txt beside it: every ping carries a plain-text version',
      expect.stringMatching(/^templates\/email\.txt: templates go in a folder per language: templates\/en\/email\.txt/),
      expect.stringMatching(/^templates\/fr\/email\.txt:2: unknown placeholder \{tokn\} \(did you mean \{token\}\?\)/),
      expect.stringMatching(/^templates\/fr\/email\.txt: drops the token/),
      expect.stringMatching(/^templates\/fr\/emial\.txt: unknown template file \(did you mean email\.txt\?\)/),
      expect.stringMatching(/^templates\/fr\/sms\.txt: is not UTF-8 text/),
      expect.stringMatching(/^templates\/french: a folder per language, named by its code/),
    ]);
    expect((error as InputError).exitCode).toBe(2);
  });
});

describe('the words of a ping', () => {
  const loaded = loadTemplates(folder('office', OFFICE), 'templates');
  const wording = new PingWording({ network: '24/7 Network', templates: loaded.templates, deadline: new Date('2024-06-06T08:31:00Z'), windowSeconds: 86_400 });

  it('reads every file of the folder (BOM and CRLF dropped)', () => {
    expect(loaded.files).toHaveLength(8);
    expect(loaded.templates.fr!.subject).toBe('Exercice {network} {token}');
    expect(loaded.templates.fr!.email).not.toContain('\r');
  });

  it("writes the e-mail in the contact point's language from the office's text, then the office's English", () => {
    const m = composePing(ping(), { from: 'S <s@coe.example>', subject: DEFAULT_SUBJECT, network: '24/7 Network', wording });
    expect(m.subject).toBe('Exercice 24/7 Network RC-7QK3MZ');
    expect(m.language).toBe('fr');
    expect(m.text).toBe(
      'Madame, Monsieur (OFAC <cyber>, France),\n\nCeci est un exercice RC-7QK3MZ du 24/7 Network.\nMerci de répondre avant le 2024-06-06 10:31 (Europe/Paris).\n\n' +
        '----- English -----\n\nDear OFAC <cyber>,\n\nDrill RC-7QK3MZ of the 24/7 Network, within 24h.\n',
    );
    // The office's HTML (its body), values escaped; the English HTML made from the English text.
    expect(m.html).toContain('<div lang="fr"><p>Exercice <b>RC-7QK3MZ</b> pour OFAC &#60;cyber&#62;</p></div>');
    expect(m.html).toContain('<div lang="en"><p>Dear OFAC &#60;cyber&#62;,</p><p>Drill <strong>RC-7QK3MZ</strong> of the 24/7 Network, within 24h.</p></div>');
    expect(m.html).not.toMatch(/<html><body><p>Exercice/);
  });

  it('uses the built-in text where the office wrote none, and a language only the office has', () => {
    expect(composePing(ping({ languages: ['de'] }), { from: 's@coe.example', subject: DEFAULT_SUBJECT, network: 'N', wording }).text).toMatch(/^Sehr geehrte[\s\S]*----- English -----\n\nDear OFAC/);
    const pl = composePing(ping({ languages: ['pl', 'en'] }), { from: 's@coe.example', subject: DEFAULT_SUBJECT, network: 'N', wording });
    expect(pl.language).toBe('pl');
    expect(pl.text).toMatch(/^Test RC-7QK3MZ \(24\/7 Network\)\.\n\n----- English -----\n\nDear OFAC/);
    expect(pl.subject).toBe('[N] Responsiveness test RC-7QK3MZ - please reply');
  });

  it('gives SMS and voice their text from the same place', () => {
    expect(smsText(ping({ languages: ['fr-BE'] }), 'N', wording)).toBe('24/7 Network: exercice RC-7QK3MZ, répondez OK RC-7QK3MZ');
    expect(smsText(ping({ languages: ['es'] }), 'N', wording)).toBe('24/7 Network: prueba de respuesta RC-7QK3MZ. Responda OK RC-7QK3MZ para confirmar que lo ha recibido.');
    const twiml = voiceTwiml(ping({ languages: ['fr'] }), { publicUrl: 'https://hooks.rollcall.example', wording });
    expect(twiml).toContain('<Say language="fr-FR">Exercice du 24/7 Network. Code R, C, 7, Q, K, 3, M, Z. Si vous entendez ce message, appuyez sur 1 pour confirmer.</Say>');
    // A language rollcall has no prompts in: the office's script in its voice, the prompt in English.
    const pl = voiceTwiml(ping({ languages: ['pl'] }), { publicUrl: 'https://hooks.rollcall.example', wording });
    expect(pl).toContain('<Say language="pl-PL">To jest test, kod R, C, 7, Q, K, 3, M, Z.</Say><Say language="en-GB">If you hear this message, please press 1 to confirm.</Say>');
  });

  it('counts the deadline from the start of the run', () => {
    const plan = { network: 'N', windowSeconds: 3600, startAt: '2024-06-05T08:00:00Z', templates: { en: { sms: 'Reply {token} by {deadline}' } } } as Pick<RunPlan, 'network' | 'templates' | 'windowSeconds' | 'startAt'>;
    expect(runWording(plan, undefined, new Date('2024-06-01T00:00:00Z')).sms(ping({ languages: ['en'], timezone: 'UTC' }))).toBe('Reply RC-7QK3MZ by 2024-06-05 09:00 (UTC)');
    expect(runWording(plan, '2024-06-05T08:30:00Z').sms(ping({ languages: ['en'], timezone: 'Asia/Tokyo' }))).toBe('Reply RC-7QK3MZ by 2024-06-05 18:30 (Asia/Tokyo)');
  });
});

describe('templates in rollcall.config.yaml', () => {
  it('refuses body: with a pointer to templates', () => {
    let error: unknown;
    try {
      loadSettings({}, tmp.path, 'subject: Test {token}\nbody: Dear colleagues\n');
    } catch (e) {
      error = e;
    }
    expect((error as InputError).problems).toEqual([expect.objectContaining({ line: 2, field: 'body', message: expect.stringContaining('templates: ./templates') })]);
    expect(loadSettings({}, tmp.path, 'templates: ./office-words\n').templates).toBe('./office-words');
  });
});

const ENV = {
  ROLLCALL_SMTP_URL: 'smtp://sender:Secret-pw@127.0.0.1:9',
  ROLLCALL_IMAP_URL: 'imap://secretariat:Secret-pw@127.0.0.1:9/INBOX',
  ROLLCALL_FROM: '24/7 Network Secretariat <secretariat@rollcall.test>',
};

function project(name: string, files: Record<string, string>): string {
  const dir = folder(name, { ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`templates/${k}`, v])), 'rollcall.config.yaml': 'templates: ./templates\n' });
  writeFileSync(
    join(dir, 'directory.yaml'),
    [
      'network: Test Network',
      'parties:',
      '  - country: France',
      '    iso: FR',
      '    status: party',
      '    contacts:',
      '      - id: FR-POL',
      '        unit: OFAC',
      '        kind: police',
      '        emails: [poc@police.fr.example]',
      '        phones: ["+33 1 40 97 00 00"]',
      '        timezone: Europe/Paris',
      '        languages: [fr]',
      '',
    ].join('\n'),
  );
  return dir;
}

describe('rollcall templates init', () => {
  it("writes the built-in texts as files whose pings are the built-in ones, and never overwrites", () => {
    const dir = join(tmp.path, 'init');
    mkdirSync(join(dir, 'templates', 'fr'), { recursive: true });
    writeFileSync(join(dir, 'templates', 'fr', 'sms.txt'), 'Our own {token}\n');
    const r = rollcall(['templates', 'init', '--languages', 'en,fr,de'], { cwd: dir });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Wrote 8 template files into templates (kept 1 that existed).');
    expect(readFileSync(join(dir, 'templates', 'fr', 'sms.txt'), 'utf8')).toBe('Our own {token}\n');
    const own = new PingWording({ network: 'N', templates: loadTemplates(join(dir, 'templates'), 'templates').templates });
    const builtIn = new PingWording({ network: 'N' });
    for (const languages of [['en'], ['fr'], ['de-AT'], ['es']]) {
      const p = ping({ languages });
      expect(own.email(p), languages[0]).toEqual(builtIn.email(p));
      expect(own.voice(p), languages[0]).toEqual(builtIn.voice(p));
    }
    expect(own.sms(ping({ languages: ['de'] }))).toBe(builtIn.sms(ping({ languages: ['de'] })));
    expect(rollcall(['templates', 'init', '--languages', 'xx'], { cwd: dir }).stderr).toContain('no built-in text in "xx"');
  });
});

describe('the CLI', () => {
  it('run: a template problem stops it before anything is created, exit 2, file and line named', () => {
    const dir = project('cli-bad', { 'fr/email.txt': 'Bonjour\n{token} {unite}\n', 'fr/sms.txt': 'Répondez OK' });
    const r = rollcall(['run', '--directory', 'directory.yaml', '--yes'], { env: ENV, cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('templates/fr/email.txt:2: unknown placeholder {unite} (did you mean {unit}?)');
    expect(r.stderr).toContain('templates/fr/sms.txt: drops the token');
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, 'runs'))).toBe(false);
  });

  it('check: shows the ping rendered from the office text (the servers being down is exit 1)', () => {
    const dir = project('cli-check', { 'fr/email.txt': 'Bonjour {unit},\n\nExercice {token} ({network}).\n' });
    const r = rollcall(['check', '--directory', 'directory.yaml', '--channels', 'email', '--timeout', '2s'], { env: ENV, cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('Templates: ./templates (1 file: fr/email.txt)');
    expect(r.stdout).toMatch(/The e-mail France \(FR-POL\) would get, in Français:[\s\S]* {2}Bonjour OFAC,\n {2}\n {2}Exercice RC-[0-9A-Z]{6} \(Test Network\)\./);
    const json = rollcall(['check', '--directory', 'directory.yaml', '--timeout', '2s', '--json'], { env: ENV, cwd: dir });
    const rendered = (JSON.parse(json.stdout) as { rendered: Array<{ language: string; text: string }> }).rendered;
    expect(rendered.map((x) => x.language)).toEqual(['fr']);
    expect(rendered[0]!.text).toMatch(/^Bonjour OFAC,/);
  });

  it('run: keeps the templates in run.json, so that a resumed run says the same', async () => {
    const dir = project('cli-run', { 'fr/email.txt': 'Bonjour,\n\nExercice {token}.\n', 'fr/sms.txt': 'OK {token}' });
    const at = new Date(Date.now() + 86_400_000).toISOString();
    const child = spawn(process.execPath, [binPath, 'run', '--directory', 'directory.yaml', '--at', at, '--yes'], { cwd: dir, env: { ...process.env, ...ENV, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no start in: ${out}`)), 20_000);
      child.stdout.on('data', () => {
        if (/starts at/.test(out)) {
          clearTimeout(t);
          resolve();
        }
      });
    });
    // The office edits its folder after the run was created: the run keeps what it had.
    writeFileSync(join(dir, 'templates/fr/email.txt'), 'Changed {token}\n');
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.on('exit', r))).toBe(143);
    const [id] = readdirSync(join(dir, 'runs'));
    const plan = JSON.parse(readFileSync(join(dir, 'runs', id!, 'run.json'), 'utf8')) as RunPlan;
    expect(plan.templates).toEqual({ fr: { email: 'Bonjour,\n\nExercice {token}.', sms: 'OK {token}' } });
  }, 30_000);
});
