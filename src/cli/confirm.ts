// Asking before real pings leave: only when both stdin and stdout are a terminal (the caller
// checks Output.interactive); never waits on a stdin that is not one. Ctrl-C at the question
// stops the command with the shells' 130, as it does everywhere else.
import { createInterface } from 'node:readline/promises';
import { StoppedBySignal } from '../run/stop-signals.js';
import type { Output } from './output.js';

export async function confirm(o: Output, question: string): Promise<boolean> {
  if (!o.interactive || !process.stdin.isTTY) return true;
  const rl = createInterface({ input: process.stdin, output: o.err });
  // On a terminal Ctrl-C reaches readline as a key, not as a signal to the process.
  const interrupted = new AbortController();
  rl.on('SIGINT', () => interrupted.abort());
  try {
    const answer = await rl.question(`${question} [y/N] `, { signal: interrupted.signal });
    return /^\s*y(es)?\s*$/i.test(answer);
  } catch (e) {
    if (interrupted.signal.aborted) {
      o.err.write('\n');
      throw new StoppedBySignal('SIGINT');
    }
    throw e;
  } finally {
    rl.close();
  }
}
