#!/usr/bin/env node
// Starts the CLI: everything else lives in dist/ (built by `npm install`).
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
