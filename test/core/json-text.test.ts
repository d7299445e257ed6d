// JSON written a piece at a time is the same text as JSON.stringify(value, null, 2) writes.
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonPieces, writeJson } from '../../src/core/json-text.js';

const sample = {
  network: 'Réseau 24/7',
  empty: [],
  none: {},
  skipped: undefined,
  nested: { a: [1, 'two', null, { deep: [[], [{}], [undefined]] }], at: new Date(Date.UTC(2023, 5, 7)), list: [{ x: 1 }, { y: 'line\nbreak "quoted"' }] },
  records: { deep: { list: Array.from({ length: 700 }, (_, i) => ({ i, name: `n${i}`, none: undefined, flag: i % 3 === 0 })) } },
  findings: Array.from({ length: 3000 }, (_, i) => ({ country: `C${i}`, address: `poc${i}@example.test`, status: i % 2 ? 'failed' : 'delayed', detail: undefined, tags: [i, `t${i}`] })),
};

describe('jsonPieces', () => {
  it('gives the text of JSON.stringify(value, null, 2), for a sample with every kind of value', () => {
    expect([...jsonPieces(sample)].join('')).toBe(JSON.stringify(sample, null, 2));
  });

  it('gives the same text for any JSON value', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), fc.array(fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.constant(null))), { minLength: 250, maxLength: 600 })), (v) => {
        expect([...jsonPieces(v)].join('')).toBe(JSON.stringify(v, null, 2));
      }),
      { seed: 17, numRuns: 300 },
    );
  });

  it('writes it to a stream in several pieces, ending with a newline', async () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    await writeJson(out, sample);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.join('')).toBe(JSON.stringify(sample, null, 2) + '\n');
  });
});
