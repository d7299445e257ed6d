// A binary min-heap: what is due next in O(log n), for queues that grow to the size of a run
// (100,000 answers to deliver, retries to make). Equal keys come out in insertion order, as a
// sorted array with insertion after its equals would give them.

export class MinHeap<T> {
  private readonly items: Array<{ value: T; key: number; seq: number }> = [];
  private seq = 0;

  constructor(private readonly keyOf: (value: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0]?.value;
  }

  push(value: T): void {
    const items = this.items;
    const entry = { value, key: this.keyOf(value), seq: this.seq++ };
    let i = items.length;
    items.push(entry);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(entry, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = entry;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    if (top === undefined) return undefined;
    const last = items.pop()!;
    if (items.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= items.length) break;
        const r = l + 1;
        const child = r < items.length && before(items[r]!, items[l]!) ? r : l;
        if (!before(items[child]!, last)) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top.value;
  }

  /** Every value, in the order pop() would give them (the heap is left as it is). */
  sorted(): T[] {
    return [...this.items].sort((a, b) => a.key - b.key || a.seq - b.seq).map((e) => e.value);
  }

  /** Every value, in no particular order. */
  values(): T[] {
    return this.items.map((e) => e.value);
  }
}

function before(a: { key: number; seq: number }, b: { key: number; seq: number }): boolean {
  return a.key < b.key || (a.key === b.key && a.seq < b.seq);
}
