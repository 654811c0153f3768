import assert from "node:assert/strict";
import { InvalidInputError, ManualClock, TokenBucket } from "../../http/mod.ts";

Deno.test("TokenBucket.tryTake() spends the burst then refuses", () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 1, clock });
  assert.equal(bucket.tryTake(), true);
  assert.equal(bucket.tryTake(2), true);
  assert.equal(bucket.tryTake(), false);
  assert.equal(clock.pendingSleeps, 0);
});

Deno.test("TokenBucket refills from elapsed time up to capacity, with no timer", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({
    capacity: 10,
    refillPerSecond: 4,
    initialTokens: 0,
    clock,
  });
  assert.equal(bucket.available, 0);
  await clock.advance(500);
  assert.equal(bucket.available, 2);
  await clock.advance(250);
  assert.equal(bucket.available, 3);
  await clock.advance(60_000);
  assert.equal(bucket.available, 10);
  assert.equal(clock.pendingSleeps, 0);
});

Deno.test("TokenBucket.take() waits for refill", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 2, clock });
  await bucket.take();
  let done = false;
  const taken = bucket.take().then(() => (done = true));
  await clock.advance(499);
  assert.equal(done, false);
  await clock.advance(1);
  await taken;
  assert.equal(done, true);
  assert.equal(bucket.waiting, 0);
});

Deno.test("TokenBucket.take() serves waiters first in first out", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({
    capacity: 5,
    refillPerSecond: 1,
    initialTokens: 0,
    clock,
  });
  const order: string[] = [];
  const a = bucket.take(3).then(() => order.push("a3"));
  const b = bucket.take(1).then(() => order.push("b1"));
  const c = bucket.take(2).then(() => order.push("c2"));
  // b needs only one token but must not overtake a.
  assert.equal(bucket.tryTake(1), false);
  await clock.advance(1_000);
  assert.deepEqual(order, []);
  await clock.advance(2_000);
  assert.deepEqual(order, ["a3"]);
  await clock.advance(1_000);
  assert.deepEqual(order, ["a3", "b1"]);
  await clock.advance(2_000);
  await Promise.all([a, b, c]);
  assert.deepEqual(order, ["a3", "b1", "c2"]);
  assert.equal(clock.monotonic(), 6_000);
});

Deno.test("TokenBucket.take() rejects an aborted waiter and serves the next", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({
    capacity: 4,
    refillPerSecond: 1,
    initialTokens: 0,
    clock,
  });
  const controller = new AbortController();
  const first = bucket.take(4, controller.signal);
  let second = false;
  const next = bucket.take(1).then(() => (second = true));
  await clock.advance(500);
  controller.abort(new Error("stop waiting"));
  await assert.rejects(first, /stop waiting/);
  assert.equal(bucket.waiting, 1);
  // The head left: the 1-token waiter gets the refill at 1 s, not at 4 s.
  await clock.advance(500);
  await next;
  assert.equal(second, true);
  assert.equal(clock.pendingSleeps, 0);
});

Deno.test("TokenBucket.take() rejects at once on an already aborted signal", async () => {
  const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1 });
  await assert.rejects(
    bucket.take(1, AbortSignal.abort(new Error("gone"))),
    /gone/,
  );
  assert.equal(bucket.available, 1);
});

Deno.test("TokenBucket grants capacity plus rate times elapsed to concurrent callers", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 20, clock });
  let granted = 0;
  let stop = false;
  const callers = Array.from({ length: 8 }, async () => {
    while (!stop) {
      await bucket.take();
      if (!stop) granted++;
    }
  });
  await clock.advance(10_000);
  stop = true;
  assert.equal(granted, 5 + 20 * 10);
  // Let the callers still queued finish.
  await clock.advance(1_000);
  await Promise.all(callers);
});

Deno.test("TokenBucket.slowDown() empties and halves; recover() steps back to the rate", async () => {
  const clock = new ManualClock();
  const bucket = new TokenBucket({ capacity: 10, refillPerSecond: 10, clock });
  bucket.slowDown();
  assert.equal(bucket.rate, 5);
  assert.equal(bucket.available, 0);
  await clock.advance(1_000);
  assert.equal(bucket.available, 5);
  for (let i = 0; i < 10; i++) bucket.slowDown();
  assert.equal(bucket.rate, 10 * 0.0625);
  for (let i = 0; i < 20; i++) bucket.recover();
  assert.equal(bucket.rate, 10);
});

Deno.test("TokenBucket rejects bad numbers with InvalidInputError", () => {
  assert.throws(
    () => new TokenBucket({ capacity: 0, refillPerSecond: 1 }),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === "Token bucket capacity must be a positive number: 0",
  );
  assert.throws(
    () => new TokenBucket({ capacity: 1, refillPerSecond: -2 }),
    /refillPerSecond must be a positive number: -2/,
  );
  const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1 });
  assert.throws(() => bucket.tryTake(3), /no larger than capacity 2: 3/);
  assert.throws(() => bucket.take(-1), InvalidInputError);
  assert.throws(() => bucket.tryTake(NaN), InvalidInputError);
});
