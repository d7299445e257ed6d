// Where human and machine output goes, and whether it may use colour. Passed in, never global.
import type { Writable } from 'node:stream';

export interface Output {
  out: Writable;
  err: Writable;
  /** Colours on: stdout is a TTY, NO_COLOR unset (FORCE_COLOR forces them on). */
  color: boolean;
  /** stdout is an interactive terminal (live views, prompts). */
  interactive: boolean;
  /** --json: machine output only on stdout. */
  json: boolean;
  /** Settings and defaults: the process environment (tests pass their own). */
  env: NodeJS.ProcessEnv;
  /** Working directory that relative paths are resolved against. */
  cwd: string;
}

export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
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
  };
}

export function println(stream: Writable, text = ''): void {
  stream.write(text + '\n');
}

/** Chalk instance honouring the output's colour setting (chalk is cheap to load). */
export async function paint(o: Output) {
  const { Chalk } = await import('chalk');
  return new Chalk({ level: o.color ? 1 : 0 });
}

/** What the top level prints for an error that is not the user's: a bug, with its stack. */
export function writeBug(stream: Writable, e: unknown): void {
  stream.write(`rollcall: this is a bug, please report it with the lines below.\n${(e as Error)?.stack ?? String(e)}\n`);
}
