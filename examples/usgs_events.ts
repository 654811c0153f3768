/**
 * The earthquake data the benchmark works on: the recorded USGS week, the
 * region rule, and deterministic resampled replicas for larger scales.
 *
 * @module
 */

import { seededRandom } from "../internal/random.ts";
import type { UsgsFeature } from "../http/mod.ts";

/** A USGS GeoJSON feature: the http module's type, shared by every example. */
export type { UsgsFeature };

/** The compact event record the pipeline produces to kafka and aggregates. */
export interface QuakeEvent {
  id: string;
  time: number;
  mag: number | null;
  place: string | null;
  lon: number;
  lat: number;
  depth: number;
}

/** Where the recorded week lives in the repository. */
export const RECORDED_WEEK_URL: URL = new URL(
  "./data/usgs_all_week_2018-02-07.geojson.gz",
  import.meta.url,
);

/** Reads a GeoJSON FeatureCollection file, gzip-compressed when it ends in `.gz`. */
export async function readFeatureCollection(
  path: string | URL,
): Promise<UsgsFeature[]> {
  const name = path instanceof URL ? path.pathname : path;
  let text: string;
  try {
    if (name.endsWith(".gz")) {
      const file = await Deno.open(path);
      text = await new Response(
        file.readable.pipeThrough(new DecompressionStream("gzip")),
      ).text();
    } else {
      text = await Deno.readTextFile(path);
    }
  } catch (cause) {
    throw new Error(`Cannot read GeoJSON file: ${name}`, { cause });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (cause) {
    throw new Error(`GeoJSON file is not valid JSON: ${name}`, { cause });
  }
  const features = (body as { features?: unknown })?.features;
  if (!Array.isArray(features)) {
    throw new Error(`GeoJSON file has no "features" array: ${name}`);
  }
  return features as UsgsFeature[];
}

/** The recorded USGS "all earthquakes, past week" feed of 2018-02-07 (1,707 events). */
export function readRecordedWeek(): Promise<UsgsFeature[]> {
  return readFeatureCollection(RECORDED_WEEK_URL);
}

/** Flattens a feature to the compact record the pipeline carries. */
export function toQuakeEvent(feature: UsgsFeature): QuakeEvent {
  const [lon = NaN, lat = NaN, depth = NaN] = feature.geometry?.coordinates ??
    [];
  return {
    id: feature.id,
    time: feature.properties.time,
    mag: feature.properties.mag,
    place: feature.properties.place,
    lon,
    lat,
    depth,
  };
}

/** US state (and Mexico) abbreviations USGS uses at the end of `place`. */
export const REGION_ABBREVIATIONS: Readonly<Record<string, string>> = {
  AK: "Alaska",
  AL: "Alabama",
  AR: "Arkansas",
  AZ: "Arizona",
  CA: "California",
  CO: "Colorado",
  CT: "Connecticut",
  DE: "Delaware",
  FL: "Florida",
  GA: "Georgia",
  HI: "Hawaii",
  IA: "Iowa",
  ID: "Idaho",
  IL: "Illinois",
  IN: "Indiana",
  KS: "Kansas",
  KY: "Kentucky",
  LA: "Louisiana",
  MA: "Massachusetts",
  MD: "Maryland",
  ME: "Maine",
  MI: "Michigan",
  MN: "Minnesota",
  MO: "Missouri",
  MS: "Mississippi",
  MT: "Montana",
  NC: "North Carolina",
  ND: "North Dakota",
  NE: "Nebraska",
  NH: "New Hampshire",
  NJ: "New Jersey",
  NM: "New Mexico",
  NV: "Nevada",
  NY: "New York",
  OH: "Ohio",
  OK: "Oklahoma",
  OR: "Oregon",
  PA: "Pennsylvania",
  PR: "Puerto Rico",
  RI: "Rhode Island",
  SC: "South Carolina",
  SD: "South Dakota",
  TN: "Tennessee",
  TX: "Texas",
  UT: "Utah",
  VA: "Virginia",
  VT: "Vermont",
  WA: "Washington",
  WI: "Wisconsin",
  WV: "West Virginia",
  WY: "Wyoming",
  MX: "Mexico",
};

/**
 * The region of a place: the text after its last comma ("4km W of Castaic, CA"
 * → "California"), or the whole place when it has no comma.
 */
export function regionOf(place: string | null | undefined): string {
  if (!place) return "Unknown";
  const region = place.slice(place.lastIndexOf(",") + 1).trim();
  return REGION_ABBREVIATIONS[region] ?? (region || "Unknown");
}

export { seededRandom };

/**
 * `count` events resampled from `source`: the source itself when `count`
 * equals its length, otherwise events drawn with a fixed seed, each with a
 * fresh id, so every run at a scale sees the same data.
 */
export function* replicate(
  source: readonly QuakeEvent[],
  count: number,
  seed = 20180207,
): Generator<QuakeEvent> {
  if (count === source.length) {
    yield* source;
    return;
  }
  if (source.length === 0) {
    throw new Error(`Cannot resample an empty event list to ${count} events`);
  }
  const random = seededRandom(seed);
  for (let i = 0; i < count; i++) {
    const event = source[Math.floor(random() * source.length)]!;
    yield { ...event, id: `${event.id}-r${i}` };
  }
}

/** Counts events with magnitude above `minMag` by region, largest first. */
export function countByRegion(
  events: Iterable<QuakeEvent>,
  minMag = 4,
): { region: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const e of events) {
    if (e.mag !== null && e.mag > minMag) {
      const region = regionOf(e.place);
      counts.set(region, (counts.get(region) ?? 0) + 1);
    }
  }
  return rankRegions(counts);
}

/** Orders region counts by count descending, then region name. */
export function rankRegions(
  counts: Iterable<[string, number]>,
): { region: string; count: number }[] {
  return [...counts].map(([region, count]) => ({ region, count }))
    .sort((a, b) =>
      b.count - a.count ||
      (a.region < b.region ? -1 : a.region > b.region ? 1 : 0)
    );
}
