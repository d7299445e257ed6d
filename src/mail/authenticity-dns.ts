// DNS for the authenticity checks: the resolver mailauth calls (injectable, so that tests answer
// the TXT records themselves), a per-domain cache shared by the messages of a run, a deadline per
// message, and the look-ups `check` makes for the secretariat's own domain (SPF, DMARC, DKIM key).

/** What mailauth calls: `(name, 'TXT')` → records, as node's dns.resolve answers (TXT: string[][]).
 * A missing name rejects with code ENOTFOUND or ENODATA; anything else is a failure to look. */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown[]>;

export class DnsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Answers that say "this name has no such record": a real answer, cached like any other. */
export function isNoRecord(e: unknown): boolean {
  const code = (e as { code?: string } | undefined)?.code;
  return code === 'ENOTFOUND' || code === 'ENODATA';
}

/** Names reserved for examples and tests (RFC 2606, RFC 6761): the public DNS has none of them. */
export function isReservedName(name: string): boolean {
  return /(^|\.)(example|test|invalid|localhost)\.?$/i.test(name);
}

/** The system's DNS (or the given servers), each query given up after `timeoutMs`. Through the
 * system's servers, reserved names (.example, .test) are answered "no such name" without asking:
 * they exist only on a lab's own DNS server, which `servers` names. */
export async function systemResolver(opts: { timeoutMs?: number; servers?: readonly string[] } = {}): Promise<DnsResolver> {
  const { promises } = await import('node:dns');
  const r = new promises.Resolver({ timeout: opts.timeoutMs ?? 3000, tries: 2 });
  const own = opts.servers !== undefined && opts.servers.length > 0;
  if (own) r.setServers([...(opts.servers as string[])]);
  return (name, rrtype) => {
    if (!own && isReservedName(name)) return Promise.reject(new DnsError('ENOTFOUND', `${name}: a reserved name, not in the public DNS`));
    return r.resolve(name, rrtype) as Promise<unknown[]>;
  };
}

export interface CacheOptions {
  /** How long an answer (records or "no such record") is kept; default 10 minutes. */
  ttlMs?: number;
  /** Entries kept at most; the oldest go first. */
  maxEntries?: number;
  now?: () => number;
}

/** Wraps a resolver so that each name and type is asked once per `ttlMs`: the messages of one
 * domain during a run share the look-ups. Failures to look (timeouts, refusals) are not kept. */
export function cachedResolver(resolver: DnsResolver, opts: CacheOptions = {}): DnsResolver {
  const ttl = opts.ttlMs ?? 600_000;
  const max = opts.maxEntries ?? 5000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { until: number; answer: Promise<unknown[]> }>();
  return (name, rrtype) => {
    const key = `${rrtype.toUpperCase()} ${name.toLowerCase().replace(/\.$/, '')}`;
    const hit = entries.get(key);
    if (hit && hit.until > now()) return hit.answer;
    const answer = resolver(name, rrtype);
    entries.set(key, { until: now() + ttl, answer });
    // Concurrent askers share the pending answer; a failure to look is forgotten at once.
    answer.catch((e: unknown) => {
      if (!isNoRecord(e) && entries.get(key)?.answer === answer) entries.delete(key);
    });
    if (entries.size > max) entries.delete(entries.keys().next().value as string);
    return answer;
  };
}

/** Every look-up through it fails with ETIMEOUT once `signal` aborts (the message's deadline). */
export function resolverUntil(resolver: DnsResolver, signal: AbortSignal, timeoutMs: number): DnsResolver {
  const expired = () => new DnsError('ETIMEOUT', `DNS did not answer within ${seconds(timeoutMs)}`);
  return (name, rrtype) => {
    if (signal.aborted) return Promise.reject(expired());
    return new Promise<unknown[]>((resolve, reject) => {
      const onAbort = () => reject(expired());
      signal.addEventListener('abort', onAbort, { once: true });
      resolver(name, rrtype).then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  };
}

export function seconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${Math.round(ms / 100) / 10} s`;
}

/** TXT answers as strings (the character-strings of one record joined). */
export async function txtRecords(resolver: DnsResolver, name: string): Promise<string[] | undefined> {
  try {
    const rows = await resolver(name, 'TXT');
    return rows.map((r) => (Array.isArray(r) ? r.join('') : String(r)));
  } catch (e) {
    if (isNoRecord(e)) return undefined;
    throw e;
  }
}

/** What a domain publishes for the receivers of its mail, as `check` reports it. */
export interface DomainPolicies {
  domain: string;
  /** The domain's `v=spf1` record, or undefined when it has none. */
  spf?: string;
  /** The DMARC record that applies (the domain's, else its organisational domain's). */
  dmarc?: string;
  /** Where that DMARC record was found (`_dmarc.<domain>`). */
  dmarcName?: string;
  /** `p=` of that record. */
  dmarcPolicy?: string;
  /** Look-ups that failed (not "no record": the DNS could not be asked). */
  errors: string[];
}

/** Looks up SPF and DMARC of `domain`; `orgDomain` gives the organisational domain (public
 * suffix list) where DMARC falls back to. */
export async function domainPolicies(domain: string, resolver: DnsResolver, orgDomain: (d: string) => string = (d) => d): Promise<DomainPolicies> {
  const out: DomainPolicies = { domain, errors: [] };
  const ask = async (name: string): Promise<string[] | undefined> => {
    try {
      return await txtRecords(resolver, name);
    } catch (e) {
      out.errors.push(`${name}: ${(e as { code?: string }).code ?? (e as Error).message}`);
      return undefined;
    }
  };
  const spf = (await ask(domain))?.filter((t) => /^v=spf1(\s|$)/i.test(t.trim()));
  if (spf && spf.length > 0) out.spf = spf.join(' | ');
  for (const d of [...new Set([domain, orgDomain(domain)])]) {
    const dmarc = (await ask(`_dmarc.${d}`))?.filter((t) => /^v=DMARC1\b/i.test(t.trim()));
    if (dmarc && dmarc.length > 0) {
      out.dmarc = dmarc.join(' | ');
      out.dmarcName = `_dmarc.${d}`;
      const p = /(?:^|;)\s*p\s*=\s*([a-z]+)/i.exec(dmarc[0] as string)?.[1];
      if (p) out.dmarcPolicy = p.toLowerCase();
      break;
    }
  }
  return out;
}

/** The public key published at `<selector>._domainkey.<domain>` (base64 of `p=`), undefined when
 * there is none. */
export async function publishedDkimKey(selector: string, domain: string, resolver: DnsResolver): Promise<string | undefined> {
  const records = await txtRecords(resolver, `${selector}._domainkey.${domain}`);
  for (const r of records ?? []) {
    const p = /(?:^|;)\s*p\s*=\s*([A-Za-z0-9+/=\s]*)/.exec(r)?.[1];
    if (p !== undefined) return p.replace(/\s+/g, '');
  }
  return undefined;
}
