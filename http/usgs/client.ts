/**
 * {@linkcode UsgsClient}: the USGS FDSN event service through
 * {@linkcode HttpClient}, with paging, window splitting and deduplication.
 *
 * @module
 */

import { type Clock, systemClock } from "../../internal/clock.ts";
import { HttpClient, type HttpClientOptions } from "../client.ts";
import { HttpClientError, HttpError, InvalidInputError } from "../errors.ts";
import type { RetryOptions } from "../retry.ts";
import type { TokenBucket, TokenBucketOptions } from "../token_bucket.ts";
import type { UsgsFeature, UsgsFeatureCollection } from "./types.ts";

/**
 * The public USGS FDSN event service.
 *
 * @example The default base URL
 * ```ts
 * import assert from "node:assert/strict";
 * import { USGS_BASE_URL } from "./mod.ts";
 * assert.equal(USGS_BASE_URL, "https://earthquake.usgs.gov/fdsnws/event/1");
 * ```
 */
export const USGS_BASE_URL = "https://earthquake.usgs.gov/fdsnws/event/1";

const DAY = 86_400_000;

/**
 * A time bound: a `Date`, epoch milliseconds, or an ISO 8601 string (UTC unless zoned).
 *
 * @example Three ways to say a time
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UsgsTime } from "./mod.ts";
 * const times: UsgsTime[] = [new Date(0), 0, "1970-01-01T00:00:00"];
 * assert.equal(times.length, 3);
 * ```
 */
export type UsgsTime = Date | number | string;

/**
 * A search of the FDSN event service (its parameter names).
 *
 * @example Big quakes in January 2018
 * ```ts
 * import assert from "node:assert/strict";
 * import type { UsgsQuery } from "./mod.ts";
 * const query: UsgsQuery = { starttime: "2018-01-01", endtime: "2018-02-01", minmagnitude: 6 };
 * assert.equal(query.minmagnitude, 6);
 * ```
 */
export interface UsgsQuery {
  /** Events at or after this time. Default: 30 days before `endtime`, as USGS does. */
  starttime?: UsgsTime;
  /** Events at or before this time. Default: now on the client's clock. */
  endtime?: UsgsTime;
  /** Events updated at or after this time. */
  updatedafter?: UsgsTime;
  /** Smallest magnitude. */
  minmagnitude?: number;
  /** Largest magnitude. */
  maxmagnitude?: number;
  /** Shallowest depth in km. */
  mindepth?: number;
  /** Deepest depth in km. */
  maxdepth?: number;
  /** Southern bound. */
  minlatitude?: number;
  /** Northern bound. */
  maxlatitude?: number;
  /** Western bound. */
  minlongitude?: number;
  /** Eastern bound. */
  maxlongitude?: number;
  /** Event type, e.g. `"earthquake"` (comma-separated for several). */
  eventtype?: string;
  /**
   * One event by id (any of its ids): `query()` yields that Feature alone,
   * or nothing when the service does not know it; the other filters are
   * ignored, as the service ignores them.
   */
  eventid?: string;
  /**
   * `"time-asc"` (the default here), `"time"`, `"magnitude"` or
   * `"magnitude-asc"`. Time orders hold across the whole result; a
   * magnitude order holds within each time window the client pages, so
   * across the whole result only when it fits one window (at most 20,000
   * events).
   */
  orderby?: "time" | "time-asc" | "magnitude" | "magnitude-asc";
  /** Circle search: the centre's latitude, with `longitude` and a radius. */
  latitude?: number;
  /** Circle search: the centre's longitude. */
  longitude?: number;
  /** Circle search: the radius in degrees (or give `maxradiuskm`). */
  maxradius?: number;
  /** Circle search: the radius in kilometres. */
  maxradiuskm?: number;
  /** Only events whose preferred origin comes from this catalog (e.g. `"us"`). */
  catalog?: string;
  /** Only events this network contributed to (e.g. `"ak"`). */
  contributor?: string;
  /**
   * Most events `query()` yields in all (paging and splitting are the
   * client's business). With a magnitude `orderby` it is the N largest (or
   * smallest) only when the result fits one window.
   */
  limit?: number;
}

/**
 * Options for {@linkcode UsgsClient}.
 *
 * @example A polite client for the real service
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsgsClient, type UsgsClientOptions } from "./mod.ts";
 * const options: UsgsClientOptions = { pageSize: 5_000, rateLimit: { capacity: 2, refillPerSecond: 1 } };
 * assert.equal(new UsgsClient(options).http.rateLimiter?.rate, 1);
 * ```
 */
export interface UsgsClientOptions {
  /**
   * Base URL of the service.
   * @default {"https://earthquake.usgs.gov/fdsnws/event/1"}
   */
  baseUrl?: string;
  /**
   * Events per page request (`limit`), at most the service cap.
   * @default {20_000}
   */
  pageSize?: number;
  /**
   * Retry policy (see {@linkcode RetryOptions}).
   * @default {{ limit: 5 }}
   */
  retry?: RetryOptions | number;
  /**
   * Client-side rate limit.
   * @default {undefined}
   */
  rateLimit?: TokenBucket | Omit<TokenBucketOptions, "clock">;
  /**
   * Per-attempt timeout in ms, or `false`.
   * @default {60_000}
   */
  timeout?: number | false;
  /**
   * Limit for one page or count call in ms, retries included, or `false`.
   * @default {false}
   */
  totalTimeout?: number | false;
  /**
   * Most events one request may return; the service reports its own in
   * `count`'s `maxAllowed`, which wins when smaller.
   * @default {20_000}
   */
  maxEvents?: number;
  /**
   * Clock for retries, the limiter and the default time window.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * The `fetch` to use.
   * @default {globalThis.fetch}
   */
  fetch?: HttpClientOptions["fetch"];
  /**
   * Called before each retry.
   * @default {undefined}
   */
  onRetry?: HttpClientOptions["onRetry"];
  /**
   * Called for every response.
   * @default {undefined}
   */
  onResponse?: HttpClientOptions["onResponse"];
}

/**
 * Counters of a {@linkcode UsgsClient}.
 *
 * @example Read the counters
 * ```ts
 * import assert from "node:assert/strict";
 * import { UsgsClient, type UsgsClientStats } from "./mod.ts";
 * const stats: UsgsClientStats = new UsgsClient().stats;
 * assert.equal(stats.pages, 0);
 * ```
 */
export interface UsgsClientStats {
  /** `count` calls made. */
  counts: number;
  /** Page (`query`) calls made. */
  pages: number;
  /** Time windows split because they held more than the cap. */
  splits: number;
  /**
   * Windows split again because paging made no progress (a page repeated
   * the last one's ids) or fell short of the window's count.
   */
  resplits: number;
  /** Features dropped because their id was already yielded. */
  duplicates: number;
}

const QUERY_KEYS = new Set([
  "starttime",
  "endtime",
  "updatedafter",
  "minmagnitude",
  "maxmagnitude",
  "mindepth",
  "maxdepth",
  "minlatitude",
  "maxlatitude",
  "minlongitude",
  "maxlongitude",
  "eventtype",
  "eventid",
  "orderby",
  "latitude",
  "longitude",
  "maxradius",
  "maxradiuskm",
  "catalog",
  "contributor",
  "limit",
]);
const STRING_KEYS = new Set([
  "eventtype",
  "eventid",
  "orderby",
  "catalog",
  "contributor",
]);
const ORDERS = ["time", "time-asc", "magnitude", "magnitude-asc"];
/** Passes over one crowded millisecond before giving up on it. */
const PASSES = 3;
/**
 * Re-splits one query may make: enough to narrow a window of years to
 * single milliseconds many times over, and a bound against a server whose
 * counts never agree with its pages.
 */
const MAX_RESPLITS = 1_000;

function toMs(name: string, value: UsgsTime): number {
  let ms: number;
  if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "number") ms = value;
  else {
    const text = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ||
        /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? value
      : `${value}Z`;
    ms = Date.parse(text);
  }
  if (!Number.isFinite(ms)) {
    throw new InvalidInputError(
      `Query ${name} must be a valid time: ${JSON.stringify(String(value))}`,
    );
  }
  return ms;
}

/** FDSN wants UTC without a zone suffix. */
function fdsnTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, -1);
}

interface Checked {
  start: number;
  end: number;
  filters: Record<string, string>;
  limit: number;
  orderby: string;
  eventid: string | undefined;
}

function isFeature(value: unknown): value is UsgsFeature {
  const f = value as UsgsFeature;
  return !!f && typeof f === "object" && typeof f.id === "string" &&
    !!f.properties && typeof f.properties.time === "number" &&
    !!f.geometry && Array.isArray(f.geometry.coordinates);
}

/**
 * A client for the FDSN event service. `count()` asks how many events match;
 * `query()` streams them: it counts each time window first, halves windows
 * that hold more than the service's 20,000-event cap into disjoint halves,
 * pages through the rest with `limit` and a 1-based `offset` in time order,
 * and drops features whose id it has already yielded (an event that slid
 * between pages). It checks that paging makes progress: a page that only
 * repeats ids (a server ignoring `offset`) or a window whose pages fall
 * short of its count (ties reordered between requests) is split again by
 * time; one crowded millisecond is paged up to three times and then fails
 * with an {@linkcode HttpClientError} naming how many events never came.
 * Every request goes through an {@linkcode HttpClient} with retries and an
 * optional rate limit; gzip is accepted.
 *
 * What cannot be paged completely: nothing, on a server whose counts match
 * its pages; `orderby` magnitude and `limit` with it hold per window, so
 * across the result only when it fits one window.
 *
 * @example Read a local USGS-compatible server
 * ```ts
 * import assert from "node:assert/strict";
 * import { createUsgsServer, UsgsClient, type UsgsFeature } from "./mod.ts";
 * const events: UsgsFeature[] = Array.from({ length: 5 }, (_, i) => ({
 *   type: "Feature",
 *   id: `ev${i}`,
 *   properties: { mag: 1 + i, place: "Somewhere", time: Date.UTC(2018, 1, 1) + i * 1_000, updated: 0 },
 *   geometry: { type: "Point", coordinates: [0, 0, 10] },
 * }));
 * await using server = await createUsgsServer({ events });
 * const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 2 });
 * const query = { starttime: "2018-02-01", endtime: "2018-02-02", minmagnitude: 3 };
 * assert.equal(await usgs.count(query), 3);
 * const ids = (await Array.fromAsync(usgs.query(query))).map((f) => f.id);
 * assert.deepEqual(ids, [ "ev2", "ev3", "ev4" ]);
 * ```
 */
export class UsgsClient {
  #http: HttpClient;
  #clock: Clock;
  #pageSize: number;
  #maxEvents: number;
  #stats: UsgsClientStats = {
    counts: 0,
    pages: 0,
    splits: 0,
    resplits: 0,
    duplicates: 0,
  };

  /** Makes a client; throws {@linkcode InvalidInputError} on bad options. */
  constructor(options: UsgsClientOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#maxEvents = options.maxEvents ?? 20_000;
    if (!(Number.isInteger(this.#maxEvents) && this.#maxEvents > 0)) {
      throw new InvalidInputError(
        `Option maxEvents must be a positive integer: ${options.maxEvents}`,
      );
    }
    this.#pageSize = options.pageSize ?? this.#maxEvents;
    if (
      !(Number.isInteger(this.#pageSize) && this.#pageSize > 0 &&
        this.#pageSize <= this.#maxEvents)
    ) {
      throw new InvalidInputError(
        `Option pageSize must be an integer from 1 to ${this.#maxEvents}: ${options.pageSize}`,
      );
    }
    this.#http = new HttpClient({
      prefixUrl: options.baseUrl ?? USGS_BASE_URL,
      retry: options.retry ?? { limit: 5 },
      rateLimit: options.rateLimit,
      timeout: options.timeout ?? 60_000,
      totalTimeout: options.totalTimeout ?? false,
      clock: this.#clock,
      fetch: options.fetch,
      onRetry: options.onRetry,
      onResponse: options.onResponse,
    });
  }

  /** The {@linkcode HttpClient} every request goes through. */
  get http(): HttpClient {
    return this.#http;
  }

  /** Counters: counts, pages, splits and duplicates dropped. */
  get stats(): UsgsClientStats {
    return { ...this.#stats };
  }

  /** How many events match `query` (one `count` request). */
  async count(query: UsgsQuery = {}): Promise<number> {
    const checked = this.#check(query);
    if (checked.eventid !== undefined) {
      return (await this.#event(checked.eventid)) ? 1 : 0;
    }
    return await this.#count(checked.filters, checked.start, checked.end);
  }

  /**
   * Streams the events matching `query` in time order, each id once; an empty
   * result is simply empty.
   */
  async *query(query: UsgsQuery = {}): AsyncIterableIterator<UsgsFeature> {
    const { start, end, filters, limit, orderby, eventid } = this.#check(
      query,
    );
    if (eventid !== undefined) {
      const one = await this.#event(eventid);
      if (one && limit > 0) yield one;
      return;
    }
    const seen = new Set<string>();
    let yielded = 0;
    let resplits = 0;
    // Depth first, in the requested time direction; halves are disjoint
    // ([from, mid] and [mid + 1 ms, to]) because both bounds are inclusive.
    const newestFirst = orderby === "time";
    const windows: Array<[number, number]> = [[start, end]];
    const split = (from: number, to: number) => {
      const mid = from + Math.floor((to - from) / 2);
      const halves: Array<[number, number]> = [[mid + 1, to], [from, mid]];
      windows.push(...(newestFirst ? halves.reverse() : halves));
    };
    while (windows.length > 0 && yielded < limit) {
      const [from, to] = windows.pop()!;
      const n = await this.#count(filters, from, to);
      if (n === 0) continue;
      if (n > this.#maxEvents && to > from) {
        this.#stats.splits++;
        split(from, to);
        continue;
      }
      // Distinct ids of this window received, yielded now or before.
      const got = new Set<string>();
      let repeated = false;
      for (let pass = 1; pass <= PASSES && got.size < n; pass++) {
        // Advance by what arrived, not by pageSize: a server that returns
        // less than asked must not make us skip events.
        for (let offset = 1; got.size < n;) {
          const features = await this.#page(filters, from, to, orderby, offset);
          let fresh = 0;
          for (const feature of features) {
            if (!got.has(feature.id)) {
              got.add(feature.id);
              fresh++;
            }
            if (seen.has(feature.id)) {
              this.#stats.duplicates++;
              continue;
            }
            seen.add(feature.id);
            yield feature;
            if (++yielded >= limit) return;
          }
          if (features.length === 0) break;
          // A page of nothing new: the server ignores offset, or ties moved.
          if (fresh === 0) {
            repeated = true;
            break;
          }
          offset += features.length;
        }
        // Only one crowded millisecond is worth paging again: the service
        // orders its ties anew on every request.
        if (to > from) break;
      }
      // Nothing at all: the events went away between count and page (a
      // server that answers 204, an event deleted); the window is empty now.
      if (got.size >= n || got.size === 0 && !repeated) continue;
      if (to > from && resplits++ < MAX_RESPLITS) {
        this.#stats.resplits++;
        split(from, to);
        continue;
      }
      throw new HttpClientError(
        `USGS paging fell short: ${n - got.size} of ${n} events in ${
          fdsnTime(from)
        }–${fdsnTime(to)} never arrived${
          to > from
            ? ` after ${MAX_RESPLITS} re-splits`
            : ` after ${PASSES} passes`
        } (${
          repeated
            ? "pages repeated earlier ids: the server may ignore offset"
            : "pages ended early"
        })`,
      );
    }
  }

  /** One page of a window, checked feature by feature. */
  async #page(
    filters: Record<string, string>,
    from: number,
    to: number,
    orderby: string,
    offset: number,
  ): Promise<UsgsFeature[]> {
    const params = new URLSearchParams({
      format: "geojson",
      ...filters,
      starttime: fdsnTime(from),
      endtime: fdsnTime(to),
      orderby,
      limit: String(this.#pageSize),
      offset: String(offset),
    });
    this.#stats.pages++;
    const body = await this.#http.json<UsgsFeatureCollection | undefined>(
      `query?${params}`,
    );
    const features = body?.features ?? [];
    if (!Array.isArray(features)) {
      throw new HttpClientError(
        `USGS response has no features array: ${
          JSON.stringify(body).slice(0, 80)
        }`,
      );
    }
    for (const feature of features) {
      if (!isFeature(feature)) {
        throw new HttpClientError(
          `USGS response holds a malformed feature: ${
            JSON.stringify(feature).slice(0, 80)
          }`,
        );
      }
    }
    return features;
  }

  /** The event with `eventid`, or `undefined` when the service answers 404. */
  async #event(eventid: string): Promise<UsgsFeature | undefined> {
    this.#stats.pages++;
    const params = new URLSearchParams({ format: "geojson", eventid });
    try {
      const body = await this.#http.json<unknown>(`query?${params}`);
      if (body === undefined) return undefined;
      if (!isFeature(body)) {
        throw new HttpClientError(
          `USGS eventid response is not a Feature: ${
            JSON.stringify(body).slice(0, 80)
          }`,
        );
      }
      return body;
    } catch (error) {
      if (error instanceof HttpError && error.status === 404) return undefined;
      throw error;
    }
  }

  /**
   * Streams the seven days before `endtime` (default: now on the client's
   * clock) of events matching `query`. Pin `endtime` to replay a recorded
   * feed: the 2018-02-07 week is `lastWeek({ endtime: 1517968154000 })`.
   */
  lastWeek(
    query: Omit<UsgsQuery, "starttime"> = {},
  ): AsyncIterableIterator<UsgsFeature> {
    const end = query.endtime === undefined
      ? this.#clock.now()
      : toMs("endtime", query.endtime);
    return this.query({ ...query, starttime: end - 7 * DAY, endtime: end });
  }

  async #count(
    filters: Record<string, string>,
    from: number,
    to: number,
  ): Promise<number> {
    const params = new URLSearchParams({
      format: "geojson",
      ...filters,
      starttime: fdsnTime(from),
      endtime: fdsnTime(to),
    });
    this.#stats.counts++;
    const body = await this.#http.json<
      { count?: unknown; maxAllowed?: unknown } | undefined
    >(`count?${params}`);
    if (typeof body?.count !== "number") {
      throw new HttpClientError(
        `USGS count response has no count: ${
          JSON.stringify(body)?.slice(0, 80)
        }`,
      );
    }
    if (
      typeof body.maxAllowed === "number" && body.maxAllowed > 0 &&
      body.maxAllowed < this.#maxEvents
    ) {
      this.#maxEvents = body.maxAllowed;
      this.#pageSize = Math.min(this.#pageSize, body.maxAllowed);
    }
    return body.count;
  }

  #check(query: UsgsQuery): Checked {
    if (query === null || typeof query !== "object") {
      throw new InvalidInputError(
        `Query must be an object: ${JSON.stringify(query)}`,
      );
    }
    for (const key of Object.keys(query)) {
      if (!QUERY_KEYS.has(key)) {
        throw new InvalidInputError(
          `Unknown query parameter: ${JSON.stringify(key)}`,
        );
      }
    }
    const end = query.endtime === undefined
      ? this.#clock.now()
      : toMs("endtime", query.endtime);
    const start = query.starttime === undefined
      ? end - 30 * DAY
      : toMs("starttime", query.starttime);
    if (start > end) {
      throw new InvalidInputError(
        `Query starttime must not be after endtime: ${fdsnTime(start)} > ${
          fdsnTime(end)
        }`,
      );
    }
    const limit = query.limit ?? Infinity;
    if (limit !== Infinity && !(Number.isInteger(limit) && limit >= 0)) {
      throw new InvalidInputError(
        `Query limit must be a non-negative integer: ${query.limit}`,
      );
    }
    const filters: Record<string, string> = {};
    for (const [key, value] of Object.entries(query)) {
      if (
        value === undefined ||
        ["starttime", "endtime", "limit", "orderby", "eventid"].includes(key)
      ) {
        continue;
      }
      if (key === "updatedafter") {
        filters[key] = fdsnTime(toMs(key, value as UsgsTime));
      } else if (STRING_KEYS.has(key)) {
        if (typeof value !== "string" || value === "") {
          throw new InvalidInputError(
            `Query ${key} must be a non-empty string: ${JSON.stringify(value)}`,
          );
        }
        filters[key] = value;
      } else {
        if (typeof value !== "number" || !Number.isFinite(value)) {
          throw new InvalidInputError(
            `Query ${key} must be a finite number: ${JSON.stringify(value)}`,
          );
        }
        filters[key] = String(value);
      }
    }
    const orderby = query.orderby ?? "time-asc";
    if (!ORDERS.includes(orderby)) {
      throw new InvalidInputError(
        `Query orderby must be one of ${ORDERS.join(", ")}: ${
          JSON.stringify(orderby)
        }`,
      );
    }
    if (query.eventid !== undefined && typeof query.eventid !== "string") {
      throw new InvalidInputError(
        `Query eventid must be a string: ${JSON.stringify(query.eventid)}`,
      );
    }
    const circle = ["latitude", "longitude", "maxradius", "maxradiuskm"]
      .filter((k) => filters[k] !== undefined);
    if (filters.maxradius !== undefined && filters.maxradiuskm !== undefined) {
      throw new InvalidInputError(
        "Query maxradius and maxradiuskm cannot both be given",
      );
    }
    if (circle.length > 0 && circle.length < 3) {
      throw new InvalidInputError(
        `Query circle search needs latitude, longitude and maxradius or maxradiuskm: got ${
          circle.join(", ")
        }`,
      );
    }
    return { start, end, filters, limit, orderby, eventid: query.eventid };
  }
}
