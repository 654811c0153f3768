/**
 * The USGS FDSN event service: {@linkcode UsgsClient}, which pages through
 * any time window completely and once, and {@linkcode createUsgsServer}, a
 * local stand-in true to the real service with injectable faults.
 *
 * @example Fetch every event through faults
 * ```ts
 * import assert from "node:assert/strict";
 * import { createUsgsServer, UsgsClient, type UsgsFeature } from "./mod.ts";
 * const events: UsgsFeature[] = Array.from({ length: 50 }, (_, i) => ({
 *   type: "Feature",
 *   id: `ev${i}`,
 *   properties: { mag: 2, place: "Somewhere", time: Date.UTC(2018, 1, 1) + i, updated: 0 },
 *   geometry: { type: "Point", coordinates: [0, 0, 10] },
 * }));
 * await using server = await createUsgsServer({
 *   events,
 *   faults: { schedule: { 2: "503", 3: "drop", 5: "truncate" } },
 * });
 * const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 20, retry: { delay: 1 } });
 * const got = await Array.fromAsync(usgs.query({ starttime: "2018-02-01", endtime: "2018-02-02" }));
 * assert.equal(got.length, 50);
 * ```
 *
 * ## How it works
 *
 * {@linkcode UsgsClient.query} counts a time window, halves it while it
 * holds more than the service's 20,000-event cap, pages each window with
 * `limit` and a 1-based `offset` in time order, and drops ids it has
 * already yielded. Each page must make progress: a page that only repeats
 * ids, or a window whose pages yield fewer events than its count, is split
 * by time again (ties on time have no stable order on the service); a
 * millisecond that cannot be split is paged with `offset` alone, and if that
 * still falls short the query fails naming what was missing.
 *
 * ```text
 *  [start, end] ─► count ─► > cap? ─► halve ─► [start, mid] [mid, end]
 *                              │ no
 *                              ▼
 *            page 1, 1+n, 1+2n … (limit n) ─► drop seen ids ─► yield
 *                              │ no progress / short
 *                              └────────► re-split ─► error if 1 ms
 * ```
 *
 * The server reads each request with the module's raw HTTP/1.1 loop
 * (`../_tcp_server.ts`), parses the query by the service's rules
 * (`_fdsn_query.ts`) and writes GeoJSON, CSV, text or QuakeML
 * (`_formats.ts`).
 *
 * Files: `client.ts` (UsgsClient), `server.ts` (createUsgsServer and its
 * faults), `types.ts` (the GeoJSON shapes), `_fdsn_query.ts`, `_formats.ts`.
 *
 * @module
 */

export * from "./types.ts";
export * from "./server.ts";
export * from "./client.ts";
