// Rows from a CSV, JSON (an array of objects) or NDJSON file, for the CLI.
// CSV follows RFC 4180 (quoted fields may hold commas, quotes and newlines);
// the header names the columns; an empty field is null and a field that is a
// plain decimal number becomes a number, as pandas' read_csv would read them.

import { extname } from "node:path";
import { describeValue, QualityError } from "./errors.ts";

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function cell(text: string, quoted: boolean): unknown {
  if (quoted) return text;
  if (text === "") return null;
  if (NUMBER.test(text)) return Number(text);
  return text;
}

/** Parses CSV text into row objects keyed by the header. */
export function parseCsvRows(
  text: string,
  source = "CSV",
): Record<string, unknown>[] {
  const records: { value: unknown; raw: string }[][] = [];
  let record: { value: unknown; raw: string }[] = [];
  let field = "";
  let quoted = false;
  let i = 0;
  const n = text.charCodeAt(0) === 0xfeff ? (i = 1, text.length) : text.length;
  let line = 1;
  const endField = () => {
    record.push({ value: cell(field, quoted), raw: field });
    field = "";
    quoted = false;
  };
  while (i < n) {
    const c = text[i]!;
    if (c === '"' && field === "" && !quoted) {
      quoted = true;
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) {
          throw new QualityError(
            `${source}: unterminated quoted field starting on line ${line}`,
          );
        }
        field += text.slice(i, q);
        for (let k = i; k < q; k++) if (text[k] === "\n") line++;
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      continue;
    }
    if (c === ",") {
      endField();
      i++;
    } else if (c === "\n" || c === "\r") {
      endField();
      records.push(record);
      record = [];
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
    } else {
      field += c;
      i++;
    }
  }
  if (field !== "" || quoted || record.length > 0) {
    endField();
    records.push(record);
  }
  const header = records.shift();
  if (!header) return [];
  const names = header.map((h) => h.raw);
  return records
    .filter((r) => !(r.length === 1 && r[0]!.raw === "" && names.length > 1))
    .map((r, at) => {
      if (r.length !== names.length) {
        throw new QualityError(
          `${source}: record ${
            at + 1
          } has ${r.length} fields, the header ${names.length}`,
        );
      }
      const row: Record<string, unknown> = {};
      for (let k = 0; k < names.length; k++) row[names[k]!] = r[k]!.value;
      return row;
    });
}

/** Reads a data file by its extension: .csv, .json or .ndjson/.jsonl. */
export async function readRows(path: string): Promise<unknown[]> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new QualityError(`Cannot read data file: ${path}`, { cause: error });
  }
  const ext = extname(path).toLowerCase();
  if (ext === ".csv") return parseCsvRows(text, path);
  if (ext === ".json") {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new QualityError(`${path} does not parse as JSON`, {
        cause: error,
      });
    }
    if (!Array.isArray(data)) {
      throw new QualityError(
        `${path} must hold a JSON array of row objects: ${describeValue(data)}`,
      );
    }
    return data;
  }
  if (ext === ".ndjson" || ext === ".jsonl") {
    return text.split("\n").map((l, at) => [l.trim(), at] as const)
      .filter(([l]) => l !== "")
      .map(([l, at]) => {
        try {
          return JSON.parse(l);
        } catch (error) {
          throw new QualityError(`${path}: line ${at + 1} is not JSON`, {
            cause: error,
          });
        }
      });
  }
  throw new QualityError(
    `Data file must end in .csv, .json, .ndjson or .jsonl: ${path}`,
  );
}
