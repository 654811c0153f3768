// CSV lines to typed row objects. One record per line (Spark's default,
// multiLine=false), quote-aware splitting, a generated row builder per schema.

/**
 * Column types a CSV schema can name (Spark's names such as `double`,
 * `int`, `timestamp` are accepted too and mapped onto these).
 *
 * @example A schema
 * ```ts
 * import assert from "node:assert/strict";
 * import type { CsvType } from "./mod.ts";
 * const schema: Record<string, CsvType> = { place: "string", mag: "number", nst: "integer" };
 * assert.deepEqual(Object.keys(schema), ["place", "mag", "nst"]);
 * ```
 */
export type CsvType =
  | "string"
  | "number"
  | "integer"
  | "boolean"
  | "date";

/** What a worker needs to parse one split. */
export interface CsvSpec {
  columns: string[];
  types: CsvType[];
  delimiter: string;
  header: boolean;
  mode: "PERMISSIVE" | "DROPMALFORMED" | "FAILFAST";
  /** Indexes of the columns to keep (all when absent). */
  select?: number[];
}

/**
 * Splits one line into fields, honouring double quotes ("" is an escaped
 * quote). Returns null for an unterminated quote.
 */
export function splitCsvLine(line: string, delim: string): string[] | null {
  if (line.indexOf('"') < 0) return line.split(delim);
  const out: string[] = [];
  const n = line.length;
  const d = delim.length;
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      // quoted field
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return null;
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      // tolerate text between the closing quote and the delimiter
      const next = line.indexOf(delim, j);
      if (next < 0) {
        out.push(value + line.slice(j));
        return out;
      }
      out.push(value + line.slice(j, next));
      i = next + d;
    } else {
      const next = line.indexOf(delim, i);
      if (next < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, next));
      i = next + d;
    }
    if (i > n) return out;
    if (i === n) {
      out.push("");
      return out;
    }
  }
}

/**
 * Scans fields `0..upto` of a line, slicing only those with `need[i]` into
 * `out` (a reused array). Returns how many fields were reached, or -1 for an
 * unterminated quote. Used when only some columns are selected: the rest of
 * the line is never split, so no strings are made for unused columns.
 */
export function scanFields(
  line: string,
  delim: string,
  upto: number,
  need: boolean[],
  out: (string | undefined)[],
): number {
  let i = 0;
  let f = 0;
  while (f <= upto) {
    if (line.charCodeAt(i) === 34) {
      let j = i + 1;
      let value = "";
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) return -1;
        if (line.charCodeAt(q + 1) === 34) {
          if (need[f]) value += line.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        if (need[f]) value += line.slice(j, q);
        j = q + 1;
        break;
      }
      if (need[f]) out[f] = value;
      const d = line.indexOf(delim, j);
      f++;
      if (d < 0) break;
      i = d + 1;
    } else {
      const d = line.indexOf(delim, i);
      if (d < 0) {
        if (need[f]) out[f] = line.slice(i);
        f++;
        break;
      }
      if (need[f]) out[f] = line.slice(i, d);
      i = d + 1;
      f++;
    }
  }
  return f;
}

/** A row builder; it sets `flag.bad` when a value does not parse. */
type Builder = (
  f: string[],
  flag: { bad: boolean },
) => Record<string, unknown>;

/** Generates a fast row builder: typed object plus a "bad value" flag. */
export function makeRowBuilder(spec: CsvSpec): Builder {
  const idx = spec.select ?? spec.columns.map((_, i) => i);
  const parts = idx.map((i) => {
    // A literal `"__proto__": v` would set the prototype; a computed key
    // makes an ordinary property (plain keys stay plain: they are faster).
    const quoted = JSON.stringify(spec.columns[i]);
    const name = spec.columns[i] === "__proto__" ? `[${quoted}]` : quoted;
    const f = `f[${i}]`;
    switch (spec.types[i]) {
      case "number":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : ((n = num(t)) === n || t.trim() === "NaN" ? n : (bad = true, null))`;
      case "integer":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : (Number.isInteger(n = num(t)) ? n : (bad = true, null))`;
      case "boolean":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : (t = t.toLowerCase()) === "true" ? true : t === "false" ? false : (bad = true, null)`;
      case "date":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : ((n = Date.parse(t)) === n ? new Date(n) : (bad = true, null))`;
      default:
        return `${name}: (t = ${f}) === "" || t === undefined ? null : t`;
    }
  });
  return new Function(
    "num",
    `return (f, flag) => { let t, n, bad = false; const o = { ${
      parts.join(",\n")
    } }; flag.bad = bad; return o; };`,
  )(toNumber) as Builder;
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `+t` with a fast path for plain decimals such as "-12.345": with at most
 * 15 digits the mantissa is exact, and so is 10^k for k <= 22, so one
 * division rounds once and gives the same double as `+t` (Clinger's fast
 * path). Anything else (exponents, spaces, "+", long numbers) takes `+t`.
 */
export function toNumber(t: string): number {
  const len = t.length;
  let i = 0;
  let neg = false;
  if (t.charCodeAt(0) === 45) {
    neg = true;
    i = 1;
  }
  let m = 0;
  let digits = 0;
  let dot = -1;
  for (; i < len; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      m = m * 10 + (c - 48);
      digits++;
    } else if (c === 46 && dot < 0) dot = i;
    else return +t;
  }
  if (digits === 0 || digits > 15) return +t;
  const k = dot < 0 ? 0 : len - dot - 1;
  if (k > 22) return +t;
  const v = m / POW10[k]!;
  return neg ? -v : v;
}

/** Infers a column type from sample values (empty values are ignored). */
export function inferType(values: string[]): CsvType {
  let seen = false;
  let isInt = true, isNum = true, isBool = true;
  for (const v of values) {
    if (v === "") continue;
    seen = true;
    if (isInt && !/^[+-]?\d{1,15}$/.test(v)) isInt = false;
    if (isNum && (v.trim() === "" || Number.isNaN(+v))) isNum = false;
    if (isBool && !/^(true|false)$/i.test(v)) isBool = false;
    if (!isInt && !isNum && !isBool) return "string";
  }
  if (!seen) return "string";
  if (isInt) return "integer";
  if (isNum) return "number";
  if (isBool) return "boolean";
  return "string";
}

/** Parses lines into rows according to the mode; counts malformed rows. */
export function parseCsvBatch(
  lines: string[],
  spec: CsvSpec,
  build: Builder,
  skipFirst: boolean,
  counters: { malformedRows: number },
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const width = spec.columns.length;
  // With a column selection, malformed means "a selected field is missing
  // or bad" (as Spark does with CSV column pruning).
  const select = spec.select;
  const upto = select === undefined ? -1 : Math.max(-1, ...select);
  const need: boolean[] = [];
  if (select !== undefined) { for (const i of select) need[i] = true; }
  const scratch: (string | undefined)[] = [];
  const flag = { bad: false };
  for (let li = skipFirst ? 1 : 0; li < lines.length; li++) {
    const line = lines[li]!;
    if (line === "") continue;
    let row: Record<string, unknown>;
    let bad: boolean;
    if (select !== undefined) {
      const reached = scanFields(line, spec.delimiter, upto, need, scratch);
      row = build(scratch as string[], flag);
      bad = flag.bad;
      if (reached <= upto) {
        bad = true;
        for (const i of select) if (i >= reached) row[spec.columns[i]!] = null;
      }
    } else {
      const fields = splitCsvLine(line, spec.delimiter);
      if (fields === null) {
        row = build([], flag);
        bad = true;
      } else {
        row = build(fields, flag);
        bad = flag.bad;
        if (fields.length !== width) bad = true;
      }
    }
    if (bad) {
      counters.malformedRows++;
      if (spec.mode === "DROPMALFORMED") continue;
      if (spec.mode === "FAILFAST") {
        throw new MalformedRecordError(
          `Malformed CSV record in FAILFAST mode: ${
            JSON.stringify(line.slice(0, 200))
          }`,
        );
      }
      row._corrupt_record = line;
    }
    out.push(row);
  }
  return out;
}

/**
 * Parses a block of lines (joined by "\n", as `readSplitText` yields them)
 * into rows; the same rows, modes and counts as {@linkcode parseCsvBatch} on
 * the block's lines. With a column selection the block is walked in place:
 * fields are found with `indexOf` bounded by the line's end, only selected
 * fields become strings, and the scan stops after the last selected column;
 * no string is made for a whole line unless the row is malformed.
 */
export function parseCsvText(
  text: string,
  spec: CsvSpec,
  build: Builder,
  skipFirst: boolean,
  counters: { malformedRows: number },
): Record<string, unknown>[] {
  const select = spec.select;
  if (select === undefined) {
    const lines = text.split("\n");
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
    }
    return parseCsvBatch(lines, spec, build, skipFirst, counters);
  }
  const out: Record<string, unknown>[] = [];
  const upto = Math.max(-1, ...select);
  // A packed byte array: cheaper to test per field than a holey boolean[].
  const need = new Uint8Array(upto + 1);
  for (const i of select) need[i] = 1;
  const scratch: (string | undefined)[] = [];
  const flag = { bad: false };
  const delim = spec.delimiter;
  const dl = delim.length;
  const n = text.length;
  let p = 0;
  if (skipFirst) {
    const nl = text.indexOf("\n");
    p = nl < 0 ? n + 1 : nl + 1;
  }
  while (p <= n) {
    let nl = text.indexOf("\n", p);
    if (nl < 0) nl = n;
    // The line is [p, end): without its "\n" and a "\r" before it.
    const end = nl > p && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    const start = p;
    p = nl + 1;
    if (end === start) continue;
    // Fields 0..upto, as scanFields does on a line string.
    let i = start;
    let f = 0;
    let reached = 0;
    while (f <= upto) {
      // Unselected, unquoted fields: one bounded indexOf each. A field this
      // loop cannot settle is left to the general code below.
      while (need[f] === 0 && i < end && text.charCodeAt(i) !== 34) {
        const d = text.indexOf(delim, i);
        if (d < 0 || d >= end) break;
        i = d + dl;
        f++;
      }
      if (i < end && text.charCodeAt(i) === 34) {
        let j = i + 1;
        let value = "";
        let closed = false;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0 || q >= end) break;
          if (q + 1 < end && text.charCodeAt(q + 1) === 34) {
            if (need[f] === 1) value += text.slice(j, q + 1);
            j = q + 2;
            continue;
          }
          if (need[f] === 1) value += text.slice(j, q);
          j = q + 1;
          closed = true;
          break;
        }
        if (!closed) {
          reached = -1; // unterminated quote: every selected field is null
          break;
        }
        if (need[f] === 1) scratch[f] = value;
        const d = text.indexOf(delim, j);
        f++;
        if (d < 0 || d >= end) break;
        i = d + dl;
      } else {
        const d = text.indexOf(delim, i);
        if (d < 0 || d >= end) {
          if (need[f] === 1) scratch[f] = text.slice(i, end);
          f++;
          break;
        }
        if (need[f] === 1) scratch[f] = text.slice(i, d);
        i = d + dl;
        f++;
      }
    }
    if (reached === 0) reached = f;
    const row = build(scratch as string[], flag);
    let bad = flag.bad;
    if (reached <= upto) {
      bad = true;
      for (const k of select) if (k >= reached) row[spec.columns[k]!] = null;
    }
    if (bad) {
      counters.malformedRows++;
      if (spec.mode === "DROPMALFORMED") continue;
      const line = text.slice(start, end);
      if (spec.mode === "FAILFAST") {
        throw new MalformedRecordError(
          `Malformed CSV record in FAILFAST mode: ${
            JSON.stringify(line.slice(0, 200))
          }`,
        );
      }
      row._corrupt_record = line;
    }
    out.push(row);
  }
  return out;
}

/** FAILFAST's error: deterministic, so the task is not retried. */
export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedRecordError";
  }
}
