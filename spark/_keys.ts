// Key hashing shared by driver and workers; the canonical encoding and the
// total order live in internal/keys.ts (quality uses them too).

import { seededRandom } from "../internal/random.ts";
import { compareKeys, encodeKey } from "../internal/keys.ts";

export { compareKeys, encodeKey };

/** FNV-1a over UTF-16 code units, as an unsigned 32-bit integer. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The hash partition of a key: null and undefined go to partition 0. */
export function hashPartition(k: unknown, n: number): number {
  if (k === null || k === undefined) return 0;
  return hashString(encodeKey(k)) % n;
}

/** A small seeded PRNG (mulberry32) for sampling and repartitioning. */
export const rng: (seed: number) => () => number = seededRandom;
