// The one colour module: whether output may be coloured (NO_COLOR, FORCE_COLOR, a TTY) and the
// few styles rollcall uses, as plain SGR codes. The caller decides per output (a report file is
// not a TTY even when stderr is) and passes the palette in; nothing here reads a global.

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

const ESC = '\u001b[';

/** A style that nests (an inner style closing with the same code reopens this one) and closes
 * before each line break, as chalk does, so that a line of a table or a log never carries a
 * colour over to the next. Nothing is added around an empty string. */
function sgr(open: number, close: number): Style {
  const on = `${ESC}${open}m`;
  const off = `${ESC}${close}m`;
  return (text) => {
    if (text === '') return '';
    let s = text.includes(ESC) ? text.replaceAll(off, off + on) : text;
    if (s.includes('\n')) s = s.replace(/\r?\n/g, (lineBreak) => off + lineBreak + on);
    return on + s + off;
  };
}

const plain: Style = (text) => text;

const COLOURED: Palette = {
  bold: sgr(1, 22),
  dim: sgr(2, 22),
  red: sgr(31, 39),
  green: sgr(32, 39),
  yellow: sgr(33, 39),
  magenta: sgr(35, 39),
  cyan: sgr(36, 39),
  gray: sgr(90, 39),
};
const PLAIN: Palette = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, magenta: plain, cyan: plain, gray: plain };

/** The styles, or identity functions when colour is off. */
export function palette(color: boolean): Palette {
  return color ? COLOURED : PLAIN;
}
