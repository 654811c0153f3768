// Request and response framing. Every message on the socket is an int32 size
// followed by that many bytes:
//
//   request:  size | apiKey int16 | apiVersion int16 | correlationId int32
//             | clientId nullable string (never compact) | [tagged fields] | body
//   response: size | correlationId int32 | [tagged fields] | body
//
// The bracketed tagged-field sections are in header v2 (requests) and v1
// (responses), used exactly when the API's version is flexible — except
// ApiVersions, whose response header stays v0 so that a client can read the
// answer before it knows which versions the broker speaks.

import { Reader, Writer } from "./_primitives.ts";
import {
  decodeMessage,
  encodeMessage,
  isFlexible,
  type MessageSchema,
  type Struct,
} from "./_schema.ts";

/** API key of ApiVersions, whose response header is always v0. */
export const API_VERSIONS_KEY = 18;

/** The fixed part of a request header. */
export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads the header fields every request version shares (header v1). */
export function readRequestHeader(r: Reader): RequestHeader {
  return {
    apiKey: r.int16(),
    apiVersion: r.int16(),
    correlationId: r.int32(),
    clientId: r.string(false),
  };
}

/** Skips header v2's tagged fields (none are defined for requests we read). */
export function skipHeaderTags(r: Reader): void {
  const n = r.uvarint();
  for (let i = 0; i < n; i++) {
    r.uvarint();
    r.raw(r.uvarint(), "tagged field");
  }
}

/** Encodes a whole request frame (size prefix included). */
export function encodeRequest(
  schema: MessageSchema,
  version: number,
  correlationId: number,
  clientId: string | null,
  body: Struct,
): Uint8Array {
  const w = new Writer();
  w.int32(0);
  w.int16(schema.apiKey);
  w.int16(version);
  w.int32(correlationId);
  w.string(clientId, false);
  if (isFlexible(schema, version)) w.uvarint(0);
  encodeMessage(w, schema, version, body);
  const out = w.bytesWritten();
  new DataView(out.buffer, out.byteOffset).setInt32(0, out.length - 4);
  return out;
}

/** Decodes a request body after its header. */
export function decodeRequestBody(
  r: Reader,
  schema: MessageSchema,
  version: number,
): Struct {
  if (isFlexible(schema, version)) skipHeaderTags(r);
  return decodeMessage(r, schema, version);
}

/** Whether a response of this API and version has header v1. */
function responseHeaderTagged(schema: MessageSchema, version: number): boolean {
  return schema.apiKey !== API_VERSIONS_KEY && isFlexible(schema, version);
}

/**
 * Encodes a whole response frame (size prefix included) as parts to write
 * back to back: large record sets are referenced, not copied.
 */
export function encodeResponseParts(
  schema: MessageSchema,
  version: number,
  correlationId: number,
  body: Struct,
): Uint8Array[] {
  const w = new Writer(1024);
  w.int32(0);
  w.int32(correlationId);
  if (responseHeaderTagged(schema, version)) w.uvarint(0);
  encodeMessage(w, schema, version, body);
  const size = w.length - 4;
  const parts = w.parts();
  new DataView(parts[0]!.buffer, parts[0]!.byteOffset).setInt32(0, size);
  return parts;
}

/** Encodes a whole response frame (size prefix included) in one array. */
export function encodeResponse(
  schema: MessageSchema,
  version: number,
  correlationId: number,
  body: Struct,
): Uint8Array {
  const parts = encodeResponseParts(schema, version, correlationId, body);
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * A response of just a header and an error code: the answer to an API key or
 * version this broker does not speak. Clients read the code where every
 * response of these APIs starts (or, for ApiVersions, as v0's error code).
 */
export function encodeErrorOnly(
  correlationId: number,
  errorCode: number,
): Uint8Array {
  const w = new Writer(16);
  w.int32(6);
  w.int32(correlationId);
  w.int16(errorCode);
  return w.bytesWritten();
}

/** Decodes a response frame body (after the size prefix). */
export function decodeResponse(
  frame: Uint8Array,
  schema: MessageSchema,
  version: number,
): { correlationId: number; body: Struct } {
  const r = new Reader(frame);
  const correlationId = r.int32();
  if (responseHeaderTagged(schema, version)) skipHeaderTags(r);
  return { correlationId, body: decodeMessage(r, schema, version) };
}
