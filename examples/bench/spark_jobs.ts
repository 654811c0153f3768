/**
 * The spark jobs the benchmarks time (`bench:spark`, `bench:spark-ab`,
 * `bench:spark-events`): a CPU-bound map and a count by region over the
 * earthquake CSV of `spark_data.ts`.
 *
 * @module
 */

import type { SparkContext } from "../../spark/mod.ts";

/** The USGS CSV's columns and types. */
export const QUAKE_SCHEMA = {
  time: "string",
  latitude: "number",
  longitude: "number",
  depth: "number",
  mag: "number",
  magType: "string",
  nst: "integer",
  gap: "number",
  dmin: "number",
  rms: "number",
  net: "string",
  id: "string",
  updated: "string",
  place: "string",
  type: "string",
  horizontalError: "number",
  depthError: "number",
  magError: "number",
  magNst: "integer",
  status: "string",
  locationSource: "string",
  magSource: "string",
} as const;

/** 400 elements × 100,000 `Math.sin` in 8 partitions, summed. */
export function cpuBoundMap(sc: SparkContext): Promise<number> {
  return sc.range(0, 400, 1, 8).map((x) => {
    let s = 0;
    for (let i = 0; i < 100_000; i++) s += Math.sin(x + i);
    return s;
  }).reduce((a, b) => a + b);
}

/** Count by region where mag > 4, reading only `mag` and `place`. */
export async function countByRegion(
  sc: SparkContext,
  path: string,
): Promise<Map<string, number>> {
  const rows = sc.csv<{ mag: number | null; place: string | null }>(path, {
    header: true,
    schema: QUAKE_SCHEMA,
    columns: ["mag", "place"],
  });
  const counts = await rows
    .filter((r, env) => r.mag !== null && r.mag > env.min, { min: 4 })
    .map((r) => {
      const p = r.place ?? "";
      return [p.slice(p.lastIndexOf(",") + 1).trim(), 1] as [string, number];
    })
    .reduceByKey((a, b) => a + b)
    .collect();
  return new Map(counts);
}
