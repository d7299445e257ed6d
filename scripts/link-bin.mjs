// Links bin/rollcall.js into node_modules/.bin, run by `npm install` (prepare). npm does not link
// a package's own bin into its own node_modules/.bin, so without this `npx rollcall` in a fresh
// clone would not find the command locally: npx would "install" this folder into its cache,
// rebuilding it first, and the first `npx rollcall demo` would take 15 s longer.
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const binDir = join(root, 'node_modules', '.bin');
const link = join(binDir, 'rollcall');
mkdirSync(binDir, { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(binDir, join(root, 'bin', 'rollcall.js')), link);
