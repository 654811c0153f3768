/**
 * kafkajs's partitioners. A partitioner factory returns a function that
 * picks a message's partition: the message's own `partition` if it has one,
 * else a hash of its key, else round-robin over the topic's partitions.
 *
 * - `DefaultPartitioner` (also `JavaCompatiblePartitioner`): the key's
 *   murmur2 as Java's client computes it, `(murmur2(key) & 0x7fffffff) %
 *   numPartitions` — the same partition as Kafka's own producers.
 * - `LegacyPartitioner`: kafkajs's partitioner before 2.0, whose murmur2
 *   multiplies in floating point and so disagrees with Java's for most keys.
 *   Code that relied on its placement keeps it by choosing it.
 *
 * A key that is neither a string nor bytes is hashed as `String(key)`, as
 * kafkajs does.
 *
 * @module
 */

import { murmur2 } from "./protocol/murmur2.ts";

/**
 * What a partitioner sees.
 *
 * @example Inspect what a partitioner gets
 * ```ts
 * import assert from "node:assert/strict";
 * import type { PartitionerArgs } from "./mod.ts";
 * const args: PartitionerArgs = {
 *   topic: "t",
 *   partitionMetadata: [{ partitionId: 0, leader: 0 }],
 *   message: { key: "k", value: "v" },
 * };
 * assert.equal(args.partitionMetadata.length, 1);
 * ```
 */
export interface PartitionerArgs {
  /** Topic name. */
  topic: string;
  /** The topic's partitions. */
  partitionMetadata: { partitionId: number; leader: number }[];
  /** The message as given to `send`. */
  message: {
    key?: unknown;
    value: unknown;
    partition?: number;
    headers?: unknown;
    timestamp?: string | number;
  };
  /** The key as UTF-8 bytes, when the producer has already encoded it. */
  keyBytes?: Uint8Array;
}

/**
 * A partitioner: returns the partition for a message.
 *
 * @example Always the first partition
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type Partitioner } from "./mod.ts";
 * const first: Partitioner = ({ partitionMetadata }) => partitionMetadata[0]!.partitionId;
 * const producer = new Kafka({}).producer({ createPartitioner: () => first });
 * assert.equal(typeof producer.send, "function");
 * ```
 */
export type Partitioner = (args: PartitionerArgs) => number;

const encoder = new TextEncoder();

function keyBytesOf(key: unknown): Uint8Array {
  return key instanceof Uint8Array ? key : encoder.encode(String(key));
}

function withHash(hash: (key: Uint8Array) => number): () => Partitioner {
  return () => {
    // Keyless messages go round-robin per topic, from a random start as in
    // kafkajs, so producers do not all start on partition 0.
    const counters = new Map<string, number>();
    return ({ topic, partitionMetadata, message, keyBytes }) => {
      if (message.partition !== undefined && message.partition !== null) {
        return message.partition;
      }
      const n = partitionMetadata.length;
      if (message.key !== undefined && message.key !== null) {
        return (hash(keyBytes ?? keyBytesOf(message.key)) & 0x7fffffff) % n;
      }
      const c = (counters.get(topic) ??
        crypto.getRandomValues(new Uint32Array(1))[0]!) + 1;
      counters.set(topic, c);
      return partitionMetadata[(c & 0x7fffffff) % n]!.partitionId;
    };
  };
}

/**
 * The murmur2 of kafkajs's pre-2.0 partitioner: the steps of Java's, but
 * each `*=` a floating-point multiplication, so large products lose their
 * low bits before the 32-bit operators see them.
 *
 * @example kafkajs's own test vectors
 * ```ts
 * import assert from "node:assert/strict";
 * import { legacyMurmur2 } from "./partitioners.ts";
 * const te = new TextEncoder();
 * assert.equal(legacyMurmur2(te.encode("0")), 272173970);
 * assert.equal(legacyMurmur2(te.encode("2187")), -2081355488);
 * ```
 */
export function legacyMurmur2(data: Uint8Array): number {
  const M = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const length4 = length / 4;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    // Bytes past the end read as undefined, which `& 0xff` makes 0.
    let k = ((data[i4] as number) & 0xff) +
      (((data[i4 + 1] as number) & 0xff) << 8) +
      (((data[i4 + 2] as number) & 0xff) << 16) +
      (((data[i4 + 3] as number) & 0xff) << 24);
    k *= M;
    k ^= k >>> 24;
    k *= M;
    h *= M;
    h ^= k;
  }
  const tail = length & ~3;
  // Java's switch falls through: 3 bytes left take all three steps.
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2]! & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1]! & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail]! & 0xff;
    h *= M;
  }
  h ^= h >>> 13;
  h *= M;
  h ^= h >>> 15;
  return h;
}

/**
 * Java's default partitioner: keyed messages go to
 * `(murmur2(key) & 0x7fffffff) % numPartitions`; keyless ones round-robin.
 *
 * @example Choose a partition
 * ```ts
 * import assert from "node:assert/strict";
 * import { DefaultPartitioner } from "./partitioners.ts";
 * const partition = DefaultPartitioner();
 * const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 0 }));
 * assert.equal(partition({ topic: "t", partitionMetadata, message: { key: "21", value: null } }), 0);
 * ```
 */
export const DefaultPartitioner: () => Partitioner = withHash(murmur2);

/**
 * kafkajs's partitioner before 2.0 (its `LegacyPartitioner`).
 *
 * @example The pre-2.0 placement of a key
 * ```ts
 * import assert from "node:assert/strict";
 * import { LegacyPartitioner } from "./partitioners.ts";
 * const partitionMetadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0 }));
 * // (legacyMurmur2("1") & 0x7fffffff) % 3 = 1311020360 % 3
 * assert.equal(LegacyPartitioner()({ topic: "t", partitionMetadata, message: { key: "1", value: null } }), 2);
 * ```
 */
export const LegacyPartitioner: () => Partitioner = withHash(legacyMurmur2);

/**
 * Partitioner factories by kafkajs name.
 *
 * @example Keep the pre-2.0 placement
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, Partitioners } from "./mod.ts";
 * const producer = new Kafka({}).producer({ createPartitioner: Partitioners.LegacyPartitioner });
 * assert.equal(typeof Partitioners.DefaultPartitioner, "function");
 * assert.equal(typeof producer.send, "function");
 * ```
 */
export const Partitioners: {
  readonly DefaultPartitioner: () => Partitioner;
  readonly LegacyPartitioner: () => Partitioner;
  /** @deprecated kafkajs renamed it DefaultPartitioner in 2.0. */
  readonly JavaCompatiblePartitioner: () => Partitioner;
} = {
  DefaultPartitioner,
  LegacyPartitioner,
  JavaCompatiblePartitioner: DefaultPartitioner,
};
