// The heap governor of long commands (src/core/heap-governor.ts): once on, a busy path's
// heapTick() makes a full collection when the heap grew past its headroom since the last one;
// off (every short command), it does nothing.
import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectNow, governHeap, heapTick } from '../../src/core/heap-governor.js';

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
});
