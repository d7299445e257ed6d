// The authenticity settings: trustedAuthservIds, authenticity (report|require), dkim { selector,
// domain } and dnsServers, from rollcall.config.yaml and the environment (which wins), each bad
// value named with its file, line and field; the key file only from the environment.
import { describe, expect, it } from 'vitest';
import { InputError, SettingsError } from '../../src/core/errors.js';
import { loadSettings } from '../../src/settings.js';

const FILE = '/nowhere/rollcall.config.yaml';

function problems(text: string): string {
  try {
    loadSettings({}, '/nowhere', text);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

function envError(env: NodeJS.ProcessEnv): string {
  try {
    loadSettings(env, '/nowhere', '');
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message;
  }
  throw new Error('expected a SettingsError');
}

describe('authenticity settings', () => {
  it('reads them from the file, the inline and the indented way', () => {
    const inline = loadSettings({}, '/nowhere', 'trustedAuthservIds: [mx1.rollcall.example, "mx2.rollcall.example"]\nauthenticity: require\ndkim: { selector: rc2024, domain: rollcall.example }\ndnsServers: [127.0.0.1:5353, "[::1]:53"]\n');
    expect(inline).toMatchObject({
      trustedAuthservIds: ['mx1.rollcall.example', 'mx2.rollcall.example'],
      authenticity: 'require',
      dkim: { selector: 'rc2024', domain: 'rollcall.example' },
      dnsServers: ['127.0.0.1:5353', '[::1]:53'],
    });
    const block = loadSettings({}, '/nowhere', 'from: a@rollcall.example\ndkim:\n  selector: "rc2024"   # published 2024-05\n  domain: mail.rollcall.example\nauthenticity: report\ntrustedAuthservIds: mx.rollcall.example\n');
    expect(block).toMatchObject({ from: 'a@rollcall.example', dkim: { selector: 'rc2024', domain: 'mail.rollcall.example' }, authenticity: 'report', trustedAuthservIds: ['mx.rollcall.example'] });
    // Defaults: nothing set (report, no trusted server, no signing) — the consumers' defaults.
    const none = loadSettings({}, '/nowhere', '');
    expect(none.authenticity).toBeUndefined();
    expect(none.trustedAuthservIds).toBeUndefined();
    expect(none.dkim).toBeUndefined();
  });

  it('lets the environment win, and takes the key file from there only', () => {
    const s = loadSettings(
      {
        ROLLCALL_TRUSTED_AUTHSERV_IDS: 'mx9.rollcall.example, mx8.rollcall.example',
        ROLLCALL_AUTHENTICITY: 'REQUIRE',
        ROLLCALL_DKIM_SELECTOR: 'rc2025',
        ROLLCALL_DKIM_PRIVATE_KEY_FILE: '/run/secrets/dkim.pem',
        ROLLCALL_DNS_SERVERS: '10.0.0.53',
      },
      '/nowhere',
      'trustedAuthservIds: [mx.rollcall.example]\nauthenticity: report\ndkim: { selector: rc2024, domain: rollcall.example }\n',
    );
    expect(s).toMatchObject({
      trustedAuthservIds: ['mx9.rollcall.example', 'mx8.rollcall.example'],
      authenticity: 'require',
      dkim: { selector: 'rc2025', domain: 'rollcall.example' },
      dkimPrivateKeyFile: '/run/secrets/dkim.pem',
      dnsServers: ['10.0.0.53'],
    });
    expect(problems('dkimPrivateKeyFile: /etc/dkim.pem\n')).toBe(`${FILE}:1: dkimPrivateKeyFile: is a secret: set ROLLCALL_DKIM_PRIVATE_KEY_FILE in the environment, never in a file`);
  });

  it('names every bad value with its line and field', () => {
    const text = [
      'authenticity: strict',
      'trustedAuthservIds: [mx.rollcall.example, "bad id;x"]',
      'dkim:',
      '  selector: "rc 2024"',
      '  domain: -bad-.example',
      '  algorithm: ed25519',
      'dnsServers: [dns.example]',
      'from:',
      '  name: x',
      '',
    ].join('\n');
    expect(problems(text).split('\n')).toEqual([
      `${FILE}:1: authenticity: must be report or require (got "strict")`,
      `${FILE}:2: trustedAuthservIds: "bad id;x" is not an authserv-id (the host name your receiving server writes first in its Authentication-Results headers)`,
      `${FILE}:6: dkim.algorithm: unknown (allowed: selector, domain)`,
      `${FILE}:4: dkim.selector: "rc 2024" is not a DKIM selector (letters, digits, - and _, dot-separated)`,
      `${FILE}:5: dkim.domain: "-bad-.example" is not a domain name`,
      `${FILE}:7: dnsServers: "dns.example" is not a DNS server address (an IP address, with :port if not 53)`,
      `${FILE}:8: from: must be a single value or a list, not a map`,
    ]);
    expect(problems('dkim: { domain: rollcall.example }\n')).toMatch(/:1: dkim\.selector: missing: the selector under which the public key is published/);
    expect(problems('dkim: rc2024\n')).toMatch(/:1: dkim: must be a map: dkim: \{ selector: <selector>, domain: <domain> \}/);
  });

  it('names the variable of a bad value in the environment', () => {
    expect(envError({ ROLLCALL_AUTHENTICITY: 'strict' })).toBe('ROLLCALL_AUTHENTICITY must be report or require (got "strict")');
    expect(envError({ ROLLCALL_DKIM_SELECTOR: 'a b' })).toMatch(/^ROLLCALL_DKIM_SELECTOR: "a b" is not a DKIM selector/);
    expect(envError({ ROLLCALL_DKIM_DOMAIN: 'nodot' })).toMatch(/^ROLLCALL_DKIM_DOMAIN: "nodot" is not a domain name/);
    expect(envError({ ROLLCALL_TRUSTED_AUTHSERV_IDS: 'mx.example, (comment)' })).toMatch(/^ROLLCALL_TRUSTED_AUTHSERV_IDS: "\(comment\)" is not an authserv-id/);
    expect(envError({ ROLLCALL_DNS_SERVERS: '127.0.0.1:99999' })).toMatch(/^ROLLCALL_DNS_SERVERS: "127\.0\.0\.1:99999" is not a DNS server address/);
  });
});
