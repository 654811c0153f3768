/**
 * The stand-in server's reading of an FDSN event query, rule for rule as the
 * USGS service's public code (`FDSNEventWebService::parseQuery`) applies
 * them: empty values are skipped, names are case-sensitive with USGS's short
 * aliases, numbers must be decimal and in range, and the combinations are
 * checked after every parameter was read (circle complete, min ≤ max,
 * date-line searches bounded on both sides, at most 360° of longitude). A
 * query without `starttime` covers the last 30 days.
 *
 * @module
 */

import type { UsgsFeature } from "./types.ts";

/** A query the service refuses with 400; the message is the body's reason. */
export class BadRequest extends Error {}

/** Parameter names (with USGS's short aliases) the server understands. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ["starttime", "starttime"],
  ["start", "starttime"],
  ["endtime", "endtime"],
  ["end", "endtime"],
  ["updatedafter", "updatedafter"],
  ["minmagnitude", "minmagnitude"],
  ["minmag", "minmagnitude"],
  ["maxmagnitude", "maxmagnitude"],
  ["maxmag", "maxmagnitude"],
  ["mindepth", "mindepth"],
  ["maxdepth", "maxdepth"],
  ["minlatitude", "minlatitude"],
  ["minlat", "minlatitude"],
  ["maxlatitude", "maxlatitude"],
  ["maxlat", "maxlatitude"],
  ["minlongitude", "minlongitude"],
  ["minlon", "minlongitude"],
  ["maxlongitude", "maxlongitude"],
  ["maxlon", "maxlongitude"],
  ["latitude", "latitude"],
  ["lat", "latitude"],
  ["longitude", "longitude"],
  ["lon", "longitude"],
  ["minradius", "minradius"],
  ["maxradius", "maxradius"],
  ["minradiuskm", "minradiuskm"],
  ["maxradiuskm", "maxradiuskm"],
  ["eventid", "eventid"],
  ["eventtype", "eventtype"],
  ["catalog", "catalog"],
  ["contributor", "contributor"],
  ["limit", "limit"],
  ["offset", "offset"],
  ["orderby", "orderby"],
  ["format", "format"],
  ["nodata", "nodata"],
]);

/** The output formats served; `xml` is the service's alias of `quakeml`. */
export type FdsnFormat = "quakeml" | "geojson" | "csv" | "text";

const FORMATS = new Set(["quakeml", "xml", "geojson", "csv", "text"]);
const ORDERS = ["time", "time-asc", "magnitude", "magnitude-asc"];
const DAY = 86_400_000;
/** Kilometres per degree of arc, the service's constant for `*radiuskm`. */
const KM_PER_DEGREE = 111.12;
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

/** A parsed query: what to match and how to answer. */
export interface FdsnQuery {
  /** The parameters as given, under their long names. */
  params: Record<string, string>;
  /** Whether an event matches. */
  matches: (f: UsgsFeature) => boolean;
  /** `limit`, when given (`offset` only counts with it). */
  limit: number | undefined;
  /** The 1-based `offset` (1 without a `limit`). */
  offset: number;
  orderby: string;
  format: FdsnFormat;
  nodata: 204 | 404;
  eventid: string | undefined;
}

function parseTime(name: string, value: string): number {
  // FDSN times are UTC unless a zone is given.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00Z`
    : /[zZ]|[+-]\d{2}:?\d{2}$/.test(value)
    ? value
    : `${value}Z`;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new BadRequest(`Bad ${name} value "${value}".`);
  return ms;
}

function parseFloatIn(
  name: string,
  value: string,
  min?: number,
  max?: number,
): number {
  const n = Number(value);
  if (!DECIMAL.test(value) || !Number.isFinite(n)) {
    throw new BadRequest(`Bad ${name} value "${value}".`);
  }
  if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
    throw new BadRequest(
      `Bad ${name} value "${value}". Valid values are between ${min} and ${max}.`,
    );
  }
  return n;
}

function parseIntegerIn(
  name: string,
  value: string,
  min: number,
  max?: number,
): number {
  const n = Number(value);
  if (!INTEGER.test(value) || n < min || (max !== undefined && n > max)) {
    throw new BadRequest(
      `Bad ${name} value "${value}". Valid values are integers ${
        max === undefined ? `of at least ${min}` : `between ${min} and ${max}`
      }.`,
    );
  }
  return n;
}

function enumerated<T extends string>(
  name: string,
  value: string,
  allowed: readonly T[] | ReadonlySet<string>,
): T {
  const ok = allowed instanceof Set
    ? allowed.has(value)
    : (allowed as readonly string[]).includes(value);
  if (!ok) {
    const list = [...allowed].join(", ");
    throw new BadRequest(
      `Bad ${name} value "${value}". Valid values are: ${list}.`,
    );
  }
  return value as T;
}

/** Great-circle distance in degrees (haversine), as the service computes it. */
export function arcDegrees(
  lat1: number,
  lon1: number,
  lat2: number,
  lon2: number,
): number {
  const rad = Math.PI / 180;
  const a = Math.sin((lat2 - lat1) * rad / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) *
      Math.sin((lon2 - lon1) * rad / 2) ** 2;
  return 2 * Math.asin(Math.min(1, Math.sqrt(a))) / rad;
}

/** The catalogs and contributors the served events name. */
export interface Sources {
  catalogs: ReadonlySet<string>;
  contributors: ReadonlySet<string>;
}

/** Reads one query string; throws {@linkcode BadRequest} as the service would. */
export function parseFdsnQuery(
  search: URLSearchParams,
  options: { maxEvents: number; now: number; sources: Sources },
): FdsnQuery {
  const params: Record<string, string> = {};
  for (const [key, value] of search) {
    if (value === "") continue; // the service skips empty values
    const name = ALIASES.get(key);
    if (name === undefined) throw new BadRequest(`Unknown parameter "${key}".`);
    params[name] = value;
  }
  const num = (name: string, min?: number, max?: number) =>
    params[name] === undefined
      ? undefined
      : parseFloatIn(name, params[name]!, min, max);
  const time = (name: string) =>
    params[name] === undefined ? undefined : parseTime(name, params[name]!);

  const start = time("starttime") ?? options.now - 30 * DAY;
  const end = time("endtime");
  const updatedafter = time("updatedafter");
  const minmag = num("minmagnitude");
  const maxmag = num("maxmagnitude");
  const mindepth = num("mindepth");
  const maxdepth = num("maxdepth");
  let minlat = num("minlatitude", -90, 90);
  let maxlat = num("maxlatitude", -90, 90);
  let minlon = num("minlongitude", -360, 360);
  let maxlon = num("maxlongitude", -360, 360);
  const lat = num("latitude", -90, 90);
  const lon = num("longitude", -180, 180);
  let minradius = num("minradius", 0, 180) ?? 0;
  let maxradius = num("maxradius", 0, 180);
  const minradiuskm = num("minradiuskm", 0, 20001.6);
  const maxradiuskm = num("maxradiuskm", 0, 20001.6);
  const limit = params.limit === undefined
    ? undefined
    : parseIntegerIn("limit", params.limit, 0, options.maxEvents);
  const offset = params.offset === undefined
    ? 1
    : parseIntegerIn("offset", params.offset, 1);
  const orderby = params.orderby === undefined
    ? "time"
    : enumerated("orderby", params.orderby, ORDERS);
  const formatName = params.format === undefined
    ? "quakeml"
    : enumerated("format", params.format, FORMATS);
  const format: FdsnFormat = formatName === "xml"
    ? "quakeml"
    : formatName as FdsnFormat;
  const nodata = params.nodata === undefined
    ? 204
    : Number(enumerated("nodata", params.nodata, ["204", "404"])) as 204 | 404;
  const catalog = params.catalog === undefined
    ? undefined
    : enumerated("catalog", params.catalog, options.sources.catalogs);
  const contributor = params.contributor === undefined ? undefined : enumerated(
    "contributor",
    params.contributor,
    options.sources.contributors,
  );
  const eventtypes = params.eventtype?.split(",");
  const eventid = params.eventid;

  // Combinations, in the service's order.
  if (minradiuskm !== undefined) {
    if (params.minradius !== undefined && minradius !== 0) {
      throw new BadRequest(
        "Invalid area-circle parameter combination.\nminradius and minradiuskm can not both be specified.",
      );
    }
    minradius = minradiuskm / KM_PER_DEGREE;
  }
  if (maxradiuskm !== undefined) {
    if (maxradius !== undefined) {
      throw new BadRequest(
        "Invalid area-circle parameter combination.\nmaxradius and maxradiuskm can not both be specified.",
      );
    }
    maxradius = maxradiuskm / KM_PER_DEGREE;
  }
  const circle = lat !== undefined || lon !== undefined ||
    maxradius !== undefined;
  if (
    circle &&
    (lat === undefined || lon === undefined || maxradius === undefined)
  ) {
    throw new BadRequest(
      "Invalid area-circle parameter combination.\nlatitude, longitude, and maxradius must all be specified for area-circle.",
    );
  }
  if (minlat !== undefined && maxlat !== undefined && minlat > maxlat) {
    throw new BadRequest("minlatitude must be less than maxlatitude");
  }
  if (minlon !== undefined && maxlon !== undefined && minlon > maxlon) {
    throw new BadRequest("minlongitude must be less than maxlongitude");
  }
  if (
    (minlon !== undefined && minlon < -180 && maxlon === undefined) ||
    (maxlon !== undefined && maxlon > 180 && minlon === undefined)
  ) {
    throw new BadRequest(
      "Searches that cross dateline require both minlongitude and maxlongitude.",
    );
  }
  if (minlon !== undefined && maxlon !== undefined) {
    const span = maxlon - minlon;
    if (span > 360) {
      throw new BadRequest(
        "Searches cannot span more than 360 degrees of longitude.",
      );
    }
    if (span === 360) minlon = maxlon = undefined;
  }
  // A rectangle wholly beyond ±180 is the same rectangle shifted by 360°.
  if (minlon !== undefined && maxlon !== undefined) {
    if (minlon < -180 && maxlon < -180) (minlon += 360), (maxlon += 360);
    else if (minlon > 180 && maxlon > 180) (minlon -= 360), (maxlon -= 360);
  }
  // The service narrows a circle to its bounding box as well.
  if (circle) {
    maxlat = Math.min(lat! + maxradius!, maxlat ?? 90);
    minlat = Math.max(lat! - maxradius!, minlat ?? -90);
  }

  const tests: Array<(f: UsgsFeature) => boolean> = [];
  const between = (
    get: (f: UsgsFeature) => number | null | undefined,
    min: number | undefined,
    max: number | undefined,
  ) => {
    if (min === undefined && max === undefined) return;
    tests.push((f) => {
      const v = get(f);
      return v !== null && v !== undefined &&
        (min === undefined || v >= min) && (max === undefined || v <= max);
    });
  };
  between((f) => f.properties.time, start, end);
  between((f) => f.properties.updated, updatedafter, undefined);
  between((f) => f.properties.mag, minmag, maxmag);
  between((f) => f.geometry.coordinates[2], mindepth, maxdepth);
  between((f) => f.geometry.coordinates[1], minlat, maxlat);
  if (
    minlon !== undefined && maxlon !== undefined &&
    (minlon < -180 || maxlon > 180)
  ) {
    // Across the date line: two ranges, one on each side.
    const [leftMin, rightMax] = minlon < -180
      ? [minlon + 360, maxlon]
      : [minlon, maxlon - 360];
    tests.push((f) => {
      const x = f.geometry.coordinates[0];
      return (x >= leftMin && x <= 180) || (x >= -180 && x <= rightMax);
    });
  } else {
    between((f) => f.geometry.coordinates[0], minlon, maxlon);
  }
  if (circle) {
    const inner = minradius;
    const outer = maxradius!;
    tests.push((f) => {
      const d = arcDegrees(
        lat!,
        lon!,
        f.geometry.coordinates[1],
        f.geometry.coordinates[0],
      );
      return d >= inner && d <= outer;
    });
  }
  if (eventtypes !== undefined) {
    tests.push((f) =>
      eventtypes.includes(String(f.properties.type ?? "earthquake"))
    );
  }
  if (catalog !== undefined) {
    tests.push((f) => f.properties.net === catalog);
  }
  if (contributor !== undefined) {
    tests.push((f) => sourcesOf(f).includes(contributor));
  }
  if (eventid !== undefined) {
    tests.push((f) => f.id === eventid || idsOf(f).includes(eventid));
  }
  return {
    params,
    matches: (f) => tests.every((t) => t(f)),
    limit,
    offset: limit === undefined ? 1 : offset,
    orderby,
    format,
    nodata,
    eventid,
  };
}

/** The comma-wrapped list USGS keeps in `ids` / `sources`, as an array. */
function listOf(value: unknown): string[] {
  return typeof value === "string" ? value.split(",").filter(Boolean) : [];
}

/** Every id the event is known by. */
export function idsOf(f: UsgsFeature): string[] {
  return listOf(f.properties.ids);
}

/** The networks that contributed to the event (its `net` when `sources` is absent). */
export function sourcesOf(f: UsgsFeature): string[] {
  const sources = listOf(f.properties.sources);
  return sources.length > 0 || typeof f.properties.net !== "string"
    ? sources
    : [f.properties.net];
}

/** Sorts in place by `orderby`; ties keep the order the events were given in. */
export function sortEvents(
  events: UsgsFeature[],
  orderby: string,
): UsgsFeature[] {
  const key = orderby.startsWith("magnitude")
    ? (f: UsgsFeature) => f.properties.mag ?? -Infinity
    : (f: UsgsFeature) => f.properties.time;
  const sign = orderby.endsWith("-asc") ? 1 : -1;
  return events.sort((a, b) => sign * (key(a) - key(b)));
}
