// Spawns the built CLI (bin/rollcall.js) the way a user runs it, without colours.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = fileURLToPath(new URL('../../bin/rollcall.js', import.meta.url));

export function rollcall(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; nodeArgs?: string[]; timeout?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [...(opts.nodeArgs ?? []), binPath, ...args], {
    encoding: 'utf8',
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, ...opts.env },
    timeout: opts.timeout ?? 60_000,
  });
}
