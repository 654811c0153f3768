/**
 * Kafka's record batch, format v2 (magic 2), the unit the log stores and the
 * producer writes: a 61-byte header followed by varint-encoded records.
 *
 * ```
 * baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 (2)
 * crc uint32 (CRC-32C of everything after it) | attributes int16 | lastOffsetDelta int32
 * baseTimestamp int64 | maxTimestamp int64 | producerId int64 | producerEpoch int16
 * baseSequence int32 | recordCount int32 | records...
 *
 * attributes: bits 0-2 codec | bit 3 timestamp type | bit 4 transactional | bit 5 control
 *
 * record: length varint | attributes int8 | timestampDelta varlong | offsetDelta varint
 *         keyLength varint (-1 = null) | key | valueLength varint | value
 *         headerCount varint | [keyLength varint | key utf8 | valueLength varint | value]...
 * ```
 *
 * @module
 */

import { crc32c } from "./_crc32c.ts";
import { cursor, readVarint, varintSize, writeVarint } from "./_varint.ts";
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from "../errors.ts";
import { Buffer } from "node:buffer";
import { gunzipSync, gzipSync } from "node:zlib";

/**
 * Compression codecs by kafkajs name (the batch attribute's low 3 bits).
 * `None` and `GZIP` are built in; the others work once a codec is
 * registered in `CompressionCodecs`, and are refused by name otherwise.
 *
 * @example Send a gzip-compressed batch
 * ```ts
 * import { CompressionTypes, Kafka } from "../mod.ts";
 * const kafka = new Kafka({});
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t" }] });
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: "t", compression: CompressionTypes.GZIP, messages: [{ value: "x".repeat(1000) }] });
 * await producer.disconnect();
 * await admin.disconnect();
 * ```
 */
export const CompressionTypes: {
  readonly None: 0;
  readonly GZIP: 1;
  readonly Snappy: 2;
  readonly LZ4: 3;
  readonly ZSTD: 4;
} = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 };

function codecName(codec: number): string {
  const name = Object.entries(CompressionTypes).find(([, v]) => v === codec)
    ?.[0];
  return name ? `${name} (${codec})` : String(codec);
}

/** Attribute bit of a batch written inside a transaction. */
export const TRANSACTIONAL_FLAG = 0x10;
/** Attribute bit of a control batch (a transaction marker). */
export const CONTROL_FLAG = 0x20;

/**
 * The producer fields of a batch header: who wrote it (idempotent and
 * transactional producers) and whether it belongs to a transaction.
 *
 * @example An idempotent producer's third batch
 * ```ts
 * import assert from "node:assert/strict";
 * import { type BatchProducer, encodeRecordBatch, readBatchHeader } from "./record_batch.ts";
 * const producer: BatchProducer = { producerId: 7, producerEpoch: 0, baseSequence: 20 };
 * const bytes = encodeRecordBatch(0, [{ key: null, value: null, timestamp: 0 }], 0, producer);
 * assert.equal(readBatchHeader(bytes, 0)!.baseSequence, 20);
 * ```
 */
export interface BatchProducer {
  /** Producer id from InitProducerId. */
  producerId: number;
  /** Producer epoch. */
  producerEpoch: number;
  /** Sequence number of the batch's first record. */
  baseSequence: number;
  /**
   * Part of a transaction (attribute bit 4).
   * @default {false}
   */
  transactional?: boolean;
}

/** Size of the fixed batch header in bytes. */
export const BATCH_HEADER_SIZE = 61;
/** Bytes before the `batchLength` field ends (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12;
const CRC_START = 21;

/**
 * A record to encode: bytes or null for key and value, epoch-ms timestamp.
 *
 * @example A record to encode
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRecordBatch, type RecordInput } from "../mod.ts";
 * const r: RecordInput = { key: new TextEncoder().encode("k"), value: null, timestamp: Date.now() };
 * assert.ok(encodeRecordBatch(0, [r]).length > 61);
 * ```
 */
export interface RecordInput {
  /** Key bytes, or null. */
  key: Uint8Array | null;
  /** Value bytes, or null (a tombstone in compacted topics). */
  value: Uint8Array | null;
  /** Event time in epoch milliseconds. */
  timestamp: number;
  /** Header pairs in order; keys are UTF-8 strings, a value may be null. */
  headers?: ReadonlyArray<readonly [string, Uint8Array | null]>;
  /**
   * Offset minus the batch's base offset; defaults to the record's index.
   * Compaction sets it to keep original offsets across gaps.
   */
  offsetDelta?: number;
}

/**
 * A record decoded from a batch.
 *
 * @example Records of a batch
 * ```ts
 * import assert from "node:assert/strict";
 * import { type DecodedRecord, decodeRecordBatch, encodeRecordBatch } from "../mod.ts";
 * const bytes = encodeRecordBatch(0, [{ key: null, value: null, timestamp: 1 }]);
 * const records: DecodedRecord[] = decodeRecordBatch(bytes).records;
 * assert.equal(records[0]!.value, null);
 * ```
 */
export interface DecodedRecord {
  /** Absolute offset in the partition. */
  offset: number;
  /** Timestamp in epoch milliseconds. */
  timestamp: number;
  /** Key bytes (a view into the batch), or null. */
  key: Uint8Array | null;
  /** Value bytes (a view into the batch), or null. */
  value: Uint8Array | null;
  /** Headers; a repeated key holds its values in order, as in kafkajs. */
  headers: RecordHeaders;
}

/**
 * Decoded headers as kafkajs gives them: one value per key, or an array of
 * values, in order, for a key the record repeats; a null value stays null.
 *
 * @example Repeated keys become arrays
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecordBatch, encodeRecordBatch, type RecordHeaders } from "../mod.ts";
 * const te = new TextEncoder();
 * const bytes = encodeRecordBatch(0, [{
 *   key: null, value: null, timestamp: 0,
 *   headers: [["tags", te.encode("a")], ["tags", te.encode("b")], ["trace", null]],
 * }]);
 * const headers: RecordHeaders = decodeRecordBatch(bytes).records[0]!.headers;
 * assert.deepEqual(headers, { tags: [te.encode("a"), te.encode("b")], trace: null });
 * ```
 */
export type RecordHeaders = Record<
  string,
  Uint8Array | null | (Uint8Array | null)[]
>;

/**
 * The header pairs of decoded headers, in order (arrays spread out), ready
 * to encode again.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { headerPairs } from "./record_batch.ts";
 * const a = new Uint8Array([1]);
 * assert.deepEqual(headerPairs({ k: [a, null], x: a }), [["k", a], ["k", null], ["x", a]]);
 * ```
 */
export function headerPairs(
  headers: RecordHeaders,
): [string, Uint8Array | null][] {
  const pairs: [string, Uint8Array | null][] = [];
  for (const [k, v] of Object.entries(headers)) {
    if (Array.isArray(v)) { for (const one of v) pairs.push([k, one]); }
    else pairs.push([k, v]);
  }
  return pairs;
}

/** Adds one decoded header: a repeated key turns into an array. */
function addHeader(
  headers: RecordHeaders,
  key: string,
  value: Uint8Array | null,
): void {
  const prev = Object.hasOwn(headers, key) ? headers[key] : undefined;
  const next = prev === undefined
    ? value
    : Array.isArray(prev)
    ? (prev.push(value), prev)
    : [prev, value];
  // defineProperty so a key named "__proto__" is a header, not a prototype.
  Object.defineProperty(headers, key, {
    value: next,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

/**
 * The fixed fields of a batch header.
 *
 * @example Header fields of a batch
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecordBatch, encodeRecordBatch, type RecordBatchHeader } from "../mod.ts";
 * const header: RecordBatchHeader = decodeRecordBatch(encodeRecordBatch(9, [{ key: null, value: null, timestamp: 1 }])).header;
 * assert.equal(header.magic, 2);
 * assert.equal(header.baseOffset, 9);
 * ```
 */
export interface RecordBatchHeader {
  /** Offset of the first record. */
  baseOffset: number;
  /** Bytes after the `batchLength` field. */
  batchLength: number;
  /** Leader epoch; 0 here. */
  partitionLeaderEpoch: number;
  /** Format version, always 2. */
  magic: number;
  /** Stored CRC-32C. */
  crc: number;
  /** Attribute bits (compression codec in the low 3 bits). */
  attributes: number;
  /** Offset of the last record minus the base offset. */
  lastOffsetDelta: number;
  /** Timestamp of the first record. */
  baseTimestamp: number;
  /** Largest record timestamp. */
  maxTimestamp: number;
  /** Producer id, -1 for none. */
  producerId: number;
  /** Producer epoch, -1 for none. */
  producerEpoch: number;
  /** Base sequence, -1 for none. */
  baseSequence: number;
  /** Number of records. */
  recordCount: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Shared by records without headers; frozen so no caller can fill it. */
export const NO_HEADERS: RecordHeaders = Object.freeze({}) as RecordHeaders;

function writeInt64(view: DataView, pos: number, n: number): void {
  const hi = Math.floor(n / 4294967296);
  view.setInt32(pos, hi);
  view.setUint32(pos + 4, n - hi * 4294967296);
}

function readInt64(view: DataView, pos: number): number {
  return view.getInt32(pos) * 4294967296 + view.getUint32(pos + 4);
}

/**
 * Encodes records into one v2 batch starting at `baseOffset`, with the
 * CRC-32C filled in. Timestamps are stored as deltas from the first record.
 *
 * @example Encode and decode one record
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecordBatch, encodeRecordBatch } from "./record_batch.ts";
 * const bytes = encodeRecordBatch(42, [
 *   { key: null, value: new TextEncoder().encode("hi"), timestamp: 1000 },
 * ]);
 * const { records } = decodeRecordBatch(bytes);
 * assert.equal(records[0]!.offset, 42);
 * assert.equal(new TextDecoder().decode(records[0]!.value!), "hi");
 * ```
 */
export function encodeRecordBatch(
  baseOffset: number,
  records: readonly RecordInput[],
  compression: number = CompressionTypes.None,
  producer?: BatchProducer,
  control = false,
): Uint8Array {
  if (
    compression !== CompressionTypes.None &&
    compression !== CompressionTypes.GZIP
  ) {
    throw new KafkaJSProtocolError(
      `Compression codec is not supported: ${codecName(compression)}`,
      { type: "UNSUPPORTED_COMPRESSION_TYPE" },
    );
  }
  if (records.length === 0) {
    throw new KafkaJSNonRetriableError(
      "Record batch must hold at least one record: 0",
    );
  }
  const n = records.length;
  const baseTimestamp = records[0]!.timestamp;
  let maxTimestamp = baseTimestamp;
  const bodySizes = new Array<number>(n);
  let headerKeys: (Uint8Array[] | undefined)[] | undefined;
  let total = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
    const delta = r.timestamp - baseTimestamp;
    const od = r.offsetDelta ?? i;
    let size = 1 + (delta >= 0 && delta < 64 ? 1 : varintSize(delta)) +
      (od < 64 ? 1 : varintSize(od));
    const k = r.key;
    size += k === null ? 1 : varintSize(k.length) + k.length;
    const v = r.value;
    size += v === null ? 1 : varintSize(v.length) + v.length;
    const h = r.headers;
    if (h === undefined || h.length === 0) {
      size += 1;
    } else {
      size += varintSize(h.length);
      const keys: Uint8Array[] = [];
      for (const [hk, hv] of h) {
        const kb = encoder.encode(hk);
        keys.push(kb);
        size += varintSize(kb.length) + kb.length +
          (hv === null ? 1 : varintSize(hv.length) + hv.length);
      }
      (headerKeys ??= [])[i] = keys;
    }
    bodySizes[i] = size;
    total += varintSize(size) + size;
  }
  const buf = new Uint8Array(total);
  const view = new DataView(buf.buffer);
  writeInt64(view, 0, baseOffset);
  view.setInt32(8, total - LOG_OVERHEAD);
  view.setInt32(12, 0);
  buf[16] = 2;
  const flags = (producer?.transactional ? TRANSACTIONAL_FLAG : 0) |
    (control ? CONTROL_FLAG : 0);
  view.setInt16(21, flags);
  view.setInt32(23, records[n - 1]!.offsetDelta ?? n - 1);
  writeInt64(view, 27, baseTimestamp);
  writeInt64(view, 35, maxTimestamp);
  writeInt64(view, 43, producer?.producerId ?? -1);
  view.setInt16(51, producer?.producerEpoch ?? -1);
  view.setInt32(53, producer?.baseSequence ?? -1);
  view.setInt32(57, n);
  let pos = BATCH_HEADER_SIZE;
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    pos = writeVarint(buf, pos, bodySizes[i]!);
    buf[pos++] = 0;
    pos = writeVarint(buf, pos, r.timestamp - baseTimestamp);
    pos = writeVarint(buf, pos, r.offsetDelta ?? i);
    const k = r.key;
    if (k === null) buf[pos++] = 1;
    else {
      pos = writeVarint(buf, pos, k.length);
      buf.set(k, pos);
      pos += k.length;
    }
    const v = r.value;
    if (v === null) buf[pos++] = 1;
    else {
      pos = writeVarint(buf, pos, v.length);
      buf.set(v, pos);
      pos += v.length;
    }
    const h = r.headers;
    if (h === undefined || h.length === 0) buf[pos++] = 0;
    else {
      pos = writeVarint(buf, pos, h.length);
      const keys = headerKeys![i]!;
      for (let j = 0; j < h.length; j++) {
        const kb = keys[j]!;
        pos = writeVarint(buf, pos, kb.length);
        buf.set(kb, pos);
        pos += kb.length;
        const hv = h[j]![1];
        if (hv === null) buf[pos++] = 1; // length -1
        else {
          pos = writeVarint(buf, pos, hv.length);
          buf.set(hv, pos);
          pos += hv.length;
        }
      }
    }
  }
  if (compression === CompressionTypes.GZIP) {
    // Only the records are compressed; the 61-byte header stays readable.
    const packed = gzipSync(buf.subarray(BATCH_HEADER_SIZE));
    const out = new Uint8Array(BATCH_HEADER_SIZE + packed.length);
    out.set(buf.subarray(0, BATCH_HEADER_SIZE));
    out.set(packed, BATCH_HEADER_SIZE);
    const v = new DataView(out.buffer);
    v.setInt32(8, out.length - LOG_OVERHEAD);
    v.setInt16(21, CompressionTypes.GZIP | flags);
    v.setUint32(17, crc32c(out, CRC_START, out.length));
    return out;
  }
  view.setUint32(17, crc32c(buf, CRC_START, total));
  return buf;
}

/**
 * Reads the fixed header of the batch at `pos`, or returns undefined when
 * fewer than 61 bytes remain.
 *
 * @example Read a header
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeRecordBatch, readBatchHeader } from "./record_batch.ts";
 * const bytes = encodeRecordBatch(7, [{ key: null, value: null, timestamp: 5 }]);
 * assert.equal(readBatchHeader(bytes, 0)?.baseOffset, 7);
 * ```
 */
export function readBatchHeader(
  bytes: Uint8Array,
  pos: number,
): RecordBatchHeader | undefined {
  if (bytes.length - pos < BATCH_HEADER_SIZE) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 61);
  return {
    baseOffset: readInt64(view, 0),
    batchLength: view.getInt32(8),
    partitionLeaderEpoch: view.getInt32(12),
    magic: view.getInt8(16),
    crc: view.getUint32(17),
    attributes: view.getInt16(21),
    lastOffsetDelta: view.getInt32(23),
    baseTimestamp: readInt64(view, 27),
    maxTimestamp: readInt64(view, 35),
    producerId: readInt64(view, 43),
    producerEpoch: view.getInt16(51),
    baseSequence: view.getInt32(53),
    recordCount: view.getInt32(57),
  };
}

/** Result of {@linkcode checkBatch}. */
export type BatchCheck =
  | {
    ok: true;
    size: number;
    baseOffset: number;
    lastOffset: number;
    maxTimestamp: number;
  }
  | { ok: false; reason: string };

/**
 * Checks the batch at `pos` without decoding records: enough bytes, magic 2,
 * a sane length and a matching CRC-32C (when `verifyCrc`).
 *
 * @example Detect a flipped byte
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkBatch, encodeRecordBatch } from "./record_batch.ts";
 * const bytes = encodeRecordBatch(0, [{ key: null, value: new Uint8Array([1]), timestamp: 0 }]);
 * bytes[bytes.length - 2]! ^= 0xff;
 * assert.equal(checkBatch(bytes, 0).ok, false);
 * ```
 */
export function checkBatch(
  bytes: Uint8Array,
  pos: number,
  end: number = bytes.length,
  verifyCrc = true,
): BatchCheck {
  if (end - pos < BATCH_HEADER_SIZE) {
    return { ok: false, reason: `${end - pos} bytes left, header needs 61` };
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 61);
  const length = view.getInt32(8);
  const magic = view.getInt8(16);
  if (magic !== 2) return { ok: false, reason: `magic byte is ${magic}` };
  if (length < BATCH_HEADER_SIZE - LOG_OVERHEAD) {
    return { ok: false, reason: `batch length is ${length}` };
  }
  const size = length + LOG_OVERHEAD;
  if (end - pos < size) {
    return {
      ok: false,
      reason: `batch needs ${size} bytes, ${end - pos} left`,
    };
  }
  if (verifyCrc) {
    const stored = view.getUint32(17);
    const actual = crc32c(bytes, pos + CRC_START, pos + size);
    if (stored !== actual) {
      return {
        ok: false,
        reason: `CRC-32C mismatch, stored ${stored} computed ${actual}`,
      };
    }
  }
  const baseOffset = readInt64(view, 0);
  return {
    ok: true,
    size,
    baseOffset,
    lastOffset: baseOffset + view.getInt32(23),
    maxTimestamp: readInt64(view, 35),
  };
}

/** Builds the caller's record object straight from decoded fields. */
export type RecordFactory<T> = (
  offset: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: RecordHeaders,
) => T;

/**
 * Decodes the records of the batch at `pos` (header already checked).
 * Pushes records with offset >= `minOffset` into `out`; a control batch
 * (transaction marker) pushes none. Keys and values are views into `bytes`,
 * not copies.
 */
export function decodeRecordsInto<T = DecodedRecord>(
  bytes: Uint8Array,
  pos: number,
  out: T[],
  minOffset = 0,
  make?: RecordFactory<T>,
): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset + pos, 61);
  const size = view.getInt32(8) + LOG_OVERHEAD;
  const attributes = view.getInt16(21);
  const codec = attributes & 7;
  if (codec !== CompressionTypes.None && codec !== CompressionTypes.GZIP) {
    throw new KafkaJSProtocolError(
      `Compression codec is not supported: ${codecName(codec)}`,
      { type: "UNSUPPORTED_COMPRESSION_TYPE" },
    );
  }
  // Transaction markers are not records a reader wants.
  if (attributes & CONTROL_FLAG) return;
  const baseOffset = readInt64(view, 0);
  const baseTimestamp = readInt64(view, 27);
  const count = view.getInt32(57);
  let end = pos + size;
  let p = pos + BATCH_HEADER_SIZE;
  if (codec === CompressionTypes.GZIP) {
    const raw = gunzipSync(bytes.subarray(p, end));
    // Keep the caller's array type: Buffers for the consumer, plain
    // Uint8Arrays otherwise.
    bytes = bytes instanceof Buffer
      ? raw
      : new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
    pos = -BATCH_HEADER_SIZE;
    p = 0;
    end = raw.length;
  }
  const bad = (what: string) =>
    new KafkaJSProtocolError(
      `Record batch is malformed: ${what} at byte ${
        p - pos
      } of batch at offset ${baseOffset}`,
      { type: "CORRUPT_MESSAGE" },
    );
  // One-byte varints (the common case for every field but lengths) are
  // decoded inline; longer ones go through readVarint.
  for (let i = 0; i < count; i++) {
    let b = bytes[p]!;
    let len: number;
    if (b < 0x80 && p < end) {
      len = (b >>> 1) ^ -(b & 1);
      p++;
    } else if (bytes[p + 1]! < 0x80 && p + 1 < end) {
      const z = (b & 0x7f) | (bytes[p + 1]! << 7);
      len = (z >>> 1) ^ -(z & 1);
      p += 2;
    } else {
      len = readVarint(bytes, p, end);
      p = cursor.pos;
    }
    if (!(len >= 0)) throw bad("record length");
    const recordEnd = p + len;
    if (recordEnd > end) throw bad("record overruns batch");
    p++; // attributes
    b = bytes[p]!;
    let tsDelta: number;
    if (b < 0x80 && p < recordEnd) {
      tsDelta = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      tsDelta = readVarint(bytes, p, recordEnd);
      p = cursor.pos;
    }
    b = bytes[p]!;
    let offsetDelta: number;
    if (b < 0x80 && p < recordEnd) {
      offsetDelta = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      offsetDelta = readVarint(bytes, p, recordEnd);
      p = cursor.pos;
    }
    b = bytes[p]!;
    let keyLen: number;
    if (b < 0x80 && p < recordEnd) {
      keyLen = (b >>> 1) ^ -(b & 1);
      p++;
    } else {
      keyLen = readVarint(bytes, p, recordEnd);
      p = cursor.pos;
    }
    let key: Uint8Array | null = null;
    if (keyLen >= 0) {
      key = bytes.subarray(p, p + keyLen);
      p += keyLen;
    }
    b = bytes[p]!;
    let valueLen: number;
    if (b < 0x80 && p < recordEnd) {
      valueLen = (b >>> 1) ^ -(b & 1);
      p++;
    } else if (bytes[p + 1]! < 0x80 && p + 1 < recordEnd) {
      const z = (b & 0x7f) | (bytes[p + 1]! << 7);
      valueLen = (z >>> 1) ^ -(z & 1);
      p += 2;
    } else {
      valueLen = readVarint(bytes, p, recordEnd);
      p = cursor.pos;
    }
    let value: Uint8Array | null = null;
    if (valueLen >= 0) {
      value = bytes.subarray(p, p + valueLen);
      p += valueLen;
    }
    let headerCount: number;
    let headers = NO_HEADERS;
    if (bytes[p] === 0 && p < recordEnd) {
      headerCount = 0;
      p++;
    } else {
      headerCount = readVarint(bytes, p, recordEnd);
      p = cursor.pos;
      if (headerCount > 0) headers = {};
      for (let h = 0; h < headerCount; h++) {
        const hkLen = readVarint(bytes, p, recordEnd);
        p = cursor.pos;
        const hk = decoder.decode(bytes.subarray(p, p + hkLen));
        p += hkLen;
        const hvLen = readVarint(bytes, p, recordEnd);
        p = cursor.pos;
        addHeader(
          headers,
          hk,
          hvLen >= 0 ? bytes.subarray(p, p + hvLen) : null,
        );
        if (hvLen > 0) p += hvLen;
      }
    }
    if (p !== recordEnd || Number.isNaN(tsDelta + offsetDelta + headerCount)) {
      throw bad("record fields do not fill the record length");
    }
    const offset = baseOffset + offsetDelta;
    if (offset >= minOffset) {
      out.push(
        make ? make(offset, baseTimestamp + tsDelta, key, value, headers) : {
          offset,
          timestamp: baseTimestamp + tsDelta,
          key,
          value,
          headers,
        } as T,
      );
    }
  }
}

/**
 * Checks and decodes the batch at `offset` in `bytes`.
 *
 * @example Round trip with headers
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeRecordBatch, encodeRecordBatch } from "./record_batch.ts";
 * const te = new TextEncoder();
 * const bytes = encodeRecordBatch(0, [
 *   { key: te.encode("k"), value: te.encode("v"), timestamp: 10, headers: [["h", te.encode("1")]] },
 * ]);
 * const { header, records, size } = decodeRecordBatch(bytes);
 * assert.equal(header.recordCount, 1);
 * assert.equal(size, bytes.length);
 * assert.deepEqual(Object.keys(records[0]!.headers), ["h"]);
 * ```
 */
export function decodeRecordBatch(
  bytes: Uint8Array,
  offset = 0,
): { header: RecordBatchHeader; records: DecodedRecord[]; size: number } {
  const check = checkBatch(bytes, offset);
  if (!check.ok) {
    throw new KafkaJSProtocolError(`Record batch is corrupt: ${check.reason}`, {
      type: "CORRUPT_MESSAGE",
    });
  }
  const records: DecodedRecord[] = [];
  decodeRecordsInto(bytes, offset, records);
  return { header: readBatchHeader(bytes, offset)!, records, size: check.size };
}

/**
 * The one record of a transaction marker: key `version int16 (0) | type
 * int16 (0 abort, 1 commit)`, value `version int16 (0) | coordinatorEpoch
 * int32 (0)`. Append it as a control batch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { controlRecord } from "./record_batch.ts";
 * assert.deepEqual(controlRecord(true, 5).key, new Uint8Array([0, 0, 0, 1]));
 * ```
 */
export function controlRecord(commit: boolean, timestamp: number): RecordInput {
  const key = new Uint8Array(4);
  key[3] = commit ? 1 : 0;
  return { key, value: new Uint8Array(6), timestamp };
}

/**
 * Encodes a control batch: the marker that ends a transaction in each of its
 * partitions. Its one record has key `version int16 (0) | type int16 (0
 * abort, 1 commit)` and value `version int16 (0) | coordinatorEpoch int32`.
 *
 * @example A commit marker
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeControlRecord, encodeControlBatch } from "./record_batch.ts";
 * const bytes = encodeControlBatch(42, { producerId: 3, producerEpoch: 1, commit: true, timestamp: 0 });
 * assert.deepEqual(decodeControlRecord(bytes, 0), { producerId: 3, producerEpoch: 1, commit: true });
 * ```
 */
export function encodeControlBatch(
  baseOffset: number,
  marker: {
    producerId: number;
    producerEpoch: number;
    commit: boolean;
    timestamp: number;
  },
): Uint8Array {
  return encodeRecordBatch(
    baseOffset,
    [controlRecord(marker.commit, marker.timestamp)],
    CompressionTypes.None,
    {
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      baseSequence: -1,
      transactional: true,
    },
    true,
  );
}

/**
 * Reads the marker of the control batch at `pos`, or undefined when the
 * batch there is not a control batch.
 *
 * @example An ordinary batch is no marker
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeControlRecord, encodeRecordBatch } from "./record_batch.ts";
 * assert.equal(decodeControlRecord(encodeRecordBatch(0, [{ key: null, value: null, timestamp: 0 }]), 0), undefined);
 * ```
 */
export function decodeControlRecord(
  bytes: Uint8Array,
  pos: number,
): { producerId: number; producerEpoch: number; commit: boolean } | undefined {
  const header = readBatchHeader(bytes, pos);
  if (!header || !(header.attributes & CONTROL_FLAG)) return undefined;
  // record: length, attributes, timestampDelta, offsetDelta, keyLength, key
  let p = pos + BATCH_HEADER_SIZE;
  for (let i = 0; i < 4; i++) {
    if (i === 1) {
      p++; // attributes int8
      continue;
    }
    readVarint(bytes, p, bytes.length);
    p = cursor.pos;
  }
  const keyLength = readVarint(bytes, p, bytes.length);
  p = cursor.pos;
  if (keyLength < 4) return undefined;
  const type = new DataView(bytes.buffer, bytes.byteOffset + p, 4).getInt16(2);
  return {
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    commit: type === 1,
  };
}
