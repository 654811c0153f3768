// Kafka's message schemas as data, and one encoder and decoder that walk
// them. Upstream describes every request and response in JSON
// (clients/src/main/resources/common/message/*.json): fields with a type, the
// versions that carry them, the versions where they may be null, and for
// flexible versions optional tagged fields. The API-family files transcribe
// those schemas with `f(...)`; encode and decode here follow a schema for one
// version, so adding a version is a change of data, not of code.
//
// Decoded messages are plain objects with camelCase field names; a field
// absent from the version gets its default. Records stay bytes (a view into
// the frame) for the record-batch code to read.

import { malformed, type Reader, Writer } from "./_primitives.ts";

/** A decoded or to-be-encoded message: field name to value. */
// deno-lint-ignore no-explicit-any
export type Struct = Record<string, any>;

type Range = readonly [number, number];

/** One field of a schema. */
export interface Field {
  name: string;
  /** Primitive, `[]<primitive>`, `[]` (array of struct) or `{}` (struct). */
  type: string;
  versions: Range;
  nullable: Range | undefined;
  tag: number | undefined;
  default: unknown;
  fields: readonly Field[] | undefined;
}

/** A request or response schema. */
export interface MessageSchema {
  name: string;
  apiKey: number;
  minVersion: number;
  maxVersion: number;
  /** First flexible version (Infinity when none is). */
  flexibleFrom: number;
  fields: readonly Field[];
}

function range(s: string): Range {
  if (s.endsWith("+")) return [Number(s.slice(0, -1)), Infinity];
  const [a, b = a] = s.split("-");
  return [Number(a), Number(b)];
}

const within = (r: Range | undefined, v: number) =>
  r !== undefined && v >= r[0] && v <= r[1];

/** Declares a field: name, type, versions ("3+" or "0-4"), options. */
export function f(
  name: string,
  type: string,
  versions: string,
  options: {
    nullable?: string;
    tag?: number;
    default?: unknown;
    fields?: Field[];
  } = {},
): Field {
  return {
    name,
    type,
    versions: range(versions),
    nullable: options.nullable ? range(options.nullable) : undefined,
    tag: options.tag,
    default: options.default,
    fields: options.fields,
  };
}

/** Declares a message schema. */
export function message(
  name: string,
  apiKey: number,
  minVersion: number,
  maxVersion: number,
  flexibleFrom: number,
  fields: Field[],
): MessageSchema {
  return { name, apiKey, minVersion, maxVersion, flexibleFrom, fields };
}

/** The value a field has in a version that does not carry it. */
function defaultOf(field: Field): unknown {
  if (field.default !== undefined) return field.default;
  switch (field.type) {
    case "bool":
      return false;
    case "string":
      return "";
    case "bytes":
    case "records":
      return field.nullable ? null : new Uint8Array(0);
    case "uuid":
      return new Uint8Array(16);
    case "{}":
      return field.tag !== undefined ? null : defaults(field.fields!);
    default:
      return field.type.startsWith("[]") ? [] : 0;
  }
}

function defaults(fields: readonly Field[]): Struct {
  const out: Struct = {};
  for (const fl of fields) out[fl.name] = defaultOf(fl);
  return out;
}

function writeValue(
  w: Writer,
  field: Field,
  type: string,
  value: unknown,
  v: number,
  flex: boolean,
): void {
  switch (type) {
    case "bool":
      return w.int8(value ? 1 : 0);
    case "int8":
      return w.int8(Number(value ?? 0));
    case "int16":
      return w.int16(Number(value ?? 0));
    case "uint16":
      return w.uint16(Number(value ?? 0));
    case "int32":
      return w.int32(Number(value ?? 0));
    case "uint32":
      return w.uint32(Number(value ?? 0));
    case "int64":
      return w.int64(Number(value ?? 0));
    case "float64":
      return w.float64(Number(value ?? 0));
    case "uuid":
      return w.raw((value as Uint8Array | undefined) ?? new Uint8Array(16));
    case "string":
      if (value === null && !within(field.nullable, v)) {
        throw new TypeError(`Field ${field.name} is not nullable in v${v}`);
      }
      return w.string(value === undefined ? "" : value as string | null, flex);
    case "bytes":
    case "records":
      return w.bytes(
        value === undefined ? null : value as Uint8Array | null,
        flex,
      );
    case "{}":
      return writeStruct(w, field.fields!, (value ?? {}) as Struct, v, flex);
  }
  if (!type.startsWith("[]")) throw new TypeError(`Unknown type: ${type}`);
  const items = value as unknown[] | null | undefined;
  if (items === null) return w.count(null, flex);
  const list = items ?? [];
  w.count(list.length, flex);
  const inner = type.slice(2);
  if (inner === "") {
    for (const item of list) {
      writeStruct(w, field.fields!, item as Struct, v, flex);
    }
  } else {
    for (const item of list) writeValue(w, field, inner, item, v, flex);
  }
}

function writeStruct(
  w: Writer,
  fields: readonly Field[],
  value: Struct,
  v: number,
  flex: boolean,
): void {
  let tagged: Field[] | undefined;
  for (const field of fields) {
    if (!within(field.versions, v)) continue;
    if (field.tag !== undefined && flex) {
      const x = value[field.name];
      if (x !== undefined && x !== null && x !== field.default) {
        (tagged ??= []).push(field);
      }
      continue;
    }
    writeValue(w, field, field.type, value[field.name], v, flex);
  }
  if (!flex) return;
  w.uvarint(tagged?.length ?? 0);
  for (const field of tagged ?? []) {
    w.uvarint(field.tag!);
    // The size comes first: encode the value on its own to measure it.
    const inner = new Writer(64);
    writeValue(inner, field, field.type, value[field.name], v, flex);
    const body = inner.bytesWritten();
    w.uvarint(body.length);
    w.raw(body);
  }
}

function readValue(
  r: Reader,
  field: Field,
  type: string,
  v: number,
  flex: boolean,
): unknown {
  switch (type) {
    case "bool":
      return r.int8() !== 0;
    case "int8":
      return r.int8();
    case "int16":
      return r.int16();
    case "uint16":
      return r.uint16();
    case "int32":
      return r.int32();
    case "uint32":
      return r.uint32();
    case "int64":
      return r.int64();
    case "float64":
      return r.float64();
    case "uuid":
      return r.raw(16, "uuid");
    case "string": {
      const s = r.string(flex);
      if (s === null && !within(field.nullable, v)) {
        throw malformed(`${field.name} is null`);
      }
      return s;
    }
    case "bytes":
    case "records":
      return r.bytes(flex);
    case "{}":
      return readStruct(r, field.fields!, v, flex);
  }
  const n = r.count(flex);
  if (n < 0) {
    if (!within(field.nullable, v)) throw malformed(`${field.name} is null`);
    return null;
  }
  const inner = type.slice(2);
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = inner === ""
      ? readStruct(r, field.fields!, v, flex)
      : readValue(r, field, inner, v, flex);
  }
  return out;
}

function readStruct(
  r: Reader,
  fields: readonly Field[],
  v: number,
  flex: boolean,
): Struct {
  const out: Struct = {};
  for (const field of fields) {
    if (!within(field.versions, v) || (field.tag !== undefined && flex)) {
      out[field.name] = defaultOf(field);
      continue;
    }
    out[field.name] = readValue(r, field, field.type, v, flex);
  }
  if (flex) readTaggedFields(r, fields, out, v);
  return out;
}

/** Reads a tagged-field section, keeping known tags and skipping others. */
export function readTaggedFields(
  r: Reader,
  fields: readonly Field[],
  out: Struct,
  v: number,
): void {
  const count = r.uvarint();
  for (let i = 0; i < count; i++) {
    const tag = r.uvarint();
    const size = r.uvarint();
    const end = r.pos + size;
    if (end > r.end) throw malformed(`tagged field ${tag} overruns`);
    const field = fields.find((fl) => fl.tag === tag && within(fl.versions, v));
    if (field) {
      const outerEnd = r.end;
      r.end = end;
      out[field.name] = readValue(r, field, field.type, v, true);
      r.end = outerEnd;
    }
    r.pos = end;
  }
}

/** Whether `version` of a schema uses the flexible encodings. */
export function isFlexible(schema: MessageSchema, version: number): boolean {
  return version >= schema.flexibleFrom;
}

/** Encodes a message body (no header) for one version. */
export function encodeMessage(
  w: Writer,
  schema: MessageSchema,
  version: number,
  value: Struct,
): void {
  writeStruct(w, schema.fields, value, version, isFlexible(schema, version));
}

/** Decodes a message body (no header) for one version. */
export function decodeMessage(
  r: Reader,
  schema: MessageSchema,
  version: number,
): Struct {
  return readStruct(r, schema.fields, version, isFlexible(schema, version));
}
