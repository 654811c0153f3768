/**
 * Value semantics of keys shared by spark (shuffle keys, sorting) and quality
 * (value counts, unexpected-value ordering): one canonical encoding, so
 * equal-by-value keys meet, and one total order over mixed values.
 *
 * @module
 */

/**
 * Encodes a key so that equal-by-value keys give the same string, and keys of
 * different types never do (`1` and `"1"` differ; equal Dates meet).
 *
 * @example Equal by value, equal encodings
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeKey } from "./keys.ts";
 * assert.equal(encodeKey({ b: 1, a: [2] }), encodeKey({ a: [2], b: 1 }));
 * assert.notEqual(encodeKey(1), encodeKey("1"));
 * ```
 */
export function encodeKey(k: unknown): string {
  switch (typeof k) {
    case "string":
      return "s" + k;
    case "number":
      return k === 0 ? "n0" : "n" + k;
    case "boolean":
      return k ? "t" : "f";
    case "bigint":
      return "i" + k;
    case "undefined":
      return "z";
    case "object":
      if (k === null) return "z";
      if (Array.isArray(k)) return "a" + JSON.stringify(k.map(encodeKey));
      if (k instanceof Date) return "d" + k.getTime();
      return "o" +
        JSON.stringify(
          Object.keys(k).sort().map((
            name,
          ) => [name, encodeKey((k as Record<string, unknown>)[name])]),
        );
    default:
      return "x" + String(k);
  }
}

/**
 * The value an {@linkcode encodeKey} string stands for: strings, numbers,
 * booleans, bigints, Dates, arrays and plain objects come back equal by value
 * (`undefined` comes back as `null`; an object's keys in sorted order).
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeKey, encodeKey } from "./keys.ts";
 * const value = { when: new Date(5), tags: ["a", 1n, null] };
 * assert.deepEqual(decodeKey(encodeKey(value)), value);
 * ```
 */
export function decodeKey(key: string): unknown {
  const body = key.slice(1);
  switch (key[0]) {
    case "s":
      return body;
    case "n":
      return Number(body);
    case "t":
      return true;
    case "f":
      return false;
    case "i":
      return BigInt(body);
    case "z":
      return null;
    case "d":
      return new Date(Number(body));
    case "a":
      return (JSON.parse(body) as string[]).map(decodeKey);
    case "o": {
      const object: Record<string, unknown> = {};
      for (const [name, value] of JSON.parse(body) as [string, string][]) {
        object[name] = decodeKey(value);
      }
      return object;
    }
    default:
      return body;
  }
}

function rank(v: unknown): number {
  if (v === null || v === undefined) return 0;
  switch (typeof v) {
    case "boolean":
      return 1;
    case "number":
    case "bigint":
      return 2;
    case "string":
      return 3;
    default:
      if (v instanceof Date) return 4;
      if (Array.isArray(v)) return 5;
      return 6;
  }
}

/**
 * Total order over keys: null < booleans < numbers (NaN last) < strings <
 * dates < arrays (element-wise) < other objects (by canonical encoding).
 *
 * @example Sort mixed values
 * ```ts
 * import assert from "node:assert/strict";
 * import { compareKeys } from "./keys.ts";
 * assert.deepEqual(["b", NaN, 2, null, true].sort(compareKeys), [null, true, 2, NaN, "b"]);
 * ```
 */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") {
    if (a < b) return -1;
    if (a > b) return 1;
    if (a === b) return 0;
    // NaN sorts last among numbers.
    return a !== a ? (b !== b ? 0 : 1) : -1;
  }
  if (typeof a === "string" && typeof b === "string") {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const ra = rank(a), rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
      return 0;
    case 1:
      return Number(a) - Number(b);
    case 2:
      return (a as number) < (b as number)
        ? -1
        : (a as number) > (b as number)
        ? 1
        : 0;
    case 4:
      return (a as Date).getTime() - (b as Date).getTime();
    case 5: {
      const x = a as unknown[], y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareKeys(x[i], y[i]);
        if (c !== 0) return c;
      }
      return x.length - y.length;
    }
    default: {
      const x = encodeKey(a), y = encodeKey(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}
