import assert from "node:assert/strict";
import {
  AirflowSkipException,
  DAG,
  evaluateTriggerRule,
  FINISHED_STATES,
  SequentialExecutor,
  type TaskState,
  TriggerRule,
} from "../../airflow/mod.ts";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const RULES = Object.values(TriggerRule);

Deno.test("DAG.test() obeys trigger rules and priority order at every step on random DAGs", async () => {
  for (let seed = 1; seed <= 60; seed++) {
    const r = rng(seed);
    const n = 8 + Math.floor(r() * 25);
    const dag = new DAG(`prop_${seed}`);
    const outcome = new Map<string, "S" | "F" | "K">();
    for (let i = 0; i < n; i++) {
      const id = `t${i}`;
      const x = r();
      outcome.set(id, x < 0.7 ? "S" : x < 0.85 ? "F" : "K");
      const rule = r() < 0.4
        ? "all_success"
        : RULES[Math.floor(r() * RULES.length)]!;
      dag.task(id, () => {
        const o = outcome.get(id);
        if (o === "F") throw new Error("planned failure");
        if (o === "K") throw new AirflowSkipException();
        return id;
      }, { triggerRule: rule, priorityWeight: 1 + Math.floor(r() * 4) });
    }
    for (let j = 1; j < n; j++) {
      for (let i = 0; i < j; i++) {
        if (r() < 0.15) dag.getTask(`t${i}`).then(`t${j}`);
      }
    }
    const weights = dag.priorityWeights();
    const state = new Map<string, TaskState>(
      dag.taskIds.map((id) => [id, "none"]),
    );
    const counts = (id: string) => {
      const ups = dag.getTask(id).upstreamIds.map((u) => state.get(u)!);
      const c = (s: TaskState) => ups.filter((x) => x === s).length;
      return {
        upstream: ups.length,
        success: c("success"),
        failed: c("failed"),
        skipped: c("skipped"),
        upstreamFailed: c("upstream_failed"),
        done: ups.filter((x) => FINISHED_STATES.has(x)).length,
      };
    };
    const problems: string[] = [];
    const result = await dag.test({
      executor: new SequentialExecutor(),
      onTransition: (id, next) => {
        const prev = state.get(id)!;
        const rule = dag.getTask(id).options.triggerRule;
        if (prev === "none") {
          const want = evaluateTriggerRule(rule, counts(id));
          const got = next === "scheduled" ? "run" : next;
          if (want !== got) {
            problems.push(`${id} ${rule}: ${got}, rule says ${want}`);
          }
        }
        if (next === "running") {
          if (prev !== "scheduled") problems.push(`${id} ran from ${prev}`);
          const ready = [...state].filter(([, s]) => s === "scheduled").map((
            [t],
          ) => t);
          ready.sort((a, b) => weights[b]! - weights[a]! || (a < b ? -1 : 1));
          if (ready[0] !== id) problems.push(`${id} ran before ${ready[0]}`);
        }
        state.set(id, next);
      },
    });
    assert.deepEqual(problems, [], `seed ${seed}`);
    for (const [id, ti] of Object.entries(result.tasks)) {
      assert.ok(FINISHED_STATES.has(ti.state), `${id} finished`);
      if (ti.tryNumber > 0) {
        const o = outcome.get(id);
        assert.equal(
          ti.state,
          o === "S" ? "success" : o === "F" ? "failed" : "skipped",
        );
      }
    }
    const leafFailed = dag.tasks.some((t) =>
      t.downstreamIds.length === 0 &&
      ["failed", "upstream_failed"].includes(result.tasks[t.taskId]!.state)
    );
    assert.equal(
      result.state,
      leafFailed ? "failed" : "success",
      `seed ${seed}`,
    );
  }
});
