/**
 * One partition's commit log: a list of segments, each a `.log` file of
 * record batches with a sparse `.index` (offset → position) and a
 * `.timeindex` (timestamp → offset). Appends go to the last (active)
 * segment, which rolls by size and age; retention deletes whole old
 * segments; compaction rewrites old segments keeping the latest record per
 * key. On open, the active segment is scanned batch by batch and a torn tail
 * is cut off; missing or damaged indexes are rebuilt.
 *
 * @module
 */

import { dirname, join } from "node:path";
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from "../errors.ts";
import type { Clock } from "../../internal/clock.ts";
import {
  type BatchProducer,
  type DecodedRecord,
  decodeRecordsInto,
  encodeRecordBatch,
  headerPairs,
  readBatchHeader,
  type RecordFactory,
  type RecordInput,
  TRANSACTIONAL_FLAG,
} from "../protocol/record_batch.ts";
import {
  BatchScanner,
  findNextBatch,
  floorIndex,
  parseOffsetIndex,
  type ScannedBatch,
  segmentName,
} from "./_scan.ts";
import {
  type BatchMeta,
  type Damage,
  parseTimeIndex,
  Segment,
} from "./_segment.ts";
import {
  FileStore,
  MemoryStore,
  type Store,
  syncDir,
  writeFileAtomic,
} from "./_store.ts";
import { listSegments } from "./log_reader.ts";

/** Per-topic log settings, named after Kafka's topic configs. */
export interface TopicConfig {
  /** `cleanup.policy`: `"delete"`, `"compact"` or `"compact,delete"`. */
  cleanupPolicy: "delete" | "compact" | "compact,delete";
  /** `retention.ms`; -1 keeps forever. */
  retentionMs: number;
  /** `retention.bytes` per partition; -1 for no limit. */
  retentionBytes: number;
  /** `segment.bytes`: roll the active segment beyond this size. */
  segmentBytes: number;
  /** `segment.ms`: roll the active segment after this age. */
  segmentMs: number;
  /** `max.message.bytes`: largest record batch accepted. */
  maxMessageBytes: number;
  /** `delete.retention.ms`: how long compaction keeps tombstones. */
  deleteRetentionMs: number;
  /** `index.interval.bytes`: log bytes between offset index entries. */
  indexIntervalBytes: number;
}

/** Kafka's defaults. */
export const DEFAULT_TOPIC_CONFIG: TopicConfig = {
  cleanupPolicy: "delete",
  retentionMs: 7 * 24 * 3600_000,
  retentionBytes: -1,
  segmentBytes: 1 << 30,
  segmentMs: 7 * 24 * 3600_000,
  maxMessageBytes: 1048588,
  deleteRetentionMs: 24 * 3600_000,
  indexIntervalBytes: 4096,
};

/**
 * How {@linkcode PartitionLog.read} sees transactions: up to `maxOffset`
 * (the last stable offset), without the batches `skip` names (aborted
 * ones); it sets `next` to the offset after the last batch it passed, so a
 * reader moves on past markers and aborted batches that yield no record.
 */
export interface ReadIsolation {
  /** Stop before a batch starting at or after this offset. */
  maxOffset: number;
  /** Whether the transactional batch of `producerId` at `baseOffset` is aborted. */
  skip?: (producerId: number, baseOffset: number) => boolean;
  /** Set by the read: the offset after the last batch read or passed. */
  next: number;
}

/** Holds the log start offset set by DeleteRecords, in the partition directory. */
const START_OFFSET_FILE = "log-start-offset";

async function readStartOffset(dir: string): Promise<number> {
  try {
    const n = Number(await Deno.readTextFile(join(dir, START_OFFSET_FILE)));
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

/** Options for {@linkcode PartitionLog.open}. */
export interface PartitionLogOptions {
  /** Partition directory; undefined keeps the log in memory. */
  dir?: string;
  /** Topic settings. */
  config: TopicConfig;
  /** Time source for segment age and retention. */
  clock: Clock;
  /**
   * Milliseconds between background fsyncs; 0 fsyncs every append before it
   * is acknowledged.
   * @default {0}
   */
  flushIntervalMs?: number;
  /**
   * The log end offset recorded by a clean shutdown; undefined after a crash
   * (then a torn tail of the active segment is cut off).
   * @default {undefined}
   */
  cleanShutdownEnd?: number;
  /**
   * Receives what recovery cut or found damaged, and damage found by reads.
   * @default {console.warn}
   */
  onWarning?: (message: string) => void;
}

/** Damage found in a partition log (see {@linkcode PartitionLog.damage}). */
export interface LogDamage {
  /** The segment file. */
  file: string;
  /** Byte position of the damage in the file. */
  position: number;
  /** First offset that cannot be read. */
  fromOffset: number;
  /** First offset readable again (exclusive end of the lost range). */
  toOffset: number;
  /** What was wrong. */
  reason: string;
}

/**
 * Outcome of {@linkcode PartitionLog.cleanup}.
 *
 * @example Run the log cleaner
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CleanupResult, Kafka } from "../mod.ts";
 * const admin = new Kafka({}).admin();
 * await admin.connect();
 * const result: CleanupResult = await admin.cleanLogs();
 * assert.deepEqual(result, { deletedSegments: 0, compactedRecords: 0 });
 * await admin.disconnect();
 * ```
 */
export interface CleanupResult {
  /** Segments deleted by retention. */
  deletedSegments: number;
  /** Records removed by compaction. */
  compactedRecords: number;
}

/** A partition's segmented log. */
export class PartitionLog {
  #dir: string | undefined;
  #config: TopicConfig;
  #clock: Clock;
  #segments: Segment[] = [];
  #dirty = new Set<Store>();
  #syncChain: Promise<void> = Promise.resolve();
  #waiting: Promise<void> | null = null;
  #interval: number;
  #cleanRun: Promise<unknown> = Promise.resolve();
  #closed = false;
  #onWarning: (message: string) => void;
  /** First offset readable after DeleteRecords (0: none deleted). */
  #startOffset = 0;
  /** Bytes cut from the tail at open (torn writes). */
  truncatedBytes = 0;

  private constructor(options: PartitionLogOptions) {
    this.#onWarning = options.onWarning ?? ((m) => console.warn(m));
    this.#dir = options.dir;
    this.#config = options.config;
    this.#clock = options.clock;
    this.#interval = options.flushIntervalMs ?? 0;
  }

  /** Opens (recovering) or creates a partition log. */
  static async open(options: PartitionLogOptions): Promise<PartitionLog> {
    const log = new PartitionLog(options);
    const now = options.clock.now();
    if (!options.dir) {
      log.#segments.push(new Segment(0, new MemoryStore(), now));
      return log;
    }
    const dir = options.dir;
    await Deno.mkdir(dir, { recursive: true });
    const bases = await listSegments(dir);
    if (bases.length === 0) {
      bases.push(0);
      // The new directory and first segment must survive a crash too.
      FileStore.open(join(dir, `${segmentName(0)}.log`), true).close();
      syncDir(dirname(dir));
    }
    for (let i = 0; i < bases.length; i++) {
      const base = bases[i]!;
      const path = join(dir, `${segmentName(base)}.log`);
      const store = FileStore.open(path);
      const seg = new Segment(base, store, now);
      if (i === bases.length - 1) {
        log.#recoverActive(seg, options.cleanShutdownEnd);
      } else {
        seg.nextOffset = bases[i + 1]!;
        if (!(await log.#loadIndexes(seg))) {
          const tail = log.#survey(seg, seg.nextOffset, false);
          if (tail) log.#tailOfClosed(seg, tail);
          await log.#writeIndexes(seg);
        }
      }
      try {
        const mtime = (await Deno.stat(path)).mtime?.getTime();
        if (mtime !== undefined) seg.lastWrite = Math.min(now, mtime);
      } catch {
        // keep now
      }
      log.#segments.push(seg);
    }
    log.#startOffset = await readStartOffset(dir);
    return log;
  }

  /** Whether batches of a segment must have contiguous offsets. */
  #contiguous(active: boolean): boolean {
    // Compaction leaves gaps in closed segments; the active one has none.
    return active || !this.#config.cleanupPolicy.startsWith("compact");
  }

  /**
   * Scans a segment from the start (checking CRCs and that offsets follow
   * on), rebuilding its indexes and its damage list; each damaged range is
   * skipped up to the next good batch. Returns the bad tail (bytes with no
   * good batch after them), if any, not yet recorded.
   */
  #survey(seg: Segment, bound: number, active: boolean): Damage | undefined {
    const contiguous = this.#contiguous(active);
    const keepEnd = seg.nextOffset;
    seg.resetIndex();
    seg.damage = [];
    seg.nextOffset = seg.base;
    let prevLast = seg.base - 1;
    let position = 0;
    for (;;) {
      const scanner = new BatchScanner(seg.store, position);
      let reason: string | undefined;
      let at = -1;
      for (let b = scanner.next(); b; b = scanner.next()) {
        reason = offsetsProblem(b, prevLast, contiguous, bound);
        if (reason !== undefined) {
          at = b.position;
          break;
        }
        seg.add(
          { position: b.position, ...b.check },
          this.#config.indexIntervalBytes,
        );
        prevLast = b.check.lastOffset;
      }
      if (reason === undefined) {
        if (scanner.stopReason === undefined) break;
        reason = scanner.stopReason;
        at = scanner.stopPosition;
      }
      const next = findNextBatch(seg.store, at + 1, prevLast, bound);
      const damage: Damage = {
        position: at,
        resume: next?.position ?? seg.store.size,
        fromOffset: prevLast + 1,
        toOffset: next?.check.baseOffset ?? prevLast + 1,
        reason,
      };
      if (!next) {
        seg.nextOffset = Math.max(seg.nextOffset, keepEnd);
        return damage;
      }
      seg.addDamage(damage);
      this.#warnDamage(seg, damage, "kept");
      position = next.position;
      prevLast = next.check.baseOffset - 1;
    }
    seg.nextOffset = Math.max(seg.nextOffset, keepEnd);
    return undefined;
  }

  #recoverActive(seg: Segment, cleanEnd: number | undefined): void {
    const tail = this.#survey(seg, Infinity, true);
    const end = seg.nextOffset;
    if (cleanEnd === undefined) {
      // After a crash: a bad tail is a torn write, cut off (as Kafka does).
      if (tail) {
        const cut = seg.store.size - tail.position;
        seg.store.truncate(tail.position);
        this.truncatedBytes += cut;
        this.#warn(
          `Log recovery cut a torn tail of ${cut} bytes from ${
            this.#where(seg)
          } at byte ${tail.position} (${tail.reason}); the log ends at offset ${end}`,
        );
      }
      return;
    }
    // After a clean shutdown nothing is cut, and no offset handed out before
    // is handed out again.
    if (tail || cleanEnd > end) {
      const damage: Damage = tail
        ? { ...tail, toOffset: Math.max(tail.fromOffset, cleanEnd) }
        : {
          position: seg.store.size,
          resume: seg.store.size,
          fromOffset: end,
          toOffset: cleanEnd,
          reason: "segment ends before the offset recorded at shutdown",
        };
      seg.addDamage(damage);
      this.#warnDamage(seg, damage, "kept");
      seg.nextOffset = Math.max(end, cleanEnd);
    }
  }

  #warn(message: string): void {
    this.#onWarning(message);
  }

  #warnDamage(seg: Segment, d: Damage, what: string): void {
    const lost = d.fromOffset < d.toOffset
      ? `offsets ${d.fromOffset} to ${d.toOffset - 1} cannot be read`
      : "no offsets are lost";
    this.#warn(
      `Log segment is damaged: ${
        this.#where(seg)
      } at byte ${d.position} (${d.reason}); ${lost}; ${
        d.resume - d.position
      } bytes ${what}`,
    );
  }

  /** Every damaged range known in the log, oldest first. */
  get damage(): LogDamage[] {
    const out: LogDamage[] = [];
    for (const seg of this.#segments) {
      for (const d of seg.damage) {
        out.push({
          file: this.#where(seg),
          position: d.position,
          fromOffset: d.fromOffset,
          toOffset: d.toOffset,
          reason: d.reason,
        });
      }
    }
    return out;
  }

  /**
   * Loads a closed segment's indexes, checking the batches their last
   * entries point to; false when they are missing or do not match.
   */
  async #loadIndexes(seg: Segment): Promise<boolean> {
    const stem = join(this.#dir!, segmentName(seg.base));
    let idx: Uint8Array;
    let tidx: Uint8Array;
    try {
      idx = await Deno.readFile(`${stem}.index`);
      tidx = await Deno.readFile(`${stem}.timeindex`);
    } catch {
      return false;
    }
    const offsets = parseOffsetIndex(idx);
    const times = parseTimeIndex(tidx);
    if (!offsets || !times) return false;
    const span = seg.nextOffset - seg.base;
    const size = seg.store.size;
    if (
      (offsets.rel.at(-1) ?? 0) >= span || (offsets.pos.at(-1) ?? 0) >= size ||
      (times.rel.at(-1) ?? 0) >= span || (size > 0) !== (times.ts.length > 0)
    ) return false;
    seg.idxRel = offsets.rel;
    seg.idxPos = offsets.pos;
    seg.tiTs = times.ts;
    seg.tiRel = times.rel;
    const n = offsets.rel.length;
    if (n > 0) {
      const head = new BatchScanner(seg.store, offsets.pos[n - 1]!, {
        verifyCrc: false,
        chunkSize: 61,
      }).next();
      if (head?.check.lastOffset !== seg.base + offsets.rel[n - 1]!) {
        return false;
      }
    }
    if (times.ts.length > 0) {
      // The segment's largest timestamp decides whether a time lookup
      // skips it: check the batch that set it.
      const ts = times.ts.at(-1)!;
      const last = seg.base + times.rel.at(-1)!;
      const b = this.#batchEndingAt(seg, last);
      if (b?.check.maxTimestamp !== ts) return false;
      seg.maxTimestamp = ts;
      seg.maxTimestampOffset = last;
    }
    return true;
  }

  /** The batch of `seg` whose last offset is `last`, found via the index. */
  #batchEndingAt(seg: Segment, last: number): ScannedBatch | undefined {
    const start = seg.lookup(last);
    const scanner = new BatchScanner(seg.store, start.position, {
      verifyCrc: false,
      chunkSize: 64 * 1024,
    });
    for (let b = scanner.next(); b; b = scanner.next()) {
      if (b.check.lastOffset === last) return b;
      if (b.check.lastOffset > last) return undefined;
    }
    return undefined;
  }

  async #writeIndexes(seg: Segment): Promise<void> {
    if (!this.#dir) return;
    const stem = join(this.#dir, segmentName(seg.base));
    const { index, timeindex } = seg.indexBytes();
    await Deno.writeFile(`${stem}.index`, index);
    await Deno.writeFile(`${stem}.timeindex`, timeindex);
  }

  #writeIndexesSync(seg: Segment): void {
    if (!this.#dir) return;
    const stem = join(this.#dir, segmentName(seg.base));
    const { index, timeindex } = seg.indexBytes();
    Deno.writeFileSync(`${stem}.index`, index);
    Deno.writeFileSync(`${stem}.timeindex`, timeindex);
  }

  /** First offset still in the log. */
  get logStartOffset(): number {
    return Math.max(this.#segments[0]!.base, this.#startOffset);
  }

  /**
   * Kafka's DeleteRecords: the log starts at `offset` from now on (records
   * before it cannot be read again); whole segments below it are deleted.
   * The new start is written to `log-start-offset` before any file goes.
   */
  async deleteRecordsBefore(offset: number): Promise<void> {
    const end = this.logEndOffset;
    if (!Number.isInteger(offset) || offset < 0 || offset > end) {
      throw new KafkaJSProtocolError(
        `Offset to delete records before is out of range: ${offset} not in [${this.logStartOffset}, ${end}]`,
        { type: "OFFSET_OUT_OF_RANGE" },
      );
    }
    if (offset <= this.logStartOffset) return;
    this.#startOffset = offset;
    if (this.#dir) {
      await writeFileAtomic(
        join(this.#dir, START_OFFSET_FILE),
        new TextEncoder().encode(String(offset)),
      );
    }
    while (
      this.#segments.length > 1 && this.#segments[0]!.nextOffset <= offset
    ) {
      await this.#deleteSegment(this.#segments.shift()!);
    }
  }

  /** Offset the next record will get (the high watermark). */
  get logEndOffset(): number {
    return this.#segments.at(-1)!.nextOffset;
  }

  /** Total bytes in all segments. */
  get size(): number {
    let n = 0;
    for (const s of this.#segments) n += s.store.size;
    return n;
  }

  /** Number of segments. */
  get segmentCount(): number {
    return this.#segments.length;
  }

  #roll(): void {
    const old = this.#segments.at(-1)!;
    this.#writeIndexesSync(old);
    const base = old.nextOffset;
    const store = this.#dir
      ? FileStore.open(join(this.#dir, `${segmentName(base)}.log`), true)
      : new MemoryStore();
    this.#segments.push(new Segment(base, store, this.#clock.now()));
  }

  /**
   * Appends each group of records as one batch (splitting a group whose
   * batch exceeds `max.message.bytes`). Offsets are assigned and bytes
   * written synchronously; the returned promise resolves once they are
   * durable under the flush policy.
   */
  append(
    groups: readonly (readonly RecordInput[])[],
    compression = 0,
    producer?: BatchProducer,
    control = false,
  ): { baseOffset: number; lastOffset: number; durable: Promise<void> } {
    if (this.#closed) {
      throw new KafkaJSNonRetriableError(
        "Partition log is closed: append refused",
      );
    }
    const max = this.#config.maxMessageBytes;
    let next = this.logEndOffset;
    const first = next;
    const encoded: { bytes: Uint8Array; meta: BatchMeta }[] = [];
    const encode = (records: readonly RecordInput[]): void => {
      // A split batch keeps its records' sequence numbers.
      const bytes = encodeRecordBatch(
        next,
        records,
        compression,
        producer && {
          ...producer,
          baseSequence: producer.baseSequence < 0
            ? -1
            : producer.baseSequence + next - first,
        },
        control,
      );
      if (bytes.length > max) {
        if (records.length === 1) {
          throw new KafkaJSProtocolError(
            `Message is larger than max.message.bytes: ${bytes.length} > ${max}`,
            { type: "MESSAGE_TOO_LARGE" },
          );
        }
        const half = records.length >> 1;
        encode(records.slice(0, half));
        encode(records.slice(half));
        return;
      }
      let maxTs = -1;
      for (const r of records) if (r.timestamp > maxTs) maxTs = r.timestamp;
      encoded.push({
        bytes,
        meta: {
          position: 0,
          baseOffset: next,
          lastOffset: next + records.length - 1,
          maxTimestamp: maxTs,
          size: bytes.length,
        },
      });
      next += records.length;
    };
    for (const g of groups) if (g.length > 0) encode(g);
    return this.#write(encoded, first, next);
  }

  /**
   * Writes encoded batches (offsets already in them) to the active segment,
   * rolling as needed.
   */
  #write(
    encoded: readonly { bytes: Uint8Array; meta: BatchMeta }[],
    first: number,
    next: number,
  ): { baseOffset: number; lastOffset: number; durable: Promise<void> } {
    if (encoded.length === 0) {
      return {
        baseOffset: first,
        lastOffset: first - 1,
        durable: Promise.resolve(),
      };
    }
    // Everything is encoded and checked before any byte is written.
    const now = this.#clock.now();
    let active = this.#segments.at(-1)!;
    let pending: Uint8Array[] = [];
    let pendingBytes = 0;
    const flushPending = () => {
      if (pending.length === 0) return;
      active.store.append(pending);
      this.#dirty.add(active.store);
      active.lastWrite = now;
      pending = [];
      pendingBytes = 0;
    };
    let rolled = false;
    for (const e of encoded) {
      const size = active.store.size + pendingBytes;
      if (
        size > 0 &&
        (size + e.bytes.length > this.#config.segmentBytes ||
          now - active.createdAt >= this.#config.segmentMs)
      ) {
        flushPending();
        this.#roll();
        rolled = true;
        active = this.#segments.at(-1)!;
      }
      e.meta.position = active.store.size + pendingBytes;
      active.add(e.meta, this.#config.indexIntervalBytes);
      pending.push(e.bytes);
      pendingBytes += e.bytes.length;
    }
    flushPending();
    if (rolled) queueMicrotask(() => void this.cleanup().catch(() => {}));
    return {
      baseOffset: first,
      lastOffset: next - 1,
      durable: this.#requestSync(),
    };
  }

  #requestSync(): Promise<void> {
    if (!this.#dir || this.#interval > 0) return Promise.resolve();
    if (this.#waiting) return this.#waiting;
    const p = this.#syncChain.then(() => {
      this.#waiting = null;
      return this.flush();
    });
    this.#waiting = p;
    this.#syncChain = p.catch(() => {});
    return p;
  }

  /** Fsyncs every segment written since the last flush. */
  async flush(): Promise<void> {
    const stores = [...this.#dirty];
    this.#dirty.clear();
    await Promise.all(stores.map((s) => s.sync()));
  }

  /**
   * Records from `offset` on, up to about `maxBytes` of batches (at least one
   * batch). Empty at the log end; throws OFFSET_OUT_OF_RANGE outside the log.
   * Stops before damage, returning the good batches before it; a read that
   * starts at damage throws CORRUPT_MESSAGE naming the file, the position
   * and the offsets lost, so the caller can seek past them.
   */
  read<T = DecodedRecord>(
    offset: number,
    maxBytes: number,
    wrap?: (chunk: Uint8Array) => Uint8Array,
    make?: RecordFactory<T>,
    isolation?: ReadIsolation,
  ): T[] {
    this.#checkRange(offset);
    const segs = this.#segments;
    for (let si = this.#segmentIndex(offset); si < segs.length; si++) {
      const seg = segs[si]!;
      if (offset >= seg.nextOffset) continue;
      const out: T[] = [];
      let bytes = 0;
      let lastChunk: Uint8Array | undefined;
      let wrapped: Uint8Array | undefined;
      // Bytes read back from disk are checked (as Kafka consumers do with
      // check.crcs); bytes that never left memory are not.
      this.#walk(
        seg,
        offset,
        Math.max(maxBytes, 4096),
        this.#dir !== undefined,
        (b, scanner) => {
          const c = b.check;
          if (isolation) {
            // Committed reads stop at the last stable offset and pass over
            // aborted transactional batches (their bytes still count).
            if (c.baseOffset >= isolation.maxOffset) return true;
            isolation.next = c.lastOffset + 1;
            if (
              b.bytes[b.offsetInBytes + 22]! & TRANSACTIONAL_FLAG &&
              isolation.skip?.(
                readBatchHeader(b.bytes, b.offsetInBytes)!.producerId,
                c.baseOffset,
              )
            ) {
              bytes += c.size;
              return bytes >= maxBytes;
            }
          }
          // `wrap` lets the consumer view each chunk once as a Buffer, so
          // every key and value sliced from it is a Buffer too.
          if (wrap && b.bytes !== lastChunk) {
            lastChunk = b.bytes;
            wrapped = wrap(b.bytes);
          }
          decodeRecordsInto(
            wrap ? wrapped! : b.bytes,
            b.offsetInBytes,
            out,
            offset,
            make,
          );
          bytes += b.check.size;
          if (bytes >= maxBytes) return true;
          // The batch that crosses maxBytes is the last: read no more.
          scanner.chunkSize = Math.max(4096, maxBytes - bytes);
          return false;
        },
      );
      if (out.length > 0) return out;
      if (isolation && isolation.next > offset) return out;
    }
    return [];
  }

  #checkRange(offset: number): void {
    const end = this.logEndOffset;
    if (
      !Number.isInteger(offset) || offset < this.logStartOffset || offset > end
    ) {
      throw new KafkaJSProtocolError(
        `Offset is out of range: ${offset} not in [${this.logStartOffset}, ${end}]`,
        { type: "OFFSET_OUT_OF_RANGE" },
      );
    }
  }

  /** Index of the segment holding `offset` (binary search on bases). */
  #segmentIndex(offset: number): number {
    const segs = this.#segments;
    let lo = 0;
    let hi = segs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (segs[mid]!.base <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Visits the good batches of `seg` that hold `offset` or later, in order,
   * until `visit` returns true or the segment ends. The index entry used to
   * start is checked (a wrong one rebuilds the segment's indexes); offsets
   * must follow on; damage ends the walk once a batch was visited (the good
   * batches before it are the answer), else it is skipped when `offset` lies
   * beyond it, or thrown as CORRUPT_MESSAGE naming the file, the position
   * and the offsets lost.
   */
  #walk(
    seg: Segment,
    offset: number,
    chunkSize: number,
    verifyCrc: boolean,
    visit: (b: ScannedBatch, scanner: BatchScanner) => boolean,
  ): boolean {
    const contiguous = this.#contiguous(seg === this.#segments.at(-1));
    let { position, last: indexLast } = seg.lookup(offset);
    const visited = new Set<number>();
    let prevLast = seg.base - 1;
    let surveyed = false;
    let visits = 0;
    for (;;) {
      const scanner = new BatchScanner(seg.store, position, {
        chunkSize,
        verifyCrc,
      });
      let reason: string | undefined;
      let at = -1;
      for (let b = scanner.next(); b; b = scanner.next()) {
        const c = b.check;
        if (indexLast >= 0) {
          // The index is a hint: the batch it points to must end there.
          if (c.lastOffset !== indexLast) {
            reason = "index";
            break;
          }
          indexLast = -1;
        } else {
          reason = offsetsProblem(b, prevLast, contiguous, seg.nextOffset);
          if (reason !== undefined) {
            at = b.position;
            break;
          }
        }
        prevLast = c.lastOffset;
        if (c.lastOffset < offset) continue;
        visits++;
        if (visit(b, scanner)) return true;
      }
      if (reason === undefined) {
        if (scanner.stopReason !== undefined) {
          reason = scanner.stopReason;
          at = scanner.stopPosition;
        } else if (visits > 0 || prevLast + 1 >= seg.nextOffset) {
          return false;
        } else {
          reason = "segment ends before its last offset";
          at = scanner.stopPosition;
        }
      }
      if (indexLast >= 0 || reason === "index") {
        // A wrong index entry: rebuild the indexes once, else scan from 0.
        if (!surveyed && seg !== this.#segments.at(-1)) {
          surveyed = true;
          this.#resurvey(seg);
          ({ position, last: indexLast } = seg.lookup(offset));
        } else {
          position = 0;
          indexLast = -1;
        }
        prevLast = seg.base - 1;
        continue;
      }
      if (visits > 0) return true;
      // Known damage met again in this walk is looked past afresh.
      const d = visited.has(at)
        ? damageFrom(seg, at, prevLast, reason)
        : seg.damageAt(at) ?? this.#damageFound(seg, at, prevLast, reason);
      visited.add(at);
      if (offset < d.toOffset && d.fromOffset < d.toOffset) {
        throw new KafkaJSProtocolError(
          `Segment is corrupt: ${
            this.#where(seg)
          } at byte ${d.position}: ${d.reason}; offsets ${d.fromOffset} to ${
            d.toOffset - 1
          } cannot be read, seek to ${d.toOffset} to skip them`,
          { type: "CORRUPT_MESSAGE" },
        );
      }
      if (d.resume >= seg.store.size && d.toOffset >= seg.nextOffset) {
        return false;
      }
      position = d.resume;
      prevLast = Math.max(prevLast, d.toOffset - 1);
    }
  }

  /** Records damage met by a read (and says so once). */
  #damageFound(
    seg: Segment,
    at: number,
    prevLast: number,
    reason: string,
  ): Damage {
    const d = damageFrom(seg, at, prevLast, reason);
    seg.addDamage(d);
    this.#warnDamage(seg, d, "skipped");
    return d;
  }

  /** Rebuilds a closed segment's indexes and damage list from its bytes. */
  #resurvey(seg: Segment): void {
    const tail = this.#survey(seg, seg.nextOffset, false);
    if (tail) this.#tailOfClosed(seg, tail);
    this.#writeIndexesSync(seg);
  }

  /** A closed segment's bad tail loses the offsets up to the next segment. */
  #tailOfClosed(seg: Segment, tail: Damage): void {
    const d = { ...tail, toOffset: seg.nextOffset };
    seg.addDamage(d);
    this.#warnDamage(seg, d, "skipped");
  }

  #where(seg: Segment): string {
    return this.#dir
      ? join(this.#dir, `${segmentName(seg.base)}.log`)
      : `memory segment ${seg.base}`;
  }

  /**
   * The earliest offset whose batch has a timestamp >= `timestamp`, or the
   * log end offset when none has. The time index only says where to start;
   * the batch its entry names is checked, else the segment is scanned.
   */
  offsetForTimestamp(timestamp: number): number {
    for (const seg of this.#segments) {
      if (seg.maxTimestamp < timestamp) continue;
      // The last entry below `timestamp`: every record up to its batch is
      // older, so the answer lies after that batch.
      const j = floorIndex(seg.tiTs, timestamp - 1);
      let after = seg.base - 1;
      if (j >= 0) {
        const last = seg.base + seg.tiRel[j]!;
        if (
          this.#batchEndingAt(seg, last)?.check.maxTimestamp === seg.tiTs[j]
        ) {
          after = last;
        }
      }
      const found = this.#firstAtOrAfter(seg, after, timestamp);
      if (found !== undefined) return found;
    }
    return this.logEndOffset;
  }

  #firstAtOrAfter(
    seg: Segment,
    after: number,
    timestamp: number,
  ): number | undefined {
    const start = after >= seg.base ? seg.lookup(after).position : 0;
    let position = start;
    for (;;) {
      const scanner = new BatchScanner(seg.store, position, {
        verifyCrc: this.#dir !== undefined,
      });
      for (let b = scanner.next(); b; b = scanner.next()) {
        if (b.check.lastOffset <= after) continue;
        if (b.check.maxTimestamp < timestamp) continue;
        const out: DecodedRecord[] = [];
        decodeRecordsInto(b.bytes, b.offsetInBytes, out);
        for (const r of out) if (r.timestamp >= timestamp) return r.offset;
      }
      if (scanner.stopReason === undefined) return undefined;
      // Past damage to the next good batch.
      const d = seg.damageAt(scanner.stopPosition);
      const next = d && d.resume < seg.store.size ? d.resume : findNextBatch(
        seg.store,
        scanner.stopPosition + 1,
        after,
        seg.nextOffset,
      )?.position;
      if (next === undefined || next <= position) return undefined;
      position = next;
    }
  }

  /**
   * Applies retention (time, then bytes, on whole non-active segments) and,
   * for compacted topics, compaction of non-active segments.
   */
  cleanup(): Promise<CleanupResult> {
    // Runs one at a time; a call made during a run waits and runs again.
    const run = this.#cleanRun.catch(() => undefined).then(() =>
      this.#cleanupOnce()
    );
    this.#cleanRun = run;
    return run;
  }

  async #cleanupOnce(): Promise<CleanupResult> {
    const result: CleanupResult = { deletedSegments: 0, compactedRecords: 0 };
    if (this.#closed) return result;
    {
      const c = this.#config;
      const now = this.#clock.now();
      const doomed: Segment[] = [];
      if (c.cleanupPolicy !== "compact") {
        let total = this.size;
        while (this.#segments.length > 1) {
          const seg = this.#segments[0]!;
          const byTime = c.retentionMs >= 0 &&
            now - seg.lastWrite > c.retentionMs;
          const bySize = c.retentionBytes >= 0 &&
            total - seg.store.size >= c.retentionBytes;
          if (!byTime && !bySize) break;
          total -= seg.store.size;
          doomed.push(this.#segments.shift()!);
        }
      }
      for (const seg of doomed) await this.#deleteSegment(seg);
      result.deletedSegments = doomed.length;
      if (c.cleanupPolicy.startsWith("compact")) {
        result.compactedRecords = await this.#compact(now);
      }
      return result;
    }
  }

  async #deleteSegment(seg: Segment): Promise<void> {
    await this.#syncChain;
    this.#dirty.delete(seg.store);
    await seg.store.remove();
    if (this.#dir) {
      const stem = join(this.#dir, segmentName(seg.base));
      await Deno.remove(`${stem}.index`).catch(() => {});
      await Deno.remove(`${stem}.timeindex`).catch(() => {});
    }
  }

  async #compact(now: number): Promise<number> {
    const keyText = (k: Uint8Array) => {
      let s = "";
      for (let i = 0; i < k.length; i++) s += String.fromCharCode(k[i]!);
      return s;
    };
    // Latest offset per key over the whole log, active segment included.
    const latest = new Map<string, number>();
    const segs = [...this.#segments];
    for (const seg of segs) {
      const scanner = new BatchScanner(seg.store, 0);
      for (let b = scanner.next(); b; b = scanner.next()) {
        const out: DecodedRecord[] = [];
        decodeRecordsInto(b.bytes, b.offsetInBytes, out);
        for (const r of out) if (r.key) latest.set(keyText(r.key), r.offset);
      }
    }
    let removed = 0;
    const tombstoneLimit = now - this.#config.deleteRetentionMs;
    for (const seg of segs.slice(0, -1)) {
      const scanner = new BatchScanner(seg.store, 0);
      const chunks: Uint8Array[] = [];
      const metas: BatchMeta[] = [];
      let position = 0;
      let dropped = 0;
      for (let b = scanner.next(); b; b = scanner.next()) {
        const out: DecodedRecord[] = [];
        decodeRecordsInto(b.bytes, b.offsetInBytes, out);
        const keep = out.filter((r) =>
          r.key !== null && latest.get(keyText(r.key)) === r.offset &&
          !(r.value === null && seg.lastWrite < tombstoneLimit)
        );
        dropped += out.length - keep.length;
        if (keep.length === 0) continue;
        const base = keep[0]!.offset;
        const bytes = encodeRecordBatch(
          base,
          keep.map((r) => ({
            key: r.key,
            value: r.value,
            timestamp: r.timestamp,
            headers: headerPairs(r.headers),
            offsetDelta: r.offset - base,
          })),
        );
        let maxTimestamp = -1;
        for (const r of keep) {
          if (r.timestamp > maxTimestamp) maxTimestamp = r.timestamp;
        }
        chunks.push(bytes);
        metas.push({
          position,
          baseOffset: base,
          lastOffset: keep.at(-1)!.offset,
          maxTimestamp,
          size: bytes.length,
        });
        position += bytes.length;
      }
      // A damaged segment is left as it is: rewriting it would drop the
      // damaged bytes for good.
      if (dropped === 0 || scanner.stopReason !== undefined) continue;
      if (seg.damage.length > 0) continue;
      const swap = await seg.store.prepareReplace(chunks);
      if (this.#closed || !this.#segments.includes(seg)) return removed;
      const end = seg.nextOffset;
      swap();
      seg.resetIndex();
      for (const m of metas) seg.add(m, this.#config.indexIntervalBytes);
      seg.nextOffset = end;
      await this.#writeIndexes(seg);
      removed += dropped;
    }
    return removed;
  }

  // Batches as bytes, for the wire protocol: a producer's batches are
  // stored as sent (producer id, sequence, compression and CRC kept; the CRC
  // does not cover the base offset, so assigning offsets keeps it valid), and
  // fetches return stored batches without decoding them.

  /**
   * Appends v2 batches whose CRC the caller checked, assigning offsets from
   * the log end. Throws MESSAGE_TOO_LARGE before writing anything.
   */
  appendBatches(
    batches: readonly Uint8Array[],
  ): { baseOffset: number; lastOffset: number; durable: Promise<void> } {
    if (this.#closed) {
      throw new KafkaJSNonRetriableError(
        "Partition log is closed: append refused",
      );
    }
    const max = this.#config.maxMessageBytes;
    for (const b of batches) {
      if (b.length > max) {
        throw new KafkaJSProtocolError(
          `Record batch is larger than max.message.bytes: ${b.length} > ${max}`,
          { type: "MESSAGE_TOO_LARGE" },
        );
      }
    }
    const first = this.logEndOffset;
    let next = first;
    const encoded = batches.map((bytes) => {
      const view = new DataView(bytes.buffer, bytes.byteOffset, 61);
      view.setInt32(0, Math.floor(next / 4294967296));
      view.setUint32(4, next % 4294967296);
      view.setInt32(12, 0);
      const lastOffset = next + view.getInt32(23);
      const meta: BatchMeta = {
        position: 0,
        baseOffset: next,
        lastOffset,
        maxTimestamp: view.getInt32(35) * 4294967296 + view.getUint32(39),
        size: bytes.length,
      };
      next = lastOffset + 1;
      return { bytes, meta };
    });
    return this.#write(encoded, first, next);
  }

  /**
   * Stored batches from the one holding `offset`, up to about `maxBytes`
   * (at least one batch) and before `endOffset`, as views of the bytes
   * read. Empty at the log end; throws OFFSET_OUT_OF_RANGE outside the log.
   */
  readBatches(
    offset: number,
    maxBytes: number,
    endOffset = Infinity,
  ): Uint8Array[] {
    if (offset === this.logEndOffset) return [];
    this.#checkRange(offset);
    const segs = this.#segments;
    const out: Uint8Array[] = [];
    let bytes = 0;
    for (
      let si = this.#segmentIndex(offset);
      si < segs.length && bytes < maxBytes;
      si++
    ) {
      const seg = segs[si]!;
      if (offset >= seg.nextOffset) continue;
      // Batches go to the client as stored; it checks their CRCs.
      let stopped: boolean;
      try {
        stopped = this.#walk(
          seg,
          Math.max(offset, seg.base),
          Math.max(Math.min(maxBytes, 1 << 20), 4096),
          false,
          (b, scanner) => {
            // A read_committed fetch stops at the last stable offset.
            if (b.check.baseOffset >= endOffset) return true;
            out.push(
              b.bytes.subarray(b.offsetInBytes, b.offsetInBytes + b.check.size),
            );
            bytes += b.check.size;
            if (bytes >= maxBytes) return true;
            scanner.chunkSize = Math.max(
              4096,
              Math.min(maxBytes - bytes, 1 << 20),
            );
            return false;
          },
        );
      } catch (error) {
        // Damage after some batches: those are the answer.
        if (out.length > 0) break;
        throw error;
      }
      if (stopped) break;
    }
    return out;
  }

  /** Flushes, writes indexes and closes the segment files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#cleanRun.catch(() => undefined);
    await this.#syncChain;
    await this.flush();
    for (const seg of this.#segments) {
      if (this.#dir) await this.#writeIndexes(seg);
      seg.store.close();
    }
  }

  /** Closes and deletes every segment and the directory. */
  async delete(): Promise<void> {
    await this.close();
    if (this.#dir) {
      await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
    }
  }
}

/** Why a batch cannot follow `prevLast` in its segment, or undefined. */
function offsetsProblem(
  b: ScannedBatch,
  prevLast: number,
  contiguous: boolean,
  bound: number,
): string | undefined {
  const { baseOffset, lastOffset } = b.check;
  if (
    lastOffset < baseOffset || lastOffset >= bound ||
    (contiguous ? baseOffset !== prevLast + 1 : baseOffset <= prevLast)
  ) {
    return `batch offsets ${baseOffset} to ${lastOffset} do not follow offset ${prevLast}`;
  }
  return undefined;
}

/**
 * The damage at `at` in a segment: up to the next good batch after
 * `prevLast` (or the segment's end), and the offsets lost on the way.
 */
function damageFrom(
  seg: Segment,
  at: number,
  prevLast: number,
  reason: string,
): Damage {
  const next = findNextBatch(seg.store, at + 1, prevLast, seg.nextOffset);
  return {
    position: at,
    resume: next?.position ?? seg.store.size,
    fromOffset: prevLast + 1,
    toOffset: next?.check.baseOffset ?? seg.nextOffset,
    reason,
  };
}
