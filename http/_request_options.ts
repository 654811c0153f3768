/**
 * The request options people pass, read as ky reads them: `prefixUrl`
 * joined with exactly one slash, `searchParams` appended (an `undefined`
 * value removes the key), and unknown option names refused rather than
 * silently ignored.
 *
 * @module
 */

import { InvalidInputError } from "./errors.ts";

/**
 * Search parameters in any of the forms ky accepts.
 *
 * @example Three equivalent forms
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SearchParamsInit } from "./mod.ts";
 * const forms: SearchParamsInit[] = [{ a: 1 }, new URLSearchParams("a=1"), "a=1"];
 * assert.equal(forms.length, 3);
 * ```
 */
export type SearchParamsInit =
  | string
  | URLSearchParams
  | Array<[string, string]>
  | Record<string, string | number | boolean | undefined>;

/** `fetch`'s own `RequestInit` fields (Deno's `client` included). */
export const REQUEST_INIT_KEYS: ReadonlySet<string> = new Set([
  "method",
  "headers",
  "body",
  "mode",
  "credentials",
  "cache",
  "redirect",
  "referrer",
  "referrerPolicy",
  "integrity",
  "keepalive",
  "signal",
  "window",
  "duplex",
  "priority",
  "client",
]);

/** Throws {@linkcode InvalidInputError} for a key of `options` not in `allowed`. */
export function refuseUnknown(
  options: object,
  allowed: ReadonlySet<string>,
  what: string,
): void {
  for (const key in options) {
    if (!allowed.has(key) && Object.hasOwn(options, key)) {
      throw new InvalidInputError(
        `Unknown ${what} option: ${JSON.stringify(key)}`,
      );
    }
  }
}

/**
 * ky's prefix rule: the prefix's trailing slashes and the input's leading
 * ones become exactly one slash, so `"/bar"` on `"…/foo//"` is `"…/foo/bar"`
 * and a protocol-relative `"//host/x"` stays a path under the prefix.
 */
export function joinPrefix(prefix: string, input: string): string {
  return `${prefix.replace(/\/+$/, "")}/${input.replace(/^\/+/, "")}`;
}

/** `href` with `params` appended, as ky appends them. */
export function withSearchParams(
  href: string,
  params: SearchParamsInit,
): string {
  // Appending to the string is several µs cheaper than a URL round trip;
  // only an `undefined` value (a removal) or a fragment needs the URL.
  if (
    params !== null && typeof params === "object" && !href.includes("#") &&
    !(params instanceof URLSearchParams) && !Array.isArray(params)
  ) {
    const entries = Object.entries(params);
    if (entries.every(([, v]) => v !== undefined)) {
      if (entries.length === 0) return href;
      const query = new URLSearchParams(
        entries.map(([k, v]) => [k, String(v)]),
      ).toString();
      return `${href}${href.includes("?") ? "&" : "?"}${query}`;
    }
  }
  const url = new URL(href);
  if (typeof params === "string") {
    const extra = params.replace(/^\?/, "");
    if (extra !== "") {
      url.search = url.search ? `${url.search}&${extra}` : extra;
    }
    return url.href;
  }
  if (params instanceof URLSearchParams || Array.isArray(params)) {
    for (const [key, value] of new URLSearchParams(params)) {
      url.searchParams.append(key, value);
    }
    return url.href;
  }
  if (params === null || typeof params !== "object") {
    throw new InvalidInputError(
      `Option searchParams must be a string, URLSearchParams, pairs or an object: ${
        String(params)
      }`,
    );
  }
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) url.searchParams.delete(key);
    else url.searchParams.append(key, String(value));
  }
  return url.href;
}
