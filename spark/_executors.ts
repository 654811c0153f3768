// The two kinds of executor behind the pool, with one interface: a module
// Worker (light, the default) or a `deno` process of its own (Spark's
// separate executor JVMs): a process can die, out of memory or killed,
// without taking the driver along, and its heap is capped.

import v8 from "node:v8";
import type { WorkerReply } from "./_plan.ts";
import type { ExecutorMessage } from "./_task_runner.ts";
import { frame, readFrames } from "./_frames.ts";

/** What an executor tells the pool. */
export interface ExecutorEvents {
  reply(r: WorkerReply): void;
  /** The executor died or broke; it will not answer again. */
  crash(message: string): void;
}

/** A running executor. */
export interface ExecutorHandle {
  /** Sends a message; throws when it cannot be serialised. */
  post(msg: ExecutorMessage): void;
  /** Stops it at once (a running task is abandoned). */
  terminate(): void;
  /** Resolves once it has stopped (its process has exited). */
  readonly stopped: Promise<void>;
}

/** How to start executors. */
export interface ExecutorKind {
  kind: "worker" | "process";
  /** Heap cap of a process executor (--max-old-space-size), in MiB. */
  memoryMb: number | null;
}

/** Starts one executor. */
export function startExecutor(
  how: ExecutorKind,
  events: ExecutorEvents,
): ExecutorHandle {
  return how.kind === "worker"
    ? startWorker(events)
    : startProcess(events, how.memoryMb);
}

function startWorker(events: ExecutorEvents): ExecutorHandle {
  const worker = new Worker(new URL("./_worker.ts", import.meta.url), {
    type: "module",
  });
  worker.onmessage = (e: MessageEvent<WorkerReply>) => events.reply(e.data);
  worker.onerror = (e: ErrorEvent) => {
    e.preventDefault();
    events.crash(e.message || "Worker crashed");
  };
  worker.onmessageerror = () =>
    events.crash("Worker sent a message that cannot be read");
  return {
    post: (msg) => worker.postMessage(msg),
    terminate: () => worker.terminate(),
    stopped: Promise.resolve(),
  };
}

/** The parent's fully granted permissions, passed on to the child. */
function permissionFlags(): string[] {
  const names = ["read", "write", "net", "env", "run", "sys", "ffi"] as const;
  return names
    .filter((name) => Deno.permissions.querySync({ name }).state === "granted")
    .map((name) => `--allow-${name}`);
}

function startProcess(
  events: ExecutorEvents,
  memoryMb: number | null,
): ExecutorHandle {
  const args = ["run", "--quiet", "--no-prompt", ...permissionFlags()];
  if (memoryMb !== null) {
    args.push(`--v8-flags=--max-old-space-size=${memoryMb}`);
  }
  args.push(new URL("./_process_executor.ts", import.meta.url).href);
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdin = child.stdin.getWriter();
  let terminated = false;
  // The child's stderr is passed through; its tail explains a crash.
  let tail = "";
  const dec = new TextDecoder();
  const forwarding = (async () => {
    for await (const chunk of child.stderr) {
      tail = (tail + dec.decode(chunk, { stream: true })).slice(-4096);
      if (!/Fatal JavaScript out of memory|heap limit/i.test(tail)) {
        await Deno.stderr.write(chunk);
      }
    }
  })().catch(() => {});
  const reading = (async () => {
    for await (const f of readFrames(child.stdout)) {
      events.reply(v8.deserialize(f) as WorkerReply);
    }
  })().catch((e) => {
    if (!terminated) events.crash(`Executor sent a broken frame: ${e}`);
  });
  const stopped = (async () => {
    const status = await child.status;
    await Promise.all([reading, forwarding]);
    if (terminated) return;
    terminated = true;
    await stdin.close().catch(() => {});
    const how = status.signal !== null
      ? `signal ${status.signal}`
      : `exit code ${status.code}`;
    const oom = /out of memory|heap limit/i.test(tail);
    events.crash(
      oom
        ? `Executor process ran out of memory (executorMemoryMb: ${
          memoryMb ?? "V8 default"
        }) and died with ${how}`
        : `Executor process died with ${how}`,
    );
  })();
  return {
    post(msg) {
      const bytes = frame(v8.serialize(msg));
      stdin.write(bytes).catch(() => {});
    },
    terminate() {
      if (terminated) return;
      terminated = true;
      try {
        child.kill("SIGKILL");
      } catch {
        // already gone
      }
      stdin.close().catch(() => {});
    },
    stopped,
  };
}
