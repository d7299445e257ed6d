// Test support for the authenticity checks: a DKIM key pair made in the test, messages signed with
// it (mailauth's signer), and a DNS resolver that answers from a table the test fills — no real DNS.
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import type { DnsResolver } from '../../src/mail/authenticity-dns.js';

export interface KeyPair {
  privateKey: string;
  /** The `p=` of the DNS record: base64 of the SubjectPublicKeyInfo. */
  publicKey: string;
}

export function dkimKeyPair(): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export function dkimRecord(key: KeyPair): string {
  return `v=DKIM1; k=rsa; p=${key.publicKey}`;
}

/** A resolver answering TXT (and A) records from `records`; other names: ENOTFOUND. Counts queries. */
export class TableResolver {
  readonly records = new Map<string, string[]>();
  readonly asked: string[] = [];
  /** When set, every query fails with this code (ECONNREFUSED: no DNS server reachable). */
  failWith: string | undefined;
  /** When set, queries never answer (a server that does not reply). */
  hang = false;

  txt(name: string, ...values: string[]): this {
    this.records.set(`TXT ${name.toLowerCase()}`, values);
    return this;
  }

  readonly resolve: DnsResolver = (name, rrtype) => {
    this.asked.push(`${rrtype} ${name}`);
    if (this.hang) return new Promise(() => {});
    if (this.failWith) return Promise.reject(Object.assign(new Error(`query ${rrtype} ${name} failed`), { code: this.failWith }));
    const values = this.records.get(`${rrtype.toUpperCase()} ${name.toLowerCase()}`);
    if (!values) return Promise.reject(Object.assign(new Error(`${name}: no ${rrtype}`), { code: 'ENOTFOUND' }));
    // TXT records come as arrays of character-strings; a long one is split as DNS splits it.
    return Promise.resolve(rrtype.toUpperCase() === 'TXT' ? values.map((v) => v.match(/.{1,255}/g) ?? ['']) : values);
  };
}

export function message(o: { from: string; subject?: string; body?: string; headers?: string[]; to?: string }): string {
  return [
    ...(o.headers ?? []),
    `From: Duty officer <${o.from}>`,
    `To: ${o.to ?? '24/7 Network Secretariat <secretariat@rollcall.example>'}`,
    `Subject: ${o.subject ?? 'Re: [24/7 Network] Responsiveness test RC-ABC123 - please reply'}`,
    'Date: Wed, 05 Jun 2024 09:36:33 +0000',
    `Message-ID: <${Math.random().toString(36).slice(2)}@mail.example>`,
    'In-Reply-To: <RC-ABC123.k2m4p6r8t2@rollcall.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.body ?? 'Received, 24/7 contact point on duty.',
    '',
  ].join('\r\n');
}

/** The message with a DKIM-Signature of `domain` made with `key`, as the sender's server adds it. */
export async function signed(raw: string, domain: string, selector: string, key: KeyPair): Promise<string> {
  const res = await dkimSign(raw, { signatureData: [{ signingDomain: domain, selector, privateKey: key.privateKey, canonicalization: 'relaxed/relaxed' }] } as Parameters<typeof dkimSign>[1]);
  if (res.errors.length > 0) throw new Error(`signing failed: ${JSON.stringify(res.errors)}`);
  return res.signatures + raw;
}
