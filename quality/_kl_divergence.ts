// expect_column_kl_divergence_to_be_less_than, as GE computes it on pandas:
// the observed distribution of a column (value counts for a categorical
// partition, a numpy histogram for a continuous one, with the weight below
// and above its bins as tails) against a partition object, KL divergence by
// scipy.stats.entropy. It needs every value (the histogram's bins may come
// from the data), so the state keeps them; the statistic itself is not
// mergeable, the kept values are.

import { pairwiseSum, quantileOf } from "./_statistics.ts";
import { keyOf } from "./_values.ts";
import { describeValue, QualityError } from "./errors.ts";
import type { ExpectationResultDetails } from "./types.ts";

interface Categorical {
  values: unknown[];
  weights: number[];
}
interface Continuous {
  bins: number[];
  weights: number[];
  tail_weights?: number[];
}

function bad(why: string): never {
  throw new QualityError(why);
}

function sum(xs: number[]): number {
  return pairwiseSum(xs);
}

// numpy.allclose(x, 1.0)
function closeToOne(x: number): boolean {
  return Math.abs(x - 1) <= 1e-8 + 1e-5;
}

export function isCategorical(
  p: Record<string, unknown>,
): p is Record<string, unknown> & Categorical {
  return Array.isArray(p.values) && Array.isArray(p.weights) &&
    p.values.length === p.weights.length &&
    p.weights.every((w) => typeof w === "number") &&
    closeToOne(sum(p.weights as number[]));
}

export function isContinuous(
  p: Record<string, unknown>,
): p is Record<string, unknown> & Continuous {
  if (!Array.isArray(p.bins) || !Array.isArray(p.weights)) return false;
  const bins = p.bins as number[], weights = p.weights as number[];
  let comb = weights;
  if (p.tail_weights !== undefined) {
    if (!Array.isArray(p.tail_weights) || p.tail_weights.length !== 2) {
      return false;
    }
    comb = [...(p.tail_weights as number[]), ...weights];
  }
  return bins.length === weights.length + 1 &&
    bins.every((b, i) => i === 0 || b - bins[i - 1]! > 0) &&
    closeToOne(sum(comb));
}

/** scipy.stats.entropy(pk, qk): both normalised, Σ pk·ln(pk/qk). */
function entropy(pk: number[], qk: number[]): number {
  const sp = sum(pk), sq = sum(qk);
  const terms = pk.map((p0, i) => {
    const p = p0 / sp, q = qk[i]! / sq;
    if (p > 0 && q > 0) return p * Math.log(p / q);
    if (p === 0 && q >= 0) return 0;
    return Infinity;
  });
  return sum(terms);
}

/** numpy.histogram with explicit edges: [a, b) bins, the last one [a, b]. */
export function histogram(xs: Float64Array, bins: number[]): number[] {
  const counts = new Array(bins.length - 1).fill(0);
  const last = bins.length - 1;
  for (const x of xs) {
    if (x < bins[0]! || x > bins[last]!) continue;
    // The first edge above x, by binary search.
    let lo = 0, hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (bins[mid + 1]! <= x) lo = mid + 1;
      else hi = mid;
    }
    counts[Math.min(lo, last - 1)]++;
  }
  return counts;
}

/** GE's "auto" partition: numpy's max(Sturges, Freedman–Diaconis) over nearest quantiles. */
function autoBins(sorted: Float64Array): number[] {
  const n = sorted.length;
  const sturges = Math.log2(n + 1);
  const [min, q25, q75, max] = [0, 0.25, 0.75, 1].map((q) =>
    quantileOf(sorted, q, "nearest")!
  ) as [number, number, number, number];
  const iqr = q75 - q25;
  let k: number;
  if (iqr < 1e-10) k = Math.ceil(sturges);
  else {
    const fd = 2 * iqr / n ** (1 / 3);
    k = Math.max(Math.ceil(sturges), Math.ceil((max - min) / fd));
  }
  // numpy.linspace(min, max, k + 1)
  const step = (max - min) / k;
  const edges = Array.from({ length: k + 1 }, (_, i) => i * step + min);
  edges[k] = max;
  return edges;
}

function valueCounts(
  vals: unknown[],
): Map<unknown, { value: unknown; n: number }> {
  const counts = new Map<unknown, { value: unknown; n: number }>();
  for (const v of vals) {
    const k = typeof v === "object" ? keyOf(v) : v;
    const c = counts.get(k);
    if (c) c.n++;
    else counts.set(k, { value: v, n: 1 });
  }
  return counts;
}

function numbers(vals: unknown[]): Float64Array {
  return Float64Array.from(vals, (v) => {
    if (typeof v !== "number") {
      bad(
        `A continuous partition needs numeric values: ${describeValue(v)}`,
      );
    }
    return v;
  });
}

/** GE's result for the expectation over a column's non-null values. */
export function klDivergence(
  kw: Record<string, unknown>,
  vals: unknown[],
): { success: boolean; result: ExpectationResultDetails } {
  const threshold = kw.threshold ?? null;
  const tail = kw.tail_weight_holdout ?? 0;
  const internal = kw.internal_weight_holdout ?? 0;
  const bucketize = kw.bucketize_data ?? true;
  const n = vals.length;
  let partition = (kw.partition_object ?? null) as
    | Record<string, unknown>
    | null;
  if (partition === null) {
    if (bucketize) {
      const sorted = numbers(vals).sort();
      const bins = autoBins(sorted);
      const weights = histogram(sorted, bins).map((c) => c / n);
      const t = (1 - sum(weights)) / 2;
      partition = { bins, weights, tail_weights: [t, t] };
    } else {
      const counts = [...valueCounts(vals).values()];
      partition = {
        values: counts.map((c) => c.value),
        weights: counts.map((c) => c.n / n),
      };
    }
  }
  const categorical = isCategorical(partition);
  if (!categorical && !isContinuous(partition)) {
    bad("Invalid partition object.");
  }
  if (threshold !== null && (typeof threshold !== "number" || threshold < 0)) {
    bad("Threshold must be specified, greater than or equal to zero.");
  }
  if (typeof tail !== "number" || tail < 0 || tail > 1) {
    bad(
      "tail_weight_holdout must be between zero and one: it must be greater than or equal to 0 and less than or equal to 1.",
    );
  }
  if (typeof internal !== "number" || internal < 0 || internal > 1) {
    bad(
      "internal_weight_holdout must be between zero and one: it must be greater than or equal to 0 and less than or equal to 1.",
    );
  }
  if (tail !== 0 && partition.tail_weights !== undefined) {
    bad(
      "tail_weight_holdout must be 0 when using tail_weights in partition object",
    );
  }
  const verdict = (kl: number) => ({
    observed: Number.isFinite(kl) ? kl : null,
    success: threshold === null ? true : kl <= (threshold as number),
  });

  if (categorical) {
    const p = partition as unknown as Categorical;
    if (internal > 0) {
      bad("Internal weight holdout cannot be used for discrete data.");
    }
    // pandas.concat([expected, observed], axis=1): expected's values first,
    // then observed values it lacks, in value order (value_counts sort="value").
    const observed = valueCounts(vals);
    const keys = p.values.map((v) => typeof v === "object" ? keyOf(v) : v);
    const index: unknown[] = [...p.values];
    const expected: (number | null)[] = [...p.weights];
    const extra = [...observed.entries()].filter(([k]) => !keys.includes(k))
      .sort((a, b) =>
        String(a[1].value) < String(b[1].value)
          ? -1
          : String(a[1].value) > String(b[1].value)
          ? 1
          : 0
      );
    for (const [k, c] of extra) {
      keys.push(k);
      index.push(c.value);
      expected.push(null);
    }
    const pk = keys.map((k) => (observed.get(k)?.n ?? 0) / n);
    const missing = expected.filter((w) => w === null).length;
    const qk = missing > 0
      ? expected.map((w) => w === null ? tail / missing : w * (1 - tail))
      : expected as number[];
    const { observed: value, success } = verdict(entropy(pk, qk));
    return {
      success,
      result: {
        observed_value: value,
        details: {
          observed_partition: { values: index, weights: pk },
          expected_partition: { values: index, weights: qk },
        },
      },
    };
  }

  if (bucketize === false) {
    bad(
      "KL Divergence cannot be computed with a continuous partition object and the bucketize_data parameter set to false.",
    );
  }
  const p = partition as unknown as Continuous;
  const xs = numbers(vals);
  const bins = p.bins;
  const hist = histogram(xs, bins);
  const below = xs.filter((x) => x < bins[0]!).length;
  const above = xs.filter((x) => x > bins[bins.length - 1]!).length;
  let observedWeights = hist.map((c) => c / n);
  let expectedWeights = p.weights.map((w) => w * (1 - tail - internal));
  if (internal > 0) {
    const zeros = expectedWeights.filter((w) => w === 0).length;
    if (zeros > 0) {
      expectedWeights = expectedWeights.map((w) =>
        w === 0 ? internal / zeros : w
      );
    }
  }
  const lowInf = bins[0] === -Infinity,
    highInf = bins[bins.length - 1] === Infinity;
  let expectedBins: number[], combExpected: number[], combObserved: number[];
  let expectedTails: number[], observedTails: number[];
  if ((lowInf || highInf) && p.tail_weights !== undefined) {
    bad(
      "There can be no tail weights for partitions with one or both endpoints at infinity",
    );
  }
  if (lowInf && highInf) {
    if (tail > 0) {
      bad(
        "tail_weight_holdout cannot be used for partitions with infinite endpoints.",
      );
    }
    expectedBins = bins.slice(1, -1);
    combExpected = expectedWeights;
    expectedTails = [
      expectedWeights[0]!,
      expectedWeights[expectedWeights.length - 1]!,
    ];
    expectedWeights = expectedWeights.slice(1, -1);
    combObserved = observedWeights;
    observedTails = [
      observedWeights[0]!,
      observedWeights[observedWeights.length - 1]!,
    ];
    observedWeights = observedWeights.slice(1, -1);
  } else if (lowInf) {
    expectedBins = bins.slice(1);
    combExpected = [...expectedWeights, tail];
    expectedTails = [expectedWeights[0]!, tail];
    expectedWeights = expectedWeights.slice(1);
    combObserved = [...observedWeights, above / n];
    observedTails = [observedWeights[0]!, above / n];
    observedWeights = observedWeights.slice(1);
  } else if (highInf) {
    expectedBins = bins.slice(0, -1);
    combExpected = [tail, ...expectedWeights];
    expectedTails = [tail, expectedWeights[expectedWeights.length - 1]!];
    expectedWeights = expectedWeights.slice(0, -1);
    combObserved = [below / n, ...observedWeights];
    observedTails = [below / n, observedWeights[observedWeights.length - 1]!];
    observedWeights = observedWeights.slice(0, -1);
  } else {
    expectedBins = bins;
    if (p.tail_weights !== undefined) {
      const t = p.tail_weights;
      combExpected = [t[0]!, ...expectedWeights, t[1]!];
      expectedTails = [...t];
    } else {
      combExpected = [tail / 2, ...expectedWeights, tail / 2];
      expectedTails = [tail / 2, tail / 2];
    }
    combObserved = [below / n, ...observedWeights, above / n];
    observedTails = [below / n, above / n];
  }
  const { observed: value, success } = verdict(
    entropy(combObserved, combExpected),
  );
  return {
    success,
    result: {
      observed_value: value,
      details: {
        observed_partition: {
          bins: expectedBins,
          weights: observedWeights,
          tail_weights: observedTails,
        },
        expected_partition: {
          bins: expectedBins,
          weights: expectedWeights,
          tail_weights: expectedTails,
        },
      },
    },
  };
}
