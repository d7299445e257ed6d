// groupBy: lists by key, in the items' order, keys in order of first sight.
import { describe, expect, it } from 'vitest';
import { groupBy } from '../../src/core/group.js';

describe('groupBy', () => {
  it('keeps the items in order within each list, and the keys in order of first sight', () => {
    const g = groupBy(['b1', 'a1', 'b2', 'c1', 'a2'], (s) => s[0]);
    expect([...g.keys()]).toEqual(['b', 'a', 'c']);
    expect(g.get('b')).toEqual(['b1', 'b2']);
    expect(g.get('a')).toEqual(['a1', 'a2']);
    expect(groupBy([], (s: string) => s).size).toBe(0);
  });
});
