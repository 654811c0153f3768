import assert from "node:assert/strict";
import { cooperativeSticky, range, roundRobin } from "../../kafka/mod.ts";

const same = (ids: string[], topics: string[]) =>
  ids.map((memberId) => ({ memberId, topics }));

Deno.test("range.assign() follows Kafka's RangeAssignor example", () => {
  // Two consumers, topics t0 and t1 with 3 partitions each.
  const out = range.assign({
    members: same(["C0", "C1"], ["t0", "t1"]),
    partitionsPerTopic: { t0: 3, t1: 3 },
  });
  assert.deepEqual(out, {
    C0: { t0: [0, 1], t1: [0, 1] },
    C1: { t0: [2], t1: [2] },
  });
  // Uneven: 7 partitions over 3 members -> 3, 2, 2; only subscribers of a topic share it.
  const uneven = range.assign({
    members: [{ memberId: "b", topics: ["x"] }, {
      memberId: "a",
      topics: ["x", "y"],
    }, { memberId: "c", topics: ["x"] }],
    partitionsPerTopic: { x: 7, y: 2 },
  });
  assert.deepEqual(uneven, {
    a: { x: [0, 1, 2], y: [0, 1] },
    b: { x: [3, 4] },
    c: { x: [5, 6] },
  });
});

Deno.test("roundRobin.assign() follows Kafka's RoundRobinAssignor examples", () => {
  const out = roundRobin.assign({
    members: same(["C0", "C1"], ["t0", "t1"]),
    partitionsPerTopic: { t0: 3, t1: 3 },
  });
  assert.deepEqual(out, {
    C0: { t0: [0, 2], t1: [1] },
    C1: { t0: [1], t1: [0, 2] },
  });
  // Different subscriptions: C0 [t0], C1 [t0, t1], C2 [t0, t1, t2].
  const mixed = roundRobin.assign({
    members: [
      { memberId: "C0", topics: ["t0"] },
      { memberId: "C1", topics: ["t0", "t1"] },
      { memberId: "C2", topics: ["t0", "t1", "t2"] },
    ],
    partitionsPerTopic: { t0: 1, t1: 2, t2: 3 },
  });
  assert.deepEqual(mixed, {
    C0: { t0: [0] },
    C1: { t1: [0] },
    C2: { t1: [1], t2: [0, 1, 2] },
  });
});

Deno.test("cooperativeSticky.assign() matches Kafka's sticky example and stays sticky", () => {
  const topics = ["t0", "t1", "t2", "t3"];
  const partitionsPerTopic = { t0: 2, t1: 2, t2: 2, t3: 2 };
  const first = cooperativeSticky.assign({
    members: same(["C0", "C1", "C2"], topics),
    partitionsPerTopic,
  });
  assert.deepEqual(first, {
    C0: { t0: [0], t1: [1], t3: [0] },
    C1: { t0: [1], t2: [0], t3: [1] },
    C2: { t1: [0], t2: [1] },
  });
  // C1 leaves: C0 and C2 keep all they had and split C1's partitions 4/4.
  const second = cooperativeSticky.assign({
    members: [
      { memberId: "C0", topics, ownedPartitions: first.C0, generation: 1 },
      { memberId: "C2", topics, ownedPartitions: first.C2, generation: 1 },
    ],
    partitionsPerTopic,
  });
  const count = (a: Record<string, number[]>) => Object.values(a).flat().length;
  assert.equal(count(second.C0!), 4);
  assert.equal(count(second.C2!), 4);
  for (const [id, before] of [["C0", first.C0!], ["C2", first.C2!]] as const) {
    for (const [t, ps] of Object.entries(before)) {
      for (const p of ps) {
        assert.ok(second[id]![t]!.includes(p), `${id} keeps ${t}-${p}`);
      }
    }
  }
});

Deno.test("cooperativeSticky.assign() revokes before it moves a partition", () => {
  const topics = ["t"];
  const owned = { A: { t: [0, 1, 2, 3] } };
  const step1 = cooperativeSticky.assign({
    members: [{
      memberId: "A",
      topics,
      ownedPartitions: owned.A,
      generation: 1,
    }, { memberId: "B", topics }],
    partitionsPerTopic: { t: 4 },
  });
  // A keeps two; the two moving to B are held back in this generation.
  assert.deepEqual(step1, { A: { t: [0, 1] }, B: {} });
  const step2 = cooperativeSticky.assign({
    members: [
      { memberId: "A", topics, ownedPartitions: step1.A, generation: 2 },
      { memberId: "B", topics, ownedPartitions: {}, generation: 2 },
    ],
    partitionsPerTopic: { t: 4 },
  });
  assert.deepEqual(step2, { A: { t: [0, 1] }, B: { t: [2, 3] } });
});

Deno.test("assignors skip topics that do not exist and members with nothing", () => {
  for (const a of [range, roundRobin, cooperativeSticky]) {
    const out = a.assign({
      members: same(["m1", "m2"], ["gone"]),
      partitionsPerTopic: {},
    });
    assert.deepEqual(out, { m1: {}, m2: {} }, a.name);
  }
});
