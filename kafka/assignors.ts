/**
 * Partition assignors. kafkajs's own: `PartitionAssigners.roundRobin`, the
 * factory kafkajs documents (`({ cluster }) => ({ name, version, assign,
 * protocol })`, protocol name `RoundRobinAssigner`), and the
 * `AssignerProtocol` that encodes member metadata and assignments in Kafka's
 * consumer-protocol format, so a custom assigner from kafkajs's docs works
 * unchanged. With Kafka's Java rules: `range` (per topic, contiguous ranges
 * to members sorted by id), `roundRobin` (all partitions sorted, dealt to
 * members in circular order, skipping members not subscribed) and
 * `cooperative-sticky` (balanced, keeps owned partitions, and never moves a
 * partition in one step: it is first revoked, then assigned in a follow-up
 * rebalance).
 *
 * @module
 */

import { tpKey } from "./_topic_partition.ts";
import { Buffer } from "node:buffer";
import { KafkaJSNonRetriableError } from "./errors.ts";

/**
 * Partitions per topic: `{ "orders": [0, 2] }`.
 *
 * @example Partitions per topic
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Assignment } from "./mod.ts";
 * const a: Assignment = { orders: [0, 2], payments: [1] };
 * assert.equal(Object.values(a).flat().length, 3);
 * ```
 */
export type Assignment = Record<string, number[]>;

/**
 * A group member as an assignor sees it.
 *
 * @example A member owning a partition
 * ```ts
 * import assert from "node:assert/strict";
 * import type { AssignerMember } from "./mod.ts";
 * const m: AssignerMember = { memberId: "c-1", topics: ["t"], ownedPartitions: { t: [0] }, generation: 3 };
 * assert.deepEqual(m.topics, ["t"]);
 * ```
 */
export interface AssignerMember {
  /** Member id; members are ordered by it. */
  memberId: string;
  /** Subscribed topics. */
  topics: string[];
  /** Partitions the member owns now (cooperative protocol). */
  ownedPartitions?: Assignment;
  /** Generation in which `ownedPartitions` were assigned. */
  generation?: number;
  /** The member's protocol metadata for the chosen assignor. */
  metadata?: Uint8Array;
}

/**
 * What an assignor is given.
 *
 * @example Input for an assignor
 * ```ts
 * import assert from "node:assert/strict";
 * import { type AssignInput, range } from "./mod.ts";
 * const input: AssignInput = { members: [{ memberId: "a", topics: ["t"] }], partitionsPerTopic: { t: 2 } };
 * assert.deepEqual(range.assign(input), { a: { t: [0, 1] } });
 * ```
 */
export interface AssignInput {
  /** The members that joined this generation. */
  members: AssignerMember[];
  /** Partition count of every subscribed topic. */
  partitionsPerTopic: Record<string, number>;
}

/**
 * A partition assignment strategy.
 *
 * @example Everything to the first member
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, type PartitionAssigner } from "./mod.ts";
 * const greedy: PartitionAssigner = {
 *   name: "greedy",
 *   rebalanceProtocol: "eager",
 *   assign: ({ members, partitionsPerTopic }) =>
 *     Object.fromEntries(members.map((m, i) => [
 *       m.memberId,
 *       i === 0 ? Object.fromEntries(Object.entries(partitionsPerTopic).map(([t, n]) => [t, [...Array(n).keys()]])) : {},
 *     ])),
 * };
 * assert.equal(typeof new Kafka({}).consumer({ groupId: "g", partitionAssigners: [greedy] }).run, "function");
 * ```
 */
export interface PartitionAssigner {
  /** Protocol name (`"roundrobin"`, `"range"`, `"cooperative-sticky"`). */
  name: string;
  /** Eager assignors revoke everything on rebalance; cooperative ones only what moves. */
  rebalanceProtocol: "eager" | "cooperative";
  /** Computes every member's partitions (a kafkajs assigner is async). */
  assign(
    input: AssignInput,
  ): Record<string, Assignment> | Promise<Record<string, Assignment>>;
  /** This member's metadata for the protocol (kafkajs's `protocol()`). */
  protocolMetadata?(topics: string[]): Uint8Array;
}

/**
 * An assignor that computes its plan at once (this module's assignors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { range, type SyncAssigner } from "./mod.ts";
 * const a: SyncAssigner = range;
 * assert.deepEqual(a.assign({ members: [{ memberId: "m", topics: ["t"] }], partitionsPerTopic: { t: 1 } }), { m: { t: [0] } });
 * ```
 */
export type SyncAssigner = Omit<PartitionAssigner, "assign"> & {
  assign(input: AssignInput): Record<string, Assignment>;
};

type TP = [string, number];

function sortedIds(members: AssignerMember[]): AssignerMember[] {
  return [...members].sort((a, b) =>
    a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0
  );
}

function emptyResult(members: AssignerMember[]): Record<string, Assignment> {
  const out: Record<string, Assignment> = {};
  for (const m of members) out[m.memberId] = {};
  return out;
}

function put(out: Record<string, Assignment>, id: string, [t, p]: TP): void {
  (out[id]![t] ??= []).push(p);
}

function allPartitions(input: AssignInput, topics: Iterable<string>): TP[] {
  const list: TP[] = [];
  for (const t of [...new Set(topics)].sort()) {
    const n = input.partitionsPerTopic[t];
    if (n === undefined) continue;
    for (let p = 0; p < n; p++) list.push([t, p]);
  }
  return list;
}

/**
 * Kafka's RangeAssignor: for each topic, the subscribed members sorted by id
 * get contiguous ranges; the first `partitions % members` get one extra.
 *
 * @example Kafka's documented example
 * ```ts
 * import assert from "node:assert/strict";
 * import { range } from "./assignors.ts";
 * const out = range.assign({
 *   members: [{ memberId: "C0", topics: ["t0", "t1"] }, { memberId: "C1", topics: ["t0", "t1"] }],
 *   partitionsPerTopic: { t0: 3, t1: 3 },
 * });
 * assert.deepEqual([out.C0, out.C1], [{ t0: [0, 1], t1: [0, 1] }, { t0: [2], t1: [2] }]);
 * ```
 */
export const range: SyncAssigner = {
  name: "range",
  rebalanceProtocol: "eager",
  assign(input: AssignInput): Record<string, Assignment> {
    const out = emptyResult(input.members);
    const topics = new Set(input.members.flatMap((m) => m.topics));
    for (const t of [...topics].sort()) {
      const n = input.partitionsPerTopic[t];
      if (n === undefined) continue;
      const subs = sortedIds(input.members.filter((m) => m.topics.includes(t)));
      const per = Math.floor(n / subs.length);
      const extra = n % subs.length;
      subs.forEach((m, i) => {
        const start = per * i + Math.min(i, extra);
        const len = per + (i < extra ? 1 : 0);
        for (let p = start; p < start + len; p++) put(out, m.memberId, [t, p]);
      });
    }
    return out;
  },
};

/**
 * Kafka's RoundRobinAssignor: all partitions sorted by topic and number are
 * dealt to the members sorted by id in circular order, skipping members not
 * subscribed to the partition's topic. The default here, as in kafkajs.
 *
 * @example Kafka's documented example
 * ```ts
 * import assert from "node:assert/strict";
 * import { roundRobin } from "./assignors.ts";
 * const out = roundRobin.assign({
 *   members: [{ memberId: "C0", topics: ["t0", "t1"] }, { memberId: "C1", topics: ["t0", "t1"] }],
 *   partitionsPerTopic: { t0: 3, t1: 3 },
 * });
 * assert.deepEqual([out.C0, out.C1], [{ t0: [0, 2], t1: [1] }, { t0: [1], t1: [0, 2] }]);
 * ```
 */
export const roundRobin: SyncAssigner = {
  name: "roundrobin",
  rebalanceProtocol: "eager",
  assign(input: AssignInput): Record<string, Assignment> {
    const out = emptyResult(input.members);
    const members = sortedIds(input.members);
    if (members.length === 0) return out;
    let i = 0;
    for (const tp of allPartitions(input, members.flatMap((m) => m.topics))) {
      let tries = 0;
      while (!members[i % members.length]!.topics.includes(tp[0])) {
        i++;
        if (++tries > members.length) break;
      }
      if (tries > members.length) continue;
      put(out, members[i % members.length]!.memberId, tp);
      i++;
    }
    return out;
  },
};

function key([t, p]: TP): string {
  return tpKey(t, p);
}

/**
 * Kafka's CooperativeStickyAssignor. Members keep the partitions they own
 * up to a balanced quota (`floor` or `ceil` of partitions / members); the
 * rest are dealt round-robin to members below quota. A partition that would
 * change owner is left out of this generation so its old owner revokes it;
 * the follow-up rebalance hands it to the new owner.
 *
 * @example Initial assignment from Kafka's StickyAssignor documentation
 * ```ts
 * import assert from "node:assert/strict";
 * import { cooperativeSticky } from "./assignors.ts";
 * const topics = ["t0", "t1", "t2", "t3"];
 * const out = cooperativeSticky.assign({
 *   members: ["C0", "C1", "C2"].map((memberId) => ({ memberId, topics })),
 *   partitionsPerTopic: { t0: 2, t1: 2, t2: 2, t3: 2 },
 * });
 * assert.deepEqual(out.C0, { t0: [0], t1: [1], t3: [0] });
 * ```
 */
export const cooperativeSticky: SyncAssigner = {
  name: "cooperative-sticky",
  rebalanceProtocol: "cooperative",
  assign(input: AssignInput): Record<string, Assignment> {
    const members = sortedIds(input.members);
    const out = emptyResult(members);
    if (members.length === 0) return out;
    const all = allPartitions(input, members.flatMap((m) => m.topics));
    const byKey = new Map(all.map((tp) => [key(tp), tp]));
    // Claims: a partition owned by several members goes to the highest generation.
    const owner = new Map<string, { id: string; gen: number }>();
    for (const m of members) {
      for (const [t, ps] of Object.entries(m.ownedPartitions ?? {})) {
        if (!m.topics.includes(t)) continue;
        for (const p of ps) {
          const k = key([t, p]);
          if (!byKey.has(k)) continue;
          const gen = m.generation ?? -1;
          const prev = owner.get(k);
          if (!prev || gen > prev.gen) owner.set(k, { id: m.memberId, gen });
        }
      }
    }
    const owned = new Map<string, TP[]>(members.map((m) => [m.memberId, []]));
    for (const tp of all) {
      const o = owner.get(key(tp));
      if (o) owned.get(o.id)!.push(tp);
    }
    const counts = new Map<string, number>();
    const assigned = new Set<string>();
    const give = (id: string, tp: TP) => {
      put(out, id, tp);
      assigned.add(key(tp));
      counts.set(id, (counts.get(id) ?? 0) + 1);
    };
    const sameTopics = members.every((m) =>
      m.topics.length === members[0]!.topics.length &&
      m.topics.every((t) => members[0]!.topics.includes(t))
    );
    if (sameTopics) {
      const total = all.length;
      const minQuota = Math.floor(total / members.length);
      const maxQuota = Math.ceil(total / members.length);
      let overMin = total % members.length;
      const under: string[] = [];
      const atMin: string[] = [];
      for (const m of members) {
        const mine = owned.get(m.memberId)!;
        let keep: number;
        if (mine.length >= maxQuota && overMin > 0) {
          keep = maxQuota;
          overMin--;
        } else if (mine.length >= minQuota) {
          keep = minQuota;
          if (minQuota !== maxQuota) atMin.push(m.memberId);
        } else {
          keep = mine.length;
          under.push(m.memberId);
        }
        mine.slice(0, keep).forEach((tp) => give(m.memberId, tp));
      }
      const unassigned = all.filter((tp) => !assigned.has(key(tp)));
      let i = 0;
      for (const tp of unassigned) {
        if (under.length > 0) {
          if (i >= under.length) i = 0;
          const id = under[i]!;
          give(id, tp);
          if (counts.get(id)! >= minQuota) {
            under.splice(i, 1);
            if (minQuota !== maxQuota) atMin.push(id);
          } else i++;
        } else {
          const id = atMin.shift();
          if (id === undefined) break;
          give(id, tp);
        }
      }
    } else {
      // Mixed subscriptions: keep owned partitions while under the fair
      // share, then hand each remaining partition to the least-loaded
      // subscribed member.
      const fair = new Map<string, number>();
      for (const m of members) {
        const eligible = all.filter(([t]) => m.topics.includes(t)).length;
        fair.set(
          m.memberId,
          Math.ceil(
            eligible /
              members.filter((o) => o.topics.some((t) => m.topics.includes(t)))
                .length,
          ),
        );
      }
      for (const m of members) {
        for (const tp of owned.get(m.memberId)!) {
          if ((counts.get(m.memberId) ?? 0) < fair.get(m.memberId)!) {
            give(m.memberId, tp);
          }
        }
      }
      for (const tp of all) {
        if (assigned.has(key(tp))) continue;
        const subs = members.filter((m) => m.topics.includes(tp[0]));
        if (subs.length === 0) continue;
        subs.sort((a, b) =>
          (counts.get(a.memberId) ?? 0) - (counts.get(b.memberId) ?? 0)
        );
        give(subs[0]!.memberId, tp);
      }
    }
    // Cooperative step: hold back partitions whose owner changes.
    for (const m of members) {
      const a = out[m.memberId]!;
      for (const t of Object.keys(a)) {
        a[t] = a[t]!.filter((p) => {
          const o = owner.get(key([t, p]));
          return !o || o.id === m.memberId;
        });
        if (a[t]!.length === 0) delete a[t];
        else a[t]!.sort((x, y) => x - y);
      }
    }
    return out;
  },
};

// kafkajs's Encoder and Decoder for the consumer protocol: int16, int32,
// strings with an int16 length, bytes with an int32 length, arrays with an
// int32 count.
class Writer {
  #parts: Uint8Array[] = [];
  int16(n: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setInt16(0, n);
    this.#parts.push(b);
    return this;
  }
  int32(n: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n);
    this.#parts.push(b);
    return this;
  }
  string(s: string): this {
    const b = new TextEncoder().encode(s);
    this.int16(b.length);
    this.#parts.push(b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.int32(b.length);
    this.#parts.push(b);
    return this;
  }
  get buffer(): Buffer {
    return Buffer.concat(this.#parts);
  }
}

class Reader {
  #view: DataView;
  #p = 0;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  get remaining(): number {
    return this.bytes.length - this.#p;
  }
  #need(n: number): void {
    if (this.remaining < n) {
      throw new KafkaJSNonRetriableError(
        `Consumer protocol bytes end early: ${n} more needed at byte ${this.#p} of ${this.bytes.length}`,
      );
    }
  }
  int16(): number {
    this.#need(2);
    const n = this.#view.getInt16(this.#p);
    this.#p += 2;
    return n;
  }
  int32(): number {
    this.#need(4);
    const n = this.#view.getInt32(this.#p);
    this.#p += 4;
    return n;
  }
  string(): string {
    const n = this.int16();
    this.#need(n);
    const s = new TextDecoder().decode(
      this.bytes.subarray(this.#p, this.#p + n),
    );
    this.#p += n;
    return s;
  }
  bytesField(): Buffer {
    const n = this.int32();
    if (n < 0) return Buffer.alloc(0);
    this.#need(n);
    const b = Buffer.from(this.bytes.subarray(this.#p, this.#p + n));
    this.#p += n;
    return b;
  }
}

/**
 * kafkajs's `AssignerProtocol`: a member's metadata (`version`, subscribed
 * `topics`, `userData`) and assignment (`version`, topic → partitions,
 * `userData`) in Kafka's consumer-protocol format, for custom assigners.
 *
 * @example Round trip
 * ```ts
 * import assert from "node:assert/strict";
 * import { AssignerProtocol } from "./mod.ts";
 * const { MemberMetadata, MemberAssignment } = AssignerProtocol;
 * const metadata = MemberMetadata.encode({ version: 1, topics: ["a", "b"] });
 * assert.deepEqual(MemberMetadata.decode(metadata).topics, ["a", "b"]);
 * const assignment = MemberAssignment.encode({ version: 1, assignment: { a: [0, 2] } });
 * assert.deepEqual(MemberAssignment.decode(assignment)!.assignment, { a: [0, 2] });
 * ```
 */
export const AssignerProtocol: {
  readonly MemberMetadata: {
    encode(
      metadata: { version: number; topics: string[]; userData?: Uint8Array },
    ): Buffer;
    decode(
      buffer: Uint8Array,
    ): { version: number; topics: string[]; userData: Buffer };
  };
  readonly MemberAssignment: {
    encode(
      assignment: {
        version: number;
        assignment: Assignment;
        userData?: Uint8Array;
      },
    ): Buffer;
    decode(
      buffer: Uint8Array,
    ): { version: number; assignment: Assignment; userData: Buffer } | null;
  };
} = {
  MemberMetadata: {
    encode({ version, topics, userData = new Uint8Array(0) }) {
      const w = new Writer().int16(version).int32(topics.length);
      for (const t of topics) w.string(t);
      return w.bytes(userData).buffer;
    },
    decode(buffer) {
      const r = new Reader(buffer);
      const version = r.int16();
      const topics: string[] = [];
      for (let n = r.int32(); n > 0; n--) topics.push(r.string());
      return { version, topics, userData: r.bytesField() };
    },
  },
  MemberAssignment: {
    encode({ version, assignment, userData = new Uint8Array(0) }) {
      const topics = Object.keys(assignment);
      const w = new Writer().int16(version).int32(topics.length);
      for (const t of topics) {
        w.string(t).int32(assignment[t]!.length);
        for (const p of assignment[t]!) w.int32(p);
      }
      return w.bytes(userData).buffer;
    },
    decode(buffer) {
      const r = new Reader(buffer);
      if (r.remaining < 2) return null;
      const version = r.int16();
      const assignment: Assignment = {};
      for (let n = r.int32(); n > 0; n--) {
        const topic = r.string();
        const partitions: number[] = [];
        for (let m = r.int32(); m > 0; m--) partitions.push(r.int32());
        assignment[topic] = partitions;
      }
      return { version, assignment, userData: r.bytesField() };
    },
  },
};

/**
 * A kafkajs assigner factory: given the cluster, the assigner.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type KafkajsAssignerFactory, PartitionAssigners } from "./mod.ts";
 * const factory: KafkajsAssignerFactory = PartitionAssigners.roundRobin;
 * assert.equal(typeof factory, "function");
 * ```
 */
export type KafkajsAssignerFactory = (
  context: {
    cluster: {
      findTopicPartitionMetadata(topic: string): { partitionId: number }[];
    };
  },
) => KafkajsAssigner;

/**
 * A kafkajs assigner, as its factories return it.
 *
 * @example A do-nothing assigner
 * ```ts
 * import assert from "node:assert/strict";
 * import type { KafkajsAssigner } from "./mod.ts";
 * const none: KafkajsAssigner = {
 *   name: "None", version: 0,
 *   assign: () => Promise.resolve([]),
 *   protocol: () => ({ name: "None", metadata: new Uint8Array(0) }),
 * };
 * assert.equal(none.name, "None");
 * ```
 */
export interface KafkajsAssigner {
  /** Protocol name. */
  name: string;
  /** Metadata version. */
  version: number;
  /** The plan: every member's encoded assignment. */
  assign(group: {
    members: { memberId: string; memberMetadata: Buffer }[];
    topics: string[];
  }): Promise<{ memberId: string; memberAssignment: Uint8Array }[]>;
  /** This member's protocol: its name and encoded metadata. */
  protocol(subscription: { topics: string[] }): {
    name: string;
    metadata: Uint8Array;
  };
}

/**
 * Runs a kafkajs-style assigner (async `assign` over encoded member
 * metadata, encoded assignments back) as a group assignor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromKafkajsAssigner, PartitionAssigners } from "./mod.ts";
 * const cluster = { findTopicPartitionMetadata: () => [{ partitionId: 0 }] };
 * const a = fromKafkajsAssigner(PartitionAssigners.roundRobin({ cluster }));
 * assert.deepEqual(await a.assign({ members: [{ memberId: "m", topics: ["t"] }], partitionsPerTopic: { t: 1 } }), { m: { t: [0] } });
 * ```
 */
export function fromKafkajsAssigner(a: KafkajsAssigner): PartitionAssigner {
  if (
    !a || typeof a.name !== "string" || typeof a.assign !== "function" ||
    typeof a.protocol !== "function"
  ) {
    throw new KafkaJSNonRetriableError(
      `Partition assigner must have a name, assign() and protocol(): ${
        JSON.stringify(a)
      }`,
    );
  }
  return {
    name: a.name,
    rebalanceProtocol: "eager",
    protocolMetadata: (topics) => a.protocol({ topics }).metadata,
    async assign({ members }) {
      const topics = [...new Set(members.flatMap((m) => m.topics))];
      const plan = await a.assign({
        members: members.map((m) => ({
          memberId: m.memberId,
          memberMetadata: Buffer.from(
            m.metadata ??
              AssignerProtocol.MemberMetadata.encode({
                version: a.version ?? 0,
                topics: m.topics,
              }),
          ),
        })),
        topics,
      });
      const out: Record<string, Assignment> = {};
      for (const { memberId, memberAssignment } of plan ?? []) {
        out[memberId] =
          AssignerProtocol.MemberAssignment.decode(memberAssignment)
            ?.assignment ?? {};
      }
      return out;
    },
  };
}

/**
 * kafkajs's round-robin assigner factory (protocol `RoundRobinAssigner`,
 * the default): the partitions of the subscribed topics, in topic order,
 * dealt to the members sorted by id.
 *
 * @example Used by default
 * ```ts
 * import assert from "node:assert/strict";
 * import { PartitionAssigners } from "./mod.ts";
 * const cluster = { findTopicPartitionMetadata: () => [0, 1, 2].map((partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0] })) };
 * const assigner = PartitionAssigners.roundRobin({ cluster });
 * assert.equal(assigner.name, "RoundRobinAssigner");
 * ```
 */
export function kafkajsRoundRobin(
  { cluster }: {
    cluster: {
      findTopicPartitionMetadata(topic: string): { partitionId: number }[];
    };
  },
): KafkajsAssigner {
  return {
    name: "RoundRobinAssigner",
    version: 0,
    assign({ members, topics }) {
      const sorted = members.map((m) => m.memberId).sort();
      const assignment: Record<string, Assignment> = {};
      const all = topics.flatMap((topic) =>
        cluster.findTopicPartitionMetadata(topic).map((m) => ({
          topic,
          partitionId: m.partitionId,
        }))
      );
      all.forEach(({ topic, partitionId }, i) => {
        const member = sorted[i % sorted.length]!;
        ((assignment[member] ??= {})[topic] ??= []).push(partitionId);
      });
      return Promise.resolve(
        Object.keys(assignment).map((memberId) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: this.version,
            assignment: assignment[memberId]!,
          }),
        })),
      );
    },
    protocol({ topics }) {
      return {
        name: this.name,
        metadata: AssignerProtocol.MemberMetadata.encode({
          version: this.version,
          topics,
        }),
      };
    },
  };
}

/**
 * The assignors for `consumer({ partitionAssigners })`: kafkajs's
 * `roundRobin` factory (the default), and Kafka's `range` and
 * `cooperativeSticky`.
 *
 * @example Choose the range assignor
 * ```ts
 * import assert from "node:assert/strict";
 * import { Kafka, PartitionAssigners } from "./mod.ts";
 * const consumer = new Kafka({}).consumer({
 *   groupId: "g",
 *   partitionAssigners: [PartitionAssigners.range],
 * });
 * assert.equal(typeof consumer.run, "function");
 * ```
 */
export const PartitionAssigners: {
  readonly roundRobin: KafkajsAssignerFactory;
  readonly range: SyncAssigner;
  readonly cooperativeSticky: SyncAssigner;
} = { roundRobin: kafkajsRoundRobin, range, cooperativeSticky };
