// `npm run bench`: runs every bench/*.bench.mjs in turn (each prints its own figures as ratios
// against a baseline measured in the same run). Pass names to run only some: `npm run bench -- help stats`.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort((a, b) => (a.startsWith('help') ? -1 : b.startsWith('help') ? 1 : a.localeCompare(b)));

let failed = 0;
for (const f of benches) {
  console.log(`\n== ${f.replace('.bench.mjs', '')}`);
  const r = spawnSync(process.execPath, [join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
