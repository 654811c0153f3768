// The status tracker as PySpark's StatusTracker reports jobs and stages:
// active stages only while they run, and each stage's task counts.
import assert from "node:assert/strict";
import { SparkContext } from "../../spark/mod.ts";

const slow = (x: number): number => {
  const end = Date.now() + 300;
  while (Date.now() < end) { /* a task that takes a while */ }
  return x;
};

async function until(check: () => boolean): Promise<void> {
  const end = Date.now() + 30_000;
  while (!check()) {
    if (Date.now() > end) throw new Error("Condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

Deno.test("statusTracker().getStageInfo() follows a running stage's tasks", async () => {
  await using sc = new SparkContext({ parallelism: 2 });
  const tracker = sc.statusTracker();
  const job = sc.range(0, 4, 1, 4).map(slow).collect();
  await until(() => tracker.getActiveStageIds().length === 1);
  const [stageId] = tracker.getActiveStageIds();
  await until(() => tracker.getStageInfo(stageId!)?.numActiveTasks === 2);
  const running = tracker.getStageInfo(stageId!)!;
  assert.equal(running.name, "collect (ResultStage)");
  assert.equal(running.numTasks, 4);
  assert.ok(running.numCompletedTasks < 4, JSON.stringify(running));
  assert.deepEqual(await job, [0, 1, 2, 3]);
  assert.deepEqual(tracker.getActiveStageIds(), []);
  assert.deepEqual(tracker.getStageInfo(stageId!), {
    stageId,
    currentAttemptId: 0,
    name: "collect (ResultStage)",
    numTasks: 4,
    numActiveTasks: 0,
    numCompletedTasks: 4,
    numFailedTasks: 0,
  });
  assert.equal(tracker.getStageInfo(9_999), undefined);
});

Deno.test("statusTracker() counts every failed attempt of a stage and both stages of a shuffle", async () => {
  await using sc = new SparkContext({ parallelism: 1, maxTaskFailures: 3 });
  const tracker = sc.statusTracker();
  await assert.rejects(
    sc.range(0, 2, 1, 2).map((x) => {
      if (x === 1) throw new Error("bad record");
      return x;
    }).collect(),
    /bad record/,
  );
  const [failedJob] = tracker.getJobIdsForGroup();
  const [stageId] = tracker.getJobInfo(failedJob!)!.stageIds;
  const info = tracker.getStageInfo(stageId!)!;
  assert.equal(info.numFailedTasks, 3, JSON.stringify(info));
  assert.equal(info.numActiveTasks, 0);
  assert.deepEqual(tracker.getActiveStageIds(), []);

  await sc.parallelize<[string, number]>([["a", 1], ["b", 2], ["a", 3]], 2)
    .reduceByKey((a, b) => a + b).collect();
  const [, shuffleJob] = tracker.getJobIdsForGroup();
  const stages = tracker.getJobInfo(shuffleJob!)!.stageIds.map((id) =>
    tracker.getStageInfo(id)!
  );
  assert.deepEqual(stages.map((s) => [s.name, s.numCompletedTasks]), [
    ["collect (ShuffleMapStage)", 2],
    ["collect (ResultStage)", 2],
  ]);
});
