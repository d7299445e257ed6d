// The authenticity section of `rollcall inspect`: whether the message really comes from its From
// domain, and why (--no-dns, --dns-timeout, --trusted-authserv-ids; the rest from the settings).
import { UsageError } from '../core/errors.js';
import { parseDuration } from '../core/duration.js';
import type { AuthVerdict } from '../mail/authenticity.js';
import { loadSettings } from '../settings.js';
import type { Output } from './output.js';
import type { Palette } from '../core/palette.js';
import type { InspectOptions } from './commands.js';

export async function inspectAuthenticity(raw: Buffer, opts: Pick<InspectOptions, 'trustedAuthservIds' | 'dnsTimeout' | 'dns'>, o: Output): Promise<AuthVerdict> {
  const settings = loadSettings(o.env, o.cwd);
  const given = opts.trustedAuthservIds;
  const trusted = given !== undefined ? given.split(',').map((s) => s.trim()).filter(Boolean) : (settings.trustedAuthservIds ?? []);
  // Inspect's deadline (commands.ts, 5s): a user waits for it, so shorter than a run's.
  const timeoutText = opts.dnsTimeout;
  const timeout = parseDuration(timeoutText);
  if (timeout === undefined || timeout <= 0) throw new UsageError(`--dns-timeout: "${timeoutText}" is not a duration (e.g. 5s, 1m)`);
  const { verifyMessage } = await import('../mail/authenticity.js');
  return verifyMessage(raw, {
    trustedAuthservIds: trusted,
    timeoutMs: timeout * 1000,
    dns: opts.dns,
    ...(settings.dnsServers ? { dnsServers: settings.dnsServers } : {}),
  });
}

type Painter = Palette;

export function authenticityLines(v: AuthVerdict, p: Painter): string[] {
  const color = v.verdict === 'pass' ? p.green : v.verdict === 'fail' ? p.red : p.yellow;
  const by = v.source === 'authentication-results' ? `as recorded by ${v.authservId}` : v.source === 'rollcall' ? 'checked by rollcall' : 'not checked';
  return [`  ${'Origin:'.padEnd(12)}${color(v.verdict)}${v.fromDomain ? ` for ${v.fromDomain}` : ''} ${p.dim(`(${by})`)}`, ...v.reasons.map((r) => `    - ${r}`)];
}
