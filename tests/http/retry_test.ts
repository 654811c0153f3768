import assert from "node:assert/strict";
import {
  backoffDelay,
  InvalidInputError,
  parseRetryAfter,
  retryPolicy,
} from "../../http/mod.ts";

Deno.test("retryPolicy() has the documented defaults", () => {
  const policy = retryPolicy();
  assert.equal(policy.limit, 2);
  assert.deepEqual(policy.statusCodes, [408, 413, 429, 500, 502, 503, 504]);
  assert.deepEqual(policy.methods, [
    "GET",
    "HEAD",
    "PUT",
    "DELETE",
    "OPTIONS",
    "TRACE",
  ]);
  assert.deepEqual(retryPolicy({ methods: ["post"] }).methods, ["POST"]);
});

Deno.test("retryPolicy() rejects a negative limit or delay", () => {
  assert.throws(
    () => retryPolicy(-1),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === "Retry limit must be a non-negative integer: -1",
  );
  assert.throws(() => retryPolicy({ delay: -5 }), /delay.*: -5/);
  assert.throws(() => retryPolicy({ limit: 1.5 }), InvalidInputError);
});

Deno.test("backoffDelay() doubles, caps and applies full jitter", () => {
  const top = retryPolicy({
    delay: 100,
    backoffLimit: 1_000,
    random: () => 0.9999,
  });
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6].map((k) => backoffDelay(top, k)),
    [99, 199, 399, 799, 999, 999],
  );
  const bottom = retryPolicy({ delay: 100, random: () => 0 });
  assert.equal(backoffDelay(bottom, 4), 0);
  // Uniform jitter: the mean of many draws sits near half the ceiling.
  const random = retryPolicy({ delay: 1_000, backoffLimit: 1_000 });
  let sum = 0;
  for (let i = 0; i < 10_000; i++) sum += backoffDelay(random, 1);
  assert.ok(Math.abs(sum / 10_000 - 500) < 25, `mean ${sum / 10_000}`);
});

Deno.test("parseRetryAfter() reads seconds and HTTP dates", () => {
  const now = Date.UTC(2018, 1, 7, 12, 0, 0);
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter(" 0 ", now), 0);
  assert.equal(parseRetryAfter("1.5", now), undefined);
  assert.equal(
    parseRetryAfter(new Date(now + 30_000).toUTCString(), now),
    30_000,
  );
  assert.equal(parseRetryAfter("Wed, 07 Feb 2018 11:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter(null, now), undefined);
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter("-3", now), undefined);
});
