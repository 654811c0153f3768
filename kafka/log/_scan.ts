// Sequential batch scanning over a segment file, shared by the broker's
// recovery and index rebuild and by the standalone log reader. Reads in large
// chunks so a scan costs one read per MiB, not one per batch.

import {
  type BatchCheck,
  checkBatch,
  LOG_OVERHEAD,
} from "../protocol/record_batch.ts";
import { floorIndex } from "../../internal/floor_index.ts";

export { floorIndex };

/** Positional reads over a segment; may return fewer bytes at the end. */
export interface ByteSource {
  /** Current size in bytes. */
  readonly size: number;
  /** Reads up to `length` bytes at `position` into a fresh array. */
  readAt(position: number, length: number): Uint8Array;
}

/** A batch found by the scanner, with its bytes. */
export interface ScannedBatch {
  /** Buffer holding the batch. */
  bytes: Uint8Array;
  /** Start of the batch inside `bytes`. */
  offsetInBytes: number;
  /** Start of the batch in the file. */
  position: number;
  /** Checked header facts. */
  check: Extract<BatchCheck, { ok: true }>;
}

/** Walks batches from `start` until the end or the first bad batch. */
export class BatchScanner {
  #src: ByteSource;
  #end: number;
  #verify: boolean;
  /**
   * Bytes read at a time (at least one whole batch). A caller that knows it
   * needs less can lower it between batches to avoid reading bytes it drops.
   */
  chunkSize: number;
  #buf: Uint8Array = new Uint8Array(0);
  #bufStart: number;
  #p = 0;
  /** File position where scanning stopped (end of the last good batch). */
  stopPosition: number;
  /** Why scanning stopped early, or undefined at a clean end. */
  stopReason: string | undefined;

  constructor(
    src: ByteSource,
    start = 0,
    options: { verifyCrc?: boolean; chunkSize?: number; end?: number } = {},
  ) {
    this.#src = src;
    this.#end = options.end ?? src.size;
    this.#verify = options.verifyCrc ?? true;
    this.chunkSize = options.chunkSize ?? 1 << 20;
    this.#bufStart = start;
    this.stopPosition = start;
  }

  #fill(need: number): void {
    const from = this.#bufStart + this.#p;
    const len = Math.min(Math.max(this.chunkSize, need), this.#end - from);
    this.#buf = len > 0 ? this.#src.readAt(from, len) : new Uint8Array(0);
    this.#bufStart = from;
    this.#p = 0;
  }

  /** The next good batch, or undefined at the end or at a bad batch. */
  next(): ScannedBatch | undefined {
    if (this.stopReason !== undefined) return undefined;
    const position = this.#bufStart + this.#p;
    if (position >= this.#end) return undefined;
    if (this.#buf.length - this.#p < 61) this.#fill(61);
    if (this.#buf.length - this.#p >= LOG_OVERHEAD) {
      const v = new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#p);
      const size = v.getInt32(8) + LOG_OVERHEAD;
      if (size > this.#buf.length - this.#p && size <= this.#end - position) {
        this.#fill(size);
      }
    }
    const check = checkBatch(
      this.#buf,
      this.#p,
      this.#buf.length,
      this.#verify,
    );
    if (!check.ok) {
      this.stopReason = check.reason;
      return undefined;
    }
    const batch: ScannedBatch = {
      bytes: this.#buf,
      offsetInBytes: this.#p,
      position,
      check,
    };
    this.#p += check.size;
    this.stopPosition = position + check.size;
    return batch;
  }
}

/** A read-only file as a {@linkcode ByteSource}. */
export function fileSource(file: Deno.FsFile, size: number): ByteSource {
  return {
    size,
    readAt(position: number, length: number): Uint8Array {
      const out = new Uint8Array(length);
      file.seekSync(position, Deno.SeekMode.Start);
      let got = 0;
      while (got < length) {
        const n = file.readSync(out.subarray(got));
        if (n === null || n === 0) break;
        got += n;
      }
      return got === length ? out : out.subarray(0, got);
    },
  };
}

/** Formats a base offset as Kafka's 20-digit segment file stem. */
export function segmentName(baseOffset: number): string {
  return String(baseOffset).padStart(20, "0");
}

/** Parses the sparse `.index` file (8-byte entries) into parallel arrays. */
export function parseOffsetIndex(
  bytes: Uint8Array,
): { rel: number[]; pos: number[] } | undefined {
  if (bytes.length % 8 !== 0) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const rel: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    const r = view.getInt32(i);
    const p = view.getInt32(i + 4);
    if (r < 0 || p < 0) return undefined;
    if (rel.length > 0 && (r <= rel.at(-1)! || p <= pos.at(-1)!)) {
      return undefined;
    }
    rel.push(r);
    pos.push(p);
  }
  return { rel, pos };
}

/**
 * The first batch at or after `from` that is whole, passes its CRC and has
 * offsets in (`after`, `bound`): where reading resumes after damage.
 * Looks at every byte position, so it costs a pass over the damaged bytes;
 * it runs only when damage is found.
 */
export function findNextBatch(
  src: ByteSource,
  from: number,
  after: number,
  bound: number,
): ScannedBatch | undefined {
  const chunk = 1 << 20;
  for (let start = from; start + 61 <= src.size; start += chunk) {
    const buf = src.readAt(start, chunk + 60);
    const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
    const limit = Math.min(chunk, buf.length - 60);
    for (let q = 0; q < limit; q++) {
      if (buf[q + 16] !== 2) continue;
      const length = view.getInt32(q + 8);
      const position = start + q;
      if (length < 49 || position + 12 + length > src.size) continue;
      const base = view.getInt32(q) * 4294967296 + view.getUint32(q + 4);
      if (base <= after || base >= bound) continue;
      const bytes = src.readAt(position, length + 12);
      const check = checkBatch(bytes, 0, bytes.length, true);
      if (
        check.ok && check.lastOffset >= check.baseOffset &&
        check.lastOffset < bound
      ) {
        return { bytes, offsetInBytes: 0, position, check };
      }
    }
  }
  return undefined;
}
