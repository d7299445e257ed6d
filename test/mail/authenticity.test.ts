// The authenticity verdict of received messages, offline: a DKIM key pair made here, messages
// signed with it, and DNS answered by the test (TXT records for keys, SPF and DMARC).
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyMessage, decide } from '../../src/mail/authenticity.js';
import { cachedResolver, domainPolicies, publishedDkimKey, resolverUntil } from '../../src/mail/authenticity-dns.js';
import { lastExternalHop, parseAuthenticationResults, receivedClient } from '../../src/mail/authenticity-headers.js';
import { parseHeaderBlock } from '../../src/mail/mime.js';
import { dkimKeyPair, dkimRecord, message, signed, TableResolver, type KeyPair } from './authenticity-support.js';

const AM = 'police.am.example';
const TRUSTED = ['mx.rollcall.example'];
let key: KeyPair;
let other: KeyPair;

beforeAll(() => {
  key = dkimKeyPair();
  other = dkimKeyPair();
});

function dns(): TableResolver {
  return new TableResolver().txt(`rc2024._domainkey.${AM}`, dkimRecord(key)).txt(`_dmarc.${AM}`, 'v=DMARC1; p=reject; rua=mailto:dmarc@police.am.example');
}

describe('rollcall checks the message itself (mailauth, DNS from the test)', () => {
  it('passes a reply signed by the From domain with its published key', async () => {
    const raw = await signed(message({ from: `poc3@${AM}` }), AM, 'rc2024', key);
    const r = dns();
    const v = await verifyMessage(raw, { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('pass');
    expect(v.source).toBe('rollcall');
    expect(v.fromDomain).toBe(AM);
    expect(v.checks.dkim).toEqual([expect.objectContaining({ domain: AM, selector: 'rc2024', result: 'pass', aligned: true })]);
    expect(v.checks.dmarc).toMatchObject({ result: 'pass', policy: 'reject' });
    expect(v.reasons[0]).toMatch(/DMARC pass/);
    expect(r.asked).toContain(`TXT rc2024._domainkey.${AM}`);
  });

  it('passes an aligned DKIM signature when the domain publishes no DMARC policy', async () => {
    const raw = await signed(message({ from: `duty@cyber.${AM}` }), AM, 'rc2024', key);
    const r = new TableResolver().txt(`rc2024._domainkey.${AM}`, dkimRecord(key));
    const v = await verifyMessage(raw, { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('pass');
    expect(v.checks.dmarc?.result).toBe('none');
    expect(v.reasons[0]).toMatch(/DKIM signature of police\.am\.example verifies/);
  });

  it('fails a signed reply whose body was changed after signing', async () => {
    const raw = (await signed(message({ from: `poc3@${AM}` }), AM, 'rc2024', key)).replace('on duty.', 'on duty, and more.');
    const v = await verifyMessage(raw, { resolver: dns().resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
    expect(v.checks.dkim[0]).toMatchObject({ domain: AM, aligned: true });
    expect(v.reasons.join('\n')).toMatch(/body hash did not verify/);
  });

  it('fails a reply signed with another key than the one the domain publishes', async () => {
    const raw = await signed(message({ from: `poc3@${AM}` }), AM, 'rc2024', other);
    // No DMARC record: the bad signature alone decides.
    const r = new TableResolver().txt(`rc2024._domainkey.${AM}`, dkimRecord(key));
    const v = await verifyMessage(raw, { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
    expect(v.checks.dkim[0]).toMatchObject({ result: 'fail', aligned: true });
    expect(v.reasons[0]).toMatch(/does not verify \(bad signature\)/);
  });

  it('fails an unsigned message from a domain that publishes p=reject', async () => {
    const v = await verifyMessage(message({ from: `poc3@${AM}` }), { resolver: dns().resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
    expect(v.checks.dmarc).toMatchObject({ result: 'fail', policy: 'reject' });
    expect(v.reasons[0]).toMatch(/publishes a DMARC policy \(p=reject\) and this message does not meet it/);
    expect(v.reasons).toContain('DKIM: no signature');
  });

  it("fails a message signed by another domain, not the From domain's", async () => {
    const raw = await signed(message({ from: `poc3@${AM}` }), 'mailer.forger.example', 'rc2024', key);
    const r = dns().txt('rc2024._domainkey.mailer.forger.example', dkimRecord(key));
    const v = await verifyMessage(raw, { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
    expect(v.checks.dkim[0]).toMatchObject({ domain: 'mailer.forger.example', result: 'pass', aligned: false });
  });

  it('says none for a domain that publishes nothing', async () => {
    const r = new TableResolver();
    const v = await verifyMessage(message({ from: 'duty@ncu.gov.zz.example' }), { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('none');
    expect(v.reasons[0]).toMatch(/publishes no DMARC policy/);
    // It looked: the domain's record and its organisational domain's.
    expect(r.asked).toContain('TXT _dmarc.ncu.gov.zz.example');
  });

  it('says unknown when no DNS server can be reached', async () => {
    const r = dns();
    r.failWith = 'ECONNREFUSED';
    const v = await verifyMessage(await signed(message({ from: `poc3@${AM}` }), AM, 'rc2024', key), { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('unknown');
    expect(v.checks.dkim[0]?.result).toBe('temperror');
    expect(v.reasons[0]).toMatch(/could not check/);
  });

  it('says unknown when DNS does not answer before the deadline', async () => {
    const r = dns();
    r.hang = true;
    const v = await verifyMessage(message({ from: `poc3@${AM}` }), { resolver: r.resolve, timeoutMs: 150 });
    expect(v.verdict, v.reasons.join('\n')).toBe('unknown');
    expect(v.reasons[0]).toBe('DNS did not answer within 0.2 s');
    expect(v.reasons[1]).toMatch(/could not check: DNS look-ups failed/);
  });

  it('with DNS off, says unknown without asking, and names the signature it did not check', async () => {
    const r = dns();
    const raw = await signed(message({ from: `poc3@${AM}` }), AM, 'rc2024', key);
    const v = await verifyMessage(raw, { resolver: r.resolve, dns: false });
    expect(v.verdict).toBe('unknown');
    expect(r.asked).toEqual([]);
    expect(v.reasons).toContain(`carries a DKIM signature of ${AM} (selector rc2024), not verified`);
  });

  it('checks SPF for the last external hop of the Received chain (passes DMARC through SPF)', async () => {
    const raw = message({
      from: `poc3@${AM}`,
      headers: [
        'Return-Path: <poc3@police.am.example>',
        'Received: from filter.rollcall.example (filter.rollcall.example [10.1.2.3]) by mailbox.rollcall.example; Wed, 05 Jun 2024 09:36:45 +0000',
        'Received: from mail.police.am.example (mail.police.am.example [203.0.113.7]) by mx.rollcall.example with ESMTPS; Wed, 05 Jun 2024 09:36:44 +0000',
        // Written by the sender's side: proves nothing, must not be the hop checked.
        'Received: from laptop (unknown [198.51.100.99]) by mail.police.am.example; Wed, 05 Jun 2024 09:36:40 +0000',
      ],
    });
    const r = dns().txt(AM, 'v=spf1 ip4:203.0.113.0/24 -all');
    const v = await verifyMessage(raw, { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('pass');
    expect(v.checks.spf).toMatchObject({ result: 'pass', domain: AM, ip: '203.0.113.7', aligned: true });
    expect(v.checks.dmarc?.result).toBe('pass');
  });

  it('fails a message from a server the domain does not allow (SPF -all, no DMARC)', async () => {
    const raw = message({
      from: `poc3@${AM}`,
      headers: ['Return-Path: <poc3@police.am.example>', 'Received: from evil.example (evil.example [192.0.2.66]) by mx.rollcall.example; Wed, 05 Jun 2024 09:36:44 +0000'],
    });
    const r = new TableResolver().txt(AM, 'v=spf1 ip4:203.0.113.0/24 -all');
    const v = await verifyMessage(raw, { resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
    expect(v.checks.spf).toMatchObject({ result: 'fail', ip: '192.0.2.66' });
    expect(v.reasons[0]).toMatch(/SPF fail: police\.am\.example does not allow 192\.0\.2\.66/);
  });
});

describe('the receiving server has checked (Authentication-Results)', () => {
  const serverSays = (id: string, results: string) => `Authentication-Results: ${id};\r\n ${results}`;

  it("takes a trusted server's dkim=pass and dmarc=pass without any look-up", async () => {
    const r = dns();
    const raw = message({
      from: `poc3@${AM}`,
      headers: [serverSays('mx.rollcall.example', `dkim=pass (2048-bit key) header.d=${AM} header.s=rc2024;\r\n spf=pass smtp.mailfrom=${AM};\r\n dmarc=pass (p=REJECT) header.from=${AM}`)],
    });
    const v = await verifyMessage(raw, { trustedAuthservIds: TRUSTED, resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('pass');
    expect(v.source).toBe('authentication-results');
    expect(v.authservId).toBe('mx.rollcall.example');
    expect(v.checks.dmarc).toMatchObject({ result: 'pass', policy: 'reject' });
    expect(r.asked).toEqual([]);
    expect(v.reasons.at(-1)).toBe('checked by the receiving server mx.rollcall.example (its Authentication-Results header)');
  });

  it("takes a trusted server's dmarc=fail", async () => {
    const raw = message({ from: `poc3@${AM}`, headers: [serverSays('MX.rollcall.example', `dkim=none; spf=softfail smtp.mailfrom=forger.example; dmarc=fail (p=REJECT sp=REJECT) header.from=${AM}`)] });
    const v = await verifyMessage(raw, { trustedAuthservIds: TRUSTED, resolver: dns().resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
    expect(v.source).toBe('authentication-results');
  });

  it("ignores an untrusted server's Authentication-Results (the forger wrote it) and checks itself", async () => {
    const forged = serverSays('mx.rollcall.example.forger.example', `dkim=pass header.d=${AM}; dmarc=pass header.from=${AM}`);
    const raw = message({ from: `poc3@${AM}`, headers: [forged] });
    const r = dns();
    const v = await verifyMessage(raw, { trustedAuthservIds: TRUSTED, resolver: r.resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('fail');
    expect(v.source).toBe('rollcall');
    expect(r.asked.length).toBeGreaterThan(0);
    expect(v.reasons.at(-1)).toMatch(/Authentication-Results headers from other servers than mx\.rollcall\.example are ignored/);
    // Without any trusted id, no header is believed either.
    expect((await verifyMessage(raw, { resolver: dns().resolve })).verdict).toBe('fail');
  });

  it("looks again itself when the trusted server could not (temperror)", async () => {
    const raw = await signed(message({ from: `poc3@${AM}`, headers: [serverSays('mx.rollcall.example', `dkim=temperror header.d=${AM}; dmarc=temperror header.from=${AM}`)] }), AM, 'rc2024', key);
    const v = await verifyMessage(raw, { trustedAuthservIds: TRUSTED, resolver: dns().resolve });
    expect(v.verdict, v.reasons.join('\n')).toBe('pass');
    expect(v.source).toBe('rollcall');
    expect(v.reasons.join('\n')).toMatch(/mx\.rollcall\.example could not complete its checks/);
  });
});

describe('the pieces', () => {
  it('parses Authentication-Results with comments, quotes, versions and spaces', () => {
    const h = parseAuthenticationResults(
      'mx.rollcall.example 1; dkim = pass (2048-bit key; secure) header.d=police.am.example header.s="rc;2024" header.b=AbCd;\r\n' +
        '\tspf=fail (mx.rollcall.example: domain of x@y does not designate 192.0.2.1) smtp.mailfrom=x@forger.example;\r\n dmarc/1=fail reason="no aligned identifier" header.from=police.am.example',
    );
    expect(h?.authservId).toBe('mx.rollcall.example');
    expect(h?.results).toEqual([
      { method: 'dkim', result: 'pass', props: { 'header.d': 'police.am.example', 'header.s': 'rc;2024', 'header.b': 'AbCd' }, comment: '2048-bit key; secure' },
      { method: 'spf', result: 'fail', props: { 'smtp.mailfrom': 'x@forger.example' }, comment: 'mx.rollcall.example: domain of x@y does not designate 192.0.2.1' },
      { method: 'dmarc', result: 'fail', reason: 'no aligned identifier', props: { 'header.from': 'police.am.example' } },
    ]);
    expect(parseAuthenticationResults('mx.rollcall.example; none')).toEqual({ authservId: 'mx.rollcall.example', results: [] });
  });

  it('finds the client of Postfix and Exim Received headers, and the first external one', () => {
    expect(receivedClient('from mail.x.example (mail.x.example [203.0.113.5]) by mx.y.example with ESMTPS id 1; Wed, 5 Jun 2024')).toEqual({ ip: '203.0.113.5', helo: 'mail.x.example' });
    expect(receivedClient('from host.x.example ([2001:db8::25] helo=smtp.x.example) by mx.y.example with esmtps')).toEqual({ ip: '2001:db8::25', helo: 'smtp.x.example' });
    const h = parseHeaderBlock(['Received: from a (a [127.0.0.1]) by b', 'Received: from c (c [192.168.1.4]) by d', 'Received: from e (e [IPv6:2001:db8::7]) by f', 'Received: from g (g [203.0.113.9]) by h'].join('\r\n'));
    expect(lastExternalHop(h)?.ip).toBe('2001:db8::7');
  });

  it('caches answers (and "no such record") per name, but not failures to look', async () => {
    const r = dns();
    const cached = cachedResolver(r.resolve);
    const raw1 = await signed(message({ from: `poc3@${AM}` }), AM, 'rc2024', key);
    const raw2 = await signed(message({ from: `poc1@${AM}`, body: 'Received.' }), AM, 'rc2024', key);
    expect((await verifyMessage(raw1, { resolver: cached })).verdict).toBe('pass');
    const first = r.asked.length;
    expect((await verifyMessage(raw2, { resolver: cached })).verdict).toBe('pass');
    expect(r.asked.length).toBe(first);
    await expect(cached('nothing.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(cached('nothing.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(r.asked.filter((a) => a === 'TXT nothing.example')).toHaveLength(1);
    r.failWith = 'ETIMEOUT';
    await expect(cached('down.example', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    r.failWith = undefined;
    await expect(cached('down.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect(r.asked.filter((a) => a === 'TXT down.example')).toHaveLength(2);
  });

  it('gives up every look-up at the deadline', async () => {
    const r = dns();
    r.hang = true;
    const stop = new AbortController();
    const until = resolverUntil(r.resolve, stop.signal, 2000);
    const pending = until('x.example', 'TXT');
    stop.abort();
    await expect(pending).rejects.toMatchObject({ code: 'ETIMEOUT', message: 'DNS did not answer within 2 s' });
    await expect(until('y.example', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
  });

  it("reads what the secretariat's domain publishes: SPF, DMARC (or the organisation's), DKIM key", async () => {
    const r = new TableResolver().txt('rollcall.example', 'google-site-verification=abc', 'v=spf1 mx -all').txt('_dmarc.rollcall.example', 'v=DMARC1; p=quarantine').txt(`rc2024._domainkey.rollcall.example`, dkimRecord(key));
    expect(await domainPolicies('rollcall.example', r.resolve)).toEqual({
      domain: 'rollcall.example',
      spf: 'v=spf1 mx -all',
      dmarc: 'v=DMARC1; p=quarantine',
      dmarcName: '_dmarc.rollcall.example',
      dmarcPolicy: 'quarantine',
      errors: [],
    });
    const sub = await domainPolicies('mail.rollcall.example', r.resolve, () => 'rollcall.example');
    expect(sub).toMatchObject({ dmarcName: '_dmarc.rollcall.example', dmarcPolicy: 'quarantine' });
    expect(sub.spf).toBeUndefined();
    expect(await publishedDkimKey('rc2024', 'rollcall.example', r.resolve)).toBe(key.publicKey);
    expect(await publishedDkimKey('other', 'rollcall.example', r.resolve)).toBeUndefined();
    r.failWith = 'ECONNREFUSED';
    expect((await domainPolicies('rollcall.example', r.resolve)).errors).toEqual(['rollcall.example: ECONNREFUSED', '_dmarc.rollcall.example: ECONNREFUSED']);
  });

  it('decides from the checks in order: DMARC pass, aligned DKIM, DMARC fail, broken signature, SPF fail, could not look, none', () => {
    const d = (checks: Parameters<typeof decide>[0]) => decide(checks, 'x.example').verdict;
    expect(d({ dkim: [], dmarc: { result: 'pass' } })).toBe('pass');
    expect(d({ dkim: [{ domain: 'x.example', result: 'pass', aligned: true }], dmarc: { result: 'fail' } })).toBe('pass');
    expect(d({ dkim: [{ domain: 'x.example', result: 'temperror', aligned: true }], dmarc: { result: 'fail' } })).toBe('unknown');
    expect(d({ dkim: [{ domain: 'x.example', result: 'neutral', aligned: true, comment: 'body hash did not verify' }] })).toBe('fail');
    expect(d({ dkim: [{ domain: 'list.example', result: 'fail', aligned: false }], dmarc: { result: 'none' } })).toBe('none');
    expect(d({ dkim: [], spf: { domain: 'x.example', result: 'softfail', aligned: true } })).toBe('none');
    expect(d({ dkim: [], dmarc: { result: 'temperror' } })).toBe('unknown');
    expect(decide({ dkim: [] }, undefined).verdict).toBe('unknown');
  });
});
