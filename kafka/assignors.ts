/**
 * Partition assignors with Kafka's rules: `range` (per topic, contiguous
 * ranges to members sorted by id), `roundrobin` (all partitions sorted,
 * dealt to members in circular order, skipping members not subscribed) and
 * `cooperative-sticky` (balanced, keeps owned partitions, and never moves a
 * partition in one step: it is first revoked, then assigned in a follow-up
 * rebalance).
 *
 * @module
 */

/**
 * Partitions per topic: `{ "orders": [0, 2] }`.
 *
 * @example Partitions per topic
 * ```ts
 * import type { Assignment } from "./mod.ts";
 * const a: Assignment = { orders: [0, 2], payments: [1] };
 * console.log(Object.values(a).flat().length); // 3
 * ```
 */
export type Assignment = Record<string, number[]>;

/**
 * A group member as an assignor sees it.
 *
 * @example A member owning a partition
 * ```ts
 * import type { AssignerMember } from "./mod.ts";
 * const m: AssignerMember = { memberId: "c-1", topics: ["t"], ownedPartitions: { t: [0] }, generation: 3 };
 * console.log(m.topics); // ["t"]
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
}

/**
 * What an assignor is given.
 *
 * @example Input for an assignor
 * ```ts
 * import { type AssignInput, range } from "./mod.ts";
 * const input: AssignInput = { members: [{ memberId: "a", topics: ["t"] }], partitionsPerTopic: { t: 2 } };
 * console.log(range.assign(input)); // { a: { t: [0, 1] } }
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
 * console.log(typeof new Kafka({}).consumer({ groupId: "g", partitionAssigners: [greedy] }).run); // function
 * ```
 */
export interface PartitionAssigner {
  /** Protocol name (`"roundrobin"`, `"range"`, `"cooperative-sticky"`). */
  name: string;
  /** Eager assignors revoke everything on rebalance; cooperative ones only what moves. */
  rebalanceProtocol: "eager" | "cooperative";
  /** Computes every member's partitions. */
  assign(input: AssignInput): Record<string, Assignment>;
}

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
 * import { range } from "./assignors.ts";
 * const out = range.assign({
 *   members: [{ memberId: "C0", topics: ["t0", "t1"] }, { memberId: "C1", topics: ["t0", "t1"] }],
 *   partitionsPerTopic: { t0: 3, t1: 3 },
 * });
 * console.log(out.C0, out.C1); // { t0: [0, 1], t1: [0, 1] } { t0: [2], t1: [2] }
 * ```
 */
export const range: PartitionAssigner = {
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
 * import { roundRobin } from "./assignors.ts";
 * const out = roundRobin.assign({
 *   members: [{ memberId: "C0", topics: ["t0", "t1"] }, { memberId: "C1", topics: ["t0", "t1"] }],
 *   partitionsPerTopic: { t0: 3, t1: 3 },
 * });
 * console.log(out.C0, out.C1); // { t0: [0, 2], t1: [1] } { t0: [1], t1: [0, 2] }
 * ```
 */
export const roundRobin: PartitionAssigner = {
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
  return `${t}\u0000${p}`;
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
 * import { cooperativeSticky } from "./assignors.ts";
 * const topics = ["t0", "t1", "t2", "t3"];
 * const out = cooperativeSticky.assign({
 *   members: ["C0", "C1", "C2"].map((memberId) => ({ memberId, topics })),
 *   partitionsPerTopic: { t0: 2, t1: 2, t2: 2, t3: 2 },
 * });
 * console.log(out.C0); // { t0: [0], t1: [1], t3: [0] }
 * ```
 */
export const cooperativeSticky: PartitionAssigner = {
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

/**
 * The assignors by kafkajs-style name, for `consumer({ partitionAssigners })`.
 *
 * @example Choose the range assignor
 * ```ts
 * import { Kafka, PartitionAssigners } from "./mod.ts";
 * const consumer = new Kafka({}).consumer({
 *   groupId: "g",
 *   partitionAssigners: [PartitionAssigners.range],
 * });
 * console.log(typeof consumer.run); // function
 * ```
 */
export const PartitionAssigners: {
  readonly roundRobin: PartitionAssigner;
  readonly range: PartitionAssigner;
  readonly cooperativeSticky: PartitionAssigner;
} = { roundRobin, range, cooperativeSticky };
