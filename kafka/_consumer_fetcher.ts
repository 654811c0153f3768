// A consumer's fetching: the position of each assigned partition, kafkajs's
// pause state (a whole topic, or some of its partitions, with a partial
// resume of a paused topic), pending seeks, and one fetch round that reads
// each active partition from its position — up to the last stable offset
// and without aborted transactions unless `readUncommitted` — into
// kafkajs-shaped messages.

import { Buffer } from "node:buffer";
import type { Broker } from "./broker/_broker.ts";
import type { PartitionLog, ReadIsolation } from "./log/_partition_log.ts";
import {
  CompressionTypes,
  decodeRecordsInto,
  NO_HEADERS,
  readBatchHeader,
  type RecordHeaders,
  TRANSACTIONAL_FLAG,
} from "./protocol/record_batch.ts";
import { decompressBatch } from "./compression.ts";
import { KafkaJSProtocolError } from "./errors.ts";
import { tpKey } from "./_consumer_offsets.ts";
import type { KafkaMessage } from "./consumer.ts";

/** One partition's share of a fetch round. */
export interface Fetched {
  topic: string;
  partition: number;
  /** Offset the round read from. */
  fetchedOffset: number;
  messages: KafkaMessage[];
  /** High watermark when read. */
  high: number;
  /** Offset after the last batch read or passed (markers, aborted batches). */
  next: number;
}

/**
 * Most bytes read from one partition per fetch round. Messages of a round
 * live until its handler returns; at 1 MiB (about 10,000 small messages, 3 MB
 * of objects) they outlive V8's young-generation collections and are copied
 * to the old generation, which costs more than the decoding itself.
 */
const FETCH_SLICE_BYTES = 256 * 1024;

const asBuffer = (u: Uint8Array): Uint8Array =>
  Buffer.from(u.buffer, u.byteOffset, u.byteLength);

function toBuffer(u: Uint8Array | null): Buffer | null {
  if (u === null || u instanceof Buffer) return u;
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

let lastTimestamp = NaN;
let lastTimestampText = "";

/** Builds kafkajs messages straight from decoded fields (one object each). */
function makeMessage(
  offset: number,
  timestamp: number,
  key: Uint8Array | null,
  value: Uint8Array | null,
  raw: RecordHeaders,
): KafkaMessage {
  // Each message gets its own headers object, as in kafkajs.
  let headers: KafkaMessage["headers"] = {};
  if (raw !== NO_HEADERS) {
    headers = raw as KafkaMessage["headers"];
    for (const k in raw) {
      const v = raw[k]!;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) v[i] = toBuffer(v[i]!);
      } else raw[k] = toBuffer(v);
    }
  }
  // Records of one batch usually share a timestamp: format it once.
  if (timestamp !== lastTimestamp) {
    lastTimestamp = timestamp;
    lastTimestampText = String(timestamp);
  }
  return {
    key: key === null || key instanceof Buffer ? key : toBuffer(key),
    value: value === null || value instanceof Buffer ? value : toBuffer(value),
    timestamp: lastTimestampText,
    offset: String(offset),
    headers,
    attributes: 0,
    size: (key?.length ?? 0) + (value?.length ?? 0),
  };
}

/**
 * Reads like `PartitionLog.read` with isolation, decompressing batches of a
 * registered codec; throws `unsupported` when a codec is not registered.
 */
async function readWithCodecs(
  log: PartitionLog,
  pos: number,
  maxBytes: number,
  isolation: ReadIsolation,
  unsupported: Error,
): Promise<KafkaMessage[]> {
  const out: KafkaMessage[] = [];
  for (const batch of log.readBatches(pos, maxBytes, isolation.maxOffset)) {
    const h = readBatchHeader(batch, 0)!;
    const last = h.baseOffset + h.lastOffsetDelta;
    if (last < pos) continue;
    if (h.baseOffset >= isolation.maxOffset) break;
    isolation.next = last + 1;
    if (
      h.attributes & TRANSACTIONAL_FLAG &&
      isolation.skip?.(h.producerId, h.baseOffset)
    ) continue;
    const plain = await decompressBatch(batch);
    const codec = new DataView(plain.buffer, plain.byteOffset, 61)
      .getInt16(21) & 7;
    if (codec > CompressionTypes.GZIP) throw unsupported;
    decodeRecordsInto(asBuffer(plain), 0, out, pos, makeMessage);
  }
  return out;
}

interface PauseState {
  all: boolean;
  paused: Set<number>;
  resumed: Set<number>;
}

/** Positions, pauses and seeks of one consumer. */
export class Fetcher {
  /** Partition key → next offset to fetch. */
  positions = new Map<string, number>();
  /** Partition key → offset to move to before the next fetch. */
  seeks = new Map<string, number>();
  #pause = new Map<string, PauseState>();
  #rotate = 0;

  constructor(
    readonly maxBytesPerPartition: number,
    readonly maxBytes: number,
    readonly readUncommitted: boolean,
    readonly fromBeginning: (topic: string) => boolean,
  ) {}

  /** kafkajs's `pause`: a whole topic, or some partitions of it. */
  pause(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      const s = this.#state(topic);
      if (partitions === undefined) {
        s.paused.clear();
        s.resumed.clear();
        s.all = true;
      } else {
        for (const p of partitions) {
          s.paused.add(p);
          s.resumed.delete(p);
        }
        s.all = false;
      }
    }
  }

  /** kafkajs's `resume`: a partition of a paused topic resumes alone. */
  resume(topics: { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of topics) {
      const s = this.#state(topic);
      if (partitions === undefined) {
        s.paused.clear();
        s.resumed.clear();
        s.all = false;
      } else {
        for (const p of partitions) {
          s.paused.delete(p);
          if (s.all) s.resumed.add(p);
        }
      }
    }
  }

  #state(topic: string): PauseState {
    let s = this.#pause.get(topic);
    if (!s) {
      s = { all: false, paused: new Set(), resumed: new Set() };
      this.#pause.set(topic, s);
    }
    return s;
  }

  isPaused(topic: string, partition: number): boolean {
    const s = this.#pause.get(topic);
    if (!s) return false;
    return (s.all && !s.resumed.has(partition)) || s.paused.has(partition);
  }

  /** Paused partitions among the assigned ones, as kafkajs's `paused()`. */
  paused(
    assignment: Map<string, number[]>,
  ): { topic: string; partitions: number[] }[] {
    const out: { topic: string; partitions: number[] }[] = [];
    for (const [topic, ps] of assignment) {
      const partitions = ps.filter((p) => this.isPaused(topic, p)).sort((
        a,
        b,
      ) => a - b);
      if (partitions.length > 0) out.push({ topic, partitions });
    }
    return out;
  }

  /**
   * Reads one round: each active partition from its position, starting
   * with a different one each round so a busy partition cannot starve the
   * rest.
   */
  async fetch(
    broker: Broker,
    assignment: Map<string, number[]>,
  ): Promise<Fetched[]> {
    const tps: [string, number][] = [];
    for (const [t, ps] of assignment) {
      for (const p of ps) if (!this.isPaused(t, p)) tps.push([t, p]);
    }
    const out: Fetched[] = [];
    if (tps.length === 0) return out;
    const start = this.#rotate++ % tps.length;
    let bytes = 0;
    const slice = Math.min(this.maxBytesPerPartition, FETCH_SLICE_BYTES);
    for (let i = 0; i < tps.length && bytes < this.maxBytes; i++) {
      const [t, p] = tps[(start + i) % tps.length]!;
      if (!broker.hasTopic(t)) continue;
      const k = tpKey(t, p);
      const log = broker.partition(t, p);
      let pos = this.positions.get(k);
      if (pos === undefined) continue;
      const high = log.logEndOffset;
      if (pos < log.logStartOffset || pos > high) {
        // Out of range (retention moved the start): reset as kafkajs does.
        pos = this.fromBeginning(t) ? log.logStartOffset : high;
        this.positions.set(k, pos);
      }
      if (pos >= high) continue;
      const isolation: ReadIsolation = {
        maxOffset: this.readUncommitted
          ? Infinity
          : broker.transactions.lastStableOffset(t, p, high),
        skip: this.readUncommitted
          ? undefined
          : broker.transactions.abortedFilter(t, p),
        next: pos,
      };
      let messages: KafkaMessage[];
      try {
        try {
          messages = log.read(pos, slice, asBuffer, makeMessage, isolation);
        } catch (error) {
          // A codec from CompressionCodecs: decompress asynchronously.
          if (
            !(error instanceof KafkaJSProtocolError) ||
            error.type !== "UNSUPPORTED_COMPRESSION_TYPE"
          ) throw error;
          messages = await readWithCodecs(log, pos, slice, isolation, error);
        }
      } catch (error) {
        // Damage in one partition does not hold back what the others
        // returned this round; it is met again on the next.
        if (out.length > 0) break;
        throw error;
      }
      const next = Math.max(
        isolation.next,
        messages.length > 0 ? Number(messages.at(-1)!.offset) + 1 : pos,
      );
      if (next === pos) continue; // nothing stable to read yet
      for (const m of messages) bytes += m.size;
      out.push({
        topic: t,
        partition: p,
        fetchedOffset: pos,
        messages,
        high,
        next,
      });
    }
    return out;
  }
}
