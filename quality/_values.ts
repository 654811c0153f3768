// Value semantics shared by the evaluators: what counts as missing, how
// values compare, how they key a Map, and GE's type names.

import { compareKeys, encodeKey } from "../internal/keys.ts";
import { QualityError } from "./errors.ts";

/** Missing as pandas sees it: null, undefined and NaN. */
export function isMissing(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === "number" && v !== v);
}

/** A Map key that keeps 1 and "1" apart and makes equal Dates equal. */
export function keyOf(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  // Objects become their canonical encoding, marked so no string equals one;
  // a value that cannot be encoded (a cycle) keys by its string form.
  try {
    return "\u0000" + encodeKey(v);
  } catch {
    return "\u0001" + String(v);
  }
}

/** A total order over mixed values (for sorting partial_unexpected_counts). */
export const totalOrder: (a: unknown, b: unknown) => number = compareKeys;

/**
 * Compares two values of the same kind (numbers, strings or Dates); NaN when
 * they cannot be compared.
 */
export function compareSameKind(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return NaN;
}

type Bound = number | string | Date | null | undefined;

/**
 * A between test for values against GE-style bounds. Numbers compare with
 * numeric bounds; strings with string bounds; Dates with Date or ISO-string
 * bounds. A value of another kind is outside the range.
 */
export function makeBetween(
  min: Bound,
  max: Bound,
  strictMin: boolean,
  strictMax: boolean,
): (v: unknown) => boolean {
  if (
    (min === null || min === undefined) && (max === null || max === undefined)
  ) {
    throw new QualityError(
      "Kwargs min_value and max_value cannot both be null: null",
    );
  }
  const lo = min ?? null, hi = max ?? null;
  if (lo !== null && hi !== null && compareBound(lo, hi) > 0) {
    throw new QualityError(
      `Kwarg min_value cannot be greater than max_value: ${String(lo)} > ${
        String(hi)
      }`,
    );
  }
  if (
    typeof lo !== "string" && !(lo instanceof Date) && typeof hi !== "string" &&
    !(hi instanceof Date)
  ) {
    // Fast numeric path.
    const a = lo === null ? -Infinity : lo, b = hi === null ? Infinity : hi;
    if (!strictMin && !strictMax) {
      return (v) => typeof v === "number" && v >= a && v <= b;
    }
    return (v) =>
      typeof v === "number" && (strictMin ? v > a : v >= a) &&
      (strictMax ? v < b : v <= b);
  }
  return (v) => {
    if (lo !== null) {
      const c = compareToBound(v, lo);
      if (!(strictMin ? c > 0 : c >= 0)) return false;
    }
    if (hi !== null) {
      const c = compareToBound(v, hi);
      if (!(strictMax ? c < 0 : c <= 0)) return false;
    }
    return true;
  };
}

function compareBound(
  a: number | string | Date,
  b: number | string | Date,
): number {
  const c = compareToBound(a, b);
  return Number.isNaN(c) ? 0 : c;
}

function compareToBound(v: unknown, bound: number | string | Date): number {
  if (typeof bound === "number") return typeof v === "number" ? v - bound : NaN;
  if (bound instanceof Date) {
    if (v instanceof Date) return v.getTime() - bound.getTime();
    if (typeof v === "string") return Date.parse(v) - bound.getTime();
    return NaN;
  }
  if (typeof v === "string") return v < bound ? -1 : v > bound ? 1 : 0;
  if (v instanceof Date) return v.getTime() - Date.parse(bound);
  return NaN;
}

const TYPE_GROUPS: [string[], (v: unknown) => boolean][] = [
  [
    [
      "int",
      "int8",
      "int16",
      "int32",
      "int64",
      "uint8",
      "uint16",
      "uint32",
      "uint64",
      "integer",
      "integertype",
      "long",
      "longtype",
      "bigint",
      "smallint",
      "tinyint",
      "shorttype",
      "bytetype",
    ],
    (v) =>
      (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint",
  ],
  [
    [
      "float",
      "float16",
      "float32",
      "float64",
      "double",
      "doubletype",
      "floattype",
      "number",
      "numeric",
      "decimal",
      "decimaltype",
      "real",
    ],
    (v) => typeof v === "number",
  ],
  [[
    "str",
    "string",
    "stringtype",
    "varchar",
    "text",
    "char",
    "unicode",
    "unicode_",
  ], (v) => typeof v === "string"],
  [["bool", "bool_", "boolean", "booleantype"], (v) => typeof v === "boolean"],
  [
    [
      "datetime",
      "datetime64",
      "datetime64[ns]",
      "timestamp",
      "timestamptype",
      "date",
      "datetype",
      "datetime.datetime",
    ],
    (v) => v instanceof Date,
  ],
  [
    ["dict", "map", "maptype", "struct", "structtype"],
    (v) =>
      typeof v === "object" && v !== null && !Array.isArray(v) &&
      !(v instanceof Date),
  ],
  [["list", "array", "arraytype", "tuple"], (v) => Array.isArray(v)],
  [["object", "any"], () => true],
];

/** The test for one of GE's type names (pandas, Python, Spark or SQL spelling). */
export function typeTest(name: string): (v: unknown) => boolean {
  const lower = name.toLowerCase();
  for (const [names, test] of TYPE_GROUPS) {
    if (names.includes(lower)) return test;
  }
  const known = TYPE_GROUPS.flatMap(([n]) => n).join(", ");
  throw new QualityError(
    `Unknown type name: ${JSON.stringify(name)} (known: ${known})`,
  );
}

/** Python's str() for the values a regex sees (GE casts with astype(str)). */
export function pyStr(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === true) return "True";
  if (v === false) return "False";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "object") return JSON.stringify(v) ?? String(v);
  return String(v);
}

/** Translates Python regex syntax JavaScript lacks: (?P<n>…), (?P=n), \A, \Z, a leading (?i). */
export function pyRegex(source: string): RegExp {
  // Unicode mode only when the pattern needs it: it makes V8's matcher slower.
  let flags = /\\[pPu]\{/.test(source) ? "u" : "";
  let s = source;
  const inline = /^\(\?([aiLmsux]+)\)/.exec(s);
  if (inline) {
    s = s.slice(inline[0].length);
    if (inline[1]!.includes("i")) flags += "i";
    if (inline[1]!.includes("m")) flags += "m";
    if (inline[1]!.includes("s")) flags += "s";
  }
  s = s.replace(/\(\?P</g, "(?<").replace(/\(\?P=(\w+)\)/g, "\\k<$1>").replace(
    /\\A/g,
    "^",
  ).replace(/\\Z/g, "$");
  let re: RegExp;
  try {
    re = new RegExp(s, flags);
  } catch (error) {
    throw new QualityError(`Invalid regex: ${JSON.stringify(source)}`, {
      cause: error,
    });
  }
  if (LINEAR) {
    // V8's linear-time engine: no backtracking, so no pattern can hang.
    try {
      return new RegExp(s, flags + "l");
    } catch { /* backreferences or lookbehind: checked below */ }
  }
  if (mayBacktrackExponentially(s)) {
    throw new QualityError(
      `Regex ${
        JSON.stringify(source)
      } may take exponential time (a repeated group that can match the same text in several ways); run with --v8-flags=--enable-experimental-regexp-engine to evaluate it in linear time`,
    );
  }
  return re;
}

/** Whether V8's linear-time regex engine is on (`--enable-experimental-regexp-engine`). */
const LINEAR = (() => {
  try {
    new RegExp("", "l");
    return true;
  } catch {
    return false;
  }
})();

/**
 * A conservative check for catastrophic backtracking: a group repeated
 * without bound (`*`, `+`, `{n,}`) whose body itself repeats without bound
 * or alternates, as in `(a+)+`, `(a|aa)*`, `(\\w*\\s?)+`. It refuses some
 * patterns that would run fine; the linear engine runs those.
 */
export function mayBacktrackExponentially(pattern: string): boolean {
  const frames: { repeats: boolean; alternates: boolean }[] = [
    { repeats: false, alternates: false },
  ];
  const unbounded = (at: number): number => {
    const c = pattern[at];
    if (c === "*" || c === "+") return 1;
    if (c === "{") {
      const m = /^\{\d*,\}/.exec(pattern.slice(at));
      if (m) return m[0].length;
    }
    return 0;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const top = frames[frames.length - 1]!;
    if (c === "\\") {
      i++;
    } else if (c === "[") {
      for (i++; i < pattern.length && pattern[i] !== "]"; i++) {
        if (pattern[i] === "\\") i++;
      }
    } else if (c === "(") {
      frames.push({ repeats: false, alternates: false });
    } else if (c === ")" && frames.length > 1) {
      const group = frames.pop()!;
      if (unbounded(i + 1) > 0 && (group.repeats || group.alternates)) {
        return true;
      }
      frames[frames.length - 1]!.repeats ||= group.repeats;
    } else if (c === "|") {
      top.alternates = true;
    } else if (unbounded(i) > 0) {
      top.repeats = true;
    }
  }
  return false;
}

/** Length in code points, as Python's len() counts. */
export function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) n--;
  }
  return n;
}
