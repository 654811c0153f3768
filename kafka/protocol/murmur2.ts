/**
 * Kafka's key hash and default partition choice, bit for bit the same as
 * Java's `Utils.murmur2` and `Utils.toPositive(hash) % numPartitions`.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * Murmur2 (seed 0x9747b28c) of `data` as Java's `Utils.murmur2` computes it:
 * a signed 32-bit integer. Strings are hashed as their UTF-8 bytes.
 *
 * @example Kafka's own test vector
 * ```ts
 * import assert from "node:assert/strict";
 * import { murmur2 } from "./murmur2.ts";
 * assert.equal(murmur2("21"), -973932308);
 * ```
 */
export function murmur2(data: Uint8Array | string): number {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  const length = bytes.length;
  const m = 0x5bd1e995;
  let h = (0x9747b28c ^ length) | 0;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) |
      (bytes[i + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= bytes[length4 + 2]! << 16;
  if (rest >= 2) h ^= bytes[length4 + 1]! << 8;
  if (rest >= 1) {
    h ^= bytes[length4]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * The partition Kafka's default partitioner picks for a keyed record:
 * `(murmur2(key) & 0x7fffffff) % numPartitions`.
 *
 * @example Pick a partition
 * ```ts
 * import assert from "node:assert/strict";
 * import { partitionForKey } from "./murmur2.ts";
 * assert.equal(partitionForKey("21", 4), 0);
 * ```
 */
export function partitionForKey(
  key: Uint8Array | string,
  numPartitions: number,
): number {
  return (murmur2(key) & 0x7fffffff) % numPartitions;
}
