// Whether a received message really comes from the domain in its From: first the verdict of the
// secretariat's own receiving server (Authentication-Results from a trusted authserv-id), else
// rollcall's own check with mailauth (DKIM, SPF of the last external hop, DMARC, ARC). Bytes in,
// verdict with its reasons out; mailauth and the public suffix list are loaded on first use.
import { isNoRecord, resolverUntil, seconds, systemResolver, cachedResolver, type DnsResolver } from './authenticity-dns.js';
import {
  domainOf,
  envelopeSender,
  fromAddress,
  lastExternalHop,
  mergeResults,
  trustedAuthenticationResults,
  type AuthResult,
  type ExternalHop,
} from './authenticity-headers.js';
import { parseHeaderBlock, splitHeaderBody, type HeaderBlock } from './mime.js';
import type { Settings } from '../settings.js';
import type { AuthenticityVerdict, MessageAuthenticity } from '../core/events.js';

/** pass: DMARC pass, or an aligned DKIM signature verifies. fail: the domain's DMARC policy, its
 * signature or its SPF record says the message is not its own. none: the domain publishes nothing
 * to check against (no DMARC, no valid signature). unknown: could not check (no DNS, timeout). */
export type Authenticity = AuthenticityVerdict;
export const AUTHENTICITY_VERDICTS: readonly Authenticity[] = ['pass', 'fail', 'none', 'unknown'];

export interface DkimCheck {
  /** Signing domain (`d=`). */
  domain: string;
  selector?: string;
  /** pass, fail, neutral, temperror, permerror, policy, none... (RFC 8601 words). */
  result: string;
  /** `d=` belongs to the From domain's organisation (relaxed DMARC alignment). */
  aligned: boolean;
  comment?: string;
}

export interface AuthChecks {
  dkim: DkimCheck[];
  spf?: { domain: string; result: string; aligned: boolean; ip?: string; helo?: string; comment?: string };
  dmarc?: { result: string; domain?: string; policy?: string; comment?: string };
  arc?: { result: string; comment?: string };
}

export interface AuthVerdict {
  verdict: Authenticity;
  /** Who checked: the receiving server (`authentication-results`, with its authserv-id) or
   * rollcall itself (`rollcall`); `none` when nothing was checked. */
  source: 'authentication-results' | 'rollcall' | 'none';
  authservId?: string;
  /** Domain of the From address, the one whose origin is in question. */
  fromDomain?: string;
  /** In words, the decisive one first. */
  reasons: string[];
  checks: AuthChecks;
}

/** The part of a verdict that a run records on the message's event. */
export function recordedAuthenticity(v: AuthVerdict): MessageAuthenticity {
  return {
    verdict: v.verdict,
    source: v.source,
    ...(v.authservId ? { authservId: v.authservId } : {}),
    ...(v.fromDomain ? { fromDomain: v.fromDomain } : {}),
    reasons: v.reasons,
  };
}

export interface VerifyOptions {
  /** authserv-ids of the secretariat's own receiving servers (settings.trustedAuthservIds). */
  trustedAuthservIds?: readonly string[];
  /** DNS for rollcall's own check; default: the system's (or `dnsServers`), cached per domain
   * for the process. */
  resolver?: DnsResolver;
  /** DNS servers to ask instead of the system's (settings.dnsServers), when no resolver is given. */
  dnsServers?: readonly string[];
  /** Deadline for all look-ups of one message; default 10 s. */
  timeoutMs?: number;
  /** false: no look-ups at all (only trusted Authentication-Results decide; else `unknown`). */
  dns?: boolean;
  /** Time for DKIM signature expiry (`x=`); default now. */
  now?: Date;
}

export const DEFAULT_AUTH_TIMEOUT_MS = 10_000;

const sharedResolvers = new Map<string, Promise<DnsResolver>>();
/** The system's DNS (or the configured servers) behind one cache for the process: a run's
 * messages share their look-ups. */
export function dnsResolver(servers: readonly string[] = []): Promise<DnsResolver> {
  const key = servers.join(',');
  let r = sharedResolvers.get(key);
  if (!r) {
    r = systemResolver({ servers }).then((s) => cachedResolver(s));
    sharedResolvers.set(key, r);
  }
  return r;
}

type OrgDomain = (domain: string) => string;
let orgDomainFn: Promise<OrgDomain> | undefined;
/** The organisational domain (public suffix list), as DMARC's relaxed alignment compares them. */
async function loadOrgDomain(): Promise<OrgDomain> {
  orgDomainFn ??= import('tldts').then(({ getDomain }) => (d: string) => {
    const name = d.toLowerCase().replace(/\.$/, '');
    return getDomain(name, { allowPrivateDomains: true }) ?? name;
  });
  return orgDomainFn;
}

export async function organisationalDomain(domain: string): Promise<string> {
  return (await loadOrgDomain())(domain);
}

/** The options a run passes for each message it receives, from its settings. */
export function verifyOptionsFrom(settings: Settings, timeoutMs = DEFAULT_AUTH_TIMEOUT_MS): VerifyOptions {
  return { trustedAuthservIds: settings.trustedAuthservIds ?? [], timeoutMs, ...(settings.dnsServers ? { dnsServers: settings.dnsServers } : {}) };
}

/** The verdict on one message's origin. Never throws for a message's content or for DNS. */
export async function verifyMessage(raw: Buffer | string, opts: VerifyOptions = {}): Promise<AuthVerdict> {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const headers = parseHeaderBlock(splitHeaderBody(text).head);
  const fromDomain = domainOf(fromAddress(headers));
  const orgDomain = await loadOrgDomain();
  const early: string[] = [];

  const trusted = trustedAuthenticationResults(headers, opts.trustedAuthservIds ?? []);
  const results = mergeResults(trusted).filter((r) => ['dkim', 'spf', 'dmarc', 'arc'].includes(r.method));
  if (results.length > 0) {
    const ids = [...new Set(trusted.map((h) => h.authservId))].join(', ');
    const checks = checksFromResults(results, fromDomain, orgDomain);
    const decided = decide(checks, fromDomain);
    const verdict: AuthVerdict = {
      verdict: decided.verdict,
      source: 'authentication-results',
      authservId: ids,
      ...(fromDomain ? { fromDomain } : {}),
      reasons: [...decided.reasons, `checked by the receiving server ${ids} (its Authentication-Results header)`],
      checks,
    };
    // The server could not look (its DNS failed): rollcall looks again, if it may.
    if (verdict.verdict !== 'unknown' || opts.dns === false) return verdict;
    early.push(`the receiving server ${ids} could not complete its checks: ${decided.reasons[0]}`);
  } else if (trusted.length > 0) {
    early.push(`the receiving server ${trusted.map((h) => h.authservId).join(', ')} recorded no DKIM, SPF or DMARC result`);
  } else if ((opts.trustedAuthservIds ?? []).length > 0 && headers.all('authentication-results').length > 0) {
    early.push(`Authentication-Results headers from other servers than ${(opts.trustedAuthservIds ?? []).join(', ')} are ignored: the sender may have written them`);
  }

  if (opts.dns === false) {
    return {
      verdict: 'unknown',
      source: 'none',
      ...(fromDomain ? { fromDomain } : {}),
      reasons: [...early, 'not checked: DNS look-ups are off, and no trusted Authentication-Results header decides', ...signaturesSeen(headers)],
      checks: { dkim: [] },
    };
  }
  const own = await checkWithMailauth(raw, headers, fromDomain, orgDomain, opts);
  return { ...own, reasons: [...own.reasons, ...early] };
}

/** DKIM-Signature domains as written in the message, for reasons when nothing was checked. */
function signaturesSeen(headers: HeaderBlock): string[] {
  return headers.all('dkim-signature').map((v) => {
    const d = /(?:^|;)\s*d\s*=\s*([^;\s]+)/.exec(v)?.[1] ?? '?';
    const s = /(?:^|;)\s*s\s*=\s*([^;\s]+)/.exec(v)?.[1];
    return `carries a DKIM signature of ${d}${s ? ` (selector ${s})` : ''}, not verified`;
  });
}

function checksFromResults(results: AuthResult[], fromDomain: string | undefined, orgDomain: OrgDomain): AuthChecks {
  const aligned = (d: string | undefined) => Boolean(d && fromDomain && orgDomain(d) === orgDomain(fromDomain));
  const checks: AuthChecks = { dkim: [] };
  for (const r of results) {
    const comment = [r.reason, r.comment].filter(Boolean).join('; ') || undefined;
    if (r.method === 'dkim') {
      const d = r.props['header.d'] ?? domainOf(r.props['header.i']) ?? '';
      if (r.result === 'none' && !d) continue;
      checks.dkim.push({ domain: d, ...(r.props['header.s'] ? { selector: r.props['header.s'] } : {}), result: r.result, aligned: aligned(d), ...(comment ? { comment } : {}) });
    } else if (r.method === 'spf' && !checks.spf) {
      const d = domainOf(r.props['smtp.mailfrom']) ?? r.props['smtp.mailfrom'] ?? domainOf(`x@${r.props['smtp.helo'] ?? ''}`) ?? '';
      checks.spf = { domain: d, result: r.result, aligned: aligned(d), ...(comment ? { comment } : {}) };
    } else if (r.method === 'dmarc' && !checks.dmarc) {
      const policy = r.props['policy.published-domain-policy'] ?? /\bp=([a-z]+)/i.exec(r.comment ?? '')?.[1]?.toLowerCase();
      // Servers put `p=REJECT sp=REJECT` in the comment: shown as the policy, not repeated.
      const rest = comment?.replace(/\bs?p=\S+/gi, '').replace(/^[\s;]+|[\s;]+$/g, '');
      checks.dmarc = { result: r.result, ...(r.props['header.from'] ? { domain: r.props['header.from'] } : {}), ...(policy ? { policy } : {}), ...(rest ? { comment: rest } : {}) };
    } else if (r.method === 'arc' && !checks.arc) {
      checks.arc = { result: r.result, ...(comment ? { comment } : {}) };
    }
  }
  return checks;
}

type MailauthModule = typeof import('mailauth');

async function checkWithMailauth(raw: Buffer | string, headers: HeaderBlock, fromDomain: string | undefined, orgDomain: OrgDomain, opts: VerifyOptions): Promise<AuthVerdict> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_AUTH_TIMEOUT_MS;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  const hop = lastExternalHop(headers);
  try {
    // mailauth's type says TXT only; it also asks A, AAAA, MX and PTR through the same function.
    const resolver = resolverUntil(opts.resolver ?? (await dnsResolver(opts.dnsServers)), deadline.signal, timeoutMs) as unknown as import('mailauth').DNSResolver;
    const mailauth: MailauthModule = await import('mailauth');
    const dkimResult = await mailauth.dkimVerify(raw, { resolver, minBitLength: 1024, ...(opts.now ? { curTime: opts.now } : {}) });
    const checks: AuthChecks = { dkim: [] };
    for (const r of dkimResult.results ?? []) {
      if (!r.signingDomain && r.status.result === 'none') continue;
      const comment = typeof r.status.comment === 'string' && r.status.comment ? r.status.comment : undefined;
      checks.dkim.push({
        domain: r.signingDomain,
        ...(r.selector ? { selector: r.selector } : {}),
        result: r.status.result,
        aligned: Boolean(r.status.aligned),
        ...(comment ? { comment } : {}),
      });
    }
    let spfDomain: string | undefined;
    const sender = envelopeSender(headers);
    // SPF checks the envelope sender's domain, or for a bounce (empty sender) the HELO name.
    const spfChecked = hop !== undefined && Boolean(sender || hop.helo);
    if (hop && spfChecked) {
      const spf = await mailauth.spf({ ...(sender ? { sender } : {}), ip: hop.ip, ...(hop.helo ? { helo: hop.helo } : {}), mta: 'rollcall', resolver });
      const comment = typeof spf.status.comment === 'string' && spf.status.comment ? spf.status.comment.replace(/^rollcall: /, '') : undefined;
      checks.spf = { domain: spf.domain, result: spf.status.result, aligned: Boolean(fromDomain && orgDomain(spf.domain) === orgDomain(fromDomain)), ip: hop.ip, ...(hop.helo ? { helo: hop.helo } : {}), ...(comment ? { comment } : {}) };
      if (spf.status.result === 'pass') spfDomain = spf.domain;
    }
    const arcData = (dkimResult as { arc?: unknown }).arc;
    let arcResult: Awaited<ReturnType<MailauthModule['arc']>> | undefined;
    if (arcData && ((arcData as { chain?: unknown[] }).chain?.length ?? 0) > 0) {
      arcResult = await mailauth.arc(arcData as Parameters<MailauthModule['arc']>[0], { resolver, minBitLength: 1024 });
      const comment = typeof arcResult.status.comment === 'string' && arcResult.status.comment ? arcResult.status.comment : undefined;
      checks.arc = { result: arcResult.status.result, ...(comment ? { comment } : {}) };
    }
    if (fromDomain && dkimResult.headerFrom?.length === 1) {
      const dmarc = await mailauth.dmarc({
        headerFrom: dkimResult.headerFrom,
        spfDomains: spfDomain ? [spfDomain] : [],
        dkimDomains: checks.dkim.filter((d) => d.result === 'pass').map((d) => ({ domain: d.domain, aligned: d.aligned })),
        ...(arcResult ? { arcResult } : {}),
        resolver,
      });
      if (dmarc) {
        // Its comment restates p= and sp=; only what else it says (arc=...) is kept.
        const rest = typeof dmarc.status.comment === 'string' ? dmarc.status.comment.replace(/\bs?p=\S+/gi, '').trim() : '';
        const comment = rest || undefined;
        checks.dmarc = { result: dmarc.status.result, domain: fromDomain, ...(dmarc.policy ? { policy: String(dmarc.policy).toLowerCase() } : {}), ...(comment ? { comment } : {}) };
      }
    }
    const decided = decide(checks, fromDomain);
    const reasons = [...decided.reasons];
    if (!hop) reasons.push('SPF: not checked (no Received header from a server outside the organisation)');
    else if (!spfChecked) reasons.push(`SPF: not checked (${hop.ip} gave no name, and the message no envelope sender)`);
    if (deadline.signal.aborted) reasons.unshift(`DNS did not answer within ${seconds(timeoutMs)}`);
    reasons.push('checked by rollcall (DKIM, SPF, DMARC and ARC through DNS)');
    return { verdict: decided.verdict, source: 'rollcall', ...(fromDomain ? { fromDomain } : {}), reasons, checks };
  } catch (e) {
    // mailauth reports DNS trouble in its results; anything thrown is a message it cannot read.
    return {
      verdict: 'unknown',
      source: 'rollcall',
      ...(fromDomain ? { fromDomain } : {}),
      reasons: [`could not check: ${(e as Error)?.message ?? String(e)}`],
      checks: { dkim: [] },
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A signature that was checked and does not hold: the message was changed or forged. */
function broken(d: DkimCheck): boolean {
  return d.result === 'fail' || d.result === 'hardfail' || (d.result === 'neutral' && /body hash/i.test(d.comment ?? ''));
}

const LOOK_FAILED = new Set(['temperror']);

/** The verdict from the checks, with the decisive reason first and then each check in words. */
export function decide(checks: AuthChecks, fromDomain: string | undefined): { verdict: Authenticity; reasons: string[] } {
  const details = describeChecks(checks);
  const say = (verdict: Authenticity, why: string) => ({ verdict, reasons: [why, ...details] });
  if (!fromDomain) return say('unknown', 'could not check: the message has no single From address');
  const policy = checks.dmarc?.policy ? ` (p=${checks.dmarc.policy})` : '';
  if (checks.dmarc?.result === 'pass') return say('pass', `DMARC pass: ${fromDomain}'s policy${policy} is met`);
  const alignedPass = checks.dkim.find((d) => d.aligned && d.result === 'pass');
  if (alignedPass) return say('pass', `a DKIM signature of ${alignedPass.domain} verifies, and it is ${fromDomain}'s own domain`);
  const lookFailed =
    checks.dkim.some((d) => LOOK_FAILED.has(d.result)) || LOOK_FAILED.has(checks.dmarc?.result ?? '') || (checks.spf?.aligned === true && LOOK_FAILED.has(checks.spf.result));
  if (checks.dmarc?.result === 'fail' && !lookFailed) {
    return say(
      'fail',
      `${fromDomain} publishes a DMARC policy${policy} and this message does not meet it: no valid DKIM signature of the domain, and SPF does not pass for it`,
    );
  }
  const brokenAligned = checks.dkim.find((d) => d.aligned && broken(d));
  if (brokenAligned) {
    return say('fail', `the DKIM signature of ${brokenAligned.domain} does not verify${brokenAligned.comment ? ` (${brokenAligned.comment})` : ''}: the message was changed after signing, or forged`);
  }
  if (checks.spf?.aligned && (checks.spf.result === 'fail' || checks.spf.result === 'hardfail')) {
    return say('fail', `SPF fail: ${checks.spf.domain} does not allow ${checks.spf.ip ?? 'the sending server'} to send its mail`);
  }
  if (lookFailed) return say('unknown', `could not check: DNS look-ups failed`);
  if (checks.dmarc?.result === 'permerror') return say('none', `${fromDomain}'s DMARC record cannot be read, and the message carries no valid signature of the domain`);
  return say('none', `${fromDomain} publishes no DMARC policy, and the message carries no valid DKIM signature of the domain: nothing confirms or contradicts its origin`);
}

function describeChecks(checks: AuthChecks): string[] {
  const out: string[] = [];
  if (checks.dkim.length === 0) out.push('DKIM: no signature');
  for (const d of checks.dkim) {
    const who = `${d.domain || '?'}${d.selector ? ` (selector ${d.selector})` : ''}`;
    const align = d.aligned ? "the From domain's own" : 'another domain than From';
    out.push(`DKIM: ${d.result} for the signature of ${who}, ${align}${d.comment ? ` — ${d.comment}` : ''}`);
  }
  if (checks.spf) {
    const s = checks.spf;
    const server = s.ip ? ` from ${s.ip}${s.helo ? ` (${s.helo})` : ''}` : '';
    out.push(`SPF: ${s.result} for ${s.domain || '?'}${server}${s.aligned ? '' : ', not the From domain'}${s.comment ? ` — ${s.comment}` : ''}`);
  }
  if (checks.dmarc) {
    const m = checks.dmarc;
    const what = m.result === 'none' ? 'no DMARC record' : m.result;
    out.push(`DMARC: ${what}${m.domain ? ` for ${m.domain}` : ''}${m.policy ? `, policy p=${m.policy}` : ''}${m.comment && m.result !== 'none' ? ` — ${m.comment}` : ''}`);
  }
  if (checks.arc) out.push(`ARC: ${checks.arc.result}${checks.arc.comment ? ` — ${checks.arc.comment}` : ''}`);
  return out;
}

export type { DnsResolver, ExternalHop };
export { isNoRecord };
