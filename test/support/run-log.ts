// Reading a run's event log while another process writes it, for the tests that spawn the CLI.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEvent } from '../../src/core/events.js';

export const ofType = <T extends RunEvent['type']>(events: RunEvent[], type: T) =>
  events.filter((e): e is Extract<RunEvent, { type: T }> => e.type === type);

/** The complete lines of a run's events.jsonl so far (a line being written is left out). */
export function logLines(runDir: string | undefined): RunEvent[] {
  if (!runDir || !existsSync(join(runDir, 'events.jsonl'))) return [];
  return readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.endsWith('}'))
    .map((l) => JSON.parse(l) as RunEvent);
}

/** Polls `pred` every `everyMs` until it holds; throws after `ms`. */
export async function until(pred: () => boolean, ms: number, what: string, everyMs = 5): Promise<void> {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
