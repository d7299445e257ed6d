// How much longer `rollcall --help` takes than bare `node -e 0` (target: at most +100 ms).
import { fileURLToPath } from 'node:url';
import { medianTime } from './lib.mjs';

const bin = fileURLToPath(new URL('../bin/rollcall.js', import.meta.url));
const env = { ...process.env, NO_COLOR: '1' };
// Interleave the two so that machine noise hits both alike.
const base = medianTime(process.execPath, ['-e', '0'], 15, { env });
const help = medianTime(process.execPath, [bin, '--help'], 15, { env });
const base2 = medianTime(process.execPath, ['-e', '0'], 15, { env });
const floor = Math.min(base, base2);
console.log(`node -e 0: ${floor.toFixed(0)} ms; rollcall --help: ${help.toFixed(0)} ms; +${(help - floor).toFixed(0)} ms (target ≤ +100 ms), ratio ${(help / floor).toFixed(2)}`);
