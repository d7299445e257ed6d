// A large run's directory.json is read in a worker thread beside the fold of the log: the
// statistics are the same as read in the main thread, and a broken snapshot is reported the same.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/core/directory.js';
import { forCounting, fromWire, toWire } from '../../src/stats/counting-directory.js';
import { loadStatsSource } from '../../src/stats/source.js';
import { rollcall } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-counting-directory-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A demo's run folder of its own under tmp/<name> (a seed each), to break. */
function demoRun(name: string, seed: number): string {
  const runs = join(tmp, name);
  rmSync(runs, { recursive: true, force: true });
  const r = rollcall(['demo', '--json', '--speed', 'max', '--seed', String(seed), '--runs-dir', runs]);
  expect(r.status, r.stderr).toBe(0);
  return join(runs, readdirSync(runs)[0]!);
}

let runDir = '';
beforeAll(() => {
  const r = rollcall(['demo', '--json', '--speed', 'max', '--seed', '7', '--runs-dir', join(tmp, 'runs')]);
  expect(r.status, r.stderr).toBe(0);
  runDir = join(tmp, 'runs', readdirSync(join(tmp, 'runs'))[0]!);
  // Made larger than the worker's threshold (4 MB) with long unit names, which no figure reads.
  const file = join(runDir, 'directory.json');
  const d = JSON.parse(readFileSync(file, 'utf8')) as Directory;
  for (const p of d.parties) for (const c of p.contacts) c.unit = `${c.unit} ${'·'.repeat(40_000)}`;
  writeFileSync(file, JSON.stringify(d, null, 2) + '\n');
  expect(statSync(file).size).toBeGreaterThan(5 << 20);
}, 60_000);

describe('the directory of a large run', () => {
  it('gives the same statistics read in a worker (the built CLI) as in the main thread', async () => {
    const r = rollcall(['stats', runDir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    // In the tests the sources run: no compiled worker, so loadStatsSource reads it here.
    const { stats } = await loadStatsSource(runDir);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(JSON.stringify(stats)));
    expect(stats.population).toBeGreaterThan(60);
  });

  it('gives a report the statistics computed in a worker of their own (the built CLI), the same as rollcall stats', () => {
    const out = join(tmp, 'report');
    const r = rollcall(['report', runDir, '--format', 'json', '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, readdirSync(out)[0]!), 'utf8')) as { stats: unknown; meta: { kind: string; runId: string } };
    const s = rollcall(['stats', runDir, '--json']);
    expect(report.stats).toEqual(JSON.parse(s.stdout));
    expect(report.meta).toMatchObject({ kind: 'run', runId: basename(runDir) });
  });

  it('reports a broken event log of a report computed in a worker with its line, exit 2', () => {
    const dir = demoRun('broken-log', 9);
    writeFileSync(join(dir, 'directory.json'), readFileSync(join(runDir, 'directory.json')));
    const events = readFileSync(join(dir, 'events.jsonl'), 'utf8').split('\n');
    events[4] = '{"v":1,"type":';
    writeFileSync(join(dir, 'events.jsonl'), events.join('\n'));
    const r = rollcall(['report', dir, '--format', 'json', '--out', join(tmp, 'report-broken')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(dir, 'events.jsonl')}:5`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('reports a broken directory.json read in a worker with the file and what is wrong, exit 2', () => {
    const dir = demoRun('broken', 8);
    writeFileSync(join(dir, 'directory.json'), '{"network": "x", "parties": [' + ' '.repeat(5 << 20));
    const r = rollcall(['stats', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(join(dir, 'directory.json'));
    expect(r.stderr).toContain('directory.json is not valid JSON');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('sends the slim directory compactly and gets the same back', () => {
    const d = JSON.parse(readFileSync(join(runDir, 'directory.json'), 'utf8')) as Directory;
    for (const channels of [undefined, ['sim' as const], ['sms' as const, 'voice' as const]]) {
      const slim = forCounting(d, channels);
      const back = fromWire(structuredClone(toWire(slim)));
      expect(back).toEqual(slim);
    }
    // Only the run's channels keep their addresses; the units and languages go.
    const sim = forCounting(d, ['sim']).parties[0]!.contacts[0]!;
    expect(sim.emails.length).toBeGreaterThan(0);
    expect(sim.phones).toEqual([]);
    expect(sim.unit).toBe('');
    expect(sim.languages).toEqual([]);
  });
  it('lets rollcall mark count a mark against that directory read in a worker, as rollcall stats does', () => {
    const copy = join(tmp, 'marked');
    rmSync(copy, { recursive: true, force: true });
    cpSync(runDir, copy, { recursive: true });
    const d = JSON.parse(readFileSync(join(copy, 'directory.json'), 'utf8')) as Directory;
    const before = JSON.parse(rollcall(['stats', copy, '--json']).stdout) as { countries: Array<{ country: string; outcome: string }> };
    // The first contact point of a country that answered: "not an answer" makes it silent or worse.
    const party = d.parties.find((p) => before.countries.find((c) => c.country === p.country)?.outcome === 'answered' && p.contacts.length === 1)!;
    const r = rollcall(['mark', copy, party.contacts[0]!.id, '--as', 'not-an-answer', '--note', 'a test', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const mark = JSON.parse(r.stdout) as { effect: { before: { outcome: string }; after: { outcome: string } } };
    const after = JSON.parse(rollcall(['stats', copy, '--json']).stdout) as typeof before;
    expect(mark.effect.before.outcome).toBe('answered');
    expect(mark.effect.after.outcome).toBe(after.countries.find((c) => c.country === party.country)!.outcome);
    expect(mark.effect.after.outcome).not.toBe('answered');
  });
});
