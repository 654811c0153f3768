// The retry rules of urllib3 (`test/test_retry.py`) and ky (`test/retry.ts`),
// case by case, against real servers on 127.0.0.1.
import assert from "node:assert/strict";
import {
  backoffDelay as backoff,
  HttpClient,
  HttpClientError,
  HttpError,
  InvalidInputError,
  isNetworkError,
  ManualClock,
  NetworkError,
  parseHttpDate,
  parseRetryAfter,
  retryAfterFromHeaders,
  RetryError,
  type RetryEvent,
  retryPolicy,
} from "../../http/mod.ts";
import { drive, rawServer, serve } from "./_helpers.ts";

const fast = { delay: 1, backoffLimit: 2 };

Deno.test("parseRetryAfter() refuses what urllib3 refuses and reads what it reads", () => {
  for (const value of ["-1", "+1", "1.0", "\xb2", "1e3", "soon", ""]) {
    assert.equal(parseRetryAfter(value, 0), undefined, JSON.stringify(value));
  }
  for (const [value, seconds] of [["0", 0], ["1000", 1000], ["\t42 ", 42]]) {
    assert.equal(parseRetryAfter(value as string, 0), seconds as number * 1000);
  }
  // urllib3 test_respect_retry_after_header_sleep: now is 2019-06-03 11:00 UTC.
  const now = Date.UTC(2019, 5, 3, 11);
  for (
    const [value, seconds] of [
      ["Mon, 3 Jun 2019 12:00:00 UTC", 3600],
      ["Mon, 3 Jun 2019 11:00:00 UTC", 0],
      ["Mon, 03 Jun 2019 11:30:12 GMT", 1812],
      ["Monday, 03-Jun-19 11:30:12 GMT", 1812],
      // Without a zone a date is UTC, per RFC 7231, never local time.
      ["Mon Jun  3 11:30:12 2019", 1812],
      ["Mon, 03 Jun 2019 13:30:12 +0200", 1812],
    ] as const
  ) {
    assert.equal(parseRetryAfter(value, now), seconds * 1000, value);
  }
  assert.equal(parseHttpDate("Mon, 31 Feb 2019 11:30:12 GMT"), undefined);
  assert.equal(parseHttpDate("Mon, 03 Jun 2019 11:30:12 PST"), undefined);
});

Deno.test("retryAfterFromHeaders() reads RateLimit-Reset and X-RateLimit-Reset when Retry-After is absent", () => {
  const now = Date.UTC(2026, 0, 1);
  const h = (init: Record<string, string>) =>
    retryAfterFromHeaders(new Headers(init), now);
  assert.equal(h({ "ratelimit-reset": "7" }), 7_000);
  assert.equal(h({ "x-ratelimit-reset": String(now / 1000 + 9) }), 9_000);
  assert.equal(h({ "x-rate-limit-reset": String(now / 1000 - 9) }), 0);
  assert.equal(h({ "x-ratelimit-retry-after": "3" }), 3_000);
  // Retry-After is authoritative, even when it cannot be read.
  assert.equal(h({ "retry-after": "2", "ratelimit-reset": "7" }), 2_000);
  assert.equal(h({ "retry-after": "1.0", "ratelimit-reset": "7" }), undefined);
  assert.equal(h({}), undefined);
});

Deno.test("isNetworkError() tells network failures from fetch's own refusals", () => {
  for (
    const message of [
      "fetch failed",
      "error sending request for url (http://x/)",
      "error reading a body from connection",
      "Failed to fetch",
      "Failed to fetch (example.com)",
      "NetworkError when attempting to fetch resource.",
    ]
  ) assert.equal(isNetworkError(new TypeError(message)), true, message);
  for (
    const error of [
      new TypeError("Method is forbidden"),
      new TypeError("Fetch failed: Maximum number of redirects (20) reached"),
      new TypeError("ReadableStream is locked or disturbed"),
      new TypeError("x is not a function"),
      new Error("fetch failed"),
      "fetch failed",
    ]
  ) assert.equal(isNetworkError(error), false, String(error));
});

Deno.test("HttpClient does not retry a forbidden method, a bug in a custom fetch or a redirect loop", async () => {
  let calls = 0;
  const counting = new HttpClient({
    retry: fast,
    fetch: (input, init) => (calls++, fetch(input, init)),
  });
  await using server = serve((req) =>
    new URL(req.url).pathname === "/loop"
      ? Response.redirect(new URL("/loop", req.url), 302)
      : new Response("ok")
  );
  const trace = await counting.fetch(server.url, { method: "TRACE" }).catch((
    e,
  ) => e);
  assert.ok(trace instanceof HttpClientError, String(trace));
  assert.match(
    trace.message,
    /^Request failed: TRACE .*: Method is forbidden$/,
  );
  assert.equal(calls, 1);

  const loop = await counting.fetch(`${server.url}/loop`).catch((e) => e);
  assert.ok(loop instanceof HttpClientError && !(loop instanceof RetryError));
  assert.equal(
    server.calls,
    21,
    "fetch stops a loop at 21; the client adds none",
  );

  let buggy = 0;
  const broken = new HttpClient({
    retry: fast,
    fetch: () => {
      buggy++;
      throw new TypeError("undefined is not a function");
    },
  });
  const bug = await broken.fetch(server.url).catch((e) => e);
  assert.ok(bug.cause instanceof TypeError);
  assert.equal(buggy, 1);
});

Deno.test("HttpClient does not retry a ReadableStream body and says why", async () => {
  await using server = rawServer(async () => {}); // drops every connection
  const body = new ReadableStream({
    start(c) {
      c.enqueue(new TextEncoder().encode("once"));
      c.close();
    },
  });
  const error = await new HttpClient({ retry: fast })
    .fetch(server.url, { method: "PUT", body }).catch((e) => e);
  assert.ok(error instanceof RetryError, String(error));
  assert.match(
    error.message,
    /^Request failed and was not retried \(its body is a ReadableStream, which cannot be sent twice\): Network error: PUT /,
  );
  assert.equal(server.requests.length, 1);
  assert.ok(error.cause instanceof NetworkError);
});

Deno.test("HttpClient retries 413 only when the response says when", async () => {
  await using plain = serve(() => new Response("too big", { status: 413 }));
  const client = new HttpClient({ retry: fast });
  const error = await client.fetch(plain.url).catch((e) => e);
  assert.ok(error instanceof HttpError && error.status === 413);
  assert.equal(plain.calls, 1);
  for (const header of ["retry-after", "ratelimit-reset"]) {
    await using timed = serve((_r, n) =>
      n === 1
        ? new Response("too big", { status: 413, headers: { [header]: "0" } })
        : new Response("fine")
    );
    assert.equal(await (await client.fetch(timed.url)).text(), "fine");
    assert.equal(timed.calls, 2);
  }
});

Deno.test("HttpClient falls back to backoff for an invalid Retry-After and honours rate-limit resets", async () => {
  const clock = new ManualClock({ start: Date.UTC(2026, 0, 1) });
  const events: RetryEvent[] = [];
  const client = new HttpClient({
    clock,
    // No per-attempt timeout: its pending sleep would let the clock driver
    // jump 10 s while a response is in flight, moving "now" for the date.
    timeout: false,
    retry: { limit: 4, delay: 100, random: () => 0.5, maxRetryAfter: 20_000 },
    onRetry: (e) => void events.push(e),
  });
  const answers: Record<string, string>[] = [
    { "retry-after": "1.0" },
    { "ratelimit-reset": "3" },
    { "x-ratelimit-reset": String(Date.UTC(2026, 0, 1) / 1000 + 600) },
    { "retry-after": "Thu, 01 Jan 2026 00:00:30" },
  ];
  await using server = serve((_r, n) =>
    n <= answers.length
      ? new Response("slow down", { status: 429, headers: answers[n - 1] })
      : new Response("ok")
  );
  await drive(clock, client.fetch(server.url));
  assert.deepEqual(
    events.map((e) => [e.delay, e.retryAfter]),
    // A date without a zone is GMT: 30 s after the start, 23.05 s later.
    [[50, false], [3_000, true], [20_000, true], [6_950, true]],
  );
});

Deno.test("HttpClient's shouldRetry decides before the default rules", async () => {
  const seen: number[] = [];
  await using bad = serve((_r, n) =>
    n < 3 ? new Response("bad", { status: 400 }) : new Response("ok")
  );
  const forced = new HttpClient({
    retry: {
      ...fast,
      shouldRetry: ({ error, retryCount }) => {
        seen.push(retryCount);
        return error instanceof HttpError && error.status === 400;
      },
    },
  });
  assert.equal(await (await forced.fetch(bad.url)).text(), "ok");
  assert.deepEqual(seen, [1, 2]);

  await using down = serve(() => new Response("down", { status: 503 }));
  const never = new HttpClient({
    retry: { ...fast, shouldRetry: () => false },
  });
  const error = await never.fetch(down.url).catch((e) => e);
  assert.ok(error instanceof HttpError && error.status === 503);
  assert.equal(down.calls, 1);
  const defaults = new HttpClient({
    retry: { ...fast, limit: 1, shouldRetry: () => undefined },
  });
  const exhausted = await defaults.fetch(down.url).catch((e) => e);
  assert.ok(exhausted instanceof RetryError);
  assert.equal(down.calls, 3);
  assert.deepEqual(
    exhausted.history.map((h: { status?: number; delay?: number }) => [
      h.status,
      typeof h.delay,
    ]),
    [[503, "number"], [503, "undefined"]],
  );
});

Deno.test("HttpClient.json() turns a body cut after the headers into a NetworkError", async () => {
  await using server = rawServer(async (_n, conn) => {
    await conn.write(new TextEncoder().encode(
      "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 50\r\n\r\n[1,",
    ));
  });
  const error = await new HttpClient({ retry: 0 }).json(server.url).catch((
    e,
  ) => e);
  assert.ok(error instanceof NetworkError, String(error));
  assert.ok(error instanceof HttpClientError);
  assert.match(error.message, /error reading a body from connection/);
});

Deno.test("retryPolicy() takes jitter as true, false or a function and refuses unknown options", () => {
  const none = retryPolicy({ delay: 100, jitter: false });
  const half = retryPolicy({ delay: 100, jitter: (d) => d / 2 });
  const nonsense = retryPolicy({ delay: 100, jitter: () => -1 });
  assert.deepEqual(
    [1, 2, 3].map((k) => [
      backoff(none, k),
      backoff(half, k),
      backoff(nonsense, k),
    ]),
    [[100, 50, 100], [200, 100, 200], [400, 200, 400]],
  );
  assert.throws(
    () => retryPolicy({ limt: 3 } as never),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === 'Unknown retry option: "limt"',
  );
  assert.throws(
    () => retryPolicy({ methods: "GET" } as never),
    /Retry methods must be an array: "GET"/,
  );
});
