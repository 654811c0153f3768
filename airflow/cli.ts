/**
 * The command line, after Airflow's:
 *
 * ```sh
 * deno task airflow <dag-file> dags list
 * deno task airflow <dag-file> dags test <dag_id> [logical_date] [--run-id ID] [--report FILE]
 * deno task airflow <dag-file> dags trigger <dag_id> [--conf JSON] [--logical-date DATE]
 * deno task airflow <dag-file> dags backfill <dag_id> --start-date DATE --end-date DATE
 * deno task airflow <dag-file> dags list-runs <dag_id>
 * deno task airflow <dag-file> tasks test <dag_id> <task_id> [logical_date]
 * deno task airflow <dag-file> tasks clear <dag_id> --run-id ID [-t REGEX] [--downstream] [--only-failed]
 * ```
 *
 * Unlike Airflow, which only queues a triggered run for its scheduler,
 * `dags trigger` and `dags backfill` run the runs to the end in this process
 * (there is no scheduler daemon); the runs are kept in the state store.
 *
 * Common flags: `--state-dir DIR` (JSON store, default `out/airflow`),
 * `--sqlite FILE` (SQLite store instead), `--executor local|sequential`,
 * `--parallelism N`, `--quiet`. The DAG file is imported and every exported
 * {@linkcode DAG} is available by its id.
 *
 * @example Run the CLI in-process
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * const lines: string[] = [];
 * const code = await main(["--help"], { out: (l) => lines.push(l), err: (l) => lines.push(l) });
 * assert.deepEqual([code, lines[0]?.startsWith("Usage: airflow")], [0, true]);
 * ```
 *
 * @module
 */

import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DAG, type DagRunResult } from "./dag.ts";
import { AirflowError } from "./errors.ts";
import {
  type Executor,
  LocalExecutor,
  SequentialExecutor,
} from "./executors.ts";
import { JsonStateStore } from "./json_store.ts";
import { SqliteStateStore } from "./sqlite_store.ts";
import { clearTasks } from "./clear.ts";
import { runOneTask } from "./_run_engine.ts";
import { renderRunReport } from "./report.ts";
import { Scheduler } from "./scheduler.ts";
import type { DagRunRecord, StateStore } from "./store.ts";

const USAGE = `Usage: airflow <dag-file> <command> [args] [flags]
  dags list
  dags test <dag_id> [logical_date] [--run-id ID] [--report FILE] [--params JSON]
  dags trigger <dag_id> [--conf JSON] [--logical-date DATE] [--run-id ID]
  dags backfill <dag_id> --start-date DATE --end-date DATE
  dags list-runs <dag_id>
  tasks test <dag_id> <task_id> [logical_date]
  tasks clear <dag_id> --run-id ID [-t REGEX] [--downstream] [--only-failed]
Flags: --state-dir DIR (default out/airflow)  --sqlite FILE  --executor local|sequential
       --parallelism N  --quiet`;

/**
 * Where the CLI writes; tests pass their own.
 *
 * @example Collect output
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CliIo, main } from "./cli.ts";
 * const out: string[] = [];
 * const io: CliIo = { out: (l) => out.push(l), err: (l) => out.push(l) };
 * assert.deepEqual([await main([], io), out.length > 0], [2, true]);
 * ```
 */
export interface CliIo {
  /** Normal output, one line per call. */
  out(line: string): void;
  /** Error output, one line per call. */
  err(line: string): void;
}

const consoleIo: CliIo = {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
};

/**
 * Loads every DAG a file exports, by id.
 *
 * @example Load a DAG file
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDags } from "./cli.ts";
 * const dir = await Deno.makeTempDir();
 * const mod = new URL("./mod.ts", import.meta.url).href;
 * await Deno.writeTextFile(
 *   `${dir}/dags.ts`,
 *   `import { DAG } from "${mod}";\nexport const hello = new DAG("hello");\n`,
 * );
 * assert.deepEqual([...(await loadDags(`${dir}/dags.ts`)).keys()], ["hello"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadDags(path: string): Promise<Map<string, DAG>> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(resolve(path)).href);
  } catch (error) {
    throw new AirflowError(`Cannot import DAG file: ${path}`, { cause: error });
  }
  const out = new Map<string, DAG>();
  for (const value of Object.values(mod)) {
    if (value instanceof DAG) out.set(value.dagId, value);
  }
  if (out.size === 0) {
    throw new AirflowError(`DAG file exports no DAG: ${path}`);
  }
  return out;
}

function parseDate(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) {
    throw new AirflowError(`Option ${name} is not a date: ${v}`);
  }
  return ms;
}

function parseJson(
  name: string,
  v: string | undefined,
): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  try {
    const x = JSON.parse(v);
    if (typeof x !== "object" || x === null || Array.isArray(x)) {
      throw new Error("not an object");
    }
    return x;
  } catch (error) {
    throw new AirflowError(`Option ${name} must be a JSON object: ${v}`, {
      cause: error,
    });
  }
}

function table(run: DagRunRecord): string[] {
  const rows = Object.entries(run.tasks).map(([id, ti]) => [
    id,
    ti.state,
    String(ti.tryNumber),
    ti.duration === undefined ? "" : `${ti.duration} ms`,
    ti.error ?? "",
  ]);
  const head = ["task_id", "state", "try", "duration", "error"];
  const widths = head.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => r[i]!.length))
  );
  const fmt = (r: string[]) =>
    r.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

/**
 * Runs the CLI on `args` (without the program name); resolves with the exit
 * code: 0 on success, 1 when a run failed, 2 on bad usage.
 *
 * @example Bad usage exits with 2
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * const code = await main(["dags.ts"], { out: () => {}, err: () => {} });
 * assert.deepEqual(code, 2);
 * ```
 */
export async function main(
  args: string[],
  io: CliIo = consoleIo,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "state-dir": { type: "string" },
        sqlite: { type: "string" },
        "run-id": { type: "string" },
        report: { type: "string" },
        params: { type: "string" },
        conf: { type: "string" },
        "logical-date": { type: "string" },
        "start-date": { type: "string" },
        "end-date": { type: "string" },
        "task-regex": { type: "string", short: "t" },
        downstream: { type: "boolean" },
        "only-failed": { type: "boolean" },
        executor: { type: "string" },
        parallelism: { type: "string" },
        quiet: { type: "boolean", short: "q" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    io.err(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values: f, positionals: p } = parsed;
  if (f.help || p.length < 3) {
    (f.help ? io.out : io.err)(USAGE);
    return f.help ? 0 : 2;
  }
  const [file, group, command, ...rest] = p as [
    string,
    string,
    string,
    ...string[],
  ];
  let sqlite: SqliteStateStore | undefined;
  try {
    const dags = await loadDags(file);
    const pick = (id: string | undefined): DAG => {
      if (id === undefined) {
        throw new AirflowError(`Missing dag_id: ${group} ${command}`);
      }
      const dag = dags.get(id);
      if (!dag) {
        throw new AirflowError(
          `Unknown DAG id: ${id} (have ${[...dags.keys()].join(", ")})`,
        );
      }
      return dag;
    };
    const store = (): StateStore => {
      if (f.sqlite) return sqlite ??= new SqliteStateStore(f.sqlite);
      return new JsonStateStore(f["state-dir"] ?? "out/airflow");
    };
    const executor = (): Executor => {
      const kind = f.executor ?? "sequential";
      if (kind === "sequential") return new SequentialExecutor();
      if (kind === "local") {
        return new LocalExecutor({
          parallelism: f.parallelism ? Number(f.parallelism) : undefined,
        });
      }
      throw new AirflowError(`Unknown executor: ${kind}`);
    };
    const progress = (taskId: string, state: string, tryNumber: number) => {
      if (!f.quiet) io.out(`  ${taskId} -> ${state} (try ${tryNumber})`);
    };
    const finish = async (dag: DAG, run: DagRunResult): Promise<number> => {
      for (const line of table(run)) io.out(line);
      io.out(`Run ${run.runId}: ${run.state}`);
      if (f.report) {
        await Deno.writeTextFile(f.report, renderRunReport(dag, run));
        io.out(`Report written to ${f.report}`);
      }
      return run.state === "success" ? 0 : 1;
    };
    const key = `${group} ${command}`;
    switch (key) {
      case "dags list": {
        io.out("dag_id  schedule  tasks  catchup");
        for (const dag of dags.values()) {
          io.out(
            `${dag.dagId}  ${
              dag.schedule ?? "None"
            }  ${dag.taskIds.length}  ${dag.catchup}`,
          );
        }
        return 0;
      }
      case "dags test": {
        const dag = pick(rest[0]);
        const logicalDate = parseDate(
          "logical_date",
          rest[1] ?? f["logical-date"],
        );
        const run = await dag.test({
          store: store(),
          runId: f["run-id"],
          logicalDate,
          params: parseJson("--params", f.params),
          executor: executor(),
          onTransition: progress,
        });
        return await finish(dag, run);
      }
      case "dags trigger": {
        const dag = pick(rest[0]);
        const scheduler = new Scheduler({
          dags: [dag],
          store: store(),
          executor: executor(),
          onTransition: (e) => progress(e.taskId, e.state, e.tryNumber),
        });
        const run = await scheduler.trigger(dag.dagId, {
          logicalDate: parseDate("--logical-date", f["logical-date"]),
          runId: f["run-id"],
          params: parseJson("--conf", f.conf),
        });
        return await finish(dag, run);
      }
      case "dags backfill": {
        const dag = pick(rest[0]);
        const start = parseDate("--start-date", f["start-date"]);
        const end = parseDate("--end-date", f["end-date"]);
        if (start === undefined || end === undefined) {
          throw new AirflowError(
            `Backfill needs --start-date and --end-date: ${dag.dagId}`,
          );
        }
        const scheduler = new Scheduler({
          dags: [dag],
          store: store(),
          executor: executor(),
        });
        const runs = await scheduler.backfill(dag.dagId, start, end);
        for (const r of runs) io.out(`${r.runId}  ${r.state}`);
        io.out(`Backfilled ${runs.length} run(s)`);
        return runs.every((r) => r.state === "success") ? 0 : 1;
      }
      case "dags list-runs": {
        const dag = pick(rest[0]);
        for (const r of await store().list(dag.dagId)) {
          io.out(`${r.runId}  ${r.runType}  ${r.state}`);
        }
        return 0;
      }
      case "tasks test": {
        const dag = pick(rest[0]);
        const taskId = rest[1];
        if (taskId === undefined) {
          throw new AirflowError(`Missing task_id: tasks test ${dag.dagId}`);
        }
        dag.getTask(taskId);
        const run = await runOneTask(dag, taskId, {
          logicalDate: parseDate("logical_date", rest[2]),
          params: parseJson("--params", f.params),
        });
        const ti = run.tasks[taskId]!;
        io.out(`${taskId}: ${ti.state} (try ${ti.tryNumber})`);
        if (ti.xcom !== undefined) io.out(`xcom: ${JSON.stringify(ti.xcom)}`);
        if (ti.error) io.out(`error: ${ti.error}`);
        return ti.state === "success" ? 0 : 1;
      }
      case "tasks clear": {
        const dag = pick(rest[0]);
        const runId = f["run-id"];
        if (!runId) {
          throw new AirflowError(`Missing --run-id: tasks clear ${dag.dagId}`);
        }
        const cleared = await clearTasks(store(), dag, runId, {
          taskIds: f["task-regex"] ? new RegExp(f["task-regex"]) : undefined,
          downstream: f.downstream,
          onlyFailed: f["only-failed"],
        });
        io.out(`Cleared ${cleared.length} task(s): ${cleared.join(", ")}`);
        return 0;
      }
      default:
        io.err(`Unknown command: ${key}\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    io.err(`Error: ${(error as Error).message}`);
    return error instanceof AirflowError ? 2 : 1;
  } finally {
    sqlite?.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
