/**
 * The http module's errors. Every error it throws is an
 * {@linkcode HttpClientError}, so one `catch` with `instanceof` covers them.
 *
 * @module
 */

/**
 * Base class of every error the http module throws.
 *
 * @example Catch any http error
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, HttpClientError } from "./mod.ts";
 * try {
 *   await new HttpClient().fetch("not a url");
 * } catch (error) {
 *   assert.equal(error instanceof HttpClientError, true);
 * }
 * ```
 */
export class HttpClientError extends Error {
  /** Makes an error with a message and an optional cause. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "HttpClientError";
  }
}

/**
 * Details of a response that was not a success.
 *
 * @example Describe a failed response
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpError, type HttpErrorInit } from "./mod.ts";
 * const init: HttpErrorInit = { status: 404, url: "http://127.0.0.1/x", method: "GET" };
 * assert.equal(new HttpError(init).status, 404);
 * ```
 */
export interface HttpErrorInit {
  /** The HTTP status code. */
  status: number;
  /** The status text, when the server sent one. */
  statusText?: string;
  /** The requested URL. */
  url: string;
  /** The request method. */
  method: string;
  /** The first characters of the response body. */
  body?: string;
  /** The response headers. */
  headers?: Headers;
}

/**
 * A response whose status is not 2xx. Carries the status, the method, the
 * URL and the start of the body, which is where servers explain themselves.
 *
 * @example Read a 400's explanation
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpError } from "./mod.ts";
 * const error = new HttpError({
 *   status: 400,
 *   url: "http://127.0.0.1/q",
 *   method: "GET",
 *   body: "Bad Request: limit must be positive",
 * });
 * assert.equal(error.message, "Request failed with status 400: GET http://127.0.0.1/q: Bad Request: limit must be positive");
 * ```
 */
export class HttpError extends HttpClientError {
  /** The HTTP status code. */
  readonly status: number;
  /** The status text (may be empty). */
  readonly statusText: string;
  /** The requested URL. */
  readonly url: string;
  /** The request method. */
  readonly method: string;
  /** The first characters of the response body (up to 1,024). */
  readonly body: string;
  /** The response headers. */
  readonly headers: Headers;

  /** Makes an error describing a failed response. */
  constructor(init: HttpErrorInit, options?: ErrorOptions) {
    const body = init.body ?? "";
    const excerpt = body.replace(/\s+/g, " ").trim().slice(0, 200);
    super(
      `Request failed with status ${init.status}: ${init.method} ${init.url}${
        excerpt ? `: ${excerpt}` : ""
      }`,
      options,
    );
    this.name = "HttpError";
    this.status = init.status;
    this.statusText = init.statusText ?? "";
    this.url = init.url;
    this.method = init.method;
    this.body = body;
    this.headers = init.headers ?? new Headers();
  }
}

/**
 * One attempt's outcome in {@linkcode RetryError.history}.
 *
 * @example A 503 followed by a wait of 300 ms
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AttemptOutcome } from "./mod.ts";
 * const outcome: AttemptOutcome = { attempt: 1, status: 503, error: "HttpError", delay: 300 };
 * assert.equal(outcome.status, 503);
 * ```
 */
export interface AttemptOutcome {
  /** The attempt, 1 for the first. */
  attempt: number;
  /** The response status, when a response arrived. */
  status?: number;
  /** The failure's error name (`HttpError`, `NetworkError`, `TimeoutError`, …). */
  error: string;
  /** Milliseconds waited before the next attempt; absent for the last. */
  delay?: number;
}

/**
 * Every attempt failed, or a failure could not be retried. `attempts` counts
 * the attempts, `history` holds each one's outcome and `cause` the last
 * failure (an {@linkcode HttpError}, a {@linkcode TimeoutError} or a
 * {@linkcode NetworkError}).
 *
 * @example Inspect the last cause
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpError, RetryError } from "./mod.ts";
 * const last = new HttpError({ status: 503, url: "http://127.0.0.1/", method: "GET" });
 * const error = new RetryError(3, last);
 * assert.equal(error.attempts, 3);
 * assert.equal((error.cause as HttpError).status, 503);
 * ```
 */
export class RetryError extends HttpClientError {
  /** How many attempts were made. */
  readonly attempts: number;
  /** Each attempt's outcome, in order. */
  readonly history: readonly AttemptOutcome[];

  /**
   * Makes an error for `attempts` failed attempts, the last failing with
   * `cause`; `reason`, when given, says why no retry was made.
   */
  constructor(
    attempts: number,
    cause: unknown,
    options: { history?: readonly AttemptOutcome[]; reason?: string } = {},
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      options.reason === undefined
        ? `Request failed after ${attempts} attempts: ${why}`
        : `Request failed and was not retried (${options.reason}): ${why}`,
      { cause },
    );
    this.name = "RetryError";
    this.attempts = attempts;
    this.history = options.history ?? [];
  }
}

/**
 * The network failed: a refused, reset or dropped connection, a DNS failure,
 * a body cut short. `cause` is the runtime's own error (a `TypeError`,
 * whose own `cause` often names the system error).
 *
 * @example The message keeps the system's reason
 * ```ts
 * import assert from "node:assert/strict";
 * import { NetworkError } from "./mod.ts";
 * const cause = new TypeError("fetch failed", { cause: new Error("dns error: no such host") });
 * const error = new NetworkError("GET", "http://nowhere.invalid/", cause);
 * assert.equal(error.message, "Network error: GET http://nowhere.invalid/: fetch failed: dns error: no such host");
 * ```
 */
export class NetworkError extends HttpClientError {
  /** The request method. */
  readonly method: string;
  /** The requested URL. */
  readonly url: string;

  /** Makes an error for a request whose network `cause` failed. */
  constructor(method: string, url: string, cause: unknown) {
    const reasons: string[] = [];
    for (
      let c: unknown = cause;
      c instanceof Error && reasons.length < 4;
      c = c.cause
    ) reasons.push(c.message);
    super(`Network error: ${method} ${url}: ${reasons.join(": ")}`, { cause });
    this.name = "NetworkError";
    this.method = method;
    this.url = url;
  }
}

/**
 * An `afterResponse` hook asked for a retry with
 * {@linkcode HttpClient.retry}; this is the failure a `beforeRetry` hook and
 * `RetryError.cause` see.
 *
 * @example The code names the reason
 * ```ts
 * import assert from "node:assert/strict";
 * import { ForcedRetryError } from "./mod.ts";
 * assert.equal(new ForcedRetryError("NOT_READY").message, "Forced retry: NOT_READY");
 * ```
 */
export class ForcedRetryError extends HttpClientError {
  /** The code the hook gave, if any. */
  readonly code: string | undefined;

  /** Makes the error for a forced retry with an optional `code` and `cause`. */
  constructor(code?: string, options?: ErrorOptions) {
    super(
      code === undefined ? "Forced retry" : `Forced retry: ${code}`,
      options,
    );
    this.name = "ForcedRetryError";
    this.code = code;
  }
}

/**
 * A time limit ran out: `"attempt"` for the per-attempt `timeout`, `"total"`
 * for the whole call's `totalTimeout`.
 *
 * @example Tell the two limits apart
 * ```ts
 * import assert from "node:assert/strict";
 * import { TimeoutError } from "./mod.ts";
 * const error = new TimeoutError("total", 5_000, "http://127.0.0.1/");
 * assert.equal(error.kind, "total");
 * assert.equal(error.timeout, 5000);
 * ```
 */
export class TimeoutError extends HttpClientError {
  /** Which limit ran out. */
  readonly kind: "attempt" | "total";
  /** The limit in milliseconds. */
  readonly timeout: number;
  /** The requested URL. */
  readonly url: string;

  /** Makes an error for a limit of `timeout` ms that ran out on `url`. */
  constructor(kind: "attempt" | "total", timeout: number, url: string) {
    super(
      `${
        kind === "attempt" ? "Attempt" : "Request"
      } timed out after ${timeout} ms: ${url}`,
    );
    this.name = "TimeoutError";
    this.kind = kind;
    this.timeout = timeout;
    this.url = url;
  }
}

/**
 * A body was not what the caller expected (for example not JSON). Shows the
 * content type and the first bytes so the cause is visible at a glance.
 *
 * @example The message shows what arrived
 * ```ts
 * import assert from "node:assert/strict";
 * import { ParseError } from "./mod.ts";
 * const error = new ParseError("http://127.0.0.1/", "text/html", "<html>oops");
 * assert.equal(error.message, "Expected JSON from http://127.0.0.1/: content-type \"text/html\", body starts \"<html>oops\"");
 * ```
 */
export class ParseError extends HttpClientError {
  /** The response URL. */
  readonly url: string;
  /** The response's content type (empty when absent). */
  readonly contentType: string;
  /** The first characters of the body. */
  readonly excerpt: string;

  /** Makes an error for a body at `url` that could not be parsed. */
  constructor(
    url: string,
    contentType: string,
    excerpt: string,
    options?: ErrorOptions,
  ) {
    super(
      `Expected JSON from ${url}: content-type ${
        JSON.stringify(contentType)
      }, body starts ${JSON.stringify(excerpt)}`,
      options,
    );
    this.name = "ParseError";
    this.url = url;
    this.contentType = contentType;
    this.excerpt = excerpt;
  }
}

/**
 * A bad argument: an invalid URL, a negative limit, an unknown query
 * parameter. Thrown before anything goes on the wire.
 *
 * @example A negative page size
 * ```ts
 * import assert from "node:assert/strict";
 * import { InvalidInputError, UsgsClient } from "./mod.ts";
 * try {
 *   new UsgsClient({ pageSize: -1 });
 * } catch (error) {
 *   assert.equal(error instanceof InvalidInputError, true);
 * }
 * ```
 */
export class InvalidInputError extends HttpClientError {
  /** Makes an error for a bad argument. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "InvalidInputError";
  }
}
