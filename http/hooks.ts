/**
 * Hooks, as ky has them: functions the client calls at four points of a
 * request's life, each able to change what happens next.
 *
 * - `beforeRequest` — before the first attempt; return a `Request` to send
 *   instead, or a `Response` to answer without the network.
 * - `afterResponse` — after each response arrives; return a `Response` to
 *   use instead, or {@linkcode HttpClient.retry}`()` to retry it (even a
 *   2xx) within the retry limit.
 * - `beforeRetry` — after the wait, before each retry; return a `Request`
 *   for this and later attempts, a `Response` to end with, or
 *   {@linkcode HttpClient.stop} to throw the failure now.
 * - `beforeError` — before an error is thrown; return an `Error` to throw
 *   instead.
 *
 * @module
 */

/**
 * What every hook is told about the request.
 *
 * @example The state a hook sees
 * ```ts
 * import assert from "node:assert/strict";
 * import type { HookState } from "./mod.ts";
 * const state: HookState = { request: new Request("http://127.0.0.1/"), retryCount: 0 };
 * assert.equal(state.request.method, "GET");
 * ```
 */
export interface HookState {
  /** The request as it will be (or was last) sent. */
  request: Request;
  /** Retries made so far (0 before the first attempt). */
  retryCount: number;
}

/**
 * A `beforeRequest` hook.
 *
 * @example Add a header
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BeforeRequestHook } from "./mod.ts";
 * const hook: BeforeRequestHook = ({ request }) => {
 *   request.headers.set("x-trace", "1");
 * };
 * const request = new Request("http://127.0.0.1/");
 * await hook({ request, retryCount: 0 });
 * assert.equal(request.headers.get("x-trace"), "1");
 * ```
 */
export type BeforeRequestHook = (
  state: HookState,
) => Request | Response | void | Promise<Request | Response | void>;

/**
 * An `afterResponse` hook; `response` is a clone the hook may read.
 *
 * @example Replace a 404 with an empty list
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AfterResponseHook } from "./mod.ts";
 * const hook: AfterResponseHook = ({ response }) =>
 *   response.status === 404 ? Response.json([]) : undefined;
 * const replaced = await hook({
 *   request: new Request("http://127.0.0.1/"),
 *   response: new Response(null, { status: 404 }),
 *   retryCount: 0,
 * });
 * assert.deepEqual(await (replaced as Response).json(), []);
 * ```
 */
export type AfterResponseHook = (
  state: HookState & { response: Response },
) =>
  | Response
  | RetryMarker
  | void
  | Promise<Response | RetryMarker | void>;

/**
 * A `beforeRetry` hook; `error` is the failure being retried.
 *
 * @example Count retries
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BeforeRetryHook } from "./mod.ts";
 * let retries = 0;
 * const hook: BeforeRetryHook = () => void retries++;
 * await hook({ request: new Request("http://127.0.0.1/"), error: new Error("x"), retryCount: 1 });
 * assert.equal(retries, 1);
 * ```
 */
export type BeforeRetryHook = (
  state: HookState & { error: Error },
) =>
  | Request
  | Response
  | typeof STOP
  | void
  | Promise<Request | Response | typeof STOP | void>;

/**
 * A `beforeError` hook; returns the error to throw (or nothing to keep it).
 *
 * @example Add context to the message
 * ```ts
 * import assert from "node:assert/strict";
 * import type { BeforeErrorHook } from "./mod.ts";
 * const hook: BeforeErrorHook = ({ error }) => new Error(`API: ${error.message}`, { cause: error });
 * const error = await hook({ request: new Request("http://127.0.0.1/"), error: new Error("down"), retryCount: 2 });
 * assert.equal((error as Error).message, "API: down");
 * ```
 */
export type BeforeErrorHook = (
  state: HookState & { error: Error },
) => Error | void | Promise<Error | void>;

/**
 * The hooks of a client or a request; a request's run after its client's.
 *
 * @example Hooks for every request
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Hooks, HttpClient } from "./mod.ts";
 * const hooks: Hooks = { beforeRequest: [({ request }) => request.headers.set("x-a", "1")] };
 * assert.ok(new HttpClient({ hooks }) instanceof HttpClient);
 * ```
 */
export interface Hooks {
  /** Called once before the first attempt. */
  beforeRequest?: BeforeRequestHook[];
  /** Called after each response. */
  afterResponse?: AfterResponseHook[];
  /** Called before each retry, after the wait. */
  beforeRetry?: BeforeRetryHook[];
  /** Called before any error is thrown. */
  beforeError?: BeforeErrorHook[];
}

/** Returned by a `beforeRetry` hook to stop retrying: the failure is thrown. */
export const STOP: unique symbol = Symbol("stop");

/**
 * Options of a retry that an `afterResponse` hook asks for.
 *
 * @example Retry in one second
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ForceRetryOptions } from "./mod.ts";
 * const options: ForceRetryOptions = { delay: 1_000, code: "NOT_READY" };
 * assert.equal(options.delay, 1_000);
 * ```
 */
export interface ForceRetryOptions {
  /** Milliseconds to wait instead of the backoff. */
  delay?: number;
  /** A code for the forced retry's error message (`Forced retry: CODE`). */
  code?: string;
  /** The error that made the hook ask, kept as the `cause`. */
  cause?: unknown;
}

/**
 * What {@linkcode HttpClient.retry} returns: an `afterResponse` hook's
 * request for a retry.
 *
 * @example Made by HttpClient.retry()
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, RetryMarker } from "./mod.ts";
 * assert.ok(HttpClient.retry({ code: "X" }) instanceof RetryMarker);
 * ```
 */
export class RetryMarker {
  /** The retry's options. */
  readonly options: ForceRetryOptions;

  /** Makes a marker with `options`. */
  constructor(options: ForceRetryOptions = {}) {
    this.options = options;
  }
}
