/**
 * `airflow scheduler`: the long-running process of the CLI.
 *
 * @module
 */

import { basename } from "node:path";
import type { CliIo } from "./cli.ts";
import type { DagFolder } from "./_dag_files.ts";
import type { Executor } from "./executors.ts";
import { Scheduler } from "./scheduler.ts";
import type { StateStore } from "./store.ts";

/** What the scheduler command needs from the CLI. */
export interface SchedulerRun {
  io: CliIo;
  loadAll: (fresh?: boolean) => Promise<DagFolder>;
  initial: DagFolder;
  store: StateStore;
  executor: Executor;
  numRuns: number | undefined;
  watchDir: string;
  quiet: boolean;
}

/**
 * `airflow scheduler`: schedules every DAG of the folder, executes due and
 * queued runs, reloads DAG files that change, and stops on SIGINT/SIGTERM
 * (once: waits for running runs; twice: exits at once, leaving them to be
 * resumed).
 */
export async function runScheduler(o: SchedulerRun): Promise<number> {
  const { io } = o;
  const scheduler = new Scheduler({
    dags: [...o.initial.dags.values()],
    store: o.store,
    executor: o.executor,
    pollInterval: 1000,
    onTransition: o.quiet ? undefined : (e) =>
      io.out(
        `  ${e.dagId}/${e.runId} ${e.taskId} -> ${e.state} (try ${e.tryNumber})`,
      ),
    onRunFinished: (r) => io.out(`Run ${r.dagId}/${r.runId}: ${r.state}`),
  });
  io.out(
    `Scheduler started with ${scheduler.dagIds.length} DAG(s): ${
      scheduler.dagIds.join(", ") || "none"
    }`,
  );
  if (o.numRuns !== undefined) {
    let failed = false;
    for (let k = 0; k < o.numRuns; k++) {
      const runs = await Promise.allSettled(await scheduler.runDue());
      for (const r of runs) {
        if (r.status === "rejected") {
          failed = true;
          io.err(`Error: ${(r.reason as Error).message}`);
        }
      }
    }
    io.out("Scheduler stopped");
    return failed ? 1 : 0;
  }
  const stop = Promise.withResolvers<string>();
  let signals = 0;
  const onSignal = (name: string) => () => {
    signals++;
    if (signals > 1) {
      io.err("Scheduler exiting now; running runs resume on the next start");
      Deno.exit(130);
    }
    stop.resolve(name);
  };
  const sigint = onSignal("SIGINT");
  const sigterm = onSignal("SIGTERM");
  Deno.addSignalListener("SIGINT", sigint);
  Deno.addSignalListener("SIGTERM", sigterm);
  const watcher = Deno.watchFs(o.watchDir);
  const watching = (async () => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    for await (const event of watcher) {
      if (!event.paths.some((p) => !basename(p).startsWith("."))) continue;
      clearTimeout(timer);
      // Editors write in bursts: reload once they settle.
      timer = setTimeout(async () => {
        const folder = await o.loadAll(true).catch((error) => ({
          dags: new Map(),
          files: new Map(),
          errors: [(error as Error).message],
        } as DagFolder));
        for (const e of folder.errors) io.err(`DAG file failed to load: ${e}`);
        if (folder.errors.length > 0 && folder.dags.size === 0) return;
        scheduler.setDags([...folder.dags.values()]);
        io.out(
          `Reloaded DAG files: ${scheduler.dagIds.join(", ") || "none"}`,
        );
      }, 200);
    }
    clearTimeout(timer);
  })();
  scheduler.start();
  const name = await stop.promise;
  io.out(`Scheduler stopping on ${name}: waiting for running runs`);
  watcher.close();
  await watching;
  let code = 0;
  try {
    await scheduler.stop();
  } catch (error) {
    io.err(`Error: ${(error as Error).message}`);
    code = 1;
  }
  Deno.removeSignalListener("SIGINT", sigint);
  Deno.removeSignalListener("SIGTERM", sigterm);
  io.out("Scheduler stopped");
  return code;
}
