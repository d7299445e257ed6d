// Output places the user names that cannot be used (--out, --runs-dir, templates init): one plain
// line naming the path and why, exit 2, never a stack trace, and never a hang (Node's recursive
// mkdir spins forever under /proc).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeFolder, PathError } from '../../src/core/make-folder.js';
import { rollcall } from '../support/cli.js';
import { tempDir } from '../run/support.js';

const tmp = tempDir('rollcall-output-paths-');
const aFile = join(tmp.path, 'a-file');
writeFileSync(aFile, 'not a folder\n');
afterAll(() => tmp.remove());

function plainError(r: { status: number | null; stderr: string }, expected: RegExp): void {
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(expected);
  expect(r.stderr).not.toMatch(/this is a bug|\n\s+at /);
}

describe('makeFolder', () => {
  it('makes the missing parents, and accepts a folder that exists', () => {
    const deep = join(tmp.path, 'x', 'y', 'z');
    makeFolder(deep, 'test:');
    expect(existsSync(deep)).toBe(true);
    makeFolder(deep, 'test:');
  });

  it('names the file in the way, wherever it is among the parents', () => {
    expect(() => makeFolder(aFile, '--out: cannot write to')).toThrow(new PathError(aFile, 'is a file, not a folder', '--out: cannot write to'));
    expect(() => makeFolder(join(aFile, 'sub', 'deeper'), 'w')).toThrow(`w ${join(aFile, 'sub', 'deeper')}: ${aFile} is a file, not a folder`);
  });

  it.runIf(existsSync('/proc/self'))('gives up under /proc instead of spinning', () => {
    expect(() => makeFolder('/proc/rollcall-nope/x', 'w')).toThrow('w /proc/rollcall-nope/x: cannot be created there');
  });
});

describe('the CLI on an output place it cannot use', () => {
  it('report --out a file', () => {
    plainError(rollcall(['report', 'fixtures/replies-2023.csv', '--format', 'md', '--out', aFile]), new RegExp(`^rollcall: cannot write to ${aFile}: is a file, not a folder\\n$`));
  });

  it('report --letters --out under a file', () => {
    plainError(rollcall(['report', 'fixtures/replies-2023.csv', '--letters', '--out', join(aFile, 'letters')]), /cannot write to .*a-file\/letters\/letters: .*a-file is a file, not a folder/);
  });

  it('demo --runs-dir a file', () => {
    plainError(rollcall(['demo', '--speed', 'max', '--runs-dir', aFile]), /^rollcall: cannot create a run folder in .*a-file: is a file, not a folder/);
  });

  it('directory export --out under a file; a missing folder is made', () => {
    plainError(rollcall(['directory', 'export', 'fixtures/directory.yaml', '--out', join(aFile, 'x.yaml')]), /--out: cannot write to .*a-file: is a file, not a folder/);
    const out = join(tmp.path, 'new-folder', 'directory.yaml');
    const r = rollcall(['directory', 'export', 'fixtures/directory.yaml', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('templates init into a file', () => {
    plainError(rollcall(['templates', 'init', aFile]), /templates init: cannot write to .*a-file\/en: .*a-file is a file, not a folder/);
  });

  it.runIf(existsSync('/proc/self'))('report --out and templates init under /proc end at once', () => {
    plainError(rollcall(['report', 'fixtures/replies-2023.csv', '--format', 'md', '--out', '/proc/rollcall-nope'], { timeout: 20_000 }), /cannot write to \/proc\/rollcall-nope: cannot be created there/);
    plainError(rollcall(['templates', 'init', '/proc/rollcall-nope'], { timeout: 20_000 }), /cannot be created there/);
  });
});
