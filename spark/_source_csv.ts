// The CSV source: on the driver, the schema (Spark's type names and DDL
// strings), Spark's header rule and a look at the first file; in a task,
// the rows of one byte-range split (or a whole gzip file), parsed block by
// block by _csv.ts.

import {
  type CsvSpec,
  type CsvType,
  makeRowBuilder,
  parseCsvText,
} from "./_csv.ts";
import type { InputFile } from "./_input_files.ts";
import type { Source } from "./_plan.ts";
import type { Batches } from "./_stream.ts";
import { readGzipFile, readGzipText, readSplitText } from "./_text_reader.ts";
import { SparkError } from "./errors.ts";

/** Rows of a csv split; `report` gets the count of malformed rows. */
export function csvBatches(
  src: Extract<Source, { kind: "csv" }>,
  report: (malformedRows: number) => void,
): Batches {
  const spec: CsvSpec = src.csv;
  const build = makeRowBuilder(spec);
  const blocks = src.gzip
    ? readGzipText(src.path)
    : readSplitText(src.path, src.start, src.end);
  const counters = { malformedRows: 0 };
  // The header is the first line of each file, so only a split at 0 skips.
  let first = src.start === 0 && spec.header;
  return (function* () {
    try {
      for (const text of blocks) {
        const rows = parseCsvText(text, spec, build, first, counters);
        first = false;
        if (rows.length > 0) yield rows;
      }
    } finally {
      report(counters.malformedRows);
    }
  })();
}

const TYPE_NAMES: Record<string, CsvType> = {
  string: "string",
  varchar: "string",
  char: "string",
  number: "number",
  double: "number",
  float: "number",
  decimal: "number",
  integer: "integer",
  int: "integer",
  long: "integer",
  bigint: "integer",
  short: "integer",
  smallint: "integer",
  tinyint: "integer",
  byte: "integer",
  boolean: "boolean",
  bool: "boolean",
  date: "date",
  timestamp: "date",
};

export function csvType(t: unknown): CsvType {
  const name = typeof t === "string"
    ? t.toLowerCase().replace(/\(.*\)$/, "")
    : "";
  const found = TYPE_NAMES[name];
  if (found === undefined) {
    throw new SparkError(
      `CSV schema type must be string, number, integer, boolean or date (or a Spark type name): "${
        String(t)
      }"`,
    );
  }
  return found;
}

/** `"a INT, b STRING"` to entries. */
export function parseDdl(ddl: string): [string, string][] {
  return ddl.split(",").map((part) => part.trim()).filter((p) => p !== "").map(
    (part) => {
      const m = /^`?([^`\s]+)`?\s+([A-Za-z]+(?:\([\d, ]*\))?)$/.exec(part);
      if (m === null) {
        throw new SparkError(`CSV schema entry must be "name TYPE": "${part}"`);
      }
      return [m[1]!, m[2]!];
    },
  );
}

/**
 * Spark's CSV header rule: a name that occurs more than once (ignoring
 * case) gets its column index appended; an empty name is `_c<index>`.
 */
export function uniqueHeader(names: string[]): string[] {
  const seen = new Map<string, number>();
  for (const n of names) {
    const k = n.toLowerCase();
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return names.map((n, i) =>
    n === "" ? `_c${i}` : seen.get(n.toLowerCase())! > 1 ? `${n}${i}` : n
  );
}

/** Lines from the first `bytes` of a file (the last partial line dropped). */
export function readHead(input: InputFile, bytes: number): string[] {
  if (input.gzip) {
    const text = readGzipFile(input.path).slice(0, bytes);
    return text.replace(/^\uFEFF/, "").split("\n").map((l) =>
      l.endsWith("\r") ? l.slice(0, -1) : l
    );
  }
  const path = input.path;
  const file = Deno.openSync(path, { read: true });
  try {
    const buf = new Uint8Array(bytes);
    let n = 0;
    while (n < bytes) {
      const r = file.readSync(buf.subarray(n));
      if (r === null || r === 0) break;
      n += r;
    }
    let text = new TextDecoder().decode(buf.subarray(0, n));
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split("\n").map((l) =>
      l.endsWith("\r") ? l.slice(0, -1) : l
    );
    if (n === bytes) lines.pop();
    return lines;
  } finally {
    file.close();
  }
}
