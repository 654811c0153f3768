import assert from "node:assert/strict";
import { murmur2, partitionForKey } from "../../kafka/protocol/murmur2.ts";
import { DefaultPartitioner } from "../../kafka/partitioners.ts";

Deno.test("murmur2() matches Kafka's UtilsTest vectors", () => {
  const cases: Record<string, number> = {
    "21": -973932308,
    "foobar": -790332482,
    "a-little-bit-long-string": -985981536,
    "a-little-bit-longer-string": -1486304829,
    "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8": -58897971,
  };
  for (const [k, v] of Object.entries(cases)) assert.equal(murmur2(k), v, k);
  assert.equal(murmur2(Uint8Array.of(0x61, 0x62, 0x63)), 479470107);
});

Deno.test("murmur2() matches kafkajs's Java-compatible partitioner vectors", () => {
  const cases: Record<string, number> = {
    "0": 971027396,
    "1": -1993445489,
    "128": -326012175,
    "2187": -1508407203,
    "16384": -325739742,
    "78125": -1654490814,
    "279936": 1462227128,
    "823543": -2014198330,
    "2097152": 607668903,
    "4782969": -1182699775,
    "10000000": -1830336757,
    "19487171": -1603849305,
    "35831808": -857013643,
    "62748517": -1167431028,
    "105413504": -381294639,
    "170859375": -1658323481,
    "100:48069": 1009543857,
  };
  for (const [k, v] of Object.entries(cases)) assert.equal(murmur2(k), v, k);
});

Deno.test("partitionForKey() is (murmur2 & 0x7fffffff) % n", () => {
  for (const k of ["a", "21", "foobar", "100:48069", "Alaska"]) {
    for (const n of [1, 3, 4, 12]) {
      assert.equal(partitionForKey(k, n), (murmur2(k) & 0x7fffffff) % n);
    }
  }
  // -973932308 & 0x7fffffff = 1173551340
  assert.equal(partitionForKey("21", 7), 1173551340 % 7);
});

Deno.test("DefaultPartitioner() hashes keys and spreads keyless messages round-robin", () => {
  const partition = DefaultPartitioner();
  const partitionMetadata = [0, 1, 2].map((partitionId) => ({
    partitionId,
    leader: 0,
  }));
  assert.equal(
    partition({
      topic: "t",
      partitionMetadata,
      message: { key: "foobar", value: null },
    }),
    partitionForKey("foobar", 3),
  );
  const seen = [0, 1, 2, 3].map(() =>
    partition({ topic: "t", partitionMetadata, message: { value: "x" } })
  );
  // Round-robin from a random start, as kafkajs.
  assert.deepEqual(seen.map((p) => (p - seen[0]! + 3) % 3), [0, 1, 2, 0]);
});
