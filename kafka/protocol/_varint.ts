// Zig-zag varints as Kafka's record format uses them (protobuf encoding).
// Values are JS numbers; the int32 range takes a fast path, larger
// magnitudes (timestamp deltas) fall back to float arithmetic.

/** Bytes needed for the zig-zag varint of `n`. */
export function varintSize(n: number): number {
  if (n >= 0) {
    if (n < 64) return 1;
    if (n < 8192) return 2;
    if (n < 1048576) return 3;
  }
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/** Writes the zig-zag varint of `n` at `pos`; returns the next position. */
export function writeVarint(buf: Uint8Array, pos: number, n: number): number {
  if (n >= -0x40000000 && n < 0x40000000) {
    let z = ((n << 1) ^ (n >> 31)) >>> 0;
    while (z >= 0x80) {
      buf[pos++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    buf[pos++] = z;
    return pos;
  }
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z % 128) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

/** Result slot for {@linkcode readVarint}: the position after the varint. */
export const cursor = { pos: 0 };

/**
 * Reads a zig-zag varint at `pos`, leaving the next position in
 * `cursor.pos`. Returns NaN when the bytes run out or exceed 10 bytes.
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  let z = 0;
  let shift = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) return NaN;
    const b = buf[pos++]!;
    if (shift < 28) z |= (b & 0x7f) << shift;
    else z += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      cursor.pos = pos;
      if (shift < 28) {
        z >>>= 0;
        return (z >>> 1) ^ -(z & 1);
      }
      return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    }
    shift += 7;
    mul *= 128;
    if (shift === 28) {
      z >>>= 0;
      mul = 268435456;
    }
  }
  return NaN;
}

// Unsigned varints (no zig-zag), as the flexible protocol versions use for
// compact lengths, array counts and tagged-field headers. Values up to 2^32.

/** Writes the unsigned varint of `n` at `pos`; returns the next position. */
export function writeUnsignedVarint(
  buf: Uint8Array,
  pos: number,
  n: number,
): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/**
 * Reads an unsigned varint at `pos`, leaving the next position in
 * `cursor.pos`. Returns NaN when the bytes run out or exceed 5 bytes.
 */
export function readUnsignedVarint(
  buf: Uint8Array,
  pos: number,
  end: number,
): number {
  let n = 0;
  let mul = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return NaN;
    const b = buf[pos++]!;
    n += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) {
      cursor.pos = pos;
      return n;
    }
    mul *= 128;
  }
  return NaN;
}
