// Spawns the built CLI (run `npm run build` first; `npm test` does).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rollcall } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-stats-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const LINES_2023 = [
  '- 15 minutes, 24 countries responded, with an average response time of 6 min',
  '- 30 minutes, 35 countries responded, with an average response time of 11 min',
  '- 1 hour, 42 countries responded, with an average response time of 17 min',
  '- 12 hours, 59 countries responded, with an average response time of 1h 11 min',
  '- 24 hours, 61 countries responded (89.71%), average response time of 1h 37 min',
];

describe('rollcall stats', () => {
  it('prints the 2023 table and lines for the 2023 reply log, without colour', () => {
    const r = rollcall(['stats', 'fixtures/replies-2023.csv']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(LINES_2023.join('\n'));
    expect(r.stdout).toMatch(/│ 24 hours\s+│\s+61 │ 89\.71% │ 1h 37 min │/);
    expect(r.stdout).toMatch(/^Answered late, after 24 hours \(1\): \S/m);
    expect(r.stdout).toMatch(/^Automatic answers only \(2\): /m);
    expect(r.stdout).toMatch(/^Silent \(4\): /m);
    expect(r.stdout).not.toContain('\u001b[');
  });

  it('prints the Stats JSON with --json', () => {
    const r = rollcall(['stats', 'fixtures/replies-2023.csv', '--json']);
    expect(r.status).toBe(0);
    const stats = JSON.parse(r.stdout);
    expect(stats.population).toBe(68);
    expect(stats.buckets).toEqual([
      { threshold: '15m', thresholdSeconds: 900, responded: 24, share: 35.29, averageSeconds: expect.any(Number), medianSeconds: expect.any(Number) },
      { threshold: '30m', thresholdSeconds: 1800, responded: 35, share: 51.47, averageSeconds: expect.any(Number), medianSeconds: expect.any(Number) },
      { threshold: '1h', thresholdSeconds: 3600, responded: 42, share: 61.76, averageSeconds: expect.any(Number), medianSeconds: expect.any(Number) },
      { threshold: '12h', thresholdSeconds: 43200, responded: 59, share: 86.76, averageSeconds: expect.any(Number), medianSeconds: expect.any(Number) },
      { threshold: '24h', thresholdSeconds: 86400, responded: 61, share: 89.71, averageSeconds: 5824.049, medianSeconds: expect.any(Number) },
    ]);
    expect(stats.buckets[0].averageSeconds).toBeCloseTo(346.042, 3);
    expect(stats.late).toHaveLength(1);
    expect(stats.automaticOnly).toHaveLength(2);
    expect(stats.silent).toHaveLength(4);
    expect(Array.isArray(stats.findings)).toBe(true);
  });

  it('takes other thresholds', () => {
    const r = rollcall(['stats', 'fixtures/replies-2023.csv', '--buckets', '5m,1h', '--json']);
    expect(r.status).toBe(0);
    const stats = JSON.parse(r.stdout);
    expect(stats.buckets.map((b: { threshold: string; responded: number }) => [b.threshold, b.responded])).toEqual([
      ['5m', 11],
      ['1h', 42],
    ]);
    // With a 1-hour window, the 19 answers after it are late.
    expect(stats.late).toHaveLength(20);
  });

  it('warns when a threshold asked of a run folder is past the window the run watched', () => {
    const past = rollcall(['stats', 'fixtures/events/run-small', '--buckets', '1h,48h', '--json']);
    expect(past.status).toBe(0);
    expect(past.stderr).toBe('rollcall: warning: --buckets: the last threshold (48h) is longer than the window the run watched (24h): answers after 24h were not looked for, so it counts only those that came within the window\n');
    expect(JSON.parse(past.stdout).buckets.map((b: { threshold: string }) => b.threshold)).toEqual(['1h', '2d']);
    expect(rollcall(['stats', 'fixtures/events/run-small', '--buckets', '1h,24h']).stderr).toBe('');
    // A reply log says nothing of a window.
    expect(rollcall(['stats', 'fixtures/replies-2023.csv', '--buckets', '48h']).stderr).toBe('');
  });

  it('splits by kind of contact point and by status', () => {
    const kind = rollcall(['stats', 'fixtures/replies-2023.csv', '--by', 'kind', '--directory', 'fixtures/directory.yaml']);
    expect(kind.status).toBe(0);
    // The directory's kinds: 68 parties with a police contact point, 14 with a prosecution one.
    expect(kind.stdout).toMatch(/│ Police \(68\)\s+│ 15 minutes/);
    expect(kind.stdout).toMatch(/│ Prosecution \(14\)\s+│ 15 minutes/);
    const status = rollcall(['stats', 'fixtures/events/run-small', '--by', 'status']);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/│ Parties \(6\)\s+│ 15 minutes/);
    expect(status.stdout).toMatch(/│ Observers \(1\)\s+│ 15 minutes/);
  });

  it('--by kind on a reply log without --directory: no kinds, none guessed from the contact ids', () => {
    for (const file of ['fixtures/replies-2023.csv', join(tmp, 'renamed.csv')]) {
      // The same log with the prosecutors' ids spelt XX-PROS: it makes no difference.
      if (file !== 'fixtures/replies-2023.csv') writeFileSync(file, readFileSync('fixtures/replies-2023.csv', 'utf8').replace(/-PRO,/g, '-PROS,'));
      const r = rollcall(['stats', file, '--by', 'kind']);
      expect(r.status).toBe(0);
      expect(r.stdout).not.toMatch(/│ (Police|Prosecution|Other) \(/);
      expect(r.stdout).toContain('No kinds of contact point to split by: a reply log or an events.jsonl has them only with --directory.');
      expect(JSON.parse(rollcall(['stats', file, '--json']).stdout).byKind).toEqual({});
    }
  });

  it('--by kind on a reply log with --directory: the directory says each kind, an id it does not list is other', () => {
    const r = rollcall(['stats', 'fixtures/replies-2023.csv', '--directory', 'fixtures/directory.yaml', '--json']);
    expect(r.status).toBe(0);
    const byKind = JSON.parse(r.stdout).byKind;
    // 14 prosecution countries in the directory (XX-PROS), not the 42 whose log ids end in -PRO:
    // those 32 ids are not in the directory, so `other` (with Hungary's HU-OTH, 33 countries).
    expect(byKind.prosecution.population).toBe(14);
    expect(byKind.police.population).toBe(68);
    expect(byKind.other.population).toBe(33);
  });

  it('reads a run folder: findings and manual corrections listed', () => {
    const r = rollcall(['stats', 'fixtures/events/run-small']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('- 24 hours, 3 countries responded (50.00%), average response time of 13 min');
    expect(r.stdout).toMatch(/failed\s+Cabo Verde {2}CV-POL {2}email {2}poc@police\.cv\.example — 550 5\.1\.1/);
    expect(r.stdout).toMatch(/uncertain\s+Ghana {2}GH-PRO {2}sms/);
    expect(r.stdout).toContain('FR-POL → reply: ticket system acknowledgement');
  });

  it('exits 2 on a bad reply log, listing the rows, and prints no table', () => {
    const file = join(tmp, 'bad.csv');
    writeFileSync(
      file,
      'country,contact,channel,sent_at,replied_at,kind\n' +
        'Albania,AL-POL,email,2023-06-07T10:00:00+02:00,2023-06-07T10:06:00+02:00,reply\n' +
        'Ghana,GH-POL,email,2023-06-07 08:00,2023-06-07T08:06:00Z,\n' +
        'Peru,PE-POL,email,2023-06-07T08:00:00Z,2023-06-07T07:59:00Z,\n' +
        'Chile,CL-POL,email,2023-06-07T08:00:00Z,2023-06-07T08:09:00Z,call-back\n' +
        'Spain,ES-POL,email\n',
    );
    const r = rollcall(['stats', file]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:row 3: sent_at: "2023-06-07 08:00" is not an ISO 8601 time`);
    expect(r.stderr).toContain(`${file}:row 4: replied_at: 2023-06-07T07:59:00Z is before the ping it answers`);
    expect(r.stderr).toContain(`${file}:row 5: kind: unknown kind "call-back"`);
    expect(r.stderr).toContain(`${file}:row 6: sent_at: missing column`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const json = rollcall(['stats', file, '--json']);
    expect(json.status).toBe(2);
    expect(json.stdout).toBe('');
  });

  it('warns on stderr about a truncated events.jsonl and still prints the figures', () => {
    const r = rollcall(['stats', 'fixtures/events/truncated.jsonl', '--json']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('rollcall: warning: fixtures/events/truncated.jsonl:13: last line is incomplete (the run stopped mid-write); ignored\n');
    expect(JSON.parse(r.stdout).population).toBe(3);
  });

  it('exits 2 on a corrupt line in the middle of an events.jsonl, naming the line', () => {
    const r = rollcall(['stats', 'fixtures/events/corrupt.jsonl']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rollcall: fixtures\/events\/corrupt\.jsonl:5: not a JSON event/);
  });

  it('exits 2 on bad usage', () => {
    for (const args of [
      ['stats', 'fixtures/replies-2023.csv', '--buckets', '15x'],
      ['stats', 'fixtures/replies-2023.csv', '--by', 'colour'],
      ['stats', 'no/such/file.csv'],
    ]) {
      const r = rollcall(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^rollcall: /);
    }
  });
});
