/**
 * The stand-in server's four output formats, laid out as the USGS service's
 * feeds write them: GeoJSON (`FeatureCollection`, or a single `Feature` for
 * an `eventid`), CSV (the 22 columns of `CSVFeed`), text (the 13
 * pipe-separated columns of `TextFeed`, the FDSN text format) and QuakeML
 * 1.2 (the service's default: origin, magnitude and description per event).
 *
 * @module
 */

import type { UsgsFeature } from "./types.ts";
import type { FdsnFormat } from "./_fdsn_query.ts";

/** The media type the service sends with each format. */
export const CONTENT_TYPES: Readonly<Record<FdsnFormat, string>> = {
  geojson: "application/json",
  csv: "text/csv; charset=utf-8",
  text: "text/plain; charset=utf-8",
  quakeml: "application/xml",
};

const CSV_COLUMNS = [
  "time",
  "latitude",
  "longitude",
  "depth",
  "mag",
  "magType",
  "nst",
  "gap",
  "dmin",
  "rms",
  "net",
  "id",
  "updated",
  "place",
  "type",
  "horizontalError",
  "depthError",
  "magError",
  "magNst",
  "status",
  "locationSource",
  "magSource",
];
const TEXT_HEADER =
  "#EventID|Time|Latitude|Longitude|Depth/km|Author|Catalog|Contributor|ContributorID|MagType|Magnitude|MagAuthor|EventLocationName\n";

const cell = (value: unknown): string =>
  value === null || value === undefined ? "" : String(value);
const iso = (ms: number): string => new Date(ms).toISOString();

function csvRow(f: UsgsFeature): string {
  const p = f.properties;
  const [lon, lat, depth] = f.geometry.coordinates;
  const net = cell(p.net);
  return [
    iso(p.time),
    lat,
    lon,
    depth,
    cell(p.mag),
    cell(p.magType),
    cell(p.nst),
    cell(p.gap),
    cell(p.dmin),
    cell(p.rms),
    net,
    f.id,
    iso(p.updated),
    `"${cell(p.place).replaceAll('"', '""')}"`,
    cell(p.type ?? "earthquake"),
    cell(p.horizontalError),
    cell(p.depthError),
    cell(p.magError),
    cell(p.magNst),
    cell(p.status),
    cell(p.locationSource ?? p.net),
    cell(p.magSource ?? p.net),
  ].join(",") + "\n";
}

function textRow(f: UsgsFeature): string {
  const p = f.properties;
  const [lon, lat, depth] = f.geometry.coordinates;
  const net = cell(p.net);
  return [
    f.id,
    iso(p.time).slice(0, -1),
    lat,
    lon,
    depth,
    cell(p.locationSource ?? p.net),
    net,
    net,
    f.id,
    cell(p.magType),
    cell(p.mag),
    cell(p.magSource ?? p.net),
    cell(p.place),
  ].join("|") + "\n";
}

const xml = (value: unknown): string =>
  cell(value).replace(
    /[&<>"']/g,
    (c) =>
      `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "apos" }[c]};`,
  );

function quakemlEvent(f: UsgsFeature, service: string): string {
  const p = f.properties;
  const [lon, lat, depth] = f.geometry.coordinates;
  const id = xml(f.id);
  const net = xml(p.net ?? "");
  const product = `quakeml:${service}/product/origin/${id}`;
  return `<event publicID="quakeml:${service}/query?eventid=${id}&amp;format=quakeml" catalog:datasource="${net}" catalog:eventsource="${net}" catalog:eventid="${id}">` +
    `<description><type>earthquake name</type><text>${
      xml(p.place)
    }</text></description>` +
    `<origin publicID="${product}"><time><value>${
      iso(p.time)
    }</value></time><longitude><value>${lon}</value></longitude><latitude><value>${lat}</value></latitude><depth><value>${
      depth * 1000
    }</value></depth></origin>` +
    (p.mag === null
      ? ""
      : `<magnitude publicID="${product}#magnitude"><mag><value>${p.mag}</value></mag>${
        p.magType ? `<type>${xml(p.magType)}</type>` : ""
      }</magnitude>`) +
    `<preferredOriginID>${product}</preferredOriginID>` +
    `<type>${xml(p.type ?? "earthquake")}</type>` +
    `<creationInfo><creationTime>${
      iso(p.updated)
    }</creationTime></creationInfo></event>\n`;
}

/** What a response body needs besides the events. */
export interface FeedContext {
  /** The request URL, for GeoJSON's metadata and QuakeML's ids. */
  url: string;
  /** When the response was generated (epoch ms). */
  generated: number;
  /** The service version. */
  api: string;
  /** The request's `limit`, if any (shown with `offset` in the metadata). */
  limit: number | undefined;
  offset: number;
}

/** Writes `events` in `format`. */
export function feed(
  format: FdsnFormat,
  events: readonly UsgsFeature[],
  context: FeedContext,
): string {
  switch (format) {
    case "geojson":
      return JSON.stringify({
        type: "FeatureCollection",
        metadata: {
          generated: context.generated,
          url: context.url,
          title: "USGS Earthquakes",
          status: 200,
          api: context.api,
          ...(context.limit === undefined
            ? {}
            : { limit: context.limit, offset: context.offset }),
          count: events.length,
        },
        features: events,
      });
    case "csv":
      return CSV_COLUMNS.join(",") + "\n" + events.map(csvRow).join("");
    case "text":
      return TEXT_HEADER + events.map(textRow).join("");
    case "quakeml": {
      const service = "earthquake.usgs.gov/fdsnws/event/1";
      return `<?xml version="1.0" encoding="UTF-8"?>\n` +
        `<q:quakeml xmlns="http://quakeml.org/xmlns/bed/1.2" xmlns:catalog="http://anss.org/xmlns/catalog/0.1" xmlns:q="http://quakeml.org/xmlns/quakeml/1.2">\n` +
        `<eventParameters publicID="quakeml:${xml(context.url)}">\n` +
        events.map((f) => quakemlEvent(f, service)).join("") +
        `<creationInfo><creationTime>${
          iso(context.generated)
        }</creationTime></creationInfo>\n</eventParameters>\n</q:quakeml>\n`;
    }
  }
}
