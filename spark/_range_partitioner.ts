// The range partitioner behind sortByKey and sortBy, in three steps as in
// Spark: each map task keeps a reservoir sample of its keys (and counts
// them); the driver weights each sample by count / sample size, sorts the
// candidates and cuts them into n ranges of about equal weight (Spark's
// determineBounds); every record then goes to the range its key falls in
// (binary search over the n - 1 upper bounds).

import { compareKeys, rng } from "./_keys.ts";
import { asPair, type Batches } from "./_stream.ts";

/**
 * Keys to sample per map task: about 20 per output partition, 3x
 * oversampled (Spark's RangePartitioner), spread over the map tasks.
 */
export function samplesPerPartition(
  outputs: number,
  mapTasks: number,
): number {
  return Math.ceil(3 * Math.min(20 * outputs, 1e6) / Math.max(1, mapTasks));
}

/** A reservoir sample of a task's (sort) keys, with the key count. */
export async function sampleKeys(
  s: Batches,
  size: number,
  seed: number,
  sortKey: (k: unknown) => unknown,
): Promise<{ count: number; sample: unknown[] }> {
  const rand = rng(seed);
  const sample: unknown[] = [];
  let count = 0;
  for await (const b of s) {
    for (const x of b) {
      const k = sortKey(asPair(x, "sortByKey")[0]);
      count++;
      if (sample.length < size) sample.push(k);
      else {
        const j = Math.floor(rand() * count);
        if (j < size) sample[j] = k;
      }
    }
  }
  return { count, sample };
}

/** Spark's determineBounds: weighted sample keys to n-1 range bounds. */
export function rangeBounds(
  samples: { count: number; sample: unknown[] }[],
  n: number,
): unknown[] {
  const candidates: [unknown, number][] = [];
  for (const s of samples) {
    if (s.sample.length === 0) continue;
    const w = s.count / s.sample.length;
    for (const k of s.sample) candidates.push([k, w]);
  }
  if (candidates.length === 0 || n <= 1) return [];
  candidates.sort((a, b) => compareKeys(a[0], b[0]));
  const sum = candidates.reduce((a, c) => a + c[1], 0);
  const step = sum / n;
  const bounds: unknown[] = [];
  let cum = 0;
  let target = step;
  let prev: unknown = undefined;
  let hasPrev = false;
  for (const [k, w] of candidates) {
    if (bounds.length >= n - 1) break;
    cum += w;
    if (cum >= target) {
      if (!hasPrev || compareKeys(k, prev) > 0) {
        bounds.push(k);
        prev = k;
        hasPrev = true;
        target += step;
      }
    }
  }
  return bounds;
}

/** Index of the range partition for `key` given sorted upper bounds. */
export function rangePartition(
  key: unknown,
  bounds: readonly unknown[],
  ascending: boolean,
): number {
  let lo = 0, hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(key, bounds[mid]) > 0) lo = mid + 1;
    else hi = mid;
  }
  return ascending ? lo : bounds.length - lo;
}
