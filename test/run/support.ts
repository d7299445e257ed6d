// Shared by the run tests: a synthetic directory, temporary run folders, an engine on the sim
// channel and a virtual clock.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory, Party } from '../../src/core/directory.js';
import { readEvents } from '../../src/core/event-log.js';
import type { RunEvent } from '../../src/core/events.js';
import { createRun } from '../../src/run/plan.js';
import { mulberry32 } from '../../src/core/random.js';
import type { RunPlan } from '../../src/core/run-folder.js';
import { runPaths } from '../../src/core/run-folder.js';

/** `n` parties (every third with a second contact point), plus `observers` observers. */
export function syntheticDirectory(n: number, observers = 0): Directory {
  const parties: Party[] = [];
  for (let i = 0; i < n + observers; i++) {
    const iso = `Q${String.fromCharCode(65 + Math.floor(i / 26) % 26)}${String.fromCharCode(65 + (i % 26))}`.slice(0, 3);
    const id = `P${String(i).padStart(4, '0')}`;
    const contacts: Party['contacts'] = [
      { id: `${id}-POL`, unit: `Police unit ${i}`, kind: 'police', emails: [`poc${i}@police${i}.example`], phones: [], sms: [], timezone: 'Europe/Paris', languages: ['en'] },
    ];
    if (i % 3 === 0) {
      contacts.push({ id: `${id}-PRO`, unit: `Prosecution ${i}`, kind: 'prosecution', emails: [`duty${i}@prosecution${i}.example`], phones: [], sms: [], timezone: 'Europe/Paris', languages: ['en'] });
    }
    parties.push({ country: `Country ${i}`, iso, status: i < n ? 'party' : 'observer', contacts });
  }
  return { network: 'Test Network', parties };
}

export function tempDir(prefix = 'rollcall-run-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const T0 = new Date('2024-06-05T07:30:00Z');

export function newRun(runsDir: string, directory: Directory, over: Partial<Parameters<typeof createRun>[0]> = {}): { runDir: string; plan: RunPlan } {
  return createRun({
    runsDir,
    directory,
    directoryFile: 'synthetic.yaml',
    schedule: { startAt: T0, plan: { kind: 'now', tz: 'UTC' } },
    windowSeconds: 86_400,
    bucketSeconds: [900, 1800, 3600, 43_200, 86_400],
    channels: ['sim'],
    includeObservers: false,
    folders: ['INBOX'],
    tz: 'UTC',
    simulated: true,
    now: T0,
    random: mulberry32(1),
    ...over,
  });
}

export async function eventsOf(runDir: string): Promise<RunEvent[]> {
  return (await readEvents(runPaths(runDir).events)).events;
}
