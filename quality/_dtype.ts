// The column type pandas would give a column of these values, and GE's rule
// for the type expectations on pandas: a column of a numpy dtype is checked
// as a whole (observed_value is the dtype's name), an object column value by
// value with Python's isinstance.

import { typeTest } from "./_values.ts";

/** Bits of what a column holds, OR-ed over its rows. */
export const KIND = {
  int: 1,
  float: 2,
  bool: 4,
  string: 8,
  date: 16,
  missing: 32,
  other: 64,
} as const;

/** The kind bit of one value. */
export function kindOf(v: unknown): number {
  if (v === null || v === undefined) return KIND.missing;
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) ? KIND.int : KIND.float;
    case "boolean":
      return KIND.bool;
    case "string":
      return KIND.string;
    case "bigint":
      return KIND.int;
  }
  return v instanceof Date ? KIND.date : KIND.other;
}

/** The `dtype.type.__name__` pandas gives a column built from these kinds. */
export function dtypeName(mask: number): string {
  const present = mask & ~KIND.missing;
  if (present === 0) return "object_";
  if (present === KIND.date) return "datetime64";
  if (present === KIND.bool) return mask & KIND.missing ? "object_" : "bool_";
  if ((present & ~(KIND.int | KIND.float)) === 0) {
    // None among ints becomes NaN, and the column float64.
    return present === KIND.int && !(mask & KIND.missing) ? "int64" : "float64";
  }
  return "object_";
}

// numpy.dtype(name).type.__name__ for the names GE's cases and users write.
const NUMPY: Record<string, string> = {
  int: "int64",
  int_: "int64",
  int64: "int64",
  i8: "int64",
  long: "int64",
  int8: "int8",
  int16: "int16",
  int32: "int32",
  uint8: "uint8",
  uint16: "uint16",
  uint32: "uint32",
  uint64: "uint64",
  float: "float64",
  float64: "float64",
  f8: "float64",
  double: "float64",
  float_: "float64",
  float16: "float16",
  float32: "float32",
  bool: "bool_",
  bool_: "bool_",
  "?": "bool_",
  object: "object_",
  object_: "object_",
  O: "object_",
  str: "str_",
  str_: "str_",
  U: "str_",
  unicode: "str_",
  datetime64: "datetime64",
  "datetime64[ns]": "datetime64",
  M8: "datetime64",
  "M8[ns]": "datetime64",
  timedelta64: "timedelta64",
};

/** Whether a name means "object" (GE then never checks value by value). */
export function isObjectName(name: string | null): boolean {
  return name === null || name === "object" || name === "object_" ||
    name === "O";
}

/** Whether a column of dtype `dtype` has type `name`, as GE's pandas rule has it. */
export function dtypeMatches(dtype: string, name: string): boolean {
  // pandas' own classes: Timestamp is the type of a zoned datetime column,
  // which JavaScript Dates (without a zone) never are.
  return NUMPY[name] === dtype;
}

// Python's isinstance for the native names GE maps (`_native_type_type_map`).
const NATIVE: Record<string, (v: unknown) => boolean> = {
  none: (v) => v === null,
  bool: (v) => typeof v === "boolean",
  int: (v) =>
    (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint" ||
    typeof v === "boolean",
  long: (v) =>
    (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint" ||
    typeof v === "boolean",
  float: (v) => typeof v === "number" && !Number.isInteger(v),
  str: (v) => typeof v === "string",
  string_types: (v) => typeof v === "string",
  list: (v) => Array.isArray(v),
  dict: (v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) &&
    !(v instanceof Date),
};

/**
 * The value-by-value test for an object column, or null for a name GE's
 * pandas backend does not know (skipped in a type list; matches nothing alone).
 * Names of other engines (Spark, SQL) keep their plain meaning.
 */
export function valueTypeTest(name: string): ((v: unknown) => boolean) | null {
  const native = NATIVE[name.toLowerCase()];
  if (native) return native;
  if (name in NUMPY) {
    // An object column holds Python objects, never numpy scalars, except
    // for datetimes (pandas keeps Timestamps).
    return NUMPY[name] === "datetime64"
      ? (v) => v instanceof Date
      : () => false;
  }
  try {
    return typeTest(name);
  } catch {
    return null;
  }
}
