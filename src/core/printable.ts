// Text from a message (a Subject, a sender's name, a server's diagnostic) shown on a terminal:
// control characters are shown as visible symbols, never sent raw, so that a crafted message
// cannot move the cursor, clear the screen, retitle the window or hide text (ESC ] 0 ; ... BEL).

/** C0 controls as the Unicode control pictures (ESC → ␛, BEL → ␇, LF → ␊), DEL as ␡, C1
 * controls and the bidirectional overrides as `<U+009B>`; a tab becomes a space. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c === '\t') return ' ';
    if (code < 0x20) return String.fromCharCode(0x2400 + code);
    if (code === 0x7f) return '\u2421';
    return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
  });
}
