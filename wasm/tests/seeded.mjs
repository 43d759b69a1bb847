// The seeded generator the JS tests share.

/** A small seeded generator (mulberry32) returning numbers in [0, 1): the
 * same cases on every run, so a failure names a seed that reproduces it.
 *
 * ```js
 * const random = rng(7);
 * const roll = Math.floor(random() * 6);
 * ```
 */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
