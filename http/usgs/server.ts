/**
 * A USGS-compatible FDSN event server for tests and offline benchmarks,
 * written on raw TCP so it can misbehave exactly like a real network:
 * drop a connection, cut a body short, stall.
 *
 * @module
 */

import { seededRandom } from "../../internal/random.ts";
import { type Clock, systemClock } from "../../internal/clock.ts";
import { InvalidInputError } from "../errors.ts";
import { TokenBucket } from "../token_bucket.ts";
import type { UsgsFeature, UsgsFeatureInput } from "./types.ts";
import {
  type RawRequest,
  type RawRequestError,
  serveRawTcp,
} from "../_tcp_server.ts";
import {
  BadRequest,
  type FdsnQuery,
  idsOf,
  parseFdsnQuery,
  sortEvents,
  type Sources,
  sourcesOf,
} from "./_fdsn_query.ts";
import { CONTENT_TYPES, feed } from "./_formats.ts";

/**
 * The kinds of fault the server can inject.
 *
 * @example Pick fault kinds
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FaultKind } from "./mod.ts";
 * const kinds: FaultKind[] = ["503", "drop"];
 * assert.equal(kinds.length, 2);
 * ```
 */
export type FaultKind = "503" | "429" | "slow" | "drop" | "truncate";

/**
 * One injected fault.
 *
 * @example A 429 asking for two seconds as an HTTP date
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Fault } from "./mod.ts";
 * const fault: Fault = { kind: "429", retryAfter: 2, httpDate: true };
 * assert.equal(fault.kind, "429");
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
 * import assert from "node:assert/strict";
 * import type { FaultOptions } from "./mod.ts";
 * const faults: FaultOptions = { schedule: { 1: "503" }, rate: 0.1, seed: 7 };
 * assert.equal(faults.rate, 0.1);
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
 * import assert from "node:assert/strict";
 * import { createUsgsServer, type UsgsServerOptions } from "./mod.ts";
 * const options: UsgsServerOptions = { events: [], rateLimit: { capacity: 2, refillPerSecond: 1 } };
 * await using server = await createUsgsServer(options);
 * assert.equal(server.url.endsWith("/fdsnws/event/1"), true);
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
   * Clock for the rate limit, slow faults, `Retry-After` dates, metadata
   * and the 30-day default window.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * Order events that tie on the sort key differently on every request, as
   * the real service may (its SQL `ORDER BY` has no tie-breaker); off, ties
   * keep the order of `events`.
   * @default {false}
   */
  unstableTies?: boolean;
}

/**
 * One request as the server saw it.
 *
 * @example Inspect the log
 * ```ts
 * import assert from "node:assert/strict";
 * import { createUsgsServer, type UsgsRequestLog } from "./mod.ts";
 * await using server = await createUsgsServer({ events: [] });
 * await (await fetch(`${server.url}/count`)).text();
 * const [first]: readonly UsgsRequestLog[] = server.requests;
 * assert.equal(first?.path, "/fdsnws/event/1/count");
 * assert.equal(first?.status, 200);
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
 * import assert from "node:assert/strict";
 * import { createUsgsServer, type UsgsServerStats } from "./mod.ts";
 * await using server = await createUsgsServer({ events: [] });
 * const stats: UsgsServerStats = server.stats;
 * assert.equal(stats.requests, 0);
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
 * import assert from "node:assert/strict";
 * import { createUsgsServer, type UsgsServer } from "./mod.ts";
 * await using server: UsgsServer = await createUsgsServer({ events: [] });
 * assert.equal(server.port > 0, true);
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
  431: "Request Header Fields Too Large",
  503: "Service Unavailable",
};

function toFault(value: FaultKind | Fault): Fault {
  return typeof value === "string" ? { kind: value } : value;
}

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

interface Reply {
  status: number;
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  headers?: Record<string, string>;
  events?: number;
}

const encoder = new TextEncoder();

/**
 * Starts a USGS-compatible FDSN event service on 127.0.0.1 serving `events`,
 * true to the real service's public code: `GET /fdsnws/event/1/query` in
 * `format=quakeml` (the default), `geojson`, `csv` or `text`, and `/count`
 * (text by default, `geojson` with `maxAllowed`, or `xml`), with `starttime
 * endtime updatedafter minmagnitude maxmagnitude mindepth maxdepth
 * minlatitude maxlatitude minlongitude maxlongitude latitude longitude
 * minradius maxradius minradiuskm maxradiuskm eventid eventtype catalog
 * contributor limit offset orderby format nodata` and USGS's short aliases.
 *
 * Rules it keeps: empty values are skipped; no `starttime` means the last
 * 30 days on its clock; `offset` counts only with `limit`; an `eventid`
 * answers one GeoJSON `Feature` (404 when unknown); a query that matches
 * nothing is an empty feed, except in QuakeML where it is `nodata` (204 or
 * 404); rectangles cross the date line when a longitude lies beyond ±180;
 * more than `maxEvents` matches without a `limit` is a 400. Bad input is a
 * 400 with the service's text body (an over-long head a 431), never a closed
 * connection. Gzip when the client accepts it, HTTP/1.1 keep-alive, an
 * optional rate limit (429 + `Retry-After`) and injected faults.
 *
 * Where it differs on purpose: with a `limit` it pages through more than
 * `maxEvents` matches (the public code refuses any query matching more), so
 * a client's last-resort paging of one crowded millisecond can be tested.
 *
 * @example Count and fetch two events
 * ```ts
 * import assert from "node:assert/strict";
 * import { createUsgsServer, type UsgsFeature } from "./mod.ts";
 * const events: UsgsFeature[] = [1, 2, 3].map((i) => ({
 *   type: "Feature",
 *   id: `ev${i}`,
 *   properties: { mag: i, place: "Somewhere", time: i * 1_000, updated: i * 1_000 },
 *   geometry: { type: "Point", coordinates: [0, 0, 10] },
 * }));
 * await using server = await createUsgsServer({ events });
 * const window = "starttime=1970-01-01&endtime=1970-01-02";
 * const count = await (await fetch(`${server.url}/count?format=geojson&minmagnitude=2&${window}`)).json();
 * assert.deepEqual(count, { count: 2, maxAllowed: 20000 });
 * const page = await (await fetch(`${server.url}/query?format=geojson&limit=2&orderby=time-asc&${window}`)).json();
 * assert.deepEqual(page.features.map((f: UsgsFeature) => f.id), ["ev1", "ev2"]);
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
  const random = seededRandom(faults.seed ?? 1);
  const tieRandom = seededRandom((faults.seed ?? 1) + 1);
  const bucket = options.rateLimit
    ? new TokenBucket({ ...options.rateLimit, clock })
    : undefined;
  const events = options.events.map(normalize);
  const sources: Sources = {
    catalogs: new Set(events.map((f) => String(f.properties.net ?? ""))),
    contributors: new Set(events.flatMap(sourcesOf)),
  };

  const stats: UsgsServerStats = {
    requests: 0,
    byStatus: {},
    faults: { "503": 0, "429": 0, slow: 0, drop: 0, truncate: 0 },
    rateLimited: 0,
    gzipped: 0,
    eventsServed: 0,
  };
  const requests: UsgsRequestLog[] = [];
  const shutdown = new AbortController();
  let closed = false;
  let port = 0;

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
  const ok = (body: string, contentType: string, n?: number): Reply => ({
    status: 200,
    body: encoder.encode(body),
    contentType,
    events: n,
  });

  function count(q: FdsnQuery, matched: number): Reply {
    const over = matched > maxEvents
      ? `${matched} matching events exceeds search limit of ${maxEvents}. A query using these search parameters would fail. Modify the search to match fewer events.`
      : undefined;
    if (q.format === "geojson") {
      return ok(
        JSON.stringify({
          count: matched,
          maxAllowed: maxEvents,
          ...(over ? { error: over } : {}),
        }),
        "application/json",
      );
    }
    if (q.params.format === "xml") {
      return ok(
        `<query><count>${matched}</count><maxAllowed>${maxEvents}</maxAllowed>${
          over ? `<error>${over}</error>` : ""
        }</query>`,
        "application/xml",
      );
    }
    return ok(String(matched), "text/plain");
  }

  function noData(q: FdsnQuery, target: string): Reply {
    return q.nodata === 404
      ? text(404, "Not Found", target)
      : { status: 204, body: new Uint8Array(), contentType: "text/plain" };
  }

  /** An eventid is a detail request: the event by any of its ids, whatever the other filters. */
  function detail(q: FdsnQuery, target: string): Reply {
    const id = q.eventid!;
    const event = events.find((f) => f.id === id || idsOf(f).includes(id));
    if (event === undefined) {
      return q.format === "quakeml"
        ? noData(q, target)
        : text(404, "Not Found", target);
    }
    if (q.format === "geojson") {
      return ok(JSON.stringify(event), "application/json", 1);
    }
    return ok(
      feed(q.format, [event], {
        url: `http://127.0.0.1:${port}${target}`,
        generated: clock.now(),
        api: SERVICE_VERSION,
        limit: undefined,
        offset: 1,
      }),
      CONTENT_TYPES[q.format],
      1,
    );
  }

  function answer(path: string, search: URLSearchParams, target: string) {
    if (path === `${BASE_PATH}/version`) {
      return ok(SERVICE_VERSION, "text/plain");
    }
    const isQuery = path === `${BASE_PATH}/query`;
    const isCount = path === `${BASE_PATH}/count`;
    if (!isQuery && !isCount) return text(404, `Not found: ${path}`, target);
    let q: FdsnQuery;
    try {
      q = parseFdsnQuery(search, { maxEvents, now: clock.now(), sources });
    } catch (error) {
      if (error instanceof BadRequest) return text(400, error.message, target);
      throw error;
    }
    if (isQuery && q.eventid !== undefined && q.format !== "csv") {
      return detail(q, target);
    }
    const matched = events.filter(q.matches);
    if (isCount) return count(q, matched.length);
    if (matched.length === 0 && q.format === "quakeml") {
      return noData(q, target);
    }
    if (q.limit === undefined && matched.length > maxEvents) {
      return text(
        400,
        `${matched.length} matching events exceeds search limit of ${maxEvents}. Modify the search to match fewer events.`,
        target,
      );
    }
    if (options.unstableTies) shuffle(matched);
    const sorted = sortEvents(matched, q.orderby);
    const page = q.limit === undefined
      ? sorted
      : sorted.slice(q.offset - 1, q.offset - 1 + q.limit);
    const body = feed(q.format, page, {
      url: `http://127.0.0.1:${port}${target}`,
      generated: clock.now(),
      api: SERVICE_VERSION,
      limit: q.limit,
      offset: q.offset,
    });
    return ok(body, CONTENT_TYPES[q.format], page.length);
  }

  function shuffle(list: UsgsFeature[]): void {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(tieRandom() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
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
    options: { gzip: boolean; truncate: boolean; keepAlive: boolean },
  ): Promise<void> {
    let body: Uint8Array<ArrayBuffer> = reply.body;
    const headers: Record<string, string> = {
      "content-type": reply.contentType,
      "date": new Date(clock.now()).toUTCString(),
      "connection": options.keepAlive ? "keep-alive" : "close",
      "access-control-allow-origin": "*",
      ...reply.headers,
    };
    if (options.gzip && body.length > 256) {
      body = new Uint8Array(
        await new Response(
          new Blob([body]).stream().pipeThrough(new CompressionStream("gzip")),
        ).arrayBuffer(),
      );
      headers["content-encoding"] = "gzip";
      stats.gzipped++;
    }
    if (reply.status !== 204) headers["content-length"] = String(body.length);
    const head =
      `HTTP/1.1 ${reply.status} ${STATUS_TEXT[reply.status] ?? ""}\r\n` +
      Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
      "\r\n";
    await write(conn, encoder.encode(head));
    await write(
      conn,
      options.truncate ? body.subarray(0, Math.floor(body.length / 2)) : body,
    );
  }

  async function handle(
    conn: Deno.TcpConn,
    request: RawRequest | RawRequestError,
  ): Promise<boolean> {
    const n = ++stats.requests;
    const log: UsgsRequestLog = {
      n,
      path: "",
      params: {},
      status: 0,
      events: 0,
    };
    requests.push(log);
    try {
      if (!("method" in request)) {
        const reply = text(request.status, request.message, "");
        await send(conn, reply, {
          gzip: false,
          truncate: false,
          keepAlive: false,
        });
        log.status = reply.status;
        return false;
      }
      const { method, target, headers } = request;
      let url: URL | undefined;
      try {
        url = target.startsWith("/")
          ? new URL(target, `http://127.0.0.1:${port}`)
          : undefined;
      } catch {
        url = undefined;
      }
      const connection = headers.get("connection")?.toLowerCase() ?? "";
      const keepAlive = request.version === "HTTP/1.1"
        ? connection !== "close"
        : connection === "keep-alive";
      if (url === undefined) {
        const reply = text(
          400,
          `Bad request target: ${JSON.stringify(target)}`,
          target,
        );
        await send(conn, reply, { gzip: false, truncate: false, keepAlive });
        log.status = reply.status;
        return keepAlive;
      }
      log.path = url.pathname;
      log.params = Object.fromEntries(url.searchParams);
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
      if (fault?.kind === "drop") {
        return false;
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
        reply = answer(url.pathname, url.searchParams, target);
      }
      if (closed) return false;
      const truncate = fault?.kind === "truncate";
      if (method === "HEAD") reply = { ...reply, body: new Uint8Array() };
      await send(conn, reply, { gzip, truncate, keepAlive });
      log.status = reply.status;
      log.events = truncate ? 0 : reply.events ?? 0;
      if (!truncate) stats.eventsServed += reply.events ?? 0;
      return keepAlive && !truncate;
    } finally {
      stats.byStatus[log.status] = (stats.byStatus[log.status] ?? 0) + 1;
    }
  }

  const tcp = serveRawTcp({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
  }, handle);
  port = tcp.port;

  const server: UsgsServer = {
    url: `http://127.0.0.1:${port}${BASE_PATH}`,
    port,
    stats,
    requests,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      shutdown.abort();
      await tcp.close();
    },
    [Symbol.asyncDispose](): Promise<void> {
      return this.close();
    },
  };
  return server;
}
