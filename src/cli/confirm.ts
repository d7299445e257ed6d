// Asking before real pings leave: only when both stdin and stdout are a terminal (the caller
// checks Output.interactive); never waits on a stdin that is not one.
import { createInterface } from 'node:readline/promises';
import type { Output } from './output.js';

export async function confirm(o: Output, question: string): Promise<boolean> {
  if (!o.interactive || !process.stdin.isTTY) return true;
  const rl = createInterface({ input: process.stdin, output: o.err });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
