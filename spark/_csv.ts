// CSV lines to typed row objects. One record per line (Spark's default,
// multiLine=false), quote-aware splitting, a generated row builder per schema.

/** Column types a CSV schema can name. */
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

type Builder = (f: string[]) => [Record<string, unknown>, boolean];

/** Generates a fast row builder: typed object plus a "bad value" flag. */
export function makeRowBuilder(spec: CsvSpec): Builder {
  const idx = spec.select ?? spec.columns.map((_, i) => i);
  const parts = idx.map((i) => {
    const name = JSON.stringify(spec.columns[i]);
    const f = `f[${i}]`;
    switch (spec.types[i]) {
      case "number":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : ((n = +t) === n || t.trim() === "NaN" ? n : (bad = true, null))`;
      case "integer":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : (Number.isInteger(n = +t) ? n : (bad = true, null))`;
      case "boolean":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : (t = t.toLowerCase()) === "true" ? true : t === "false" ? false : (bad = true, null)`;
      case "date":
        return `${name}: (t = ${f}) === "" || t === undefined ? null : ((n = Date.parse(t)) === n ? new Date(n) : (bad = true, null))`;
      default:
        return `${name}: (t = ${f}) === "" || t === undefined ? null : t`;
    }
  });
  return new Function(
    "f",
    `let t, n, bad = false; const o = { ${
      parts.join(",\n")
    } }; return [o, bad];`,
  ) as Builder;
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
  for (let li = skipFirst ? 1 : 0; li < lines.length; li++) {
    const line = lines[li]!;
    if (line === "") continue;
    const fields = splitCsvLine(line, spec.delimiter);
    let row: Record<string, unknown>;
    let bad: boolean;
    if (fields === null) {
      [row] = build([]);
      bad = true;
    } else {
      [row, bad] = build(fields);
      if (fields.length !== width) bad = true;
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

/** FAILFAST's error: deterministic, so the task is not retried. */
export class MalformedRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedRecordError";
  }
}
