// Directory files built to exhaust the YAML reader: an alias bomb (a few KB that expand to
// millions of nodes) and nesting thousands of levels deep. Refused in plain words, exit 2, quickly.
// Spawned as the real CLI, so that a hang is a timeout here, not a stuck test run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollcall } from '../support/cli.js';
import { STACK } from '../support/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-yaml-limits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const head = `network: Test
parties:
  - country: Albania
    iso: AL
    status: party
    contacts:
      - id: AL-POL
        kind: police
        emails: [poc@police.al.example]
        timezone: Europe/Tirane
`;

/** Six levels of nine aliases each: 9^6 ≈ 530,000 copies of the innermost list. */
function aliasBomb(): string {
  const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i <= 6; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${head}        extra:\n${lines.map((l) => `          ${l}`).join('\n')}\n`;
}

beforeAll(() => {
  writeFileSync(join(dir, 'bomb.yaml'), aliasBomb());
  writeFileSync(join(dir, 'deep.yaml'), `${head}        extra: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
  writeFileSync(join(dir, 'deep-map.yaml'), `${head}        extra: ${'{a: '.repeat(5000)}1${'}'.repeat(5000)}\n`);
  writeFileSync(join(dir, 'anchors.yaml'), `${head.replace('kind: police', 'kind: &k police')}  - country: Andorra\n    iso: AD\n    status: party\n    contacts:\n      - id: AD-POL\n        kind: *k\n        emails: [poc@police.ad.example]\n        timezone: Europe/Andorra\n`);
});

const validate = (name: string) => rollcall(['directory', 'validate', join(dir, name)], { timeout: 30_000 });

describe('YAML built to exhaust the reader', () => {
  it('an alias bomb is refused at once, saying what was refused', () => {
    const t0 = Date.now();
    const r = validate('bomb.yaml');
    expect(r.signal, 'killed by the timeout: it hung').toBeNull();
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bomb\.yaml:\d+: .*aliases/);
    expect(r.stderr).not.toMatch(STACK);
  });

  it('5,000 levels of nesting (lists or maps): exit 2 with a plain line', () => {
    for (const name of ['deep.yaml', 'deep-map.yaml']) {
      const r = validate(name);
      expect(r.signal, name).toBeNull();
      expect(r.stderr, name).not.toMatch(STACK);
      expect(r.status, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr, name).toMatch(new RegExp(`${name.replace('.', '\\.')}(:\\d+)?: .*nest`));
    }
  });

  it('ordinary anchors and aliases still work', () => {
    const r = validate('anchors.yaml');
    expect(r.stderr).not.toMatch(STACK);
    expect(r.status, r.stderr).toBe(0);
  });

  it('a file larger than any directory is refused with its size', () => {
    writeFileSync(join(dir, 'big.yaml'), head + `        unit: "${'x'.repeat(21 * 1024 * 1024)}"\n`);
    const r = validate('big.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/big\.yaml: .*MB/);
    expect(r.stderr).not.toMatch(STACK);
  });
});
