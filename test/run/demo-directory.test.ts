// `rollcall demo --directory`: the demo's simulated contact points on a directory of one's own,
// with the validator's warnings shown first; the 2023 curve as shares of the countries whatever
// the size; the same seed gives the same events.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Stats } from '../../src/stats/types.js';
import { repoRoot } from '../support/cli.js';
import { tempDir } from './support.js';

const tmp = tempDir('rollcall-demo-directory-');
afterAll(() => tmp.remove());

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let o = '';
  let e = '';
  out.on('data', (d: Buffer) => (o += d.toString()));
  err.on('data', (d: Buffer) => (e += d.toString()));
  const code = await main(args, { out, err, color: false, interactive: false, env: { NO_COLOR: '1' }, cwd: tmp.path });
  return { code, out: o, err: e };
}

type DemoJson = { runDir: string; directory: string; warnings: Array<{ row?: number; field?: string; message: string }>; stats: Stats };

/** The events of a run with its times (also those quoted in reasons) made relative to its start
 * and its id masked: what two demos with the same seed must share. */
function relativeEvents(runDir: string): unknown[] {
  const lines = readFileSync(join(tmp.path, runDir, 'events.jsonl'), 'utf8').trim().split('\n');
  const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const t0 = Date.parse(events[0]!.at as string);
  return events.map((e) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      if (k === 'runId') out[k] = '(run)';
      else if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v)) out[k] = Date.parse(v) - t0;
      // Reasons quote send times too.
      else out[k] = JSON.parse(JSON.stringify(v).replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (t) => `T0+${Date.parse(t) - t0}ms`));
    }
    return out;
  });
}

/** Thresholds of the 2023 curve and the share of countries answered by each (24, 35, 42, 59, 61 of 68). */
const CURVE = [
  [900, 24 / 68],
  [1800, 35 / 68],
  [3600, 42 / 68],
  [43_200, 59 / 68],
  [86_400, 61 / 68],
] as const;

describe('rollcall demo --directory', () => {
  const generated = join(tmp.path, 'generated.csv');
  beforeAll(() => {
    const r = spawnSync(process.execPath, ['fixtures/generate-big-directory.mjs', '--contacts', '2000', '--out', generated, '--seed', '3'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
  });

  it('rehearses the example directory from its CSV: the warnings first, then the 2023 figures', async () => {
    const csv = join(repoRoot, 'fixtures/directory.csv');
    const r = await cli(['demo', '--directory', csv, '--speed', 'max', '--seed', '7', '--runs-dir', 'runs']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    // fixtures/directory.csv has contact points without a phone number: the validator warns.
    expect(r.out).toMatch(/^\d+ warnings? about .*directory\.csv:\n/);
    expect(r.out).toContain('BE-PROS has no phone number: reachable by e-mail only');
    expect(r.out).toContain('as fast as the machine goes');
    expect(r.out).toMatch(/- 24 hours, 61 countries responded \(89\.71%\)/);

    const j = await cli(['demo', '--directory', csv, '--speed', 'max', '--seed', '7', '--runs-dir', 'runs', '--json']);
    expect(j.code).toBe(0);
    const demo = JSON.parse(j.out) as DemoJson;
    expect(demo.directory).toBe(csv);
    expect(demo.warnings.some((w) => w.field === 'phones' && /BE-PROS/.test(w.message))).toBe(true);
    expect(demo.stats.population).toBe(68);
    expect(demo.stats.buckets.map((b) => b.responded)).toEqual([24, 35, 42, 59, 61]);
  });

  it('on a generated directory of 2,000 contact points: the curve as shares, dead addresses found, and the same seed gives the same events', async () => {
    const a = await cli(['demo', '--directory', generated, '--speed', 'max', '--seed', '11', '--runs-dir', 'runs', '--json']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    const first = JSON.parse(a.out) as DemoJson;
    const n = first.stats.population;
    expect(n).toBe(80);
    // One country per slice of the curve: each threshold holds the curve's share of the
    // countries, give or take the one whose slice straddles it.
    for (const [seconds, share] of CURVE) {
      const bucket = first.stats.buckets.find((b) => b.thresholdSeconds === seconds)!;
      expect(Math.abs(bucket.responded - share * n)).toBeLessThanOrEqual(1);
    }
    // Contact points, not only countries, fail: refusals and bounces in proportion to the directory.
    const failed = first.stats.findings.filter((f) => f.status === 'failed').length;
    expect(failed).toBeGreaterThan(2000 * 0.08);
    expect(failed).toBeLessThan(2000 * 0.25);

    const b = await cli(['demo', '--directory', generated, '--speed', 'max', '--seed', '11', '--runs-dir', 'runs', '--json']);
    const second = JSON.parse(b.out) as DemoJson;
    expect(second.runDir).not.toBe(first.runDir);
    const events = relativeEvents(first.runDir);
    expect(events.length).toBeGreaterThan(4000);
    expect(relativeEvents(second.runDir)).toEqual(events);

    const c = await cli(['demo', '--directory', generated, '--speed', 'max', '--seed', '12', '--runs-dir', 'runs', '--json']);
    expect(relativeEvents((JSON.parse(c.out) as DemoJson).runDir)).not.toEqual(events);
  }, 120_000);

  it('refuses a directory with errors, --sheet without --directory, and a bad --speed, with exit 2 and nothing run', async () => {
    const broken = join(tmp.path, 'broken.csv');
    writeFileSync(broken, 'country,iso,status,id,unit,kind,emails,phones,sms,timezone,languages\nFrance,FR,party,FR-POL,Police,police,not-an-address,,,Europe/Paris,fr\n');
    const r = await cli(['demo', '--directory', broken, '--runs-dir', 'broken-runs']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${broken}:row 2: emails: 'not-an-address' is not an e-mail address`);
    expect(r.out).toBe('');

    const s = await cli(['demo', '--sheet', 'Directory']);
    expect(s.code).toBe(2);
    expect(s.err).toContain('--sheet names a sheet of the --directory workbook');

    const v = await cli(['demo', '--directory', generated, '--speed', 'fastest']);
    expect(v.code).toBe(2);
    expect(v.err).toContain('--speed: "fastest" is not a positive number or max');
  });
});
