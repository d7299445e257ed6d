// Settings: defaults, then rollcall.config.yaml (no secrets), then the environment (wins).
// Secrets (passwords in URLs, the Twilio token) come from the environment only.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SettingsError, InputError, UsageError, type InputProblem } from './core/errors.js';
import { parseDuration } from './core/duration.js';
import { isIP } from 'node:net';

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
  /** Folder of the office's ping templates (`templates: ./templates`), as written in the file:
   * relative to the working directory. */
  templates?: string;
  /** Calls per voice ping when nobody answers (ROLLCALL_VOICE_ATTEMPTS, 1 to 10). */
  voiceAttempts?: number;
  /** Seconds before an unanswered number is called again (ROLLCALL_VOICE_RETRY_INTERVAL, e.g. `10m`). */
  voiceRetryInterval?: number;
  /** authserv-ids of the secretariat's own receiving servers: only their Authentication-Results
   * headers are believed (ROLLCALL_TRUSTED_AUTHSERV_IDS, comma-separated). Default none. */
  trustedAuthservIds?: string[];
  /** What an answer whose origin fails the check does: `report` (counted, listed) or `require`
   * (not counted) (ROLLCALL_AUTHENTICITY). Default `report`. */
  authenticity?: AuthenticityPolicy;
  /** DKIM signing of e-mail pings: selector, and domain (default: ROLLCALL_FROM's). The key is
   * read from ROLLCALL_DKIM_PRIVATE_KEY_FILE. */
  dkim?: DkimSettings;
  /** Path of the PEM private key that signs pings (ROLLCALL_DKIM_PRIVATE_KEY_FILE). */
  dkimPrivateKeyFile?: string;
  /** DNS servers for the authenticity checks instead of the system's, `ip` or `ip:port`
   * (ROLLCALL_DNS_SERVERS, comma-separated). */
  dnsServers?: string[];
}

export type AuthenticityPolicy = 'report' | 'require';
export const AUTHENTICITY_POLICIES: readonly AuthenticityPolicy[] = ['report', 'require'];

export interface DkimSettings {
  selector: string;
  domain?: string;
}

const ENV: Record<string, keyof Settings> = {
  ROLLCALL_SMTP_URL: 'smtpUrl',
  ROLLCALL_IMAP_URL: 'imapUrl',
  ROLLCALL_FROM: 'from',
  TWILIO_ACCOUNT_SID: 'twilioAccountSid',
  TWILIO_AUTH_TOKEN: 'twilioAuthToken',
  ROLLCALL_TWILIO_FROM: 'twilioFrom',
  ROLLCALL_TWILIO_API_URL: 'twilioApiUrl',
  ROLLCALL_DKIM_PRIVATE_KEY_FILE: 'dkimPrivateKeyFile',
};

/** Numeric settings: parsed and checked, from the environment or the file. */
const NUMERIC_ENV: Record<string, 'voiceAttempts' | 'voiceRetryInterval'> = {
  ROLLCALL_VOICE_ATTEMPTS: 'voiceAttempts',
  ROLLCALL_VOICE_RETRY_INTERVAL: 'voiceRetryInterval',
};

/** Keys the config file may set: everything but secrets. */
const FILE_KEYS = new Set([
  'from',
  'subject',
  'folders',
  'templates',
  'twilioFrom',
  'twilioApiUrl',
  'voiceAttempts',
  'voiceRetryInterval',
  'trustedAuthservIds',
  'authenticity',
  'dkim',
  'dnsServers',
]);
/** The words of the ping are not settings: they are template files (mail/templates.ts). */
const WORDING_KEYS = new Set(['body', 'text', 'html', 'message', 'sms', 'voice']);
/** Secrets, with the variable that carries each: refused in the file by name. */
const SECRET_KEYS: Record<string, string> = {
  smtpUrl: 'ROLLCALL_SMTP_URL',
  imapUrl: 'ROLLCALL_IMAP_URL',
  twilioAccountSid: 'TWILIO_ACCOUNT_SID',
  twilioAuthToken: 'TWILIO_AUTH_TOKEN',
  dkimPrivateKeyFile: 'ROLLCALL_DKIM_PRIVATE_KEY_FILE',
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

/** An authserv-id as RFC 8601 has it: a host name or token, no spaces, `;` or comments. */
function parseAuthservIds(value: string | string[]): string[] | string {
  const ids = (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter(Boolean);
  const bad = ids.find((id) => !/^[^\s;()"\\,]+$/.test(id));
  if (bad !== undefined) return `"${bad}" is not an authserv-id (the host name your receiving server writes first in its Authentication-Results headers)`;
  return ids;
}

/** The policy, or what is wrong with it in words. */
function parseAuthenticityPolicy(value: string): string {
  const t = value.trim().toLowerCase();
  return (AUTHENTICITY_POLICIES as readonly string[]).includes(t) ? t : `must be report or require (got "${value.trim()}")`;
}

const HOST_NAME = /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+\.?$/;
const SELECTOR = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

function checkSelector(v: string): string | undefined {
  return SELECTOR.test(v) ? undefined : `"${v}" is not a DKIM selector (letters, digits, - and _, dot-separated)`;
}

function checkDomain(v: string): string | undefined {
  return HOST_NAME.test(v) ? undefined : `"${v}" is not a domain name`;
}

/** `127.0.0.1`, `127.0.0.1:5353`, `::1`, `[::1]:5353`. */
function parseDnsServers(value: string | string[]): string[] | string {
  const list = (Array.isArray(value) ? value : value.split(',')).map((v) => v.trim()).filter(Boolean);
  for (const v of list) {
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? /^(\d+\.\d+\.\d+\.\d+)(?::(\d+))?$/.exec(v) ?? /^([0-9A-Fa-f:]+)()$/.exec(v);
    if (!m || isIP(m[1] as string) === 0 || (m[2] && Number(m[2]) > 65535)) return `"${v}" is not a DNS server address (an IP address, with :port if not 53)`;
  }
  return list;
}

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
  applyAuthenticityEnv(env, settings);
  return settings;
}

/** The authenticity settings from the environment (they win over the file), each checked. */
function applyAuthenticityEnv(env: NodeJS.ProcessEnv, settings: Settings): void {
  const given = (name: string) => (env[name] !== undefined && env[name].trim() !== '' ? env[name] : undefined);
  const ids = given('ROLLCALL_TRUSTED_AUTHSERV_IDS');
  if (ids !== undefined) {
    const parsed = parseAuthservIds(ids);
    if (typeof parsed === 'string') throw new SettingsError(`ROLLCALL_TRUSTED_AUTHSERV_IDS: ${parsed}`);
    settings.trustedAuthservIds = parsed;
  }
  const policy = given('ROLLCALL_AUTHENTICITY');
  if (policy !== undefined) {
    const parsed = parseAuthenticityPolicy(policy);
    if (!(AUTHENTICITY_POLICIES as readonly string[]).includes(parsed)) throw new SettingsError(`ROLLCALL_AUTHENTICITY ${parsed}`);
    settings.authenticity = parsed as AuthenticityPolicy;
  }
  const selector = given('ROLLCALL_DKIM_SELECTOR');
  const domain = given('ROLLCALL_DKIM_DOMAIN');
  if (selector !== undefined) {
    const bad = checkSelector(selector.trim());
    if (bad) throw new SettingsError(`ROLLCALL_DKIM_SELECTOR: ${bad}`);
    settings.dkim = { ...settings.dkim, selector: selector.trim() };
  }
  if (domain !== undefined) {
    const bad = checkDomain(domain.trim());
    if (bad) throw new SettingsError(`ROLLCALL_DKIM_DOMAIN: ${bad}`);
    settings.dkim = { selector: settings.dkim?.selector ?? '', ...settings.dkim, domain: domain.trim() };
  }
  const servers = given('ROLLCALL_DNS_SERVERS');
  if (servers !== undefined) {
    const parsed = parseDnsServers(servers);
    if (typeof parsed === 'string') throw new SettingsError(`ROLLCALL_DNS_SERVERS: ${parsed}`);
    settings.dnsServers = parsed;
  }
}

function parseConfigFile(text: string, file: string): Partial<Settings> {
  const out: Partial<Settings> = {};
  const problems: InputProblem[] = [];
  for (const { key, value, line } of parseSimpleYaml(text, file)) {
    if (key in SECRET_KEYS) {
      problems.push({ file, line, field: key, message: `is a secret: set ${SECRET_KEYS[key]} in the environment, never in a file` });
    } else if (WORDING_KEYS.has(key)) {
      problems.push({
        file,
        line,
        field: key,
        message: 'the words of the ping are written in template files, not here: set `templates: ./templates` and put en/email.txt, fr/email.txt, fr/sms.txt... in that folder (README: "Ping templates")',
      });
    } else if (!FILE_KEYS.has(key)) {
      problems.push({ file, line, field: key, message: `unknown setting (allowed: ${[...FILE_KEYS].join(', ')})` });
    } else if (key === 'templates' && typeof value !== 'string') {
      problems.push({ file, line, field: key, message: 'must be one folder, such as ./templates' });
    } else if (key === 'dkim') {
      const dkim = parseDkimEntry(value, file, line, problems);
      if (dkim) out.dkim = dkim;
    } else if (typeof value === 'object' && !Array.isArray(value)) {
      problems.push({ file, line, field: key, message: 'must be a single value or a list, not a map' });
    } else if (key === 'trustedAuthservIds' || key === 'dnsServers') {
      const parsed = key === 'trustedAuthservIds' ? parseAuthservIds(value) : parseDnsServers(value);
      if (typeof parsed === 'string') problems.push({ file, line, field: key, message: parsed });
      else out[key] = parsed;
    } else if (key === 'authenticity') {
      const parsed = typeof value === 'string' ? parseAuthenticityPolicy(value) : 'must be report or require, not a list';
      if ((AUTHENTICITY_POLICIES as readonly string[]).includes(parsed)) out.authenticity = parsed as AuthenticityPolicy;
      else problems.push({ file, line, field: key, message: parsed });
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

/** A map value (`dkim: { selector: s1 }`, or indented lines below `dkim:`): each key with its line. */
type YamlMap = Record<string, { value: string; line: number }>;
type YamlValue = string | string[] | YamlMap;

/** Checks `dkim: { selector, domain }`, naming the line of each problem. */
function parseDkimEntry(value: YamlValue, file: string, line: number, problems: InputProblem[]): DkimSettings | undefined {
  if (typeof value === 'string' || Array.isArray(value)) {
    problems.push({ file, line, field: 'dkim', message: 'must be a map: dkim: { selector: <selector>, domain: <domain> }' });
    return undefined;
  }
  const before = problems.length;
  for (const [k, v] of Object.entries(value)) {
    if (k !== 'selector' && k !== 'domain') problems.push({ file, line: v.line, field: `dkim.${k}`, message: 'unknown (allowed: selector, domain)' });
  }
  const selector = value.selector;
  if (!selector || selector.value === '') problems.push({ file, line, field: 'dkim.selector', message: 'missing: the selector under which the public key is published (<selector>._domainkey.<domain>)' });
  else {
    const bad = checkSelector(selector.value);
    if (bad) problems.push({ file, line: selector.line, field: 'dkim.selector', message: bad });
  }
  const domain = value.domain;
  if (domain) {
    const bad = checkDomain(domain.value);
    if (bad) problems.push({ file, line: domain.line, field: 'dkim.domain', message: bad });
  }
  if (problems.length > before || !selector) return undefined;
  return { selector: selector.value, ...(domain ? { domain: domain.value } : {}) };
}

function parseSimpleYaml(text: string, file: string): Array<{ key: string; value: YamlValue; line: number }> {
  // Kept to `key: value`, `key: [a, b]`, `key: { a: b }` and one level of indented `a: b` lines
  // so that start-up does not load the yaml package.
  const out: Array<{ key: string; value: YamlValue; line: number }> = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.replace(/\s+#.*$/, '').trimEnd();
    if (line.trim() === '' || line.trim().startsWith('#')) return;
    const last = out[out.length - 1];
    const nested = /^\s+([A-Za-z][A-Za-z0-9]*):\s*(.*)$/.exec(line);
    if (nested && last && (last.value === '' || (typeof last.value === 'object' && !Array.isArray(last.value)))) {
      if (last.value === '') last.value = {};
      last.value[nested[1] as string] = { value: unquote((nested[2] as string).trim()), line: i + 1 };
      return;
    }
    const m = /^([A-Za-z][A-Za-z0-9]*):\s*(.*)$/.exec(line);
    if (!m) throw new InputError([{ file, line: i + 1, message: 'expected `key: value`' }]);
    const [, key, value] = m as unknown as [string, string, string];
    if (value.startsWith('[')) {
      out.push({ key, line: i + 1, value: value.replace(/^\[|\]$/g, '').split(',').map((s) => unquote(s.trim())).filter(Boolean) });
    } else if (value.startsWith('{')) {
      const map: YamlMap = {};
      for (const pair of value.replace(/^\{|\}$/g, '').split(',')) {
        if (pair.trim() === '') continue;
        const kv = /^\s*([A-Za-z][A-Za-z0-9]*)\s*:\s*(.*?)\s*$/.exec(pair);
        if (!kv) throw new InputError([{ file, line: i + 1, field: key, message: `expected \`${key}: { name: value, ... }\`` }]);
        map[kv[1] as string] = { value: unquote(kv[2] as string), line: i + 1 };
      }
      out.push({ key, line: i + 1, value: map });
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
  return v;
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

/** `--authenticity report|require` as given (undefined when not given); a UsageError otherwise. */
export function authenticityOption(flag: string | undefined): AuthenticityPolicy | undefined {
  if (flag === undefined) return undefined;
  const parsed = parseAuthenticityPolicy(flag);
  if ((AUTHENTICITY_POLICIES as readonly string[]).includes(parsed)) return parsed as AuthenticityPolicy;
  throw new UsageError(`--authenticity ${parsed}`);
}
