/**
 * Pagination strategies for {@linkcode HttpClient.paginate}: offset/limit,
 * page number, cursor and RFC 8288 `Link: rel="next"`.
 *
 * @module
 */

import { HttpClientError, InvalidInputError } from "./errors.ts";
import { parseLinkHeader } from "./link_header.ts";
import type { HttpClient, HttpRequestInit } from "./client.ts";

/**
 * Fields every strategy shares.
 *
 * @example Stop after 100 items or 5 requests
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PaginationCommon } from "./mod.ts";
 * const limits: PaginationCommon<unknown> = { maxItems: 100, maxRequests: 5 };
 * assert.equal(limits.maxItems, 100);
 * ```
 */
export interface PaginationCommon<T> {
  /**
   * Picks the items out of a page's JSON body.
   * @default {the body if it is an array, else its first array among `items`, `data`, `results`, `features`}
   */
  items?: (body: unknown) => T[];
  /**
   * Stop after yielding this many items.
   * @default {Infinity}
   */
  maxItems?: number;
  /**
   * Stop after this many page requests.
   * @default {Infinity}
   */
  maxRequests?: number;
}

/**
 * Offset/limit paging: `?offset=base&limit=n`, then `offset=base+n`, …
 *
 * @example USGS-style paging
 * ```ts
 * import assert from "node:assert/strict";
 * import type { OffsetPagination } from "./mod.ts";
 * const usgs: OffsetPagination<unknown> = { type: "offset", limit: 20_000, base: 1 };
 * assert.equal(usgs.base, 1);
 * ```
 */
export interface OffsetPagination<T> extends PaginationCommon<T> {
  /** Selects this strategy. */
  type: "offset";
  /** Items per page (a positive integer). */
  limit: number;
  /**
   * The first offset: 0 for most APIs, 1 for the USGS FDSN service.
   * @default {0}
   */
  base?: number;
  /**
   * Name of the offset parameter.
   * @default {"offset"}
   */
  offsetParam?: string;
  /**
   * Name of the limit parameter.
   * @default {"limit"}
   */
  limitParam?: string;
}

/**
 * Page-number paging: `?page=1`, `?page=2`, … until a page comes back empty or short.
 *
 * @example GitHub-style pages
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PagePagination } from "./mod.ts";
 * const pages: PagePagination<unknown> = { type: "page", pageSize: 100 };
 * assert.equal(pages.type, "page");
 * ```
 */
export interface PagePagination<T> extends PaginationCommon<T> {
  /** Selects this strategy. */
  type: "page";
  /**
   * The first page number.
   * @default {1}
   */
  firstPage?: number;
  /**
   * Items per page, sent as `pageSizeParam`; a shorter page is the last.
   * @default {undefined}
   */
  pageSize?: number;
  /**
   * Name of the page parameter.
   * @default {"page"}
   */
  pageParam?: string;
  /**
   * Name of the page-size parameter.
   * @default {"per_page"}
   */
  pageSizeParam?: string;
}

/**
 * Cursor paging: each body names the cursor of the next page.
 *
 * @example A cursor in the body
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CursorPagination } from "./mod.ts";
 * const cursor: CursorPagination<unknown> = {
 *   type: "cursor",
 *   next: (body) => (body as { next?: string }).next,
 * };
 * assert.equal(cursor.next({ next: "abc" }), "abc");
 * ```
 */
export interface CursorPagination<T> extends PaginationCommon<T> {
  /** Selects this strategy. */
  type: "cursor";
  /** Reads the next cursor from a body; empty, `null` or `undefined` ends. */
  next: (body: unknown) => string | number | null | undefined;
  /**
   * Name of the cursor parameter.
   * @default {"cursor"}
   */
  cursorParam?: string;
}

/**
 * RFC 8288 paging: follow `Link: <…>; rel="next"` until there is none.
 *
 * @example Follow Link headers
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LinkPagination } from "./mod.ts";
 * const links: LinkPagination<unknown> = { type: "link", maxRequests: 10 };
 * assert.equal(links.type, "link");
 * ```
 */
export interface LinkPagination<T> extends PaginationCommon<T> {
  /** Selects this strategy. */
  type: "link";
}

/**
 * How {@linkcode HttpClient.paginate} walks a listing.
 *
 * @example Offset paging with a 1-based offset
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PaginationStrategy } from "./mod.ts";
 * const strategy: PaginationStrategy<number> = { type: "offset", limit: 100, base: 1 };
 * assert.equal(strategy.type, "offset");
 * ```
 */
export type PaginationStrategy<T> =
  | OffsetPagination<T>
  | PagePagination<T>
  | CursorPagination<T>
  | LinkPagination<T>;

function defaultItems<T>(body: unknown): T[] {
  if (Array.isArray(body)) return body as T[];
  if (body && typeof body === "object") {
    for (const key of ["items", "data", "results", "features"]) {
      const value = (body as Record<string, unknown>)[key];
      if (Array.isArray(value)) return value as T[];
    }
  }
  const shape = body && typeof body === "object"
    ? `object with keys ${JSON.stringify(Object.keys(body).slice(0, 8))}`
    : JSON.stringify(body)?.slice(0, 40);
  throw new HttpClientError(
    `Page body has no item array (pass strategy.items): ${shape}`,
  );
}

function count(name: string, value: number | undefined, min: number): number {
  if (value === undefined) return Infinity;
  if (!(Number.isInteger(value) && value >= min) && value !== Infinity) {
    throw new InvalidInputError(
      `Pagination ${name} must be an integer of at least ${min}: ${value}`,
    );
  }
  return value;
}

/**
 * Pages through a listing with `client`; see {@linkcode HttpClient.paginate}.
 *
 * @example Follow Link headers
 * ```ts
 * import assert from "node:assert/strict";
 * import { HttpClient, paginate } from "./mod.ts";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
 *   const page = Number(new URL(req.url).searchParams.get("p") ?? 1);
 *   const headers = new Headers({ "content-type": "application/json" });
 *   if (page < 3) headers.set("link", `</list?p=${page + 1}>; rel="next"`);
 *   return new Response(JSON.stringify([page * 10, page * 10 + 1]), { headers });
 * });
 * const client = new HttpClient({ baseUrl: `http://127.0.0.1:${server.addr.port}` });
 * const all = await Array.fromAsync(paginate(client, "/list", { type: "link" }));
 * assert.deepEqual(all, [ 10, 11, 20, 21, 30, 31 ]);
 * await server.shutdown();
 * ```
 */
export async function* paginate<T>(
  client: HttpClient,
  input: string | URL,
  strategy: PaginationStrategy<T>,
  init: HttpRequestInit = {},
): AsyncIterableIterator<T> {
  const pick = strategy.items ?? defaultItems<T>;
  const maxItems = count("maxItems", strategy.maxItems, 0);
  const maxRequests = count("maxRequests", strategy.maxRequests, 0);
  let url: URL | undefined = client.resolveUrl(input);
  let yielded = 0;
  let requests = 0;

  // Each strategy sets the next URL (or undefined) from the page just read.
  let advance: (items: T[], body: unknown, headers: Headers, at: URL) => void;
  switch (strategy.type) {
    case "offset": {
      const limit = count("limit", strategy.limit, 1);
      if (limit === Infinity) {
        throw new InvalidInputError(
          `Pagination limit must be an integer of at least 1: ${strategy.limit}`,
        );
      }
      const offsetParam = strategy.offsetParam ?? "offset";
      const limitParam = strategy.limitParam ?? "limit";
      let offset = strategy.base ?? 0;
      if (!Number.isInteger(offset)) {
        throw new InvalidInputError(
          `Pagination base must be an integer: ${strategy.base}`,
        );
      }
      url.searchParams.set(offsetParam, String(offset));
      url.searchParams.set(limitParam, String(limit));
      advance = (items, _body, _headers, at) => {
        if (items.length < limit) return void (url = undefined);
        offset += limit;
        url = new URL(at);
        url.searchParams.set(offsetParam, String(offset));
      };
      break;
    }
    case "page": {
      let page = strategy.firstPage ?? 1;
      const pageParam = strategy.pageParam ?? "page";
      const size = strategy.pageSize === undefined
        ? undefined
        : count("pageSize", strategy.pageSize, 1);
      url.searchParams.set(pageParam, String(page));
      if (size !== undefined) {
        url.searchParams.set(
          strategy.pageSizeParam ?? "per_page",
          String(size),
        );
      }
      advance = (items, _body, _headers, at) => {
        if (items.length === 0 || (size !== undefined && items.length < size)) {
          return void (url = undefined);
        }
        page++;
        url = new URL(at);
        url.searchParams.set(pageParam, String(page));
      };
      break;
    }
    case "cursor": {
      const cursorParam = strategy.cursorParam ?? "cursor";
      const seen = new Set<string>();
      advance = (_items, body, _headers, at) => {
        const next = strategy.next(body);
        if (next === null || next === undefined || next === "") {
          return void (url = undefined);
        }
        const cursor = String(next);
        if (seen.has(cursor)) {
          throw new HttpClientError(
            `Cursor repeated, the listing would loop: ${
              JSON.stringify(cursor)
            }`,
          );
        }
        seen.add(cursor);
        url = new URL(at);
        url.searchParams.set(cursorParam, cursor);
      };
      break;
    }
    case "link": {
      const seen = new Set<string>();
      advance = (_items, _body, headers, at) => {
        const header = headers.get("link");
        const next = header
          ? parseLinkHeader(header, at).find((l) => l.rel.includes("next"))
          : undefined;
        if (!next) return void (url = undefined);
        if (seen.has(next.url) || next.url === at.href) {
          throw new HttpClientError(
            `Link rel="next" repeated, the listing would loop: ${next.url}`,
          );
        }
        seen.add(next.url);
        url = client.resolveUrl(next.url);
      };
      break;
    }
    default:
      throw new InvalidInputError(
        `Unknown pagination type: ${
          JSON.stringify((strategy as { type: unknown }).type)
        }`,
      );
  }

  while (url && yielded < maxItems && requests < maxRequests) {
    const at: URL = url;
    requests++;
    const { body, headers } = await client.jsonResponse(at, init);
    const items = body === undefined ? [] : pick(body);
    for (const item of items) {
      if (yielded >= maxItems) return;
      yielded++;
      yield item;
    }
    advance(items, body, headers, at);
  }
}
