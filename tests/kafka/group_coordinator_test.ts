import assert from "node:assert/strict";
import { ManualClock } from "../../internal/clock.ts";
import { roundRobin } from "../../kafka/assignors.ts";
import { KafkaError } from "../../kafka/errors.ts";
import {
  GroupCoordinator,
  type JoinRequest,
} from "../../kafka/broker/_group_coordinator.ts";

function coordinator(clock: ManualClock) {
  const saved: string[] = [];
  const c = new GroupCoordinator({
    clock,
    partitionsFor: (t) => (t === "t" ? 4 : undefined),
    persist: (g) => {
      saved.push(g);
      return Promise.resolve();
    },
  });
  return { c, saved };
}

function req(over: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: "g",
    clientId: "c",
    sessionTimeout: 10_000,
    rebalanceTimeout: 20_000,
    topics: ["t"],
    assigners: [roundRobin],
    ownedPartitions: {},
    onRebalance: () => {},
    ...over,
  };
}

const isType = (type: string) => (e: unknown) =>
  e instanceof KafkaError && e.type === type;

Deno.test("GroupCoordinator.join() waits for every member and bumps the generation", async () => {
  const clock = new ManualClock();
  const { c } = coordinator(clock);
  const a1 = await c.join(req());
  assert.equal(a1.generationId, 1);
  assert.deepEqual(a1.assignment, { t: [0, 1, 2, 3] });
  let aNotified = 0;
  // b joins: a must rejoin before generation 2 starts.
  const bJoin = c.join(req({ clientId: "b" }));
  c.join(req({ memberId: a1.memberId, onRebalance: () => aNotified++ })); // a rejoins at once
  const b = await bJoin;
  assert.equal(b.generationId, 2);
  assert.equal(Object.values(b.assignment).flat().length, 2);
  assert.equal(c.describe("g").members.length, 2);
  assert.equal(aNotified, 0, "a was already rejoining");
  await c.close();
});

Deno.test("GroupCoordinator removes a member that does not rejoin within the rebalance timeout", async () => {
  const clock = new ManualClock();
  const { c } = coordinator(clock);
  let notified = 0;
  const timeouts = { sessionTimeout: 30_000, rebalanceTimeout: 5_000 };
  const a = await c.join(
    req({ clientId: "a", ...timeouts, onRebalance: () => notified++ }),
  );
  // b joins; a is told to rejoin and keeps heartbeating, but never rejoins.
  let done = false;
  const b = c.join(req({ clientId: "b", ...timeouts })).then((
    r,
  ) => (done = true, r));
  assert.equal(notified, 1);
  for (let t = 0; t < 4; t++) {
    await clock.advance(1_000);
    assert.throws(
      () => c.heartbeat("g", a.memberId, 1),
      isType("REBALANCE_IN_PROGRESS"),
    );
  }
  await clock.advance(999);
  assert.equal(done, false);
  await clock.advance(1);
  const r = await b;
  assert.equal(r.generationId, 2);
  assert.deepEqual(r.assignment, { t: [0, 1, 2, 3] });
  assert.throws(
    () => c.heartbeat("g", a.memberId, 2),
    isType("UNKNOWN_MEMBER_ID"),
  );
  await c.close();
});

Deno.test("GroupCoordinator expires a silent member after sessionTimeout on the clock", async () => {
  const clock = new ManualClock();
  const { c } = coordinator(clock);
  const a = await c.join(req({ clientId: "a" }));
  const bJoin = c.join(req({ clientId: "b" }));
  await c.join(req({ memberId: a.memberId, clientId: "a" }));
  const b = await bJoin;
  let rebalanced = 0;
  // b heartbeats; a falls silent.
  for (let t = 0; t < 9; t++) {
    await clock.advance(1_000);
    c.heartbeat("g", b.memberId, b.generationId);
  }
  assert.equal(c.describe("g").members.length, 2);
  await clock.advance(1_000);
  assert.equal(c.describe("g").members.length, 1);
  assert.equal(c.describe("g").state, "PreparingRebalance");
  assert.throws(
    () => c.heartbeat("g", b.memberId, b.generationId),
    isType("REBALANCE_IN_PROGRESS"),
  );
  const again = await c.join(
    req({
      memberId: b.memberId,
      clientId: "b",
      onRebalance: () => rebalanced++,
    }),
  );
  assert.deepEqual(again.assignment, { t: [0, 1, 2, 3] });
  assert.equal(c.describe("g").state, "Stable");
  await c.close();
});

Deno.test("GroupCoordinator.commit() fences stale generations and unknown members", async () => {
  const clock = new ManualClock();
  const { c, saved } = coordinator(clock);
  const a = await c.join(req());
  await c.commit("g", { memberId: a.memberId, generationId: 1 }, [{
    topic: "t",
    partition: 0,
    offset: 5,
  }]);
  assert.equal(c.committed("g", "t", 0)?.offset, 5);
  assert.deepEqual(saved, ["g"]);
  await assert.rejects(
    () =>
      c.commit("g", { memberId: a.memberId, generationId: 0 }, [{
        topic: "t",
        partition: 0,
        offset: 9,
      }]),
    (e: unknown) =>
      isType("ILLEGAL_GENERATION")(e) &&
      /stale generation: 0, group g is at 1/.test((e as Error).message),
  );
  await assert.rejects(
    () => c.commit("g", { memberId: "ghost", generationId: 1 }, []),
    isType("UNKNOWN_MEMBER_ID"),
  );
  await assert.rejects(
    () => c.commit("g", undefined, []),
    /Group has active members/,
  );
  assert.throws(
    () => c.heartbeat("g", a.memberId, 7),
    isType("ILLEGAL_GENERATION"),
  );
  c.leave("g", a.memberId);
  assert.equal(c.describe("g").state, "Empty");
  await c.commit("g", undefined, [{ topic: "t", partition: 1, offset: 2 }]);
  assert.equal(c.committed("g", "t", 1)?.offset, 2);
  await c.close();
});

Deno.test("GroupCoordinator rejects members that share no assignor", async () => {
  const clock = new ManualClock();
  const { c } = coordinator(clock);
  const other = { ...roundRobin, name: "custom" };
  const a = await c.join(req());
  const bJoin = c.join(req({ assigners: [other] }));
  const aJoin = c.join(req({ memberId: a.memberId }));
  await assert.rejects(
    () => bJoin,
    (e: unknown) =>
      isType("INCONSISTENT_GROUP_PROTOCOL")(e) &&
      /share no assignor/.test((e as Error).message),
  );
  await assert.rejects(() => aJoin, isType("INCONSISTENT_GROUP_PROTOCOL"));
  await c.close();
});
