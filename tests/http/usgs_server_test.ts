import assert from "node:assert/strict";
import {
  createUsgsServer,
  InvalidInputError,
  ManualClock,
  type UsgsFeatureCollection,
} from "../../http/mod.ts";
import { makeEvents, T0 } from "./_helpers.ts";

const iso = (ms: number) => new Date(ms).toISOString().slice(0, -1);

Deno.test("createUsgsServer() serves count in geojson and text", async () => {
  await using server = await createUsgsServer({ events: makeEvents(100) });
  const json = await fetch(
    `${server.url}/count?format=geojson&starttime=${
      iso(T0 + 10 * 60_000)
    }&endtime=${iso(T0 + 19 * 60_000)}`,
  );
  assert.equal(json.headers.get("content-type"), "application/json");
  assert.deepEqual(await json.json(), { count: 10, maxAllowed: 20_000 });
  const text = await fetch(`${server.url}/count?minmagnitude=6`);
  const expected = makeEvents(100).filter((f) => f.properties.mag! >= 6);
  assert.equal(await text.text(), String(expected.length));
});

Deno.test("createUsgsServer() pages with limit and a 1-based offset in the requested order", async () => {
  await using server = await createUsgsServer({ events: makeEvents(30) });
  const get = async (q: string) =>
    (await (await fetch(`${server.url}/query?format=geojson&${q}`))
      .json()) as UsgsFeatureCollection;
  const first = await get("orderby=time-asc&limit=10&offset=1");
  assert.equal(first.features[0]!.id, "syn000000");
  assert.equal(first.metadata.count, 10);
  assert.equal(first.metadata.limit, 10);
  const third = await get("orderby=time-asc&limit=10&offset=21");
  assert.deepEqual(
    third.features.map((f) => f.id),
    makeEvents(30).slice(20).map((f) => f.id),
  );
  const newest = await get("limit=1");
  assert.equal(newest.features[0]!.id, "syn000029");
  const biggest = await get("orderby=magnitude&limit=1&minmag=0");
  assert.equal(biggest.features[0]!.properties.mag, 6.9);
  const empty = await get("starttime=2030-01-01");
  assert.deepEqual(empty.features, []);
  assert.equal(empty.type, "FeatureCollection");
});

Deno.test("createUsgsServer() answers bad and unknown parameters with a 400 text body", async () => {
  await using server = await createUsgsServer({ events: makeEvents(5) });
  for (
    const [query, message] of <Array<[string, string]>> [
      ["format=geojson&colour=red", 'Unknown parameter "colour"'],
      ["format=geojson&limit=-3", 'Bad limit value "-3"'],
      ["format=geojson&limit=20001", "must be between 1 and 20000"],
      ["format=geojson&offset=0", 'Bad offset value "0"'],
      ["format=geojson&starttime=yesterday", 'Bad starttime value "yesterday"'],
      ["format=geojson&orderby=random", 'Bad orderby value "random"'],
      ["format=xml", 'Bad format value "xml"'],
    ]
  ) {
    const response = await fetch(`${server.url}/query?${query}`);
    assert.equal(response.status, 400, query);
    assert.equal(response.headers.get("content-type"), "text/plain");
    const body = await response.text();
    assert.match(body, /^Error 400: Bad Request\n\n/);
    assert.ok(body.includes(message), `${query}: ${body}`);
  }
  const missing = await fetch(`${server.url}/nothing`);
  assert.equal(missing.status, 404);
  await missing.body?.cancel();
});

Deno.test("createUsgsServer() refuses more than maxEvents matches without a limit", async () => {
  await using server = await createUsgsServer({
    events: makeEvents(120),
    maxEvents: 100,
  });
  const response = await fetch(`${server.url}/query?format=geojson`);
  assert.equal(response.status, 400);
  assert.match(
    await response.text(),
    /120 matching events exceeds search limit of 100\. Modify the search to match fewer events\./,
  );
  const limited = await fetch(`${server.url}/query?format=geojson&limit=100`);
  assert.equal(limited.status, 200);
  assert.equal((await limited.json()).features.length, 100);
  assert.deepEqual(
    await (await fetch(`${server.url}/count?format=geojson`)).json(),
    { count: 120, maxAllowed: 100 },
  );
});

Deno.test("createUsgsServer() gzips bodies for clients that accept it", async () => {
  await using server = await createUsgsServer({ events: makeEvents(200) });
  const response = await fetch(`${server.url}/query?format=geojson`);
  const body = await response.json();
  assert.equal(body.features.length, 200);
  assert.equal(server.stats.gzipped, 1);
  const plain = await fetch(`${server.url}/query?format=geojson`, {
    headers: { "accept-encoding": "identity" },
  });
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal((await plain.json()).features.length, 200);
  assert.equal(server.stats.gzipped, 1);
});

Deno.test("createUsgsServer() injects scheduled faults by request number", async () => {
  await using server = await createUsgsServer({
    events: makeEvents(400),
    faults: {
      schedule: {
        1: "503",
        2: { kind: "429", retryAfter: 3 },
        3: "drop",
        4: "truncate",
        5: { kind: "429", retryAfter: 2, httpDate: true },
      },
    },
  });
  const url = `${server.url}/query?format=geojson`;
  const r1 = await fetch(url);
  assert.equal(r1.status, 503);
  assert.match(await r1.text(), /Error 503: Service Unavailable/);
  const r2 = await fetch(url);
  assert.equal(r2.status, 429);
  assert.equal(r2.headers.get("retry-after"), "3");
  await r2.body?.cancel();
  await assert.rejects(fetch(url), TypeError);
  const r4 = await fetch(url);
  assert.equal(r4.status, 200);
  await assert.rejects(r4.text(), TypeError);
  const r5 = await fetch(url);
  const date = Date.parse(r5.headers.get("retry-after")!);
  assert.ok(Math.abs(date - Date.now() - 2_000) < 2_000, String(date));
  await r5.body?.cancel();
  const r6 = await fetch(url);
  assert.equal((await r6.json()).features.length, 400);
  assert.deepEqual(server.requests.map((r) => r.fault ?? null), [
    "503",
    "429",
    "drop",
    "truncate",
    "429",
    null,
  ]);
  assert.deepEqual(server.stats.byStatus, { 0: 1, 200: 2, 429: 2, 503: 1 });
  assert.equal(server.stats.eventsServed, 400);
});

Deno.test("createUsgsServer() draws the same random faults for the same seed", async () => {
  const run = async (seed: number) => {
    await using server = await createUsgsServer({
      events: makeEvents(3),
      faults: { rate: 0.5, seed, kinds: ["503", "429"] },
    });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const r = await fetch(`${server.url}/count`);
      statuses.push(r.status);
      await r.body?.cancel();
    }
    return statuses;
  };
  const a = await run(7);
  assert.deepEqual(await run(7), a);
  assert.notDeepEqual(await run(8), a);
  const faulty = a.filter((s) => s !== 200).length;
  assert.ok(faulty > 8 && faulty < 32, `faults: ${faulty}`);
});

Deno.test("createUsgsServer() stalls a slow fault on its clock", async () => {
  const clock = new ManualClock();
  await using server = await createUsgsServer({
    events: makeEvents(2),
    clock,
    faults: { schedule: { 1: { kind: "slow", delay: 30_000 } } },
  });
  let done = false;
  const pending = fetch(`${server.url}/count`).then(async (r) => {
    done = true;
    return await r.text();
  });
  while (clock.pendingSleeps === 0) await new Promise((r) => setTimeout(r, 1));
  await clock.advance(29_999);
  assert.equal(done, false);
  await clock.advance(1);
  assert.equal(await pending, "2");
});

Deno.test("createUsgsServer() rate limits with 429 and Retry-After", async () => {
  const clock = new ManualClock();
  await using server = await createUsgsServer({
    events: makeEvents(2),
    clock,
    rateLimit: { capacity: 2, refillPerSecond: 0.5 },
  });
  const statuses: Array<[number, string | null]> = [];
  for (let i = 0; i < 3; i++) {
    const r = await fetch(`${server.url}/count`);
    statuses.push([r.status, r.headers.get("retry-after")]);
    await r.body?.cancel();
  }
  assert.deepEqual(statuses, [[200, null], [200, null], [429, "2"]]);
  assert.equal(server.stats.rateLimited, 1);
  await clock.advance(2_000);
  const again = await fetch(`${server.url}/count`);
  assert.equal(again.status, 200);
  await again.body?.cancel();
});

Deno.test("createUsgsServer() rejects bad options", async () => {
  await assert.rejects(
    createUsgsServer({ events: makeEvents(1), faults: { rate: 2 } }),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === "Fault rate must be in [0, 1]: 2",
  );
  await assert.rejects(
    createUsgsServer({ events: makeEvents(1), maxEvents: 0 }),
    /maxEvents must be a positive integer: 0/,
  );
});
