// Two reads run side by side whose failures are still reported in a set order.

/** Both results, awaited together; when both fail, the first one's error is the one thrown (as
 * when they were read one after the other), never whichever failed sooner. */
export async function sideBySide<A, B>(first: Promise<A>, second: Promise<B>): Promise<[A, B]> {
  const [a, b] = await Promise.allSettled([first, second]);
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
  return [a.value, b.value];
}
