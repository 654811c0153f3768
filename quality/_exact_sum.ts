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

const SPLITTER = 134217729; // 2^27 + 1

/** Adds the exact product `a * b` (Dekker's two-product) to `sum`. */
export function addProduct(sum: ExactSum, a: number, b: number): void {
  const p = a * b;
  if (!Number.isFinite(p)) {
    sum.special += p;
    return;
  }
  let c = SPLITTER * a;
  const ah = c - (c - a);
  const al = a - ah;
  c = SPLITTER * b;
  const bh = c - (c - b);
  const bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  addExact(sum, p);
  if (e !== 0) addExact(sum, e);
}

/**
 * Sample standard deviation (ddof = 1, like pandas) from the exact sums of x
 * and x²: sqrt((n·Σx² − (Σx)²) / (n·(n−1))), with the numerator evaluated
 * exactly before a single rounding.
 */
export function sampleStdev(
  n: number,
  sx: ExactSum,
  sxx: ExactSum,
): number | null {
  if (n < 2) return null;
  if (sx.special !== 0 || sxx.special !== 0 || Number.isNaN(sx.special)) {
    return NaN;
  }
  const num = newSum();
  for (const s of sxx.partials) addProduct(num, n, s);
  const xs = sx.partials;
  for (let i = 0; i < xs.length; i++) {
    for (let j = 0; j < xs.length; j++) addProduct(num, -xs[i]!, xs[j]!);
  }
  const variance = valueOf(num) / n / (n - 1);
  return Math.sqrt(Math.max(0, variance));
}
