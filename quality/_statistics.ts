// Statistics GE computes with pandas and numpy, written out: numpy's
// pairwise sum, pandas' mean, std and quantile, and Series.mode.

import { totalOrder } from "./_values.ts";

/** numpy's pairwise summation (pairwise_sum in numpy's loops_utils.h). */
export function pairwiseSum(
  xs: ArrayLike<number>,
  from = 0,
  n = xs.length,
): number {
  if (n < 8) {
    let r = -0;
    for (let i = from; i < from + n; i++) r += xs[i]!;
    return r === 0 ? 0 : r;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let k = 0; k < 8; k++) r[k] = xs[from + k]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let k = 0; k < 8; k++) r[k]! += xs[from + i + k]!;
    }
    let res = ((r[0]! + r[1]!) + (r[2]! + r[3]!)) +
      ((r[4]! + r[5]!) + (r[6]! + r[7]!));
    for (; i < n; i++) res += xs[from + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(xs, from, n2) + pairwiseSum(xs, from + n2, n - n2);
}

/** pandas' Series.mean (numpy sum / count). */
export function pandasMean(values: ArrayLike<number>): number | null {
  return values.length === 0 ? null : pairwiseSum(values) / values.length;
}

/**
 * pandas' Series.std with ddof 1 (without bottleneck): the numpy sum of the
 * squared deviations from the numpy mean, so the last bit matches pandas.
 */
export function pandasStdev(values: ArrayLike<number>): number | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = pairwiseSum(values) / n;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) sq[i] = (mean - values[i]!) ** 2;
  return Math.sqrt(pairwiseSum(sq) / (n - 1));
}

/** numpy's round half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The quantile interpolations of numpy (and so pandas' Series.quantile). */
export const INTERPOLATIONS = [
  "linear",
  "lower",
  "higher",
  "midpoint",
  "nearest",
] as const;

/** pandas' Series.quantile(q, interpolation) over sorted values. */
export function quantileOf(
  sorted: Float64Array,
  q: number,
  interpolation: typeof INTERPOLATIONS[number],
): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  const pos = q * (n - 1);
  const lo = Math.floor(pos), hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!, b = sorted[hi]!;
  switch (interpolation) {
    case "lower":
      return a;
    case "higher":
      return pos === lo ? a : b;
    case "midpoint":
      return pos === lo ? a : (a + b) / 2;
    case "nearest":
      return sorted[roundHalfEven(pos)]!;
    default: {
      const t = pos - lo;
      // numpy's lerp: exact at both ends.
      return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    }
  }
}

/** pandas' Series.mode(): the most frequent non-null values, sorted. */
export function modes(
  values: unknown[],
  key: (v: unknown) => unknown,
): unknown[] {
  const counts = new Map<unknown, { v: unknown; n: number }>();
  let best = 0;
  for (const v of values) {
    const k = key(v);
    const c = counts.get(k);
    const n = c ? ++c.n : 1;
    if (!c) counts.set(k, { v, n });
    if (n > best) best = n;
  }
  return [...counts.values()].filter((c) => c.n === best).map((c) => c.v)
    .sort(totalOrder);
}
