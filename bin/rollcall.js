#!/usr/bin/env node
// Starts the CLI: everything else lives in dist/ (built by `npm install`).
import { setFlagsFromString } from 'node:v8';

// The long commands keep their heap near what it holds (src/core/heap-governor.ts). Their young
// generation starts at its smallest and grows only as far as the governor lets it: once grown
// (the modules' loading alone grows it to 16 MB), V8 never gives it back.
const command = process.argv.slice(2).find((a) => !a.startsWith('-'));
if (command === 'run' || command === 'resume' || command === 'demo') setFlagsFromString('--semi-space-growth-factor=1');
let main;
try {
  ({ main } = await import('../dist/cli/main.js'));
} catch (e) {
  // A clone linked with `npm install -g .` or `npm link` before `npm install` has no dist/ (or no
  // node_modules) yet: say what to do rather than print a stack.
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('/dist/')) throw e;
  const root = new URL('..', import.meta.url).pathname;
  process.stderr.write(`rollcall: not installed completely: run \`npm install\` in ${root} (it installs the dependencies and builds dist/), then try again\n`);
  process.exit(2);
}

// Output piped into `head` and closed early is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
