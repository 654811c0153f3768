import assert from "node:assert/strict";
import {
  countByRegion,
  readFeatureCollection,
  readRecordedWeek,
  regionOf,
  replicate,
  toQuakeEvent,
} from "../../examples/usgs_events.ts";

Deno.test("readRecordedWeek() gives the recorded week's 1,707 events", async () => {
  const features = await readRecordedWeek();
  assert.equal(features.length, 1707);
  assert.equal(new Set(features.map((f) => f.id)).size, 1707);
});

Deno.test("countByRegion() finds the known top regions of the recorded week", async () => {
  const events = (await readRecordedWeek()).map(toQuakeEvent);
  const top = countByRegion(events).slice(0, 5);
  assert.deepEqual(top, [
    { region: "Taiwan", count: 20 },
    { region: "Indonesia", count: 11 },
    { region: "Chile", count: 8 },
    { region: "Alaska", count: 7 },
    { region: "Greenland", count: 5 },
  ]);
});

Deno.test("regionOf() takes the text after the last comma and expands state codes", () => {
  assert.equal(regionOf("4km W of Castaic, CA"), "California");
  assert.equal(regionOf("10km SSW of Hualian, Taiwan"), "Taiwan");
  assert.equal(regionOf("a, b, Chile "), "Chile");
  assert.equal(
    regionOf("South of the Fiji Islands"),
    "South of the Fiji Islands",
  );
  assert.equal(regionOf(null), "Unknown");
  assert.equal(regionOf(", "), "Unknown");
});

Deno.test("replicate() is deterministic and keeps the source at its own size", async () => {
  const events = (await readRecordedWeek()).map(toQuakeEvent);
  assert.deepEqual([...replicate(events, events.length)], events);
  const a = [...replicate(events, 5_000)];
  const b = [...replicate(events, 5_000)];
  assert.deepEqual(a, b);
  assert.equal(new Set(a.map((e) => e.id)).size, 5_000);
  assert.throws(() => [...replicate([], 3)], /empty event list to 3 events/);
});

Deno.test("readFeatureCollection() names a bad file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/bad.json`, "{nope");
    await assert.rejects(
      readFeatureCollection(`${dir}/bad.json`),
      /not valid JSON: .*bad\.json/,
    );
    await Deno.writeTextFile(`${dir}/empty.json`, "{}");
    await assert.rejects(
      readFeatureCollection(`${dir}/empty.json`),
      /no "features" array/,
    );
    await assert.rejects(
      readFeatureCollection(`${dir}/missing.json`),
      /Cannot read GeoJSON file/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
