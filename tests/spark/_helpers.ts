// Shared test helpers: seeded random data and multiset comparison.

import { seededRandom } from "../../internal/random.ts";

export const rand: (seed: number) => () => number = seededRandom;

export function randomInts(r: () => number, n: number, max = 100): number[] {
  return Array.from({ length: n }, () => Math.floor(r() * max) - max / 2);
}

const WORDS = ["a", "b", "c", "dd", "é", "日本", "x y", ""];

/** Keys of mixed kinds: strings, numbers, tuples, null. */
export function randomKey(r: () => number): unknown {
  const kind = Math.floor(r() * 4);
  if (kind === 0) return WORDS[Math.floor(r() * WORDS.length)];
  if (kind === 1) return Math.floor(r() * 10);
  if (kind === 2) return [Math.floor(r() * 3), WORDS[Math.floor(r() * 3)]];
  return r() < 0.5 ? null : 1.5;
}

export function randomPairs(r: () => number, n: number): [unknown, number][] {
  return Array.from(
    { length: n },
    () => [randomKey(r), Math.floor(r() * 20)] as [unknown, number],
  );
}

export function keyOf(k: unknown): string {
  return JSON.stringify(k) ?? "undefined";
}

/** Sorts by JSON text so multisets can be compared with deepEqual. */
export function bag<T>(xs: T[]): T[] {
  return [...xs].sort((a, b) => {
    const x = JSON.stringify(a), y = JSON.stringify(b);
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Plain-JS reference for group-by-key. */
export function groupRef<V>(
  pairs: [unknown, V][],
): Map<string, [unknown, V[]]> {
  const m = new Map<string, [unknown, V[]]>();
  for (const [k, v] of pairs) {
    const e = keyOf(k);
    const g = m.get(e);
    if (g) g[1].push(v);
    else m.set(e, [k, [v]]);
  }
  return m;
}

export const PARTITIONS = [1, 2, 3, 7];
