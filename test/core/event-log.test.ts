// Reading an event log a piece at a time: every line read once, in order, and a bad line named
// by its number, wherever the reads and pieces cut the file (long lines, blank lines, non-ASCII).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { readEvents } from '../../src/core/event-log.js';

const dir = mkdtempSync(join(tmpdir(), 'rollcall-event-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** About 3 MB of lines: events of varied length (some longer than a 64 KB piece, some with
 * multi-byte characters), blank lines here and there, and runs of blank lines. */
function lines(): string[] {
  const out: string[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; out.join('\n').length < 3_000_000 || i < 10; i++) {
    const r = next();
    if (r < 0.05) out.push('');
    else if (r < 0.06) out.push('', '', '');
    else {
      const note = r > 0.995 ? 'x'.repeat(70_000 + Math.floor(next() * 70_000)) : r > 0.5 ? 'Türkiye — réponse ✓'.repeat(Math.floor(next() * 40)) : 'n'.repeat(Math.floor(next() * 300));
      out.push(JSON.stringify({ v: 1, at: new Date(Date.UTC(2024, 5, 5) + i * 1000).toISOString(), type: 'override', contactId: `AL-POL-${i}`, as: 'reply', note }));
    }
  }
  return out;
}

describe('readEvents', () => {
  const all = lines();
  const expected = all.filter((l) => l !== '').map((l) => JSON.parse(l));

  it('gives every event of a log of several megabytes once, in order', async () => {
    const file = join(dir, 'events.jsonl');
    writeFileSync(file, all.join('\n') + '\n');
    const { events, warnings } = await readEvents(file);
    expect(events.length).toBe(expected.length);
    expect(events).toEqual(expected);
    expect(warnings).toEqual([]);
  });

  it('names the line of a bad event however far into the log it is', async () => {
    for (const lineNo of [2, Math.floor(all.length / 2), all.length - 3, all.length]) {
      const broken = [...all];
      broken[lineNo - 1] = '{"v":1,"at":"2024-06-05T00:00:00.000Z","type":"override",';
      const file = join(dir, `broken-${lineNo}.jsonl`);
      // The last line broken and followed by nothing is a crash mid-write: a warning.
      writeFileSync(file, broken.join('\n') + (lineNo === all.length ? '' : '\n'));
      if (lineNo === all.length) {
        const { warnings } = await readEvents(file);
        expect(warnings).toEqual([expect.objectContaining({ line: lineNo })]);
        continue;
      }
      const error = await readEvents(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `line ${lineNo}`).toBeInstanceOf(InputError);
      expect((error as InputError).problems[0]).toMatchObject({ file, line: lineNo });
    }
  });

  it('counts a blank line that ends where a read of the file ends', async () => {
    // A line longer than a piece ends two bytes before the first megabyte, the blank line after
    // it at the last byte: the line numbers after it still count it.
    const event = (note: string) => JSON.stringify({ v: 1, at: '2024-06-05T00:00:00.000Z', type: 'override', contactId: 'AL-POL', as: 'reply', note });
    const head = event('short');
    const long = event('x'.repeat((1 << 20) - 2 - (head.length + 1) - event('').length));
    const text = [head, long, '', '{"v":1,', event('after')].join('\n') + '\n';
    expect(Buffer.byteLength([head, long].join('\n'))).toBe((1 << 20) - 2);
    const file = join(dir, 'edge.jsonl');
    writeFileSync(file, text);
    const error = await readEvents(file).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as InputError).problems[0]).toMatchObject({ line: 4 });
  });
});
