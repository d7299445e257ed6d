// Runs many CLI calls in one process for the fuzz test: reads the cases (JSON) from the file
// named on the command line, calls the built CLI's main() for each with captured output, and
// prints one line before (`start i`) and one JSON line after each, so that the parent can tell
// which case hung when it has to kill this process.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';

const { main } = await import(new URL('../../dist/cli/main.js', import.meta.url).href);
const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
for (const [i, c] of cases.entries()) {
  process.stdout.write(`start ${i}\n`);
  let out = '';
  let err = '';
  const sink = (f) => new Writable({ write: (chunk, _e, cb) => (f(String(chunk)), cb()) });
  const t0 = Date.now();
  let code;
  try {
    code = await main(c.argv, { out: sink((s) => (out += s)), err: sink((s) => (err += s)), env: { NO_COLOR: '1' }, cwd: c.cwd, color: false, interactive: false, json: false });
  } catch (e) {
    code = 'threw';
    err += String(e?.stack ?? e);
  }
  process.stdout.write(JSON.stringify({ i, code, ms: Date.now() - t0, out: out.slice(0, 2000), err: err.slice(0, 2000) }) + '\n');
}
