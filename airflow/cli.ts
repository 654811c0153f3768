/**
 * The command line, after Airflow's (the DAGs come from every `.ts`/`.js`
 * file of `--dags-folder`, default `examples/dags`, or from one DAG file
 * given first, as `deno task airflow <dag-file> dags list`):
 *
 * ```sh
 * deno task airflow scheduler [--dags-folder DIR] [-n NUM_RUNS]
 * deno task airflow dags list [-o json|table]
 * deno task airflow dags test <dag_id> [logical_date] [-c JSON] [--run-id ID] [--report FILE]
 * deno task airflow dags trigger <dag_id> [-c JSON] [-l DATE] [-r ID] [--run-now]
 * deno task airflow dags backfill <dag_id> -s DATE -e DATE
 * deno task airflow dags list-runs [-d] <dag_id> [--state STATE] [-o json|table]
 * deno task airflow dags pause|unpause <dag_id>
 * deno task airflow tasks test <dag_id> <task_id> [logical_date] [-t JSON] [-r RUN_ID]
 * deno task airflow tasks clear <dag_id> -r RUN_ID [-t REGEX] [-d] [-f]
 * deno task airflow tasks logs <dag_id> <task_id> <run_id> [--try N]
 * ```
 *
 * As in Airflow, `dags trigger` queues a run and the scheduler executes it
 * (`--run-now` runs it in this process instead). Common flags:
 * `--state-dir DIR` (JSON store, default `out/airflow`), `--sqlite FILE`
 * (SQLite store instead), `--executor local|sequential`, `--parallelism N`,
 * `-q/--quiet`. A user's mistake is one line on stderr and exit code 2; a
 * failed run exits with 1.
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

import { extname } from "node:path";
import { parseArgs } from "node:util";
import type { DAG, DagRunResult } from "./dag.ts";
import { AirflowError } from "./errors.ts";
import {
  type Executor,
  LocalExecutor,
  SequentialExecutor,
} from "./executors.ts";
import { JsonStateStore } from "./json_store.ts";
import { SqliteStateStore } from "./sqlite_store.ts";
import { clearTasks } from "./clear.ts";
import { manualInterval, newRunRecord, runOneTask } from "./_run_engine.ts";
import { renderRunReport } from "./report.ts";
import { Scheduler } from "./scheduler.ts";
import type { DagRunRecord, StateStore } from "./store.ts";
import { renderTable, UsageError } from "./_cli_output.ts";
import { type DagFolder, loadDagFolder, loadDags } from "./_dag_files.ts";
import { runScheduler } from "./_cli_scheduler.ts";

export { type DagFolder, loadDagFolder, loadDags };

const DEFAULT_DAGS_FOLDER = "examples/dags";

const USAGE = `Usage: airflow [<dag-file>] <command> [args] [flags]
  scheduler [-n NUM_RUNS]                       run due DAG runs until SIGINT/SIGTERM
  dags list [-o json|table]
  dags test <dag_id> [logical_date] [-c JSON] [--run-id ID] [--report FILE]
  dags trigger <dag_id> [-c JSON] [-l DATE] [-r RUN_ID] [--run-now] [--report FILE]
  dags backfill <dag_id> -s DATE -e DATE
  dags list-runs [-d] <dag_id> [--state STATE] [-o json|table]
  dags pause <dag_id> | dags unpause <dag_id>
  tasks test <dag_id> <task_id> [logical_date] [-t JSON] [-r RUN_ID]
  tasks clear <dag_id> -r RUN_ID [-t REGEX] [-d] [-f]
  tasks logs <dag_id> <task_id> <run_id> [--try N]
Flags: -S/--dags-folder DIR (default ${DEFAULT_DAGS_FOLDER})  --state-dir DIR (default out/airflow)
       --sqlite FILE  --executor local|sequential  --parallelism N  -q/--quiet
Example DAGs: ${DEFAULT_DAGS_FOLDER}/ (deno task airflow dags list)`;

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

function parseDate(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) {
    throw new UsageError(`Option ${name} is not a date: ${v}`);
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
    throw new UsageError(`Option ${name} must be a JSON object: ${v}`, {
      cause: error,
    });
  }
}

function parseCount(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`Option ${name} must be a positive integer: ${v}`);
  }
  return n;
}

const iso = (t: number | undefined) =>
  t === undefined ? "" : new Date(t).toISOString();

function taskTable(run: DagRunRecord): string[] {
  return renderTable(
    ["task_id", "state", "try", "duration", "error"],
    Object.entries(run.tasks).map(([id, ti]) => [
      id,
      ti.state,
      String(ti.tryNumber),
      ti.duration === undefined ? "" : `${ti.duration} ms`,
      ti.error ?? "",
    ]),
  );
}

type Flags = Record<string, string | boolean | undefined>;
type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string }
>;

const COMMON: OptionSpec = {
  "dags-folder": { type: "string", short: "S" },
  subdir: { type: "string" },
  "state-dir": { type: "string" },
  sqlite: { type: "string" },
  executor: { type: "string" },
  parallelism: { type: "string" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
};

/** Each command's own flags, with Airflow's short forms. */
const COMMANDS: Record<string, OptionSpec> = {
  "scheduler": { "num-runs": { type: "string", short: "n" } },
  "dags list": { output: { type: "string", short: "o" } },
  "dags test": {
    conf: { type: "string", short: "c" },
    params: { type: "string" },
    "run-id": { type: "string" },
    "logical-date": { type: "string" },
    report: { type: "string" },
  },
  "dags trigger": {
    conf: { type: "string", short: "c" },
    "run-id": { type: "string", short: "r" },
    "logical-date": { type: "string", short: "l" },
    "exec-date": { type: "string", short: "e" },
    "run-now": { type: "boolean" },
    report: { type: "string" },
  },
  "dags backfill": {
    "start-date": { type: "string", short: "s" },
    "end-date": { type: "string", short: "e" },
  },
  "dags list-runs": {
    "dag-id": { type: "string", short: "d" },
    state: { type: "string" },
    output: { type: "string", short: "o" },
  },
  "dags pause": {},
  "dags unpause": {},
  "tasks test": {
    "task-params": { type: "string", short: "t" },
    params: { type: "string" },
    "run-id": { type: "string", short: "r" },
  },
  "tasks clear": {
    "run-id": { type: "string", short: "r" },
    "task-regex": { type: "string", short: "t" },
    downstream: { type: "boolean", short: "d" },
    "only-failed": { type: "boolean", short: "f" },
  },
  "tasks logs": { try: { type: "string" } },
};

const looksLikeFile = (a: string | undefined) =>
  a !== undefined && !a.startsWith("-") &&
  [".ts", ".js", ".mjs", ".tsx"].includes(extname(a));

/**
 * Checks that this process may write `path` before anything runs, so a
 * missing permission is one line naming the flag that grants it.
 */
function checkWritable(flag: string, path: string): void {
  const status = Deno.permissions.querySync({ name: "write", path });
  if (status.state === "granted") return;
  throw new UsageError(
    `Missing write permission for ${flag} ${path}: \`deno task airflow\` may write only under out/; ` +
      `run \`deno run --allow-read --allow-write=${path} --allow-run --allow-env airflow/cli.ts ...\` to grant it`,
  );
}

/**
 * Runs the CLI on `args` (without the program name); resolves with the exit
 * code: 0 on success, 1 when a run failed, 2 on bad usage.
 *
 * @example Bad usage exits with 2
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * const code = await main(["dags"], { out: () => {}, err: () => {} });
 * assert.equal(code, 2);
 * ```
 */
export async function main(
  args: string[],
  io: CliIo = consoleIo,
): Promise<number> {
  const file = looksLikeFile(args[0]) ? args[0] : undefined;
  const rest = file === undefined ? args : args.slice(1);
  const group = rest[0];
  const key = group === "scheduler" ? "scheduler" : `${group} ${rest[1]}`;
  if (
    rest.length === 0 || rest[0] === "--help" || rest[0] === "-h" ||
    !(key in COMMANDS)
  ) {
    const help = rest[0] === "--help" || rest[0] === "-h";
    if (!help && rest.length > 0) {
      io.err(`Unknown command: ${rest.slice(0, 2).join(" ")}`);
    }
    (help ? io.out : io.err)(USAGE);
    return help ? 0 : 2;
  }
  let f: Flags;
  let p: string[];
  try {
    const parsed = parseArgs({
      args: rest.slice(key === "scheduler" ? 1 : 2),
      allowPositionals: true,
      options: { ...COMMON, ...COMMANDS[key] },
    });
    f = parsed.values as Flags;
    p = parsed.positionals;
  } catch (error) {
    io.err(`Error: ${(error as Error).message} (airflow ${key} --help)`);
    return 2;
  }
  if (f.help) {
    io.out(USAGE);
    return 0;
  }
  const str = (name: string) => f[name] as string | undefined;
  let sqlite: SqliteStateStore | undefined;
  try {
    const folderPath = str("dags-folder") ?? str("subdir") ??
      DEFAULT_DAGS_FOLDER;
    const loadAll = async (fresh = false): Promise<DagFolder> => {
      if (file !== undefined) {
        const dags = await loadDags(file, { fresh });
        return {
          dags,
          files: new Map([...dags.keys()].map((id) => [id, file])),
          errors: [],
        };
      }
      return await loadDagFolder(folderPath, { fresh });
    };
    const output = (): "table" | "json" => {
      const o = str("output") ?? "table";
      if (o !== "table" && o !== "json") {
        throw new UsageError(`Option --output must be json or table: ${o}`);
      }
      return o;
    };
    const outputKind = key === "dags list" || key === "dags list-runs"
      ? output()
      : "table";
    const store = (): StateStore => {
      const db = str("sqlite");
      if (db !== undefined) {
        checkWritable("--sqlite", db);
        return sqlite ??= new SqliteStateStore(db);
      }
      const dir = str("state-dir") ?? "out/airflow";
      checkWritable("--state-dir", dir);
      return new JsonStateStore(dir);
    };
    const report = str("report");
    if (report !== undefined) checkWritable("--report", report);
    const executor = (): Executor => {
      const kind = str("executor") ?? "sequential";
      if (kind === "sequential") return new SequentialExecutor();
      if (kind === "local") {
        return new LocalExecutor({
          parallelism: parseCount("--parallelism", str("parallelism")),
        });
      }
      throw new UsageError(`Unknown executor: ${kind}`);
    };
    const progress = (taskId: string, state: string, tryNumber: number) => {
      if (!f.quiet) io.out(`  ${taskId} -> ${state} (try ${tryNumber})`);
    };
    const folder = await loadAll();
    const pick = (id: string | undefined): DAG => {
      if (id === undefined) throw new UsageError(`Missing dag_id: ${key}`);
      const dag = folder.dags.get(id);
      if (!dag) {
        const problems = folder.errors.length
          ? `; DAG files that failed to load: ${folder.errors.join("; ")}`
          : "";
        throw new UsageError(
          `Unknown DAG id: ${id} (have ${
            [...folder.dags.keys()].join(", ") || "none"
          })${problems}`,
        );
      }
      return dag;
    };
    const finish = async (dag: DAG, run: DagRunResult): Promise<number> => {
      for (const line of taskTable(run)) io.out(line);
      io.out(`Run ${run.runId}: ${run.state}`);
      if (report !== undefined) {
        await Deno.writeTextFile(report, renderRunReport(dag, run));
        io.out(`Report written to ${report}`);
      }
      return run.state === "success" ? 0 : 1;
    };
    for (const e of folder.errors) io.err(`DAG file failed to load: ${e}`);
    switch (key) {
      case "scheduler":
        return await runScheduler({
          io,
          loadAll,
          initial: folder,
          store: store(),
          executor: executor(),
          numRuns: parseCount("--num-runs", str("num-runs")),
          watchDir: file ?? folderPath,
          quiet: f.quiet === true,
        });
      case "dags list": {
        const known = str("state-dir") !== undefined ||
            str("sqlite") !== undefined
          ? store()
          : undefined;
        const rows = [];
        for (const dag of folder.dags.values()) {
          rows.push({
            dag_id: dag.dagId,
            fileloc: folder.files.get(dag.dagId) ?? "",
            schedule: dag.schedule ?? "None",
            tasks: dag.taskIds.length,
            catchup: dag.catchup,
            is_paused: (await known?.isPaused?.(dag.dagId)) ?? false,
          });
        }
        emit(io, outputKind, rows);
        return 0;
      }
      case "dags test": {
        const dag = pick(p[0]);
        const logicalDate = parseDate(
          "logical_date",
          p[1] ?? str("logical-date"),
        );
        const run = await dag.test({
          store: store(),
          runId: str("run-id"),
          logicalDate,
          params: parseJson("--conf", str("conf")) ??
            parseJson("--params", str("params")),
          executor: executor(),
          onTransition: progress,
          rerun: true,
        });
        return await finish(dag, run);
      }
      case "dags trigger": {
        const dag = pick(p[0]);
        const l = parseDate("--logical-date", str("logical-date")) ??
          parseDate("--exec-date", str("exec-date"));
        const conf = parseJson("--conf", str("conf"));
        const s = store();
        if (f["run-now"]) {
          const scheduler = new Scheduler({
            dags: [dag],
            store: s,
            executor: executor(),
            onTransition: (e) => progress(e.taskId, e.state, e.tryNumber),
          });
          const run = await scheduler.trigger(dag.dagId, {
            logicalDate: l,
            runId: str("run-id"),
            params: conf,
          });
          return await finish(dag, run);
        }
        const logical = l ?? Date.now();
        const runId = str("run-id") ?? `manual__${iso(logical)}`;
        if (await s.load(dag.dagId, runId)) {
          throw new UsageError(`Run already exists: ${dag.dagId}/${runId}`);
        }
        await s.save(newRunRecord(
          dag,
          runId,
          "manual",
          manualInterval(dag, logical),
          conf,
          logical,
        ));
        const paused = await s.isPaused?.(dag.dagId);
        io.out(
          `Queued run ${runId} of ${dag.dagId}; the scheduler runs it${
            paused ? " once the DAG is unpaused" : ""
          } (or trigger with --run-now)`,
        );
        return 0;
      }
      case "dags backfill": {
        const dag = pick(p[0]);
        const start = parseDate("--start-date", str("start-date"));
        const end = parseDate("--end-date", str("end-date"));
        if (start === undefined || end === undefined) {
          throw new UsageError(
            `Backfill needs -s/--start-date and -e/--end-date: ${dag.dagId}`,
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
        const dag = pick(str("dag-id") ?? p[0]);
        const state = str("state");
        const runs = (await store().list(dag.dagId))
          .filter((r) => state === undefined || r.state === state)
          .sort((a, b) =>
            b.logicalDate - a.logicalDate || (a.runId < b.runId ? 1 : -1)
          );
        emit(
          io,
          outputKind,
          runs.map((r) => ({
            dag_id: r.dagId,
            run_id: r.runId,
            state: r.state,
            run_type: r.runType,
            logical_date: iso(r.logicalDate),
            start_date: iso(r.startDate),
            end_date: iso(r.endDate),
          })),
        );
        return 0;
      }
      case "dags pause":
      case "dags unpause": {
        const dag = pick(p[0]);
        const s = store();
        if (!s.setPaused) {
          throw new UsageError(`The store cannot pause DAGs: ${dag.dagId}`);
        }
        const paused = key === "dags pause";
        await s.setPaused(dag.dagId, paused);
        io.out(`Dag: ${dag.dagId}, paused: ${paused}`);
        return 0;
      }
      case "tasks test": {
        const dag = pick(p[0]);
        const taskId = p[1];
        if (taskId === undefined) {
          throw new UsageError(`Missing task_id: tasks test ${dag.dagId}`);
        }
        dag.getTask(taskId);
        const runId = str("run-id");
        const wantsStore = runId !== undefined ||
          str("state-dir") !== undefined || str("sqlite") !== undefined;
        const { run, log } = await runOneTask(dag, taskId, {
          logicalDate: parseDate("logical_date", p[2]),
          runId,
          store: wantsStore ? store() : undefined,
          params: parseJson("--task-params", str("task-params")) ??
            parseJson("--params", str("params")),
        });
        for (const line of log.split("\n")) if (line) io.out(line);
        const ti = run.tasks[taskId]!;
        io.out(`${taskId}: ${ti.state} (try ${ti.tryNumber})`);
        if (ti.xcom !== undefined) io.out(`xcom: ${JSON.stringify(ti.xcom)}`);
        if (ti.error) io.out(`error: ${ti.error}`);
        return ti.state === "success" ? 0 : 1;
      }
      case "tasks clear": {
        const dag = pick(p[0]);
        const runId = str("run-id");
        if (!runId) {
          throw new UsageError(
            `Missing -r/--run-id: tasks clear ${dag.dagId}`,
          );
        }
        const regex = str("task-regex");
        let taskIds: RegExp | undefined;
        try {
          taskIds = regex === undefined ? undefined : new RegExp(regex);
        } catch (cause) {
          throw new UsageError(
            `Option --task-regex is not a regular expression: ${regex}`,
            { cause },
          );
        }
        const cleared = await clearTasks(store(), dag, runId, {
          taskIds,
          downstream: f.downstream === true,
          onlyFailed: f["only-failed"] === true,
        });
        io.out(`Cleared ${cleared.length} task(s): ${cleared.join(", ")}`);
        return 0;
      }
      case "tasks logs": {
        const dag = pick(p[0]);
        const [, taskId, runId] = p;
        if (taskId === undefined || runId === undefined) {
          throw new UsageError(
            `Usage: tasks logs <dag_id> <task_id> <run_id>: ${dag.dagId}`,
          );
        }
        dag.getTask(taskId);
        const s = store();
        const run = await s.load(dag.dagId, runId);
        if (!run) {
          throw new UsageError(`No such run of DAG ${dag.dagId}: ${runId}`);
        }
        const last = run.tasks[taskId]?.tryNumber ?? 0;
        const tries = parseCount("--try", str("try"));
        const list = tries === undefined
          ? Array.from({ length: last }, (_, k) => k + 1)
          : [tries];
        if (list.length === 0) io.out(`${taskId} has not run in ${runId}`);
        for (const tryNumber of list) {
          io.out(`*** ${dag.dagId}/${runId}/${taskId} try ${tryNumber}`);
          const text = await s.readLog?.({
            dagId: dag.dagId,
            runId,
            taskId,
            tryNumber,
          }) ?? "";
          for (const line of text.split("\n")) if (line) io.out(line);
        }
        return 0;
      }
    }
    return 2;
  } catch (error) {
    const message = (error as Error).message;
    io.err(`Error: ${message}`);
    return error instanceof AirflowError ? 2 : 1;
  } finally {
    sqlite?.close();
  }
}

function emit(
  io: CliIo,
  kind: "table" | "json",
  rows: Record<string, unknown>[],
): void {
  if (kind === "json") {
    io.out(JSON.stringify(rows));
    return;
  }
  if (rows.length === 0) {
    io.out("No data found");
    return;
  }
  const head = Object.keys(rows[0]!);
  for (
    const line of renderTable(
      head,
      rows.map((r) => head.map((h) => String(r[h]))),
    )
  ) io.out(line);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
