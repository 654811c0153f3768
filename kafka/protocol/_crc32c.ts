// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) by table slicing.
// On little-endian machines the aligned middle is read as 32-bit words,
// sixteen bytes per step (slicing-by-16); elsewhere eight bytes per step.

const POLY = 0x82f63b78;
const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 16; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
})();

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** CRC-32C of `bytes[start, end)` as an unsigned 32-bit number. */
export function crc32c(
  bytes: Uint8Array,
  start = 0,
  end: number = bytes.length,
): number {
  const t = TABLES;
  let crc = 0xffffffff;
  let i = start;
  if (LITTLE_ENDIAN && end - start >= 64) {
    while ((bytes.byteOffset + i) & 3) {
      crc = t[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
    }
    // Slicing-by-16: four words per step.
    const words = (end - i) >>> 4 << 2;
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    for (let k = 0; k < words; k += 4) {
      const a = w[k]! ^ crc;
      const b = w[k + 1]!;
      const c = w[k + 2]!;
      const d = w[k + 3]!;
      crc = t[3840 + (a & 0xff)]! ^ t[3584 + ((a >>> 8) & 0xff)]! ^
        t[3328 + ((a >>> 16) & 0xff)]! ^ t[3072 + (a >>> 24)]! ^
        t[2816 + (b & 0xff)]! ^ t[2560 + ((b >>> 8) & 0xff)]! ^
        t[2304 + ((b >>> 16) & 0xff)]! ^ t[2048 + (b >>> 24)]! ^
        t[1792 + (c & 0xff)]! ^ t[1536 + ((c >>> 8) & 0xff)]! ^
        t[1280 + ((c >>> 16) & 0xff)]! ^ t[1024 + (c >>> 24)]! ^
        t[768 + (d & 0xff)]! ^ t[512 + ((d >>> 8) & 0xff)]! ^
        t[256 + ((d >>> 16) & 0xff)]! ^ t[d >>> 24]!;
    }
    i += words * 4;
  } else {
    const stop8 = end - ((end - start) & 7);
    while (i < stop8) {
      const lo = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) |
        (bytes[i + 3]! << 24)) ^ crc;
      crc = t[1792 + (lo & 0xff)]! ^ t[1536 + ((lo >>> 8) & 0xff)]! ^
        t[1280 + ((lo >>> 16) & 0xff)]! ^ t[1024 + (lo >>> 24)]! ^
        t[768 + bytes[i + 4]!]! ^ t[512 + bytes[i + 5]!]! ^
        t[256 + bytes[i + 6]!]! ^ t[bytes[i + 7]!]!;
      i += 8;
    }
  }
  while (i < end) crc = t[(crc ^ bytes[i++]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
