/**
 * An RFC 8288 `Link` header parser.
 *
 * @module
 */

/**
 * One link of a `Link` header.
 *
 * @example One parsed link
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Link, parseLinkHeader } from "./mod.ts";
 * const [link]: Link[] = parseLinkHeader('<https://x.test/?p=2>; rel="next"');
 * assert.deepEqual(link?.rel, [ "next" ]);
 * ```
 */
export interface Link {
  /** The target, resolved against the base URL when one was given. */
  url: string;
  /** The relation types, lower-cased (`rel="next last"` gives both). */
  rel: string[];
  /** Every parameter, names lower-cased, quotes removed. */
  params: Record<string, string>;
}

/**
 * Parses a `Link` header (RFC 8288): `<url>; rel="next", <url>; rel=last`.
 * Commas inside `<…>` and quoted strings do not split links; relative targets
 * resolve against `base`.
 *
 * @example Find the next page
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLinkHeader } from "./mod.ts";
 * const links = parseLinkHeader(
 *   '</items?page=2>; rel="next", </items?page=9>; rel="last"',
 *   "https://api.example/items?page=1",
 * );
 * assert.equal(links.find((l) => l.rel.includes("next"))?.url, "https://api.example/items?page=2");
 * ```
 */
export function parseLinkHeader(value: string, base?: string | URL): Link[] {
  const links: Link[] = [];
  let i = 0;
  const n = value.length;
  const skipSpace = () => {
    while (i < n && /[\s]/.test(value[i]!)) i++;
  };
  while (i < n) {
    skipSpace();
    if (value[i] === ",") {
      i++;
      continue;
    }
    if (value[i] !== "<") {
      // Not a link: skip to the next top-level comma.
      while (i < n && value[i] !== ",") i++;
      continue;
    }
    const close = value.indexOf(">", i + 1);
    if (close < 0) break;
    const target = value.slice(i + 1, close).trim();
    i = close + 1;
    const params: Record<string, string> = {};
    for (;;) {
      skipSpace();
      if (value[i] !== ";") break;
      i++;
      skipSpace();
      let name = "";
      while (i < n && /[^\s=;,]/.test(value[i]!)) name += value[i++];
      skipSpace();
      let paramValue = "";
      if (value[i] === "=") {
        i++;
        skipSpace();
        if (value[i] === '"') {
          i++;
          while (i < n && value[i] !== '"') {
            if (value[i] === "\\" && i + 1 < n) i++;
            paramValue += value[i++];
          }
          i++;
        } else {
          while (i < n && /[^\s;,]/.test(value[i]!)) paramValue += value[i++];
        }
      }
      name = name.toLowerCase();
      // RFC 8288 §3: only the first occurrence of a parameter counts.
      if (name && !(name in params)) params[name] = paramValue;
    }
    let url = target;
    try {
      url = new URL(target, base).href;
    } catch {
      // Keep an unresolvable target as written.
    }
    const rel = (params.rel ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    links.push({ url, rel, params });
    skipSpace();
    if (value[i] === ",") i++;
  }
  return links;
}
