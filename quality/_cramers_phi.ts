// expect_column_pair_cramers_phi_value_to_be_less_than, as GE 0.x computes
// it on pandas: both columns binned (numbers into histogram bins, other values
// into their top categories), a crosstab, scipy's chi2_contingency (with
// Yates' correction on one degree of freedom) and Cramér's V = √(χ² / n /
// (min(rows, columns) − 1)). It keeps every row's pair of values; the pairs
// concatenate across spark partitions, the statistic does not merge.

import { chi2Sf } from "./_distributions.ts";
import { keyOf } from "./_values.ts";
import { describeValue, QualityError } from "./errors.ts";
import type { ExpectationResultDetails } from "./types.ts";

const TYPE = "expect_column_pair_cramers_phi_value_to_be_less_than";
const MISSING = "(missing)", OTHER = "(other)";

/** Python's str of a float (`1.0`, `0.25`). */
function pyFloat(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : String(x);
}

/** Python's round(x, digits), digits possibly negative. */
function pyRound(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** GE's get_binned_values: each value's category label, in category order. */
function binned(
  values: unknown[],
  bins: unknown[] | null,
  nBins: number | null,
  side: string,
): { labels: string[]; order: string[] } {
  const n = nBins ?? 10;
  const present = values.filter((v) => v !== null);
  if (present.length > 0 && present.every((v) => typeof v === "number")) {
    const xs = present as number[];
    let min = Infinity, max = -Infinity;
    for (const x of xs) [min, max] = [Math.min(min, x), Math.max(max, x)];
    let edges: number[];
    if (bins !== null) {
      if (!bins.every((b) => typeof b === "number")) {
        throw new QualityError(
          `${TYPE}: bins_${side} of a numeric column must be numbers: ${
            describeValue(bins)
          }`,
        );
      }
      edges = [...new Set(bins as number[])].sort((a, b) => a - b);
      if (min < edges[0]!) edges.unshift(min);
      if (max > edges[edges.length - 1]!) edges.push(max);
    } else {
      // numpy.histogram_bin_edges(xs, n): n equal bins over [min, max].
      if (min === max) [min, max] = [min - 0.5, max + 0.5];
      edges = Array.from(
        { length: n + 1 },
        (_, i) => min + i * (max - min) / n,
      );
      edges[n] = max;
    }
    const last = edges.length - 1;
    // The largest value falls in the last bin.
    edges[last] = edges[last]! +
      Math.max(Number.EPSILON * Math.abs(edges[last]!), Number.MIN_VALUE);
    let width = Infinity;
    for (let i = 1; i <= last; i++) {
      width = Math.min(width, edges[i]! - edges[i - 1]!);
    }
    const precision = Math.trunc(Math.log10(width)) + 2;
    const order = edges.slice(1).map((hi, i) =>
      `[${pyFloat(pyRound(edges[i]!, precision))}, ${
        pyFloat(pyRound(hi, precision))
      })`
    );
    const labels = values.map((v) => {
      if (v === null) return MISSING;
      let lo = 0, hi = last;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (edges[mid]! <= (v as number)) lo = mid;
        else hi = mid;
      }
      return order[lo]!;
    });
    if (values.some((v) => v === null)) order.push(MISSING);
    return { labels, order };
  }
  const text = (v: unknown) => typeof v === "string" ? v : String(keyOf(v));
  const replace = new Map<string, string>();
  if (bins !== null) {
    for (const group of bins) {
      if (!Array.isArray(group)) {
        throw new QualityError(
          `${TYPE}: bins_${side} of a categorical column must be lists of values: ${
            describeValue(bins)
          }`,
        );
      }
      const name = group.map(text).join(", ");
      for (const v of group) replace.set(text(v), name);
    }
  } else {
    const counts = new Map<string, number>();
    for (const v of present) {
      counts.set(text(v), (counts.get(text(v)) ?? 0) + 1);
    }
    if (counts.size >= n + 1) {
      // value_counts(sort=True): by count, ties in first-seen order.
      const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
      for (const [v] of ranked.slice(n)) replace.set(v, OTHER);
    }
  }
  const labels = values.map((v) =>
    v === null ? MISSING : replace.get(text(v)) ?? text(v)
  );
  return { labels, order: [...new Set(labels)].sort() };
}

/** GE's result for the expectation over every row's (A, B) pair. */
export function cramersPhi(
  kw: Record<string, unknown>,
  pairs: [unknown, unknown][],
): { success: boolean; result: ExpectationResultDetails } {
  const threshold = (kw.threshold ?? 0.1) as number;
  const a = binned(
    pairs.map((p) => p[0]),
    (kw.bins_A ?? null) as unknown[] | null,
    (kw.n_bins_A ?? null) as number | null,
    "A",
  );
  const b = binned(
    pairs.map((p) => p[1]),
    (kw.bins_B ?? null) as unknown[] | null,
    (kw.n_bins_B ?? null) as number | null,
    "B",
  );
  // The crosstab without empty rows and columns.
  const cell = new Map<string, number>();
  for (let i = 0; i < pairs.length; i++) {
    const k = JSON.stringify([a.labels[i], b.labels[i]]);
    cell.set(k, (cell.get(k) ?? 0) + 1);
  }
  const rowsUsed = new Set(a.labels), colsUsed = new Set(b.labels);
  const rows = a.order.filter((r) => rowsUsed.has(r));
  const cols = b.order.filter((c) => colsUsed.has(c));
  const table = rows.map((r) =>
    cols.map((c) => cell.get(JSON.stringify([r, c])) ?? 0)
  );
  const n = pairs.length;
  const rowSum = table.map((r) => r.reduce((x, y) => x + y, 0));
  const colSum = cols.map((_, j) => table.reduce((x, r) => x + r[j]!, 0));
  const dof = (rows.length - 1) * (cols.length - 1);
  let chi2 = 0;
  if (dof > 0) {
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < cols.length; j++) {
        const e = rowSum[i]! * colSum[j]! / n;
        let o = table[i]![j]!;
        if (dof === 1) { // Yates: move each count half a unit toward its expectation
          const d = e - o;
          o += Math.sign(d) * Math.min(0.5, Math.abs(d));
        }
        chi2 += (o - e) ** 2 / e;
      }
    }
  }
  const v = Math.max(
    Math.min(Math.sqrt(chi2 / n / (Math.min(rows.length, cols.length) - 1)), 1),
    0,
  );
  const crosstab = rows.map((r, i) => ({
    [kw.column_A as string]: r,
    ...Object.fromEntries(cols.map((c, j) => [c, table[i]![j]!])),
  }));
  return {
    success: v <= threshold,
    result: {
      observed_value: v,
      details: {
        crosstab,
        chi2,
        dof,
        p_value: dof > 0 ? chi2Sf(chi2, dof) : 1,
      },
    },
  };
}
