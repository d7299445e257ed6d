// Fuzzing what users hand to rollcall: directory files (YAML, JSON, CSV), reply logs and e-mail
// messages, each a fixture mutated by fast-check with a fixed seed and a bounded number of cases.
// Every call must end with exit 0, 1 or 2, print no stack trace, and not hang: the cases run in a
// child process (the built CLI's main()) that is killed if it takes too long.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { STACK } from '../support/main.js';

const SEED = 20_241_101;
const CASES_PER_KIND = 60;
/** Any single call slower than this counts as a hang. */
const HANG_MS = 30_000; // a hang is endless (the alias bomb ran > 60 s); a loaded 2-core CI machine takes 10 s for some cases

const dir = mkdtempSync(join(tmpdir(), 'rollcall-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (p: string) => readFileSync(join(repoRoot, 'fixtures', p), 'utf8');

/** Pieces that break parsers: YAML anchors and flow, CSV quotes, MIME boundaries and encoded
 * words, control characters, huge and deeply nested values, impossible dates. */
const TOKENS = [
  '\u0000', '\u001b]0;x\u0007\u001b[2J', '&a ', '*a', '<<: *a', '[', ']', '{', '}', ': ', '- ', '"', "'", '\n', '\r\n', '\t', '#', '%',
  '!!binary ', '!!js/function ', ',', ';', '=HYPERLINK("x")', '\uFEFF', '\uD800', '€', 'x'.repeat(5000), '['.repeat(3000), '{a: '.repeat(500),
  '1e999', 'NaN', '-0', '0x1F', '2023-02-30T25:61:61Z', '2023-06-07T10:00:00+99:00', 'Content-Type: multipart/mixed; boundary="b"\r\n',
  '--b\r\n', '--b--\r\n', '=?utf-8?B?', '=?utf-8?Q?=E2=', 'Subject: ', 'From: <>\r\n', '\r\n\r\n', 'Content-Transfer-Encoding: base64\r\n',
  'Content-Type: message/delivery-status\r\n', 'Action: failed\r\nStatus: 5.1.1\r\n', 'In-Reply-To: <', 'iso: NO', 'status: observer',
];

/** Whole constructs known to exhaust parsers, appended or put at the start. */
const bomb = ['a0: &a0 [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 6 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]`)].join('\n');
const CONSTRUCTS = [
  `\nbomb:\n${bomb.replace(/^/gm, '  ')}\n`,
  `\ndeep: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
  `{"deep": ${'['.repeat(5000)}${']'.repeat(5000)}}`,
  `Subject: ${'x'.repeat(2 * 1024 * 1024)}\r\n`,
  `Content-Type: multipart/mixed; boundary="b"\r\n\r\n${'--b\r\nContent-Type: text/plain\r\n\r\npart\r\n'.repeat(1000)}--b--\r\n`,
  `${'"'.repeat(3)}\n${'x,'.repeat(20_000)}\n`,
];

const edit = fc.oneof(
  fc.record({ kind: fc.constant('construct' as const), at: fc.constantFrom(0, 1), text: fc.constantFrom(...CONSTRUCTS) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ maxLength: 20 })) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), length: fc.integer({ min: 1, max: 2000 }), times: fc.integer({ min: 2, max: 50 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('flip' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), byte: fc.integer({ min: 0, max: 255 }) }),
);
type Edit = typeof edit extends fc.Arbitrary<infer T> ? T : never;

function mutate(base: string, edits: Edit[]): Buffer {
  let b = Buffer.from(base, 'utf8');
  for (const e of edits) {
    const at = Math.floor(e.at * b.length);
    if (e.kind === 'construct') b = e.at === 0 ? Buffer.concat([Buffer.from(e.text), b]) : Buffer.concat([b, Buffer.from(e.text)]);
    else if (e.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(e.text, 'utf8'), b.subarray(at)]);
    else if (e.kind === 'delete') b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.length)]);
    else if (e.kind === 'duplicate') b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: e.times }, () => b.subarray(at, at + e.length)), b.subarray(at)]);
    else if (e.kind === 'truncate') b = b.subarray(0, at);
    else if (b.length > 0) (b = Buffer.from(b))[Math.min(at, b.length - 1)] = e.byte;
  }
  return b;
}

interface Case {
  kind: string;
  file: string;
  argv: string[];
  cwd: string;
}

function cases(): Case[] {
  const mail = readdirSync(join(repoRoot, 'fixtures/mail')).filter((f) => f.endsWith('.eml'));
  const kinds: Array<{ kind: string; ext: string; bases: string[]; argv: (f: string) => string[] }> = [
    { kind: 'directory-yaml', ext: 'yaml', bases: [fixture('directory.yaml'), fixture('broken/many-problems.yaml')], argv: (f) => ['directory', 'validate', f] },
    { kind: 'directory-json', ext: 'json', bases: [JSON.stringify(parse(fixture('directory.yaml')), null, 2)], argv: (f) => ['directory', 'validate', f] },
    { kind: 'directory-csv', ext: 'csv', bases: [fixture('directory.csv'), fixture('broken/bad-cells.csv')], argv: (f) => ['directory', 'validate', f] },
    { kind: 'reply-log', ext: 'csv', bases: [fixture('replies-2023.csv')], argv: (f) => ['stats', f] },
    { kind: 'inspect', ext: 'eml', bases: mail.map((m) => fixture(`mail/${m}`)), argv: (f) => ['inspect', f] },
  ];
  const out: Case[] = [];
  kinds.forEach((k, ki) => {
    const sub = join(dir, k.kind);
    mkdirSync(sub, { recursive: true });
    const samples = fc.sample(fc.tuple(fc.nat(k.bases.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 })), { seed: SEED + ki, numRuns: CASES_PER_KIND });
    samples.forEach(([base, edits], i) => {
      const file = `case-${i}.${k.ext}`;
      writeFileSync(join(sub, file), mutate(k.bases[base]!, edits));
      out.push({ kind: k.kind, file: `${k.kind}/${file}`, argv: k.argv(file), cwd: sub });
    });
  });
  return out;
}

describe('fuzzing the loaders, the reply-log importer and inspect', () => {
  it(`${CASES_PER_KIND} mutated files of each kind: exit 0, 1 or 2, no stack trace, no hang`, () => {
    const all = cases();
    const list = join(dir, 'cases.json');
    writeFileSync(list, JSON.stringify(all));
    const r = spawnSync(process.execPath, [join(repoRoot, 'test/faults/fuzz-runner.mjs'), list], { encoding: 'utf8', timeout: 240_000, maxBuffer: 64 * 1024 * 1024 });
    const lines = r.stdout.split('\n').filter(Boolean);
    const results = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { i: number; code: number | string; ms: number; out: string; err: string });
    if (results.length < all.length) {
      const hung = lines.filter((l) => l.startsWith('start ')).pop();
      const i = Number(hung?.split(' ')[1]);
      throw new Error(`the fuzz runner stopped (${r.signal ?? r.status}) at case ${i} (${all[i]?.file}): it hung or crashed. ${r.stderr.slice(0, 2000)}`);
    }
    const bad = results.filter((x) => ![0, 1, 2].includes(x.code as number) || STACK.test(x.err + x.out) || x.ms > HANG_MS);
    expect(bad.map((x) => ({ file: all[x.i]!.file, code: x.code, ms: x.ms, err: x.err.slice(0, 400) }))).toEqual([]);
    // The mutations do reach the checks: some inputs pass, some are refused.
    const codes = new Set(results.map((x) => x.code));
    expect(codes.has(0) && codes.has(2)).toBe(true);
  }, 300_000);
});
