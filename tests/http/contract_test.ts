// Conformance with the public API of http (the names and shapes the README and
// http/mod.ts document), used as an outside user would.
import assert from "node:assert/strict";
import {
  createUsgsServer,
  HttpClient,
  HttpError,
  ManualClock,
  RetryError,
  TimeoutError,
  TokenBucket,
  UsgsClient,
  type UsgsFeatureInput,
} from "../../http/mod.ts";
import { http } from "../../mod.ts";
import { drive, serve } from "./_helpers.ts";

Deno.test("HttpClient is reachable from the root http namespace", () => {
  assert.equal(http.HttpClient, HttpClient);
  assert.equal(http.TokenBucket, TokenBucket);
  assert.equal(http.createUsgsServer, createUsgsServer);
});

Deno.test("HttpClient.fetch() and json() resolve against baseUrl and retry a 503", async () => {
  let flakyHits = 0;
  await using srv = serve((req) => {
    const u = new URL(req.url);
    if (u.pathname === "/flaky" && ++flakyHits === 1) {
      return new Response("busy", { status: 503 });
    }
    return Response.json({ path: u.pathname, q: u.searchParams.get("q") });
  });
  const clock = new ManualClock({ start: 0 });
  const client = new HttpClient({
    baseUrl: srv.url,
    retry: { limit: 3, delay: 100 },
    rateLimit: { capacity: 10, refillPerSecond: 10 },
    // No time limits: their pending sleeps would let drive() move the clock
    // past them while a response is in flight on a loaded machine.
    timeout: false,
    clock,
    fetch: globalThis.fetch,
  });
  const res = await client.fetch("/hello?q=1");
  assert.ok(res instanceof Response);
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { path: "/hello", q: "1" });
  assert.deepEqual(await drive(clock, client.json("/flaky")), {
    path: "/flaky",
    q: null,
  });
  assert.equal(flakyHits, 2, "one retry after the 503");
  assert.equal(srv.calls, 3);
});

Deno.test("HttpClient throws HttpError with status, url and body; RetryError with attempts and cause", async () => {
  await using srv = serve((req) =>
    new URL(req.url).pathname === "/missing"
      ? new Response("no such thing here", { status: 404 })
      : new Response("down", { status: 503 })
  );
  const clock = new ManualClock({ start: 0 });
  const client = new HttpClient({
    baseUrl: srv.url,
    retry: { limit: 2, delay: 10 },
    timeout: false,
    clock,
  });
  const e404 = await client.json("/missing").catch((e) => e);
  assert.ok(e404 instanceof HttpError, String(e404));
  assert.equal(e404.status, 404);
  assert.equal(e404.url, `${srv.url}/missing`);
  assert.match(e404.body, /no such thing/);
  const retry = await drive(clock, client.json("/down")).catch((e) => e);
  assert.ok(retry instanceof RetryError, `expected a RetryError, got ${retry}`);
  assert.equal(retry.attempts, 3);
  assert.ok(retry.cause instanceof HttpError);
  assert.equal((retry.cause as HttpError).status, 503);
});

Deno.test("HttpClient times out a hung request with TimeoutError on the injected clock", async () => {
  const gate = Promise.withResolvers<void>();
  await using srv = serve(async () => {
    await gate.promise;
    return new Response("late");
  });
  const clock = new ManualClock({ start: 0 });
  const client = new HttpClient({
    baseUrl: srv.url,
    retry: 0,
    timeout: 1_000,
    clock,
  });
  const err = await drive(clock, client.fetch("/slow")).catch((e) => e);
  gate.resolve();
  assert.ok(err instanceof TimeoutError, String(err));
  assert.equal(err.timeout, 1_000);
});

Deno.test("HttpClient.paginate() walks offset, page, cursor and Link pagination", async () => {
  const items = Array.from({ length: 7 }, (_, i) => i);
  await using srv = serve((req) => {
    const u = new URL(req.url);
    const p = u.searchParams;
    if (u.pathname === "/offset") {
      const off = Number(p.get("offset"));
      const lim = Number(p.get("limit"));
      return Response.json(items.slice(off - 1, off - 1 + lim));
    }
    if (u.pathname === "/page") {
      const page = Number(p.get("page"));
      const size = Number(p.get("per_page") ?? p.get("pageSize") ?? 3);
      return Response.json(items.slice((page - 1) * size, page * size));
    }
    if (u.pathname === "/cursor") {
      const c = Number(p.get("cursor") ?? 0);
      return Response.json({
        data: items.slice(c, c + 3),
        next: c + 3 < items.length ? c + 3 : null,
      });
    }
    const start = Number(p.get("start") ?? 0);
    const headers = new Headers();
    if (start + 3 < items.length) {
      headers.set("Link", `</link?start=${start + 3}>; rel="next"`);
    }
    return Response.json(items.slice(start, start + 3), { headers });
  });
  const client = new HttpClient({ baseUrl: srv.url });
  const all = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const x of it) out.push(x);
    return out;
  };
  assert.deepEqual(
    await all(client.paginate<number>("/offset", {
      type: "offset",
      limit: 3,
      base: 1,
    })),
    items,
  );
  assert.deepEqual(
    await all(client.paginate<number>("/page", {
      type: "page",
      pageSize: 3,
    })),
    items,
  );
  assert.deepEqual(
    await all(client.paginate<number>("/cursor", {
      type: "cursor",
      items: (b) => (b as { data: number[] }).data,
      next: (b) => (b as { next: number | null }).next,
    })),
    items,
  );
  assert.deepEqual(
    await all(client.paginate<number>("/link", { type: "link" })),
    items,
  );
});

Deno.test("TokenBucket.take() waits for refill in FIFO order; tryTake() does not wait", async () => {
  const clock = new ManualClock({ start: 0 });
  const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, clock });
  assert.equal(bucket.tryTake(2), true);
  assert.equal(bucket.tryTake(1), false);
  const order: string[] = [];
  const a = bucket.take(1).then(() => order.push("a"));
  const b = bucket.take(1).then(() => order.push("b"));
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, []);
  await clock.advance(1_000);
  await a;
  assert.deepEqual(order, ["a"]);
  await clock.advance(1_000);
  await b;
  assert.deepEqual(order, ["a", "b"]);
  const ac = new AbortController();
  const c = bucket.take(1, ac.signal);
  ac.abort();
  await assert.rejects(c);
});

Deno.test("UsgsClient.count() and query() page through createUsgsServer", async () => {
  const t0 = Date.UTC(2018, 1, 1);
  const events: UsgsFeatureInput[] = Array.from({ length: 25 }, (_, i) => ({
    id: `ev${i}`,
    properties: {
      mag: i % 5,
      place: `${i}km N of Town, Region${i % 3}`,
      time: t0 + i * 60_000,
    },
    geometry: { coordinates: [0, 0, 10] },
  }));
  await using server = await createUsgsServer({
    events,
    faults: { schedule: { 2: "503" } },
  });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+/);
  const usgs = new UsgsClient({
    baseUrl: server.url,
    pageSize: 10,
    retry: { limit: 3, delay: 1 },
    rateLimit: { capacity: 100, refillPerSecond: 1_000 },
  });
  const q = {
    starttime: new Date(t0).toISOString(),
    endtime: new Date(t0 + 3_600_000).toISOString(),
  };
  assert.equal(await usgs.count(q), 25);
  const ids: string[] = [];
  for await (const f of usgs.query(q)) {
    assert.equal(f.type, "Feature");
    ids.push(f.id);
  }
  assert.equal(ids.length, 25);
  assert.equal(new Set(ids).size, 25);
  // Pages use limit and a 1-based offset, as the FDSN service does.
  const offsets = server.requests
    .filter((r) => r.path.endsWith("/query") && r.status === 200)
    .map((r) => [r.params.offset, r.params.limit]);
  assert.deepEqual(offsets, [["1", "10"], ["11", "10"], ["21", "10"]]);
  assert.equal(server.stats.faults["503"], 1, "the injected 503 was retried");
  const big: string[] = [];
  for await (
    const f of usgs.query({ ...q, minmagnitude: 3 })
  ) big.push(f.id);
  assert.equal(big.length, 10);
});

Deno.test("HttpClient honours Retry-After on 429, retries a dropped connection, and types bad input", async () => {
  let n429 = 0;
  let busy = 0;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let drops = 0;
  const dropping = (async () => {
    for await (const conn of listener) {
      drops++;
      conn.close();
    }
  })();
  await using srv = serve((req) => {
    const u = new URL(req.url);
    if (u.pathname === "/limited" && ++n429 === 1) {
      return new Response("slow down", {
        status: 429,
        headers: { "Retry-After": "2" },
      });
    }
    if (u.pathname === "/busy") {
      busy++;
      return new Response("busy", { status: 503 });
    }
    if (u.pathname === "/html") {
      return new Response("<html>nope</html>", {
        headers: { "content-type": "text/html" },
      });
    }
    return Response.json({ ok: true });
  });
  try {
    const clock = new ManualClock({ start: 0 });
    const client = new HttpClient({
      baseUrl: srv.url,
      retry: { limit: 2, delay: 10 },
      timeout: false,
      clock,
    });
    const t0 = clock.now();
    assert.deepEqual(await drive(clock, client.json("/limited")), {
      ok: true,
    });
    assert.ok(clock.now() - t0 >= 2_000, "waited Retry-After seconds");
    assert.equal(n429, 2);

    const dropUrl = `http://127.0.0.1:${
      (listener.addr as Deno.NetAddr).port
    }/x`;
    const dropped = await drive(clock, client.fetch(dropUrl)).catch((e) => e);
    assert.ok(dropped instanceof RetryError, String(dropped));
    assert.equal(dropped.attempts, 3);
    assert.equal(drops, 3);

    const parse = await client.json("/html").catch((e) => e);
    assert.ok(parse instanceof http.ParseError, String(parse));
    assert.match(parse.message, /text\/html/);

    // POST is not idempotent: a 503 is not retried.
    const post = await client.fetch("/busy", { method: "POST", body: "{}" })
      .catch((e) => e);
    assert.ok(post instanceof HttpError, String(post));
    assert.equal(post.method, "POST");
    assert.equal(busy, 1);
    await assert.rejects(
      () => client.fetch("http://[::1"),
      http.HttpClientError,
    );
  } finally {
    listener.close();
    await dropping.catch(() => {});
  }
});

Deno.test("HttpError carries the method; UsgsClient splits windows above the cap and dedupes", async () => {
  await using srv = serve(() => new Response("gone", { status: 410 }));
  const err = await new HttpClient({ retry: 0 }).fetch(`${srv.url}/a`, {
    method: "DELETE",
  }).catch((e) => e);
  assert.ok(err instanceof HttpError);
  assert.equal(err.method, "DELETE");
  assert.equal(err.status, 410);

  const t0 = Date.UTC(2018, 1, 1);
  const base: UsgsFeatureInput[] = Array.from({ length: 40 }, (_, i) => ({
    id: `ev${i}`,
    properties: { mag: 1 + (i % 4), place: `P${i}`, time: t0 + i * 1_000 },
    geometry: { coordinates: [1, 2, 3] },
  }));
  await using server = await createUsgsServer({ events: base, maxEvents: 15 });
  const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 10 });
  const q = {
    starttime: new Date(t0).toISOString(),
    endtime: new Date(t0 + 60_000).toISOString(),
  };
  const ids: string[] = [];
  for await (const f of usgs.query(q)) ids.push(f.id);
  assert.equal(ids.length, 40);
  assert.equal(new Set(ids).size, 40);
  const none: string[] = [];
  for await (
    const f of usgs.query({ ...q, minmagnitude: 9 })
  ) none.push(f.id);
  assert.deepEqual(none, []);
  assert.equal(await usgs.count({ ...q, minmagnitude: 9 }), 0);
});
