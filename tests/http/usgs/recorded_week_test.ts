import { readRecordedWeek } from "../../../examples/usgs_events.ts";
import assert from "node:assert/strict";
import {
  createUsgsServer,
  InvalidInputError,
  UsgsClient,
  type UsgsFeatureInput,
} from "../../../http/mod.ts";

function recordedWeek(): Promise<UsgsFeatureInput[]> {
  return readRecordedWeek();
}

Deno.test("UsgsClient.query() gets the recorded week's 1,707 events through 429s and 503s", async () => {
  const week = await recordedWeek();
  assert.equal(week.length, 1_707);
  await using server = await createUsgsServer({
    events: week,
    faults: {
      schedule: {
        2: { kind: "429", retryAfter: 1 },
        4: "503",
        6: "503",
        8: "truncate",
      },
    },
  });
  const usgs = new UsgsClient({
    baseUrl: server.url,
    pageSize: 400,
    retry: { delay: 1, backoffLimit: 2, maxRetryAfter: 10 },
  });
  const got = await Array.fromAsync(
    usgs.query({ starttime: "2018-01-01", endtime: "2018-03-01" }),
  );
  assert.equal(got.length, 1_707);
  assert.deepEqual(
    new Set(got.map((f) => f.id)),
    new Set(week.map((f) => f.id)),
  );
  // Typed features: [lon, lat, depth] and epoch-ms times.
  const first = got[0]!;
  assert.equal(first.type, "Feature");
  assert.equal(first.geometry.type, "Point");
  assert.equal(first.geometry.coordinates.length, 3);
  assert.equal(typeof first.properties.time, "number");
  assert.ok(
    server.stats.faults["429"] === 1 && server.stats.faults["503"] === 2,
  );
});

Deno.test("createUsgsServer() rejects events that are not features", async () => {
  await assert.rejects(
    createUsgsServer({
      events: [{ id: "x", properties: {} } as unknown as UsgsFeatureInput],
    }),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      /^Event 0 must be a GeoJSON feature with an id, properties.time and coordinates: /
        .test(e.message),
  );
});

Deno.test("UsgsClient.query() treats 204 No Content as an empty page", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new URL(req.url).pathname.endsWith("/count")
        ? Response.json({ count: 3, maxAllowed: 20_000 })
        : new Response(null, { status: 204 }),
  );
  try {
    const usgs = new UsgsClient({
      baseUrl: `http://127.0.0.1:${server.addr.port}/fdsnws/event/1`,
    });
    assert.deepEqual(
      await Array.fromAsync(
        usgs.query({ starttime: "2018-01-01", endtime: "2018-01-02" }),
      ),
      [],
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("UsgsClient.lastWeek() with a pinned endtime replays the recorded feed", async () => {
  const week = await recordedWeek();
  await using server = await createUsgsServer({ events: week });
  const usgs = new UsgsClient({ baseUrl: server.url });
  const got = await Array.fromAsync(usgs.lastWeek({ endtime: 1517968154000 }));
  assert.equal(got.length, 1_707);
  assert.equal(server.requests[0]!.params.starttime, "2018-01-31T01:49:14.000");
});
