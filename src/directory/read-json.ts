// Reads a JSON directory with JSON.parse (strict, and fast), and finds the line of a value only
// when a problem has to be located, with a small scanner over the text JSON.parse accepted.
import { InputError } from '../core/errors.js';
import { formatPath, type DataPath, type DirectorySource, type Place } from './source.js';

export function readJsonSource(text: string, file: string): DirectorySource {
  if (text.replace(/^\uFEFF/, '').trim() === '') throw new InputError([{ file, message: 'the file is empty' }]);
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

  let index: LineIndex | undefined;
  return {
    data,
    errors: [],
    warnings: [],
    locate(path: DataPath): Place {
      index ??= new LineIndex(text);
      const field = path.length ? formatPath(path) : undefined;
      for (let n = path.length; n > 0; n--) {
        const line = index.line(path.slice(0, n));
        if (line !== undefined) return { line, field };
      }
      return { line: 1, field };
    },
  };
}

/**
 * Lines of the values of a JSON text, found when a problem has to be located. The file is scanned
 * once down to the contact points (their start is kept, two numbers each); the fields inside a
 * contact point are found by scanning that contact point again, the last one kept: a map of every
 * path of a 100,000-contact directory would hold a million strings.
 */
class LineIndex {
  private readonly top = new Map<string, number>();
  /** Per party: offset and line of each contact point. */
  private readonly contacts: Array<{ offsets: number[]; lines: number[] }> = [];
  private last: { key: string; lines: Map<string, number> } | undefined;

  constructor(private readonly text: string) {
    scan(text, 0, 1, [], (path, line, offset) => {
      if (path.length === 4 && path[0] === 'parties' && path[2] === 'contacts') {
        const p = path[1] as number;
        const list = (this.contacts[p] ??= { offsets: [], lines: [] });
        list.offsets[path[3] as number] = offset;
        list.lines[path[3] as number] = line;
        return false; // its fields: on demand
      }
      this.top.set(formatPath(path), line);
      return true;
    });
  }

  line(path: DataPath): number | undefined {
    if (path.length < 4 || path[0] !== 'parties' || path[2] !== 'contacts' || typeof path[1] !== 'number' || typeof path[3] !== 'number') {
      return this.top.get(formatPath(path));
    }
    const list = this.contacts[path[1]];
    const offset = list?.offsets[path[3]];
    if (list === undefined || offset === undefined) return undefined;
    if (path.length === 4) return list.lines[path[3]];
    const base = path.slice(0, 4);
    const key = formatPath(base);
    if (this.last?.key !== key) {
      const lines = new Map<string, number>();
      scan(this.text, offset, list.lines[path[3]]!, base, (p, line) => {
        lines.set(formatPath(p), line);
        return true;
      });
      this.last = { key, lines };
    }
    return this.last.lines.get(formatPath(path));
  }
}

/** Walks the value starting at `from` (valid JSON), calling `enter` with the path and line of
 * every key or array item (and the offset of its value); `enter` returning false skips inside it. */
function scan(text: string, from: number, fromLine: number, base: DataPath, enter: (path: DataPath, line: number, offset: number) => boolean): void {
  let i = from;
  let line = fromLine;
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
  /** Steps over a value without looking inside (counting its lines). */
  const skip = (): void => {
    let depth = 0;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') {
        i++;
        while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      } else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        if (depth === 0) return; // the end of the enclosing value: a scalar ended here
        if (--depth === 0) {
          i++;
          return;
        }
      } else if (ch === '\n') line++;
      else if (depth === 0 && (ch === ',' || ch === ' ' || ch === '\t' || ch === '\r')) return;
    }
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
        let childLine: number;
        if (open === '{') {
          childLine = line;
          child = [...path, string()];
          space();
          i++; // ':'
          space();
        } else {
          child = [...path, n];
          childLine = line;
        }
        if (enter(child, childLine, i)) value(child);
        else skip();
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
  value(base);
}
