// Exact floating-point sums (Shewchuk's expansions, as Python's math.fsum).
// A sum is an array of non-overlapping partials whose exact total is the
// true sum, so adding values in any order or merging partition sums in any
// grouping gives the same correctly rounded result: array, stream and RDD
// inputs report bit-identical means, sums and standard deviations.

/** An exact running sum: finite partials plus the sum of non-finite values. */
export interface ExactSum {
  partials: number[];
  special: number;
}

export function newSum(): ExactSum {
  return { partials: [], special: 0 };
}

/** Adds `x` exactly. */
export function addExact(sum: ExactSum, x: number): void {
  if (!Number.isFinite(x)) {
    sum.special += x;
    return;
  }
  const p = sum.partials;
  let i = 0;
  for (let j = 0; j < p.length; j++) {
    let y = p[j]!;
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) p[i++] = lo;
    x = hi;
  }
  p[i++] = x;
  if (i < p.length) p.length = i;
}

/** Adds every partial of `other` into `sum`. */
export function mergeExact(sum: ExactSum, other: ExactSum): void {
  for (const x of other.partials) addExact(sum, x);
  sum.special += other.special;
}

/** The correctly rounded value of the sum. */
export function valueOf(sum: ExactSum): number {
  if (sum.special !== 0 || Number.isNaN(sum.special)) return sum.special;
  const p = sum.partials;
  let n = p.length;
  if (n === 0) return 0;
  let hi = p[--n]!;
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = p[--n]!;
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half to even across the remaining partials, as fsum does.
  if (n > 0 && ((lo < 0 && p[n - 1]! < 0) || (lo > 0 && p[n - 1]! > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}
