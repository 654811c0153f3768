// Statistics GE computes with pandas, numpy and scipy, written out: numpy's
// pairwise sum, pandas' std and quantile, Series.mode, and the chi-square
// survival function (regularized upper incomplete gamma) for p-values.

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

// ln Γ(x), Lanczos (g = 7, n = 9): about 15 significant digits.
const LANCZOS = [
  0.99999999999980993,
  676.5203681218851,
  -1259.1392167224028,
  771.32342877765313,
  -176.61502916214059,
  12.507343278686905,
  -0.13857109526572012,
  9.9843695780195716e-6,
  1.5056327351493116e-7,
];
function logGamma(x: number): number {
  if (x < 0.5) {
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) -
      logGamma(1 - x);
  }
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t +
    Math.log(a);
}

/** Q(a, x), the regularized upper incomplete gamma function. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const lead = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    // Series for P, then Q = 1 - P.
    let sum = 1 / a, term = sum;
    for (let n = 1; n < 1000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-16) break;
    }
    return 1 - sum * Math.exp(lead);
  }
  // Continued fraction for Q (modified Lentz).
  let b = x + 1 - a, c = 1e300, d = 1 / b, h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(lead) * h;
}

/** scipy.stats.chi2.sf(x, df). */
export function chiSquareSf(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}
