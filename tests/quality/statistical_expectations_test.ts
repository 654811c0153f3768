import assert from "node:assert/strict";
import { ExpectationSuite, QualityError, validate } from "../../quality/mod.ts";
import { chi2Sf, erf, kolmogorovSf } from "../../quality/_distributions.ts";
import { one } from "./_helpers.ts";

const close = (a: unknown, b: number, tol = 1e-6) =>
  assert.ok(
    typeof a === "number" && Math.abs(a - b) <= tol,
    `${a} is not within ${tol} of ${b}`,
  );
const col = (xs: unknown[]) => xs.map((x) => ({ x }));

Deno.test("erf and the chi-square survival function hit known values", () => {
  close(erf(0.5), 0.5204998778130465, 1e-15);
  close(erf(2), 0.9953222650189527, 1e-15);
  close(erf(3.5), 0.9999992569016276, 1e-15);
  // χ² with 2 degrees of freedom: sf = e^{-x/2}; with 1: the 5% point 3.841459
  close(chi2Sf(10, 2), Math.exp(-5), 1e-14);
  close(chi2Sf(3.841458820694124, 1), 0.05, 1e-12);
  close(chi2Sf(10, 4), 0.04042768199451279, 1e-12);
});

Deno.test("the two-sided KS p-value matches the Kolmogorov tables and closed forms", () => {
  // Critical values of Dₙ at α = 0.05 and 0.20 (Miller's tables, 5 digits).
  close(kolmogorovSf(5, 0.56328), 0.05, 1e-4);
  close(kolmogorovSf(10, 0.40925), 0.05, 1e-4);
  close(kolmogorovSf(10, 0.3226), 0.2, 1e-4);
  close(kolmogorovSf(20, 0.29408), 0.05, 1e-4);
  // Ruben–Gambino: 1/(2n) < d ≤ 1/n gives 1 − n!/nⁿ (2nd − 1)ⁿ; d ≥ 1 − 1/n gives 2(1 − d)ⁿ.
  close(kolmogorovSf(3, 0.3), 1 - 6 / 27 * 0.8 ** 3, 1e-14);
  close(kolmogorovSf(4, 0.8), 2 * 0.2 ** 4, 1e-14);
  // Large n: the Kolmogorov limit's 5% point 1.358099/√n.
  close(kolmogorovSf(100000, 1.358099 / Math.sqrt(100000)), 0.05, 2e-3);
});

const PARAM =
  "expect_column_parameterized_distribution_ks_test_p_value_to_be_greater_than";

Deno.test(`${PARAM}: a uniform sample against uniform`, async () => {
  // 0.1 … 0.9: D = 0.1 = 0.9/n, so p = 1 − 9!/9⁹ · 0.8⁹.
  const xs = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
  const r = await one(
    col(xs),
    (s) =>
      s.expectColumnParameterizedDistributionKsTestPValueToBeGreaterThan(
        "x",
        "uniform",
        { params: [0, 1] },
      ),
  );
  const p = 1 - 362880 / 9 ** 9 * 0.8 ** 9;
  close(r.result.observed_value, p);
  close(p, 0.9998742840646804, 1e-12);
  assert.equal(r.success, true);
  assert.deepEqual(r.result.details, {
    expected_params: [0, 1],
    observed_ks_result: [0.1, r.result.observed_value],
  });
});

Deno.test(`${PARAM}: normal and exponential, success at the threshold`, async () => {
  // Two values ±1 against N(0, 1): D = Φ(1) − 1/2, and for 1/4 < D ≤ 1/2
  // the p-value is 1 − (4D − 1)²/2.
  const phi1 = (1 + erf(1 / Math.SQRT2)) / 2;
  const d = phi1 - 0.5;
  const p = 1 - (4 * d - 1) ** 2 / 2;
  close(phi1, 0.8413447460685429, 1e-15);
  const norm = (pValue: number) => (s: ExpectationSuite) =>
    s.expectColumnParameterizedDistributionKsTestPValueToBeGreaterThan(
      "x",
      "norm",
      { params: { loc: 0, scale: 1 }, pValue },
    );
  const r = await one(col([-1, 1, null]), norm(0.5));
  close(r.result.observed_value, p);
  close(r.result.observed_value, 0.9332491, 1e-7);
  assert.equal(r.result.missing_count, 1);
  // p ≥ p_value passes, as GE compares.
  assert.equal((await one(col([-1, 1]), norm(p))).success, true);
  assert.equal((await one(col([-1, 1]), norm(p + 1e-9))).success, false);

  // Expon(scale 2) at 2·ln 2 and 2·ln 4: F = 1/2 and 3/4, so D = 1/2.
  const e = await one(
    col([2 * Math.log(2), 2 * Math.log(4)]),
    (s) =>
      s.expectColumnParameterizedDistributionKsTestPValueToBeGreaterThan(
        "x",
        "expon",
        { params: { scale: 2 } },
      ),
  );
  close(e.result.observed_value, 1 - (4 * 0.5 - 1) ** 2 / 2);
  // A sample far from N(0, 1) fails.
  const far = await one(
    col(Array.from({ length: 30 }, (_, i) => 5 + i / 10)),
    norm(0.05),
  );
  assert.equal(far.success, false);
  assert.ok((far.result.observed_value as number) < 1e-12);
});

Deno.test(`${PARAM}: bad kwargs are typed errors`, async () => {
  const suite = new ExpectationSuite("s");
  assert.throws(
    () =>
      suite.addExpectation({
        expectation_type: PARAM,
        kwargs: { column: "x" },
      }),
    (e) => e instanceof QualityError && /distribution/.test(e.message),
  );
  assert.throws(
    () =>
      suite.addExpectation({
        expectation_type: PARAM,
        kwargs: { column: "x", distribution: "norm", p_value: "0.1" },
      }),
    (e) => e instanceof QualityError && /p_value/.test(e.message),
  );
  const bad = [
    [
      { distribution: "gamma" },
      /"gamma" is not supported.*norm, uniform, expon/,
    ],
    [{ distribution: "norm", p_value: 1 }, /p_value must be between 0 and 1/],
    [
      { distribution: "norm", params: [0, -1] },
      /scale of "norm" must be positive/,
    ],
    [{ distribution: "norm", params: [0, 1, 2] }, /at most two numbers/],
    [{ distribution: "norm", params: { mean: 0 } }, /unknown parameter "mean"/],
    [
      { distribution: "norm", params: "0,1" },
      /params must be a dict or a list/,
    ],
  ] as const;
  for (const [kwargs, message] of bad) {
    const s = new ExpectationSuite("s").addExpectation({
      expectation_type: PARAM,
      kwargs: { column: "x", ...kwargs },
    }).expectColumnToExist("x");
    const r = await validate(col([0.5]), s);
    assert.equal(r.results[0]!.success, false);
    assert.match(r.results[0]!.exception_info.exception_message!, message);
    assert.equal(
      r.results[1]!.success,
      true,
      "the other expectations still run",
    );
  }
  const strings = await one(
    col(["a"]),
    (s) =>
      s.expectColumnParameterizedDistributionKsTestPValueToBeGreaterThan(
        "x",
        "norm",
      ),
  );
  assert.match(
    strings.exception_info.exception_message!,
    /numeric values: "a"/,
  );
});

const BOOT = "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than";
const EVEN = { bins: [0, 0.5, 1], weights: [0.5, 0.5] };

Deno.test(`${BOOT}: GE's bootstrap, reproducible, with its partition details`, async () => {
  const xs = Array.from({ length: 200 }, (_, i) => (i + 0.5) / 200);
  const build = (s: ExpectationSuite) =>
    s.expectColumnBootstrappedKsTestPValueToBeGreaterThan("x", {
      partitionObject: EVEN,
      bootstrapSamples: 200,
    });
  const a = await one(col(xs), build);
  const b = await one(col(xs), build);
  assert.deepEqual(
    a.result,
    b.result,
    "the seeded generator gives the same result",
  );
  const v = a.result.observed_value as number;
  // (1 + passing) / (samples + 1), nearly every sample of a uniform column passes
  assert.ok(Number.isInteger(v * 201 - 1) && v > 0.9, `${v}`);
  assert.equal(a.success, true);
  const details = a.result.details as Record<string, unknown>;
  assert.equal(details.bootstrap_sample_size, 4);
  assert.deepEqual(details.observed_partition, EVEN);
  assert.deepEqual(details.expected_cdf, {
    x: [0, 0.5, 1],
    cdf_values: [0, 0.5, 1],
  });

  // Entirely above the partition: no sample passes, so 1 / (samples + 1).
  const far = await one(
    col([3, 4, 5, 6]),
    (s) =>
      s.expectColumnBootstrappedKsTestPValueToBeGreaterThan("x", {
        partitionObject: EVEN,
        bootstrapSamples: 99,
        bootstrapSampleSize: 10,
      }),
  );
  assert.equal(far.result.observed_value, 0.01);
  assert.equal(far.success, false);
  assert.deepEqual(
    (far.result.details as Record<string, unknown>).observed_partition,
    {
      bins: [0, 0.5, 1, 6],
      weights: [0, 0, 1],
    },
  );
  // Success is observed_value > p, strictly.
  const atP = await one(
    col([3, 4]),
    (s) =>
      s.expectColumnBootstrappedKsTestPValueToBeGreaterThan("x", {
        partitionObject: EVEN,
        bootstrapSamples: 99,
        p: 0.01,
      }),
  );
  assert.equal(atP.result.observed_value, 0.01);
  assert.equal(atP.success, false);
});

Deno.test(`${BOOT}: bad partitions are typed errors`, async () => {
  assert.throws(
    () =>
      new ExpectationSuite("s").addExpectation({
        expectation_type: BOOT,
        kwargs: { column: "x", partition_object: EVEN, bootstrap_samples: 1.5 },
      }),
    (e) => e instanceof QualityError && /bootstrap_samples/.test(e.message),
  );
  const bad = [
    [{ bins: [0, 1], weights: [0.5] }, /invalid continuous partition/],
    [{ values: ["a"], weights: [1] }, /invalid continuous partition/],
    [
      { bins: [-Infinity, 0, 1], weights: [0.5, 0.5] },
      /endpoints must be finite/,
    ],
    [
      { bins: [0, 1], weights: [0.8], tail_weights: [0.1, 0.1] },
      /cannot have tail weights/,
    ],
  ] as const;
  for (const [partitionObject, message] of bad) {
    const r = await one(
      col([0.5]),
      (s) =>
        s.expectColumnBootstrappedKsTestPValueToBeGreaterThan("x", {
          partitionObject,
        }),
    );
    assert.equal(r.success, false);
    assert.match(r.exception_info.exception_message!, message);
  }
});

const CHI = "expect_column_chisquare_test_p_value_to_be_greater_than";

Deno.test(`${CHI}: scipy's chisquare of the value counts`, async () => {
  // 10, 20, 30 against an even split: χ² = 10 on 2 degrees of freedom, p = e⁻⁵.
  const rows = ["a", "b", "c"].flatMap((x, i) =>
    Array(10 * (i + 1)).fill({ x })
  );
  const even = { values: ["c", "b", "a"], weights: [1 / 3, 1 / 3, 1 / 3] };
  const r = await one(
    rows,
    (s) =>
      s.expectColumnChisquareTestPValueToBeGreaterThan("x", {
        partitionObject: even,
      }),
  );
  close(r.result.observed_value, 0.006737946999085467, 1e-12);
  assert.equal(r.success, false);
  assert.deepEqual(r.result.details, {
    observed_partition: { values: ["a", "b", "c"], weights: [10, 20, 30] },
    expected_partition: { values: ["a", "b", "c"], weights: [20, 20, 20] },
  });
  // Against the matching 1:2:3 partition the statistic is 0 and p is 1.
  const fit = await one(
    rows,
    (s) =>
      s.expectColumnChisquareTestPValueToBeGreaterThan("x", {
        partitionObject: {
          values: ["a", "b", "c"],
          weights: [1 / 6, 2 / 6, 3 / 6],
        },
      }),
  );
  close(fit.result.observed_value, 1, 1e-12);
  // Success is p-value > p, strictly.
  const threshold = (p: number) => (s: ExpectationSuite) =>
    s.expectColumnChisquareTestPValueToBeGreaterThan("x", {
      partitionObject: even,
      p,
    });
  assert.equal((await one(rows, threshold(0.0067))).success, true);
  assert.equal((await one(rows, threshold(0.0068))).success, false);
});

Deno.test(`${CHI}: unexpected values share tail_weight_holdout`, async () => {
  // 8 "a", 2 "z" against { a: 1 }: with holdout 0.2 the expected counts are
  // a 8, z 2 (χ² = 0, p = 1); with no holdout z expects 0 and p is 0.
  const rows = [...Array(8).fill({ x: "a" }), ...Array(2).fill({ x: "z" })];
  const build = (tail: number) => (s: ExpectationSuite) =>
    s.expectColumnChisquareTestPValueToBeGreaterThan("x", {
      partitionObject: { values: ["a"], weights: [1] },
      tailWeightHoldout: tail,
    });
  const held = await one(rows, build(0.2));
  close(held.result.observed_value, 1, 1e-12);
  assert.deepEqual(
    (held.result.details as Record<string, { weights: number[] }>)
      .expected_partition!.weights.map((w) => Math.round(w * 1e9) / 1e9),
    [8, 2],
  );
  const none = await one(rows, build(0));
  assert.equal(none.result.observed_value, 0);
  assert.equal(none.success, false);
  // Holdout 0.1: expected 9 and 1, χ² = 1/9 + 1 on 1 degree of freedom.
  const tenth = await one(rows, build(0.1));
  close(tenth.result.observed_value, chi2Sf(1 / 9 + 1, 1), 1e-15);
  // χ² on 1 degree of freedom is erfc(√(x/2)), computed here by erf's series.
  close(
    tenth.result.observed_value,
    1 - erf(Math.sqrt((1 / 9 + 1) / 2)),
    1e-12,
  );
});

Deno.test(`${CHI}: bad partitions are typed errors`, async () => {
  assert.throws(
    () =>
      new ExpectationSuite("s").addExpectation({
        expectation_type: CHI,
        kwargs: { column: "x" },
      }),
    (e) => e instanceof QualityError && /partition_object/.test(e.message),
  );
  for (
    const [partitionObject, tail, message] of [
      [{ values: ["a", "b"], weights: [0.5, 0.4] }, 0, /invalid categorical/],
      [{ bins: [0, 1], weights: [1] }, 0, /invalid categorical/],
      [
        { values: ["a"], weights: [1] },
        2,
        /tail_weight_holdout must be between/,
      ],
    ] as const
  ) {
    const r = await one(
      col(["a"]),
      (s) =>
        s.expectColumnChisquareTestPValueToBeGreaterThan("x", {
          partitionObject,
          tailWeightHoldout: tail,
        }),
    );
    assert.equal(r.success, false);
    assert.match(r.exception_info.exception_message!, message);
  }
});

const PHI = "expect_column_pair_cramers_phi_value_to_be_less_than";
const pairs = (cells: [string, string, number][]) =>
  cells.flatMap(([a, b, n]) => Array(n).fill({ a, b }));

Deno.test(`${PHI}: chi2_contingency with Yates' correction on 2×2 tables`, async () => {
  // [[3, 1], [1, 3]]: expected 2 each, Yates moves each count half a unit,
  // χ² = 4 · 0.5² / 2 = 0.5 and φ = √(0.5 / 8) = 0.25.
  const rows = pairs([["x", "p", 3], ["x", "q", 1], ["y", "p", 1], [
    "y",
    "q",
    3,
  ]]);
  const at = (threshold: number) => (s: ExpectationSuite) =>
    s.expectColumnPairCramersPhiValueToBeLessThan("a", "b", { threshold });
  const r = await one(rows, at(0.25));
  close(r.result.observed_value, 0.25, 1e-12);
  assert.equal(r.success, true);
  assert.equal((await one(rows, at(0.2499))).success, false);
  assert.deepEqual((r.result.details as Record<string, unknown>).crosstab, [
    { a: "x", p: 3, q: 1 },
    { a: "y", p: 1, q: 3 },
  ]);
  // A 3×2 table takes no correction: [[2, 0], [0, 2], [1, 1]] has χ² = 4, φ = √(4/6).
  const r3 = await one(
    pairs([["a", "p", 2], ["b", "q", 2], ["c", "p", 1], ["c", "q", 1]]),
    at(0.9),
  );
  close(r3.result.observed_value, Math.sqrt(2 / 3), 1e-12);
});

Deno.test(`${PHI}: numeric columns are binned as GE's get_binned_values`, async () => {
  // 0…9 in two bins [0, 4.5) and [4.5, 9]: against lo/hi the table is
  // [[5, 0], [0, 5]], Yates gives χ² = 4 · 2² / 2.5 = 6.4 and φ = √(6.4/10) = 0.8.
  const rows = Array.from(
    { length: 10 },
    (_, i) => ({ a: i, b: i < 5 ? "lo" : "hi" }),
  );
  const r = await one(
    rows,
    (s) =>
      s.expectColumnPairCramersPhiValueToBeLessThan("a", "b", { nBinsA: 2 }),
  );
  close(r.result.observed_value, 0.8, 1e-12);
  assert.equal(r.success, false);
  assert.deepEqual((r.result.details as Record<string, unknown>).crosstab, [
    { a: "[0.0, 4.5)", hi: 0, lo: 5 },
    { a: "[4.5, 9.0)", hi: 5, lo: 0 },
  ]);
  // Explicit groups of values for a categorical column.
  const grouped = await one(
    pairs([["x", "p", 2], ["y", "p", 2], ["z", "q", 4]]),
    (s) =>
      s.expectColumnPairCramersPhiValueToBeLessThan("a", "b", {
        binsA: [["x", "y"], ["z"]],
      }),
  );
  // [[4, 0], [0, 4]]: Yates χ² = 4 · 1.5² / 2 = 4.5, φ = √(4.5 / 8) = 0.75.
  close(grouped.result.observed_value, 0.75, 1e-12);
});

Deno.test(`${PHI}: bad kwargs and missing columns are typed errors`, async () => {
  assert.throws(
    () =>
      new ExpectationSuite("s").addExpectation({
        expectation_type: PHI,
        kwargs: { column_A: "a", column_B: "b", n_bins_A: -1 },
      }),
    (e) => e instanceof QualityError && /n_bins_A/.test(e.message),
  );
  const rows = [{ a: 1, b: "x" }, { a: 2, b: "y" }];
  const bad = await one(
    rows,
    (s) =>
      s.expectColumnPairCramersPhiValueToBeLessThan("a", "b", {
        binsA: ["lo"],
      }),
  );
  assert.match(
    bad.exception_info.exception_message!,
    /bins_A of a numeric column must be numbers/,
  );
  const missing = await one(
    rows,
    (s) => s.expectColumnPairCramersPhiValueToBeLessThan("a", "nope"),
  );
  assert.match(missing.exception_info.exception_message!, /"a", "nope"/);
});
