// The heap governor of long commands (src/core/heap-governor.ts): once on, a busy path's
// heapTick() makes a full collection when the heap grew past its headroom since the last one;
// off (every short command), it does nothing.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectNow, endPhase, governHeap, heapTick } from '../../src/core/heap-governor.js';

const usedMb = () => getHeapStatistics().used_heap_size / 2 ** 20;

/** 96 MB of objects that survive long enough to reach the old generation, then let go. */
function garbage(): void {
  let keep: Array<{ n: number; s: string }> | undefined = [];
  for (let i = 0; i < 1_000_000; i++) keep.push({ n: i, s: `value ${i} `.repeat(3) });
  expect(usedMb()).toBeGreaterThan(80);
  keep = undefined;
}

describe('the heap governor', () => {
  it('does nothing until turned on', () => {
    garbage();
    const before = usedMb();
    for (let i = 0; i < 1000; i++) heapTick();
    collectNow();
    // Nothing allocates here: only a collection would have lowered it.
    expect(usedMb()).toBeGreaterThan(before - 20);
  });

  it('once on, collects from a busy path when the heap grew past its headroom, and at the end of a phase', () => {
    governHeap();
    collectNow();
    const live = usedMb();
    garbage();
    expect(usedMb()).toBeGreaterThan(live + 60);
    for (let i = 0; i < 1000; i++) heapTick();
    expect(usedMb()).toBeLessThan(live + 20);
    garbage();
    collectNow();
    expect(usedMb()).toBeLessThan(live + 20);
  });

  it('at the end of a run (endPhase), collects once the heap grew by half the headroom', () => {
    collectNow();
    const live = usedMb();
    /** About 24 MB that reach the old generation: under the headroom (32 MB), over its half. */
    const some = () => {
      let keep: string[] | undefined = [];
      for (let i = 0; i < 150_000; i++) keep.push(`value ${i} `.repeat(6));
      const grown = usedMb() - live;
      keep = undefined;
      return grown;
    };
    let grown = some();
    expect(grown).toBeGreaterThan(18);
    expect(grown).toBeLessThan(30);
    for (let i = 0; i < 1000; i++) heapTick();
    // Under the whole headroom: left for later.
    expect(usedMb()).toBeGreaterThan(live + 16);
    collectNow();
    endPhase();
    grown = some();
    expect(grown).toBeGreaterThan(18);
    for (let i = 0; i < 1000; i++) heapTick();
    expect(usedMb()).toBeLessThan(live + 10);
  });
});

describe('the young generation of a governed command', () => {
  it('grows from its smallest to 8 MB and no further (bin/rollcall.js starts run, resume and demo with a growth factor of 1)', () => {
    // A process of its own: vitest's young generation has long grown, and V8 never shrinks it.
    const script = `
      import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
      setFlagsFromString('--semi-space-growth-factor=1');
      const { governHeap, heapTick } = await import(${JSON.stringify(pathToFileURL(resolve('dist/core/heap-governor.js')).href)});
      const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      const before = young();
      governHeap();
      let keep = [];
      for (let i = 0; i < 3_000_000; i++) {
        keep.push({ i, s: 'value ' + i });
        if (keep.length > 300_000) keep = [];
        heapTick();
      }
      console.log(JSON.stringify({ before, after: young() }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    const { before, after } = JSON.parse(out) as { before: number; after: number };
    expect(before).toBeLessThan(4 << 20);
    expect(after).toBeGreaterThan(before);
    expect(after).toBeLessThanOrEqual(8 << 20);
  });
});
