// Where human and machine output goes, and whether it may use colour. Passed in, never global.
import { basename, relative } from 'node:path';
import type { Writable } from 'node:stream';
import { colorWanted } from '../core/palette.js';

export interface Output {
  out: Writable;
  err: Writable;
  /** Colours on: stdout is a TTY, NO_COLOR unset (FORCE_COLOR forces them on); see core/palette.ts. */
  color: boolean;
  /** stdout is an interactive terminal (live views, prompts). */
  interactive: boolean;
  /** --json: machine output only on stdout. */
  json: boolean;
  /** Settings and defaults: the process environment (tests pass their own). */
  env: NodeJS.ProcessEnv;
  /** Working directory that relative paths are resolved against. */
  cwd: string;
  /** How the user typed rollcall (`rollcall`, `npx rollcall`, `node bin/rollcall.js`): hints
   * ("continue with: ... resume runs/x") are written the same way, so they can be pasted. */
  invocation?: string;
}

/** `<how rollcall was invoked> <args>`: a command line to suggest to the user. */
export function commandLine(o: Pick<Output, 'invocation'>, args: string): string {
  return `${o.invocation ?? 'rollcall'} ${args}`;
}

/** The command as the user invoked it: a script run with node is named by its path; npx (and
 * `npm exec`) set npm_command=exec for the bin link they run; a bin link keeps its own name. A
 * detached run is told how its parent was invoked (ROLLCALL_INVOCATION), for the hints in its log. */
export function invocationOf(env: NodeJS.ProcessEnv, script: string | undefined, cwd: string): string {
  if (env.ROLLCALL_INVOCATION) return env.ROLLCALL_INVOCATION;
  const name = script ? basename(script) : '';
  if (/^rollcall\.[cm]?js$/.test(name)) {
    const r = relative(cwd, script!);
    return `node ${r && !r.startsWith('..') ? r : script}`;
  }
  // Anything else (a test runner calling main()) is named plainly.
  return name === 'rollcall' && env.npm_command === 'exec' ? 'npx rollcall' : 'rollcall';
}

export function processOutput(json: boolean): Output {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: process.stdout,
    err: process.stderr,
    color: colorWanted(process.env, isTTY),
    interactive: isTTY && Boolean(process.stdin.isTTY),
    json,
    env: process.env,
    cwd: process.cwd(),
    invocation: invocationOf(process.env, process.argv[1], process.cwd()),
  };
}

export function println(stream: Writable, text = ''): void {
  stream.write(text + '\n');
}

/** What the top level prints for an error that is not the user's: a bug, with its stack. */
export function writeBug(stream: Writable, e: unknown): void {
  stream.write(`rollcall: this is a bug, please report it with the lines below.\n${(e as Error)?.stack ?? String(e)}\n`);
}
