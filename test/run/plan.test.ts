// Planning: the pings a directory calls for, and the run folder that holds the plan.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planPings, snapshotText } from '../../src/run/plan.js';
import { runPaths, type RunPlan } from '../../src/core/run-folder.js';
import type { Directory } from '../../src/core/directory.js';
import { newRun, syntheticDirectory, T0, tempDir } from './support.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('planPings', () => {
  it('makes one ping per address per channel, with stable ids', () => {
    const directory: Directory = {
      network: 'N',
      parties: [
        {
          country: 'France',
          iso: 'FR',
          status: 'party',
          contacts: [
            { id: 'FR-POL', unit: 'OFAC', kind: 'police', emails: ['a@fr.example', 'b@fr.example'], phones: ['+33100000001'], sms: ['+33600000001'], timezone: 'Europe/Paris', languages: ['fr'] },
            { id: 'FR-PRO', unit: 'Parquet', kind: 'prosecution', emails: ['c@fr.example'], phones: [], sms: [], timezone: 'Europe/Paris', languages: ['fr'] },
          ],
        },
      ],
    };
    const ids = planPings(directory, ['email', 'sms', 'voice']).map((p) => `${p.pingId} ${p.address}`);
    expect(ids).toEqual([
      'FR-POL/email/1 a@fr.example',
      'FR-POL/email/2 b@fr.example',
      'FR-POL/sms/1 +33600000001',
      'FR-POL/voice/1 +33100000001',
      'FR-PRO/email/1 c@fr.example',
    ]);
    expect(planPings(directory, ['sms']).map((p) => p.pingId)).toEqual(['FR-POL/sms/1']);
    const first = planPings(directory, ['email'])[0]!;
    expect(first).toMatchObject({ contactId: 'FR-POL', iso: 'FR', country: 'France', unit: 'OFAC', channel: 'email', timezone: 'Europe/Paris', languages: ['fr'] });
  });
});

describe('snapshotText', () => {
  it('writes the snapshot back exactly, one contact point a line', async () => {
    const { readDirectory } = await import('../../src/directory/load.js');
    const example = await readDirectory('fixtures/directory.yaml');
    const edge: Directory = {
      network: 'Réseau "24/7"\n2',
      parties: [
        { country: 'Côte d’Ivoire', iso: 'CI', status: 'party', contacts: [] },
        { country: 'France', iso: 'FR', status: 'observer', contacts: [{ id: 'FR-1', unit: 'Unité\tcyber', kind: 'police', emails: ['a@b.example'], phones: [], sms: [], timezone: 'Europe/Paris', languages: ['fr'] }] },
      ],
    };
    for (const d of [example, edge, syntheticDirectory(3, 4), { network: 'Empty', parties: [] }]) {
      const text = snapshotText(d);
      expect(JSON.parse(text)).toEqual(d);
      const contacts = d.parties.reduce((n, p) => n + p.contacts.length, 0);
      // A line per contact point, two per party (its head, its end), one per field above the
      // parties, and the braces, the parties' brackets and the last line break.
      const fields = Object.keys(d).filter((k) => k !== 'parties').length;
      expect(text.split('\n').length).toBe(contacts + 2 * d.parties.length + fields + 5);
    }
    expect(snapshotText(example).length).toBeLessThan(JSON.stringify(example, null, 2).length * 0.7);
  });
});

describe('createRun', () => {
  it('creates runs/<id>/ with the plan, the parties-only snapshot, an empty log and messages/', () => {
    const directory = syntheticDirectory(5, 2);
    const { runDir, plan } = newRun(tmp.path, directory, { windowSeconds: 7200, bucketSeconds: [60, 600], channels: ['email', 'sms'], folders: ['INBOX', 'Junk'], tz: 'Europe/Paris' });
    const paths = runPaths(runDir);
    expect(basename(runDir)).toMatch(/^2024-06-05T0730Z-[a-z0-9]{4}$/);
    expect(readdirSync(runDir).sort()).toEqual(['directory.json', 'events.jsonl', 'messages', 'run.json']);
    expect(statSync(paths.messages).isDirectory()).toBe(true);
    expect(readFileSync(paths.events, 'utf8')).toBe('');
    const onDisk = JSON.parse(readFileSync(paths.plan, 'utf8')) as RunPlan;
    expect(onDisk).toEqual(plan);
    expect(onDisk).toMatchObject({
      id: basename(runDir),
      createdAt: T0.toISOString(),
      startAt: T0.toISOString(),
      schedule: { kind: 'now', tz: 'UTC' },
      windowSeconds: 7200,
      bucketSeconds: [60, 600],
      channels: ['email', 'sms'],
      includeObservers: false,
      directoryFile: 'synthetic.yaml',
      network: 'Test Network',
      folders: ['INBOX', 'Junk'],
      tz: 'Europe/Paris',
    });
    expect(onDisk.version).toMatch(/^\d+\.\d+\.\d+/);
    const snapshotText = readFileSync(paths.directory, 'utf8');
    const snapshot = JSON.parse(snapshotText) as Directory;
    expect(snapshot.parties.map((p) => p.status)).toEqual(['party', 'party', 'party', 'party', 'party']);
    expect(onDisk.directoryHash).toBe(createHash('sha256').update(snapshotText).digest('hex'));
    expect(existsSync(`${paths.plan}.tmp-${process.pid}`)).toBe(false);
  });

  it('keeps observers in the snapshot with --include-observers, and never reuses a folder', () => {
    const directory = syntheticDirectory(3, 2);
    const a = newRun(tmp.path, directory, { includeObservers: true });
    const b = newRun(tmp.path, directory, { includeObservers: true }); // same clock time, same seed
    expect(a.runDir).not.toBe(b.runDir);
    const snapshot = JSON.parse(readFileSync(runPaths(a.runDir).directory, 'utf8')) as Directory;
    expect(snapshot.parties.filter((p) => p.status === 'observer')).toHaveLength(2);
    expect(a.plan.includeObservers).toBe(true);
  });
});
