// JSON as `JSON.stringify(value, null, 2)` writes it, given a piece at a time: the statistics
// of a run of 100,000 contact points are a 14 MB text, which made whole (and then copied into
// a buffer to write) was a tenth of the command's peak memory.
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** The pieces of `JSON.stringify(value, null, 2)`, in order (their concatenation is that text). */
export function* jsonPieces(value: unknown, indent = ''): Generator<string> {
  if (Array.isArray(value) && value.length > BATCH && value.every(flatObject)) {
    // A long list of records (the findings): JSON.stringify writes a batch of them at a time.
    yield '[\n';
    // The batch wrapped in as many lists as the list stands deep: JSON.stringify indents its
    // elements where they stand (re-indenting its text was a third of the time).
    const depth = indent.length / 2;
    const frame = (depth + 1) * (depth + 2);
    for (let i = 0; i < value.length; i += BATCH) {
      let wrapped: unknown = value.slice(i, i + BATCH);
      for (let d = 0; d < depth; d++) wrapped = [wrapped];
      // "[\n  [\n    {...},\n    {...}\n  ]\n]" → its elements (each wrapping list's opening is
      // 2 more characters than the one around it, and so is its closing).
      yield JSON.stringify(wrapped, null, 2).slice(frame, -frame);
      yield i + BATCH < value.length ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  if (Array.isArray(value) && !flat(value)) {
    const inner = indent + '  ';
    yield '[\n';
    for (let i = 0; i < value.length; i++) {
      yield inner;
      const v: unknown = value[i];
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') yield 'null';
      else yield* jsonPieces(v, inner);
      yield i < value.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}]`;
    return;
  }
  if (isPlainObject(value) && !flat(Object.values(value))) {
    const inner = indent + '  ';
    const keys = Object.keys(value).filter((k) => written(value[k]));
    yield '{\n';
    for (let i = 0; i < keys.length; i++) {
      yield `${inner}${JSON.stringify(keys[i])}: `;
      yield* jsonPieces(value[keys[i]!], inner);
      yield i < keys.length - 1 ? ',\n' : '\n';
    }
    yield `${indent}}`;
    return;
  }
  // A leaf, or an object or array of leaves only: whole, indented where it stands.
  const text = JSON.stringify(value, null, 2);
  yield indent && text.includes('\n') ? text.replace(/\n/g, `\n${indent}`) : text;
}

/** Writes `JSON.stringify(value, null, 2) + '\n'` to a stream in pieces of about 64 KB. */
export async function writeJson(out: Writable, value: unknown): Promise<void> {
  let chunk = '';
  for (const piece of jsonPieces(value)) {
    chunk += piece;
    if (chunk.length >= 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk + '\n');
}

const BATCH = 256;

/** A plain object (not an array) of leaves only: one line of a list of records. */
function flatObject(v: unknown): boolean {
  return isPlainObject(v) && flat(Object.values(v)) && Object.keys(v).length > 0;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';
}

/** Nothing inside but leaves (JSON.stringify writes it whole, and fast). */
function flat(values: readonly unknown[]): boolean {
  return values.every((v) => typeof v !== 'object' || v === null);
}

/** JSON.stringify leaves out of an object a property whose value is one of these. */
function written(v: unknown): boolean {
  return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
}
