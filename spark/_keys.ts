// Canonical key encoding, hashing and ordering shared by driver and workers.

import { seededRandom } from "../internal/random.ts";

/** Encodes a key so that equal-by-value keys give the same string. */
export function encodeKey(k: unknown): string {
  switch (typeof k) {
    case "string":
      return "s" + k;
    case "number":
      return k === 0 ? "n0" : "n" + k;
    case "boolean":
      return k ? "t" : "f";
    case "bigint":
      return "i" + k;
    case "undefined":
      return "z";
    case "object":
      if (k === null) return "z";
      if (Array.isArray(k)) return "a" + JSON.stringify(k.map(encodeKey));
      if (k instanceof Date) return "d" + k.getTime();
      return "o" +
        JSON.stringify(
          Object.keys(k).sort().map((
            name,
          ) => [name, encodeKey((k as Record<string, unknown>)[name])]),
        );
    default:
      return "x" + String(k);
  }
}

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

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 2;
    case "string":
      return 3;
    default:
      if (v instanceof Date) return 4;
      if (Array.isArray(v)) return 5;
      return 6;
  }
}

/**
 * Total order over keys: null < booleans < numbers < strings < dates <
 * arrays (element-wise) < other objects (by canonical encoding).
 */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    // NaN sorts last among numbers.
    return a !== a ? (b !== b ? 0 : 1) : -1;
  }
  if (typeof a === "string" && typeof b === "string") {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2:
      return (a as number) < (b as number)
        ? -1
        : (a as number) > (b as number)
        ? 1
        : 0;
    case 4:
      return (a as Date).getTime() - (b as Date).getTime();
    case 5: {
      const x = a as unknown[], y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareKeys(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = encodeKey(a), y = encodeKey(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** A small seeded PRNG (mulberry32) for sampling and repartitioning. */
export const rng: (seed: number) => () => number = seededRandom;
