// The demo: a whole test on the example directory with simulated contact points, deterministic for
// a seed, leaving a run folder on which `rollcall stats` gives the same figures; stopped by a
// signal, it is resumed like any run.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Stats } from '../../src/stats/types.js';
import { binPath, repoRoot, rollcall } from '../support/cli.js';
import { tempDir } from './support.js';
import { cliIn } from '../support/main.js';

const tmp = tempDir('rollcall-demo-');
afterAll(() => tmp.remove());

const cli = (args: string[]) => cliIn(tmp.path, args);

/** Stats without the absolute times, which depend on when the demo ran. */
function timeless(stats: Stats): unknown {
  return JSON.parse(JSON.stringify(stats, (k, v) => (['sentAt', 'answeredAt', 'at'].includes(k) ? undefined : v)));
}

describe('rollcall demo', () => {
  it('is deterministic for a seed, and `stats` on its run folder prints the same figures', async () => {
    const a = await cli(['demo', '--json', '--speed', '2000000', '--seed', '7', '--runs-dir', 'runs']);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    const first = JSON.parse(a.out) as { runDir: string; stats: Stats };
    expect(first.runDir).toMatch(/^runs\/\d{4}-\d{2}-\d{2}T\d{4}Z-[a-z0-9]{4}$/);
    const dir = join(tmp.path, first.runDir);
    expect(readdirSync(dir).sort()).toEqual(['directory.json', 'events.checkpoint', 'events.jsonl', 'messages', 'reports', 'run.json']);
    expect(readdirSync(join(dir, 'messages')).length).toBeGreaterThan(60);
    expect(readdirSync(join(dir, 'reports')).map((f) => f.replace(/^.*-report\./, '')).sort()).toEqual(['html', 'json', 'md']);

    // 68 parties on the 2023 curve: the counts of 2023 exactly, one late, some silent.
    expect(first.stats.population).toBe(68);
    expect(first.stats.buckets.map((b) => b.responded)).toEqual([24, 35, 42, 59, 61]);
    expect(first.stats.buckets[4]!.share).toBe(89.71);
    expect(first.stats.late).toHaveLength(1);
    // Issue 10: a country whose every address failed is unreachable, no longer "automatic only".
    expect(first.stats.automaticOnly.length + first.stats.unreachable.length + first.stats.silent.length).toBe(6);
    expect(first.stats.unreachable.length).toBeGreaterThan(0);
    expect(first.stats.automaticOnly.every((c) => c.received?.some((k) => k === 'auto-reply' || k === 'read-receipt'))).toBe(true);
    expect(first.stats.findings.some((f) => f.status === 'failed')).toBe(true);

    const b = await cli(['demo', '--json', '--speed', '2000000', '--seed', '7', '--runs-dir', 'runs']);
    const second = JSON.parse(b.out) as { runDir: string; stats: Stats };
    expect(second.runDir).not.toBe(first.runDir);
    expect(timeless(second.stats)).toEqual(timeless(first.stats));

    const other = JSON.parse((await cli(['demo', '--json', '--speed', '2000000', '--seed', '8', '--runs-dir', 'runs'])).out) as { stats: Stats };
    expect(timeless(other.stats)).not.toEqual(timeless(first.stats));

    const s = await cli(['stats', first.runDir, '--json']);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.out)).toEqual(first.stats);
  });

  it('prints the table, the run folder and the reports', async () => {
    const r = await cli(['demo', '--speed', '2000000', '--seed', '2023', '--runs-dir', 'runs']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('- 15 minutes, 24 countries responded, with an average response time of');
    expect(r.out).toMatch(/- 24 hours, 61 countries responded \(89\.71%\)/);
    expect(r.out).toMatch(/^Run folder: runs\/\S+$/m);
    expect(r.out).toMatch(/^Reports: +runs\/\S+-report\.md, /m);
    expect(r.out).toMatch(/^Figures again: rollcall stats runs\/\S+$/m);
    // Plain progress lines without a terminal, and no escape codes.
    expect(r.out).toMatch(/started at .*; sending \d+ pings; window closes at/);
    expect(r.out).not.toContain('\x1b[');
  });

  it('refuses a bad --speed with exit 2', async () => {
    const r = await cli(['demo', '--speed', 'fast']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--speed: "fast" is not a positive number');
  });

  it('stopped by SIGINT, it says how to continue; resumed, it ends with the figures of an uninterrupted demo', async () => {
    const runs = join(tmp.path, 'spawned');
    const child = spawn(process.execPath, [binPath, 'demo', '--speed', '20000', '--seed', '7', '--runs-dir', runs], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // Mid-watch: the pings are out, the window (25 h = 4.5 s at this speed) is still open.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (/started at/.test(out)) {
          clearInterval(check);
          setTimeout(resolve, 1500);
        }
      }, 50);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, err).toBe(130);
    const runDir = /^Run folder: (\S+)$/m.exec(out)![1]!;
    expect(out).toContain(`Continue with: node bin/rollcall.js resume ${runDir}`);
    expect(existsSync(join(runDir, 'lock'))).toBe(false);

    const status = rollcall(['status', runDir, '--json']);
    expect(status.status).toBe(0);
    const st = JSON.parse(status.stdout);
    expect(st.phase).toBe('stopped');
    expect(st.pings.sent).toBeGreaterThan(80);
    expect(st.lock).toEqual({ held: false });

    const resumed = rollcall(['resume', runDir], { timeout: 60_000 });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/- 24 hours, 61 countries responded \(89\.71%\)/);
    const after = JSON.parse(rollcall(['stats', runDir, '--json']).stdout) as Stats;
    const reference = JSON.parse((await cli(['demo', '--json', '--speed', '2000000', '--seed', '7', '--runs-dir', 'runs'])).out) as { stats: Stats };
    expect(timeless(after)).toEqual(timeless(reference.stats));
  }, 90_000);
});
