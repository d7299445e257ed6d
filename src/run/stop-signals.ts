// SIGINT/SIGTERM during a run: the first one stops the engine cleanly through an AbortSignal
// (pings in flight finish and are recorded, channels close); a second one is the user insisting:
// `quit` (the CLI's process.exit) ends it at once — the log is safe on disk anyway.
import type { Writable } from 'node:stream';

export interface StopSignals {
  signal: AbortSignal;
  /** Name of the signal that stopped the run, if any. */
  readonly received: string | undefined;
  dispose(): void;
}

export function stopOnSignals(opts: { err: Writable; continueWith: string; quit: () => void }): StopSignals {
  const controller = new AbortController();
  let received: string | undefined;
  const handler = (name: NodeJS.Signals) => {
    if (received) {
      opts.err.write(`rollcall: quit. Continue with: ${opts.continueWith}\n`);
      return opts.quit();
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
