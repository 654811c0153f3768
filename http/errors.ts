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
 * import { HttpClient, HttpClientError } from "./mod.ts";
 * try {
 *   await new HttpClient().fetch("not a url");
 * } catch (error) {
 *   console.log(error instanceof HttpClientError); // true
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
 * import { HttpError, type HttpErrorInit } from "./mod.ts";
 * const init: HttpErrorInit = { status: 404, url: "http://127.0.0.1/x", method: "GET" };
 * console.log(new HttpError(init).status); // 404
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
 * import { HttpError } from "./mod.ts";
 * const error = new HttpError({
 *   status: 400,
 *   url: "http://127.0.0.1/q",
 *   method: "GET",
 *   body: "Bad Request: limit must be positive",
 * });
 * console.log(error.message); // Request failed with status 400: GET http://127.0.0.1/q: Bad Request: limit must be positive
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
 * Every attempt failed. `attempts` counts them and `cause` holds the last
 * failure (an {@linkcode HttpError}, a {@linkcode TimeoutError} or a network
 * error).
 *
 * @example Inspect the last cause
 * ```ts
 * import { HttpError, RetryError } from "./mod.ts";
 * const last = new HttpError({ status: 503, url: "http://127.0.0.1/", method: "GET" });
 * const error = new RetryError(3, last);
 * console.log(error.attempts, (error.cause as HttpError).status); // 3 503
 * ```
 */
export class RetryError extends HttpClientError {
  /** How many attempts were made. */
  readonly attempts: number;

  /** Makes an error for `attempts` failed attempts, the last failing with `cause`. */
  constructor(attempts: number, cause: unknown) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`Request failed after ${attempts} attempts: ${why}`, { cause });
    this.name = "RetryError";
    this.attempts = attempts;
  }
}

/**
 * A time limit ran out: `"attempt"` for the per-attempt `timeout`, `"total"`
 * for the whole call's `totalTimeout`.
 *
 * @example Tell the two limits apart
 * ```ts
 * import { TimeoutError } from "./mod.ts";
 * const error = new TimeoutError("total", 5_000, "http://127.0.0.1/");
 * console.log(error.kind, error.timeout); // total 5000
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
 * import { ParseError } from "./mod.ts";
 * const error = new ParseError("http://127.0.0.1/", "text/html", "<html>oops");
 * console.log(error.message); // Expected JSON from http://127.0.0.1/: content-type "text/html", body starts "<html>oops"
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
 * import { InvalidInputError, UsgsClient } from "./mod.ts";
 * try {
 *   new UsgsClient({ pageSize: -1 });
 * } catch (error) {
 *   console.log(error instanceof InvalidInputError); // true
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
