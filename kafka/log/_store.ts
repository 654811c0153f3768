// Byte stores behind a segment: a file (write-ahead, fsync on request) or a
// growable in-memory buffer. Reads and writes are synchronous so offsets are
// assigned and bytes placed atomically with respect to other JS code; only
// fsync is awaited.

import { dirname } from "node:path";
import type { ByteSource } from "./_scan.ts";
import { floorIndex } from "../../internal/floor_index.ts";

/** A segment's bytes: appended, read at positions, synced, truncated. */
export interface Store extends ByteSource {
  /** Appends `chunks` at the end. */
  append(chunks: readonly Uint8Array[]): void;
  /** Makes appended bytes durable. */
  sync(): Promise<void>;
  /** Cuts the store to `size` bytes. */
  truncate(size: number): void;
  /**
   * Writes replacement content (compaction) aside and resolves to a function
   * that swaps it in synchronously (an atomic rename on disk).
   */
  prepareReplace(chunks: readonly Uint8Array[]): Promise<() => void>;
  /** Releases handles. */
  close(): void;
  /** Deletes the bytes (and file). */
  remove(): Promise<void>;
}

/**
 * In-memory store: the appended arrays themselves (no copy on append),
 * with their start positions for reads.
 */
export class MemoryStore implements Store {
  #chunks: Uint8Array[] = [];
  #starts: number[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  append(chunks: readonly Uint8Array[]): void {
    for (const c of chunks) {
      if (c.length === 0) continue;
      this.#chunks.push(c);
      this.#starts.push(this.#size);
      this.#size += c.length;
    }
  }

  readAt(position: number, length: number): Uint8Array {
    const end = Math.min(this.#size, position + length);
    if (end <= position) return new Uint8Array(0);
    const lo = Math.max(0, floorIndex(this.#starts, position));
    const out = new Uint8Array(end - position);
    let o = 0;
    for (let i = lo; o < out.length; i++) {
      const c = this.#chunks[i]!;
      const from = position + o - this.#starts[i]!;
      const n = Math.min(c.length - from, out.length - o);
      out.set(c.subarray(from, from + n), o);
      o += n;
    }
    return out;
  }

  sync(): Promise<void> {
    return Promise.resolve();
  }

  truncate(size: number): void {
    while (this.#chunks.length > 0 && this.#starts.at(-1)! >= size) {
      this.#chunks.pop();
      this.#starts.pop();
    }
    const last = this.#chunks.length - 1;
    if (last >= 0 && this.#starts[last]! + this.#chunks[last]!.length > size) {
      this.#chunks[last] = this.#chunks[last]!.subarray(
        0,
        size - this.#starts[last]!,
      );
    }
    this.#size = Math.min(this.#size, size);
  }

  prepareReplace(chunks: readonly Uint8Array[]): Promise<() => void> {
    return Promise.resolve(() => {
      this.#chunks = [];
      this.#starts = [];
      this.#size = 0;
      this.append(chunks);
    });
  }

  close(): void {}

  remove(): Promise<void> {
    this.#chunks = [];
    this.#starts = [];
    this.#size = 0;
    return Promise.resolve();
  }
}

/** A segment file opened read-write; writes land at the tracked end. */
export class FileStore implements Store {
  #path: string;
  #file: Deno.FsFile;
  #size: number;

  private constructor(path: string, file: Deno.FsFile, size: number) {
    this.#path = path;
    this.#file = file;
    this.#size = size;
  }

  /**
   * Opens or creates the file at `path`; `created` fsyncs the directory so
   * the new entry is durable before anything in it is acknowledged.
   */
  static open(path: string, created = false): FileStore {
    const file = Deno.openSync(path, { read: true, write: true, create: true });
    if (created) syncDir(dirname(path));
    return new FileStore(path, file, file.statSync().size);
  }

  get path(): string {
    return this.#path;
  }

  get size(): number {
    return this.#size;
  }

  append(chunks: readonly Uint8Array[]): void {
    this.#file.seekSync(this.#size, Deno.SeekMode.Start);
    for (const c of chunks) {
      let done = 0;
      while (done < c.length) done += this.#file.writeSync(c.subarray(done));
      this.#size += c.length;
    }
  }

  readAt(position: number, length: number): Uint8Array {
    const len = Math.max(0, Math.min(length, this.#size - position));
    const out = new Uint8Array(len);
    this.#file.seekSync(position, Deno.SeekMode.Start);
    let got = 0;
    while (got < len) {
      const n = this.#file.readSync(out.subarray(got));
      if (n === null || n === 0) break;
      got += n;
    }
    return got === len ? out : out.subarray(0, got);
  }

  sync(): Promise<void> {
    return this.#file.syncData();
  }

  truncate(size: number): void {
    this.#file.truncateSync(size);
    this.#file.syncDataSync();
    this.#size = size;
  }

  async prepareReplace(chunks: readonly Uint8Array[]): Promise<() => void> {
    const tmp = `${this.#path}.cleaned`;
    const file = await Deno.open(tmp, {
      write: true,
      create: true,
      truncate: true,
    });
    let size = 0;
    try {
      for (const c of chunks) {
        let done = 0;
        while (done < c.length) done += await file.write(c.subarray(done));
        size += c.length;
      }
      await file.syncData();
    } finally {
      file.close();
    }
    // Swapped synchronously by the caller, together with its index.
    return () => {
      Deno.renameSync(tmp, this.#path);
      const next = Deno.openSync(this.#path, { read: true, write: true });
      this.#file.close();
      this.#file = next;
      this.#size = size;
    };
  }

  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }

  async remove(): Promise<void> {
    this.close();
    await Deno.remove(this.#path).catch(() => {});
  }
}

/**
 * Fsyncs a directory so a new or renamed entry in it survives a crash
 * (best effort: some platforms cannot open directories).
 */
export function syncDir(path: string): void {
  try {
    const dir = Deno.openSync(path, { read: true });
    try {
      dir.syncSync();
    } finally {
      dir.close();
    }
  } catch {
    // not supported here
  }
}

/** Writes `data` to `path` durably: temp file, fsync, rename (shared helper). */
export { writeFileAtomic } from "../../internal/atomic_file.ts";
