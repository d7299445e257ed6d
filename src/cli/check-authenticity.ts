// The authenticity part of `rollcall check`: will the contact points' servers trust our pings?
// Whether the secretariat's domain (ROLLCALL_FROM) publishes SPF and DMARC, whether the DKIM key
// that signs pings is published under its selector, and whether our own ping arrived with
// dkim=pass in the receiving server's Authentication-Results. A missing or wrong key fails the check.
import { checkDomain, type ArrivalAuthentication, type DomainCheck, type RoundTrip } from '../run/check.js';
import type { Settings } from '../settings.js';
import type { Palette } from '../core/palette.js';

type Painter = Palette;
type Level = 'ok' | 'warn' | 'failed' | 'note';

export interface PingAuthenticity {
  report: {
    domain: DomainCheck;
    signing: { selector: string; domain: string } | null;
    arrival: ArrivalAuthentication | null;
    problems: string[];
  };
  /** A configured signature that receivers cannot verify: the check fails (exit 1). */
  failed: boolean;
  lines(c: Painter): string[];
}

export async function checkPingAuthenticity(settings: Settings, trip: RoundTrip | undefined): Promise<PingAuthenticity> {
  const from = settings.from ?? '';
  const domain = ((/<([^>]+)>/.exec(from)?.[1] ?? from).trim().split('@')[1] ?? '').toLowerCase();
  const { dkimSigning } = await import('../channels/email.js');
  const { dnsResolver, organisationalDomain } = await import('../mail/authenticity.js');
  // A bad key was already reported as a settings problem by the server check.
  let signing: ReturnType<typeof dkimSigning>;
  try {
    signing = dkimSigning(settings);
  } catch {
    signing = undefined;
  }
  const resolver = await dnsResolver(settings.dnsServers);
  const org = await organisationalDomain(domain);
  const d = await checkDomain({
    domain,
    resolver,
    orgDomain: (x) => (x === domain ? org : x),
    ...(signing ? { signing: { selector: signing.keySelector, domain: signing.domainName, publicKey: signing.publicKey } } : {}),
  });
  const entries: Array<[Level, string]> = [];
  const problems: string[] = [];
  const failed = (text: string) => {
    entries.push(['failed', text]);
    problems.push(text);
  };
  const lookFailed = (name: string) => d.errors.some((e) => e.startsWith(`${name}:`));

  if (d.spf) entries.push(['ok', `SPF: ${domain} publishes "${d.spf}"`]);
  else if (lookFailed(domain)) entries.push(['warn', `SPF: could not look up ${domain} (DNS unreachable)`]);
  else entries.push(['warn', `SPF: ${domain} publishes no SPF record: receivers cannot tell which servers send its mail`]);

  if (d.dmarc) entries.push([d.dmarcPolicy === 'none' ? 'note' : 'ok', `DMARC: ${d.dmarcName} publishes "${d.dmarc}"${d.dmarcPolicy === 'none' ? ' (p=none: monitoring only)' : ''}`]);
  else if (d.errors.some((e) => e.startsWith('_dmarc.'))) entries.push(['warn', `DMARC: could not look up _dmarc.${domain} (DNS unreachable)`]);
  else entries.push(['warn', `DMARC: ${domain} publishes no DMARC policy: receivers cannot tell our pings from forgeries`]);

  if (!signing) {
    entries.push(['note', 'DKIM: pings go out unsigned (set ROLLCALL_DKIM_PRIVATE_KEY_FILE, and dkim: { selector, domain } in rollcall.config.yaml, to sign them)']);
  } else if (!d.dkimKey) {
    entries.push(['warn', `DKIM: could not look up ${signing.keySelector}._domainkey.${signing.domainName} (DNS unreachable)`]);
  } else if (!d.dkimKey.published) {
    failed(`DKIM: pings are signed for ${signing.domainName} with selector ${signing.keySelector}, but ${d.dkimKey.name} publishes no key: receivers will find the signature invalid`);
  } else if (!d.dkimKey.matches) {
    failed(`DKIM: the key published at ${d.dkimKey.name} is not the public half of ROLLCALL_DKIM_PRIVATE_KEY_FILE: receivers will find the signature invalid`);
  } else {
    entries.push(['ok', `DKIM: pings are signed for ${signing.domainName} (selector ${signing.keySelector}); the key at ${d.dkimKey.name} matches ROLLCALL_DKIM_PRIVATE_KEY_FILE`]);
  }

  const a = trip?.authentication;
  if (trip?.ok && a) {
    if (!a.authservId) {
      entries.push(['note', 'the ping arrived without an Authentication-Results header: the receiving server records no checks, so rollcall checks answers itself through DNS']);
    } else {
      const said = ['dkim', 'spf', 'dmarc'].flatMap((m) => (a[m as 'dkim'] ? [`${m}=${a[m as 'dkim']}`] : [])).join(' ') || 'no DKIM, SPF or DMARC result';
      const text = `the ping arrived with ${said} (Authentication-Results of ${a.authservId})`;
      if (a.dkim === 'pass') entries.push(['ok', text]);
      else if (signing) failed(`${text}: the receiving server does not accept our signature`);
      else entries.push(['note', text]);
      if (!a.trusted) {
        entries.push(['note', `${a.authservId} is not in trustedAuthservIds: add \`trustedAuthservIds: [${a.authservId}]\` to rollcall.config.yaml so that rollcall believes its checks of the answers`]);
      }
    }
  }

  const label: Record<Level, (c: Painter) => string> = {
    ok: (c) => c.green('ok    '),
    warn: (c) => c.yellow('WARN  '),
    failed: (c) => c.red('FAILED'),
    note: (c) => c.dim('note  '),
  };
  return {
    report: { domain: d, signing: signing ? { selector: signing.keySelector, domain: signing.domainName } : null, arrival: a ?? null, problems },
    failed: problems.length > 0,
    lines: (c) => [c.bold(`Will contact points trust our pings? (${domain})`), ...entries.map(([level, text]) => `${label[level](c)} ${text}`)],
  };
}
