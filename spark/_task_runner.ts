// The executor side of the task protocol, shared by the two kinds of
// executor: a Worker thread (`_worker.ts`) and a `deno` process
// (`_process_executor.ts`). One long-lived Executor per executor, so
// compiled functions, module namespaces, broadcasts and cached partitions
// survive between tasks.

import { Executor } from "./_exec.ts";
import { FatalTaskError, isFatal } from "./_stream.ts";
import type { Task, WorkerReply } from "./_plan.ts";
import { userStack } from "./_remote_error.ts";

/** What the driver sends an executor. */
export type ExecutorMessage =
  | { kind: "task"; id: number; task: Task }
  | { kind: "unpersist"; rddId: number }
  | { kind: "unbroadcast"; id: number };

/**
 * Handles driver messages with one Executor; `post` sends a reply and
 * throws when the reply cannot be serialised.
 */
export function taskRunner(
  post: (reply: WorkerReply) => void,
): (msg: ExecutorMessage) => Promise<void> {
  const executor = new Executor();
  // Deno.exit() in a task would end the executor without a word to the
  // driver; make it an ordinary (non-retried) task failure instead.
  (Deno as { exit: (code?: number) => never }).exit = (
    code?: number,
  ): never => {
    throw new FatalTaskError(
      `Deno.exit() is not allowed in a shipped function: ${code ?? 0}`,
    );
  };
  return async (msg) => {
    if (msg.kind === "unpersist") return executor.unpersist(msg.rddId);
    if (msg.kind === "unbroadcast") return executor.unbroadcast(msg.id);
    let reply: WorkerReply;
    try {
      const out = await executor.run(msg.task);
      reply = { id: msg.id, ok: true, out };
    } catch (err) {
      const error = err instanceof Error
        ? {
          name: err.name,
          message: err.message,
          stack: userStack(err.stack ?? ""),
        }
        : { name: "Error", message: String(err), stack: "" };
      reply = { id: msg.id, ok: false, error, fatal: isFatal(err) };
    }
    try {
      post(reply);
    } catch (err) {
      // The result cannot be serialised (a function, a symbol...): retrying
      // cannot help.
      post({
        id: msg.id,
        ok: false,
        fatal: true,
        error: {
          name: "DataCloneError",
          message: `Task result cannot be sent to the driver: ${
            (err as Error).message
          }`,
          stack: (err as Error).stack ?? "",
        },
      });
    }
  };
}
