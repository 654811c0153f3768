// HyperLogLog (Flajolet et al. 2007, with the small-range correction of
// Heule et al., "HyperLogLog in Practice", 2013), behind
// countApproxDistinct: each value's 32-bit hash picks one of m = 2^p
// registers with its first p bits, and the register keeps the largest
// "position of the first 1-bit" seen in the remaining bits. A set of n
// distinct values leaves about log2(n/m) there, so the harmonic mean of
// 2^register over the registers estimates n/m. Registers merge by maximum,
// which is what lets each task count its partition and the driver combine
// them. The relative standard error is about 1.04 / sqrt(m).

import { encodeKey, hashString } from "./_keys.ts";

/** Register bits for a relative standard deviation (as Spark computes p). */
export function precisionFor(relativeSD: number): number {
  const p = Math.ceil(2 * Math.log2(1.054 / relativeSD));
  return Math.min(16, Math.max(4, p));
}

/** murmur3's 32-bit finalizer: FNV alone spreads short keys poorly. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Registers of the given values. */
export function hllRegisters(values: Iterable<unknown>, p: number): Uint8Array {
  const regs = new Uint8Array(1 << p);
  for (const v of values) {
    const h = mix(hashString(encodeKey(v)));
    const idx = h >>> (32 - p);
    // Rank of the first 1-bit in the other 32 - p bits (all zero: 33 - p).
    const rest = (h << p) >>> 0;
    const rank = rest === 0 ? 33 - p : Math.clz32(rest) + 1;
    if (rank > regs[idx]!) regs[idx] = rank;
  }
  return regs;
}

/** Merges `b` into `a` (register-wise maximum). */
export function hllMerge(a: Uint8Array, b: Uint8Array): Uint8Array {
  for (let i = 0; i < a.length; i++) if (b[i]! > a[i]!) a[i] = b[i]!;
  return a;
}

/** The cardinality estimate of a register set. */
export function hllEstimate(regs: Uint8Array): number {
  const m = regs.length;
  const alpha = m === 16
    ? 0.673
    : m === 32
    ? 0.697
    : m === 64
    ? 0.709
    : 0.7213 / (1 + 1.079 / m);
  let sum = 0;
  let zeros = 0;
  for (const r of regs) {
    sum += 2 ** -r;
    if (r === 0) zeros++;
  }
  const raw = alpha * m * m / sum;
  // Small range: linear counting over the empty registers is better.
  if (raw <= 2.5 * m && zeros > 0) return Math.round(m * Math.log(m / zeros));
  // Large range: a 32-bit hash saturates; correct for collisions.
  const two32 = 2 ** 32;
  if (raw > two32 / 30) return Math.round(-two32 * Math.log(1 - raw / two32));
  return Math.round(raw);
}
