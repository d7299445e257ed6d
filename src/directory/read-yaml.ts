// Reads a YAML directory into plain data, remembering the line of every value.
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { InputError, type InputProblem } from '../core/errors.js';
import { formatPath, type DataPath, type DirectorySource, type Place } from './source.js';

/** Limits that no directory comes near and that stop files built to exhaust the reader: an alias
 * bomb (a few KB expanding to millions of values), nesting thousands of levels deep, a huge file. */
export const YAML_LIMITS = { maxMegabytes: 10, maxDepth: 64, maxAliasValues: 10_000 };

export function readYamlSource(text: string, file: string): DirectorySource {
  const megabytes = Buffer.byteLength(text) / (1024 * 1024);
  if (megabytes > YAML_LIMITS.maxMegabytes) {
    throw new InputError([{ file, message: `the file is ${megabytes.toFixed(1)} MB; a directory is at most ${YAML_LIMITS.maxMegabytes} MB: refused` }]);
  }
  const lineCounter = new LineCounter();
  const tooDeep = (line?: number) => new InputError([{ file, ...(line ? { line } : {}), message: `nested more than ${YAML_LIMITS.maxDepth} levels deep: not a directory, refused` }]);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    // The parser recurses once per level: thousands of levels exhaust the stack.
    if (e instanceof RangeError) throw tooDeep();
    throw e;
  }
  const overflow = doc.errors.find((e) => /Maximum call stack size exceeded/.test(e.message));
  if (overflow) throw tooDeep(overflow.linePos?.[0]?.line);
  if (doc.errors.length > 0) {
    // One error a line: the parser's follow-on errors at the same place only repeat the first.
    const firsts = doc.errors.filter((e, i) => doc.errors.findIndex((f) => f.linePos?.[0]?.line === e.linePos?.[0]?.line) === i);
    throw new InputError(
      firsts.map((e): InputProblem => ({
        file,
        line: e.linePos?.[0]?.line,
        // The message repeats the position and quotes the source: keep its first sentence.
        message: `cannot be parsed: ${e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const root = doc.contents;
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) {
    throw new InputError([{ file, message: 'the file is empty' }]);
  }
  if (!isMap(root)) {
    throw new InputError([{ file, line: lineOf(root), message: 'not a directory: expected a mapping with network, updated and parties' }]);
  }

  const lines = new Map<string, number>();
  function lineOf(node: Node | null | undefined): number | undefined {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : lineCounter.linePos(offset).line;
  }

  const seen = new Set<Node>();
  let aliasValues = 0;
  function plain(node: unknown, path: DataPath): unknown {
    if (path.length > YAML_LIMITS.maxDepth) throw tooDeep(lineOf(node as Node));
    if (seen.size > 0 && ++aliasValues > YAML_LIMITS.maxAliasValues) {
      throw new InputError([{ file, line: lineOf(node as Node), message: `aliases (*name) expand to more than ${YAML_LIMITS.maxAliasValues.toLocaleString('en')} values: refused as an alias bomb` }]);
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target || seen.has(target)) return null; // an alias inside what it names: a cycle
      seen.add(target);
      try {
        return plain(target, path);
      } finally {
        seen.delete(target);
      }
    }
    if (isMap(node)) {
      const obj: Record<string, unknown> = {};
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const childPath = [...path, key];
        const line = lineOf(pair.key as Node) ?? lineOf(pair.value as Node);
        if (line !== undefined) lines.set(formatPath(childPath), line);
        obj[key] = plain(pair.value, childPath);
      }
      return obj;
    }
    if (isSeq(node)) {
      return node.items.map((item, i) => {
        const childPath = [...path, i];
        const line = lineOf(item as Node);
        if (line !== undefined) lines.set(formatPath(childPath), line);
        return plain(item, childPath);
      });
    }
    if (isScalar(node)) {
      // Every directory value is text: keep numbers, booleans and YAML 1.1 dates as written, so
      // that +35542220000 keeps its +, 0123 its zero, and `iso: NO` stays Norway under YAML 1.1.
      const v = node.value;
      if (v === null || typeof v === 'string') return v;
      return node.source ?? String(v);
    }
    return node ?? null;
  }

  const data = plain(root, []);
  const rootLine = lineOf(root) ?? 1;

  return {
    data,
    errors: [],
    warnings: [],
    locate(path: DataPath): Place {
      for (let n = path.length; n > 0; n--) {
        const line = lines.get(formatPath(path.slice(0, n)));
        if (line !== undefined) return { line, field: path.length ? formatPath(path) : undefined };
      }
      return { line: rootLine, field: path.length ? formatPath(path) : undefined };
    },
  };
}
