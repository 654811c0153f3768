import assert from "node:assert/strict";
import {
  createUsgsServer,
  InvalidInputError,
  ManualClock,
  type UsgsFeatureCollection,
  type UsgsFeatureInput,
} from "../../../http/mod.ts";
import { makeEvents, T0 } from "../_helpers.ts";

const iso = (ms: number) => new Date(ms).toISOString().slice(0, -1);
/** The synthetic events are from 2018, outside the default 30-day window. */
const SINCE = "starttime=2018-01-01";

Deno.test("createUsgsServer() serves count in geojson and text", async () => {
  await using server = await createUsgsServer({ events: makeEvents(100) });
  const json = await fetch(
    `${server.url}/count?format=geojson&starttime=${
      iso(T0 + 10 * 60_000)
    }&endtime=${iso(T0 + 19 * 60_000)}`,
  );
  assert.equal(json.headers.get("content-type"), "application/json");
  assert.deepEqual(await json.json(), { count: 10, maxAllowed: 20_000 });
  const text = await fetch(`${server.url}/count?minmagnitude=6&${SINCE}`);
  const expected = makeEvents(100).filter((f) => f.properties.mag! >= 6);
  assert.equal(await text.text(), String(expected.length));
});

Deno.test("createUsgsServer() pages with limit and a 1-based offset in the requested order", async () => {
  await using server = await createUsgsServer({ events: makeEvents(30) });
  const get = async (q: string) =>
    (await (await fetch(`${server.url}/query?format=geojson&${SINCE}&${q}`))
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
      ["format=geojson&limit=20001", "integers between 0 and 20000"],
      ["format=geojson&offset=0", 'Bad offset value "0"'],
      ["format=geojson&starttime=yesterday", 'Bad starttime value "yesterday"'],
      ["format=geojson&orderby=random", 'Bad orderby value "random"'],
      ["format=kml", 'Bad format value "kml"'],
      ["constructor=1", 'Unknown parameter "constructor"'],
      ["toString=1", 'Unknown parameter "toString"'],
      ["minmagnitude=0x10", 'Bad minmagnitude value "0x10"'],
      ["minmagnitude=1e400", 'Bad minmagnitude value "1e400"'],
      ["minlatitude=-91", 'Bad minlatitude value "-91"'],
      ["maxlongitude=361", 'Bad maxlongitude value "361"'],
      [
        "minlatitude=10&maxlatitude=5",
        "minlatitude must be less than maxlatitude",
      ],
      [
        "minlongitude=10&maxlongitude=5",
        "minlongitude must be less than maxlongitude",
      ],
      ["maxlongitude=190", "Searches that cross dateline require both"],
      [
        "minlongitude=-200&maxlongitude=170",
        "cannot span more than 360 degrees",
      ],
      [
        "latitude=10&longitude=20",
        "latitude, longitude, and maxradius must all be",
      ],
      [
        "latitude=1&longitude=1&maxradius=1&maxradiuskm=5",
        "maxradius and maxradiuskm can not both",
      ],
      ["catalog=zz", 'Bad catalog value "zz"'],
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
  const response = await fetch(`${server.url}/query?format=geojson&${SINCE}`);
  assert.equal(response.status, 400);
  assert.match(
    await response.text(),
    /120 matching events exceeds search limit of 100\. Modify the search to match fewer events\./,
  );
  const limited = await fetch(
    `${server.url}/query?format=geojson&limit=100&${SINCE}`,
  );
  assert.equal(limited.status, 200);
  assert.equal((await limited.json()).features.length, 100);
  assert.deepEqual(
    await (await fetch(`${server.url}/count?format=geojson&${SINCE}`)).json(),
    {
      count: 120,
      maxAllowed: 100,
      error:
        "120 matching events exceeds search limit of 100. A query using these search parameters would fail. Modify the search to match fewer events.",
    },
  );
});

Deno.test("createUsgsServer() gzips bodies for clients that accept it", async () => {
  await using server = await createUsgsServer({ events: makeEvents(200) });
  const response = await fetch(`${server.url}/query?format=geojson&${SINCE}`);
  const body = await response.json();
  assert.equal(body.features.length, 200);
  assert.equal(server.stats.gzipped, 1);
  const plain = await fetch(`${server.url}/query?format=geojson&${SINCE}`, {
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
  const url = `${server.url}/query?format=geojson&${SINCE}`;
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

/** Three events: two near the date line, one at the origin, in 2018. */
function placed(): UsgsFeatureInput[] {
  const at = (id: string, lon: number, lat: number, i: number) => ({
    id,
    properties: {
      mag: 4 + i,
      place: `Place "${id}", Somewhere`,
      time: T0 + i * 60_000,
      net: i === 2 ? "ak" : "us",
      sources: i === 2 ? ",ak,us," : ",us,",
      ids: `,${id},alt${i},`,
      type: "earthquake",
    },
    geometry: { coordinates: [lon, lat, 10] },
  });
  return [at("east", 175, 0, 0), at("west", -175, 0, 1), at("zero", 0, 0, 2)];
}

async function status(url: string): Promise<[number, string]> {
  const response = await fetch(url);
  return [response.status, await response.text()];
}

Deno.test("createUsgsServer() writes quakeml by default, and csv and text", async () => {
  await using server = await createUsgsServer({ events: placed() });
  const base = `${server.url}/query?${SINCE}&orderby=time-asc`;
  const quakeml = await fetch(base);
  assert.equal(quakeml.headers.get("content-type"), "application/xml");
  const xml = await quakeml.text();
  assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<q:quakeml /);
  assert.equal(xml.match(/<event /g)?.length, 3);
  assert.match(xml, /<text>Place &quot;east&quot;, Somewhere<\/text>/);
  assert.match(xml, /<depth><value>10000<\/value><\/depth>/);
  const csv = await fetch(`${base}&format=csv`);
  assert.equal(csv.headers.get("content-type"), "text/csv; charset=utf-8");
  const rows = (await csv.text()).trimEnd().split("\n");
  assert.equal(
    rows[0],
    "time,latitude,longitude,depth,mag,magType,nst,gap,dmin,rms,net,id,updated,place,type,horizontalError,depthError,magError,magNst,status,locationSource,magSource",
  );
  assert.equal(
    rows[1],
    `2018-02-01T00:00:00.000Z,0,175,10,4,,,,,,us,east,2018-02-01T00:00:00.000Z,"Place ""east"", Somewhere",earthquake,,,,,,us,us`,
  );
  const text = (await (await fetch(`${base}&format=text`)).text()).split("\n");
  assert.equal(
    text[0],
    "#EventID|Time|Latitude|Longitude|Depth/km|Author|Catalog|Contributor|ContributorID|MagType|Magnitude|MagAuthor|EventLocationName",
  );
  assert.equal(
    text[3],
    `zero|2018-02-01T00:02:00.000|0|0|10|ak|ak|ak|zero||6|ak|Place "zero", Somewhere`,
  );
  // count answers in every format: text by default, geojson, xml.
  assert.deepEqual(await status(`${server.url}/count?${SINCE}`), [200, "3"]);
  assert.deepEqual(
    await status(`${server.url}/count?${SINCE}&format=csv`),
    [200, "3"],
  );
  assert.deepEqual(
    await status(`${server.url}/count?${SINCE}&format=xml`),
    [200, "<query><count>3</count><maxAllowed>20000</maxAllowed></query>"],
  );
});

Deno.test("createUsgsServer() answers an eventid with one Feature and an unknown one with 404", async () => {
  await using server = await createUsgsServer({ events: placed() });
  const one = await (await fetch(
    `${server.url}/query?format=geojson&eventid=west`,
  )).json();
  assert.equal(one.type, "Feature");
  assert.equal(one.id, "west");
  const byAlias = await (await fetch(
    `${server.url}/query?format=geojson&eventid=alt2`,
  )).json();
  assert.equal(byAlias.id, "zero");
  const [code, body] = await status(
    `${server.url}/query?format=geojson&eventid=nope`,
  );
  assert.equal(code, 404);
  assert.match(body, /^Error 404: Not Found/);
  // QuakeML applies nodata instead.
  assert.equal((await status(`${server.url}/query?eventid=nope`))[0], 204);
  assert.equal(
    (await status(`${server.url}/query?eventid=nope&nodata=404`))[0],
    404,
  );
});

Deno.test("createUsgsServer() skips empty values, defaults to 30 days and applies nodata to QuakeML", async () => {
  const clock = new ManualClock({ start: T0 + 10 * 86_400_000 });
  await using server = await createUsgsServer({ events: placed(), clock });
  // No starttime: the 30 days before now on the server's clock.
  assert.deepEqual(await status(`${server.url}/count?minmagnitude=`), [
    200,
    "3",
  ]);
  await clock.advance(31 * 86_400_000);
  assert.deepEqual(await status(`${server.url}/count`), [200, "0"]);
  // Nothing matched: an empty feed in geojson, nodata in QuakeML.
  const empty = await (await fetch(`${server.url}/query?format=geojson`))
    .json();
  assert.deepEqual(empty.features, []);
  assert.equal((await status(`${server.url}/query`))[0], 204);
  assert.equal((await status(`${server.url}/query?nodata=404`))[0], 404);
  assert.equal((await status(`${server.url}/query?nodata=500`))[0], 400);
});

Deno.test("createUsgsServer() ignores offset without limit, as the service does", async () => {
  await using server = await createUsgsServer({ events: makeEvents(5) });
  const page = await (await fetch(
    `${server.url}/query?format=geojson&${SINCE}&offset=3`,
  )).json();
  assert.equal(page.features.length, 5);
  assert.equal(page.metadata.offset, undefined);
  const limited = await (await fetch(
    `${server.url}/query?format=geojson&${SINCE}&offset=3&limit=2&orderby=time-asc`,
  )).json();
  assert.deepEqual(limited.features.map((f: { id: string }) => f.id), [
    "syn000002",
    "syn000003",
  ]);
  assert.equal(limited.metadata.offset, 3);
});

Deno.test("createUsgsServer() wraps rectangles across the date line and searches circles", async () => {
  await using server = await createUsgsServer({ events: placed() });
  const ids = async (q: string) =>
    (await (await fetch(
      `${server.url}/query?format=geojson&${SINCE}&orderby=time-asc&${q}`,
    )).json()).features.map((f: { id: string }) => f.id);
  assert.deepEqual(await ids("minlongitude=170&maxlongitude=190"), [
    "east",
    "west",
  ]);
  assert.deepEqual(await ids("minlongitude=-190&maxlongitude=-170"), [
    "east",
    "west",
  ]);
  assert.deepEqual(await ids("minlongitude=-200&maxlongitude=-180"), ["east"]);
  assert.deepEqual(await ids("minlongitude=-180&maxlongitude=180"), [
    "east",
    "west",
    "zero",
  ]);
  // 10° of arc across the date line; 1,200 km is 10.8°.
  assert.deepEqual(await ids("latitude=0&longitude=180&maxradius=6"), [
    "east",
    "west",
  ]);
  assert.deepEqual(await ids("lat=0&lon=1&maxradiuskm=200"), ["zero"]);
  assert.deepEqual(
    await ids("latitude=0&longitude=-170&maxradiuskm=1200&minradius=4"),
    ["west"],
  );
  assert.deepEqual(await ids("catalog=ak"), ["zero"]);
  assert.deepEqual(await ids("contributor=us"), ["east", "west", "zero"]);
  assert.deepEqual(await ids("eventtype=quarry,earthquake&maxmag=4.5"), [
    "east",
  ]);
});

/** Sends raw bytes on one connection and returns everything read until close. */
async function rawExchange(port: number, bytes: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  await conn.write(new TextEncoder().encode(bytes));
  const chunks: string[] = [];
  const buf = new Uint8Array(65_536);
  const decoder = new TextDecoder();
  for (;;) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    chunks.push(decoder.decode(buf.subarray(0, n), { stream: true }));
  }
  conn.close();
  return chunks.join("");
}

Deno.test("createUsgsServer() answers hostile requests with 400 or 431, never a silent close", async () => {
  await using server = await createUsgsServer({ events: makeEvents(2) });
  const badTarget = await rawExchange(
    server.port,
    "GET http://[ HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
  );
  assert.match(badTarget, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(badTarget, /Bad request target: "http:\/\/\["/);
  const huge = await rawExchange(
    server.port,
    `GET /fdsnws/event/1/count HTTP/1.1\r\nx-big: ${
      "a".repeat(70_000)
    }\r\n\r\n`,
  );
  assert.match(huge, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  const garbage = await rawExchange(server.port, "HELLO\r\n\r\n");
  assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(garbage, /Malformed request line: "HELLO"/);
});

Deno.test("createUsgsServer() keeps HTTP/1.1 connections alive across requests", async () => {
  await using server = await createUsgsServer({ events: makeEvents(2) });
  const both = await rawExchange(
    server.port,
    `GET /fdsnws/event/1/count?${SINCE} HTTP/1.1\r\nhost: x\r\n\r\n` +
      `GET /fdsnws/event/1/version HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`,
  );
  const responses = both.split(/(?=HTTP\/1\.1 )/);
  assert.equal(responses.length, 2);
  assert.match(responses[0]!, /connection: keep-alive\r\n/);
  assert.match(responses[0]!, /\r\n\r\n2$/);
  assert.match(responses[1]!, /connection: close\r\n/);
  assert.match(responses[1]!, /\r\n\r\n1\.14\.1$/);
});
