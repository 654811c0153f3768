/**
 * Resilient HTTP on native `fetch`: retries with backoff, a token-bucket rate
 * limiter, pagination, and a client (plus a local stand-in server) for the
 * USGS FDSN earthquake service.
 *
 * @example Fetch every event through faults
 * ```ts
 * import assert from "node:assert/strict";
 * import { createUsgsServer, UsgsClient, type UsgsFeature } from "./mod.ts";
 * const events: UsgsFeature[] = Array.from({ length: 50 }, (_, i) => ({
 *   type: "Feature",
 *   id: `ev${i}`,
 *   properties: { mag: 2, place: "Somewhere", time: Date.UTC(2018, 1, 1) + i, updated: 0 },
 *   geometry: { type: "Point", coordinates: [0, 0, 10] },
 * }));
 * await using server = await createUsgsServer({
 *   events,
 *   faults: { schedule: { 2: "503", 3: "drop", 5: "truncate" } },
 * });
 * const usgs = new UsgsClient({ baseUrl: server.url, pageSize: 20, retry: { delay: 1 } });
 * const got = await Array.fromAsync(usgs.query({ starttime: "2018-02-01", endtime: "2018-02-02" }));
 * assert.equal(got.length, 50);
 * ```
 *
 * ## How it works
 *
 * Every call of {@linkcode HttpClient} runs a loop of attempts. Before each
 * attempt it takes a token from the {@linkcode TokenBucket}; the attempt
 * gets one `AbortController`, which the per-attempt timeout and the total
 * deadline abort (both kept by a single deadline timer per client, on the
 * injected clock) and to which the caller's signal is joined. A failure is
 * retried as ky and urllib3 decide it: only on an idempotent method, only a
 * listed status (413 only when the server says when), a real network error
 * ({@linkcode isNetworkError}: never a forbidden method, a redirect loop or
 * a bug in a custom fetch) or an attempt timeout, never with a body that
 * cannot be sent twice. It waits what the server asked (`Retry-After`, else
 * `RateLimit-Reset` / `X-RateLimit-Reset`, capped) or a full-jitter backoff
 * `random() * min(cap, base * 2^k)`; out of retries it throws
 * {@linkcode RetryError} with every attempt's outcome in `history` and the
 * last failure as `cause`. A 429 halves the bucket's rate; successes step it
 * back up.
 *
 * ```text
 *  call ─► take token ─► fetch (attempt timeout ∧ deadline ∧ signal)
 *            ▲                 │ 2xx ──────────────► response / json
 *            │                 │ 4xx not listed ───► HttpError
 *            └── sleep ◄───────┘ 408 413* 429 5xx, network, timeout
 *          (Retry-After | jitter)    (no retries left ─► RetryError)
 * ```
 *
 * The bucket holds no timer: tokens are `min(capacity, tokens + elapsed *
 * rate)` computed when asked, and only the head of the FIFO queue sleeps,
 * for exactly the deficit. {@linkcode UsgsClient.query} counts a time window,
 * halves it while it holds more than 20,000 events, pages each window with
 * `limit` and a 1-based `offset`, and drops ids it has already yielded.
 *
 * Options and hooks follow ky: `prefixUrl` (joined with one slash),
 * `baseUrl` (standard URL resolution), `json`, `searchParams`, `parseJson`,
 * `onDownloadProgress`, `redirect: "manual"`, `extend()` / `create()`, and
 * the hooks `beforeRequest`, `afterResponse`, `beforeRetry`, `beforeError`
 * (see {@linkcode Hooks}); an unknown option name is an
 * {@linkcode InvalidInputError}. With hooks each attempt sends a clone of
 * one `Request` the hooks see; without them the client passes `fetch` the
 * URL string and one init, its fastest path.
 *
 * Files: `client.ts` (the loop), `retry.ts` (policy, backoff, Retry-After,
 * network errors), `hooks.ts`, `token_bucket.ts`, `paginate.ts` and
 * `link_header.ts`, `errors.ts`, `_request_options.ts` (prefix joining,
 * search parameters, unknown options), `_download_progress.ts`,
 * `_tcp_server.ts` (the raw HTTP/1.1 server loop under the USGS stand-in and
 * the tests' misbehaving servers), and `usgs/` (see `usgs/mod.ts`).
 *
 * @module
 */

export { type Clock, ManualClock, systemClock } from "../internal/clock.ts";
export * from "./errors.ts";
export * from "./token_bucket.ts";
export * from "./retry.ts";
export * from "./client.ts";
export * from "./link_header.ts";
export * from "./hooks.ts";
export type { SearchParamsInit } from "./_request_options.ts";
export type { Progress, ProgressCallback } from "./_download_progress.ts";
export * from "./paginate.ts";
export * from "./usgs/mod.ts";
