// Worker entry: runs tasks one at a time with a long-lived Executor (so
// compiled functions, module namespaces, broadcasts and cached partitions
// survive between tasks).

import { Executor, FatalTaskError, isFatal } from "./_exec.ts";
import type { Task, WorkerReply } from "./_plan.ts";

const executor = new Executor();

// Deno.exit() in a worker ends it without any event the driver could see;
// make it an ordinary (non-retried) task failure instead.
(Deno as { exit: (code?: number) => never }).exit = (code?: number): never => {
  throw new FatalTaskError(
    `Deno.exit() is not allowed in a shipped function: ${code ?? 0}`,
  );
};
const scope = self as unknown as {
  onmessage: ((e: MessageEvent<Message>) => void) | null;
  postMessage(message: unknown): void;
};

type Message =
  | { type: "task"; id: number; task: Task }
  | { type: "unpersist"; rddId: number }
  | { type: "unbroadcast"; id: number };

scope.onmessage = async (e: MessageEvent<Message>): Promise<void> => {
  const msg = e.data;
  if (msg.type === "unpersist") {
    executor.unpersist(msg.rddId);
    return;
  }
  if (msg.type === "unbroadcast") {
    executor.unbroadcast(msg.id);
    return;
  }
  let reply: WorkerReply;
  try {
    const out = await executor.run(msg.task);
    reply = { id: msg.id, ok: true, out };
  } catch (err) {
    const error = err instanceof Error
      ? { name: err.name, message: err.message, stack: err.stack ?? "" }
      : { name: "Error", message: String(err), stack: "" };
    reply = { id: msg.id, ok: false, error, fatal: isFatal(err) };
  }
  try {
    scope.postMessage(reply);
  } catch (err) {
    // The result could not be cloned (a function, a symbol...).
    scope.postMessage(
      {
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
      } satisfies WorkerReply,
    );
  }
};
