// One segment of a partition log: its bytes, its in-memory indexes and what
// is known to be damaged in it. The indexes follow Kafka's files: `.index`
// maps the last offset of a batch (relative to the segment's base) to the
// batch's position, `.timeindex` holds strictly increasing largest
// timestamps, each with the last offset of the batch that set it. Both are
// hints: whoever follows an entry checks the batch it points to.

import { floorIndex } from "./_scan.ts";
import type { Store } from "./_store.ts";

/** Facts of one batch placed in a segment. */
export interface BatchMeta {
  position: number;
  baseOffset: number;
  lastOffset: number;
  maxTimestamp: number;
  size: number;
}

/**
 * Bytes of a segment that hold no readable batch, from `position` to
 * `resume` (the next good batch, or the end), and the offsets lost with them
 * (`fromOffset` to `toOffset`, exclusive; equal when none are).
 */
export interface Damage {
  position: number;
  resume: number;
  fromOffset: number;
  toOffset: number;
  reason: string;
}

/** A segment: store, indexes, offsets, damage. */
export class Segment {
  readonly base: number;
  store: Store;
  nextOffset: number;
  maxTimestamp = -1;
  /** Last offset of the batch that set {@linkcode maxTimestamp}. */
  maxTimestampOffset = -1;
  createdAt: number;
  lastWrite: number;
  idxRel: number[] = [];
  idxPos: number[] = [];
  tiTs: number[] = [];
  tiRel: number[] = [];
  /** Damaged ranges, by position. */
  damage: Damage[] = [];
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
    this.maxTimestampOffset = -1;
  }

  /** Records a batch placed at `meta.position` in the indexes. */
  add(meta: BatchMeta, interval: number): void {
    if (meta.maxTimestamp > this.maxTimestamp) {
      this.maxTimestamp = meta.maxTimestamp;
      this.maxTimestampOffset = meta.lastOffset;
    }
    if (this.#bytesSinceIndex > interval) {
      this.idxRel.push(meta.lastOffset - this.base);
      this.idxPos.push(meta.position);
      if (this.maxTimestamp > (this.tiTs.at(-1) ?? -1)) {
        this.tiTs.push(this.maxTimestamp);
        this.tiRel.push(this.maxTimestampOffset - this.base);
      }
      this.#bytesSinceIndex = 0;
    }
    this.#bytesSinceIndex += meta.size;
    this.nextOffset = meta.lastOffset + 1;
  }

  /**
   * Where to start scanning for `offset`: the position of the batch whose
   * last offset is the largest indexed one <= `offset`, with that last
   * offset (to check the batch found there), or position 0.
   */
  lookup(offset: number): { index: number; position: number; last: number } {
    const i = floorIndex(this.idxRel, offset - this.base);
    return i < 0 ? { index: -1, position: 0, last: -1 } : {
      index: i,
      position: this.idxPos[i]!,
      last: this.base + this.idxRel[i]!,
    };
  }

  /** Known damage starting at `position`, if any. */
  damageAt(position: number): Damage | undefined {
    for (const d of this.damage) if (d.position === position) return d;
    return undefined;
  }

  /** Remembers a damaged range (once). */
  addDamage(d: Damage): void {
    if (this.damageAt(d.position)) return;
    this.damage.push(d);
    this.damage.sort((a, b) => a.position - b.position);
  }

  /** The `.index` and `.timeindex` file contents. */
  indexBytes(): { index: Uint8Array; timeindex: Uint8Array } {
    const index = new Uint8Array(this.idxRel.length * 8);
    const iv = new DataView(index.buffer);
    for (let i = 0; i < this.idxRel.length; i++) {
      iv.setInt32(i * 8, this.idxRel[i]!);
      iv.setInt32(i * 8 + 4, this.idxPos[i]!);
    }
    // A final time entry records the segment's largest timestamp (as Kafka
    // does when a segment is closed), if it is not the last entry already.
    let n = this.tiTs.length;
    const extra = this.maxTimestamp > (this.tiTs.at(-1) ?? -1);
    if (extra) n++;
    const timeindex = new Uint8Array(n * 12);
    const tv = new DataView(timeindex.buffer);
    const put = (i: number, ts: number, rel: number) => {
      const hi = Math.floor(ts / 4294967296);
      tv.setInt32(i * 12, hi);
      tv.setUint32(i * 12 + 4, ts - hi * 4294967296);
      tv.setInt32(i * 12 + 8, rel);
    };
    for (let i = 0; i < this.tiTs.length; i++) {
      put(i, this.tiTs[i]!, this.tiRel[i]!);
    }
    if (extra) {
      put(n - 1, this.maxTimestamp, this.maxTimestampOffset - this.base);
    }
    return { index, timeindex };
  }
}

/**
 * Parses a `.timeindex` file; undefined unless its timestamps and offsets
 * both strictly increase.
 */
export function parseTimeIndex(
  bytes: Uint8Array,
): { ts: number[]; rel: number[] } | undefined {
  if (bytes.length % 12 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const ts: number[] = [];
  const rel: number[] = [];
  for (let i = 0; i < bytes.length; i += 12) {
    const t = view.getInt32(i) * 4294967296 + view.getUint32(i + 4);
    const r = view.getInt32(i + 8);
    if (t < 0 || r < 0) return undefined;
    if (ts.length > 0 && (t <= ts.at(-1)! || r < rel.at(-1)!)) {
      return undefined;
    }
    ts.push(t);
    rel.push(r);
  }
  return { ts, rel };
}
