// The protocol's primitive types, big-endian as Kafka writes them:
//
//   int8 int16 int32 int64 uint16 uint32 float64 bool   fixed width
//   string  int16 length + UTF-8 (-1 = null)   compact: uvarint length+1 (0 = null)
//   bytes   int32 length + bytes (-1 = null)   compact: uvarint length+1 (0 = null)
//   array   int32 count + items (-1 = null)    compact: uvarint count+1 (0 = null)
//   uuid    16 bytes
//
// "Compact" forms are used by flexible versions, which also end every
// struct with a tagged-field section (uvarint count, then tag, size, bytes).

import { KafkaError } from "../errors.ts";
import {
  cursor,
  readUnsignedVarint,
  readVarint,
  writeUnsignedVarint,
  writeVarint,
} from "./_varint.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Values at least this long are referenced, not copied, by {@linkcode Writer.bytes}. */
const BY_REFERENCE = 64 * 1024;

/**
 * A growable big-endian byte buffer. Large byte values (a fetch's record
 * batches) are kept by reference as separate parts, so a response holding
 * megabytes of stored batches is never copied to be sent.
 */
export class Writer {
  buf: Uint8Array;
  view: DataView;
  pos = 0;
  #parts: Uint8Array[] = [];
  #partStart = 0;
  #partsLength = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  int8(n: number): void {
    this.reserve(1);
    this.view.setInt8(this.pos, n);
    this.pos += 1;
  }

  int16(n: number): void {
    this.reserve(2);
    this.view.setInt16(this.pos, n);
    this.pos += 2;
  }

  uint16(n: number): void {
    this.reserve(2);
    this.view.setUint16(this.pos, n);
    this.pos += 2;
  }

  int32(n: number): void {
    this.reserve(4);
    this.view.setInt32(this.pos, n);
    this.pos += 4;
  }

  uint32(n: number): void {
    this.reserve(4);
    this.view.setUint32(this.pos, n);
    this.pos += 4;
  }

  int64(n: number): void {
    this.reserve(8);
    const hi = Math.floor(n / 4294967296);
    this.view.setInt32(this.pos, hi);
    this.view.setUint32(this.pos + 4, n - hi * 4294967296);
    this.pos += 8;
  }

  float64(n: number): void {
    this.reserve(8);
    this.view.setFloat64(this.pos, n);
    this.pos += 8;
  }

  uvarint(n: number): void {
    this.reserve(5);
    this.pos = writeUnsignedVarint(this.buf, this.pos, n);
  }

  varint(n: number): void {
    this.reserve(10);
    this.pos = writeVarint(this.buf, this.pos, n);
  }

  raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  string(s: string | null, compact: boolean): void {
    if (s === null) return compact ? this.uvarint(0) : this.int16(-1);
    const b = encoder.encode(s);
    if (compact) this.uvarint(b.length + 1);
    else this.int16(b.length);
    this.raw(b);
  }

  /** Bytes, or a list of chunks written back to back as one value. */
  bytes(b: Uint8Array | readonly Uint8Array[] | null, compact: boolean): void {
    if (b === null) return compact ? this.uvarint(0) : this.int32(-1);
    const chunks = b instanceof Uint8Array ? [b] : b;
    let n = 0;
    for (const c of chunks) n += c.length;
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
    if (n < BY_REFERENCE) {
      for (const c of chunks) this.raw(c);
      return;
    }
    this.#cut();
    for (const c of chunks) {
      this.#parts.push(c);
      this.#partsLength += c.length;
    }
  }

  /** Ends the current part of `buf`; later writes start a new one. */
  #cut(): void {
    if (this.pos > this.#partStart) {
      this.#parts.push(this.buf.subarray(this.#partStart, this.pos));
      this.#partsLength += this.pos - this.#partStart;
    }
    this.#partStart = this.pos;
  }

  /** Bytes written so far in all parts. */
  get length(): number {
    return this.#partsLength + this.pos - this.#partStart;
  }

  /** Everything written, as parts to send back to back (views, no copy). */
  parts(): Uint8Array[] {
    this.#cut();
    return [...this.#parts];
  }

  /** Array length prefix (null writes the null marker). */
  count(n: number | null, compact: boolean): void {
    if (n === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (compact) this.uvarint(n + 1);
    else this.int32(n);
  }

  /** The bytes written so far (a view when in one part, else a copy). */
  bytesWritten(): Uint8Array {
    if (this.#parts.length === 0) return this.buf.subarray(0, this.pos);
    const parts = this.parts();
    const out = new Uint8Array(this.#partsLength);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** Thrown for bytes that do not parse: the connection is closed. */
export function malformed(what: string): KafkaError {
  return new KafkaError(`Request is malformed: ${what}`, {
    type: "INVALID_REQUEST",
  });
}

/** A bounds-checked big-endian reader over a frame. */
export class Reader {
  readonly buf: Uint8Array;
  readonly view: DataView;
  pos: number;
  end: number;

  constructor(buf: Uint8Array, pos = 0, end = buf.length) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = pos;
    this.end = end;
  }

  #need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw malformed(
        `${what} needs ${n} bytes at byte ${this.pos}, ${
          this.end - this.pos
        } left`,
      );
    }
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  int8(): number {
    this.#need(1, "int8");
    return this.view.getInt8(this.pos++);
  }

  int16(): number {
    this.#need(2, "int16");
    const n = this.view.getInt16(this.pos);
    this.pos += 2;
    return n;
  }

  uint16(): number {
    this.#need(2, "uint16");
    const n = this.view.getUint16(this.pos);
    this.pos += 2;
    return n;
  }

  int32(): number {
    this.#need(4, "int32");
    const n = this.view.getInt32(this.pos);
    this.pos += 4;
    return n;
  }

  uint32(): number {
    this.#need(4, "uint32");
    const n = this.view.getUint32(this.pos);
    this.pos += 4;
    return n;
  }

  int64(): number {
    this.#need(8, "int64");
    const n = this.view.getInt32(this.pos) * 4294967296 +
      this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return n;
  }

  float64(): number {
    this.#need(8, "float64");
    const n = this.view.getFloat64(this.pos);
    this.pos += 8;
    return n;
  }

  uvarint(): number {
    const n = readUnsignedVarint(this.buf, this.pos, this.end);
    if (Number.isNaN(n)) throw malformed(`bad unsigned varint at ${this.pos}`);
    this.pos = cursor.pos;
    return n;
  }

  varint(): number {
    const n = readVarint(this.buf, this.pos, this.end);
    if (Number.isNaN(n)) throw malformed(`bad varint at ${this.pos}`);
    this.pos = cursor.pos;
    return n;
  }

  /** `n` bytes as a view into the frame. */
  raw(n: number, what = "bytes"): Uint8Array {
    if (n < 0) throw malformed(`${what} length is ${n}`);
    this.#need(n, what);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(compact: boolean): string | null {
    const n = compact ? this.uvarint() - 1 : this.int16();
    if (n < 0) return null;
    try {
      return decoder.decode(this.raw(n, "string"));
    } catch (cause) {
      if (cause instanceof KafkaError) throw cause;
      throw malformed(`string is not UTF-8 at byte ${this.pos - n}`);
    }
  }

  bytes(compact: boolean): Uint8Array | null {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < 0) return null;
    return this.raw(n, "bytes");
  }

  /** Array length, or -1 for null; checked against the bytes left. */
  count(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1 || n > this.remaining) {
      throw malformed(`array length ${n} with ${this.remaining} bytes left`);
    }
    return n;
  }
}
