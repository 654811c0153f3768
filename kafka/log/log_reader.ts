/**
 * Reads a partition's log straight from its segment files, with no broker:
 * read-only, safe from a Web Worker in another thread, and safe while no
 * broker has the log open. It stops quietly at a torn tail (a batch cut short
 * or failing its CRC at the end of the last segment, with no good batch after
 * it) and throws on any other damage, naming the file, position and offsets.
 *
 * On-disk layout (as in Kafka):
 *
 * ```
 * <logDir>/topics.json                         topic names, partition counts, configs
 * <logDir>/<topic>-<partition>/
 *     00000000000000000000.log                 record batches (v2, CRC-32C), appended
 *     00000000000000000000.index               sparse offset index: int32 relative last offset of a batch, int32 its position
 *     00000000000000000000.timeindex           time index: int64 largest timestamp so far (strictly increasing), int32 relative offset of its batch's end
 *     00000000000000012345.log                 next segment, named by its base offset
 * <logDir>/__consumer_offsets/<group>.json     committed offsets per consumer group
 * ```
 *
 * @module
 */

import { join } from "node:path";
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from "../errors.ts";
import {
  type DecodedRecord,
  decodeRecordsInto,
  type RecordHeaders,
} from "../protocol/record_batch.ts";
import {
  BatchScanner,
  fileSource,
  findNextBatch,
  floorIndex,
  parseOffsetIndex,
  segmentName,
} from "./_scan.ts";

/**
 * A record as read from disk.
 *
 * @example Decode a record from disk
 * ```ts
 * import assert from "node:assert/strict";
 * import type { LogRecord } from "../mod.ts";
 * const text = (r: LogRecord) => (r.value ? new TextDecoder().decode(r.value) : null);
 * assert.equal(text({ offset: 0, timestamp: 0, key: null, value: new TextEncoder().encode("hi"), headers: {} }), "hi");
 * ```
 */
export interface LogRecord {
  /** Offset in the partition. */
  offset: number;
  /** Timestamp in epoch milliseconds. */
  timestamp: number;
  /** Key bytes, or null. */
  key: Uint8Array | null;
  /** Value bytes, or null. */
  value: Uint8Array | null;
  /** Header values by key; a repeated key holds an array, in order. */
  headers: RecordHeaders;
}

/**
 * Options for {@linkcode readPartitionLog}.
 *
 * @example A half-open range of offsets
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ReadPartitionLogOptions } from "../mod.ts";
 * const range: ReadPartitionLogOptions = { fromOffset: 100, toOffset: 200 };
 * assert.equal(range.toOffset! - range.fromOffset!, 100);
 * ```
 */
export interface ReadPartitionLogOptions {
  /**
   * First offset to return (inclusive).
   * @default {0}
   */
  fromOffset?: number;
  /**
   * Offset to stop before (exclusive), e.g. a high watermark.
   * @default {Infinity}
   */
  toOffset?: number;
}

const TOPIC_RE = /^[a-zA-Z0-9._-]+$/;

function partitionDir(logDir: string, topic: string, partition: number) {
  if (!TOPIC_RE.test(topic) || topic === "." || topic === "..") {
    throw new KafkaJSProtocolError(
      `Topic name must match [a-zA-Z0-9._-]+: ${JSON.stringify(topic)}`,
      { type: "INVALID_TOPIC_EXCEPTION" },
    );
  }
  if (!Number.isInteger(partition) || partition < 0) {
    throw new KafkaJSNonRetriableError(
      `Partition must be a non-negative integer: ${partition}`,
    );
  }
  return join(logDir, `${topic}-${partition}`);
}

/**
 * Partition numbers of `topic` found as `<topic>-<n>` directories under
 * `logDir`, ascending.
 *
 * @example List the partitions of a topic on disk
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, listPartitions } from "../mod.ts";
 * const logDir = await Deno.makeTempDir();
 * const admin = new Kafka({ logDir }).admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t", numPartitions: 3 }] });
 * await admin.disconnect();
 * assert.deepEqual(await listPartitions(logDir, "t"), [0, 1, 2]);
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export async function listPartitions(
  logDir: string,
  topic: string,
): Promise<number[]> {
  partitionDir(logDir, topic, 0);
  const prefix = `${topic}-`;
  const found: number[] = [];
  try {
    for await (const entry of Deno.readDir(logDir)) {
      if (!entry.isDirectory || !entry.name.startsWith(prefix)) continue;
      const rest = entry.name.slice(prefix.length);
      if (/^\d+$/.test(rest)) found.push(Number(rest));
    }
  } catch (cause) {
    throw new KafkaJSNonRetriableError(
      `Log directory cannot be read: ${logDir}`,
      { cause },
    );
  }
  if (found.length === 0) {
    throw new KafkaJSProtocolError(
      `Topic has no partitions in log directory: ${topic} in ${logDir}`,
      { type: "UNKNOWN_TOPIC_OR_PARTITION" },
    );
  }
  return found.sort((a, b) => a - b);
}

/** Base offsets of the `.log` segments in a partition directory, ascending. */
export async function listSegments(dir: string): Promise<number[]> {
  const bases: number[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const m = /^(\d{20})\.log$/.exec(entry.name);
    if (m && entry.isFile) bases.push(Number(m[1]));
  }
  return bases.sort((a, b) => a - b);
}

async function startPosition(
  dir: string,
  base: number,
  target: number,
  file: Deno.FsFile,
  size: number,
): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(join(dir, `${segmentName(base)}.index`));
  } catch {
    return 0;
  }
  const index = parseOffsetIndex(bytes);
  if (!index) return 0;
  const i = floorIndex(index.rel, target - base);
  if (i < 0) return 0;
  const pos = index.pos[i]!;
  // The index is a hint: trust it only if a batch really starts there.
  const scanner = new BatchScanner(fileSource(file, size), pos, {
    verifyCrc: false,
    chunkSize: 61,
  });
  const first = scanner.next();
  // Entries map a batch's last offset to its position, as in Kafka.
  return first && first.check.lastOffset === base + index.rel[i]! ? pos : 0;
}

/**
 * Reads records of one partition like {@linkcode readPartitionLog}, one array
 * per record batch: a reader that handles thousands of records per `await`
 * instead of one (the arrays are fresh; keep them if you like).
 *
 * @example Count records batch by batch
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, readPartitionLogBatches } from "../mod.ts";
 * const logDir = await Deno.makeTempDir();
 * const kafka = new Kafka({ logDir });
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t", numPartitions: 1 }] });
 * await admin.disconnect();
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: "t", messages: [{ value: "a" }, { value: "b" }] });
 * await producer.disconnect();
 * let n = 0;
 * for await (const batch of readPartitionLogBatches(logDir, "t", 0)) n += batch.length;
 * assert.equal(n, 2);
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export async function* readPartitionLogBatches(
  logDir: string,
  topic: string,
  partition: number,
  options: ReadPartitionLogOptions = {},
): AsyncIterable<LogRecord[]> {
  const dir = partitionDir(logDir, topic, partition);
  const from = options.fromOffset ?? 0;
  const to = options.toOffset ?? Infinity;
  let bases: number[];
  try {
    bases = await listSegments(dir);
  } catch (cause) {
    throw new KafkaJSProtocolError(
      `Partition does not exist in log directory: ${topic}-${partition} in ${logDir}`,
      { cause, type: "UNKNOWN_TOPIC_OR_PARTITION" },
    );
  }
  const firstSeg = Math.max(0, floorIndex(bases, from));
  for (let s = firstSeg; s < bases.length; s++) {
    const base = bases[s]!;
    if (base >= to) return;
    const path = join(dir, `${segmentName(base)}.log`);
    const file = await Deno.open(path, { read: true });
    try {
      const size = (await file.stat()).size;
      const start = s === firstSeg && from > base
        ? await startPosition(dir, base, from, file, size)
        : 0;
      const src = fileSource(file, size);
      const scanner = new BatchScanner(src, start);
      // Offsets must follow on: contiguous in the last (active) segment,
      // increasing and below the next segment's base in earlier ones
      // (compaction leaves gaps). A batch found through the index was
      // checked by startPosition.
      const last = s === bases.length - 1;
      const bound = last ? Infinity : bases[s + 1]!;
      let prevLast = base - 1;
      let check = start === 0;
      let stop: { at: number; reason: string } | undefined;
      for (let b = scanner.next(); b; b = scanner.next()) {
        const c = b.check;
        if (
          check && (c.lastOffset < c.baseOffset || c.lastOffset >= bound ||
            (last ? c.baseOffset !== prevLast + 1 : c.baseOffset <= prevLast))
        ) {
          stop = {
            at: b.position,
            reason:
              `batch offsets ${c.baseOffset} to ${c.lastOffset} do not follow offset ${prevLast}`,
          };
          break;
        }
        check = true;
        prevLast = c.lastOffset;
        if (b.check.lastOffset < from) continue;
        if (b.check.baseOffset >= to) return;
        const out: DecodedRecord[] = [];
        decodeRecordsInto(b.bytes, b.offsetInBytes, out, from);
        if (b.check.lastOffset >= to) {
          const end = out.findIndex((r) => r.offset >= to);
          if (end >= 0) out.length = end;
          if (out.length > 0) yield out;
          return;
        }
        if (out.length > 0) yield out;
      }
      if (!stop && scanner.stopReason !== undefined) {
        stop = { at: scanner.stopPosition, reason: scanner.stopReason };
      }
      if (stop) {
        // A torn tail (nothing good after it in the last segment) ends the
        // log quietly; damage with records after it does not.
        const next = findNextBatch(src, stop.at + 1, prevLast, bound);
        if (last && !next) return;
        const resume = next?.check.baseOffset ?? bound;
        throw new KafkaJSProtocolError(
          `Segment is corrupt: ${path} at byte ${stop.at}: ${stop.reason}; offsets ${
            prevLast + 1
          } to ${resume - 1} cannot be read`,
          { type: "CORRUPT_MESSAGE" },
        );
      }
    } finally {
      file.close();
    }
  }
}

/**
 * Reads records of one partition directly from its segment files, in offset
 * order, from `fromOffset` (inclusive) to `toOffset` (exclusive). Stops at a
 * torn tail of the last segment; throws `KafkaError` for a missing
 * partition or other damage.
 *
 * @example Read back what a producer wrote
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, readPartitionLog } from "../mod.ts";
 * const logDir = await Deno.makeTempDir();
 * const kafka = new Kafka({ logDir });
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t", numPartitions: 1 }] });
 * await admin.disconnect();
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: "t", messages: [{ value: "a" }, { value: "b" }] });
 * await producer.disconnect();
 * const read: [number, string][] = [];
 * for await (const r of readPartitionLog(logDir, "t", 0, { fromOffset: 1 })) {
 *   read.push([r.offset, new TextDecoder().decode(r.value!)]);
 * }
 * assert.deepEqual(read, [[1, "b"]]);
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export async function* readPartitionLog(
  logDir: string,
  topic: string,
  partition: number,
  options: ReadPartitionLogOptions = {},
): AsyncIterable<LogRecord> {
  for await (
    const batch of readPartitionLogBatches(logDir, topic, partition, options)
  ) yield* batch;
}

/** Where a partition's log can be cut: offsets with their byte positions. */
export interface PartitionLogLayout {
  /** Bytes in all `.log` segments of the partition. */
  bytes: number;
  /**
   * Cut points, ascending: every segment's base offset at its position, and
   * every offset-index entry (the last offset of the batch that starts at
   * the position), with byte positions counted across segments.
   */
  marks: { offset: number; position: number }[];
}

/**
 * The partition's size and cut points, from segment names, sizes and offset
 * indexes alone (no record is read; synchronous so a planner can call it while
 * it builds splits). Cutting at these offsets gives ranges of known size.
 *
 * @example Size up a partition
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, partitionLogLayoutSync } from "../mod.ts";
 * const logDir = await Deno.makeTempDir();
 * const kafka = new Kafka({ logDir });
 * const admin = kafka.admin();
 * await admin.connect();
 * await admin.createTopics({ topics: [{ topic: "t", numPartitions: 1 }] });
 * await admin.disconnect();
 * const producer = kafka.producer();
 * await producer.connect();
 * await producer.send({ topic: "t", messages: [{ value: "hello" }] });
 * await producer.disconnect();
 * const layout = partitionLogLayoutSync(logDir, "t", 0);
 * assert.ok(layout.bytes > 0);
 * assert.deepEqual(layout.marks[0], { offset: 0, position: 0 });
 * await Deno.remove(logDir, { recursive: true });
 * ```
 */
export function partitionLogLayoutSync(
  logDir: string,
  topic: string,
  partition: number,
): PartitionLogLayout {
  const dir = partitionDir(logDir, topic, partition);
  const bases: number[] = [];
  try {
    for (const entry of Deno.readDirSync(dir)) {
      const m = /^(\d{20})\.log$/.exec(entry.name);
      if (m && entry.isFile) bases.push(Number(m[1]));
    }
  } catch (cause) {
    throw new KafkaJSProtocolError(
      `Partition does not exist in log directory: ${topic}-${partition} in ${logDir}`,
      { cause, type: "UNKNOWN_TOPIC_OR_PARTITION" },
    );
  }
  bases.sort((a, b) => a - b);
  const marks: { offset: number; position: number }[] = [];
  let bytes = 0;
  for (const base of bases) {
    const size = Deno.statSync(join(dir, `${segmentName(base)}.log`)).size;
    marks.push({ offset: base, position: bytes });
    let index: { rel: number[]; pos: number[] } | undefined;
    try {
      index = parseOffsetIndex(
        Deno.readFileSync(join(dir, `${segmentName(base)}.index`)),
      );
    } catch {
      index = undefined; // a missing index only makes the cuts coarser
    }
    for (let i = 0; index && i < index.rel.length; i++) {
      const rel = index.rel[i]!;
      const pos = index.pos[i]!;
      if (rel > 0 && pos < size) {
        marks.push({ offset: base + rel, position: bytes + pos });
      }
    }
    bytes += size;
  }
  return { bytes, marks };
}
