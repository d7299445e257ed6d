// `node --import ./test/support/trace-imports.mjs ...` records resolved modules (see trace-hooks.mjs).
import { register } from 'node:module';

register('./trace-hooks.mjs', import.meta.url);
