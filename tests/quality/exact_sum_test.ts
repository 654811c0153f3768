import assert from "node:assert/strict";
import {
  addExact,
  addProduct,
  mergeExact,
  newSum,
  sampleStdev,
  valueOf,
} from "../../quality/_exact_sum.ts";

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

Deno.test("sampleStdev() is exact for shifted data where the textbook formula cancels", () => {
  const xs = [1e8 + 0.5, 1e8 + 1.5, 1e8 + 2.5, 1e8 + 3.5];
  const sx = newSum(), sxx = newSum();
  let s = 0, q = 0;
  for (const x of xs) {
    addExact(sx, x);
    addProduct(sxx, x, x);
    s += x;
    q += x * x;
  }
  assert.equal(sampleStdev(4, sx, sxx), Math.sqrt(5 / 3));
  // The same formula in plain floats cancels catastrophically.
  assert.notEqual((q - s * s / 4) / 3, 5 / 3);
  assert.equal(sampleStdev(1, sx, sxx), null);
});
