/**
 * The floor search shared by kafka's indexes and spark's topic splits.
 *
 * @module
 */

/**
 * Index of the last entry `<= target` in an ascending array, or -1 when every
 * entry is larger: the lookup of a sparse index (offset → position) and of the
 * segment or chunk that holds a position.
 *
 * @example Find the index entry at or before an offset
 * ```ts
 * import assert from "node:assert/strict";
 * import { floorIndex } from "./floor_index.ts";
 * assert.equal(floorIndex([0, 100, 200], 150), 1);
 * assert.equal(floorIndex([0, 100, 200], 200), 2);
 * assert.equal(floorIndex([10, 20], 5), -1);
 * ```
 */
export function floorIndex(sorted: ArrayLike<number>, target: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= target) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
