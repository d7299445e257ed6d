import { cpSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError, UsageError } from '../../src/core/errors.js';
import { loadStatsSource } from '../../src/stats/source.js';

const tmp = mkdtempSync(join(tmpdir(), 'rollcall-source-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixture = (p: string) => new URL(`../../fixtures/events/${p}`, import.meta.url).pathname;

const DIRECTORY = `network: Test network
parties:
${[
  ['Albania', 'AL', 'party'],
  ['Ghana', 'GH', 'party'],
  ['Peru', 'PE', 'party'],
  ['Republic of Korea', 'KR', 'observer'],
]
  .map(
    ([country, iso, status]) => `  - country: ${country}
    iso: ${iso}
    status: ${status}
    contacts:
      - id: ${iso}-POL
        unit: Cybercrime Unit
        kind: police
        emails: [poc@police.${iso!.toLowerCase()}.example]
        timezone: UTC
        languages: [en]`,
  )
  .join('\n')}
`;
const directoryFile = join(tmp, 'directory.yaml');
writeFileSync(directoryFile, DIRECTORY);

async function inputError(p: Promise<unknown>): Promise<InputError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(InputError);
  return e as InputError;
}

describe('loadStatsSource', () => {
  it('reads a run folder: its directory snapshot, its thresholds, observers when the run tested them', async () => {
    const { stats, meta, warnings } = await loadStatsSource(fixture('run-small'));
    expect(warnings).toEqual([]);
    expect(stats.population).toBe(6);
    expect(stats.observers?.population).toBe(1);
    expect(meta).toMatchObject({
      kind: 'run',
      runId: '2023-06-07T0800Z-small',
      network: '24/7 Network (fixture)',
      startedAt: '2023-06-07T07:59:58.000Z',
      endedAt: '2023-06-08T10:05:00.000Z',
      channels: ['email', 'voice', 'sms'],
      bucketSeconds: [900, 1800, 3600, 43200, 86400],
      windowSeconds: 86400,
      tz: 'Europe/Paris',
    });
  });

  it('gives a run folder the same figures as its events.jsonl with the snapshot as directory', async () => {
    const run = await loadStatsSource(fixture('run-small'));
    const snapshot = join(tmp, 'snapshot.json');
    cpSync(fixture('run-small/directory.json'), snapshot);
    const events = await loadStatsSource(fixture('run-small/events.jsonl'), { directory: snapshot });
    expect(events.stats).toEqual(run.stats);
  });

  it('takes --buckets over the run’s own thresholds', async () => {
    const { stats, meta } = await loadStatsSource(fixture('run-small'), { bucketSeconds: [300, 3600] });
    expect(stats.buckets.map((b) => [b.threshold, b.responded])).toEqual([
      ['5m', 1],
      ['1h', 3],
    ]);
    expect(meta.bucketSeconds).toEqual([300, 3600]);
  });

  it('counts a bare events.jsonl over the countries it pinged, named from their codes', async () => {
    const { stats, meta } = await loadStatsSource(fixture('small.jsonl'));
    expect(stats.population).toBe(7); // no directory: the observer is just another country seen
    expect(stats.countries.map((c) => c.country)).toContain('Cabo Verde');
    expect(meta.kind).toBe('events');
    expect(meta.runId).toBe('2023-06-07T0800Z-small');
  });

  it('warns about a truncated last line and counts the rest', async () => {
    const { stats, warnings } = await loadStatsSource(fixture('truncated.jsonl'));
    expect(warnings).toEqual([expect.objectContaining({ line: 13, message: expect.stringMatching(/incomplete/) })]);
    expect(stats.population).toBe(3);
  });

  it('refuses a corrupt line in the middle, naming the line', async () => {
    const e = await inputError(loadStatsSource(fixture('corrupt.jsonl')));
    expect(e.problems[0]).toMatchObject({ line: 5 });
    expect(e.exitCode).toBe(2);
  });

  it('counts a reply log against a directory: absent parties silent, observers apart', async () => {
    const file = join(tmp, 'r.csv');
    writeFileSync(file, 'country,contact,sent_at,replied_at\nalbania,AL-POL,2023-06-07T08:00:00Z,2023-06-07T08:05:00Z\nKR,KR-POL,2023-06-07T08:00:00Z,2023-06-07T08:07:00Z\n');
    const { stats } = await loadStatsSource(file, { directory: directoryFile });
    expect(stats.population).toBe(3);
    expect(stats.countries.map((c) => [c.country, c.outcome])).toEqual([
      ['Albania', 'answered'],
      ['Ghana', 'silent'],
      ['Peru', 'silent'],
    ]);
    expect(stats.countries[0]!.timezone).toBe('UTC');
    expect(stats.observers?.countries.map((c) => [c.country, c.responseSeconds])).toEqual([['Republic of Korea', 420]]);
  });

  it('refuses a reply-log country the directory does not list, with its row', async () => {
    const file = join(tmp, 'narnia.csv');
    writeFileSync(file, 'country,sent_at,replied_at\nPeru,2023-06-07T08:00:00Z,\nNarnia,2023-06-07T08:00:00Z,\n');
    const e = await inputError(loadStatsSource(file, { directory: directoryFile }));
    expect(e.problems).toEqual([expect.objectContaining({ file, row: 3, field: 'country', message: expect.stringMatching(/"Narnia" is not in the directory/) })]);
  });

  it('refuses --directory with a run folder, and a path that does not exist', async () => {
    await expect(loadStatsSource(fixture('run-small'), { directory: directoryFile })).rejects.toThrow(UsageError);
    const e = await inputError(loadStatsSource(join(tmp, 'nothing-here')));
    expect(e.message).toMatch(/no such file or run folder/);
  });

  it('reads a run folder whose run has not started yet: everyone silent, with a warning', async () => {
    const dir = join(tmp, 'run-waiting');
    cpSync(fixture('run-small'), dir, { recursive: true });
    unlinkSync(join(dir, 'events.jsonl'));
    const { stats, warnings } = await loadStatsSource(dir);
    expect(stats.silent).toHaveLength(6);
    expect(warnings[0]!.message).toMatch(/no events yet/);
  });

  it('tells an events log from a CSV by its content when the name does not say', async () => {
    const file = join(tmp, 'log.txt');
    cpSync(fixture('small.jsonl'), file);
    expect((await loadStatsSource(file)).meta.kind).toBe('events');
  });
});
