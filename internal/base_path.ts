/**
 * Where a live view is mounted (`/spark`, `/kafka`, ...): the one rule for
 * every module's handler, so `deno task ui` can mount them side by side.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { basePathOf, pathUnder } from "./base_path.ts";
 * const base = basePathOf("/spark/", (m) => new TypeError(m));
 * assert.equal(base, "/spark");
 * assert.equal(pathUnder(base, "/spark"), "/");
 * assert.equal(pathUnder(base, "/spark/apps/x"), "/apps/x");
 * assert.equal(pathUnder(base, "/sparkle"), null);
 * assert.throws(() => basePathOf("spark", (m) => new TypeError(m)), /must start with "\/"/);
 * ```
 *
 * @module
 */

/**
 * The mount point without trailing slashes (`""` for the root); `fail`
 * makes the module's own error for one that does not start with "/".
 */
export function basePathOf(
  value: string | undefined,
  fail: (message: string) => Error,
): string {
  const base = (value ?? "").replace(/\/+$/, "");
  if (base !== "" && !base.startsWith("/")) {
    throw fail(`basePath must start with "/": ${JSON.stringify(value)}`);
  }
  return base;
}

/**
 * `pathname` relative to `base` ("/" for the mount point itself), or null
 * when it is not under `base`.
 */
export function pathUnder(base: string, pathname: string): string | null {
  if (base === "") return pathname === "" ? "/" : pathname;
  if (pathname !== base && !pathname.startsWith(`${base}/`)) return null;
  return pathname.slice(base.length) || "/";
}
