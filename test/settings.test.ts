// The settings pipeline: defaults, then rollcall.config.yaml, then the environment (wins); secrets
// only from the environment; the voice settings parsed and checked, naming what is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EXIT, InputError, SettingsError } from '../src/core/errors.js';
import { DEFAULT_SUBJECT, loadSettings } from '../src/settings.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const configPath = join(tmp, 'rollcall.config.yaml');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('loadSettings', () => {
  it('gives the defaults with neither file nor environment', () => {
    expect(loadSettings({}, tmp, '')).toEqual({ subject: DEFAULT_SUBJECT, folders: [] });
  });

  it('reads rollcall.config.yaml from the folder, and the environment wins over it', () => {
    writeFileSync(
      configPath,
      [
        '# settings of the secretariat',
        'from: "24/7 Secretariat <secretariat@coe.example>"',
        'folders: [Junk, "Spam"]',
        'twilioFrom: +12025550100   # our number',
        'voiceAttempts: 3',
        'voiceRetryInterval: 5m',
        '',
      ].join('\n'),
    );
    const fromFile = loadSettings({}, tmp);
    expect(fromFile).toMatchObject({
      from: '24/7 Secretariat <secretariat@coe.example>',
      folders: ['Junk', 'Spam'],
      twilioFrom: '+12025550100',
      voiceAttempts: 3,
      voiceRetryInterval: 300,
    });
    const both = loadSettings(
      { ROLLCALL_FROM: 'Other <other@coe.example>', ROLLCALL_TWILIO_FROM: '+12025550199', ROLLCALL_VOICE_ATTEMPTS: '1', ROLLCALL_VOICE_RETRY_INTERVAL: '90s', TWILIO_AUTH_TOKEN: 'tok' },
      tmp,
    );
    expect(both).toMatchObject({ from: 'Other <other@coe.example>', twilioFrom: '+12025550199', folders: ['Junk', 'Spam'], voiceAttempts: 1, voiceRetryInterval: 90, twilioAuthToken: 'tok' });
    // An empty variable does not wipe the file's value.
    expect(loadSettings({ ROLLCALL_FROM: '', ROLLCALL_VOICE_ATTEMPTS: ' ' }, tmp)).toMatchObject({ from: '24/7 Secretariat <secretariat@coe.example>', voiceAttempts: 3 });
    rmSync(configPath);
  });

  it('refuses secrets in the file, naming the variable to use, with the file and line', () => {
    const e = thrown(() => loadSettings({}, tmp, 'from: a@b.example\ntwilioAuthToken: 0123456789abcdef\nsmtpUrl: smtp://u:p@mail.example\n'));
    expect(e).toBeInstanceOf(InputError);
    const err = e as InputError;
    expect(err.exitCode).toBe(EXIT.cannotStart);
    expect(err.problems).toEqual([
      expect.objectContaining({ file: configPath, line: 2, field: 'twilioAuthToken', message: expect.stringContaining('TWILIO_AUTH_TOKEN in the environment') }),
      expect.objectContaining({ file: configPath, line: 3, field: 'smtpUrl', message: expect.stringContaining('ROLLCALL_SMTP_URL') }),
    ]);
    // The secret's value is never repeated.
    expect(err.message).not.toContain('0123456789abcdef');
    expect(err.message).not.toContain('u:p@');
    expect(err.message).toContain(`${configPath}:2: twilioAuthToken:`);
  });

  it('refuses unknown keys with the file and line, and lines that are not `key: value`', () => {
    const e = thrown(() => loadSettings({}, tmp, '\n# comment\nsubject: Test {token}\nvoiceAttempt: 2\n')) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.problems).toEqual([expect.objectContaining({ file: configPath, line: 4, field: 'voiceAttempt', message: expect.stringMatching(/^unknown setting \(allowed: .*voiceAttempts/) })]);
    const bad = thrown(() => loadSettings({}, tmp, 'from: a@b.example\n  - nested\n')) as InputError;
    expect(bad).toBeInstanceOf(InputError);
    expect(bad.problems[0]).toMatchObject({ file: configPath, line: 2 });
  });

  it('parses ROLLCALL_VOICE_ATTEMPTS and ROLLCALL_VOICE_RETRY_INTERVAL', () => {
    expect(loadSettings({ ROLLCALL_VOICE_ATTEMPTS: '4', ROLLCALL_VOICE_RETRY_INTERVAL: '10m' }, tmp, '')).toMatchObject({ voiceAttempts: 4, voiceRetryInterval: 600 });
    expect(loadSettings({ ROLLCALL_VOICE_ATTEMPTS: ' 1 ', ROLLCALL_VOICE_RETRY_INTERVAL: '1h30m' }, tmp, '')).toMatchObject({ voiceAttempts: 1, voiceRetryInterval: 5400 });
    expect(loadSettings({ ROLLCALL_VOICE_RETRY_INTERVAL: '45s' }, tmp, '').voiceRetryInterval).toBe(45);
  });

  it.each([
    ['ROLLCALL_VOICE_ATTEMPTS', '0'],
    ['ROLLCALL_VOICE_ATTEMPTS', '11'],
    ['ROLLCALL_VOICE_ATTEMPTS', 'two'],
    ['ROLLCALL_VOICE_ATTEMPTS', '1.5'],
    ['ROLLCALL_VOICE_ATTEMPTS', '-1'],
    ['ROLLCALL_VOICE_RETRY_INTERVAL', '10'],
    ['ROLLCALL_VOICE_RETRY_INTERVAL', 'ten minutes'],
    ['ROLLCALL_VOICE_RETRY_INTERVAL', '0m'],
    ['ROLLCALL_VOICE_RETRY_INTERVAL', '1.5s'],
  ])('refuses %s=%s with a SettingsError naming the variable', (name, value) => {
    const e = thrown(() => loadSettings({ [name]: value }, tmp, ''));
    expect(e).toBeInstanceOf(SettingsError);
    expect((e as SettingsError).exitCode).toBe(EXIT.cannotStart);
    expect((e as Error).message).toMatch(new RegExp(`^${name} must be `));
    expect((e as Error).message).toContain(`"${value}"`);
  });

  it('refuses bad voice settings in the file, located, every one of them', () => {
    const e = thrown(() => loadSettings({}, tmp, 'voiceAttempts: many\nvoiceRetryInterval: [1m, 2m]\n')) as InputError;
    expect(e).toBeInstanceOf(InputError);
    expect(e.problems).toEqual([
      expect.objectContaining({ line: 1, field: 'voiceAttempts', message: expect.stringContaining('whole number of calls from 1 to 10') }),
      expect.objectContaining({ line: 2, field: 'voiceRetryInterval', message: 'must be a single value, not a list' }),
    ]);
    // The file is checked as written, even where the environment overrides it.
    expect(() => loadSettings({ ROLLCALL_VOICE_ATTEMPTS: '2' }, tmp, 'voiceAttempts: 0\n')).toThrow(InputError);
  });
});
