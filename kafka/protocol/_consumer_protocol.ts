// The "consumer" embedded protocol: what consumers put in JoinGroup's
// protocol metadata and what the leader hands out in SyncGroup. The broker
// passes both along as bytes; it reads a subscription's topics (so the
// coordinator knows what the group reads, and rebalances it when a topic
// grows) and encodes an assignment for DescribeGroups before the leader's.
//
//   Subscription: version int16 | topics [string] | userData bytes
//                 | v1+: ownedPartitions [topic string | partitions [int32]]
//   Assignment:   version int16 | [topic string | partitions [int32]] | userData bytes

import { Reader, Writer } from "./_primitives.ts";

/** A member's subscription. */
export interface Subscription {
  topics: string[];
  ownedPartitions: Record<string, number[]>;
}

/** Decodes a subscription; undefined when the bytes are not one. */
export function decodeSubscription(
  bytes: Uint8Array,
): Subscription | undefined {
  try {
    const r = new Reader(bytes);
    const version = r.int16();
    const topics: string[] = [];
    for (let n = r.count(false); n > 0; n--) topics.push(r.string(false) ?? "");
    const ownedPartitions: Record<string, number[]> = {};
    if (r.remaining >= 4) r.bytes(false);
    if (version >= 1 && r.remaining >= 4) {
      for (let n = r.count(false); n > 0; n--) {
        const topic = r.string(false) ?? "";
        const parts: number[] = [];
        for (let m = r.count(false); m > 0; m--) parts.push(r.int32());
        ownedPartitions[topic] = parts;
      }
    }
    return { topics, ownedPartitions };
  } catch {
    return undefined;
  }
}

/** Encodes an assignment (version 0, no user data). */
export function encodeAssignment(
  assignment: Record<string, number[]>,
): Uint8Array {
  const w = new Writer(64);
  w.int16(0);
  const topics = Object.keys(assignment).sort();
  w.count(topics.length, false);
  for (const t of topics) {
    w.string(t, false);
    w.count(assignment[t]!.length, false);
    for (const p of assignment[t]!) w.int32(p);
  }
  w.bytes(null, false);
  return w.bytesWritten().slice();
}
