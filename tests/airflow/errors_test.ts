import assert from "node:assert/strict";
import {
  AirflowError,
  AirflowFailException,
  AirflowSensorTimeout,
  AirflowSkipException,
  BranchOperator,
  CommandOperator,
  DAG,
  ExternalTaskSensor,
  Scheduler,
  ShortCircuitOperator,
  type Task,
} from "../../airflow/mod.ts";

Deno.test("AirflowError family sets name and cause", () => {
  const cause = new Error("disk");
  const e = new AirflowError("Cannot write state file: x", { cause });
  assert.equal(e.name, "AirflowError");
  assert.equal(e.cause, cause);
  const kinds = [
    [new AirflowSkipException(), "AirflowSkipException"],
    [new AirflowFailException("Bad: x"), "AirflowFailException"],
    [new AirflowSensorTimeout("Late: x"), "AirflowSensorTimeout"],
  ] as const;
  for (const [error, name] of kinds) {
    assert.equal(error.name, name);
    assert.ok(error instanceof AirflowError);
  }
  assert.ok(new AirflowSensorTimeout("x") instanceof AirflowFailException);
});

Deno.test("DAG.add(), DAG.branch() and operators reject bad arguments with typed errors", () => {
  const dag = new DAG("bad_inputs");
  assert.throws(() => dag.add({ taskId: "fake" } as unknown as Task), {
    name: "AirflowError",
    message: "Only tasks, operators and sensors can be added: [object Object]",
  });
  assert.throws(
    () => dag.branch("b", 42 as unknown as () => string),
    /Branch callable must be a function: b got number/,
  );
  assert.throws(
    () =>
      new ShortCircuitOperator({
        taskId: "s",
        fn: null as unknown as () => boolean,
      }),
    /Short-circuit callable must be a function: s got object/,
  );
  assert.throws(
    () => new CommandOperator({ taskId: "c", command: 5 as unknown as string }),
    /Command must be a string, URL or non-empty string array: 5/,
  );
  assert.throws(
    () => new ExternalTaskSensor({ taskId: "e", externalDagId: "" }),
    /ExternalTaskSensor externalDagId must be a non-empty string: ""/,
  );
  assert.throws(
    () => new BranchOperator({ taskId: "x y", fn: () => null }),
    /Task id must match/,
  );
  const t = dag.task("t", () => 1);
  const other = new DAG("other");
  assert.throws(
    () => other.add(t),
    /Task already belongs to DAG bad_inputs: t/,
  );
  assert.throws(
    () => dag.task("p", () => 1, { pool: "p", poolSlots: 1.5 }),
    /poolSlots must be a non-negative integer: 1.5/,
  );
  assert.throws(
    () => dag.task("w", () => 1, { weightRule: "sideways" as "absolute" }),
    /Unknown weight rule: "sideways"/,
  );
  assert.throws(
    () => dag.task("pw", () => 1, { priorityWeight: Infinity }),
    /priorityWeight must be a finite number: Infinity/,
  );
  assert.throws(
    () => new Scheduler({} as unknown as { dags: DAG[] }),
    /Scheduler needs a dags array: undefined/,
  );
});

Deno.test("DAG.test() rejects a task needing more pool slots than the pool has, and a bad logical date", async () => {
  const dag = new DAG("slots");
  dag.task("fat", () => 1, { pool: "small", poolSlots: 3 });
  await assert.rejects(
    dag.test({ pools: { small: 2 } }),
    /Task fat needs more slots than pool small has: 3/,
  );
  await assert.rejects(
    dag.test({ pools: { small: 0 } }),
    /Pool size must be a positive integer: small=0/,
  );
  await assert.rejects(
    dag.test({ pools: { small: 4 }, logicalDate: Number.NaN }),
    /Logical date is not a valid date: NaN/,
  );
});
