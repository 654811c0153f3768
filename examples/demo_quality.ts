/**
 * Data-quality demo: validates the recorded USGS week (1,707 events, feed of
 * 2018-02-07) against {@linkcode usgsEventSuite} and writes the JSON result
 * and a Data Docs page to `out/`.
 *
 * Run: `deno task demo:quality`
 *
 * @module
 */

import { parseCommandLine } from "../internal/args.ts";
import { Checkpoint, ExpectationSuite } from "../quality/mod.ts";
import {
  readFeatureCollection,
  RECORDED_WEEK_URL,
  regionOf,
} from "./usgs_events.ts";

/** One USGS event flattened to a row. */
export interface UsgsEventRow {
  id: string;
  mag: number | null;
  magType: string | null;
  place: string | null;
  region: string | null;
  time: number;
  day: string;
  updated: number;
  depth: number | null;
  latitude: number | null;
  longitude: number | null;
  type: string;
  status: string;
  net: string;
  tsunami: number;
  sig: number | null;
}

interface Feature {
  id: string;
  properties: Record<string, unknown>;
  geometry: { coordinates: [number, number, number | null] } | null;
}

/** Flattens a GeoJSON feature into a row. */
export function featureToRow(f: Feature): UsgsEventRow {
  const p = f.properties;
  const place = typeof p.place === "string" ? p.place : null;
  const time = p.time as number;
  // Missing geometry becomes nulls, which the suite then reports.
  const coordinates = f.geometry?.coordinates;
  return {
    id: f.id,
    mag: p.mag as number | null,
    magType: p.magType as string | null,
    place,
    region: place === null ? null : regionOf(place),
    time,
    day: new Date(time).toISOString().slice(0, 10),
    updated: p.updated as number,
    depth: coordinates?.[2] ?? null,
    latitude: coordinates?.[1] ?? null,
    longitude: coordinates?.[0] ?? null,
    type: p.type as string,
    status: p.status as string,
    net: p.net as string,
    tsunami: p.tsunami as number,
    sig: p.sig as number | null,
  };
}

/** Reads the recorded week (or another GeoJSON file) into rows. */
export async function readUsgsWeek(
  path: string | URL = RECORDED_WEEK_URL,
): Promise<UsgsEventRow[]> {
  return (await readFeatureCollection(path)).map(featureToRow);
}

/** Magnitude types the USGS catalogue uses. */
const MAG_TYPES = [
  "ml",
  "md",
  "mb",
  "mb_lg",
  "mw",
  "mww",
  "mwr",
  "mwc",
  "mwb",
  "mwp",
  "mh",
  "ms",
  "ms_20",
  "mlg",
  "mlr",
  "mlv",
  "mc",
  "me",
];

/**
 * The suite a USGS event feed should pass: ids present and unique, magnitudes
 * and coordinates in physical ranges, known event types and statuses, valid
 * dates and sane aggregates. It does not assume an order of the rows.
 */
export function usgsEventSuite(): ExpectationSuite {
  return new ExpectationSuite("usgs.events", { source: "USGS FDSN event feed" })
    .expectTableRowCountToBeBetween(1, 20_000)
    .expectTableColumnsToMatchSet([
      "id",
      "mag",
      "place",
      "time",
      "depth",
      "latitude",
      "longitude",
      "type",
    ], {
      exactMatch: false,
    })
    .expectColumnValuesToNotBeNull("id")
    .expectColumnValuesToBeUnique("id")
    .expectColumnValuesToMatchRegex("id", "^[a-z]{2}[a-z0-9]+$")
    .expectColumnValuesToNotBeNull("time")
    .expectColumnValuesToNotBeNull("latitude")
    .expectColumnValuesToNotBeNull("longitude")
    .expectColumnValuesToNotBeNull("mag", { mostly: 0.99 })
    .expectColumnValuesToBeBetween("mag", -1, 10)
    .expectColumnValuesToBeInSet("magType", MAG_TYPES, { mostly: 0.95 })
    .expectColumnValuesToNotBeNull("place", { mostly: 0.99 })
    .expectColumnValueLengthsToBeBetween("place", 1, 200)
    .expectColumnValuesToBeBetween("depth", -10, 800)
    .expectColumnValuesToBeBetween("latitude", -90, 90)
    .expectColumnValuesToBeBetween("longitude", -180, 180)
    .expectColumnValuesToBeInSet("type", [
      "earthquake",
      "explosion",
      "quarry blast",
      "ice quake",
      "other event",
    ])
    .expectColumnValuesToBeInSet("status", ["automatic", "reviewed", "deleted"])
    .expectColumnValuesToMatchStrftimeFormat("day", "%Y-%m-%d")
    .expectCompoundColumnsToBeUnique(["time", "latitude", "longitude"])
    .expectColumnValuesToBeBetween("mag", 0, 10, {
      rowCondition: 'col("type") == "earthquake"',
      mostly: 0.95,
    })
    .expectColumnMeanToBeBetween("mag", 0, 3)
    .expectColumnMaxToBeBetween("mag", 2, 9.5)
    .expectColumnStdevToBeBetween("mag", 0.1, 3)
    .expectColumnMedianToBeBetween("depth", 0, 100)
    .expectColumnUniqueValueCountToBeBetween("net", 3, 40)
    .expectColumnProportionOfUniqueValuesToBeBetween("id", 1, 1);
}

if (import.meta.main) {
  parseCommandLine({
    command: "deno task demo:quality",
    summary:
      "Validates the recorded USGS week against its suite; writes the JSON result and Data Docs.",
    flags: {},
  });
  const rows = await readUsgsWeek();
  const checkpoint = new Checkpoint({
    name: "usgs_week",
    // The recorded feed lists the newest events first.
    suite: usgsEventSuite().expectColumnValuesToBeDecreasing("time", {
      meta: { notes: "the recorded feed lists newest events first" },
    }),
    resultPath: "out/quality_result.json",
    dataDocsPath: "out/quality_docs.html",
    action: "warn",
  });
  const started = performance.now();
  const outcome = await checkpoint.run(rows);
  const s = outcome.validation_result.statistics;
  console.log(
    `${rows.length} events, ${s.evaluated_expectations} expectations: ${s.successful_expectations} passed, ` +
      `${s.unsuccessful_expectations} failed (${
        (performance.now() - started).toFixed(0)
      } ms)`,
  );
  for (const r of outcome.validation_result.results.filter((r) => !r.success)) {
    console.log(
      `  ✘ ${r.expectation_config.expectation_type} ${
        JSON.stringify(r.expectation_config.kwargs)
      }: ` +
        (r.exception_info.exception_message ??
          JSON.stringify(
            r.result.partial_unexpected_list ?? r.result.observed_value,
          )),
    );
  }
  console.log(
    `Result: ${outcome.result_path}\nData Docs: ${outcome.data_docs_path}`,
  );
}
