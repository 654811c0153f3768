/**
 * kafkajs's codec registry, `CompressionCodecs`: a codec is registered as a
 * factory under its `CompressionTypes` number, and is an object with two
 * async functions, `compress(encoder)` (the records' bytes as
 * `encoder.buffer`) and `decompress(buffer)`, as kafkajs documents:
 *
 * ```
 * CompressionCodecs[CompressionTypes.Snappy] = () => MySnappyCodec
 * ```
 *
 * GZIP is built in. A batch with a registered codec is compressed by the
 * producer and decompressed by the consumer; the log stores it as sent.
 * Readers without the codec (`readPartitionLog`, spark's `fromTopic`, a
 * consumer in a process that did not register it) refuse such a batch by
 * name.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { gunzipSync, gzipSync } from "node:zlib";
import { crc32c } from "./protocol/_crc32c.ts";
import {
  BATCH_HEADER_SIZE,
  CompressionTypes,
  LOG_OVERHEAD,
} from "./protocol/record_batch.ts";

/**
 * A compression codec in kafkajs's plug-in shape.
 *
 * @example A codec that stores bytes as they are (for illustration)
 * ```ts
 * import assert from "node:assert/strict";
 * import { Buffer } from "node:buffer";
 * import type { Codec } from "./mod.ts";
 * const identity: Codec = {
 *   compress: async (encoder) => await Promise.resolve(Buffer.from(encoder.buffer)),
 *   decompress: async (buffer) => await Promise.resolve(Buffer.from(buffer)),
 * };
 * assert.deepEqual(await identity.decompress(Buffer.from("x")), Buffer.from("x"));
 * ```
 */
export interface Codec {
  /** Compresses `encoder.buffer`, the encoded records. */
  compress(encoder: { buffer: Buffer }): Promise<Buffer | Uint8Array>;
  /** Decompresses what `compress` made. */
  decompress(buffer: Buffer): Promise<Buffer | Uint8Array>;
}

const gzip: Codec = {
  compress: (encoder) => Promise.resolve(gzipSync(encoder.buffer)),
  decompress: (buffer) => Promise.resolve(gunzipSync(buffer)),
};

/**
 * Codec factories by `CompressionTypes` number; assign one to add a codec.
 *
 * @example Register a codec, as kafkajs-snappy or @kafkajs/zstd do
 * ```ts
 * import assert from "node:assert/strict";
 * import { CompressionCodecs, CompressionTypes } from "./mod.ts";
 * assert.equal(typeof CompressionCodecs[CompressionTypes.GZIP], "function");
 * assert.equal(CompressionCodecs[CompressionTypes.Snappy], undefined);
 * ```
 */
export const CompressionCodecs: Record<number, (() => Codec) | undefined> = {
  [CompressionTypes.GZIP]: () => gzip,
};

/** The registered codec for a number, or undefined. */
export function codecFor(codec: number): Codec | undefined {
  return CompressionCodecs[codec]?.();
}

/**
 * Compresses the records of an uncompressed v2 batch with a registered
 * codec: the header stays, the records are replaced, and the length,
 * attributes and CRC-32C follow.
 */
export async function compressBatch(
  batch: Uint8Array,
  codecId: number,
  codec: Codec,
): Promise<Uint8Array> {
  const records = Buffer.from(
    batch.buffer,
    batch.byteOffset + BATCH_HEADER_SIZE,
    batch.length - BATCH_HEADER_SIZE,
  );
  const packed = await codec.compress({ buffer: records });
  const out = new Uint8Array(BATCH_HEADER_SIZE + packed.length);
  out.set(batch.subarray(0, BATCH_HEADER_SIZE));
  out.set(packed, BATCH_HEADER_SIZE);
  const v = new DataView(out.buffer);
  v.setInt32(8, out.length - LOG_OVERHEAD);
  v.setInt16(21, (v.getInt16(21) & ~7) | codecId);
  v.setUint32(17, crc32c(out, 21, out.length));
  return out;
}

/**
 * The batch with its records decompressed by a registered codec (attributes
 * say none), or the batch itself when it needs no codec from the registry.
 * Throws UNSUPPORTED_COMPRESSION_TYPE's message through the decoder when no
 * codec is registered.
 */
export async function decompressBatch(batch: Uint8Array): Promise<Uint8Array> {
  const v = new DataView(batch.buffer, batch.byteOffset, BATCH_HEADER_SIZE);
  const codecId = v.getInt16(21) & 7;
  if (codecId === CompressionTypes.None || codecId === CompressionTypes.GZIP) {
    return batch;
  }
  const codec = codecFor(codecId);
  if (!codec) return batch; // the decoder names the codec it cannot read
  const raw = await codec.decompress(
    Buffer.from(
      batch.buffer,
      batch.byteOffset + BATCH_HEADER_SIZE,
      batch.length - BATCH_HEADER_SIZE,
    ),
  );
  const out = new Uint8Array(BATCH_HEADER_SIZE + raw.length);
  out.set(batch.subarray(0, BATCH_HEADER_SIZE));
  out.set(raw, BATCH_HEADER_SIZE);
  const w = new DataView(out.buffer);
  w.setInt32(8, out.length - LOG_OVERHEAD);
  w.setInt16(21, w.getInt16(21) & ~7);
  return out;
}
