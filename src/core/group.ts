// Items in lists by key (Map.groupBy, which Node 20 does not have).

/** The items in lists by their key, each list in the items' order, the keys in order of first sight. */
export function groupBy<T, K>(items: Iterable<T>, keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) addTo(groups, keyOf(item), item);
  return groups;
}

/** Adds an item at the end of its key's list (a list is made for a new key). */
export function addTo<T, K>(groups: Map<K, T[]>, key: K, item: T): void {
  const list = groups.get(key);
  if (list) list.push(item);
  else groups.set(key, [item]);
}
