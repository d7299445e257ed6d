// The one colour module: whether output may be coloured (NO_COLOR, FORCE_COLOR, a TTY) and the
// few styles rollcall uses, written by chalk. The caller decides per output (a report file is
// not a TTY even when stderr is) and passes the palette in; nothing here reads a global.

import { Chalk } from 'chalk';

export type Style = (text: string) => string;

export interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  green: Style;
  yellow: Style;
  magenta: Style;
  cyan: Style;
  gray: Style;
}

/** Colours on: NO_COLOR (any value) turns them off, FORCE_COLOR (not 0) on, else only on a TTY
 * (https://no-color.org, https://force-color.org). */
export function colorWanted(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return isTTY;
}

// chalk (one of the packages the user asked for) writes the codes: an instance of its own at
// the 16-colour level, so that its detection of the terminal (it reads process.argv and the
// environment once, globally) plays no part; colorWanted above decides.
const chalk = new Chalk({ level: 1 });
const plain: Style = (text) => text;

const COLOURED: Palette = {
  bold: (t) => chalk.bold(t),
  dim: (t) => chalk.dim(t),
  red: (t) => chalk.red(t),
  green: (t) => chalk.green(t),
  yellow: (t) => chalk.yellow(t),
  magenta: (t) => chalk.magenta(t),
  cyan: (t) => chalk.cyan(t),
  gray: (t) => chalk.gray(t),
};
const PLAIN: Palette = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, magenta: plain, cyan: plain, gray: plain };

/** The styles, or identity functions when colour is off. */
export function palette(color: boolean): Palette {
  return color ? COLOURED : PLAIN;
}
