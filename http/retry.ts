/**
 * The retry policy: which requests are retried, and how long to wait before
 * each retry (exponential backoff with full jitter, or the server's
 * `Retry-After`).
 *
 * @module
 */

import { InvalidInputError } from "./errors.ts";

/**
 * Options for the retry policy of {@linkcode HttpClient}.
 *
 * @example Retry POSTs on 503 only, five times
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, type RetryOptions } from "./mod.ts";
 * const retry: RetryOptions = { limit: 5, methods: ["POST"], statusCodes: [503] };
 * const client = new HttpClient({ retry });
 * assert.equal(client instanceof HttpClient, true);
 * ```
 */
export interface RetryOptions {
  /**
   * Most retries after the first attempt (so `limit + 1` attempts in all).
   * @default {2}
   */
  limit?: number;
  /**
   * Methods that may be retried: the idempotent ones.
   * @default {["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"]}
   */
  methods?: string[];
  /**
   * Response statuses that are retried; 413 only when the response says when
   * (`Retry-After` or a rate-limit reset header), as ky and urllib3 do.
   * @default {[408, 413, 429, 500, 502, 503, 504]}
   */
  statusCodes?: number[];
  /**
   * Statuses whose `Retry-After` (whole seconds or an HTTP date) or, in its
   * absence, `RateLimit-Reset` / `X-RateLimit-Reset` sets the wait instead of
   * the backoff; an unreadable value falls back to the backoff.
   * @default {[413, 429, 503]}
   */
  afterStatusCodes?: number[];
  /**
   * Cap on a wait the server asks for, in milliseconds (urllib3: 6 hours;
   * ky: none).
   * @default {60_000}
   */
  maxRetryAfter?: number;
  /**
   * Backoff base in milliseconds: retry `k` waits a random time in
   * `[0, min(backoffLimit, delay * 2 ** (k - 1)))`.
   * @default {300}
   */
  delay?: number;
  /**
   * Cap on a backoff wait, in milliseconds.
   * @default {30_000}
   */
  backoffLimit?: number;
  /**
   * Whether network errors (refused or dropped connections, DNS failures,
   * cut bodies; see {@linkcode isNetworkError}) are retried. Other errors
   * from `fetch` (a forbidden method, a redirect loop) never are.
   * @default {true}
   */
  retryOnNetworkError?: boolean;
  /**
   * Whether attempts that hit the per-attempt `timeout` are retried (ky:
   * not by default; urllib3: as read errors).
   * @default {true}
   */
  retryOnTimeout?: boolean;
  /**
   * Jitter on the backoff: `true` for full jitter (a uniform wait below the
   * exponential delay), `false` for the exponential delay itself, or a
   * function from that delay to the wait (capped by `backoffLimit`). A wait
   * a server asked for (`Retry-After`) is never jittered.
   * @default {true}
   */
  jitter?: boolean | ((delay: number) => number);
  /**
   * Source of randomness in `[0, 1)` for the jitter; pass a fixed function in
   * tests.
   * @default {Math.random}
   */
  random?: () => number;
  /**
   * Decides a retry before the default rules, as ky's `shouldRetry`: called
   * once the limit and method checks pass, with the failure and the number
   * of the retry it would be (1 for the first). `true` retries (after the
   * backoff), `false` stops, `undefined` leaves it to the default rules.
   * @default {undefined}
   */
  shouldRetry?: (
    state: ShouldRetryState,
  ) => boolean | undefined | Promise<boolean | undefined>;
}

/**
 * What {@linkcode RetryOptions.shouldRetry} is told.
 *
 * @example Retry a 400 once
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpError, type ShouldRetryState } from "./mod.ts";
 * const decide = ({ error, retryCount }: ShouldRetryState) =>
 *   error instanceof HttpError && error.status === 400 ? retryCount <= 1 : undefined;
 * const error = new HttpError({ status: 400, url: "http://127.0.0.1/", method: "GET" });
 * assert.equal(decide({ error, retryCount: 1 }), true);
 * assert.equal(decide({ error, retryCount: 2 }), false);
 * ```
 */
export interface ShouldRetryState {
  /** The failure: an {@linkcode HttpError}, {@linkcode NetworkError} or {@linkcode TimeoutError}. */
  error: Error;
  /** The retry this would be, 1 for the first. */
  retryCount: number;
}

/**
 * A {@linkcode RetryOptions} with every field filled in.
 *
 * @example A complete policy
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryPolicy, type RetryPolicy } from "./mod.ts";
 * const policy: RetryPolicy = retryPolicy({ limit: 1 });
 * assert.equal(policy.backoffLimit, 30000);
 * ```
 */
export type RetryPolicy =
  & Required<Omit<RetryOptions, "shouldRetry">>
  & Pick<RetryOptions, "shouldRetry">;

/**
 * The defaults of {@linkcode RetryOptions}.
 *
 * @example Read the defaults
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_RETRY } from "./mod.ts";
 * assert.equal(DEFAULT_RETRY.limit, 2);
 * assert.deepEqual(DEFAULT_RETRY.afterStatusCodes, [413, 429, 503]);
 * ```
 */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  limit: 2,
  methods: ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"],
  statusCodes: [408, 413, 429, 500, 502, 503, 504],
  afterStatusCodes: [413, 429, 503],
  maxRetryAfter: 60_000,
  delay: 300,
  backoffLimit: 30_000,
  retryOnNetworkError: true,
  retryOnTimeout: true,
  jitter: true,
  random: Math.random,
  shouldRetry: undefined,
});

function nonNegative(name: string, value: number): number {
  if (!(value >= 0)) {
    throw new InvalidInputError(
      `Retry ${name} must be a non-negative number: ${value}`,
    );
  }
  return value;
}

/**
 * Fills in a policy from options (a number is shorthand for `{ limit }`).
 *
 * @example Shorthand for a limit
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryPolicy } from "./mod.ts";
 * const policy = retryPolicy(5);
 * assert.equal(policy.limit, 5);
 * assert.ok(policy.statusCodes.includes(503));
 * ```
 */
export function retryPolicy(options?: RetryOptions | number): RetryPolicy {
  const given = typeof options === "number" ? { limit: options } : options ??
    {};
  const defined = Object.fromEntries(
    Object.entries(given).filter(([, v]) => v !== undefined),
  );
  for (const key of Object.keys(defined)) {
    if (!(key in DEFAULT_RETRY)) {
      throw new InvalidInputError(
        `Unknown retry option: ${JSON.stringify(key)}`,
      );
    }
  }
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...defined };
  if (!Number.isInteger(policy.limit) || policy.limit < 0) {
    throw new InvalidInputError(
      `Retry limit must be a non-negative integer: ${policy.limit}`,
    );
  }
  nonNegative("delay", policy.delay);
  nonNegative("backoffLimit", policy.backoffLimit);
  nonNegative("maxRetryAfter", policy.maxRetryAfter);
  for (const key of ["methods", "statusCodes", "afterStatusCodes"] as const) {
    if (!Array.isArray(policy[key])) {
      throw new InvalidInputError(
        `Retry ${key} must be an array: ${JSON.stringify(policy[key])}`,
      );
    }
  }
  policy.methods = policy.methods.map((m) => m.toUpperCase());
  return policy;
}

/**
 * The backoff before retry number `retry` (1 for the first retry): the
 * exponential delay `delay * 2 ** (retry - 1)` capped by `backoffLimit`,
 * jittered as the policy says (full jitter by default: uniform below it).
 *
 * @example Deterministic jitter
 * ```ts
 * import assert from "node:assert/strict";
 * import { backoffDelay, retryPolicy } from "./mod.ts";
 * const policy = retryPolicy({ delay: 100, backoffLimit: 1_000, random: () => 0.5 });
 * assert.deepEqual([1, 2, 3, 4, 5].map((k) => backoffDelay(policy, k)), [50, 100, 200, 400, 500]);
 * const plain = retryPolicy({ delay: 100, jitter: false });
 * assert.deepEqual([1, 2, 3].map((k) => backoffDelay(plain, k)), [100, 200, 400]);
 * ```
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const delay = policy.delay * 2 ** Math.max(0, retry - 1);
  let wait = delay;
  // Full jitter draws below the capped delay (AWS's formula), so waits stay
  // spread once the cap is reached.
  if (policy.jitter === true) {
    wait = policy.random() * Math.min(policy.backoffLimit, delay);
  } else if (typeof policy.jitter === "function") {
    wait = policy.jitter(delay);
    // A jitter function that returns nonsense falls back to the delay, as ky does.
    if (!Number.isFinite(wait) || wait < 0) wait = delay;
  }
  return Math.floor(Math.min(policy.backoffLimit, wait));
}

const MONTHS = [
  "Jan",
  "Feb",
  "Mar",
  "Apr",
  "May",
  "Jun",
  "Jul",
  "Aug",
  "Sep",
  "Oct",
  "Nov",
  "Dec",
];
// RFC 9110's three HTTP-date forms; a zone, when present, must be GMT/UTC/UT
// or numeric, and a date without one is GMT (never local time).
const ZONE = String.raw`(?:\s+(GMT|UTC|UT|Z|[+-]\d{4}))?`;
const IMF_DATE = new RegExp(
  String
    .raw`^(?:[A-Z][a-z]{2},\s*)?(\d{1,2})\s+([A-Z][a-z]{2})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})${ZONE}$`,
);
const RFC850_DATE = new RegExp(
  String
    .raw`^[A-Z][a-z]+,\s*(\d{2})-([A-Z][a-z]{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})${ZONE}$`,
);
const ASCTIME_DATE = new RegExp(
  String
    .raw`^[A-Z][a-z]{2}\s+([A-Z][a-z]{2})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+(\d{4})${ZONE}$`,
);

function utc(
  year: number,
  month: string,
  day: string,
  h: string,
  m: string,
  s: string,
  zone: string | undefined,
): number | undefined {
  const monthIndex = MONTHS.indexOf(month);
  const [dd, hh, mi, ss] = [day, h, m, s].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  if (monthIndex < 0 || hh > 23 || mi > 59 || ss > 60) return undefined;
  const at = Date.UTC(year, monthIndex, dd, hh, mi, Math.min(ss, 59));
  if (new Date(at).getUTCDate() !== dd) return undefined; // e.g. 31 Feb
  let offset = 0;
  if (zone && /^[+-]\d{4}$/.test(zone)) {
    const sign = zone[0] === "-" ? -1 : 1;
    offset = sign *
      (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3))) * 60_000;
  }
  return at - offset + (ss === 60 ? 1000 : 0);
}

/**
 * Reads an HTTP-date (IMF-fixdate, RFC 850 or asctime) as epoch ms; a date
 * without a zone is GMT. `undefined` when it is not one.
 *
 * @example Three forms of the same instant
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseHttpDate } from "./mod.ts";
 * const at = Date.UTC(2019, 5, 3, 11, 30, 12);
 * assert.equal(parseHttpDate("Mon, 03 Jun 2019 11:30:12 GMT"), at);
 * assert.equal(parseHttpDate("Monday, 03-Jun-19 11:30:12 GMT"), at);
 * assert.equal(parseHttpDate("Mon Jun  3 11:30:12 2019"), at);
 * ```
 */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  let m = IMF_DATE.exec(text);
  if (m) return utc(Number(m[3]), m[2]!, m[1]!, m[4]!, m[5]!, m[6]!, m[7]);
  m = RFC850_DATE.exec(text);
  if (m) {
    // Two-digit years: the latest century not more than 50 years ahead.
    const now = new Date().getUTCFullYear();
    let year = Math.floor(now / 100) * 100 + Number(m[3]);
    if (year > now + 50) year -= 100;
    return utc(year, m[2]!, m[1]!, m[4]!, m[5]!, m[6]!, m[7]);
  }
  m = ASCTIME_DATE.exec(text);
  if (m) return utc(Number(m[6]), m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[7]);
  return undefined;
}

/**
 * Reads a `Retry-After` value — whole delay seconds or an HTTP date — as
 * milliseconds from `now` (epoch ms), as urllib3 and ky do: `undefined` when
 * it is absent or invalid (`"1.0"`, `"-1"`, `"+1"`), so the caller falls back
 * to its backoff; a date in the past gives 0.
 *
 * @example Both forms
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRetryAfter } from "./mod.ts";
 * const now = Date.UTC(2018, 1, 7, 12, 0, 0);
 * assert.equal(parseRetryAfter("3", now), 3000);
 * assert.equal(parseRetryAfter("Wed, 07 Feb 2018 12:00:10 GMT", now), 10000);
 * assert.equal(parseRetryAfter("1.0", now), undefined);
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value.trim()) * 1000;
  const at = parseHttpDate(value);
  return at === undefined ? undefined : Math.max(0, at - now);
}

// Reset headers may hold an epoch in seconds; values this large can only be
// one (ky's threshold: 2024-01-01 in ms).
const EPOCH_THRESHOLD_MS = Date.UTC(2024, 0, 1);

/**
 * The wait a response asks for, in ms from `now`: `Retry-After` when
 * present (authoritative, even when invalid), else `RateLimit-Reset`,
 * `X-RateLimit-Retry-After`, `X-RateLimit-Reset` or `X-Rate-Limit-Reset`
 * (the reset headers as seconds or an epoch in seconds), as ky reads them.
 * `undefined` when there is none or it cannot be read.
 *
 * @example A reset header as an epoch
 * ```ts
 * import assert from "node:assert/strict";
 * import { retryAfterFromHeaders } from "./mod.ts";
 * const now = Date.UTC(2026, 0, 1);
 * const headers = new Headers({ "x-ratelimit-reset": String(now / 1000 + 30) });
 * assert.equal(retryAfterFromHeaders(headers, now), 30_000);
 * assert.equal(retryAfterFromHeaders(new Headers({ "ratelimit-reset": "5" }), now), 5_000);
 * ```
 */
export function retryAfterFromHeaders(
  headers: Headers,
  now: number,
): number | undefined {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) return parseRetryAfter(retryAfter, now);
  const symfony = headers.get("x-ratelimit-retry-after");
  const reset = headers.get("ratelimit-reset") ??
    (symfony === null
      ? headers.get("x-ratelimit-reset") ?? headers.get("x-rate-limit-reset")
      : null);
  if (reset === null) {
    return symfony === null ? undefined : parseRetryAfter(symfony, now);
  }
  if (!/^\s*\d+\s*$/.test(reset)) return parseRetryAfter(reset, now);
  const ms = Number(reset.trim()) * 1000;
  return ms >= EPOCH_THRESHOLD_MS ? Math.max(0, ms - now) : ms;
}

// The messages runtimes give a fetch that failed on the network, after
// sindresorhus/is-network-error (which ky inlines), plus Deno's for a body
// cut mid-read.
const NETWORK_MESSAGES = new Set([
  "network error", // Chrome
  "Failed to fetch", // Chrome
  "NetworkError when attempting to fetch resource.", // Firefox
  "The Internet connection appears to be offline.", // Safari 16
  "Network request failed", // cross-fetch
  "fetch failed", // Undici (Node.js), Deno 2
  "terminated", // Undici (Node.js)
  " A network error occurred.", // Bun (WebKit)
  "Network connection lost", // Cloudflare Workers
  "error reading a body from connection", // Deno, a body cut short
]);

/**
 * Whether `error` is a network failure (refused, reset or dropped
 * connection, DNS failure, cut body) rather than a bug or a refusal by
 * fetch itself (a forbidden method, a redirect loop, a locked body). Only
 * these are retried; the rule is `is-network-error`'s, which ky uses.
 *
 * @example A forbidden method is not a network error
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNetworkError } from "./mod.ts";
 * assert.equal(isNetworkError(new TypeError("fetch failed")), true);
 * assert.equal(isNetworkError(new TypeError("Method is forbidden")), false);
 * ```
 */
export function isNetworkError(error: unknown): error is TypeError {
  if (
    !(error instanceof Error) || error.name !== "TypeError" ||
    typeof error.message !== "string"
  ) {
    return false;
  }
  const { message } = error;
  if (message === "Load failed" || /^Load failed \(.*\)$/.test(message)) {
    return error.stack === undefined; // Safari 17+: generic, stackless
  }
  return message.startsWith("error sending request for url") ||
    /^Failed to fetch \(.*\)$/.test(message) || NETWORK_MESSAGES.has(message);
}
