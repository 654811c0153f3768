import assert from "node:assert/strict";
import { DAG, EmptyOperator, ShortCircuitOperator } from "../../airflow/mod.ts";

function branchDag(choice: unknown) {
  const dag = new DAG("branchy");
  const pick = dag.branch("pick", () => choice as string);
  const a = dag.task("a", () => "A");
  const b = dag.task("b", () => "B");
  const c = dag.task("c", () => "C");
  const a2 = dag.task("a2", () => 1);
  const b2 = dag.task("b2", () => 1);
  const join = dag.task("join", () => 1, {
    triggerRule: "none_failed_min_one_success",
  });
  const strict = dag.task("strict", () => 1);
  pick.then([a, b, c]);
  a.then(a2);
  b.then(b2);
  dag.chain([a2, b2, c], [join, join, join]);
  dag.chain([a2, b2], strict);
  return dag;
}

Deno.test("DAG.branch() follows the chosen task and skips the rest, down to the join", async () => {
  const result = await branchDag("a").test();
  const s = (id: string) => result.tasks[id]!.state;
  assert.equal(result.state, "success");
  assert.equal(result.tasks.pick!.xcom, "a");
  assert.deepEqual(["a", "a2", "b", "b2", "c", "join", "strict"].map(s), [
    "success",
    "success",
    "skipped",
    "skipped",
    "skipped",
    "success",
    "skipped",
  ]);
});

Deno.test("DAG.branch() may follow several tasks or none", async () => {
  const many = await branchDag(["b", "c"]).test();
  assert.equal(many.tasks.a!.state, "skipped");
  assert.equal(many.tasks.b!.state, "success");
  assert.equal(many.tasks.c!.state, "success");
  assert.equal(many.tasks.join!.state, "success");
  const none = await branchDag(null).test();
  for (const id of ["a", "b", "c", "a2", "b2", "join", "strict"]) {
    assert.equal(none.tasks[id]!.state, "skipped", id);
  }
  assert.equal(none.state, "success");
});

Deno.test("DAG.branch() fails on an unknown id and follows a task further down as skip_all_except does", async () => {
  const unknown = await branchDag("ghost").test();
  assert.equal(unknown.tasks.pick!.state, "failed");
  assert.equal(
    unknown.tasks.pick!.error,
    'Branch pick returned an unknown task id: "ghost"',
  );
  assert.equal(unknown.tasks.a!.state, "upstream_failed");
  // a2 is not directly downstream: a, on the way to it, is kept; b and c
  // are skipped, and strict (all_success) is skipped by b2.
  const far = await branchDag("a2").test();
  const s = (id: string) => far.tasks[id]!.state;
  assert.deepEqual(["a", "a2", "b", "b2", "c", "join", "strict"].map(s), [
    "success",
    "success",
    "skipped",
    "skipped",
    "skipped",
    "success",
    "skipped",
  ]);
  assert.equal(far.state, "success");
});

Deno.test("DAG.branch() keeps a direct downstream task that is also downstream of the followed one", async () => {
  const dag = new DAG("diamond");
  const pick = dag.branch("pick", () => "work");
  const work = dag.task("work", () => 1);
  const end = dag.task("end", () => 1, {
    triggerRule: "none_failed_min_one_success",
  });
  pick.then([work, end]);
  work.then(end);
  const result = await dag.test();
  assert.equal(result.tasks.end!.state, "success");
});

Deno.test("DAG.shortCircuit() skips everything downstream when falsy, regardless of trigger rules", async () => {
  for (const value of [false, 0, "", null]) {
    const dag = new DAG("gate");
    const gate = dag.shortCircuit("gate", () => value);
    const load = dag.task("load", () => 1);
    const always = dag.task("cleanup", () => 1, { triggerRule: "all_done" });
    gate.then(load).then(always);
    const result = await dag.test();
    assert.equal(result.tasks.gate!.state, "success");
    assert.equal(result.tasks.load!.state, "skipped");
    assert.equal(result.tasks.cleanup!.state, "skipped");
  }
  const dag = new DAG("gate_open");
  dag.shortCircuit("gate", () => "yes").then(dag.task("load", () => 1));
  assert.equal((await dag.test()).tasks.load!.state, "success");
});

Deno.test("ShortCircuitOperator with ignoreDownstreamTriggerRules false lets trigger rules decide", async () => {
  const dag = new DAG("gate_soft");
  const gate = dag.add(
    new ShortCircuitOperator({
      taskId: "gate",
      fn: () => false,
      ignoreDownstreamTriggerRules: false,
    }),
  );
  const load = dag.task("load", () => 1);
  const cleanup = dag.task("cleanup", () => 1, { triggerRule: "all_done" });
  const other = dag.add(new EmptyOperator({ taskId: "other" }));
  const report = dag.task("report", () => 1, { triggerRule: "one_success" });
  gate.then(load).then(cleanup);
  dag.chain([load, other], report);
  const result = await dag.test();
  assert.equal(result.tasks.load!.state, "skipped");
  assert.equal(result.tasks.cleanup!.state, "success");
  assert.equal(result.tasks.report!.state, "success");
});
