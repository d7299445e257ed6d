// Settings: defaults, then rollcall.config.yaml (no secrets), then the environment (wins).
// Secrets (passwords in URLs, the Twilio token) come from the environment only.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsError, InputError, type InputProblem } from './core/errors.js';
import { parseDuration } from './core/duration.js';

export interface Settings {
  smtpUrl?: string;
  imapUrl?: string;
  from?: string;
  twilioAccountSid?: string;
  twilioAuthToken?: string;
  twilioFrom?: string;
  twilioApiUrl?: string;
  /** Subject template; `{token}` and `{network}` are replaced. */
  subject: string;
  /** IMAP folders to watch besides INBOX (e.g. Junk). */
  folders: string[];
  /** Calls per voice ping when nobody answers (ROLLCALL_VOICE_ATTEMPTS, 1 to 10). */
  voiceAttempts?: number;
  /** Seconds before an unanswered number is called again (ROLLCALL_VOICE_RETRY_INTERVAL, e.g. `10m`). */
  voiceRetryInterval?: number;
}

const ENV: Record<string, keyof Settings> = {
  ROLLCALL_SMTP_URL: 'smtpUrl',
  ROLLCALL_IMAP_URL: 'imapUrl',
  ROLLCALL_FROM: 'from',
  TWILIO_ACCOUNT_SID: 'twilioAccountSid',
  TWILIO_AUTH_TOKEN: 'twilioAuthToken',
  ROLLCALL_TWILIO_FROM: 'twilioFrom',
  ROLLCALL_TWILIO_API_URL: 'twilioApiUrl',
};

/** Numeric settings: parsed and checked, from the environment or the file. */
const NUMERIC_ENV: Record<string, 'voiceAttempts' | 'voiceRetryInterval'> = {
  ROLLCALL_VOICE_ATTEMPTS: 'voiceAttempts',
  ROLLCALL_VOICE_RETRY_INTERVAL: 'voiceRetryInterval',
};

/** Keys the config file may set: everything but secrets. */
const FILE_KEYS = new Set(['from', 'subject', 'folders', 'twilioFrom', 'twilioApiUrl', 'voiceAttempts', 'voiceRetryInterval']);
/** Secrets, with the variable that carries each: refused in the file by name. */
const SECRET_KEYS: Record<string, string> = {
  smtpUrl: 'ROLLCALL_SMTP_URL',
  imapUrl: 'ROLLCALL_IMAP_URL',
  twilioAccountSid: 'TWILIO_ACCOUNT_SID',
  twilioAuthToken: 'TWILIO_AUTH_TOKEN',
};

export const MAX_VOICE_ATTEMPTS = 10;

/** ROLLCALL_VOICE_ATTEMPTS / voiceAttempts: a whole number of calls, 1 to 10. */
function parseVoiceAttempts(value: string): number | string {
  const t = value.trim();
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > MAX_VOICE_ATTEMPTS) return `must be a whole number of calls from 1 to ${MAX_VOICE_ATTEMPTS} (got "${t}")`;
  return Number(t);
}

/** ROLLCALL_VOICE_RETRY_INTERVAL / voiceRetryInterval: a duration like `10m`, whole seconds, at least 1 s. */
function parseRetryInterval(value: string): number | string {
  const t = value.trim();
  const seconds = parseDuration(t);
  if (seconds === undefined || !Number.isInteger(seconds)) return `must be a duration in whole seconds like 10m, 90s or 1h (got "${t}")`;
  return seconds;
}

const NUMERIC_PARSERS: Record<'voiceAttempts' | 'voiceRetryInterval', (v: string) => number | string> = {
  voiceAttempts: parseVoiceAttempts,
  voiceRetryInterval: parseRetryInterval,
};

export const DEFAULT_SUBJECT = '[{network}] Responsiveness test {token} - please reply';

export function loadSettings(env: NodeJS.ProcessEnv, cwd: string, fileText?: string): Settings {
  const settings: Settings = { subject: DEFAULT_SUBJECT, folders: [] };
  const path = join(cwd, 'rollcall.config.yaml');
  const text = fileText ?? (existsSync(path) ? readFileSync(path, 'utf8') : undefined);
  if (text !== undefined) Object.assign(settings, parseConfigFile(text, path));
  for (const [name, key] of Object.entries(ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') (settings as unknown as Record<string, unknown>)[key] = value;
  }
  for (const [name, key] of Object.entries(NUMERIC_ENV)) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    const parsed = NUMERIC_PARSERS[key](value);
    if (typeof parsed === 'string') throw new SettingsError(`${name} ${parsed}`);
    settings[key] = parsed;
  }
  return settings;
}

function parseConfigFile(text: string, file: string): Partial<Settings> {
  const out: Partial<Settings> = {};
  const problems: InputProblem[] = [];
  for (const { key, value, line } of parseSimpleYaml(text, file)) {
    if (key in SECRET_KEYS) {
      problems.push({ file, line, field: key, message: `is a secret: set ${SECRET_KEYS[key]} in the environment, never in a file` });
    } else if (!FILE_KEYS.has(key)) {
      problems.push({ file, line, field: key, message: `unknown setting (allowed: ${[...FILE_KEYS].join(', ')})` });
    } else if (key === 'voiceAttempts' || key === 'voiceRetryInterval') {
      const parsed = typeof value === 'string' ? NUMERIC_PARSERS[key](value) : 'must be a single value, not a list';
      if (typeof parsed === 'string') problems.push({ file, line, field: key, message: parsed });
      else out[key] = parsed;
    } else {
      (out as Record<string, unknown>)[key] = value;
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return out;
}

function parseSimpleYaml(text: string, file: string): Array<{ key: string; value: string | string[]; line: number }> {
  // Kept to `key: value` and `key: [a, b]` lines so that start-up does not load the yaml package.
  const out: Array<{ key: string; value: string | string[]; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const m = /^([A-Za-z][A-Za-z0-9]*):\s*(.*)$/.exec(line);
    if (!m) throw new InputError([{ file, line: i + 1, message: 'expected `key: value`' }]);
    const [, key, value] = m as unknown as [string, string, string];
    if (value.startsWith('[')) {
      out.push({ key, line: i + 1, value: value.replace(/^\[|\]$/g, '').split(',').map((s) => unquote(s.trim())).filter(Boolean) });
    } else out.push({ key, line: i + 1, value: unquote(value) });
  });
  return out;
}

function unquote(s: string): string {
  return s.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');
}

export function requireSetting<K extends keyof Settings>(s: Settings, key: K, envName: string): NonNullable<Settings[K]> {
  const v = s[key];
  if (v === undefined || v === '') throw new SettingsError(`missing setting ${envName} (set it in the environment)`);
  return v as NonNullable<Settings[K]>;
}

/** Host of a URL is loopback? (TLS may be skipped only there, unless --insecure-tls.) */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}

/** Parses a server URL from the environment. It may hold a password, so an error names the
 * variable and what is wrong, and never echoes the value (not even "redacted": a malformed URL
 * cannot be told apart from its password). */
export function parseServerUrl(value: string, envName: string, protocols: string[]): URL {
  const form = `${protocols[0]}://user:password@host${protocols[0]!.startsWith('imap') ? ':993/INBOX' : ':587'}`;
  const encode = 'a / @ # ? % or space in the user name or password must be percent-encoded (%2F %40 %23 %3F %25 %20)';
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value.trim())?.[1]?.toLowerCase();
  if (!scheme || !protocols.includes(scheme)) {
    throw new SettingsError(`${envName} must start with ${protocols.map((p) => p + '://').join(' or ')} (${form}); its value is not shown, as it may hold a password`);
  }
  if (!new RegExp(`^${scheme}://`, 'i').test(value.trim())) throw new SettingsError(`${envName} lacks the // after ${scheme}: (write ${form}); its value is not shown`);
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new SettingsError(`${envName} is not a valid URL (expected ${form}; ${encode}); its value is not shown`);
  }
  // A / ? or # in the password ends the user:password part early: the rest, password and all,
  // would be read as the host, path or query. An @ left there shows it.
  if (!url.hostname || /@/.test(url.pathname + url.search + url.hash)) {
    throw new SettingsError(`${envName} cannot be read as ${form}: ${encode}; its value is not shown`);
  }
  try {
    decodeURIComponent(url.username);
    decodeURIComponent(url.password);
  } catch {
    throw new SettingsError(`${envName}: the user name or password holds a % that is not followed by two hexadecimal digits (write % as %25); its value is not shown`);
  }
  return url;
}
