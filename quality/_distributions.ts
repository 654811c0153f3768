// The statistics behind GE's distributional tests, as scipy defines them:
// the normal, uniform and exponential CDFs, the one-sample Kolmogorov–Smirnov
// statistic and its two-sided p-value (scipy.stats.kstwo, which kstest uses),
// and the chi-square survival function through the regularized upper
// incomplete gamma function.

import { QualityError } from "./errors.ts";

/** erf(x): a positive series below 3, erfc's continued fraction above. */
export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  if (x < 3) {
    // erf(x) = 2/√π e^{-x²} Σ (2x²)^n x / (1·3·…·(2n+1)), all terms positive.
    let term = x, sum = x;
    for (let n = 1; n < 200 && term > sum * 1e-17; n++) {
      term *= 2 * x * x / (2 * n + 1);
      sum += term;
    }
    return 2 / Math.sqrt(Math.PI) * Math.exp(-x * x) * sum;
  }
  return 1 - erfc(x);
}

/** erfc(x) for x ≥ 3 by Lentz's continued fraction. */
function erfc(x: number): number {
  // erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
  const tiny = 1e-300;
  let f = x, c = x, d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** The CDFs the parameterized KS test supports, by scipy's names. */
const CDFS: Record<string, (x: number, loc: number, scale: number) => number> =
  {
    norm: (x, loc, scale) => {
      const z = (x - loc) / scale / Math.SQRT2;
      return z < -3 ? erfc(-z) / 2 : (1 + erf(z)) / 2;
    },
    uniform: (x, loc, scale) => Math.min(1, Math.max(0, (x - loc) / scale)),
    expon: (x, loc, scale) => x <= loc ? 0 : -Math.expm1(-(x - loc) / scale),
  };

/** The supported distribution names. */
export const DISTRIBUTIONS: readonly string[] = Object.keys(CDFS);

/** A distribution's CDF with loc and scale, or a QualityError naming it. */
export function cdfOf(
  distribution: string,
  loc: number,
  scale: number,
): (x: number) => number {
  const f = Object.hasOwn(CDFS, distribution) ? CDFS[distribution] : undefined;
  if (!f) {
    throw new QualityError(
      `Distribution "${distribution}" is not supported (supported: ${
        DISTRIBUTIONS.join(", ")
      })`,
    );
  }
  return (x) => f(x, loc, scale);
}

/** The two-sided one-sample KS statistic D of `xs` against `cdf`. */
export function ksStatistic(
  xs: Float64Array,
  cdf: (x: number) => number,
): number {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function lnGamma(x: number): number {
  if (x < 0.5) {
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) -
      lnGamma(1 - x);
  }
  const c = [
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
  const y = x - 1;
  let a = c[0]!;
  for (let i = 1; i < 9; i++) a += c[i]! / (y + i);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t +
    Math.log(a);
}

/** Q(a, x) = Γ(a, x) / Γ(a): the series of P below a + 1, a continued fraction above. */
export function upperGammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (!Number.isFinite(x)) return 0;
  const front = Math.exp(-x + a * Math.log(x) - lnGamma(a));
  if (x < a + 1) {
    let term = 1 / a, sum = term;
    for (let n = 1; n < 10000; n++) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-17) break;
    }
    return Math.max(0, 1 - front * sum);
  }
  const tiny = 1e-300;
  let b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d;
  for (let i = 1; i < 10000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return front * h;
}

/** scipy.stats.chi2.sf(stat, df). */
export function chi2Sf(stat: number, df: number): number {
  if (Number.isNaN(stat)) return NaN;
  return upperGammaQ(df / 2, stat / 2);
}

/** scipy.special.smirnov(n, d): P(D⁺ₙ ≥ d), Birnbaum–Tingey's exact sum. */
function smirnov(n: number, d: number): number {
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  let sum = 0;
  const last = Math.floor(n * (1 - d));
  const lnN = lnGamma(n + 1);
  for (let j = 0; j <= last; j++) {
    const a = 1 - d - j / n;
    if (a <= 0 && n - j > 0) continue;
    const lnTerm = lnN - lnGamma(j + 1) - lnGamma(n - j + 1) +
      (n - j) * Math.log(a) + (j - 1) * Math.log(d + j / n);
    sum += Math.exp(lnTerm);
  }
  return Math.min(1, d * sum);
}

/** P(Dₙ < d) exactly, by Marsaglia–Tsang–Wang's Durbin matrix. */
function kolmogorovCdfMatrix(n: number, d: number): number {
  const k = Math.floor(n * d) + 1, m = 2 * k - 1, h = k - n * d;
  let H = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) H[i * m + j] = i - j + 1 >= 0 ? 1 : 0;
  }
  for (let i = 0; i < m; i++) {
    H[i * m] = H[i * m]! - h ** (i + 1);
    H[(m - 1) * m + i] = H[(m - 1) * m + i]! - h ** (m - i);
  }
  H[(m - 1) * m] = H[(m - 1) * m]! + (2 * h - 1 > 0 ? (2 * h - 1) ** m : 0);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      for (let g = 1; g <= i - j + 1; g++) H[i * m + j] = H[i * m + j]! / g;
    }
  }
  const mul = (A: Float64Array, B: Float64Array) => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l]!;
        if (a === 0) continue;
        for (let j = 0; j < m; j++) {
          C[i * m + j] = C[i * m + j]! + a * B[l * m + j]!;
        }
      }
    }
    return C;
  };
  // H^n by squaring, keeping a power-of-ten exponent so nothing overflows.
  let Q: Float64Array | null = null, eQ = 0, eH = 0;
  const rescale = (M: Float64Array, e: number) => {
    if (M[(k - 1) * m + k - 1]! > 1e140) {
      for (let i = 0; i < M.length; i++) M[i] = M[i]! * 1e-140;
      return e + 140;
    }
    return e;
  };
  for (let p = n; p > 0; p >>= 1) {
    if (p & 1) {
      if (Q === null) [Q, eQ] = [Float64Array.from(H), eH];
      else [Q, eQ] = [mul(Q, H), eQ + eH];
      eQ = rescale(Q, eQ);
    }
    if (p > 1) {
      H = mul(H, H);
      eH = rescale(H, 2 * eH);
    }
  }
  let s = Q![(k - 1) * m + k - 1]!;
  for (let i = 1; i <= n; i++) {
    s = s * i / n;
    if (s < 1e-140) {
      s *= 1e140;
      eQ -= 140;
    }
  }
  return s * 10 ** eQ;
}

/** The Kolmogorov limit distribution's survival function, for large n. */
function kolmogorovLimitSf(x: number): number {
  let sum = 0;
  for (let j = 1; j < 100; j++) {
    const term = 2 * (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * x * x);
    sum += term;
    if (Math.abs(term) < 1e-17) break;
  }
  return Math.min(1, Math.max(0, sum));
}

const clip = (p: number) => Math.min(1, Math.max(0, p));

/**
 * scipy.stats.kstwo.sf(d, n): the two-sided p-value of a KS statistic, with
 * scipy's choice of exact method by region. Where scipy falls back to the
 * Pelz–Good approximation (n > 140, larger Durbin matrices) the Durbin matrix
 * is still used up to 301 rows, and the Kolmogorov limit beyond.
 */
export function kolmogorovSf(n: number, d: number): number {
  if (Number.isNaN(d)) return NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 0.5) return 1;
  if (t <= 1) {
    let cdf = 1;
    for (let i = 1; i <= n; i++) cdf *= i / n * (2 * t - 1);
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * (1 - d) ** n);
  if (d >= 0.5) return clip(2 * smirnov(n, d));
  const nx2 = t * d;
  if (n <= 140) {
    return nx2 <= 4
      ? clip(1 - kolmogorovCdfMatrix(n, d))
      : clip(2 * smirnov(n, d));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnov(n, d));
  const m = 2 * Math.floor(t) + 1;
  return m <= 301
    ? clip(1 - kolmogorovCdfMatrix(n, d))
    : kolmogorovLimitSf(Math.sqrt(n) * d);
}
