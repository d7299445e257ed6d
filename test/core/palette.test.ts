// The one colour module: when colour is on, and styles that nest and stop at line breaks.
import { describe, expect, it } from 'vitest';
import { colorWanted, palette } from '../../src/core/palette.js';

const ESC = '\u001b[';

describe('colorWanted', () => {
  it('follows the terminal unless NO_COLOR or FORCE_COLOR says otherwise', () => {
    expect(colorWanted({}, true)).toBe(true);
    expect(colorWanted({}, false)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colorWanted({ NO_COLOR: '' }, true)).toBe(true); // an empty NO_COLOR is unset (no-color.org)
    expect(colorWanted({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(colorWanted({ FORCE_COLOR: '0' }, true)).toBe(true); // 0 does not force; the TTY decides
    expect(colorWanted({ FORCE_COLOR: '0' }, false)).toBe(false);
    expect(colorWanted({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
  });
});

describe('palette', () => {
  it('leaves text alone when colour is off', () => {
    const c = palette(false);
    expect(c.bold(c.red('a\nb'))).toBe('a\nb');
  });

  it('wraps text in SGR codes and adds nothing around an empty string', () => {
    const c = palette(true);
    expect(c.bold('x')).toBe(`${ESC}1mx${ESC}22m`);
    expect(c.red('')).toBe('');
  });

  it('reopens an outer style that an inner one closes with the same code', () => {
    const c = palette(true);
    // dim and bold both end with SGR 22: after the dim part the rest is still bold.
    expect(c.bold(`a ${c.dim('b')} c`)).toBe(`${ESC}1ma ${ESC}2mb${ESC}22m${ESC}1m c${ESC}22m`);
  });

  it('closes before a line break and reopens after it', () => {
    const c = palette(true);
    expect(c.green('a\r\nb\nc')).toBe(`${ESC}32ma${ESC}39m\r\n${ESC}32mb${ESC}39m\n${ESC}32mc${ESC}39m`);
  });
});
