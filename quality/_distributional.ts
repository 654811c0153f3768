// GE's distributional tests on a column's non-null values, as GE 0.x's
// pandas backend computes them: the parameterized and the bootstrapped
// Kolmogorov–Smirnov tests and the chi-square test against a categorical
// partition. Each needs every value (sorting, resampling, value counts), so
// it runs on the "values" state; the statistic does not merge across spark
// partitions, the kept values do, by concatenation in row order.

import { seededRandom } from "../internal/random.ts";
import {
  cdfOf,
  chi2Sf,
  DISTRIBUTIONS,
  kolmogorovSf,
  ksStatistic,
} from "./_distributions.ts";
import { histogram, isCategorical, isContinuous } from "./_kl_divergence.ts";
import { pairwiseSum } from "./_statistics.ts";
import { keyOf } from "./_values.ts";
import { describeValue, QualityError } from "./errors.ts";
import type { ExpectationResultDetails } from "./types.ts";

type Outcome = { success: boolean; result: ExpectationResultDetails };

function bad(why: string): never {
  throw new QualityError(why);
}

function numbers(type: string, vals: unknown[]): Float64Array {
  return Float64Array.from(vals, (v) => {
    const n = typeof v === "boolean" ? +v : v;
    if (typeof n !== "number") {
      bad(`${type} needs numeric values: ${describeValue(v)}`);
    }
    return n;
  });
}

const PARAMETERIZED =
  "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than";

/** GE's positional (loc, scale) from a params dict or list, checked. */
function locScale(distribution: string, params: unknown): [number, number] {
  let loc = 0, scale = 1;
  if (Array.isArray(params)) {
    if (params.length > 2 || !params.every((p) => typeof p === "number")) {
      bad(
        `${PARAMETERIZED}: params of "${distribution}" must be at most two numbers [loc, scale]: ${
          describeValue(params)
        }`,
      );
    }
    [loc = 0, scale = 1] = params as number[];
  } else if (typeof params === "object" && params !== null) {
    const p = params as Record<string, unknown>;
    for (const [name, v] of Object.entries(p)) {
      if (name !== "loc" && name !== "scale") {
        bad(
          `${PARAMETERIZED}: unknown parameter "${name}" for "${distribution}" (allowed: loc, scale)`,
        );
      }
      if (typeof v !== "number") {
        bad(
          `${PARAMETERIZED}: parameter "${name}" must be a number: ${
            describeValue(v)
          }`,
        );
      }
    }
    loc = (p.loc as number | undefined) ?? 0;
    scale = (p.scale as number | undefined) ?? 1;
  } else if (params !== null && params !== undefined) {
    bad(
      `${PARAMETERIZED}: params must be a dict or a list: ${
        describeValue(params)
      }`,
    );
  }
  if (!(scale > 0)) {
    bad(
      `${PARAMETERIZED}: scale of "${distribution}" must be positive: ${scale}`,
    );
  }
  return [loc, scale];
}

/** expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than */
export function parameterizedKsTest(
  kw: Record<string, unknown>,
  vals: unknown[],
): Outcome {
  const distribution = kw.distribution as string;
  const pValue = (kw.p_value ?? 0.05) as number;
  if (!(pValue > 0 && pValue < 1)) {
    bad(
      `${PARAMETERIZED}: p_value must be between 0 and 1 exclusive: ${pValue}`,
    );
  }
  if (!DISTRIBUTIONS.includes(distribution)) cdfOf(distribution, 0, 1);
  const [loc, scale] = locScale(distribution, kw.params);
  const xs = numbers(PARAMETERIZED, vals);
  const d = xs.length > 0
    ? ksStatistic(xs, cdfOf(distribution, loc, scale))
    : NaN;
  const p = xs.length > 0 ? kolmogorovSf(xs.length, d) : NaN;
  return {
    success: p >= pValue,
    result: {
      observed_value: p,
      details: { expected_params: [loc, scale], observed_ks_result: [d, p] },
    },
  };
}

const BOOTSTRAPPED =
  "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than";

/** The seed of the bootstrap's generator, so a suite's result is reproducible. */
export const BOOTSTRAP_SEED = 20130601;

/** numpy.interp(x, xp, fp) with increasing xp. */
function interp(x: number, xp: number[], fp: number[]): number {
  if (x <= xp[0]!) return fp[0]!;
  const last = xp.length - 1;
  if (x >= xp[last]!) return fp[last]!;
  let lo = 0, hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xp[mid]! <= x) lo = mid;
    else hi = mid;
  }
  const t = (x - xp[lo]!) / (xp[hi]! - xp[lo]!);
  return fp[lo]! + t * (fp[hi]! - fp[lo]!);
}

/** expect_column_bootstrapped_ks_test_p_value_to_be_greater_than */
export function bootstrappedKsTest(
  kw: Record<string, unknown>,
  vals: unknown[],
): Outcome {
  const part = (kw.partition_object ?? null) as Record<string, unknown> | null;
  if (part === null || !isContinuous(part)) {
    bad(
      `${BOOTSTRAPPED}: invalid continuous partition object: ${
        describeValue(part)
      }`,
    );
  }
  const bins = part.bins, weights = part.weights;
  if (!Number.isFinite(bins[0]) || !Number.isFinite(bins[bins.length - 1])) {
    bad(
      `${BOOTSTRAPPED}: partition endpoints must be finite: ${
        describeValue(bins)
      }`,
    );
  }
  if (part.tail_weights && pairwiseSum(part.tail_weights) > 0) {
    bad(
      `${BOOTSTRAPPED}: partition cannot have tail weights (endpoints must be finite): ${
        describeValue(part.tail_weights)
      }`,
    );
  }
  const p = (kw.p ?? 0.05) as number;
  const samples = (kw.bootstrap_samples ?? 1000) as number;
  const size = (kw.bootstrap_sample_size ?? weights.length * 2) as number;
  if (samples < 1 || size < 1) {
    bad(
      `${BOOTSTRAPPED}: bootstrap_samples and bootstrap_sample_size must be at least 1: ${samples}, ${size}`,
    );
  }
  const xs = numbers(BOOTSTRAPPED, vals);
  const n = xs.length;
  if (n === 0) bad(`${BOOTSTRAPPED}: the column has no non-null values`);
  const testCdf = [0];
  for (const w of weights) testCdf.push(testCdf[testCdf.length - 1]! + w);
  const cdf = (x: number) => interp(x, bins, testCdf);
  const random = seededRandom(BOOTSTRAP_SEED);
  const sample = new Float64Array(size);
  let passing = 0;
  for (let b = 0; b < samples; b++) {
    for (let i = 0; i < size; i++) sample[i] = xs[Math.floor(random() * n)]!;
    if (kolmogorovSf(size, ksStatistic(sample, cdf)) >= p) passing++;
  }
  const testResult = (1 + passing) / (samples + 1);

  const hist = histogram(xs, bins);
  let below = 0, above = 0, min = Infinity, max = -Infinity;
  for (const x of xs) {
    if (x < bins[0]!) below++;
    if (x > bins[bins.length - 1]!) above++;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const observedBins = [
    ...(below > 0 ? [min] : []),
    ...bins,
    ...(above > 0 ? [max] : []),
  ];
  const observedWeights = [
    ...(below > 0 ? [below] : []),
    ...hist,
    ...(above > 0 ? [above] : []),
  ].map((c) => c / n);
  const observedCdf = [0];
  for (const w of observedWeights) {
    observedCdf.push(observedCdf[observedCdf.length - 1]! + w);
  }
  return {
    success: testResult > p,
    result: {
      observed_value: testResult,
      details: {
        bootstrap_samples: samples,
        bootstrap_sample_size: size,
        observed_partition: { bins: observedBins, weights: observedWeights },
        expected_partition: { bins: [...bins], weights: [...weights] },
        observed_cdf: { x: observedBins, cdf_values: observedCdf },
        expected_cdf: { x: [...bins], cdf_values: testCdf },
      },
    },
  };
}

const CHISQUARE = "expect_column_chisquare_test_p_value_to_be_greater_than";

/** pandas' sorted index of mixed values: numbers, then strings, then the rest. */
function compareKeys(a: unknown, b: unknown): number {
  const rank = (v: unknown) =>
    typeof v === "number" ? 0 : typeof v === "string" ? 1 : 2;
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 0) return (a as number) - (b as number);
  const sa = ra === 1 ? a as string : keyOf(a) as string;
  const sb = rb === 1 ? b as string : keyOf(b) as string;
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** expect_column_chisquare_test_p_value_to_be_greater_than */
export function chiSquareTest(
  kw: Record<string, unknown>,
  vals: unknown[],
): Outcome {
  const part = (kw.partition_object ?? null) as Record<string, unknown> | null;
  if (part === null || !isCategorical(part)) {
    bad(
      `${CHISQUARE}: invalid categorical partition object: ${
        describeValue(part)
      }`,
    );
  }
  const p = (kw.p ?? 0.05) as number;
  const holdout = (kw.tail_weight_holdout ?? 0) as number;
  if (!(holdout >= 0 && holdout <= 1)) {
    bad(
      `${CHISQUARE}: tail_weight_holdout must be between 0 and 1: ${holdout}`,
    );
  }
  const n = vals.length;
  const key = (v: unknown) => typeof v === "object" ? keyOf(v) : v;
  const rows = new Map<
    unknown,
    { value: unknown; obs: number; exp: number | null }
  >();
  part.values.forEach((v, i) => {
    rows.set(key(v), { value: v, obs: 0, exp: part.weights[i]! * n });
  });
  for (const v of vals) {
    const r = rows.get(key(v));
    if (r) r.obs++;
    else rows.set(key(v), { value: v, obs: 1, exp: null });
  }
  const table = [...rows.values()].sort((a, b) =>
    compareKeys(a.value, b.value)
  );
  const missing = table.filter((r) => r.exp === null).length;
  const expected = table.map((r) =>
    missing > 0
      ? (r.exp === null ? n * holdout / missing : r.exp * (1 - holdout))
      : r.exp!
  );
  const observed = table.map((r) => r.obs);
  // scipy.stats.chisquare: Σ (o − e)² / e on k − 1 degrees of freedom.
  const stat = pairwiseSum(
    observed.map((o, i) => (o - expected[i]!) ** 2 / expected[i]!),
  );
  const pValue = chi2Sf(stat, table.length - 1);
  const index = table.map((r) => r.value);
  return {
    success: pValue > p,
    result: {
      observed_value: pValue,
      details: {
        observed_partition: { values: index, weights: observed },
        expected_partition: { values: index, weights: expected },
      },
    },
  };
}
