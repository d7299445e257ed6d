import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rollcall } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the rollcall command line', () => {
  it('prints help listing every command of DESIGN.md, exit 0', () => {
    const r = rollcall(['--help']);
    expect(r.status).toBe(0);
    for (const c of ['directory', 'check', 'run', 'resume', 'status', 'stats', 'report', 'inspect', 'mark', 'demo']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${c}\\b`, 'm'));
    }
  });

  it('gives each command help with an example', () => {
    const r = rollcall(['stats', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Examples:');
    expect(r.stdout).toContain('--buckets');
  });

  it('gives every command and group an example, and the fixtures its examples name exist', () => {
    const all = [['directory'], ['directory', 'validate'], ['directory', 'show'], ['directory', 'export'], ['templates'], ['templates', 'init'], ['check'], ['run'], ['resume'], ['status'], ['service'], ['stats'], ['report'], ['inspect'], ['mark'], ['demo']];
    for (const command of all) {
      const r = rollcall([...command, '--help']);
      expect(r.status, command.join(' ')).toBe(0);
      const examples = r.stdout.slice(r.stdout.indexOf('Examples:'));
      expect(r.stdout, command.join(' ')).toContain('Examples:');
      expect(examples, command.join(' ')).toContain(`rollcall ${command.join(' ')}`);
      for (const file of examples.match(/fixtures\/[\w./-]+/g) ?? []) expect(existsSync(new URL(`../../${file}`, import.meta.url)), `${command.join(' ')}: ${file}`).toBe(true);
    }
  });

  it('prints the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = rollcall(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('exits 2 on bad usage, without a stack trace', () => {
    for (const args of [['frobnicate'], ['stats'], ['run'], ['mark', 'runs/x', 'AL-POL', '--as', 'maybe', '--note', 'n']]) {
      const r = rollcall(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('does not load mail, IMAP or Twilio code for --help', () => {
    const trace = join(tmp, 'help-trace.txt');
    const hooks = fileURLToPath(new URL('../support/trace-imports.mjs', import.meta.url));
    const r = rollcall(['--help'], { nodeArgs: ['--import', hooks], env: { TRACE_FILE: trace } });
    expect(r.status).toBe(0);
    const loaded = readFileSync(trace, 'utf8');
    expect(loaded).toContain('/dist/cli/main.js'); // the trace works
    for (const lib of ['nodemailer', 'imapflow', 'twilio', 'mailparser', 'smtp-server', 'yaml', 'csv-parse', 'libphonenumber-js']) {
      expect(loaded, lib).not.toContain(`/node_modules/${lib}/`);
    }
  });
});
