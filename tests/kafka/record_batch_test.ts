import assert from "node:assert/strict";
import { crc32c } from "../../kafka/protocol/_crc32c.ts";
import {
  cursor,
  readVarint,
  varintSize,
  writeVarint,
} from "../../kafka/protocol/_varint.ts";
import {
  checkBatch,
  decodeRecordBatch,
  encodeRecordBatch,
  readBatchHeader,
} from "../../kafka/protocol/record_batch.ts";
import { KafkaError } from "../../kafka/errors.ts";

const te = new TextEncoder();
const td = new TextDecoder();

Deno.test("crc32c() matches the published CRC-32C check values", () => {
  assert.equal(crc32c(te.encode("123456789")), 0xe3069283);
  // RFC 3720 (iSCSI) B.4 test vectors.
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const inc = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(crc32c(inc), 0x46dd794e);
  const dec = Uint8Array.from({ length: 32 }, (_, i) => 31 - i);
  assert.equal(crc32c(dec), 0x113fdb5c);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

Deno.test("crc32c() agrees between the 8-byte and byte-wise paths", () => {
  const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) & 0xff);
  for (const [s, e] of [[0, 1000], [3, 997], [1, 8], [5, 6]]) {
    let crc = 0xffffffff;
    for (let i = s!; i < e!; i++) {
      crc ^= data[i]!;
      for (let k = 0; k < 8; k++) {
        crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
      }
    }
    assert.equal(crc32c(data, s, e), (crc ^ 0xffffffff) >>> 0);
  }
});

Deno.test("writeVarint() uses protobuf zig-zag bytes", () => {
  const cases: [number, number[]][] = [
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [150, [0xac, 0x02]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];
  for (const [n, bytes] of cases) {
    const buf = new Uint8Array(10);
    const end = writeVarint(buf, 0, n);
    assert.deepEqual([...buf.subarray(0, end)], bytes, `value ${n}`);
    assert.equal(varintSize(n), bytes.length);
    assert.equal(readVarint(buf, 0, end), n);
    assert.equal(cursor.pos, end);
  }
});

Deno.test("readVarint() round-trips 64-bit-range timestamps deltas", () => {
  for (
    const n of [2 ** 40, -(2 ** 40) - 3, 1_700_000_000_000, -1_700_000_000_001]
  ) {
    const buf = new Uint8Array(10);
    const end = writeVarint(buf, 0, n);
    assert.equal(end, varintSize(n));
    assert.equal(readVarint(buf, 0, end), n);
  }
  assert.ok(Number.isNaN(readVarint(Uint8Array.of(0x80, 0x80), 0, 2)));
});

Deno.test("encodeRecordBatch() lays out the v2 header byte by byte", () => {
  const bytes = encodeRecordBatch(5, [
    { key: te.encode("k"), value: te.encode("v1"), timestamp: 1000 },
    {
      key: null,
      value: null,
      timestamp: 1500,
      headers: [["h", te.encode("x")]],
    },
  ]);
  const view = new DataView(bytes.buffer);
  assert.equal(view.getBigInt64(0), 5n);
  assert.equal(view.getInt32(8), bytes.length - 12);
  assert.equal(bytes[16], 2); // magic
  assert.equal(view.getUint32(17), crc32c(bytes, 21));
  assert.equal(view.getInt16(21), 0); // attributes
  assert.equal(view.getInt32(23), 1); // lastOffsetDelta
  assert.equal(view.getBigInt64(27), 1000n);
  assert.equal(view.getBigInt64(35), 1500n);
  assert.equal(view.getBigInt64(43), -1n); // producerId
  assert.equal(view.getInt16(51), -1);
  assert.equal(view.getInt32(53), -1);
  assert.equal(view.getInt32(57), 2);
  // First record: length 9 (zig-zag 18), attrs 0, tsDelta 0, offsetDelta 0, key "k", value "v1", 0 headers.
  assert.deepEqual(
    [...bytes.subarray(61, 61 + 12)],
    [18, 0, 0, 0, 2, 107, 4, 118, 49, 0, 22, 0],
  );
});

Deno.test("decodeRecordBatch() round-trips keys, values, nulls and headers", () => {
  const records = Array.from({ length: 300 }, (_, i) => ({
    key: i % 3 === 0 ? null : te.encode(`key-${i}`),
    value: i % 7 === 0 ? null : te.encode("v".repeat(i)),
    timestamp: 1_700_000_000_000 + i * 1000 - (i % 5) * 7,
    headers: i % 2 ? [["trace", te.encode(String(i))] as const] : undefined,
  }));
  const bytes = encodeRecordBatch(1_000_000, records);
  const { header, records: out, size } = decodeRecordBatch(bytes);
  assert.equal(size, bytes.length);
  assert.equal(header.recordCount, 300);
  assert.equal(header.lastOffsetDelta, 299);
  assert.equal(
    header.maxTimestamp,
    Math.max(...records.map((r) => r.timestamp)),
  );
  out.forEach((r, i) => {
    assert.equal(r.offset, 1_000_000 + i);
    assert.equal(r.timestamp, records[i]!.timestamp);
    assert.deepEqual(r.key, records[i]!.key);
    assert.deepEqual(r.value, records[i]!.value);
    if (i % 2) {
      assert.equal(td.decode(r.headers.trace as Uint8Array), String(i));
    } else assert.deepEqual(r.headers, {});
  });
});

Deno.test("checkBatch() rejects torn, corrupted and foreign bytes", () => {
  const bytes = encodeRecordBatch(0, [{
    key: null,
    value: te.encode("hello"),
    timestamp: 1,
  }]);
  assert.equal(checkBatch(bytes, 0).ok, true);
  const torn = checkBatch(bytes.subarray(0, bytes.length - 1), 0);
  assert.equal(torn.ok, false);
  assert.match((torn as { reason: string }).reason, /needs/);
  const flipped = bytes.slice();
  flipped[70]! ^= 1;
  assert.match(
    (checkBatch(flipped, 0) as { reason: string }).reason,
    /CRC-32C mismatch/,
  );
  const magic = bytes.slice();
  magic[16] = 1;
  assert.match(
    (checkBatch(magic, 0) as { reason: string }).reason,
    /magic byte is 1/,
  );
  assert.equal(readBatchHeader(bytes.subarray(0, 60), 0), undefined);
  assert.throws(
    () => decodeRecordBatch(flipped),
    (e: unknown) =>
      e instanceof KafkaError && e.type === "CORRUPT_MESSAGE" &&
      /CRC-32C/.test(e.message),
  );
});

Deno.test("encodeRecordBatch() refuses an empty batch", () => {
  assert.throws(() => encodeRecordBatch(0, []), /at least one record: 0/);
});

Deno.test("encodeRecordBatch() with GZIP compresses the records and keeps the header readable", async () => {
  const { CompressionTypes } = await import(
    "../../kafka/protocol/record_batch.ts"
  );
  const records = Array.from({ length: 200 }, (_, i) => ({
    key: te.encode(`k${i}`),
    value: te.encode(`{"id":${i},"place":"somewhere far away"}`),
    timestamp: 1000 + i,
    headers: [["h", te.encode("v")] as const],
  }));
  const plain = encodeRecordBatch(10, records);
  const packed = encodeRecordBatch(10, records, CompressionTypes.GZIP);
  assert.ok(
    packed.length < plain.length / 3,
    `${packed.length} vs ${plain.length}`,
  );
  const { header, records: out } = decodeRecordBatch(packed);
  assert.equal(header.attributes & 7, 1);
  assert.equal(header.recordCount, 200);
  assert.equal(header.maxTimestamp, 1199);
  assert.equal(out.length, 200);
  assert.equal(out[199]!.offset, 209);
  assert.equal(
    td.decode(out[7]!.value!),
    `{"id":7,"place":"somewhere far away"}`,
  );
  assert.equal(td.decode(out[7]!.headers.h as Uint8Array), "v");
  assert.throws(
    () => encodeRecordBatch(0, records, CompressionTypes.Snappy),
    /Compression codec is not supported: Snappy \(2\)/,
  );
  const snappy = plain.slice();
  new DataView(snappy.buffer).setInt16(21, 2);
  new DataView(snappy.buffer).setUint32(17, crc32c(snappy, 21));
  assert.throws(
    () => decodeRecordBatch(snappy),
    (e: unknown) =>
      e instanceof KafkaError && e.type === "UNSUPPORTED_COMPRESSION_TYPE",
  );
});

Deno.test("decodeRecordBatch() reads one-, two- and multi-byte varint fields alike", () => {
  // Lengths and deltas on both sides of the 1-, 2- and 3-byte varint limits.
  const sizes = [0, 1, 63, 64, 8191, 8192, 70_000];
  const records = sizes.map((n, i) => ({
    key: n % 2 === 0 ? null : Uint8Array.from({ length: n }, (_, j) => j),
    value: Uint8Array.from({ length: n }, (_, j) => (j * 7 + i) & 0xff),
    timestamp: 1_700_000_000_000 + [0, -1, 63, -65, 9000, -9000, 2 ** 40][i]!,
    offsetDelta: [0, 1, 63, 64, 8191, 8192, 70_000][i]!,
    headers: i === 3
      ? [["h", te.encode("x")] as const, ["empty", new Uint8Array()] as const]
      : undefined,
  }));
  const { records: out } = decodeRecordBatch(encodeRecordBatch(5, records));
  assert.equal(out.length, sizes.length);
  out.forEach((r, i) => {
    const input = records[i]!;
    assert.equal(r.offset, 5 + input.offsetDelta);
    assert.equal(r.timestamp, input.timestamp);
    assert.deepEqual(r.key, input.key);
    assert.deepEqual(r.value, input.value);
  });
  assert.deepEqual(Object.keys(out[3]!.headers), ["h", "empty"]);
  assert.equal(td.decode(out[3]!.headers.h as Uint8Array), "x");
  assert.equal(out[3]!.headers.empty!.length, 0);
  assert.deepEqual(out[0]!.headers, {});
  assert.ok(Object.isFrozen(out[0]!.headers), "shared empty headers");
});

Deno.test("decodeRecordBatch() names a record whose fields overrun its length", () => {
  const bytes = encodeRecordBatch(0, [
    { key: null, value: te.encode("abc"), timestamp: 1 },
  ]);
  // Record length varint (first byte after the header): shrink 1 byte.
  const len = bytes[61]!;
  bytes[61] = len - 2; // zig-zag: one less
  const view = new DataView(bytes.buffer);
  view.setUint32(17, crc32c(bytes, 21, bytes.length));
  assert.throws(
    () => decodeRecordBatch(bytes),
    (e: unknown) =>
      e instanceof KafkaError && e.type === "CORRUPT_MESSAGE" &&
      /do not fill the record length/.test(e.message),
  );
  // A record length past the batch end.
  bytes[61] = 120; // zig-zag 60
  view.setUint32(17, crc32c(bytes, 21, bytes.length));
  assert.throws(
    () => decodeRecordBatch(bytes),
    (e: unknown) =>
      e instanceof KafkaError && /record overruns batch/.test(e.message),
  );
});
