// The heap behind the simulated channel's answer queue: smallest key first, equal keys in the
// order they were pushed, whatever the order of pushes and pops.
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../../src/core/min-heap.js';
import { mulberry32 } from '../../src/core/random.js';

describe('MinHeap', () => {
  it('gives what a stable sort gives, with pushes and pops interleaved', () => {
    const random = mulberry32(5);
    const heap = new MinHeap<{ at: number; n: number }>((x) => x.at);
    const reference: Array<{ at: number; n: number }> = [];
    const popped: number[] = [];
    const expected: number[] = [];
    for (let n = 0; n < 5000; n++) {
      // Few distinct keys, so that ties are common.
      const item = { at: Math.floor(random() * 50), n };
      heap.push(item);
      let i = reference.length;
      while (i > 0 && reference[i - 1]!.at > item.at) i--;
      reference.splice(i, 0, item);
      if (random() < 0.3) {
        popped.push(heap.pop()!.n);
        expected.push(reference.shift()!.n);
      }
    }
    expect(heap.size).toBe(reference.length);
    while (heap.size > 0) {
      expect(heap.peek()).toBe(reference[0]);
      popped.push(heap.pop()!.n);
      expected.push(reference.shift()!.n);
    }
    expect(popped).toEqual(expected);
    expect(heap.pop()).toBeUndefined();
    expect(heap.peek()).toBeUndefined();
  });
});
