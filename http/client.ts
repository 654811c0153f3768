/**
 * {@linkcode HttpClient}: native `fetch` with retries, a rate limiter,
 * per-attempt and total time limits, hooks and pagination.
 *
 * @module
 */

import { type Clock, systemClock } from "../internal/clock.ts";
import {
  type AttemptOutcome,
  ForcedRetryError,
  HttpClientError,
  HttpError,
  InvalidInputError,
  NetworkError,
  ParseError,
  RetryError,
  TimeoutError,
} from "./errors.ts";
import {
  backoffDelay,
  isNetworkError,
  retryAfterFromHeaders,
  type RetryOptions,
  type RetryPolicy,
  retryPolicy,
} from "./retry.ts";
import { TokenBucket, type TokenBucketOptions } from "./token_bucket.ts";
import { paginate, type PaginationStrategy } from "./paginate.ts";
import {
  type ForceRetryOptions,
  type Hooks,
  type HookState,
  RetryMarker,
  STOP,
} from "./hooks.ts";
import {
  joinPrefix,
  refuseUnknown,
  REQUEST_INIT_KEYS,
  type SearchParamsInit,
  withSearchParams,
} from "./_request_options.ts";
import {
  type ProgressCallback,
  withDownloadProgress,
} from "./_download_progress.ts";

/**
 * A `fetch`-compatible function.
 *
 * @example Wrap fetch to count calls
 * ```ts
 * import assert from "node:assert/strict";
 * import { type FetchFunction, HttpClient } from "./mod.ts";
 * let calls = 0;
 * const counting: FetchFunction = (input, init) => (calls++, fetch(input, init));
 * const client = new HttpClient({ fetch: counting });
 * assert.ok(client instanceof HttpClient);
 * assert.equal(calls, 0);
 * ```
 */
export type FetchFunction = (
  input: Request | URL | string,
  init?: RequestInit,
) => Promise<Response>;

/**
 * What {@linkcode HttpClientOptions.onRetry} receives before each retry.
 *
 * @example Log retries
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, type RetryEvent } from "./mod.ts";
 * const log: string[] = [];
 * const onRetry = (e: RetryEvent) => void log.push(`retry ${e.attempt} in ${e.delay} ms`);
 * const client = new HttpClient({ onRetry });
 * assert.equal(client instanceof HttpClient, true);
 * ```
 */
export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** Milliseconds the client waits before the next attempt. */
  delay: number;
  /** The request method. */
  method: string;
  /** The request URL. */
  url: string;
  /** The failure: an {@linkcode HttpError}, a {@linkcode TimeoutError} or a network error. */
  error: unknown;
  /** Whether the delay came from a `Retry-After` header. */
  retryAfter: boolean;
}

/**
 * What {@linkcode HttpClientOptions.onResponse} receives for every response.
 *
 * @example Count statuses
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, type ResponseEvent } from "./mod.ts";
 * const statuses = new Map<number, number>();
 * const onResponse = ({ response }: ResponseEvent) =>
 *   void statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
 * const client = new HttpClient({ onResponse });
 * assert.equal(client instanceof HttpClient, true);
 * ```
 */
export interface ResponseEvent {
  /** The attempt this response answers (1 for the first). */
  attempt: number;
  /** The request method. */
  method: string;
  /** The request URL. */
  url: string;
  /** The response; read only its status and headers (the body belongs to the caller). */
  response: Response;
  /** Milliseconds from sending the attempt to its response headers, on the client's clock. */
  elapsed: number;
}

/**
 * Options for {@linkcode HttpClient}.
 *
 * @example A careful client
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, type HttpClientOptions } from "./mod.ts";
 * const options: HttpClientOptions = {
 *   baseUrl: "https://api.example.com/v1",
 *   retry: { limit: 4 },
 *   rateLimit: { capacity: 5, refillPerSecond: 5 },
 *   timeout: 5_000,
 *   totalTimeout: 30_000,
 * };
 * assert.equal(new HttpClient(options).rateLimiter?.capacity, 5);
 * ```
 */
export interface HttpClientOptions {
  /**
   * URL that string inputs are resolved against with standard URL
   * resolution, as a browser resolves a link: `"query"` on
   * `"https://host/api/"` is `https://host/api/query`, on `"https://host/api"`
   * it is `https://host/query`; an absolute or protocol-relative input
   * replaces it. Applied after `prefixUrl`.
   * @default {undefined}
   */
  baseUrl?: string | URL;
  /**
   * Prefix joined to every string input with exactly one slash, as ky
   * joins it: `"/bar"` and `"bar"` on `"https://host/foo/"` are both
   * `https://host/foo/bar`, and `"//other/x"` stays a path under the prefix.
   * `URL` and `Request` inputs are used as they are.
   * @default {undefined}
   */
  prefixUrl?: string | URL;
  /**
   * Search parameters added to every request (a request's own are appended
   * after them).
   * @default {undefined}
   */
  searchParams?: SearchParamsInit;
  /**
   * Hooks for every request (see {@linkcode Hooks}).
   * @default {undefined}
   */
  hooks?: Hooks;
  /**
   * Parses JSON bodies for `json()` and `jsonResponse()`.
   * @default {JSON.parse}
   */
  parseJson?: (text: string, context: { response: Response }) => unknown;
  /**
   * Called as a response body arrives (see {@linkcode Progress}).
   * @default {undefined}
   */
  onDownloadProgress?: ProgressCallback;
  /**
   * The retry policy, or a number as shorthand for `{ limit }`.
   * @default {{ limit: 2 }}
   */
  retry?: RetryOptions | number;
  /**
   * A rate limiter shared by every request: a {@linkcode TokenBucket}, or
   * options to make one on the client's clock. One token per attempt.
   * @default {undefined}
   */
  rateLimit?: TokenBucket | Omit<TokenBucketOptions, "clock">;
  /**
   * Per-attempt limit in milliseconds, until the response headers (and, for
   * `json()`/`text()`, the whole body) arrive; `false` for none.
   * @default {10_000}
   */
  timeout?: number | false;
  /**
   * Limit in milliseconds for the whole call, retries and waits included;
   * `false` for none.
   * @default {false}
   */
  totalTimeout?: number | false;
  /**
   * Headers sent with every request (a request's own headers win).
   * @default {undefined}
   */
  headers?: HeadersInit;
  /**
   * Whether a non-2xx final response throws {@linkcode HttpError} (else it is
   * returned).
   * @default {true}
   */
  throwHttpErrors?: boolean;
  /**
   * The clock for timeouts, backoff and the rate limiter.
   * @default {systemClock}
   */
  clock?: Clock;
  /**
   * The `fetch` to call.
   * @default {globalThis.fetch}
   */
  fetch?: FetchFunction;
  /**
   * Called before each retry, for logs and metrics; awaited.
   * @default {undefined}
   */
  onRetry?: (event: RetryEvent) => void | Promise<void>;
  /**
   * Called for every response received, retried or not; awaited.
   * @default {undefined}
   */
  onResponse?: (event: ResponseEvent) => void | Promise<void>;
}

/**
 * Per-request options: `fetch`'s `RequestInit` plus overrides of the client's.
 *
 * @example Override the policy for one request
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HttpRequestInit } from "./mod.ts";
 * const init: HttpRequestInit = { method: "DELETE", retry: 0, timeout: 2_000 };
 * assert.equal(init.method, "DELETE");
 * ```
 */
export interface HttpRequestInit extends RequestInit {
  /** A body sent as JSON, with `content-type: application/json` unless set. */
  json?: unknown;
  /** Search parameters appended to the URL (an `undefined` value removes one). */
  searchParams?: SearchParamsInit;
  /** Hooks for this request, run after the client's. */
  hooks?: Hooks;
  /** Overrides the client's `parseJson`. */
  parseJson?: HttpClientOptions["parseJson"];
  /** Overrides the client's `onDownloadProgress`. */
  onDownloadProgress?: ProgressCallback;
  /** Overrides the client's retry policy for this request. */
  retry?: RetryOptions | number;
  /** Overrides the client's per-attempt timeout. */
  timeout?: number | false;
  /** Overrides the client's total timeout. */
  totalTimeout?: number | false;
  /** Overrides the client's `throwHttpErrors`. */
  throwHttpErrors?: boolean;
}

/**
 * A parsed JSON body with the response's status, headers and URL.
 *
 * @example Read a body and a header
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, type JsonResponse } from "./mod.ts";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   Response.json([1, 2], { headers: { "x-total": "2" } }));
 * const page: JsonResponse<number[]> = await new HttpClient()
 *   .jsonResponse<number[]>(`http://127.0.0.1:${server.addr.port}/`);
 * assert.deepEqual(page.body, [1, 2]);
 * assert.equal(page.headers.get("x-total"), "2");
 * await server.shutdown();
 * ```
 */
export interface JsonResponse<T> {
  /** The parsed body (`undefined` for 204 No Content). */
  body: T;
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The final response URL. */
  url: string;
}

const CLIENT_KEYS: ReadonlySet<string> = new Set([
  "baseUrl",
  "prefixUrl",
  "searchParams",
  "hooks",
  "parseJson",
  "onDownloadProgress",
  "retry",
  "rateLimit",
  "timeout",
  "totalTimeout",
  "headers",
  "throwHttpErrors",
  "clock",
  "fetch",
  "onRetry",
  "onResponse",
]);
const OWN_REQUEST_KEYS = [
  "json",
  "searchParams",
  "hooks",
  "parseJson",
  "onDownloadProgress",
  "retry",
  "timeout",
  "totalTimeout",
  "throwHttpErrors",
];
const REQUEST_KEYS: ReadonlySet<string> = new Set([
  ...REQUEST_INIT_KEYS,
  ...OWN_REQUEST_KEYS,
]);
const HOOK_NAMES = [
  "beforeRequest",
  "afterResponse",
  "beforeRetry",
  "beforeError",
] as const;

/** The client's hooks followed by the request's; `undefined` when there are none. */
function mergeHooks(
  first: Hooks | undefined,
  second: Hooks | undefined,
): Required<Hooks> | undefined {
  if (first === undefined && second === undefined) return undefined;
  for (const hooks of [first, second]) {
    if (hooks === undefined) continue;
    refuseUnknown(hooks, new Set(HOOK_NAMES), "hook");
    for (const name of HOOK_NAMES) {
      const list = hooks[name];
      if (
        list !== undefined &&
        !(Array.isArray(list) && list.every((h) => typeof h === "function"))
      ) {
        throw new InvalidInputError(
          `Hooks ${name} must be an array of functions: ${String(list)}`,
        );
      }
    }
  }
  const merged = {
    beforeRequest: [
      ...first?.beforeRequest ?? [],
      ...second?.beforeRequest ?? [],
    ],
    afterResponse: [
      ...first?.afterResponse ?? [],
      ...second?.afterResponse ?? [],
    ],
    beforeRetry: [...first?.beforeRetry ?? [], ...second?.beforeRetry ?? []],
    beforeError: [...first?.beforeError ?? [], ...second?.beforeError ?? []],
  };
  return HOOK_NAMES.some((name) => merged[name].length > 0)
    ? merged
    : undefined;
}

const EXCERPT_CHARS = 1024;
const HREF_CACHE_SIZE = 256;
/** The longest delay `setTimeout` takes (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Reads at most `max` characters of a body, then cancels the rest.
 *
 * @example The start of a long body
 * ```ts
 * import assert from "node:assert/strict";
 * import { readExcerpt } from "./mod.ts";
 * const response = new Response("x".repeat(10_000));
 * assert.equal((await readExcerpt(response, 16)).length, 16);
 * ```
 */
export async function readExcerpt(
  response: Response,
  max = EXCERPT_CHARS,
): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < max) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return text.slice(0, max);
}

const TIMING_HEADERS = [
  "retry-after",
  "ratelimit-reset",
  "x-ratelimit-retry-after",
  "x-ratelimit-reset",
  "x-rate-limit-reset",
];

function hasRetryTiming(headers: Headers): boolean {
  return TIMING_HEADERS.some((name) => headers.has(name));
}

function isJsonType(contentType: string): boolean {
  return /\bjson\b/i.test(contentType);
}

// A constant abort reason: the default one is a DOMException whose stack
// capture costs more than the rest of a local request's overhead.
const CANCELLED = Symbol("cancelled");
const noop = (): void => {};
const ACCEPT_JSON: Readonly<Record<string, string>> = Object.freeze({
  accept: "application/json",
});
const ACCEPT_TEXT = Object.freeze({ accept: "text/*" });
const ACCEPT_ANY = Object.freeze({ accept: "*/*" });
const ACCEPT_FORM = Object.freeze({ accept: "multipart/form-data" });

/** How long to wait before a retry, and whether the server asked for it. */
interface RetryWait {
  delay: number;
  fromServer: boolean;
}

/** A pending time limit: `fire` runs at monotonic time `at`; unset once done. */
interface Deadline {
  at: number;
  fire: (() => void) | undefined;
}

/**
 * Every pending time limit of one client (per-attempt timeouts and total
 * deadlines) behind a single timer armed for the earliest one. A timer per
 * attempt costs more than the rest of a local request's overhead; with a
 * steady timeout the deadlines come in increasing order, so the armed timer
 * stays valid and adding or cancelling a limit is a push or a flag.
 *
 * On the system clock a timer whose limit was cancelled is left to lapse
 * (unref'd, so it never holds the process open): clearing and re-arming a
 * Deno timer per request is the cost this avoids. On an injected clock the
 * sleep always matches the earliest live deadline, so a test's
 * `runNext()`/`pendingSleeps` see exactly the limits that are pending.
 */
class DeadlineTimer {
  #clock: Clock;
  #system: boolean;
  #queue: Deadline[] = [];
  #live = 0;
  /** When the armed timer fires; `Infinity` when none is armed. */
  #armedAt = Infinity;
  #timerId: ReturnType<typeof setTimeout> | undefined;
  #sleep: AbortController | undefined;
  #onTimer = (): void => {
    this.#armedAt = Infinity;
    this.#timerId = undefined;
    this.#sweep();
  };

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#system = clock === systemClock;
  }

  /** Runs `fire` once `ms` have passed, unless cancelled first. */
  add(ms: number, fire: () => void): Deadline {
    const deadline: Deadline = { at: this.#clock.monotonic() + ms, fire };
    this.#queue.push(deadline);
    this.#live++;
    if (deadline.at < this.#armedAt) this.#arm(deadline.at);
    return deadline;
  }

  /** Cancels a pending limit; a no-op once it fired or was cancelled. */
  cancel(deadline: Deadline): void {
    if (deadline.fire === undefined) return;
    deadline.fire = undefined;
    if (--this.#live === 0) {
      this.#queue.length = 0;
      if (!this.#system) this.#disarm();
      return;
    }
    if (this.#queue.length > 64 && this.#live * 2 < this.#queue.length) {
      this.#queue = this.#queue.filter((d) => d.fire !== undefined);
    }
    if (!this.#system && deadline.at === this.#armedAt) {
      this.#disarm();
      this.#arm(this.#earliest());
    }
  }

  #earliest(): number {
    let earliest = Infinity;
    for (const d of this.#queue) {
      if (d.fire !== undefined && d.at < earliest) earliest = d.at;
    }
    return earliest;
  }

  #arm(at: number): void {
    if (at === Infinity) return;
    this.#armedAt = at;
    const ms = Math.max(0, at - this.#clock.monotonic());
    if (this.#system) {
      if (this.#timerId !== undefined) clearTimeout(this.#timerId);
      // Rounded up: a timer that fires a fraction early would find nothing
      // due. Capped: a longer delay overflows and would fire at once.
      const id = setTimeout(
        this.#onTimer,
        Math.min(MAX_TIMER_MS, Math.ceil(ms)),
      );
      Deno.unrefTimer(id);
      this.#timerId = id;
      return;
    }
    this.#sleep?.abort(CANCELLED);
    const sleep = new AbortController();
    this.#sleep = sleep;
    this.#clock.sleep(ms, sleep.signal).then(() => {
      // A sleep replaced after it resolved is covered by its replacement.
      if (this.#sleep !== sleep) return;
      this.#sleep = undefined;
      this.#onTimer();
    }, noop);
  }

  #disarm(): void {
    this.#armedAt = Infinity;
    this.#sleep?.abort(CANCELLED);
    this.#sleep = undefined;
  }

  #sweep(): void {
    const now = this.#clock.monotonic();
    const due: Array<() => void> = [];
    const pending: Deadline[] = [];
    for (const d of this.#queue) {
      if (d.fire === undefined) continue;
      if (d.at <= now) {
        due.push(d.fire);
        d.fire = undefined;
        this.#live--;
      } else {
        pending.push(d);
      }
    }
    this.#queue = pending;
    // Fired after the bookkeeping: aborting runs listeners synchronously.
    for (const fire of due) fire();
    const next = this.#earliest();
    if (next < this.#armedAt) this.#arm(next);
  }
}

/**
 * `fetch` made resilient. Each call runs attempts until one succeeds or the
 * policy says stop:
 *
 * - before each attempt it takes a token from the rate limiter;
 * - an attempt that fails with a retryable status, a network error or its own
 *   timeout is retried when the method is retryable and retries remain,
 *   after `Retry-After` (capped) or a full-jitter exponential backoff;
 * - a 429 slows the limiter down, successes speed it back up;
 * - the caller's `signal` and `totalTimeout` stop everything, waits included.
 *
 * A final non-2xx response throws {@linkcode HttpError}; running out of
 * retries throws {@linkcode RetryError} with the last failure as `cause`.
 *
 * @example Retry a flaky local server
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient } from "./mod.ts";
 * let calls = 0;
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   ++calls < 3 ? new Response("busy", { status: 503 }) : Response.json({ ok: true }));
 * const client = new HttpClient({
 *   baseUrl: `http://127.0.0.1:${server.addr.port}`,
 *   retry: { limit: 3, delay: 1 },
 * });
 * assert.deepEqual(await client.json("/status"), { ok: true });
 * assert.equal(calls, 3);
 * await server.shutdown();
 * ```
 */
export class HttpClient {
  /** Return it from a `beforeRetry` hook to stop retrying (the failure is thrown). */
  static readonly stop: typeof STOP = STOP;

  /**
   * Return it from an `afterResponse` hook to retry the request, even a
   * 2xx, within the retry limit and without the method or `shouldRetry`
   * checks (as ky's `ky.retry()`); `delay` replaces the backoff.
   */
  static retry(options?: ForceRetryOptions): RetryMarker {
    return new RetryMarker(options);
  }

  #options: HttpClientOptions;
  #prefix: string | undefined;
  #searchParams: SearchParamsInit | undefined;
  #hooks: Required<Hooks> | undefined;
  #parseJsonOption: HttpClientOptions["parseJson"];
  #onDownloadProgress: ProgressCallback | undefined;
  #baseUrl: URL | undefined;
  #retry: RetryPolicy;
  #bucket: TokenBucket | undefined;
  #timeout: number | false;
  #totalTimeout: number | false;
  #headers: Headers;
  #hasHeaders: boolean;
  #throwHttpErrors: boolean;
  #clock: Clock;
  #fetch: FetchFunction;
  #onRetry: HttpClientOptions["onRetry"];
  #onResponse: HttpClientOptions["onResponse"];
  #timers: DeadlineTimer;
  /** Whether `fetch` came from the options (it then always gets a full init). */
  #ownFetch = false;
  /** Resolved hrefs of recent string URLs: parsing one costs a microsecond. */
  #hrefs = new Map<string, string>();

  /** Makes a client; throws {@linkcode InvalidInputError} on bad options. */
  constructor(options: HttpClientOptions = {}) {
    refuseUnknown(options, CLIENT_KEYS, "client");
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    if (options.baseUrl !== undefined) {
      this.#baseUrl = HttpClient.#parseUrl(String(options.baseUrl));
    }
    if (options.prefixUrl !== undefined && String(options.prefixUrl) !== "") {
      this.#prefix = String(options.prefixUrl);
      HttpClient.#parseUrl(joinPrefix(this.#prefix, ""), this.#baseUrl?.href);
    }
    this.#searchParams = options.searchParams;
    this.#hooks = mergeHooks(options.hooks, undefined);
    this.#parseJsonOption = options.parseJson;
    this.#onDownloadProgress = options.onDownloadProgress;
    this.#retry = retryPolicy(options.retry);
    const rate = options.rateLimit;
    this.#bucket = rate === undefined
      ? undefined
      : rate instanceof TokenBucket
      ? rate
      : new TokenBucket({ ...rate, clock: this.#clock });
    this.#timeout = HttpClient.#checkTimeout("timeout", options.timeout) ??
      10_000;
    this.#totalTimeout =
      HttpClient.#checkTimeout("totalTimeout", options.totalTimeout) ?? false;
    this.#headers = new Headers(options.headers);
    this.#hasHeaders = [...this.#headers.keys()].length > 0;
    this.#throwHttpErrors = options.throwHttpErrors ?? true;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#ownFetch = options.fetch !== undefined;
    this.#onRetry = options.onRetry;
    this.#onResponse = options.onResponse;
    this.#timers = new DeadlineTimer(this.#clock);
  }

  /** The client's rate limiter, if it has one. */
  get rateLimiter(): TokenBucket | undefined {
    return this.#bucket;
  }

  /** The client's clock. */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * Resolves a request URL: a string is joined to `prefixUrl`, then resolved
   * against `baseUrl`; throws {@linkcode InvalidInputError} for an invalid
   * URL or a scheme other than http(s).
   */
  resolveUrl(input: string | URL): URL {
    if (input instanceof URL) return HttpClient.#parseUrl(input.href);
    const joined = this.#prefix === undefined
      ? input
      : joinPrefix(this.#prefix, input);
    return HttpClient.#parseUrl(joined, this.#baseUrl?.href);
  }

  /**
   * A client with this one's options and `options` on top, as ky's
   * `extend`: headers and hooks are merged, `retry` objects are merged, the
   * rate limiter is shared unless `options` gives one. A function receives
   * this client's options and returns the new ones.
   */
  extend(
    options:
      | HttpClientOptions
      | ((parent: HttpClientOptions) => HttpClientOptions),
  ): HttpClient {
    const parent = this.#options;
    const child = typeof options === "function" ? options(parent) : options;
    refuseUnknown(child, CLIENT_KEYS, "client");
    const headers = new Headers(parent.headers);
    new Headers(child.headers).forEach((v, k) => headers.set(k, v));
    const retryOf = (r: RetryOptions | number | undefined) =>
      typeof r === "number" ? { limit: r } : r;
    return new HttpClient({
      ...parent,
      ...child,
      headers,
      hooks: mergeHooks(parent.hooks, child.hooks),
      retry: { ...retryOf(parent.retry), ...retryOf(child.retry) },
      rateLimit: child.rateLimit ?? this.#bucket,
    });
  }

  /** A new client with `options` alone, as ky's `create` (nothing inherited). */
  create(options: HttpClientOptions = {}): HttpClient {
    return new HttpClient(options);
  }

  /**
   * Sends a request with retries, rate limiting and time limits; resolves to
   * the response (whose body the caller reads).
   */
  fetch(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<Response> {
    return this.#send<Response>(input, init, undefined);
  }

  /**
   * Sends a GET (by default) and parses the body as JSON inside the attempt,
   * so the timeout covers the body and a cut body is retried; a body that
   * is not JSON throws {@linkcode ParseError}. `parseJson` replaces
   * `JSON.parse`.
   */
  json<T = unknown>(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<T> {
    const parse = init.parseJson ?? this.#parseJsonOption;
    return this.#send(
      input,
      this.#accept(init, ACCEPT_JSON),
      (response) => HttpClient.#parseJson<T>(response, parse),
    );
  }

  /**
   * Like {@linkcode HttpClient.json}, and also hands back the response's
   * status, headers and final URL (pagination reads `Link` from them).
   */
  jsonResponse<T = unknown>(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<JsonResponse<T>> {
    const parse = init.parseJson ?? this.#parseJsonOption;
    return this.#send(
      input,
      this.#accept(init, ACCEPT_JSON),
      async (response) => ({
        body: await HttpClient.#parseJson<T>(response, parse),
        status: response.status,
        headers: response.headers,
        url: response.url,
      }),
    );
  }

  /** Sends a request and reads the body as text inside the attempt. */
  text(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<string> {
    return this.#send(
      input,
      this.#accept(init, ACCEPT_TEXT),
      (response) => response.text(),
    );
  }

  /** Sends a request and reads the body as bytes inside the attempt. */
  bytes(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<Uint8Array> {
    return this.#send(
      input,
      this.#accept(init, ACCEPT_ANY),
      async (response) => new Uint8Array(await response.arrayBuffer()),
    );
  }

  /** Sends a request and reads the body as an `ArrayBuffer` inside the attempt. */
  arrayBuffer(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<ArrayBuffer> {
    return this.#send(
      input,
      this.#accept(init, ACCEPT_ANY),
      (response) => response.arrayBuffer(),
    );
  }

  /** Sends a request and reads the body as a `Blob` inside the attempt. */
  blob(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<Blob> {
    return this.#send(
      input,
      this.#accept(init, ACCEPT_ANY),
      (response) => response.blob(),
    );
  }

  /** Sends a request and reads the body as `FormData` inside the attempt. */
  formData(
    input: string | URL | Request,
    init: HttpRequestInit = {},
  ): Promise<FormData> {
    return this.#send(
      input,
      this.#accept(init, ACCEPT_FORM),
      (response) => response.formData(),
    );
  }

  /**
   * Pages through a listing: an async iterable of its items, fetched one page
   * at a time with this client (so every page is retried and rate limited).
   * See {@linkcode PaginationStrategy} for the strategies.
   */
  paginate<T = unknown>(
    input: string | URL,
    strategy: PaginationStrategy<T>,
    init: HttpRequestInit = {},
  ): AsyncIterableIterator<T> {
    return paginate<T>(this, input, strategy, init);
  }

  async #send<T>(
    input: string | URL | Request,
    init: HttpRequestInit,
    consume: ((response: Response) => Promise<T>) | undefined,
  ): Promise<T> {
    refuseUnknown(init, REQUEST_KEYS, "request");
    const hooks = init.hooks === undefined
      ? this.#hooks
      : mergeHooks(this.#options.hooks, init.hooks);
    if (hooks === undefined || hooks.beforeError.length === 0) {
      return this.#attempts(input, init, consume, hooks, undefined);
    }
    const state: HookState = {
      request: input instanceof Request ? input : new Request(String(input)),
      retryCount: 0,
    };
    try {
      return await this.#attempts(input, init, consume, hooks, state);
    } catch (error) {
      if (!(error instanceof Error)) throw error;
      let thrown = error;
      for (const hook of hooks.beforeError) {
        const result = await hook({ ...state, error: thrown });
        if (result instanceof Error) thrown = result;
      }
      throw thrown;
    }
  }

  async #attempts<T>(
    input: string | URL | Request,
    init: HttpRequestInit,
    consume: ((response: Response) => Promise<T>) | undefined,
    hooks: Required<Hooks> | undefined,
    state: HookState | undefined,
  ): Promise<T> {
    let request = input instanceof Request ? input : undefined;
    let href = request
      ? this.resolveUrl(request.url).href
      : this.#href(input as string | URL);
    if (this.#searchParams !== undefined) {
      href = withSearchParams(href, this.#searchParams);
    }
    if (init.searchParams !== undefined) {
      href = withSearchParams(href, init.searchParams);
    }
    if (init.json !== undefined) {
      const headers = new Headers(init.headers);
      if (!headers.has("content-type")) {
        headers.set("content-type", "application/json");
      }
      init = { ...init, body: JSON.stringify(init.json), headers };
    }
    let method = HttpClient.#method(init.method ?? request?.method);
    const policy = init.retry === undefined
      ? this.#retry
      : retryPolicy(init.retry);
    const timeout = init.timeout === undefined
      ? this.#timeout
      : HttpClient.#checkTimeout("timeout", init.timeout)!;
    const totalTimeout = init.totalTimeout === undefined
      ? this.#totalTimeout
      : HttpClient.#checkTimeout("totalTimeout", init.totalTimeout)!;
    const throwHttpErrors = init.throwHttpErrors ?? this.#throwHttpErrors;
    const callerSignal = init.signal ?? undefined;
    const manualRedirect = init.redirect === "manual";
    // A stream can be sent once; a Request is cloned per attempt (a tee).
    const replayable = !(init.body instanceof ReadableStream);
    const history: AttemptOutcome[] = [];
    // The init every attempt sends, made once per call; only `signal` changes.
    let attemptInit: RequestInit = HttpClient.#requestInit(init, method);
    // The built-in fetch defaults to GET; a caller's fetch is told the method.
    if (request || this.#ownFetch) attemptInit.method = method;
    // Merge headers only when there is something to merge (a Headers object
    // per request is measurable against a local server).
    if (this.#hasHeaders || request) {
      const merged = new Headers(this.#headers);
      new Headers(request?.headers).forEach((v, k) => merged.set(k, v));
      new Headers(init.headers).forEach((v, k) => merged.set(k, v));
      attemptInit.headers = merged;
    }
    // With hooks the request is a Request from here on: hooks see and may
    // replace it, and each attempt sends a clone of it.
    let hookResponse: Response | undefined;
    let fromHook = false;
    if (hooks) {
      request = request
        ? new Request(request, attemptInit)
        : new Request(href, { ...attemptInit, method });
      attemptInit = {};
      for (const hook of hooks.beforeRequest) {
        const result = await hook({ request, retryCount: 0 });
        if (result instanceof Request) request = result;
        else if (result instanceof Response) {
          hookResponse = result;
          break;
        }
      }
      href = request.url;
      method = request.method;
      if (state) state.request = request;
    }
    const onProgress = init.onDownloadProgress ?? this.#onDownloadProgress;

    // `outer` stops everything (the caller's signal, the total deadline).
    // Each attempt with a timeout gets its own controller, which the deadline
    // also aborts, so without a caller's signal fetch gets one plain signal
    // and no AbortSignal.any. The caller's signal is joined with AbortSignal.any
    // (whose links are weak), so it still aborts a body read after return.
    let attempt: AbortController | undefined;
    let total: AbortController | undefined;
    let outer: AbortSignal | undefined = callerSignal;
    const timers = this.#timers;
    let totalDeadline: Deadline | undefined;
    if (totalTimeout !== false) {
      total = new AbortController();
      outer = callerSignal
        ? AbortSignal.any([callerSignal, total.signal])
        : total.signal;
      totalDeadline = timers.add(totalTimeout, () => {
        const reason = new TimeoutError("total", totalTimeout, href);
        total!.abort(reason);
        attempt?.abort(reason);
      });
    }
    // No init at all is fetch's fastest path (a GET with no headers or signal).
    let noInit = timeout === false && outer === undefined && !this.#ownFetch;
    for (const _ in attemptInit) noInit = false;
    // The reason for stopping everything, if the caller or the deadline did.
    const stopped = (): unknown =>
      callerSignal?.aborted
        ? callerSignal.reason
        : total?.signal.aborted
        ? total.signal.reason
        : undefined;

    try {
      for (let n = 1;; n++) {
        const bucket = this.#bucket;
        if (bucket) {
          if (outer?.aborted) throw stopped();
          if (!bucket.tryTake(1)) await bucket.take(1, outer);
        }
        // A fresh init per retry: a custom fetch may have kept the last one.
        if (n > 1) attemptInit = { ...attemptInit };
        let attemptDeadline: Deadline | undefined;
        if (timeout !== false) {
          const controller = new AbortController();
          attempt = controller;
          attemptInit.signal = callerSignal
            ? AbortSignal.any([callerSignal, controller.signal])
            : controller.signal;
          if (outer?.aborted) controller.abort(stopped());
          else {
            attemptDeadline = timers.add(
              timeout,
              () =>
                controller.abort(new TimeoutError("attempt", timeout, href)),
            );
          }
        } else if (outer) {
          attemptInit.signal = outer;
        }
        let failure: Error;
        let response: Response | undefined;
        let forcedDelay: number | undefined;
        try {
          const started = this.#onResponse ? this.#clock.monotonic() : 0;
          fromHook = hookResponse !== undefined;
          response = hookResponse ?? await this.#fetch(
            request ? new Request(request.clone(), attemptInit) : href,
            request || noInit ? undefined : attemptInit,
          );
          hookResponse = undefined;
          if (this.#onResponse) {
            await this.#onResponse({
              attempt: n,
              method,
              url: href,
              response,
              elapsed: this.#clock.monotonic() - started,
            });
          }
          if (bucket) {
            if (response.status === 429) bucket.slowDown();
            else if (response.ok) bucket.recover();
          }
          let forced: RetryMarker | undefined;
          if (hooks && hooks.afterResponse.length > 0) {
            for (const hook of hooks.afterResponse) {
              const clone: Response = response.clone();
              const result = await hook({
                request: request!,
                response: clone,
                retryCount: n - 1,
              });
              if (result !== clone) clone.body?.cancel().catch(noop);
              if (result instanceof RetryMarker) {
                response.body?.cancel().catch(noop);
                forced = result;
                break;
              }
              if (result instanceof Response) {
                if (result.body !== response.body) {
                  response.body?.cancel().catch(noop);
                }
                response = result;
              }
            }
          }
          if (forced) {
            const { code, cause, delay } = forced.options;
            failure = new ForcedRetryError(code, { cause });
            forcedDelay = delay ?? backoffDelay(policy, n);
          } else if (
            response.ok ||
            manualRedirect && response.status >= 300 &&
              response.status < 400 ||
            !throwHttpErrors &&
              !this.#retryable(policy, method, response.status)
          ) {
            if (onProgress) {
              response = withDownloadProgress(response, onProgress);
            }
            return consume ? await consume(response) : response as T;
          } else {
            failure = new HttpError({
              status: response.status,
              statusText: response.statusText,
              url: href,
              method,
              body: await readExcerpt(response),
              headers: response.headers,
            });
          }
        } catch (error) {
          const reason = stopped();
          if (reason !== undefined) throw reason;
          if (attempt?.signal.aborted) failure = attempt.signal.reason;
          else if (error instanceof HttpClientError) throw error;
          else if (isNetworkError(error)) {
            failure = new NetworkError(method, href, error);
          } else {
            // fetch refused the request itself (a forbidden method, a
            // redirect loop, a locked body) or a custom fetch has a bug:
            // not a network failure, so never retried.
            throw new HttpClientError(
              `Request failed: ${method} ${href}: ${
                error instanceof Error ? error.message : String(error)
              }`,
              { cause: error },
            );
          }
        } finally {
          if (attemptDeadline) timers.cancel(attemptDeadline);
        }

        const outcome: AttemptOutcome = {
          attempt: n,
          error: failure.name,
          ...(response ? { status: response.status } : {}),
        };
        history.push(outcome);
        // Synchronous unless there is a shouldRetry to ask: an await here
        // would let a test's clock advance before the retry's sleep exists.
        let wait: RetryWait | undefined;
        const ask = policy.shouldRetry;
        if (forcedDelay !== undefined) {
          // A hook asked: no method or shouldRetry check, as in ky.
          wait = { delay: forcedDelay, fromServer: false };
        } else if (fromHook) {
          wait = undefined; // a hook's response is final
        } else if (
          ask && n <= policy.limit && policy.methods.includes(method)
        ) {
          const decided = await ask({ error: failure, retryCount: n });
          wait = decided === true
            ? { delay: backoffDelay(policy, n), fromServer: false }
            : decided === false
            ? undefined
            : this.#retryDelay(policy, method, n, failure, response);
        } else {
          wait = this.#retryDelay(policy, method, n, failure, response);
        }
        if (wait === undefined || n > policy.limit) {
          if (!throwHttpErrors && failure instanceof HttpError) {
            // Out of retries but asked not to throw: hand back the status.
            const failed = new Response(failure.body, {
              status: failure.status,
              statusText: failure.statusText,
              headers: failure.headers,
            });
            return consume ? await consume(failed) : failed as T;
          }
          // Not retryable: the failure itself; out of retries: a RetryError.
          throw wait === undefined || n === 1
            ? failure
            : new RetryError(n, failure, { history });
        }
        if (!replayable) {
          throw new RetryError(n, failure, {
            history,
            reason: "its body is a ReadableStream, which cannot be sent twice",
          });
        }
        const delay = wait.delay;
        outcome.delay = delay;
        await this.#onRetry?.({
          attempt: n,
          delay,
          method,
          url: href,
          error: failure,
          retryAfter: wait.fromServer,
        });
        try {
          await this.#clock.sleep(delay, outer);
        } catch (error) {
          throw stopped() ?? error;
        }
        if (hooks) {
          for (const hook of hooks.beforeRetry) {
            const result = await hook({
              request: request!,
              error: failure,
              retryCount: n,
            });
            if (result === STOP) throw failure;
            if (result instanceof Request) {
              request = result;
              href = request.url;
              method = request.method;
              break;
            }
            if (result instanceof Response) {
              hookResponse = result;
              break;
            }
          }
          if (state) {
            state.request = request!;
            state.retryCount = n;
          }
        }
      }
    } finally {
      if (totalDeadline) timers.cancel(totalDeadline);
    }
  }

  #href(input: string | URL): string {
    if (typeof input !== "string") return this.resolveUrl(input).href;
    let href = this.#hrefs.get(input);
    if (href === undefined) {
      href = this.resolveUrl(input).href;
      if (this.#hrefs.size >= HREF_CACHE_SIZE) this.#hrefs.clear();
      this.#hrefs.set(input, href);
    }
    return href;
  }

  static #method(method: string | undefined): string {
    return method === undefined || method === "GET"
      ? "GET"
      : method.toUpperCase();
  }

  static #requestInit(init: HttpRequestInit, method: string): RequestInit {
    const {
      retry: _r,
      timeout: _t,
      totalTimeout: _tt,
      throwHttpErrors: _th,
      signal: _s,
      json: _j,
      searchParams: _sp,
      hooks: _h,
      parseJson: _pj,
      onDownloadProgress: _dp,
      ...rest
    } = init;
    // fetch's default; any key in the init costs fetch a slower path.
    if (method !== "GET") (rest as RequestInit).method = method;
    return rest;
  }

  #retryable(policy: RetryPolicy, method: string, status: number): boolean {
    return policy.methods.includes(method) &&
      policy.statusCodes.includes(status);
  }

  /** `init` with an `accept` header of `accept` unless it has one (as ky's shortcuts). */
  #accept(
    init: HttpRequestInit,
    accept: Readonly<Record<string, string>>,
  ): HttpRequestInit {
    if (this.#hasHeaders && this.#headers.has("accept")) return init;
    if (init.headers === undefined) {
      return { ...init, headers: accept };
    }
    const headers = new Headers(init.headers);
    if (!headers.has("accept")) headers.set("accept", accept.accept!);
    return { ...init, headers };
  }

  /**
   * The wait before retrying `failure`, or `undefined` when it is not to be
   * retried: ky's order of checks (method, then — `shouldRetry` aside — timeout, status
   * with its retry timing headers, network error). Limit aside: the caller
   * checks it, so a failure that would not be retried anyway is thrown as is.
   */
  #retryDelay(
    policy: RetryPolicy,
    method: string,
    n: number,
    failure: Error,
    response: Response | undefined,
  ): RetryWait | undefined {
    const backoff = { delay: backoffDelay(policy, n), fromServer: false };
    if (!policy.methods.includes(method)) return undefined;
    if (failure instanceof TimeoutError) {
      return policy.retryOnTimeout ? backoff : undefined;
    }
    if (failure instanceof HttpError) {
      if (!policy.statusCodes.includes(failure.status)) return undefined;
      const asked = policy.afterStatusCodes.includes(failure.status) &&
        response !== undefined;
      const after = asked
        ? retryAfterFromHeaders(response.headers, this.#clock.now())
        : undefined;
      if (after !== undefined) {
        return {
          delay: Math.min(after, policy.maxRetryAfter),
          fromServer: true,
        };
      }
      // 413 says the body is too large; only a server that says when to come
      // back makes a retry worth it (ky and urllib3 agree).
      if (
        failure.status === 413 && !(asked && hasRetryTiming(response.headers))
      ) {
        return undefined;
      }
      return backoff;
    }
    return failure instanceof NetworkError && policy.retryOnNetworkError
      ? backoff
      : undefined;
  }

  static async #parseJson<T>(
    response: Response,
    parse: HttpClientOptions["parseJson"],
  ): Promise<T> {
    const contentType = response.headers.get("content-type") ?? "";
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    if (!isJsonType(contentType)) {
      throw new ParseError(response.url, contentType, text.slice(0, 64));
    }
    try {
      return (parse ? await parse(text, { response }) : JSON.parse(text)) as T;
    } catch (cause) {
      throw new ParseError(response.url, contentType, text.slice(0, 64), {
        cause,
      });
    }
  }

  static #parseUrl(text: string, base?: string): URL {
    let url: URL;
    try {
      url = new URL(text, base);
    } catch (cause) {
      throw new InvalidInputError(`Invalid URL: ${JSON.stringify(text)}`, {
        cause,
      });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new InvalidInputError(
        `URL scheme must be http or https: ${JSON.stringify(url.href)}`,
      );
    }
    return url;
  }

  static #checkTimeout(
    name: string,
    value: number | false | undefined,
  ): number | false | undefined {
    if (value === undefined || value === false) return value;
    if (!(typeof value === "number" && value > 0)) {
      throw new InvalidInputError(
        `Option ${name} must be a positive number of milliseconds or false: ${value}`,
      );
    }
    return value;
  }
}
