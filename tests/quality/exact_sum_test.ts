import assert from "node:assert/strict";
import {
  addExact,
  mergeExact,
  newSum,
  valueOf,
} from "../../quality/_exact_sum.ts";
import { pairwiseSum, pandasStdev } from "../../quality/_statistics.ts";

function sum(xs: number[]): number {
  const s = newSum();
  for (const x of xs) addExact(s, x);
  return valueOf(s);
}

Deno.test("addExact() sums like Python's math.fsum", () => {
  assert.equal(sum([0.1, 0.2, 0.3]), 0.6);
  assert.equal(sum(Array(10).fill(0.1)), 1);
  assert.equal(sum([1e100, 1, -1e100, 1e-100]), 1);
  assert.equal(sum([1, 1e-16, 1e-16]), 1.0000000000000002);
  assert.equal(sum([]), 0);
  assert.equal(sum([1, Infinity]), Infinity);
  assert.ok(Number.isNaN(sum([Infinity, -Infinity])));
});

Deno.test("mergeExact() gives the same sum for any split", () => {
  const xs = Array.from(
    { length: 1000 },
    (_, i) => ((i * 7919) % 1000) / 97 - 3.3,
  );
  const whole = sum(xs);
  for (const cut of [1, 17, 500, 999]) {
    const a = newSum(), b = newSum();
    for (const x of xs.slice(0, cut)) addExact(a, x);
    for (const x of xs.slice(cut)) addExact(b, x);
    mergeExact(b, a);
    assert.equal(valueOf(b), whole);
  }
});

Deno.test("pandas' stdev: numpy's pairwise sums, to the last bit", () => {
  // Values from GE's case expect_column_stdev_to_be_between/1.4.
  assert.equal(pandasStdev([1, 1, 3]), 1.1547005383792517);
  assert.equal(Math.sqrt(4 / 3), 1.1547005383792515); // the exact value differs
  assert.equal(pandasStdev([5]), null);
  // Past 8 values numpy sums in 8 lanes, then adds the lanes pairwise.
  const xs = Array.from({ length: 20 }, (_, i) => 0.1 * (i + 1) ** 1.5);
  const lane = (k: number) => xs[k]! + xs[k + 8]!;
  let expected = ((lane(0) + lane(1)) + (lane(2) + lane(3))) +
    ((lane(4) + lane(5)) + (lane(6) + lane(7)));
  for (let i = 16; i < 20; i++) expected += xs[i]!;
  assert.equal(pairwiseSum(xs), expected);
  let left = 0;
  for (const x of xs) left += x;
  assert.ok(Math.abs(pairwiseSum(xs) - left) < 1e-12);
});
