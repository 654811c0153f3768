// The client keeps every pending time limit (per-attempt timeouts, total
// deadlines) behind one timer; these tests check that limits still fire at
// their own times, abort the request on the wire, and leave nothing pending.
import assert from "node:assert/strict";
import {
  HttpClient,
  ManualClock,
  RetryError,
  TimeoutError,
} from "../../http/mod.ts";
import { until, untilWaking } from "./_helpers.ts";

/**
 * A server that never answers until the client goes away (or the test ends);
 * records how many requests saw their connection aborted.
 */
function stalledServer() {
  let calls = 0;
  let aborted = 0;
  const releases = new Set<() => void>();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new Promise<Response>((resolve) => {
        calls++;
        const done = () => {
          releases.delete(done);
          resolve(new Response("late"));
        };
        releases.add(done);
        req.signal.addEventListener("abort", () => {
          aborted++;
          done();
        });
      }),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get calls() {
      return calls;
    },
    get aborted() {
      return aborted;
    },
    async [Symbol.asyncDispose]() {
      for (const release of [...releases]) release();
      await server.shutdown();
    },
  };
}

Deno.test("HttpClient fires concurrent attempt timeouts each at its own time on a ManualClock", async () => {
  const clock = new ManualClock();
  await using server = stalledServer();
  const client = new HttpClient({ clock, timeout: 5_000, retry: 0 });
  const failedAt: Record<string, number> = {};
  const record = (name: string) => (error: unknown) => {
    assert.ok(error instanceof TimeoutError, String(error));
    assert.equal(error.kind, "attempt");
    failedAt[name] = clock.monotonic();
    return error.timeout;
  };
  const slow = client.fetch(`${server.url}/slow`).catch(record("slow"));
  await until(() => server.calls === 1);
  await clock.advance(1_000);
  // Added later with a shorter limit: due before the armed one.
  const quick = client.fetch(`${server.url}/quick`, { timeout: 2_000 })
    .catch(record("quick"));
  await until(() => server.calls === 2);
  assert.equal(clock.pendingSleeps, 1);
  await clock.advance(1_999);
  assert.deepEqual(failedAt, {});
  await clock.advance(1);
  assert.equal(await quick, 2_000);
  assert.deepEqual(failedAt, { quick: 3_000 });
  await clock.advance(1_999);
  assert.equal("slow" in failedAt, false);
  await clock.advance(1);
  assert.equal(await slow, 5_000);
  assert.deepEqual(failedAt, { quick: 3_000, slow: 5_000 });
  assert.equal(clock.pendingSleeps, 0);
  await until(() => server.aborted === 2);
});

Deno.test("HttpClient leaves no sleep pending on a ManualClock once requests finish", async () => {
  const clock = new ManualClock();
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("ok"),
  );
  const client = new HttpClient({
    clock,
    timeout: 1_000,
    totalTimeout: 60_000,
  });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const texts = await Promise.all(
    Array.from({ length: 5 }, () => client.text(url)),
  );
  assert.deepEqual(texts, ["ok", "ok", "ok", "ok", "ok"]);
  assert.equal(clock.pendingSleeps, 0);
  assert.equal(clock.monotonic(), 0);
});

Deno.test("HttpClient ends retried attempt timeouts at the total deadline on a ManualClock", async () => {
  const clock = new ManualClock();
  await using server = stalledServer();
  const client = new HttpClient({
    clock,
    timeout: 3_000,
    totalTimeout: 7_000,
    retry: { limit: 10, random: () => 0 },
  });
  const pending = client.fetch(server.url).catch((e) => e);
  // Attempts start at 0, 3,000 and 6,000 (the backoff is 0 with this random).
  for (const calls of [1, 2, 3]) {
    await untilWaking(clock, () => server.calls === calls);
    await clock.advance(calls < 3 ? 3_000 : 1_000);
  }
  const error = await pending;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(error.kind, "total");
  assert.equal(clock.monotonic(), 7_000);
  assert.equal(server.calls, 3);
  assert.equal(clock.pendingSleeps, 0);
  await until(() => server.aborted === 3);
});

Deno.test("HttpClient times out a stalled attempt on the system clock and aborts it on the wire", async () => {
  await using server = stalledServer();
  const client = new HttpClient({ timeout: 100, retry: 1 });
  const start = performance.now();
  const error = await client.fetch(server.url).catch((e) => e);
  const elapsed = performance.now() - start;
  assert.ok(error instanceof RetryError, String(error));
  assert.equal(error.attempts, 2);
  assert.ok(error.cause instanceof TimeoutError);
  assert.equal(error.cause.kind, "attempt");
  // Two 100 ms attempts and a short backoff; generous slack for a busy machine.
  assert.ok(elapsed >= 199, `elapsed ${elapsed} ms`);
  assert.ok(elapsed < 5_000, `elapsed ${elapsed} ms`);
  await until(() => server.aborted === 2);
});

Deno.test("HttpClient times out on the system clock after many fast requests armed the timer", async () => {
  await using fast = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("ok"),
  );
  await using server = stalledServer();
  const client = new HttpClient({ timeout: 300, retry: 0 });
  // The first request armed the shared timer; the later ones only queued
  // their limits behind it, and all of them finished.
  for (let i = 0; i < 50; i++) {
    assert.equal(
      await client.text(`http://127.0.0.1:${fast.addr.port}/`),
      "ok",
    );
  }
  const start = performance.now();
  const error = await client.fetch(server.url).catch((e) => e);
  const elapsed = performance.now() - start;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(error.kind, "attempt");
  assert.ok(elapsed >= 299, `elapsed ${elapsed} ms`);
  assert.ok(elapsed < 5_000, `elapsed ${elapsed} ms`);
  await until(() => server.aborted === 1);
});

Deno.test("HttpClient passes the caller's abort to an attempt that has its own timeout", async () => {
  await using server = stalledServer();
  const client = new HttpClient({ timeout: 60_000, totalTimeout: 120_000 });
  const controller = new AbortController();
  const pending = client.fetch(server.url, { signal: controller.signal });
  await until(() => server.calls === 1);
  controller.abort(new Error("user cancelled"));
  await assert.rejects(pending, /user cancelled/);
  await until(() => server.aborted === 1);
  assert.equal(server.calls, 1);
});

Deno.test("HttpClient rejects at once for a caller's signal that is already aborted", async () => {
  await using server = stalledServer();
  const client = new HttpClient({ timeout: 60_000 });
  const reason = new Error("already gone");
  await assert.rejects(
    client.fetch(server.url, { signal: AbortSignal.abort(reason) }),
    (error) => error === reason,
  );
  assert.equal(server.calls, 0);
});

Deno.test("HttpClient gives a caller's fetch a fresh init and signal on each attempt", async () => {
  const inits: RequestInit[] = [];
  let calls = 0;
  const client = new HttpClient({
    timeout: 60_000,
    retry: { limit: 2, delay: 1, backoffLimit: 2 },
    fetch: (_input, init) => {
      inits.push(init!);
      return Promise.resolve(
        ++calls < 3
          ? new Response("busy", { status: 503 })
          : new Response("ok"),
      );
    },
  });
  const response = await client.fetch("http://127.0.0.1:9/");
  assert.equal(await response.text(), "ok");
  assert.equal(inits.length, 3);
  assert.equal(new Set(inits).size, 3);
  assert.equal(new Set(inits.map((init) => init.signal)).size, 3);
  for (const init of inits) {
    assert.equal(init.method, "GET");
    assert.ok(init.signal instanceof AbortSignal);
    assert.equal(init.signal.aborted, false);
  }
});

Deno.test("HttpClient keeps a timeout longer than setTimeout's range pending on the system clock", async () => {
  await using server = stalledServer();
  // 2^31 ms and more overflow setTimeout, which then fires at once.
  const client = new HttpClient({ timeout: 3_000_000_000, retry: 0 });
  const controller = new AbortController();
  let settled = false;
  const pending = client.fetch(server.url, { signal: controller.signal })
    .finally(() => (settled = true));
  await until(() => server.calls === 1);
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(settled, false);
  assert.equal(server.aborted, 0);
  controller.abort(new Error("done waiting"));
  await assert.rejects(pending, /done waiting/);
});

Deno.test("HttpClient.fetch() lets the caller's signal abort the body read after it returns", async (t) => {
  const pulls: Array<() => void> = [];
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response(
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode("first chunk"));
            // Then nothing more until the test ends.
            pulls.push(() => {
              try {
                controller.close();
              } catch {
                // Already cancelled by the aborted read.
              }
            });
          },
        }),
      ),
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  for (
    const options of [
      { timeout: 60_000 },
      { timeout: 60_000, totalTimeout: 120_000 },
      { timeout: false as const, totalTimeout: 120_000 },
    ]
  ) {
    await t.step(JSON.stringify(options), async () => {
      const client = new HttpClient(options);
      const controller = new AbortController();
      const response = await client.fetch(url, { signal: controller.signal });
      const reader = response.body!.getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value), "first chunk");
      const rest = reader.read();
      controller.abort(new Error("stop reading"));
      await assert.rejects(rest, /stop reading/);
    });
  }
  for (const close of pulls) close();
});
