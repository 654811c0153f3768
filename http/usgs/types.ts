/**
 * Types of the USGS FDSN event service's GeoJSON.
 *
 * @module
 */

/**
 * Properties of a USGS earthquake feature (GeoJSON `properties`).
 *
 * @example Properties of one event
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UsgsProperties } from "./mod.ts";
 * const p: UsgsProperties = { mag: 4.1, place: "10km SSW of Hualian, Taiwan", time: 0, updated: 0 };
 * assert.equal(p.place?.split(", ").at(-1), "Taiwan");
 * ```
 */
export interface UsgsProperties {
  /** Magnitude (may be null for some events). */
  mag: number | null;
  /** Human-readable place, e.g. `"10km SSW of Hualian, Taiwan"`. */
  place: string | null;
  /** Origin time in epoch milliseconds. */
  time: number;
  /** Last update in epoch milliseconds. */
  updated: number;
  /** Timezone offset in minutes (deprecated by USGS, often null). */
  tz?: number | null;
  /** Event page URL. */
  url?: string;
  /** Detail GeoJSON URL. */
  detail?: string;
  /** Felt reports. */
  felt?: number | null;
  /** Community intensity. */
  cdi?: number | null;
  /** Instrumental intensity. */
  mmi?: number | null;
  /** PAGER alert level. */
  alert?: string | null;
  /** `"automatic"` or `"reviewed"`. */
  status?: string;
  /** 1 when a tsunami message was issued. */
  tsunami?: number;
  /** Significance. */
  sig?: number;
  /** Contributing network. */
  net?: string;
  /** Network's event code. */
  code?: string;
  /** Comma-separated associated ids. */
  ids?: string;
  /** Comma-separated sources. */
  sources?: string;
  /** Comma-separated product types. */
  types?: string;
  /** Number of stations. */
  nst?: number | null;
  /** Distance to the nearest station (degrees). */
  dmin?: number | null;
  /** Root-mean-square travel time residual. */
  rms?: number | null;
  /** Azimuthal gap (degrees). */
  gap?: number | null;
  /** Magnitude type, e.g. `"ml"`. */
  magType?: string | null;
  /** Event type, e.g. `"earthquake"`. */
  type?: string;
  /** Title, e.g. `"M 4.1 - 10km SSW of Hualian, Taiwan"`. */
  title?: string;
  /** Any other property. */
  [key: string]: unknown;
}

/**
 * One earthquake as the FDSN event service's GeoJSON returns it.
 *
 * @example A minimal feature
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UsgsFeature } from "./mod.ts";
 * const feature: UsgsFeature = {
 *   type: "Feature",
 *   id: "us1000abcd",
 *   properties: { mag: 4.5, place: "10km SSW of Hualian, Taiwan", time: 0, updated: 0 },
 *   geometry: { type: "Point", coordinates: [121.6, 23.9, 10] },
 * };
 * assert.equal(feature.geometry.coordinates[2], 10);
 * ```
 */
export interface UsgsFeature {
  /** Always `"Feature"`. */
  type: "Feature";
  /** The event id, e.g. `"ci37847511"`. */
  id: string;
  /** The event's properties. */
  properties: UsgsProperties;
  /** The epicentre: `[longitude, latitude, depth km]`. */
  geometry: {
    /** Always `"Point"`. */
    type: "Point";
    /** `[longitude, latitude, depth]`. */
    coordinates: [number, number, number];
  };
}

/**
 * The GeoJSON body of a `query` with `format=geojson`.
 *
 * @example An empty page
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UsgsFeatureCollection } from "./mod.ts";
 * const page: UsgsFeatureCollection = {
 *   type: "FeatureCollection",
 *   metadata: { generated: 0, url: "", title: "", status: 200, api: "1.14.1", count: 0 },
 *   features: [],
 * };
 * assert.equal(page.features.length, 0);
 * ```
 */
export interface UsgsFeatureCollection {
  /** Always `"FeatureCollection"`. */
  type: "FeatureCollection";
  /** Request metadata. */
  metadata: {
    /** When the response was generated (epoch ms). */
    generated: number;
    /** The request URL. */
    url: string;
    /** A title. */
    title: string;
    /** HTTP status. */
    status: number;
    /** Service version. */
    api: string;
    /** Number of features in this response. */
    count: number;
    /** The `limit` the request asked for. */
    limit?: number;
    /** The `offset` the request asked for. */
    offset?: number;
  };
  /** The events. */
  features: UsgsFeature[];
}

/**
 * What {@linkcode createUsgsServer} accepts as an event: a GeoJSON feature
 * with at least an id, a `time` and coordinates (looser than
 * {@linkcode UsgsFeature}, so features read from any file fit).
 *
 * @example From a parsed feed
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UsgsFeatureInput } from "./mod.ts";
 * const input: UsgsFeatureInput = {
 *   id: "ak18263954",
 *   properties: { mag: 1.2, place: "Alaska", time: 1517961000000 },
 *   geometry: { coordinates: [-150, 61, 30] },
 * };
 * assert.equal(input.id, "ak18263954");
 * ```
 */
export interface UsgsFeatureInput {
  /** `"Feature"` (assumed when absent). */
  type?: string;
  /** The event id. */
  id: string;
  /** Properties; `time` is required, `updated` defaults to `time`. */
  properties: {
    /** Magnitude. */
    mag?: number | null;
    /** Place. */
    place?: string | null;
    /** Origin time in epoch ms. */
    time: number;
    /** Last update in epoch ms. */
    updated?: number;
    /** Any other property. */
    [key: string]: unknown;
  };
  /** The epicentre. */
  geometry: {
    /** `"Point"` (assumed when absent). */
    type?: string;
    /** `[longitude, latitude, depth]`. */
    coordinates: readonly number[];
  };
}
