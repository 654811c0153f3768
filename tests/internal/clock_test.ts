import assert from "node:assert/strict";
import { ManualClock, systemClock } from "../../internal/clock.ts";

Deno.test("ManualClock.advance() resolves sleeps in deadline order", async () => {
  const clock = new ManualClock({ start: 1_000 });
  const order: string[] = [];
  const a = clock.sleep(30).then(() => order.push(`a@${clock.monotonic()}`));
  const b = clock.sleep(10).then(() => order.push(`b@${clock.monotonic()}`));
  const c = clock.sleep(10).then(() => order.push(`c@${clock.monotonic()}`));
  await clock.advance(25);
  assert.deepEqual(order, ["b@10", "c@10"]);
  assert.equal(clock.now(), 1_025);
  assert.equal(clock.pendingSleeps, 1);
  await clock.advance(5);
  await Promise.all([a, b, c]);
  assert.deepEqual(order, ["b@10", "c@10", "a@30"]);
});

Deno.test("ManualClock.advance() wakes sleeps made by woken code within the span", async () => {
  const clock = new ManualClock();
  const wakes: number[] = [];
  const loop = (async () => {
    for (let i = 0; i < 3; i++) {
      await clock.sleep(100);
      wakes.push(clock.monotonic());
    }
  })();
  await clock.advance(1_000);
  await loop;
  assert.deepEqual(wakes, [100, 200, 300]);
  assert.equal(clock.monotonic(), 1_000);
});

Deno.test("ManualClock.sleep() rejects when its signal aborts", async () => {
  const clock = new ManualClock();
  const controller = new AbortController();
  const sleeping = clock.sleep(50, controller.signal);
  controller.abort(new Error("stop"));
  await assert.rejects(sleeping, /stop/);
  assert.equal(clock.pendingSleeps, 0);
  await assert.rejects(clock.sleep(1, controller.signal), /stop/);
});

Deno.test("ManualClock.advance() refuses a negative span", async () => {
  const clock = new ManualClock();
  await assert.rejects(clock.advance(-1), /non-negative number: -1/);
});

Deno.test("ManualClock.runNext() jumps to the next deadline", async () => {
  const clock = new ManualClock();
  let done = false;
  clock.sleep(12_345).then(() => (done = true));
  assert.equal(await clock.runNext(), true);
  assert.equal(done, true);
  assert.equal(clock.monotonic(), 12_345);
  assert.equal(await clock.runNext(), false);
});

Deno.test("systemClock.sleep() waits and can be aborted", async () => {
  const start = systemClock.monotonic();
  await systemClock.sleep(5);
  assert.ok(systemClock.monotonic() - start >= 4);
  const controller = new AbortController();
  const sleeping = systemClock.sleep(10_000, controller.signal);
  controller.abort();
  await assert.rejects(
    sleeping,
    (e: unknown) => e instanceof DOMException && e.name === "AbortError",
  );
});
