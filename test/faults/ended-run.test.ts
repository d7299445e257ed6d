// A run killed right after `run-ended` (before its reports, or before it let go of the lock):
// `status` says what is missing, and `resume` finishes it and says so.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rollcall } from '../support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-ended-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let runDir = '';

beforeAll(() => {
  const r = rollcall(['demo', '--runs-dir', dir, '--speed', '50000', '--json'], { timeout: 120_000 });
  expect(r.status, r.stderr).toBe(0);
  runDir = JSON.parse(r.stdout).runDir as string;
}, 120_000);

/** The state a kill right after run-ended leaves: no reports, the dead process's lock. */
function killedAfterRunEnded(): void {
  rmSync(join(runDir, 'reports'), { recursive: true, force: true });
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  writeFileSync(join(runDir, 'lock'), JSON.stringify({ pid: 3_999_999, host: hostname(), startedAt: new Date().toISOString(), command: 'run', bootId: boot }) + '\n');
}

describe('resume of a run that has ended', () => {
  it('status says the reports are missing and the lock stale; resume writes them, removes the lock and says so', () => {
    killedAfterRunEnded();
    const status = rollcall(['status', runDir]);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(/Phase: +ended/);
    expect(status.stdout).toMatch(/Reports: +missing md, json, html .*rollcall resume writes them/);
    expect(status.stdout).toMatch(/stale lock of process 3999999 .*the next resume removes it/);
    const json = JSON.parse(rollcall(['status', runDir, '--json']).stdout);
    expect(json.missingReports).toHaveLength(3);

    const r = rollcall(['resume', runDir]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('had already ended');
    expect(r.stdout).toContain('Removed the lock left by process 3999999 (run)');
    expect(r.stdout).toMatch(/Wrote the reports it was missing: .*\.md, .*\.json, .*\.html/);
    expect(existsSync(join(runDir, 'lock'))).toBe(false);
    expect(readdirSync(join(runDir, 'reports')).sort()).toEqual(expect.arrayContaining([expect.stringMatching(/\.html$/), expect.stringMatching(/\.md$/), expect.stringMatching(/\.json$/)]));
    const after = rollcall(['status', runDir]);
    expect(after.stdout).not.toContain('Reports:');
    expect(after.stdout).toMatch(/Process: +none is working on it/);
  });

  it('writes only the report that is missing, and does nothing when all is there', () => {
    const html = readdirSync(join(runDir, 'reports')).find((f) => f.endsWith('.html'))!;
    rmSync(join(runDir, 'reports', html));
    const r = rollcall(['resume', runDir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.reportsWritten).toHaveLength(1);
    expect(out.reportsWritten[0]).toMatch(/\.html$/);
    expect(out.staleLockRemoved).toBeNull();
    const again = rollcall(['resume', runDir]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('Nothing to do.');
  });

  it('a run another live process holds is not touched (exit 1)', () => {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    writeFileSync(join(runDir, 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: 'resume', bootId: boot }) + '\n');
    try {
      const r = rollcall(['resume', runDir]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`process ${process.pid}`);
      expect(existsSync(join(runDir, 'lock'))).toBe(true);
    } finally {
      rmSync(join(runDir, 'lock'));
    }
  });
});
