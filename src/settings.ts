// Settings: defaults, then rollcall.config.yaml (no secrets), then the environment (wins).
// Secrets (passwords in URLs, the Twilio token) come from the environment only.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsError, InputError, redact } from './errors.js';

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

/** Keys the config file may set: everything but secrets. */
const FILE_KEYS = new Set(['from', 'subject', 'folders', 'twilioFrom', 'twilioApiUrl']);

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
  return settings;
}

function parseConfigFile(text: string, file: string): Partial<Settings> {
  const out: Partial<Settings> = {};
  const parsed = parseSimpleYaml(text, file);
  for (const [k, v] of Object.entries(parsed)) {
    if (!FILE_KEYS.has(k)) {
      throw new InputError([{ file, field: k, message: `unknown or secret setting (secrets belong in the environment; allowed: ${[...FILE_KEYS].join(', ')})` }]);
    }
    (out as Record<string, unknown>)[k] = v;
  }
  return out;
}

function parseSimpleYaml(text: string, file: string): Record<string, unknown> {
  // Kept to `key: value` and `key: [a, b]` lines so that start-up does not load the yaml package.
  const out: Record<string, unknown> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const m = /^([A-Za-z][A-Za-z0-9]*):\s*(.*)$/.exec(line);
    if (!m) throw new InputError([{ file, line: i + 1, message: 'expected `key: value`' }]);
    const [, key, value] = m as unknown as [string, string, string];
    if (value.startsWith('[')) {
      out[key] = value.replace(/^\[|\]$/g, '').split(',').map((s) => unquote(s.trim())).filter(Boolean);
    } else out[key] = unquote(value);
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

/** Parses a server URL from the environment, naming the variable (never the password) on error. */
export function parseServerUrl(value: string, envName: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new SettingsError(`${envName} is not a valid URL: ${redact(value)}`);
  }
  if (!protocols.includes(url.protocol.replace(/:$/, ''))) {
    throw new SettingsError(`${envName} must start with ${protocols.map((p) => p + '://').join(' or ')} (got ${url.protocol}//)`);
  }
  return url;
}
