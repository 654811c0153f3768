import assert from "node:assert/strict";
import {
  AirflowSkipException,
  DAG,
  evaluateTriggerRule,
  LocalExecutor,
  type TaskState,
  type TriggerRule,
} from "../../airflow/mod.ts";

type Up = "S" | "F" | "K" | "U";
const COMBOS: Up[][] = [
  ["S", "S"],
  ["S", "F"],
  ["S", "K"],
  ["K", "K"],
  ["F", "F"],
  ["F", "U"],
  ["S", "U"],
  [
    "K",
    "F",
  ],
];

// Final state of a task with two upstream tasks in the given states, per
// Airflow's TriggerRuleDep. "run" means the task runs (and succeeds).
const TABLE: Record<TriggerRule, string[]> = {
  all_success: [
    "run",
    "upstream_failed",
    "skipped",
    "skipped",
    "upstream_failed",
    "upstream_failed",
    "upstream_failed",
    "upstream_failed",
  ],
  all_failed: [
    "skipped",
    "skipped",
    "skipped",
    "skipped",
    "run",
    "run",
    "skipped",
    "skipped",
  ],
  all_done: ["run", "run", "run", "run", "run", "run", "run", "run"],
  // Airflow 3.1: a skip settles it; otherwise it needs one success.
  all_done_min_one_success: [
    "run",
    "run",
    "skipped",
    "skipped",
    "upstream_failed",
    "upstream_failed",
    "run",
    "skipped",
  ],
  // Without setup tasks upstream it is all_done.
  all_done_setup_success: [
    "run",
    "run",
    "run",
    "run",
    "run",
    "run",
    "run",
    "run",
  ],
  all_skipped: [
    "skipped",
    "skipped",
    "skipped",
    "run",
    "skipped",
    "skipped",
    "skipped",
    "skipped",
  ],
  one_success: [
    "run",
    "run",
    "run",
    "skipped",
    "upstream_failed",
    "upstream_failed",
    "run",
    "upstream_failed",
  ],
  one_failed: [
    "skipped",
    "run",
    "skipped",
    "skipped",
    "run",
    "run",
    "run",
    "run",
  ],
  one_done: ["run", "run", "run", "skipped", "run", "run", "run", "run"],
  none_failed: [
    "run",
    "upstream_failed",
    "run",
    "run",
    "upstream_failed",
    "upstream_failed",
    "upstream_failed",
    "upstream_failed",
  ],
  none_skipped: [
    "run",
    "run",
    "skipped",
    "skipped",
    "run",
    "run",
    "run",
    "skipped",
  ],
  none_failed_min_one_success: [
    "run",
    "upstream_failed",
    "run",
    "skipped",
    "upstream_failed",
    "upstream_failed",
    "upstream_failed",
    "upstream_failed",
  ],
  always: ["run", "run", "run", "run", "run", "run", "run", "run"],
};

function counts(states: Up[]) {
  const n = (s: Up) => states.filter((x) => x === s).length;
  return {
    upstream: states.length,
    success: n("S"),
    failed: n("F"),
    skipped: n("K"),
    upstreamFailed: n("U"),
    done: states.length,
  };
}

Deno.test("evaluateTriggerRule() matches Airflow's table once every upstream is done", () => {
  for (
    const [rule, row] of Object.entries(TABLE) as [TriggerRule, string[]][]
  ) {
    COMBOS.forEach((combo, k) => {
      assert.equal(
        evaluateTriggerRule(rule, counts(combo)),
        row[k],
        `${rule} ${combo}`,
      );
    });
  }
});

Deno.test("evaluateTriggerRule() waits or settles early as Airflow does", () => {
  const partial = (
    s: number,
    f: number,
    k: number,
    u: number,
    upstream = 3,
  ) => ({
    upstream,
    success: s,
    failed: f,
    skipped: k,
    upstreamFailed: u,
    done: s + f + k + u,
  });
  assert.equal(evaluateTriggerRule("all_success", partial(2, 0, 0, 0)), "wait");
  assert.equal(
    evaluateTriggerRule("all_success", partial(0, 1, 0, 0)),
    "upstream_failed",
  );
  assert.equal(
    evaluateTriggerRule("all_success", partial(0, 0, 1, 0)),
    "skipped",
  );
  assert.equal(evaluateTriggerRule("one_success", partial(1, 0, 0, 0)), "run");
  assert.equal(evaluateTriggerRule("one_failed", partial(0, 0, 0, 1)), "run");
  assert.equal(evaluateTriggerRule("one_failed", partial(2, 0, 0, 0)), "wait");
  assert.equal(
    evaluateTriggerRule("all_failed", partial(1, 0, 0, 0)),
    "skipped",
  );
  assert.equal(evaluateTriggerRule("none_failed", partial(2, 0, 0, 0)), "wait");
  assert.equal(
    evaluateTriggerRule("none_skipped", partial(0, 0, 1, 0)),
    "skipped",
  );
  assert.equal(evaluateTriggerRule("all_done", partial(1, 1, 0, 0)), "wait");
  assert.equal(evaluateTriggerRule("always", partial(0, 0, 0, 0)), "run");
  assert.equal(
    evaluateTriggerRule("all_failed", partial(0, 0, 0, 0, 0)),
    "run",
    "no upstream: runs",
  );
  assert.throws(
    () => evaluateTriggerRule("nope" as TriggerRule, partial(0, 0, 0, 0)),
    /Unknown trigger rule: "nope"/,
  );
});

function producer(dag: DAG, id: string, s: Up): string {
  if (s === "S") dag.task(id, () => 1);
  if (s === "F") {
    dag.task(id, () => {
      throw new Error("boom");
    });
  }
  if (s === "K") {
    dag.task(id, () => {
      throw new AirflowSkipException();
    });
  }
  if (s === "U") {
    dag.task(`${id}_parent`, () => {
      throw new Error("parent boom");
    }).then(dag.task(id, () => 1));
  }
  return id;
}

Deno.test("DAG.test() applies every trigger rule as upstream tasks finish, one at a time", async () => {
  const letter: Record<string, Up> = {
    success: "S",
    failed: "F",
    skipped: "K",
    upstream_failed: "U",
  };
  let settledEarly = 0;
  for (
    const [rule, row] of Object.entries(TABLE) as [TriggerRule, string[]][]
  ) {
    for (let k = 0; k < COMBOS.length; k++) {
      const dag = new DAG(`rule_${rule}_${k}`);
      const ups = COMBOS[k]!.map((s, j) => producer(dag, `up${j}`, s));
      const target = dag.task("target", () => "ran", { triggerRule: rule });
      for (const u of ups) dag.getTask(u).then(target);
      target.then(dag.task("after", () => 1));
      const finished: Up[] = [];
      const result = await dag.test({
        onTransition: (id, state) => {
          if (ups.includes(id) && letter[state]) finished.push(letter[state]!);
        },
      });
      assert.deepEqual([...finished].sort(), [...COMBOS[k]!].sort());
      // The rule is applied after each upstream finishes; the first decision sticks.
      let want = "wait";
      for (let m = 1; m <= finished.length && want === "wait"; m++) {
        const c = counts(finished.slice(0, m));
        want = evaluateTriggerRule(rule, { ...c, upstream: finished.length });
        if (want !== "wait" && m < finished.length) settledEarly++;
      }
      if (finished.length === COMBOS[k]!.length && want !== "run") {
        // Early settling can only differ from the all-done table by skipping.
        assert.ok(
          want === row[k] || want === "skipped",
          `${rule} ${COMBOS[k]}`,
        );
      }
      const state = want === "run" ? "success" : want as TaskState;
      assert.equal(
        result.tasks.target!.state,
        state,
        `${rule} with ${finished}`,
      );
      assert.equal(
        result.tasks.after!.state,
        state,
        `after ${rule} with ${finished}`,
      );
      assert.equal(result.tasks.target!.tryNumber, state === "success" ? 1 : 0);
    }
  }
  assert.ok(
    settledEarly > 0,
    "some rules settle before every upstream finishes",
  );
});

Deno.test("DAG.test() matches the table wherever the outcome does not depend on finish order", async () => {
  for (
    const [rule, row] of Object.entries(TABLE) as [TriggerRule, string[]][]
  ) {
    for (let k = 0; k < COMBOS.length; k++) {
      const combo = COMBOS[k]!;
      if (combo.includes("K") && combo.some((x) => x !== "K")) continue; // order-dependent
      const dag = new DAG(`together_${rule}_${k}`);
      const ups = combo.map((s, j) => producer(dag, `up${j}`, s));
      const target = dag.task("target", () => "ran", { triggerRule: rule });
      for (const u of ups) dag.getTask(u).then(target);
      const result = await dag.test();
      const want = row[k] === "run" ? "success" : row[k];
      assert.equal(result.tasks.target!.state, want, `${rule} with ${combo}`);
    }
  }
});

Deno.test("DAG.test() starts a one_success task before its other upstream tasks finish", async () => {
  const dag = new DAG("early");
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let slowDoneFirst = false;
  const fast = dag.task("fast", () => 1);
  const slow = dag.task("slow", async () => {
    await gate;
    return 2;
  });
  const target = dag.task("target", () => {
    slowDoneFirst = false;
    release();
  }, { triggerRule: "one_success" });
  fast.then(target);
  slow.then(target);
  const result = await dag.test({
    executor: new LocalExecutor({ parallelism: 4 }),
  });
  assert.equal(result.state, "success");
  assert.equal(slowDoneFirst, false);
  assert.ok(result.tasks.target!.startDate! <= result.tasks.slow!.endDate!);
});

Deno.test("DAG.test() succeeds when every leaf is success or skipped and fails on a failed leaf", async () => {
  const dag = new DAG("leaves");
  const bad = dag.task("bad", () => {
    throw new Error("x");
  });
  bad.then(dag.task("cleanup", () => 1, { triggerRule: "all_done" }));
  const ok = await dag.test();
  assert.equal(
    ok.state,
    "success",
    "a failed task with an all_done leaf after it",
  );
  dag.task("lonely", () => {
    throw new Error("y");
  });
  const failed = await dag.test();
  assert.equal(failed.state, "failed");
});
