import assert from "node:assert/strict";
import {
  type AttemptOutcome,
  HttpClient,
  HttpClientError,
  HttpError,
  InvalidInputError,
  ManualClock,
  NetworkError,
  ParseError,
  RetryError,
  type RetryEvent,
  TimeoutError,
  TokenBucket,
} from "../../http/mod.ts";
import {
  drive,
  rawServer,
  serve,
  until,
  untilWaking,
  writeResponse,
} from "./_helpers.ts";

const fast = { delay: 1, backoffLimit: 2 };

Deno.test("HttpClient.fetch() retries each retryable status code", async (t) => {
  for (const status of [408, 413, 429, 500, 502, 503, 504]) {
    await t.step(`status ${status}`, async () => {
      // 413 only with a Retry-After (the other statuses without one).
      const headers = status === 413 ? { "retry-after": "0" } : undefined;
      await using server = serve((_req, n) =>
        n === 1
          ? new Response("wait", { status, headers })
          : new Response("done")
      );
      const client = new HttpClient({ retry: fast });
      const response = await client.fetch(server.url);
      assert.equal(await response.text(), "done");
      assert.equal(server.calls, 2);
    });
  }
});

Deno.test("HttpClient.fetch() does not retry other statuses and throws HttpError", async () => {
  await using server = serve(() =>
    new Response("no such thing: /missing", {
      status: 404,
      statusText: "Not Found",
    })
  );
  const client = new HttpClient({ retry: fast });
  const error = await client.fetch(`${server.url}/missing`).then(
    () => assert.fail("expected an error"),
    (e) => e,
  );
  assert.ok(error instanceof HttpError);
  assert.ok(error instanceof HttpClientError);
  assert.equal(error.name, "HttpError");
  assert.equal(error.status, 404);
  assert.equal(error.method, "GET");
  assert.equal(error.url, `${server.url}/missing`);
  assert.equal(error.body, "no such thing: /missing");
  assert.match(
    error.message,
    /^Request failed with status 404: GET .*\/missing: no such thing/,
  );
  assert.equal(server.calls, 1);
});

Deno.test("HttpClient.fetch() retries only idempotent methods by default", async () => {
  await using server = serve((_req, n) =>
    n === 1 ? new Response("busy", { status: 503 }) : new Response("ok")
  );
  const client = new HttpClient({ retry: fast });
  await assert.rejects(
    client.fetch(server.url, { method: "POST", body: "x" }),
    (e: unknown) => e instanceof HttpError && e.status === 503,
  );
  assert.equal(server.calls, 1);
  const lenient = new HttpClient({ retry: { ...fast, methods: ["POST"] } });
  const response = await lenient.fetch(server.url, {
    method: "POST",
    body: "x",
  });
  assert.equal(await response.text(), "ok");
  assert.equal(server.calls, 2);
  const put = await client.fetch(server.url, { method: "PUT", body: "y" });
  assert.equal(await put.text(), "ok");
});

Deno.test("HttpClient.fetch() throws RetryError with the last cause when retries run out", async () => {
  await using server = serve(() => new Response("still down", { status: 503 }));
  const events: RetryEvent[] = [];
  const client = new HttpClient({
    retry: { ...fast, limit: 3 },
    onRetry: (event) => void events.push(event),
  });
  const error = await client.fetch(server.url).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.attempts, 4);
  assert.ok(error.cause instanceof HttpError);
  assert.equal((error.cause as HttpError).status, 503);
  assert.equal((error.cause as HttpError).body, "still down");
  assert.equal(server.calls, 4);
  assert.deepEqual(events.map((e) => e.attempt), [1, 2, 3]);
  assert.match(error.message, /^Request failed after 4 attempts: .*503/);
});

Deno.test("HttpClient honours Retry-After in seconds", async () => {
  const clock = new ManualClock({ start: Date.UTC(2018, 1, 7) });
  await using server = serve((_req, n) =>
    n === 1
      ? new Response("slow down", {
        status: 429,
        headers: { "retry-after": "7" },
      })
      : new Response("ok")
  );
  const events: RetryEvent[] = [];
  const client = new HttpClient({
    clock,
    timeout: false,
    retry: { random: () => 0.5 },
    onRetry: (e) => void events.push(e),
  });
  const response = await drive(clock, client.fetch(server.url));
  assert.equal(await response.text(), "ok");
  assert.equal(events.length, 1);
  assert.equal(events[0]!.delay, 7_000);
  assert.equal(events[0]!.retryAfter, true);
  assert.equal(clock.monotonic(), 7_000);
});

Deno.test("HttpClient honours Retry-After as an HTTP date", async () => {
  const clock = new ManualClock({ start: Date.UTC(2018, 1, 7) });
  await using server = serve((_req, n) =>
    n === 1
      ? new Response("maintenance", {
        status: 503,
        headers: {
          "retry-after": new Date(clock.now() + 12_000).toUTCString(),
        },
      })
      : new Response("ok")
  );
  const events: RetryEvent[] = [];
  const client = new HttpClient({
    clock,
    timeout: false,
    onRetry: (e) => void events.push(e),
  });
  await drive(clock, client.fetch(server.url).then((r) => r.text()));
  assert.equal(events[0]!.delay, 12_000);
  assert.equal(clock.monotonic(), 12_000);
});

Deno.test("HttpClient caps Retry-After at maxRetryAfter", async () => {
  const clock = new ManualClock();
  await using server = serve((_req, n) =>
    n === 1
      ? new Response("", { status: 429, headers: { "retry-after": "3600" } })
      : new Response("ok")
  );
  const client = new HttpClient({
    clock,
    timeout: false,
    retry: { maxRetryAfter: 5_000 },
  });
  await drive(clock, client.fetch(server.url).then((r) => r.text()));
  assert.equal(clock.monotonic(), 5_000);
});

Deno.test("HttpClient ignores Retry-After on statuses outside afterStatusCodes", async () => {
  const clock = new ManualClock();
  await using server = serve((_req, n) =>
    n === 1
      ? new Response("", { status: 500, headers: { "retry-after": "60" } })
      : new Response("ok")
  );
  const events: RetryEvent[] = [];
  const client = new HttpClient({
    clock,
    timeout: false,
    retry: { delay: 400, random: () => 0.5 },
    onRetry: (e) => void events.push(e),
  });
  await drive(clock, client.fetch(server.url).then((r) => r.text()));
  assert.equal(events[0]!.delay, 200);
  assert.equal(events[0]!.retryAfter, false);
});

Deno.test("HttpClient backs off exponentially with jitter and a cap", async () => {
  const clock = new ManualClock();
  const arrivals: number[] = [];
  await using server = serve((_req, n) => {
    arrivals.push(clock.monotonic());
    return n <= 5 ? new Response("", { status: 502 }) : new Response("ok");
  });
  const client = new HttpClient({
    clock,
    timeout: false,
    retry: { limit: 5, delay: 1_000, backoffLimit: 5_000, random: () => 0.75 },
  });
  await drive(clock, client.fetch(server.url).then((r) => r.text()));
  const waits = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
  assert.deepEqual(waits, [750, 1_500, 3_000, 3_750, 3_750]);
});

Deno.test("HttpClient retries a network error when the server closes the socket", async () => {
  await using server = rawServer(async (n, conn) => {
    if (n === 1) return; // close without a byte
    await writeResponse(conn, 200, "second time lucky");
  });
  const errors: unknown[] = [];
  const client = new HttpClient({
    retry: fast,
    onRetry: (e) => void errors.push(e.error),
  });
  const response = await client.fetch(server.url);
  assert.equal(await response.text(), "second time lucky");
  assert.equal(server.requests.length, 2);
  assert.ok(errors[0] instanceof NetworkError, String(errors[0]));
  assert.ok((errors[0] as NetworkError).cause instanceof TypeError);
});

Deno.test("HttpClient.json() retries a body cut short", async () => {
  await using server = rawServer(async (n, conn) => {
    const body = JSON.stringify({ items: [1, 2, 3] });
    if (n === 1) {
      const head = `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\nconnection: close\r\n\r\n`;
      await conn.write(new TextEncoder().encode(head + body.slice(0, 5)));
      return;
    }
    await writeResponse(conn, 200, body, {
      "content-type": "application/json",
    });
  });
  const client = new HttpClient({ retry: fast });
  assert.deepEqual(await client.json(server.url), { items: [1, 2, 3] });
  assert.equal(server.requests.length, 2);
});

Deno.test("HttpClient gives up on a refused connection with RetryError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const client = new HttpClient({ retry: { ...fast, limit: 2 } });
  const error = await client.fetch(`http://127.0.0.1:${port}/`).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.equal(error.attempts, 3);
  assert.ok(error.cause instanceof NetworkError);
  assert.ok(error.cause.cause instanceof TypeError);
  assert.deepEqual(
    error.history.map((h: AttemptOutcome) => [h.attempt, h.error, h.status]),
    [[1, "NetworkError", undefined], [2, "NetworkError", undefined], [
      3,
      "NetworkError",
      undefined,
    ]],
  );
});

Deno.test("HttpClient times out a stalled attempt and retries it", async () => {
  const clock = new ManualClock();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  await using server = serve(async (req, n) => {
    if (n === 1) {
      req.signal.addEventListener("abort", () => release());
      await released;
      return new Response("too late");
    }
    return new Response("fresh");
  });
  const events: RetryEvent[] = [];
  const client = new HttpClient({
    clock,
    timeout: 5_000,
    retry: { random: () => 0 },
    onRetry: (e) => void events.push(e),
  });
  const pending = client.fetch(server.url).then((r) => r.text());
  await until(() => server.calls === 1);
  await clock.advance(4_999);
  assert.equal(events.length, 0);
  await clock.advance(1);
  await until(() => events.length === 1);
  assert.ok(events[0]!.error instanceof TimeoutError);
  assert.equal((events[0]!.error as TimeoutError).kind, "attempt");
  // The backoff is zero: the retry runs without the clock moving on (the
  // abort reaches the client through real I/O, so its sleep(0) may be
  // registered after the advance above; drive() wakes it).
  assert.equal(await drive(clock, pending), "fresh");
  assert.equal(clock.monotonic(), 5_000);
  assert.equal(server.calls, 2);
  release();
});

Deno.test("HttpClient stops at totalTimeout even while waiting to retry", async () => {
  const clock = new ManualClock();
  await using server = serve(() => new Response("", { status: 503 }));
  const client = new HttpClient({
    clock,
    timeout: false,
    totalTimeout: 10_000,
    retry: { limit: 10, delay: 4_000, random: () => 0.999 },
  });
  const pending = client.fetch(server.url).catch((e) => e);
  // Pending: the deadline and the first backoff (3,996 ms).
  await until(() => server.calls === 1 && clock.pendingSleeps === 2);
  await clock.runNext();
  // Pending: the deadline and the second backoff (7,992 ms, past it).
  await until(() => server.calls === 2 && clock.pendingSleeps === 2);
  await clock.runNext();
  const error = await pending;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(error.kind, "total");
  assert.equal(error.timeout, 10_000);
  assert.equal(clock.monotonic(), 10_000);
  // Attempts at 0, ~4 s and ~12 s would need 3; the deadline cut the third.
  assert.equal(server.calls, 2);
  assert.equal(clock.pendingSleeps, 0);
});

Deno.test("HttpClient stops when the caller's signal aborts during a retry wait", async () => {
  const clock = new ManualClock();
  await using server = serve(() => new Response("", { status: 500 }));
  const client = new HttpClient({
    clock,
    timeout: false,
    retry: { delay: 10_000 },
  });
  const controller = new AbortController();
  const pending = client.fetch(server.url, { signal: controller.signal });
  await until(() => clock.pendingSleeps === 1);
  controller.abort(new Error("user cancelled"));
  await assert.rejects(pending, /user cancelled/);
  assert.equal(server.calls, 1);
  assert.equal(clock.pendingSleeps, 0);
});

Deno.test("HttpClient stops when the caller's signal aborts a wait for a token", async () => {
  const clock = new ManualClock();
  await using server = serve(() => new Response("ok"));
  const client = new HttpClient({
    clock,
    timeout: false,
    rateLimit: { capacity: 1, refillPerSecond: 1 },
  });
  await (await client.fetch(server.url)).text();
  const controller = new AbortController();
  const pending = client.fetch(server.url, { signal: controller.signal });
  await until(() => client.rateLimiter!.waiting === 1);
  controller.abort(new Error("enough"));
  await assert.rejects(pending, /enough/);
  assert.equal(server.calls, 1);
});

Deno.test("HttpClient takes a token per attempt and slows the bucket on 429", async () => {
  const clock = new ManualClock();
  await using server = serve((_req, n) =>
    n === 1
      ? new Response("", { status: 429, headers: { "retry-after": "1" } })
      : new Response("ok")
  );
  const bucket = new TokenBucket({ capacity: 4, refillPerSecond: 4, clock });
  const client = new HttpClient({ clock, timeout: false, rateLimit: bucket });
  const first = drive(clock, client.fetch(server.url).then((r) => r.text()));
  await until(() => server.calls >= 1);
  await first;
  // The 429 halved the rate; the success after it stepped it up by a tenth.
  assert.equal(bucket.rate, 2 + 0.4);
  assert.equal(server.calls, 2);
  for (let i = 0; i < 10; i++) {
    await drive(clock, client.fetch(server.url).then((r) => r.text()));
  }
  assert.equal(bucket.rate, 4);
});

Deno.test("HttpClient calls onResponse for every response with its attempt", async () => {
  await using server = serve((_req, n) =>
    new Response(String(n), { status: n < 3 ? 503 : 200 })
  );
  const seen: Array<[number, number]> = [];
  const client = new HttpClient({
    retry: fast,
    onResponse: ({ attempt, response }) =>
      void seen.push([attempt, response.status]),
  });
  assert.equal(await client.text(server.url), "3");
  assert.deepEqual(seen, [[1, 503], [2, 503], [3, 200]]);
});

Deno.test("HttpClient.json() throws ParseError showing content type and first bytes", async () => {
  await using server = serve(() =>
    new Response("<html><body>Service page</body></html>", {
      headers: { "content-type": "text/html; charset=utf-8" },
    })
  );
  const client = new HttpClient({ retry: fast });
  const error = await client.json(server.url).catch((e) => e);
  assert.ok(error instanceof ParseError);
  assert.equal(error.contentType, "text/html; charset=utf-8");
  assert.match(error.message, /content-type "text\/html; charset=utf-8"/);
  assert.match(error.message, /body starts "<html><body>Service page/);
  assert.equal(server.calls, 1);
});

Deno.test("HttpClient.json() throws ParseError on malformed JSON", async () => {
  await using server = serve(() =>
    new Response("{not json", {
      headers: { "content-type": "application/json" },
    })
  );
  const error = await new HttpClient().json(server.url).catch((e) => e);
  assert.ok(error instanceof ParseError);
  assert.ok(error.cause instanceof SyntaxError);
  assert.equal(error.excerpt, "{not json");
});

Deno.test("HttpClient rejects invalid URLs and options with InvalidInputError", async () => {
  const client = new HttpClient();
  await assert.rejects(
    client.fetch("http://exa mple.com:abc/"),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === 'Invalid URL: "http://exa mple.com:abc/"',
  );
  await assert.rejects(client.fetch("relative/path"), InvalidInputError);
  await assert.rejects(
    client.fetch("ftp://127.0.0.1/file"),
    /URL scheme must be http or https: "ftp:\/\/127.0.0.1\/file"/,
  );
  assert.throws(() => new HttpClient({ timeout: -1 }), /timeout.*: -1/);
  assert.throws(() => new HttpClient({ retry: -2 }), InvalidInputError);
  assert.throws(() => new HttpClient({ baseUrl: "::" }), InvalidInputError);
});

Deno.test("HttpClient joins inputs onto prefixUrl, resolves them against baseUrl and sends default headers", async () => {
  await using server = serve((req) =>
    Response.json({
      path: new URL(req.url).pathname + new URL(req.url).search,
      agent: req.headers.get("x-agent"),
    })
  );
  const client = new HttpClient({
    prefixUrl: `${server.url}/api/v1`,
    headers: { "x-agent": "de-from-scratch" },
  });
  assert.deepEqual(await client.json("/items?x=1"), {
    path: "/api/v1/items?x=1",
    agent: "de-from-scratch",
  });
  assert.deepEqual(await client.json("items"), {
    path: "/api/v1/items",
    agent: "de-from-scratch",
  });
  // baseUrl resolves as a browser resolves a link.
  const based = new HttpClient({ baseUrl: `${server.url}/api/v1/` });
  assert.deepEqual(await based.json("items"), {
    path: "/api/v1/items",
    agent: null,
  });
  assert.deepEqual(await based.json("/root"), { path: "/root", agent: null });
});

Deno.test("HttpClient with throwHttpErrors false returns the failed response", async () => {
  await using server = serve(() => new Response("gone", { status: 410 }));
  const client = new HttpClient({ throwHttpErrors: false });
  const response = await client.fetch(server.url);
  assert.equal(response.status, 410);
  assert.equal(await response.text(), "gone");
});

Deno.test("HttpClient.fetch() retries a Request and sends its body every time", async () => {
  const bodies: string[] = [];
  await using server = serve(async (req, n) => {
    bodies.push(`${req.method} ${await req.text()}`);
    return n === 1 ? new Response("", { status: 502 }) : new Response("saved");
  });
  const client = new HttpClient({ retry: fast });
  const response = await client.fetch(
    new Request(server.url, { method: "PUT", body: "payload" }),
  );
  assert.equal(await response.text(), "saved");
  assert.deepEqual(bodies, ["PUT payload", "PUT payload"]);
});

Deno.test("HttpClient retries an attempt timeout until retries run out", async () => {
  const clock = new ManualClock();
  const releases: Array<() => void> = [];
  await using server = serve((req) =>
    new Promise<Response>((resolve) => {
      const done = () => resolve(new Response("late"));
      releases.push(done);
      req.signal.addEventListener("abort", done);
    })
  );
  const client = new HttpClient({
    clock,
    timeout: 1_000,
    retry: { limit: 1, random: () => 0 },
  });
  const pending = client.fetch(server.url).catch((e) => e);
  await until(() => server.calls === 1);
  await clock.advance(1_000);
  await untilWaking(clock, () => server.calls === 2);
  await clock.advance(1_000);
  const error = await pending;
  assert.ok(error instanceof RetryError, String(error));
  assert.equal(error.attempts, 2);
  assert.ok(error.cause instanceof TimeoutError);
  assert.equal(error.cause.kind, "attempt");
  for (const release of releases) release();
});

Deno.test("HttpClient takes one token per request from its rate limiter", async () => {
  const clock = new ManualClock();
  await using server = serve((req) => new Response(new URL(req.url).search));
  const client = new HttpClient({
    clock,
    timeout: false,
    rateLimit: { capacity: 2, refillPerSecond: 1 },
  });
  const done: string[] = [];
  const all = Array.from(
    { length: 6 },
    (_, i) =>
      client.text(`${server.url}/?i=${i}`).then((t) => void done.push(t)),
  );
  await until(() => done.length === 2);
  assert.equal(client.rateLimiter!.waiting, 4);
  for (let second = 1; second <= 4; second++) {
    await clock.advance(1_000);
    await until(() => done.length === 2 + second);
  }
  await Promise.all(all);
  // The burst of two went out together; the waiters then one a second, in
  // the order they asked.
  assert.deepEqual(done.slice(0, 2).sort(), ["?i=0", "?i=1"]);
  assert.deepEqual(done.slice(2), ["?i=2", "?i=3", "?i=4", "?i=5"]);
  assert.equal(server.calls, 6);
});
