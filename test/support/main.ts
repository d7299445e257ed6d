// Runs the CLI entry (main) in this process with captured output, as a user would see it.
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cliIn(cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const sink = (f: (s: string) => void) => new Writable({ write: (c, _e, cb) => (f(String(c)), cb()) });
  const code = await main(argv, { out: sink((s) => (out += s)), err: sink((s) => (err += s)), env: { NO_COLOR: '1', ...env }, cwd, color: false, interactive: false });
  return { code, out, err };
}

/** A stack trace or the bug banner: what a user's input must never produce. */
export const STACK = /this is a bug|\n\s+at .+:\d+:\d+/;
