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
 * import { HttpClient, type RetryOptions } from "./mod.ts";
 * const retry: RetryOptions = { limit: 5, methods: ["POST"], statusCodes: [503] };
 * const client = new HttpClient({ retry });
 * console.log(client instanceof HttpClient); // true
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
   * Response statuses that are retried.
   * @default {[408, 413, 429, 500, 502, 503, 504]}
   */
  statusCodes?: number[];
  /**
   * Statuses whose `Retry-After` header (seconds or an HTTP date) sets the
   * wait instead of the backoff.
   * @default {[413, 429, 503]}
   */
  afterStatusCodes?: number[];
  /**
   * Cap on a `Retry-After` wait, in milliseconds.
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
   * Whether network errors (refused or dropped connections, cut bodies) are
   * retried.
   * @default {true}
   */
  retryOnNetworkError?: boolean;
  /**
   * Whether attempts that hit the per-attempt `timeout` are retried.
   * @default {true}
   */
  retryOnTimeout?: boolean;
  /**
   * Source of randomness in `[0, 1)` for the jitter; pass a fixed function in
   * tests.
   * @default {Math.random}
   */
  random?: () => number;
}

/**
 * A {@linkcode RetryOptions} with every field filled in.
 *
 * @example A complete policy
 * ```ts
 * import { retryPolicy, type RetryPolicy } from "./mod.ts";
 * const policy: RetryPolicy = retryPolicy({ limit: 1 });
 * console.log(policy.backoffLimit); // 30000
 * ```
 */
export type RetryPolicy = Required<RetryOptions>;

/**
 * The defaults of {@linkcode RetryOptions}.
 *
 * @example Read the defaults
 * ```ts
 * import { DEFAULT_RETRY } from "./mod.ts";
 * console.log(DEFAULT_RETRY.limit, DEFAULT_RETRY.afterStatusCodes); // 2 [ 413, 429, 503 ]
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
  random: Math.random,
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
 * import { retryPolicy } from "./mod.ts";
 * const policy = retryPolicy(5);
 * console.log(policy.limit, policy.statusCodes.includes(503)); // 5 true
 * ```
 */
export function retryPolicy(options?: RetryOptions | number): RetryPolicy {
  const given = typeof options === "number" ? { limit: options } : options ??
    {};
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...given };
  if (!Number.isInteger(policy.limit) || policy.limit < 0) {
    throw new InvalidInputError(
      `Retry limit must be a non-negative integer: ${policy.limit}`,
    );
  }
  nonNegative("delay", policy.delay);
  nonNegative("backoffLimit", policy.backoffLimit);
  nonNegative("maxRetryAfter", policy.maxRetryAfter);
  policy.methods = policy.methods.map((m) => m.toUpperCase());
  return policy;
}

/**
 * The full-jitter backoff before retry number `retry` (1 for the first
 * retry): a uniform random wait below `min(backoffLimit, delay * 2 ** (retry
 * - 1))`.
 *
 * @example Deterministic jitter
 * ```ts
 * import { backoffDelay, retryPolicy } from "./mod.ts";
 * const policy = retryPolicy({ delay: 100, backoffLimit: 1_000, random: () => 0.5 });
 * console.log([1, 2, 3, 4, 5].map((k) => backoffDelay(policy, k))); // [ 50, 100, 200, 400, 500 ]
 * ```
 */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const ceiling = Math.min(
    policy.backoffLimit,
    policy.delay * 2 ** Math.max(0, retry - 1),
  );
  return Math.floor(policy.random() * ceiling);
}

/**
 * Reads a `Retry-After` value — delay seconds or an HTTP date — as
 * milliseconds from `now` (epoch ms). Returns `undefined` when it is absent
 * or unreadable; a date in the past gives 0.
 *
 * @example Both forms
 * ```ts
 * import { parseRetryAfter } from "./mod.ts";
 * const now = Date.UTC(2018, 1, 7, 12, 0, 0);
 * console.log(parseRetryAfter("3", now)); // 3000
 * console.log(parseRetryAfter("Wed, 07 Feb 2018 12:00:10 GMT", now)); // 10000
 * ```
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
