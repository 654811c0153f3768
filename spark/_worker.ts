// Worker-thread executor entry: driver messages arrive by postMessage.

import type { WorkerReply } from "./_plan.ts";
import { type ExecutorMessage, taskRunner } from "./_task_runner.ts";

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<ExecutorMessage>) => void) | null;
  postMessage(message: unknown): void;
};
const handle = taskRunner((reply: WorkerReply) => scope.postMessage(reply));
scope.onmessage = (e) => void handle(e.data);
