import { seededRandom } from "../../internal/random.ts";
import assert from "node:assert/strict";
import {
  AirflowError,
  DAG,
  EmptyOperator,
  LocalExecutor,
  SequentialExecutor,
} from "../../airflow/mod.ts";

/** A seeded generator so random DAGs are reproducible. */
const rng = seededRandom;

/** A random DAG: edges only from lower to higher index, so acyclic. */
function randomDag(
  seed: number,
  n: number,
  p: number,
): { dag: DAG; edges: [string, string][] } {
  const r = rng(seed);
  const dag = new DAG(`random_${seed}`);
  const ids = Array.from(
    { length: n },
    (_, i) => `t${String(i).padStart(3, "0")}`,
  );
  const shuffled = [...ids].sort(() => r() - 0.5);
  for (const id of shuffled) {
    dag.task(id, () => {}, { priorityWeight: 1 + Math.floor(r() * 5) });
  }
  const edges: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (r() < p) {
        dag.getTask(ids[i]!).then(ids[j]!);
        edges.push([ids[i]!, ids[j]!]);
      }
    }
  }
  return { dag, edges };
}

Deno.test("DAG.topologicalOrder() respects every edge on random DAGs", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const { dag, edges } = randomDag(seed, 40, 0.08);
    const order = dag.topologicalOrder();
    assert.equal(order.length, 40);
    assert.equal(new Set(order).size, 40);
    const pos = new Map(order.map((id, i) => [id, i]));
    for (const [a, b] of edges) {
      assert.ok(pos.get(a)! < pos.get(b)!, `${a} before ${b}`);
    }
  }
});

Deno.test("DAG.topologicalOrder() picks the ready task with the highest weight, then the lowest id", () => {
  for (let seed = 100; seed < 115; seed++) {
    const { dag, edges } = randomDag(seed, 30, 0.1);
    const order = dag.topologicalOrder();
    const weights = dag.priorityWeights();
    const ups = new Map<string, string[]>(dag.taskIds.map((id) => [id, []]));
    for (const [a, b] of edges) ups.get(b)!.push(a);
    const done = new Set<string>();
    for (const id of order) {
      const ready = dag.taskIds.filter((t) =>
        !done.has(t) && ups.get(t)!.every((u) => done.has(u))
      );
      ready.sort((a, b) => weights[b]! - weights[a]! || (a < b ? -1 : 1));
      assert.equal(id, ready[0]);
      done.add(id);
    }
  }
});

Deno.test("DAG.priorityWeights() sums unique downstream, upstream or own weights", () => {
  const dag = new DAG("weights");
  const a = dag.task("a", () => {}, { priorityWeight: 1 });
  const b = dag.task("b", () => {}, { priorityWeight: 2 });
  const c = dag.task("c", () => {}, { priorityWeight: 4 });
  const d = dag.task("d", () => {}, { priorityWeight: 8 });
  const up = dag.task("up", () => {}, {
    priorityWeight: 16,
    weightRule: "upstream",
  });
  const abs = dag.task("abs", () => {}, {
    priorityWeight: 32,
    weightRule: "absolute",
  });
  a.then([b, c]);
  b.then(d);
  c.then(d); // d is counted once for a
  d.then(up);
  a.then(abs);
  const w = dag.priorityWeights();
  assert.equal(w.a, 1 + 2 + 4 + 8 + 16 + 32);
  assert.equal(w.b, 2 + 8 + 16);
  assert.equal(w.d, 8 + 16);
  assert.equal(w.up, 16 + 8 + 2 + 4 + 1);
  assert.equal(w.abs, 32);
});

Deno.test("DAG.validate() names the whole cycle path on random DAGs", () => {
  for (let seed = 200; seed < 220; seed++) {
    const { dag } = randomDag(seed, 25, 0.15);
    const order = dag.topologicalOrder();
    // Close a cycle: find a downstream path from some task and link its end back.
    const start = order.find((id) => dag.getTask(id).downstreamIds.length > 0)!;
    const path = [start];
    let cur = start;
    while (dag.getTask(cur).downstreamIds.length > 0 && path.length < 5) {
      cur = dag.getTask(cur).downstreamIds.sort()[0]!;
      path.push(cur);
    }
    dag.getTask(cur).then(start);
    let message = "";
    try {
      dag.validate();
    } catch (error) {
      assert.ok(error instanceof AirflowError);
      message = error.message;
    }
    assert.match(
      message,
      new RegExp(`^Cycle detected in DAG random_${seed}: `),
    );
    const ids = message.split(": ")[1]!.split(" -> ");
    assert.equal(ids[0], ids[ids.length - 1], "path returns to its start");
    for (let k = 0; k + 1 < ids.length; k++) {
      assert.ok(
        dag.getTask(ids[k]!).downstreamIds.includes(ids[k + 1]!),
        `${ids[k]} -> ${ids[k + 1]}`,
      );
    }
  }
});

Deno.test("DAG.test() rejects a cycle with its path", async () => {
  const dag = new DAG("loop");
  const a = dag.task("a", () => {});
  a.then(dag.task("b", () => {})).then(dag.task("c", () => {})).then(a);
  await assert.rejects(dag.test(), {
    name: "AirflowError",
    message: "Cycle detected in DAG loop: a -> b -> c -> a",
  });
  assert.throws(() => a.then(a), /Cycle detected in DAG loop: a -> a/);
});

Deno.test("DAG.task() validates ids, uniqueness, callables and options", () => {
  const dag = new DAG("checks");
  assert.throws(() => dag.task("bad id", () => {}), {
    name: "AirflowError",
    message: 'Task id must match [A-Za-z0-9_.-]{1,250}: "bad id"',
  });
  dag.task("ok", () => {});
  assert.throws(
    () => dag.task("ok", () => {}),
    /Task id already in DAG checks: ok/,
  );
  assert.throws(
    () => dag.task("nf", "not a function" as unknown as () => void),
    /Task callable must be a function: nf got string/,
  );
  assert.throws(
    () => dag.task("r", () => {}, { retries: -1 }),
    /retries must be a non-negative integer: -1/,
  );
  assert.throws(
    () => dag.task("t", () => {}, { triggerRule: "sometimes" as "always" }),
    /Unknown trigger rule: "sometimes"/,
  );
  assert.throws(() => new DAG("has space"), /DAG id must match/);
  assert.throws(
    () => new DAG("c", { maxActiveRuns: 0 }),
    /maxActiveRuns must be a positive integer: 0/,
  );
  assert.throws(
    () => new DAG("c", { startDate: "not a date" }),
    /startDate is not a valid date: not a date/,
  );
});

Deno.test("Task.then() rejects unknown ids and tasks of other DAGs, and returns its argument", () => {
  const dag = new DAG("links");
  const other = new DAG("other");
  const a = dag.task("a", () => {});
  const b = dag.task("b", () => {});
  const c = dag.task("c", () => {});
  assert.equal(a.then(b), b);
  const list = b.then([c]);
  assert.deepEqual(list, [c]);
  assert.throws(() => a.then("nope"), {
    name: "AirflowError",
    message: "Unknown task id in DAG links: nope",
  });
  assert.throws(
    () => a.then(other.task("x", () => {})),
    /Task is not in DAG links: x/,
  );
  assert.throws(
    () => new EmptyOperator({ taskId: "loose" }).then(a),
    /Task is not in a DAG: loose/,
  );
  assert.deepEqual(a.downstreamIds, ["b"]);
  assert.deepEqual(c.upstreamIds, ["b"]);
});

Deno.test("DAG.chain() fans out, fans in and links equal lists pairwise", () => {
  const dag = new DAG("chain");
  const [a, b, c, d, e, f] = ["a", "b", "c", "d", "e", "f"].map((id) =>
    dag.task(id, () => {})
  );
  dag.chain(a!, [b!, c!], [d!, e!], f!);
  assert.deepEqual(a!.downstreamIds, ["b", "c"]);
  assert.deepEqual(b!.downstreamIds, ["d"]);
  assert.deepEqual(c!.downstreamIds, ["e"]);
  assert.deepEqual(f!.upstreamIds.sort(), ["d", "e"]);
  assert.throws(
    () => dag.chain([a!], [b!, c!]),
    /Adjacent lists in chain must have the same length: 1 and 2/,
  );
});

Deno.test("DAG.test() runs tasks in priority order on a SequentialExecutor", async () => {
  const dag = new DAG("order");
  const started: string[] = [];
  const mk = (id: string, w: number) =>
    dag.task(id, () => void started.push(id), {
      priorityWeight: w,
      weightRule: "absolute",
    });
  const root = mk("root", 1);
  root.then([mk("low", 1), mk("high", 10), mk("mid_b", 5), mk("mid_a", 5)]);
  const result = await dag.test({ executor: new SequentialExecutor() });
  assert.equal(result.state, "success");
  assert.deepEqual(started, ["root", "high", "mid_a", "mid_b", "low"]);
  assert.deepEqual(started, dag.topologicalOrder());
});

Deno.test("DAG.test() passes XCom, context and params; returns timings", async () => {
  const dag = new DAG("ctx", { params: { greeting: "hi", n: 1 } });
  const seen: Record<string, unknown> = {};
  dag.task("produce", () => ({ rows: [1, 2] })).then(
    dag.task("consume", (ctx) => {
      Object.assign(seen, {
        dagId: ctx.dagId,
        runId: ctx.runId,
        taskId: ctx.taskId,
        logical: ctx.logicalDate.toISOString(),
        tryNumber: ctx.tryNumber,
        params: ctx.params,
        aborted: ctx.signal.aborted,
      });
      return ctx.xcom.pull<{ rows: number[] }>("produce")!.rows.length;
    }),
  );
  const result = await dag.test({
    logicalDate: Date.UTC(2024, 4, 1),
    params: { n: 2 },
  });
  assert.deepEqual(seen, {
    dagId: "ctx",
    runId: "manual__2024-05-01T00:00:00.000Z",
    taskId: "consume",
    logical: "2024-05-01T00:00:00.000Z",
    tryNumber: 1,
    params: { greeting: "hi", n: 2 },
    aborted: false,
  });
  assert.equal(result.tasks.consume!.xcom, 2);
  assert.deepEqual(result.tasks.produce!.xcom, { rows: [1, 2] });
  const p = result.tasks.produce!;
  const c = result.tasks.consume!;
  assert.ok(
    p.startDate! <= p.endDate! && p.endDate! <= c.startDate! &&
      c.startDate! <= c.endDate!,
  );
});

Deno.test("DAG.test() fails a task whose xcom.pull names an unknown task or whose value is not JSON", async () => {
  const dag = new DAG("xcom_bad");
  dag.task("pull", (ctx) => ctx.xcom.pull("ghost"));
  dag.task("bigint", () => 10n);
  const result = await dag.test();
  assert.equal(result.state, "failed");
  assert.equal(
    result.tasks.pull!.error,
    "Unknown task id in xcom.pull for DAG xcom_bad: ghost",
  );
  assert.equal(
    result.tasks.bigint!.error,
    "Task return value is not JSON-serialisable: bigint",
  );
});

Deno.test("DAG.test() calls onTransition for every state change", async () => {
  const dag = new DAG("hooks");
  dag.task("a", () => 1).then(dag.task("b", () => {
    throw new Error("no");
  }, { retries: 1, retryDelay: 0 }));
  const events: string[] = [];
  const result = await dag.test({
    onTransition: (id, s, t) => events.push(`${id}:${s}:${t}`),
  });
  assert.equal(result.state, "failed");
  assert.deepEqual(events, [
    "a:scheduled:0",
    "a:running:1",
    "a:success:1",
    "b:scheduled:0",
    "b:running:1",
    "b:up_for_retry:1",
    "b:scheduled:1",
    "b:running:2",
    "b:failed:2",
  ]);
});

Deno.test("LocalExecutor runs up to parallelism tasks at once and honours maxActiveTasks", async () => {
  for (
    const [parallelism, maxActiveTasks, expected] of [[3, 16, 3], [
      8,
      2,
      2,
    ]] as const
  ) {
    const dag = new DAG("par", { maxActiveTasks });
    let now = 0;
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      dag.task(`t${i}`, async () => {
        peak = Math.max(peak, ++now);
        await new Promise((r) => setTimeout(r, 5));
        now--;
      });
    }
    const result = await dag.test({
      executor: new LocalExecutor({ parallelism }),
    });
    assert.equal(result.state, "success");
    assert.equal(peak, expected);
  }
  assert.throws(
    () => new LocalExecutor({ parallelism: 0 }),
    /LocalExecutor parallelism must be a positive integer: 0/,
  );
});

Deno.test("DAG.test() bounds tasks by pool slots", async () => {
  const dag = new DAG("pools");
  let inPool = 0;
  let peak = 0;
  for (let i = 0; i < 6; i++) {
    dag.task(`api${i}`, async () => {
      peak = Math.max(peak, ++inPool);
      await new Promise((r) => setTimeout(r, 5));
      inPool--;
    }, { pool: "api" });
  }
  const result = await dag.test({
    executor: new LocalExecutor({ parallelism: 6 }),
    pools: { api: 2 },
  });
  assert.equal(result.state, "success");
  assert.equal(peak, 2);
  await assert.rejects(dag.test(), /Unknown pool for task api0: "api"/);
});

Deno.test("DAG.priorityWeights() matches a direct count on a DAG larger than one bitset block", () => {
  const r = rng(7);
  const dag = new DAG("wide");
  const n = 5_000;
  const down: number[][] = Array.from({ length: n }, () => []);
  const weight = (i: number) => 1 + (i % 3);
  for (let i = 0; i < n; i++) {
    dag.task(`t${i}`, () => {}, { priorityWeight: weight(i) });
  }
  for (let i = 1; i < n; i++) {
    for (let e = 0; e < 2; e++) {
      const from = Math.floor(r() * i);
      if (!down[from]!.includes(i)) {
        down[from]!.push(i);
        dag.getTask(`t${from}`).then(`t${i}`);
      }
    }
  }
  const w = dag.priorityWeights();
  for (const i of [0, 1, 17, 999, 2500, 4095, 4096, 4999]) {
    const seen = new Set<number>();
    const stack = [i];
    while (stack.length) {
      for (const d of down[stack.pop()!]!) {
        if (!seen.has(d)) {
          seen.add(d);
          stack.push(d);
        }
      }
    }
    let sum = weight(i);
    for (const d of seen) sum += weight(d);
    assert.equal(w[`t${i}`], sum, `t${i}`);
  }
});

Deno.test("DAG.test() finishes the run, then rejects, when onTransition throws", async () => {
  const dag = new DAG("bad_hook");
  const ran: string[] = [];
  dag.task("a", () => void ran.push("a")).then(
    dag.task("b", () => void ran.push("b")),
  );
  const executor = new SequentialExecutor();
  await assert.rejects(
    dag.test({
      executor,
      onTransition: (id, state) => {
        if (id === "a" && state === "success") throw new Error("Hook broke");
      },
    }),
    /Hook broke/,
  );
  assert.deepEqual(ran, ["a", "b"]);
  // The executor's slot was released: a second run on it completes.
  assert.equal((await dag.test({ executor })).state, "success");
});

Deno.test("DAG.test() infers a manual run's data interval as Airflow: the last complete one before its logical date", async () => {
  const seen: string[] = [];
  const record = (ctx: { dataInterval: { start: Date; end: Date } }) =>
    void seen.push(
      `${ctx.dataInterval.start.toISOString()}/${ctx.dataInterval.end.toISOString()}`,
    );
  const daily = new DAG("daily_interval", { schedule: "@daily" });
  daily.task("t", record);
  await daily.test({ logicalDate: Date.UTC(2024, 2, 5) });
  await daily.test({ logicalDate: Date.UTC(2024, 2, 25, 1) });
  const manual = new DAG("no_schedule");
  manual.task("t", record);
  await manual.test({ logicalDate: Date.UTC(2024, 2, 5, 10) });
  assert.deepEqual(seen, [
    "2024-03-04T00:00:00.000Z/2024-03-05T00:00:00.000Z",
    "2024-03-24T00:00:00.000Z/2024-03-25T00:00:00.000Z",
    "2024-03-05T10:00:00.000Z/2024-03-05T10:00:00.000Z",
  ]);
});
