// SIGINT/SIGTERM during a run: the first one stops the engine cleanly through an AbortSignal
// (pings in flight finish and are recorded, channels close); a second one is the user insisting:
// `quit` (the CLI's process.exit) ends it at once — the log is safe on disk anyway. Either way the
// exit code is the shells' 128 + signal number (130 for Ctrl-C, 143 for SIGTERM), whether rollcall
// was started with node or through npx.
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import { RollcallError } from '../core/errors.js';

export interface StopSignals {
  signal: AbortSignal;
  /** Name of the signal that stopped the run, if any. */
  readonly received: string | undefined;
  dispose(): void;
}

/** 128 + the signal's number, as a shell reports a process killed by it: SIGINT 130, SIGTERM 143. */
export function signalExitCode(name: string): number {
  return 128 + ((constants.signals as Record<string, number>)[name] ?? 0);
}

/** The user stopped a command by a signal before it could do anything (at a prompt): no stack,
 * the signal's exit code. */
export class StoppedBySignal extends RollcallError {
  constructor(readonly signalName: string) {
    super(`stopped by ${signalName}; nothing was done`, signalExitCode(signalName));
  }
}

export function stopOnSignals(opts: { err: Writable; continueWith: string; quit: (code: number) => void }): StopSignals {
  const controller = new AbortController();
  let received: string | undefined;
  const handler = (name: NodeJS.Signals) => {
    if (received) {
      opts.err.write(`rollcall: quit. Continue with: ${opts.continueWith}\n`);
      return opts.quit(signalExitCode(name));
    }
    received = name;
    opts.err.write(`\nrollcall: ${name}: stopping (pings in flight finish first; ${name === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again to quit at once)\n`);
    controller.abort(new Error(`stopped by ${name}`));
  };
  const names: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  for (const n of names) process.on(n, handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      for (const n of names) process.off(n, handler);
    },
  };
}

/** Exit code of a sitting that ended `stopped`: the signal's when one stopped it, else 1. */
export function stoppedExitCode(stop: Pick<StopSignals, 'received'>): number {
  return stop.received ? signalExitCode(stop.received) : 1;
}
