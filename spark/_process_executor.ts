// Process executor entry (`executor: "process"`): a `deno` process of its
// own, like Spark's executor JVMs, so a task that exhausts the heap
// (capped with --max-old-space-size) kills this process and not the
// driver. Messages are frames on stdin/stdout: a 4-byte little-endian
// length, then the message in V8's serialization (structured clone's
// format, so tasks and results travel as they do to a Worker). stdout
// carries frames only: console output of tasks goes to stderr.

import v8 from "node:v8";
import type { WorkerReply } from "./_plan.ts";
import { type ExecutorMessage, taskRunner } from "./_task_runner.ts";
import { readFrames, writeFrame } from "./_frames.ts";

for (const m of ["log", "info", "debug", "dir", "table"] as const) {
  (console as unknown as Record<string, unknown>)[m] = console.error;
}

const handle = taskRunner((reply: WorkerReply) =>
  writeFrame(Deno.stdout, v8.serialize(reply))
);
for await (const frame of readFrames(Deno.stdin.readable)) {
  await handle(v8.deserialize(frame) as ExecutorMessage);
}
