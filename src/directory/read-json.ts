// Reads a JSON directory with JSON.parse (strict, and fast), and finds the line of a value only
// when a problem has to be located, with a small scanner over the text JSON.parse accepted.
import { InputError } from '../core/errors.js';
import { formatPath, type DataPath, type DirectorySource, type Place } from './source.js';

export function readJsonSource(text: string, file: string): DirectorySource {
  let data: unknown;
  try {
    // Every directory value is text, as in YAML: a number or a boolean becomes what was written.
    data = JSON.parse(text, (_key, v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v));
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    const line = at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
    const reason = message.replace(/, ".*" is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/, '');
    throw new InputError([{ file, line, message: `cannot be parsed as JSON: ${reason}` }]);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new InputError([{ file, line: 1, message: 'not a directory: expected an object with network, updated and parties' }]);
  }

  let lines: Map<string, number> | undefined;
  return {
    data,
    errors: [],
    warnings: [],
    locate(path: DataPath): Place {
      lines ??= lineMap(text);
      const field = path.length ? formatPath(path) : undefined;
      for (let n = path.length; n > 0; n--) {
        const line = lines.get(formatPath(path.slice(0, n)));
        if (line !== undefined) return { line, field };
      }
      return { line: 1, field };
    },
  };
}

/** Path (`parties[0].iso`) -> line of its key or array item, for text that is valid JSON. */
function lineMap(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const space = () => {
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\n') line++;
      else if (ch !== ' ' && ch !== '\t' && ch !== '\r') break;
    }
  };
  const string = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: DataPath): void => {
    space();
    const open = text[i];
    if (open === '{' || open === '[') {
      i++;
      space();
      if (text[i] === (open === '{' ? '}' : ']')) {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        space();
        let child: DataPath;
        if (open === '{') {
          const keyLine = line;
          child = [...path, string()];
          lines.set(formatPath(child), keyLine);
          space();
          i++; // ':'
        } else {
          child = [...path, n];
          lines.set(formatPath(child), line);
        }
        value(child);
        space();
        if (text[i++] !== ',') return; // '}' or ']'
      }
    }
    if (open === '"') {
      string();
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i]!)) i++;
  };
  value([]);
  return lines;
}
