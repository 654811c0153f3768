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
import type { Clock } from "../../internal/clock.ts";
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from "../errors.ts";
import {
  type DecodedRecord,
  decodeRecordsInto,
  encodeRecordBatch,
  type RecordFactory,
  type RecordInput,
} from "../protocol/record_batch.ts";
import {
  BatchScanner,
  floorIndex,
  parseOffsetIndex,
  segmentName,
} from "./_scan.ts";
import { FileStore, MemoryStore, type Store, syncDir } from "./_store.ts";
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

interface BatchMeta {
  position: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

class Segment {
  readonly base: number;
  store: Store;
  nextOffset: number;
  maxTimestamp = -1;
  createdAt: number;
  lastWrite: number;
  idxRel: number[] = [];
  idxPos: number[] = [];
  tiTs: number[] = [];
  tiRel: number[] = [];
  #bytesSinceIndex = 0;

  constructor(base: number, store: Store, now: number) {
    this.base = base;
    this.store = store;
    this.nextOffset = base;
    this.createdAt = now;
    this.lastWrite = now;
  }

  resetIndex(): void {
    this.idxRel = [];
    this.idxPos = [];
    this.tiTs = [];
    this.tiRel = [];
    this.#bytesSinceIndex = 0;
    this.maxTimestamp = -1;
  }

  /** Records a batch placed at `meta.position` in the indexes. */
  add(meta: BatchMeta, interval: number): void {
    if (this.#bytesSinceIndex > interval) {
      this.idxRel.push(meta.baseOffset - this.base);
      this.idxPos.push(meta.position);
      this.tiTs.push(Math.max(this.maxTimestamp, meta.maxTimestamp));
      this.tiRel.push(meta.baseOffset - this.base);
      this.#bytesSinceIndex = 0;
    }
    this.#bytesSinceIndex += meta.size;
    if (meta.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = meta.maxTimestamp;
    }
    this.nextOffset = meta.lastOffset + 1;
  }

  lookup(offset: number): number {
    const i = floorIndex(this.idxRel, offset - this.base);
    return i < 0 ? 0 : this.idxPos[i]!;
  }

  indexBytes(): { index: Uint8Array; timeindex: Uint8Array } {
    const index = new Uint8Array(this.idxRel.length * 8);
    const iv = new DataView(index.buffer);
    for (let i = 0; i < this.idxRel.length; i++) {
      iv.setInt32(i * 8, this.idxRel[i]!);
      iv.setInt32(i * 8 + 4, this.idxPos[i]!);
    }
    // A final time entry records the segment's largest timestamp.
    const ts = [...this.tiTs];
    const rel = [...this.tiRel];
    if (this.maxTimestamp >= 0 && ts.at(-1) !== this.maxTimestamp) {
      ts.push(this.maxTimestamp);
      rel.push(Math.max(0, this.nextOffset - 1 - this.base));
    }
    const timeindex = new Uint8Array(ts.length * 12);
    const tv = new DataView(timeindex.buffer);
    for (let i = 0; i < ts.length; i++) {
      const hi = Math.floor(ts[i]! / 4294967296);
      tv.setInt32(i * 12, hi);
      tv.setUint32(i * 12 + 4, ts[i]! - hi * 4294967296);
      tv.setInt32(i * 12 + 8, rel[i]!);
    }
    return { index, timeindex };
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
}

/**
 * Outcome of {@linkcode PartitionLog.cleanup}.
 *
 * @example Run the log cleaner
 * ```ts
 * import { type CleanupResult, Kafka } from "../mod.ts";
 * const admin = new Kafka({}).admin();
 * await admin.connect();
 * const result: CleanupResult = await admin.cleanLogs();
 * console.log(result); // { deletedSegments: 0, compactedRecords: 0 }
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
  /** Bytes cut from the tail at open (torn writes). */
  truncatedBytes = 0;

  private constructor(options: PartitionLogOptions) {
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
      const last = i === bases.length - 1;
      if (last) {
        log.#recoverActive(seg, path);
      } else {
        seg.nextOffset = bases[i + 1]!;
        if (!(await log.#loadIndexes(seg))) {
          log.#rebuild(seg, false, path);
          seg.nextOffset = bases[i + 1]!;
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
    return log;
  }

  #recoverActive(seg: Segment, path: string): void {
    const before = seg.store.size;
    const valid = this.#rebuild(seg, true, path);
    if (valid < before) {
      seg.store.truncate(valid);
      this.truncatedBytes += before - valid;
    }
  }

  /** Scans a segment, rebuilding its indexes; returns the valid length. */
  #rebuild(seg: Segment, verifyCrc: boolean, path: string): number {
    seg.resetIndex();
    seg.nextOffset = seg.base;
    const scanner = new BatchScanner(seg.store, 0, { verifyCrc });
    let valid = 0;
    for (let b = scanner.next(); b; b = scanner.next()) {
      if (b.check.baseOffset < seg.nextOffset) break; // offsets must grow
      seg.add(
        { position: b.position, ...b.check },
        this.#config.indexIntervalBytes,
      );
      valid = b.position + b.check.size;
    }
    if (valid < seg.store.size && !verifyCrc) {
      throw new KafkaJSProtocolError(
        `Segment is corrupt: ${path} at byte ${valid}: ${
          scanner.stopReason ?? "offsets out of order"
        }`,
        { type: "CORRUPT_MESSAGE" },
      );
    }
    return valid;
  }

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
    const parsed = parseOffsetIndex(idx);
    if (!parsed || tidx.length % 12 !== 0) return false;
    const n = parsed.rel.length;
    if (n > 0) {
      const pos = parsed.pos[n - 1]!;
      if (pos >= seg.store.size) return false;
      const head = new BatchScanner(seg.store, pos, { verifyCrc: false })
        .next();
      if (!head || head.check.baseOffset !== seg.base + parsed.rel[n - 1]!) {
        return false;
      }
    }
    seg.idxRel = parsed.rel;
    seg.idxPos = parsed.pos;
    const tv = new DataView(tidx.buffer, tidx.byteOffset, tidx.length);
    for (let i = 0; i < tidx.length; i += 12) {
      seg.tiTs.push(tv.getInt32(i) * 4294967296 + tv.getUint32(i + 4));
      seg.tiRel.push(tv.getInt32(i + 8));
    }
    seg.maxTimestamp = seg.tiTs.length ? Math.max(...seg.tiTs) : -1;
    return seg.store.size === 0 || seg.tiTs.length > 0;
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
    return this.#segments[0]!.base;
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
      const bytes = encodeRecordBatch(next, records, compression);
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
   */
  read<T = DecodedRecord>(
    offset: number,
    maxBytes: number,
    wrap?: (chunk: Uint8Array) => Uint8Array,
    make?: RecordFactory<T>,
  ): T[] {
    const end = this.logEndOffset;
    if (offset === end) return [];
    if (offset < this.logStartOffset || offset > end) {
      throw new KafkaJSProtocolError(
        `Offset is out of range: ${offset} not in [${this.logStartOffset}, ${end}]`,
        { type: "OFFSET_OUT_OF_RANGE" },
      );
    }
    const segs = this.#segments;
    let si = floorIndex(segs.map((s) => s.base), offset);
    for (si = Math.max(0, si); si < segs.length; si++) {
      const seg = segs[si]!;
      if (offset >= seg.nextOffset) continue;
      const pos = seg.lookup(offset);
      // Bytes read back from disk are checked (as Kafka consumers do with
      // check.crcs); bytes that never left memory are not.
      const scanner = new BatchScanner(seg.store, pos, {
        chunkSize: Math.max(maxBytes, 4096),
        verifyCrc: this.#dir !== undefined,
      });
      const out: T[] = [];
      let bytes = 0;
      let lastChunk: Uint8Array | undefined;
      let wrapped: Uint8Array | undefined;
      for (let b = scanner.next(); b; b = scanner.next()) {
        if (b.check.lastOffset < offset) continue;
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
        if (bytes >= maxBytes) break;
        // The batch that crosses maxBytes is the last: read no more than it.
        scanner.chunkSize = Math.max(4096, maxBytes - bytes);
      }
      if (scanner.stopReason !== undefined) {
        throw new KafkaJSProtocolError(
          `Segment is corrupt: ${
            this.#where(seg)
          } at byte ${scanner.stopPosition}: ${scanner.stopReason}`,
          { type: "CORRUPT_MESSAGE" },
        );
      }
      if (out.length > 0) return out;
    }
    return [];
  }

  #where(seg: Segment): string {
    return this.#dir
      ? join(this.#dir, `${segmentName(seg.base)}.log`)
      : `memory segment ${seg.base}`;
  }

  /**
   * The earliest offset whose batch has a timestamp >= `timestamp`, or the
   * log end offset when none has.
   */
  offsetForTimestamp(timestamp: number): number {
    for (const seg of this.#segments) {
      if (seg.maxTimestamp < timestamp) continue;
      const scanner = new BatchScanner(seg.store, 0, { verifyCrc: false });
      for (let b = scanner.next(); b; b = scanner.next()) {
        if (b.check.maxTimestamp < timestamp) continue;
        const out: DecodedRecord[] = [];
        decodeRecordsInto(b.bytes, b.offsetInBytes, out);
        for (const r of out) if (r.timestamp >= timestamp) return r.offset;
      }
    }
    return this.logEndOffset;
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
            headers: Object.entries(r.headers),
            offsetDelta: r.offset - base,
          })),
        );
        chunks.push(bytes);
        metas.push({
          position,
          baseOffset: base,
          lastOffset: keep.at(-1)!.offset,
          maxTimestamp: Math.max(...keep.map((r) => r.timestamp)),
          size: bytes.length,
        });
        position += bytes.length;
      }
      if (dropped === 0) continue;
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
   * (at least one batch), as views of the bytes read. Empty at the log end;
   * throws OFFSET_OUT_OF_RANGE outside the log.
   */
  readBatches(offset: number, maxBytes: number): Uint8Array[] {
    const end = this.logEndOffset;
    if (offset === end) return [];
    if (offset < this.logStartOffset || offset > end) {
      throw new KafkaJSProtocolError(
        `Offset is out of range: ${offset} not in [${this.logStartOffset}, ${end}]`,
        { type: "OFFSET_OUT_OF_RANGE" },
      );
    }
    const segs = this.#segments;
    const out: Uint8Array[] = [];
    let bytes = 0;
    let si = Math.max(0, floorIndex(segs.map((s) => s.base), offset));
    for (; si < segs.length && bytes < maxBytes; si++) {
      const seg = segs[si]!;
      if (offset >= seg.nextOffset) continue;
      const scanner = new BatchScanner(seg.store, seg.lookup(offset), {
        chunkSize: Math.max(Math.min(maxBytes, 1 << 20), 4096),
        verifyCrc: false,
      });
      for (let b = scanner.next(); b; b = scanner.next()) {
        if (b.check.lastOffset < offset) continue;
        out.push(
          b.bytes.subarray(b.offsetInBytes, b.offsetInBytes + b.check.size),
        );
        bytes += b.check.size;
        if (bytes >= maxBytes) break;
        scanner.chunkSize = Math.max(4096, Math.min(maxBytes - bytes, 1 << 20));
      }
      if (scanner.stopReason !== undefined) {
        throw new KafkaJSProtocolError(
          `Segment is corrupt: ${
            this.#where(seg)
          } at byte ${scanner.stopPosition}: ${scanner.stopReason}`,
          { type: "CORRUPT_MESSAGE" },
        );
      }
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
