/**
 * A USGS-compatible FDSN event server for tests and offline benchmarks,
 * written on raw TCP so it can misbehave exactly like a real network:
 * drop a connection, cut a body short, stall.
 *
 * @module
 */

import { seededRandom } from "../internal/random.ts";
import { type Clock, systemClock } from "../internal/clock.ts";
import { InvalidInputError } from "./errors.ts";
import { TokenBucket } from "./token_bucket.ts";
import type { UsgsFeature, UsgsFeatureInput } from "./usgs_types.ts";

/**
 * The kinds of fault the server can inject.
 *
 * @example Pick fault kinds
 * ```ts
 * import type { FaultKind } from "./mod.ts";
 * const kinds: FaultKind[] = ["503", "drop"];
 * console.log(kinds.length); // 2
 * ```
 */
export type FaultKind = "503" | "429" | "slow" | "drop" | "truncate";

/**
 * One injected fault.
 *
 * @example A 429 asking for two seconds as an HTTP date
 * ```ts
 * import type { Fault } from "./mod.ts";
 * const fault: Fault = { kind: "429", retryAfter: 2, httpDate: true };
 * console.log(fault.kind); // 429
 * ```
 */
export interface Fault {
  /**
   * `"503"` Service Unavailable; `"429"` Too Many Requests with
   * `Retry-After`; `"slow"` answers normally after `delay`; `"drop"` closes
   * the connection without answering; `"truncate"` sends the headers and half
   * the body, then closes.
   */
  kind: FaultKind;
  /**
   * Seconds in a 429's `Retry-After`.
   * @default {1}
   */
  retryAfter?: number;
  /**
   * Send a 429's `Retry-After` as an HTTP date instead of seconds.
   * @default {false}
   */
  httpDate?: boolean;
  /**
   * Milliseconds a `"slow"` response stalls, on the server's clock.
   * @default {1_000}
   */
  delay?: number;
}

/**
 * Which requests fail, and how. Deterministic: by request number or a seeded generator.
 *
 * @example A schedule and a seeded rate
 * ```ts
 * import type { FaultOptions } from "./mod.ts";
 * const faults: FaultOptions = { schedule: { 1: "503" }, rate: 0.1, seed: 7 };
 * console.log(faults.rate); // 0.1
 * ```
 */
export interface FaultOptions {
  /** Faults by 1-based request number (every request counts, whatever its path). */
  schedule?: Record<number, FaultKind | Fault>;
  /**
   * Probability in `[0, 1]` that a request not in `schedule` gets a fault.
   * @default {0}
   */
  rate?: number;
  /**
   * Seed of the generator behind `rate`.
   * @default {1}
   */
  seed?: number;
  /**
   * Faults `rate` picks from, uniformly.
   * @default {["503", "429", "drop", "truncate"]}
   */
  kinds?: Array<FaultKind | Fault>;
}

/**
 * Options for {@linkcode createUsgsServer}.
 *
 * @example A rate-limited server
 * ```ts
 * import { createUsgsServer, type UsgsServerOptions } from "./mod.ts";
 * const options: UsgsServerOptions = { events: [], rateLimit: { capacity: 2, refillPerSecond: 1 } };
 * await using server = await createUsgsServer(options);
 * console.log(server.url.endsWith("/fdsnws/event/1")); // true
 * ```
 */
export interface UsgsServerOptions {
  /** The events served (GeoJSON features, e.g. the recorded week). */
  events: readonly UsgsFeatureInput[];
  /**
   * A server-side limit: requests beyond it get 429 with `Retry-After`.
   * @default {undefined}
   */
  rateLimit?: { capacity: number; refillPerSecond: number };
  /**
   * Injected faults.
   * @default {undefined}
   */
  faults?: FaultOptions;
  /**
   * Most events one response may hold; like USGS, a query matching more
   * without a `limit` is a 400.
   * @default {20_000}
   */
  maxEvents?: number;
  /**
   * Port to listen on; 0 picks a free one.
   * @default {0}
   */
  port?: number;
  /**
   * Interface to listen on.
   * @default {"127.0.0.1"}
   */
  hostname?: string;
  /**
   * Clock for the rate limit, slow faults, `Retry-After` dates and metadata.
   * @default {systemClock}
   */
  clock?: Clock;
}

/**
 * One request as the server saw it.
 *
 * @example Inspect the log
 * ```ts
 * import { createUsgsServer, type UsgsRequestLog } from "./mod.ts";
 * await using server = await createUsgsServer({ events: [] });
 * await (await fetch(`${server.url}/count`)).text();
 * const [first]: readonly UsgsRequestLog[] = server.requests;
 * console.log(first?.path, first?.status); // /fdsnws/event/1/count 200
 * ```
 */
export interface UsgsRequestLog {
  /** 1-based request number. */
  n: number;
  /** The path, e.g. `/fdsnws/event/1/query`. */
  path: string;
  /** The query parameters. */
  params: Record<string, string>;
  /** The status sent (0 for a dropped connection). */
  status: number;
  /** The injected fault, if any. */
  fault?: FaultKind;
  /** Events in the response body. */
  events: number;
}

/**
 * Counters of a running {@linkcode UsgsServer}.
 *
 * @example Read the counters
 * ```ts
 * import { createUsgsServer, type UsgsServerStats } from "./mod.ts";
 * await using server = await createUsgsServer({ events: [] });
 * const stats: UsgsServerStats = server.stats;
 * console.log(stats.requests); // 0
 * ```
 */
export interface UsgsServerStats {
  /** Requests received. */
  requests: number;
  /** Responses by status (0 counts dropped connections). */
  byStatus: Record<number, number>;
  /** Faults injected by kind. */
  faults: Record<FaultKind, number>;
  /** Requests refused by the rate limit. */
  rateLimited: number;
  /** Responses sent gzip-compressed. */
  gzipped: number;
  /** Events sent in complete 200 responses. */
  eventsServed: number;
}

/**
 * A running server from {@linkcode createUsgsServer}.
 *
 * @example Close it with await using
 * ```ts
 * import { createUsgsServer, type UsgsServer } from "./mod.ts";
 * await using server: UsgsServer = await createUsgsServer({ events: [] });
 * console.log(server.port > 0); // true
 * ```
 */
export interface UsgsServer extends AsyncDisposable {
  /** Base URL of the service, e.g. `http://127.0.0.1:4321/fdsnws/event/1`. */
  readonly url: string;
  /** The port it listens on. */
  readonly port: number;
  /** Counters. */
  readonly stats: UsgsServerStats;
  /** Every request in order. */
  readonly requests: readonly UsgsRequestLog[];
  /** Stops listening, closes open connections and waits for handlers. */
  close(): Promise<void>;
}

const BASE_PATH = "/fdsnws/event/1";
const SERVICE_VERSION = "1.14.1";
const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  204: "No Content",
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

/** Parameter names (with USGS's short aliases) the server understands. */
const ALIASES: Record<string, string> = {
  starttime: "starttime",
  start: "starttime",
  endtime: "endtime",
  end: "endtime",
  updatedafter: "updatedafter",
  minmagnitude: "minmagnitude",
  minmag: "minmagnitude",
  maxmagnitude: "maxmagnitude",
  maxmag: "maxmagnitude",
  mindepth: "mindepth",
  maxdepth: "maxdepth",
  minlatitude: "minlatitude",
  minlat: "minlatitude",
  maxlatitude: "maxlatitude",
  maxlat: "maxlatitude",
  minlongitude: "minlongitude",
  minlon: "minlongitude",
  maxlongitude: "maxlongitude",
  maxlon: "maxlongitude",
  eventid: "eventid",
  eventtype: "eventtype",
  limit: "limit",
  offset: "offset",
  orderby: "orderby",
  format: "format",
  nodata: "nodata",
};

/** A small seeded generator (mulberry32): same seed, same faults. */
const seeded = seededRandom;

function toFault(value: FaultKind | Fault): Fault {
  return typeof value === "string" ? { kind: value } : value;
}

class BadRequest extends Error {}

/** Fills the fields a served feature must have. */
function normalize(input: UsgsFeatureInput, index: number): UsgsFeature {
  if (
    !input || typeof input.id !== "string" ||
    typeof input.properties?.time !== "number" ||
    !Array.isArray(input.geometry?.coordinates)
  ) {
    throw new InvalidInputError(
      `Event ${index} must be a GeoJSON feature with an id, properties.time and coordinates: ${
        JSON.stringify(input)?.slice(0, 80)
      }`,
    );
  }
  const [lon = 0, lat = 0, depth = 0] = input.geometry.coordinates;
  return {
    ...input,
    type: "Feature",
    properties: {
      ...input.properties,
      mag: input.properties.mag ?? null,
      place: input.properties.place ?? null,
      updated: input.properties.updated ?? input.properties.time,
    },
    geometry: { type: "Point", coordinates: [lon, lat, depth] },
  };
}

function parseTime(name: string, value: string): number {
  // FDSN times are UTC unless a zone is given.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00Z`
    : /[zZ]|[+-]\d{2}:?\d{2}$/.test(value)
    ? value
    : `${value}Z`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    throw new BadRequest(`Bad ${name} value "${value}"`);
  }
  return ms;
}

function parseNumber(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n)) {
    throw new BadRequest(`Bad ${name} value "${value}"`);
  }
  return n;
}

interface Query {
  params: Record<string, string>;
  filter: (f: UsgsFeature) => boolean;
  limit?: number;
  offset: number;
  orderby: string;
  format: string | undefined;
  nodata: number;
}

function parseQuery(search: URLSearchParams, maxEvents: number): Query {
  const params: Record<string, string> = {};
  for (const [key, value] of search) {
    const name = ALIASES[key.toLowerCase()];
    if (!name) throw new BadRequest(`Unknown parameter "${key}"`);
    params[name] = value;
  }
  const tests: Array<(f: UsgsFeature) => boolean> = [];
  const bound = (
    name: string,
    get: (f: UsgsFeature) => number | null | undefined,
    cmp: (a: number, b: number) => boolean,
    parse = parseNumber,
  ) => {
    const raw = params[name];
    if (raw === undefined) return;
    const limit = parse(name, raw);
    tests.push((f) => {
      const v = get(f);
      return v !== null && v !== undefined && cmp(v, limit);
    });
  };
  const ge = (a: number, b: number) => a >= b;
  const le = (a: number, b: number) => a <= b;
  bound("starttime", (f) => f.properties.time, ge, parseTime);
  bound("endtime", (f) => f.properties.time, le, parseTime);
  bound("updatedafter", (f) => f.properties.updated, ge, parseTime);
  bound("minmagnitude", (f) => f.properties.mag, ge);
  bound("maxmagnitude", (f) => f.properties.mag, le);
  bound("mindepth", (f) => f.geometry.coordinates[2], ge);
  bound("maxdepth", (f) => f.geometry.coordinates[2], le);
  bound("minlatitude", (f) => f.geometry.coordinates[1], ge);
  bound("maxlatitude", (f) => f.geometry.coordinates[1], le);
  bound("minlongitude", (f) => f.geometry.coordinates[0], ge);
  bound("maxlongitude", (f) => f.geometry.coordinates[0], le);
  if (params.eventid !== undefined) {
    const id = params.eventid;
    tests.push((f) => f.id === id);
  }
  if (params.eventtype !== undefined) {
    const type = params.eventtype;
    tests.push((f) => (f.properties.type ?? "earthquake") === type);
  }
  let limit: number | undefined;
  if (params.limit !== undefined) {
    limit = parseNumber("limit", params.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > maxEvents) {
      throw new BadRequest(
        `Bad limit value "${params.limit}", must be between 1 and ${maxEvents}`,
      );
    }
  }
  let offset = 1;
  if (params.offset !== undefined) {
    offset = parseNumber("offset", params.offset);
    if (!Number.isInteger(offset) || offset < 1) {
      throw new BadRequest(
        `Bad offset value "${params.offset}", must be at least 1`,
      );
    }
  }
  const orderby = params.orderby ?? "time";
  if (!["time", "time-asc", "magnitude", "magnitude-asc"].includes(orderby)) {
    throw new BadRequest(`Bad orderby value "${orderby}"`);
  }
  const format = params.format;
  if (format !== undefined && !["geojson", "text"].includes(format)) {
    throw new BadRequest(
      `Bad format value "${format}", this server supports geojson and text`,
    );
  }
  const nodata = params.nodata === undefined
    ? 204
    : parseNumber("nodata", params.nodata);
  if (nodata !== 204 && nodata !== 404) {
    throw new BadRequest(`Bad nodata value "${params.nodata}"`);
  }
  return {
    params,
    filter: (f) => tests.every((t) => t(f)),
    limit,
    offset,
    orderby,
    format,
    nodata,
  };
}

function sortEvents(events: UsgsFeature[], orderby: string): UsgsFeature[] {
  const key = orderby.startsWith("magnitude")
    ? (f: UsgsFeature) => f.properties.mag ?? -Infinity
    : (f: UsgsFeature) => f.properties.time;
  const sign = orderby.endsWith("-asc") ? 1 : -1;
  // Ties break by id so paging with offsets is stable.
  return events.sort((a, b) =>
    sign * (key(a) - key(b)) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

interface Reply {
  status: number;
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  headers?: Record<string, string>;
  events?: number;
}

const encoder = new TextEncoder();

/**
 * Starts a USGS-compatible FDSN event service on 127.0.0.1 serving `events`:
 * `GET /fdsnws/event/1/query` (format=geojson) and `/count` (geojson or
 * text) with `starttime endtime updatedafter minmagnitude maxmagnitude
 * mindepth maxdepth minlatitude maxlatitude minlongitude maxlongitude eventid
 * eventtype limit offset orderby format nodata` (and USGS's short aliases),
 * a 1-based `offset`, a 400 with a text body for a bad or unknown parameter
 * or for more than `maxEvents` matches without a `limit`, gzip when the client
 * accepts it, an optional rate limit (429 + `Retry-After`) and injected
 * faults. Without `starttime`/`endtime` it does not bound time (the real
 * service defaults to the last 30 days).
 *
 * @example Count and fetch two events
 * ```ts
 * import { createUsgsServer, type UsgsFeature } from "./mod.ts";
 * const events: UsgsFeature[] = [1, 2, 3].map((i) => ({
 *   type: "Feature",
 *   id: `ev${i}`,
 *   properties: { mag: i, place: "Somewhere", time: i * 1_000, updated: i * 1_000 },
 *   geometry: { type: "Point", coordinates: [0, 0, 10] },
 * }));
 * await using server = await createUsgsServer({ events });
 * const count = await (await fetch(`${server.url}/count?format=geojson&minmagnitude=2`)).json();
 * console.log(count); // { count: 2, maxAllowed: 20000 }
 * const page = await (await fetch(`${server.url}/query?format=geojson&limit=2&orderby=time-asc`)).json();
 * console.log(page.features.map((f: UsgsFeature) => f.id)); // [ "ev1", "ev2" ]
 * ```
 */
export function createUsgsServer(
  options: UsgsServerOptions,
): Promise<UsgsServer> {
  // Bad options reject the promise rather than throw from the call.
  try {
    return Promise.resolve(startServer(options));
  } catch (error) {
    return Promise.reject(error);
  }
}

function startServer(options: UsgsServerOptions): UsgsServer {
  const clock = options.clock ?? systemClock;
  const maxEvents = options.maxEvents ?? 20_000;
  if (!(Number.isInteger(maxEvents) && maxEvents > 0)) {
    throw new InvalidInputError(
      `Option maxEvents must be a positive integer: ${options.maxEvents}`,
    );
  }
  if (!Array.isArray(options.events)) {
    throw new InvalidInputError(
      `Option events must be an array of GeoJSON features: ${typeof options
        .events}`,
    );
  }
  const faults = options.faults ?? {};
  const rate = faults.rate ?? 0;
  if (!(rate >= 0 && rate <= 1)) {
    throw new InvalidInputError(`Fault rate must be in [0, 1]: ${rate}`);
  }
  const kinds = (faults.kinds ?? ["503", "429", "drop", "truncate"]).map(
    toFault,
  );
  const random = seeded(faults.seed ?? 1);
  const bucket = options.rateLimit
    ? new TokenBucket({ ...options.rateLimit, clock })
    : undefined;
  const events = options.events.map(normalize);

  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    transport: "tcp",
  });
  const port = listener.addr.port;
  const stats: UsgsServerStats = {
    requests: 0,
    byStatus: {},
    faults: { "503": 0, "429": 0, slow: 0, drop: 0, truncate: 0 },
    rateLimited: 0,
    gzipped: 0,
    eventsServed: 0,
  };
  const requests: UsgsRequestLog[] = [];
  const conns = new Set<Deno.TcpConn>();
  const handlers = new Set<Promise<void>>();
  const shutdown = new AbortController();
  let closed = false;

  const errorBody = (status: number, message: string, target: string) =>
    encoder.encode(
      `Error ${status}: ${STATUS_TEXT[status]}\n\n${message}\n\n` +
        `Usage details are available from https://earthquake.usgs.gov/fdsnws/event/1\n\n` +
        `Request:\n${target}\n\nRequest Submitted:\n${
          new Date(clock.now()).toISOString()
        }\n\nService version:\n${SERVICE_VERSION}\n`,
    );
  const text = (status: number, message: string, target: string): Reply => ({
    status,
    body: errorBody(status, message, target),
    contentType: "text/plain",
  });

  function answer(path: string, search: URLSearchParams, target: string) {
    if (path === `${BASE_PATH}/version`) {
      return {
        status: 200,
        body: encoder.encode(SERVICE_VERSION),
        contentType: "text/plain",
      };
    }
    const isQuery = path === `${BASE_PATH}/query`;
    const isCount = path === `${BASE_PATH}/count`;
    if (!isQuery && !isCount) return text(404, `Not found: ${path}`, target);
    let q: Query;
    try {
      q = parseQuery(search, maxEvents);
    } catch (error) {
      if (error instanceof BadRequest) {
        return text(400, error.message, target);
      }
      throw error;
    }
    const matched = events.filter(q.filter);
    if (isCount) {
      if (q.format === "geojson") {
        return {
          status: 200,
          body: encoder.encode(
            JSON.stringify({ count: matched.length, maxAllowed: maxEvents }),
          ),
          contentType: "application/json",
        };
      }
      return {
        status: 200,
        body: encoder.encode(String(matched.length)),
        contentType: "text/plain",
      };
    }
    if (q.format !== "geojson") {
      return text(
        400,
        `Bad format value "${
          q.format ?? "quakeml"
        }", this server answers queries with format=geojson only`,
        target,
      );
    }
    const remaining = Math.max(0, matched.length - (q.offset - 1));
    if (q.limit === undefined && remaining > maxEvents) {
      return text(
        400,
        `${remaining} matching events exceeds search limit of ${maxEvents}. Modify the search to match fewer events.`,
        target,
      );
    }
    const page = sortEvents(matched, q.orderby).slice(
      q.offset - 1,
      q.offset - 1 + (q.limit ?? maxEvents),
    );
    if (page.length === 0 && search.has("nodata")) {
      return q.nodata === 404
        ? text(404, "No data found", target)
        : { status: 204, body: new Uint8Array(), contentType: "text/plain" };
    }
    const body = {
      type: "FeatureCollection",
      metadata: {
        generated: clock.now(),
        url: `http://127.0.0.1:${port}${target}`,
        title: "USGS Earthquakes",
        status: 200,
        api: SERVICE_VERSION,
        count: page.length,
        ...(q.limit === undefined ? {} : { limit: q.limit }),
        ...(search.has("offset") ? { offset: q.offset } : {}),
      },
      features: page,
    };
    return {
      status: 200,
      body: encoder.encode(JSON.stringify(body)),
      contentType: "application/json",
      events: page.length,
    };
  }

  async function write(conn: Deno.TcpConn, bytes: Uint8Array): Promise<void> {
    let written = 0;
    while (written < bytes.length) {
      written += await conn.write(bytes.subarray(written));
    }
  }

  async function send(
    conn: Deno.TcpConn,
    reply: Reply,
    gzip: boolean,
    truncate: boolean,
  ): Promise<void> {
    let body: Uint8Array<ArrayBuffer> = reply.body;
    const headers: Record<string, string> = {
      "content-type": reply.contentType,
      "date": new Date(clock.now()).toUTCString(),
      "connection": "close",
      "access-control-allow-origin": "*",
      ...reply.headers,
    };
    if (gzip && body.length > 256) {
      body = new Uint8Array(
        await new Response(
          new Blob([body]).stream().pipeThrough(new CompressionStream("gzip")),
        ).arrayBuffer(),
      );
      headers["content-encoding"] = "gzip";
      stats.gzipped++;
    }
    headers["content-length"] = String(body.length);
    const head =
      `HTTP/1.1 ${reply.status} ${STATUS_TEXT[reply.status] ?? ""}\r\n` +
      Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
      "\r\n";
    await write(conn, encoder.encode(head));
    await write(
      conn,
      truncate ? body.subarray(0, Math.floor(body.length / 2)) : body,
    );
  }

  async function readHead(conn: Deno.TcpConn): Promise<string | undefined> {
    const buf = new Uint8Array(16_384);
    let data = new Uint8Array(0);
    const decoder = new TextDecoder();
    while (data.length < 65_536) {
      const n = await conn.read(buf);
      if (n === null) return undefined;
      const next = new Uint8Array(data.length + n);
      next.set(data);
      next.set(buf.subarray(0, n), data.length);
      data = next;
      const text = decoder.decode(data);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) return text.slice(0, end);
    }
    return undefined;
  }

  async function handle(conn: Deno.TcpConn): Promise<void> {
    let log: UsgsRequestLog | undefined;
    try {
      const head = await readHead(conn);
      if (head === undefined || closed) return;
      const [requestLine = "", ...headerLines] = head.split("\r\n");
      const [method = "", target = "/"] = requestLine.split(" ");
      const headers = new Map<string, string>();
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        if (colon > 0) {
          headers.set(
            line.slice(0, colon).trim().toLowerCase(),
            line.slice(colon + 1).trim(),
          );
        }
      }
      const url = new URL(target, `http://127.0.0.1:${port}`);
      const n = ++stats.requests;
      log = {
        n,
        path: url.pathname,
        params: Object.fromEntries(url.searchParams),
        status: 0,
        events: 0,
      };
      requests.push(log);
      const gzip = /\bgzip\b/i.test(headers.get("accept-encoding") ?? "");

      let fault: Fault | undefined;
      const scheduled = faults.schedule?.[n];
      if (scheduled !== undefined) fault = toFault(scheduled);
      else if (rate > 0 && random() < rate) {
        fault = kinds[Math.floor(random() * kinds.length)];
      }
      if (fault) {
        log.fault = fault.kind;
        stats.faults[fault.kind]++;
      }

      let reply: Reply;
      let truncate = false;
      if (fault?.kind === "drop") {
        return;
      } else if (fault?.kind === "503") {
        reply = text(503, "Service temporarily unavailable", target);
      } else if (fault?.kind === "429") {
        const seconds = fault.retryAfter ?? 1;
        reply = text(429, "Too many requests", target);
        reply.headers = {
          "retry-after": fault.httpDate
            ? new Date(clock.now() + seconds * 1000).toUTCString()
            : String(seconds),
        };
      } else if (bucket && !bucket.tryTake()) {
        stats.rateLimited++;
        const wait = Math.max(
          1,
          Math.ceil((1 - bucket.available) / bucket.rate),
        );
        reply = text(429, "Too many requests", target);
        reply.headers = { "retry-after": String(wait) };
      } else if (method !== "GET" && method !== "HEAD") {
        reply = text(405, `Method not allowed: ${method}`, target);
      } else {
        if (fault?.kind === "slow") {
          await clock.sleep(fault.delay ?? 1_000, shutdown.signal);
        }
        truncate = fault?.kind === "truncate";
        reply = answer(url.pathname, url.searchParams, target);
      }
      if (method === "HEAD") reply = { ...reply, body: new Uint8Array() };
      await send(conn, reply, gzip, truncate);
      log.status = reply.status;
      log.events = truncate ? 0 : reply.events ?? 0;
      if (!truncate) stats.eventsServed += reply.events ?? 0;
    } catch {
      // A peer that hung up or a shutdown mid-request: nothing to answer.
    } finally {
      if (log) {
        stats.byStatus[log.status] = (stats.byStatus[log.status] ?? 0) + 1;
      }
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // Already closed by close().
      }
    }
  }

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      if (closed) {
        conn.close();
        return;
      }
      conns.add(conn);
      const handler = handle(conn);
      handlers.add(handler);
      handler.finally(() => handlers.delete(handler));
    }
  })();

  const server: UsgsServer = {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    port,
    stats,
    requests,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      shutdown.abort();
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Closed by its handler meanwhile.
        }
      }
      await Promise.allSettled([...handlers]);
    },
    [Symbol.asyncDispose](): Promise<void> {
      return this.close();
    },
  };
  return server;
}
