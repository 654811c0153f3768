// The kafka topic source: driver-side splits (a topic partition each, or
// offset ranges of about equal bytes) and the worker-side reader, which
// decodes the partition's on-disk log through kafka/log/log_reader.ts.
// Control batches (transaction markers) carry no records: the batch
// decoder skips them.

import { partitionLogLayoutSync } from "../kafka/log/log_reader.ts";
import { SparkError } from "./errors.ts";
import type { Source } from "./_plan.ts";
import type { Batches } from "./_stream.ts";
import { floorIndex } from "../internal/floor_index.ts";

/** One RDD partition of a topic: a partition, or an offset range of it. */
export interface TopicSplit {
  partition: number;
  fromOffset?: number;
  toOffset?: number;
}

/**
 * One split per topic partition, or, when more are wanted, each partition cut
 * at offset-index marks into ranges of about equal bytes; a partition gets a
 * share of the splits in proportion to its size. Ranges are half-open and
 * adjacent, so every record is read exactly once wherever the cuts fall.
 */
export function topicSplits(
  dir: string,
  topic: string,
  partitions: number[],
  minPartitions: number,
): TopicSplit[] {
  if (minPartitions <= partitions.length) {
    return partitions.map((partition) => ({ partition }));
  }
  let layouts;
  try {
    layouts = partitions.map((p) => partitionLogLayoutSync(dir, topic, p));
  } catch (e) {
    throw new SparkError(`Topic log cannot be read: "${topic}" in "${dir}"`, {
      cause: e,
    });
  }
  const total = layouts.reduce((sum, l) => sum + l.bytes, 0) || 1;
  const splits: TopicSplit[] = [];
  partitions.forEach((partition, i) => {
    const { bytes, marks } = layouts[i]!;
    const parts = Math.max(1, Math.ceil((bytes / total) * minPartitions));
    const cuts: number[] = [];
    const positions = marks.map((m) => m.position);
    for (let k = 1; k < parts; k++) {
      const at = floorIndex(positions, (bytes * k) / parts);
      const offset = at < 0 ? undefined : marks[at]!.offset;
      if (offset !== undefined && offset > (cuts.at(-1) ?? 0)) {
        cuts.push(offset);
      }
    }
    let from: number | undefined;
    for (const cut of cuts) {
      splits.push({ partition, fromOffset: from, toOffset: cut });
      from = cut;
    }
    splits.push({ partition, fromOffset: from });
  });
  return splits;
}

/**
 * Decodes record keys. Keys repeat a lot (a topic is keyed by a handful of
 * values), so each decoded short key is remembered in a small table indexed by
 * its length and end bytes and reused when the bytes match; other keys are
 * decoded with plain JS for ASCII, which is several times cheaper per call
 * than `TextDecoder`, or with the decoder.
 */
function keyDecoder(dec: TextDecoder): (bytes: Uint8Array) => string {
  const slots: ({ bytes: Uint8Array; text: string } | undefined)[] = new Array(
    1024,
  );
  return (bytes) => {
    const n = bytes.length;
    if (n === 0) return "";
    if (n > 32) return dec.decode(bytes);
    const slot = (n * 31 + bytes[0]! * 7 + bytes[n - 1]!) & 1023;
    const hit = slots[slot];
    if (hit !== undefined && hit.bytes.length === n) {
      let same = true;
      for (let i = 0; i < n; i++) {
        if (hit.bytes[i] !== bytes[i]) {
          same = false;
          break;
        }
      }
      if (same) return hit.text;
    }
    let text = "";
    for (let i = 0; i < n; i++) {
      const c = bytes[i]!;
      if (c > 0x7f) {
        text = dec.decode(bytes);
        break;
      }
      text += String.fromCharCode(c);
    }
    slots[slot] = { bytes: bytes.slice(), text };
    return text;
  };
}

/**
 * Decodes the values of one record batch with a single `TextDecoder` call:
 * the values are copied end to end and decoded at once; when the text has as
 * many characters as bytes it is ASCII, so each value is a slice of it.
 * Otherwise (multibyte text) each value is decoded on its own.
 */
function decodeValues(
  records: { value: Uint8Array | null }[],
  dec: TextDecoder,
): (string | null)[] {
  let total = 0;
  for (const r of records) if (r.value !== null) total += r.value.length;
  const joined = new Uint8Array(total);
  const ends = new Int32Array(records.length);
  let at = 0;
  for (let i = 0; i < records.length; i++) {
    const v = records[i]!.value;
    if (v !== null) {
      joined.set(v, at);
      at += v.length;
    }
    ends[i] = at;
  }
  const text = dec.decode(joined);
  const out: (string | null)[] = new Array(records.length);
  if (text.length !== total) {
    for (let i = 0; i < records.length; i++) {
      const v = records[i]!.value;
      out[i] = v === null ? null : dec.decode(v);
    }
    return out;
  }
  let start = 0;
  for (let i = 0; i < records.length; i++) {
    out[i] = records[i]!.value === null ? null : text.slice(start, ends[i]);
    start = ends[i]!;
  }
  return out;
}

export async function topicBatches(
  src: Extract<Source, { kind: "topic" }>,
): Promise<Batches> {
  // Loaded on first use, inside the worker that reads the partition.
  const reader = await import("../kafka/log/log_reader.ts");
  const dec = new TextDecoder();
  const decodeKey = keyDecoder(dec);
  const mode = src.decode;
  return (async function* () {
    // One await per record batch of the log, not per record.
    for await (
      const records of reader.readPartitionLogBatches(
        src.logDir,
        src.topic,
        src.partition,
        { fromOffset: src.fromOffset, toOffset: src.toOffset },
      )
    ) {
      const texts = mode === "bytes" ? undefined : decodeValues(records, dec);
      const out: unknown[] = new Array(records.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!;
        const text = texts?.[i] ?? null;
        out[i] = {
          topic: src.topic,
          partition: src.partition,
          offset: r.offset,
          timestamp: r.timestamp,
          key: r.key === null ? null : decodeKey(r.key),
          value: mode === "bytes"
            ? r.value
            : text === null
            ? null
            : mode === "json"
            ? JSON.parse(text)
            : text,
          headers: r.headers,
        };
      }
      if (out.length > 0) yield out;
    }
  })();
}
