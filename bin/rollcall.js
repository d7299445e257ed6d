#!/usr/bin/env node
// Starts the CLI: everything else lives in dist/ (built by `npm install`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
