#!/usr/bin/env node
// Starts the CLI: everything else lives in dist/ (built by `npm install`).
import { main } from '../dist/cli/main.js';

// Output piped into `head` and closed early is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv.slice(2));
