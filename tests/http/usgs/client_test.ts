import assert from "node:assert/strict";
import {
  createUsgsServer,
  HttpError,
  InvalidInputError,
  ManualClock,
  UsgsClient,
  type UsgsFeature,
} from "../../../http/mod.ts";
import { drive, makeEvents, T0 } from "../_helpers.ts";

const DAY = 86_400_000;
const quick = { limit: 6, delay: 1, backoffLimit: 2, maxRetryAfter: 5 };
const window = { starttime: T0 - DAY, endtime: T0 + 30 * DAY };

function assertTimeOrdered(features: UsgsFeature[]): void {
  for (let i = 1; i < features.length; i++) {
    assert.ok(features[i - 1]!.properties.time <= features[i]!.properties.time);
  }
}

Deno.test("UsgsClient.count() returns the service's count for a query", async () => {
  const events = makeEvents(300);
  await using server = await createUsgsServer({ events });
  const fetched: string[] = [];
  const usgs = new UsgsClient({
    baseUrl: server.url,
    fetch: (input, init) => {
      fetched.push(String(input));
      return fetch(input, init);
    },
  });
  const expected = events.filter((f) => f.properties.mag! >= 4.5).length;
  assert.equal(await usgs.count({ ...window, minmagnitude: 4.5 }), expected);
  assert.equal(server.requests[0]!.params.minmagnitude, "4.5");
  assert.equal(fetched.length, 1);
  assert.match(fetched[0]!, /\/count\?format=geojson&minmagnitude=4\.5&/);
});

Deno.test("UsgsClient.query() pages with limit and 1-based offset through faults", async () => {
  const events = makeEvents(1_000);
  await using server = await createUsgsServer({
    events,
    faults: {
      schedule: {
        1: "503",
        3: { kind: "429", retryAfter: 1 },
        5: "drop",
        7: "truncate",
        9: { kind: "429", retryAfter: 1, httpDate: true },
      },
    },
  });
  const usgs = new UsgsClient({
    baseUrl: server.url,
    pageSize: 150,
    retry: quick,
  });
  const got = await Array.fromAsync(usgs.query(window));
  assert.equal(got.length, 1_000);
  assert.deepEqual(got.map((f) => f.id), events.map((f) => f.id));
  assertTimeOrdered(got);
  const pages = server.requests.filter((r) =>
    r.path.endsWith("/query") && r.status === 200 && !r.fault
  );
  assert.deepEqual(
    pages.map((r) => r.params.offset),
    ["1", "151", "301", "451", "601", "751", "901"],
  );
  assert.ok(pages.every((r) => r.params.limit === "150"));
  assert.ok(server.stats.gzipped > 0);
  assert.equal(usgs.stats.duplicates, 0);
});

Deno.test("UsgsClient.query() splits time windows above the cap", async () => {
  const events = makeEvents(450, T0, 1_000);
  await using server = await createUsgsServer({ events, maxEvents: 100 });
  const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 60 });
  const got = await Array.fromAsync(
    usgs.query({ starttime: T0, endtime: T0 + 449_000 }),
  );
  assert.equal(new Set(got.map((f) => f.id)).size, 450);
  assert.equal(got.length, 450);
  assertTimeOrdered(got);
  assert.ok(usgs.stats.splits >= 3, `splits ${usgs.stats.splits}`);
  // Every page the client asked for fitted under the cap.
  for (const r of server.requests) {
    assert.notEqual(r.status, 400, JSON.stringify(r.params));
  }
});

Deno.test("UsgsClient.query() yields an event on a split boundary once", async () => {
  const start = T0;
  const end = T0 + 1_000;
  const mid = T0 + 500;
  const events = [
    ...makeEvents(50, start, 9),
    ...makeEvents(10, mid, 0).map((f, i) => ({ ...f, id: `mid${i}` })),
    ...makeEvents(50, mid + 10, 9).map((f, i) => ({ ...f, id: `late${i}` })),
  ];
  await using server = await createUsgsServer({ events, maxEvents: 100 });
  const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 25 });
  const got = await Array.fromAsync(
    usgs.query({ starttime: start, endtime: end }),
  );
  assert.equal(got.length, 110);
  assert.equal(new Set(got.map((f) => f.id)).size, 110);
  assert.equal(usgs.stats.splits, 1);
  // Halves are disjoint ([from, mid], [mid + 1 ms, to]): nothing to drop.
  assert.equal(usgs.stats.duplicates, 0);
});

Deno.test("UsgsClient.query() of nothing is empty, not an error", async () => {
  await using server = await createUsgsServer({ events: makeEvents(10) });
  const usgs = new UsgsClient({ baseUrl: server.url });
  const got = await Array.fromAsync(
    usgs.query({ starttime: "2030-01-01", endtime: "2030-01-02" }),
  );
  assert.deepEqual(got, []);
});

Deno.test("UsgsClient.query() stops at the query's limit", async () => {
  await using server = await createUsgsServer({ events: makeEvents(100) });
  const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 30 });
  const got = await Array.fromAsync(usgs.query({ ...window, limit: 45 }));
  assert.deepEqual(
    got.map((f) => f.id),
    makeEvents(45).map((f) => f.id),
  );
});

Deno.test("UsgsClient.lastWeek() asks for the seven days before now", async () => {
  const clock = new ManualClock({ start: T0 + 10 * DAY });
  const events = makeEvents(240, T0, 3_600_000); // ten days, hourly
  await using server = await createUsgsServer({ events });
  const usgs = new UsgsClient({ baseUrl: server.url, clock });
  const got = await Array.fromAsync(usgs.lastWeek());
  assert.equal(got.length, 7 * 24);
  assert.equal(got[0]!.properties.time, T0 + 3 * DAY);
  const count = server.requests[0]!;
  assert.equal(count.params.starttime, "2018-02-04T00:00:00.000");
  assert.equal(count.params.endtime, "2018-02-11T00:00:00.000");
});

Deno.test("UsgsClient waits out the server's rate limit on its clock", async () => {
  const clock = new ManualClock({ start: T0 });
  await using server = await createUsgsServer({
    events: makeEvents(200),
    clock,
    rateLimit: { capacity: 2, refillPerSecond: 1 },
  });
  const usgs = new UsgsClient({
    baseUrl: server.url,
    pageSize: 20,
    clock,
    timeout: false,
    retry: { limit: 10 },
  });
  const got = await drive(clock, Array.fromAsync(usgs.query(window)));
  assert.equal(got.length, 200);
  assert.ok(server.stats.rateLimited > 0);
  // 11 requests (a count, ten pages) at 1 per second after a burst of 2.
  assert.equal(server.stats.requests - server.stats.rateLimited, 11);
  assert.ok(clock.monotonic() >= 9_000, String(clock.monotonic()));
});

Deno.test("UsgsClient shows a 400's body text in the error", async () => {
  await using server = await createUsgsServer({
    events: makeEvents(30),
    maxEvents: 10,
  });
  const usgs = new UsgsClient({ baseUrl: server.url });
  const error = await usgs.http.json(
    "query?format=geojson&starttime=2018-01-01",
  ).catch((e) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, 400);
  assert.match(error.message, /30 matching events exceeds search limit of 10/);
  assert.match(error.body, /^Error 400: Bad Request/);
});

Deno.test("UsgsClient rejects bad queries before sending anything", async () => {
  await using server = await createUsgsServer({ events: makeEvents(3) });
  const usgs = new UsgsClient({ baseUrl: server.url });
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ colour: "red" }, /^Unknown query parameter: "colour"$/],
    [{ limit: -1 }, /^Query limit must be a non-negative integer: -1$/],
    [{ starttime: "last tuesday" }, /^Query starttime must be a valid time/],
    [{ minmagnitude: "big" }, /^Query minmagnitude must be a finite number/],
    [{ starttime: T0 + DAY, endtime: T0 }, /must not be after endtime/],
    [{ offset: 5 }, /Unknown query parameter: "offset"/],
  ];
  for (const [query, message] of bad) {
    await assert.rejects(
      Array.fromAsync(usgs.query(query as never)),
      (e: unknown) => e instanceof InvalidInputError && message.test(e.message),
      JSON.stringify(query),
    );
  }
  await assert.rejects(usgs.count({ limit: -5 }), InvalidInputError);
  assert.equal(server.stats.requests, 0);
  assert.throws(
    () => new UsgsClient({ pageSize: -1 }),
    /^InvalidInputError: Option pageSize must be an integer from 1 to 20000: -1$/,
  );
  assert.throws(() => new UsgsClient({ baseUrl: "nope" }), InvalidInputError);
});

Deno.test("UsgsClient.query() keeps paging when a server returns short pages", async () => {
  const events = makeEvents(95);
  await using server = await createUsgsServer({ events });
  // A proxy in front that caps every page at 20 events, whatever the limit.
  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const target = new URL(server.url + url.pathname.replace(/^.*\/1/, ""));
      url.searchParams.forEach((v, k) =>
        target.searchParams.set(k, k === "limit" ? "20" : v)
      );
      return await fetch(target);
    },
  );
  try {
    const usgs = new UsgsClient({
      baseUrl: `http://127.0.0.1:${proxy.addr.port}/fdsnws/event/1`,
      pageSize: 50,
    });
    const got = await Array.fromAsync(usgs.query(window));
    assert.deepEqual(got.map((f) => f.id), events.map((f) => f.id));
    const offsets = server.requests.filter((r) => r.path.endsWith("/query"))
      .map((r) => r.params.offset);
    assert.deepEqual(offsets, ["1", "21", "41", "61", "81"]);
  } finally {
    await proxy.shutdown();
  }
});

/** A proxy in front of `server` that drops `offset` from every query, as a broken server would. */
function ignoringOffset(serverUrl: string) {
  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      const target = new URL(serverUrl + url.pathname.replace(/^.*\/1/, ""));
      url.searchParams.forEach((v, k) => {
        if (k !== "offset") target.searchParams.set(k, v);
      });
      return await fetch(target);
    },
  );
  return {
    url: `http://127.0.0.1:${proxy.addr.port}/fdsnws/event/1`,
    [Symbol.asyncDispose]: () => proxy.shutdown(),
  };
}

Deno.test("UsgsClient.query() notices a server that ignores offset and re-splits by time", async () => {
  const events = makeEvents(10);
  await using server = await createUsgsServer({ events });
  await using proxy = ignoringOffset(server.url);
  const usgs = new UsgsClient({ baseUrl: proxy.url, pageSize: 3 });
  const got = await Array.fromAsync(
    usgs.query({ starttime: T0, endtime: T0 + 10 * 60_000 }),
  );
  assert.deepEqual(got.map((f) => f.id).sort(), events.map((f) => f.id));
  assert.ok(usgs.stats.resplits > 0);
  assert.ok(server.stats.requests < 80, `${server.stats.requests} requests`);
});

Deno.test("UsgsClient.query() fails naming what is missing when one millisecond cannot be paged", async () => {
  const events = makeEvents(30, T0, 0); // all in the same millisecond
  await using server = await createUsgsServer({ events });
  await using proxy = ignoringOffset(server.url);
  const usgs = new UsgsClient({ baseUrl: proxy.url, pageSize: 10 });
  const error = await Array.fromAsync(
    usgs.query({ starttime: T0, endtime: T0 + 1_000 }),
  ).catch((e) => e);
  assert.match(
    String(error),
    /^HttpClientError: USGS paging fell short: 20 of 30 events in 2018-02-01T00:00:00\.000–2018-02-01T00:00:00\.000 never arrived after 3 passes \(pages repeated earlier ids: the server may ignore offset\)$/,
  );
});

Deno.test("UsgsClient.query() pages 20,001 events in one millisecond with offset", async () => {
  const events = makeEvents(20_001, T0, 0);
  await using server = await createUsgsServer({ events });
  const usgs = new UsgsClient({ baseUrl: server.url });
  let n = 0;
  const ids = new Set<string>();
  for await (const f of usgs.query({ starttime: T0, endtime: T0 + 1_000 })) {
    n++;
    ids.add(f.id);
  }
  assert.equal(n, 20_001);
  assert.equal(ids.size, 20_001);
  const offsets = server.requests.filter((r) => r.path.endsWith("/query"))
    .map((r) => [r.params.starttime === r.params.endtime, r.params.offset]);
  assert.deepEqual(offsets.at(-1), [true, "20001"]);
});

Deno.test("UsgsClient.query() takes eventid, orderby, circles, catalog and contributor", async () => {
  const events = makeEvents(40).map((f, i) => ({
    ...f,
    properties: {
      ...f.properties,
      net: i % 2 ? "ak" : "us",
      sources: i % 4 === 0 ? ",us,ak," : `,${i % 2 ? "ak" : "us"},`,
    },
  }));
  await using server = await createUsgsServer({ events, maxEvents: 15 });
  const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 10 });
  const one = await Array.fromAsync(usgs.query({ eventid: "syn000007" }));
  assert.deepEqual(one.map((f) => f.id), ["syn000007"]);
  assert.deepEqual(await Array.fromAsync(usgs.query({ eventid: "nope" })), []);
  assert.equal(await usgs.count({ eventid: "syn000007" }), 1);
  // Newest first across splits (40 events, a cap of 15).
  const newest = await Array.fromAsync(
    usgs.query({ ...window, orderby: "time" }),
  );
  assert.deepEqual(newest.map((f) => f.id), events.map((f) => f.id).reverse());
  assert.ok(usgs.stats.splits > 0);
  const ak = await Array.fromAsync(usgs.query({ ...window, catalog: "ak" }));
  assert.equal(ak.length, 20);
  const fromAk = await usgs.count({ ...window, contributor: "ak" });
  assert.equal(fromAk, 30);
  // makeEvents puts event i at longitude i - 180, latitude i - 90.
  const circle = await Array.fromAsync(
    usgs.query({ ...window, latitude: -80, longitude: -170, maxradiuskm: 50 }),
  );
  assert.deepEqual(circle.map((f) => f.id), ["syn000010"]);
  for (
    const [query, message] of [
      [
        { latitude: 1, longitude: 2 },
        /needs latitude, longitude and maxradius/,
      ],
      [
        { latitude: 1, longitude: 2, maxradius: 1, maxradiuskm: 5 },
        /maxradius and maxradiuskm cannot both be given/,
      ],
      [{ orderby: "random" }, /Query orderby must be one of/],
      [{ catalog: 5 }, /Query catalog must be a non-empty string: 5/],
    ] as const
  ) {
    await assert.rejects(
      Array.fromAsync(usgs.query(query as never)),
      (e: unknown) => e instanceof InvalidInputError && message.test(e.message),
    );
  }
});
