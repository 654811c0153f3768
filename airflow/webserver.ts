/**
 * The live view, after Airflow's webserver: the DAGs list, the Grid of runs
 * × tasks, a run's Graph and Gantt, a task instance with each try's log;
 * and the actions trigger, clear, mark, pause and unpause, done through the
 * same code as the CLI (so a running `airflow scheduler` picks them up).
 *
 * ```text
 * GET  /                                         DAGs: schedule, paused, last runs
 * GET  /dags/<dagId>                             the Grid
 * GET  /dags/<dagId>/runs/<runId>                Graph, Grid, Gantt, failed tries
 * GET  /dags/<dagId>/runs/<runId>/tasks/<taskId> tries, logs, mapped instances
 * POST /dags/<dagId>/trigger | pause | unpause
 * POST /dags/<dagId>/runs/<runId>/tasks/<taskId>/clear | mark
 * GET  /api/dags, /api/dags/<dagId>, /api/dags/<dagId>/runs/<runId>   JSON
 * ```
 *
 * Paths are relative to `basePath` (`/airflow` when mounted there). Pages
 * follow a run in progress by polling the JSON API. Ids in URLs are checked
 * against Airflow's id rule before they reach the store; an unknown DAG, run
 * or task is a 404 naming it; a damaged state file is an error panel while
 * the other pages keep working. State-changing requests must be POSTs from
 * this origin (the `deno task ui` shell also checks its token).
 *
 * @example Serve the view and read the DAGs list
 * ```ts
 * import assert from "node:assert/strict";
 * import { airflowWebserverHandler } from "./webserver.ts";
 * const dir = await Deno.makeTempDir();
 * const mod = new URL("./mod.ts", import.meta.url).href;
 * await Deno.writeTextFile(`${dir}/d.ts`, `import { DAG } from "${mod}";\nexport const d = new DAG("hello");\nd.task("t", () => 1);\n`);
 * const handler = airflowWebserverHandler({ stateDir: `${dir}/state`, dagsFolder: dir });
 * const res = await handler(new Request("http://127.0.0.1/api/dags"));
 * assert.deepEqual((await res.json()).map((d: { dag_id: string }) => d.dag_id), ["hello"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */

import { DAG } from "./dag.ts";
import { AirflowError } from "./errors.ts";
import { JsonStateStore } from "./json_store.ts";
import { SqliteStateStore } from "./sqlite_store.ts";
import { clearTasks } from "./clear.ts";
import { renderRunReport } from "./report.ts";
import { manualInterval, newRunRecord } from "./_run_engine.ts";
import { loadDagFolder } from "./_dag_files.ts";
import { STATE_COLORS, STATE_MARKS } from "./_state_colors.ts";
import type { TaskState } from "./states.ts";
import type { DagRunRecord, StateStore } from "./store.ts";
import { basePathOf, pathUnder } from "../internal/base_path.ts";

/** Options for {@linkcode airflowWebserverHandler}. */
export interface AirflowWebserverOptions {
  /**
   * The JSON state directory (as `--state-dir`).
   * @default {"out/airflow" unless sqlite or store is given}
   */
  stateDir?: string;
  /**
   * A SQLite state database instead (as `--sqlite`).
   * @default {undefined}
   */
  sqlite?: string;
  /**
   * A store instead of either.
   * @default {undefined}
   */
  store?: StateStore;
  /**
   * The folder of DAG files (read again on every page, so edits show).
   * @default {"examples/dags"}
   */
  dagsFolder?: string;
  /**
   * Where the view is mounted, e.g. `/airflow`.
   * @default {""}
   */
  basePath?: string;
}

const ID = /^[A-Za-z0-9_.-]{1,250}$/;

class HttpProblem extends AirflowError {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const iso = (t: number | undefined) =>
  t === undefined ? "" : new Date(t).toISOString().replace(".000Z", "Z");

const STYLE =
  `body{font:14px system-ui,sans-serif;margin:0;color:#222;background:#fafafa}
header{background:#017cee;color:#fff;padding:.5rem 1rem}header a{color:#fff}
main{padding:1rem;max-width:1240px;margin:0 auto;overflow-x:auto}
table{border-collapse:collapse;background:#fff}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;font-size:13px}
.s{display:inline-block;min-width:1.3em;text-align:center;border-radius:3px;border:1px solid #888;font-weight:bold}
.panel{border:2px solid #c00;background:#fff0f0;padding:.6rem;margin:.6rem 0}
.note{border:2px dashed #777;background:#fff;padding:.6rem;margin:.6rem 0}
pre{background:#f4f4f4;padding:.5rem;white-space:pre-wrap;font-size:12px}
form{display:inline-block;margin:.3rem .6rem .3rem 0}button{padding:.25rem .7rem}
a:focus,button:focus{outline:3px solid #f9a825}.muted{color:#666}`;

function chip(state: string): string {
  const s = state as TaskState;
  const dark = s === "success" || s === "failed" || s === "queued";
  return `<span class="s" data-state="${esc(state)}" title="${
    esc(state)
  }" style="background:${STATE_COLORS[s] ?? "#fff"};color:${
    dark ? "#fff" : "#000"
  }">${STATE_MARKS[s] ?? "?"}</span>`;
}

/**
 * Follows a page without reloading it: while its live regions (elements
 * with an id and `data-follow`, in ms) are followed, fetches the same page
 * again and swaps in each region's new content when it changed. Forms stay
 * outside the regions, so what a user is typing survives; when the page
 * comes back with no region followed (the run finished), polling stops.
 */
const FOLLOW = `<script>
(() => {
  const regions = [...document.querySelectorAll("[data-follow]")];
  if (regions.length === 0) return;
  const every = () => Math.min(...regions.map((el) => Number(el.dataset.follow)));
  const tick = async () => {
    const html = await fetch(location.href).then((r) => r.ok ? r.text() : null)
      .catch(() => null);
    if (html) {
      const doc = new DOMParser().parseFromString(html, "text/html");
      let followed = false;
      for (const el of regions) {
        const next = doc.getElementById(el.id);
        if (!next) continue;
        if (next.innerHTML !== el.innerHTML) el.innerHTML = next.innerHTML;
        if (next.dataset.follow) {
          el.dataset.follow = next.dataset.follow;
          followed = true;
        } else delete el.dataset.follow;
      }
      if (!followed) return;
    }
    setTimeout(tick, every());
  };
  setTimeout(tick, every());
})();
</script>`;

/** A live region `id` of a page; followed every `ms` while `follow`. */
function liveRegion(
  id: string,
  body: string,
  follow: boolean,
  ms: number,
): string {
  // Screen readers hear what changed, without being interrupted.
  return `<div id="${id}" aria-live="polite"${
    follow ? ` data-follow="${ms}"` : ""
  }>${body}</div>`;
}

const isActive = (state: string) => state === "running" || state === "queued";

/**
 * Makes the handler of the live view over a state store and a DAGs folder.
 */
export function airflowWebserverHandler(
  options: AirflowWebserverOptions = {},
): (req: Request) => Promise<Response> {
  const base = basePathOf(options.basePath, (m) => new AirflowError(m));
  const folder = options.dagsFolder ?? "examples/dags";
  let sqlite: SqliteStateStore | undefined;
  const store = (): StateStore => {
    if (options.store) return options.store;
    if (options.sqlite) return sqlite ??= new SqliteStateStore(options.sqlite);
    return new JsonStateStore(options.stateDir ?? "out/airflow");
  };
  const href = (...parts: string[]) =>
    `${base}/${parts.map(encodeURIComponent).join("/")}`;

  const page = (status: number, title: string, body: string) =>
    new Response(
      `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<header><a href="${base}/">Airflow</a> · ${esc(title)}</header>
<main>${body}</main>${
        body.includes(" data-follow=") ? FOLLOW : ""
      }</body></html>`,
      { status, headers: { "content-type": "text/html; charset=utf-8" } },
    );

  const dagsOf = async () => await loadDagFolder(folder);
  // DAGs with stored runs but no file in the folder (a DAG built in code,
  // as the benchmark's, or a file since removed): viewable from their runs,
  // as Airflow keeps such DAGs in its database, but not runnable here.
  const storedOnly = new WeakSet<DAG>();
  const storedDag = async (id: string): Promise<DAG | undefined> => {
    const runs = await store().list(id);
    const latest = runs.at(-1);
    if (!latest) return undefined;
    const dag = new DAG(id);
    // Without the file there is no topological order: the order they ran.
    const byStart = Object.entries(latest.tasks).sort(([a, x], [b, y]) =>
      (x.startDate ?? Infinity) - (y.startDate ?? Infinity) ||
      (a < b ? -1 : 1)
    );
    for (const [taskId] of byStart) dag.task(taskId, () => undefined);
    storedOnly.add(dag);
    return dag;
  };
  const pickDag = async (id: string): Promise<DAG> => {
    const { dags } = await dagsOf();
    const dag = dags.get(id) ?? await storedDag(id);
    if (!dag) throw new HttpProblem(404, `DAG not found: ${id}`);
    return dag;
  };
  const fileNote = (dag: DAG) =>
    storedOnly.has(dag)
      ? `<div class="note" id="file-missing">No file in the DAGs folder (${
        esc(folder)
      }) defines ${
        esc(dag.dagId)
      }: its runs are shown from the state store, without the dependencies between tasks, and cannot be triggered or changed here.</div>`
      : "";
  const pickRun = async (dag: DAG, runId: string): Promise<DagRunRecord> => {
    const run = await store().load(dag.dagId, runId);
    if (!run) {
      throw new HttpProblem(404, `Run not found: ${dag.dagId}/${runId}`);
    }
    return run;
  };
  const redirect = (to: string) =>
    new Response(null, { status: 303, headers: { location: to } });

  async function dagsList(json: boolean): Promise<Response> {
    const { dags, errors } = await dagsOf();
    const s = store();
    const rows = [];
    const ids = [...dags.keys()];
    for (const id of (await s.dagIds?.()) ?? []) {
      if (!dags.has(id)) ids.push(id);
    }
    for (const id of ids) {
      const dag = dags.get(id);
      const runs = (await s.list(id)).slice(-5).reverse();
      rows.push({
        dag_id: id,
        schedule: dag ? dag.schedule : null,
        is_paused: (await s.isPaused?.(id)) ?? false,
        description: dag ? dag.description : "",
        has_file: dag !== undefined,
        last_runs: runs.map((r) => ({ run_id: r.runId, state: r.state })),
      });
    }
    if (json) return Response.json(rows);
    const table = rows.map((r) =>
      `<tr><td><a href="${href("dags", r.dag_id)}">${esc(r.dag_id)}</a><br>
<span class="muted">${
        esc(r.has_file ? r.description : "no DAG file: runs only")
      }</span></td><td>${esc(r.schedule ?? "None")}</td><td>${
        r.is_paused ? "paused" : "active"
      }</td><td>${
        r.last_runs.map((x) =>
          `<a href="${href("dags", r.dag_id, "runs", x.run_id)}">${
            chip(x.state)
          }</a>`
        ).join(" ")
      }</td></tr>`
    ).join("\n");
    const problems = errors.map((e) =>
      `<div class="panel">DAG file failed to load: ${esc(e)}</div>`
    ).join("");
    return page(
      200,
      "DAGs",
      `${problems}<table><tr><th>DAG</th><th>schedule</th><th>paused</th><th>last runs (newest first)</th></tr>${table}</table>`,
    );
  }

  async function dagPage(dag: DAG, json: boolean): Promise<Response> {
    const s = store();
    const runs = (await s.list(dag.dagId)).slice(-25).reverse();
    const paused = (await s.isPaused?.(dag.dagId)) ?? false;
    const order = storedOnly.has(dag) ? dag.taskIds : dag.topologicalOrder();
    if (json) {
      return Response.json({
        dag_id: dag.dagId,
        has_file: !storedOnly.has(dag),
        is_paused: paused,
        tasks: order,
        runs: runs.map((r) => ({
          run_id: r.runId,
          state: r.state,
          logical_date: iso(r.logicalDate),
          tasks: Object.fromEntries(
            Object.entries(r.tasks).map(([id, ti]) => [id, ti.state]),
          ),
        })),
      });
    }
    const head = runs.map((r) =>
      `<th><a href="${href("dags", dag.dagId, "runs", r.runId)}" title="${
        esc(r.runId)
      }">${chip(r.state)}</a></th>`
    ).join("");
    const rows = order.map((id) =>
      `<tr><td>${esc(id)}</td>${
        runs.map((r) => {
          const ti = r.tasks[id];
          const label = ti?.duration === undefined ? "" : `${ti.duration} ms`;
          const mapped = ti?.mapped ? ` [${ti.mapped.length}]` : "";
          return `<td><a href="${
            href("dags", dag.dagId, "runs", r.runId, "tasks", id)
          }" title="${
            esc(`${r.runId} ${id} ${ti?.state ?? "none"} ${label}`)
          }">${chip(ti?.state ?? "none")}</a>${mapped}</td>`;
        }).join("")
      }</tr>`
    ).join("\n");
    const actions = storedOnly.has(dag)
      ? fileNote(dag)
      : `<form method="post" action="${
        href("dags", dag.dagId, "trigger")
      }"><label>conf <input name="conf" value="{}" size="30"></label> <button>Trigger</button></form>
<form method="post" action="${
        href("dags", dag.dagId, paused ? "unpause" : "pause")
      }"><button>${paused ? "Unpause" : "Pause"}</button></form>`;
    return page(
      200,
      dag.dagId,
      `<p>schedule ${esc(dag.schedule ?? "None")} · ${
        paused ? "paused" : "active"
      }</p>${actions}<h2>Grid</h2>${
        liveRegion(
          "grid-region",
          runs.length === 0
            ? `<p class="muted">No runs yet.</p>`
            : `<table id="grid"><tr><th>task \\ run (newest left)</th>${head}</tr>${rows}</table>`,
          // New runs can come from the scheduler or the CLI at any time;
          // a grid with a run in progress is followed more closely.
          true,
          runs.some((r) => isActive(r.state)) ? 1000 : 3000,
        )
      }`,
    );
  }

  function runPage(
    dag: DAG,
    run: DagRunRecord,
    json: boolean,
  ): Response {
    if (json) return Response.json(run);
    const report = renderRunReport(dag, run);
    const body = report.slice(
      report.indexOf("<body>") + 6,
      report.indexOf("</body>"),
    );
    const links = Object.keys(run.tasks).map((id) =>
      `<a href="${href("dags", dag.dagId, "runs", run.runId, "tasks", id)}">${
        chip(run.tasks[id]!.state)
      } <span data-task="${esc(id)}">${esc(id)}</span></a>`
    ).join(" · ");
    return page(
      200,
      `${dag.dagId} / ${run.runId}`,
      fileNote(dag) + liveRegion(
        "run-region",
        `<p>state <b id="run-state">${esc(run.state)}</b> · <a href="${
          href("dags", dag.dagId)
        }">grid</a></p><p>${links}</p>${body}`,
        isActive(run.state),
        1000,
      ),
    );
  }

  async function taskPage(
    dag: DAG,
    run: DagRunRecord,
    taskId: string,
  ): Promise<Response> {
    if (!dag.hasTask(taskId)) {
      throw new HttpProblem(404, `Task not found: ${dag.dagId}.${taskId}`);
    }
    const ti = run.tasks[taskId] ?? { state: "none", tryNumber: 0 };
    const s = store();
    const logs: string[] = [];
    for (let n = 1; n <= ti.tryNumber; n++) {
      const text = await s.readLog?.({
        dagId: dag.dagId,
        runId: run.runId,
        taskId,
        tryNumber: n,
      }) ?? "";
      const t = ti.tries?.find((x) => x.tryNumber === n);
      logs.push(
        `<h3>Try ${n}${
          t ? ` · ${esc(t.state)} · ${t.end - t.start} ms` : ""
        }</h3>${
          t?.error ? `<div class="panel">${esc(t.error)}</div>` : ""
        }<pre>${esc(text || "(no log lines)")}</pre>`,
      );
    }
    const mapped = ti.mapped
      ? `<h2>Mapped instances</h2><table><tr><th>map_index</th><th>state</th><th>tries</th><th>error</th></tr>${
        ti.mapped.map((m) =>
          `<tr><td>${m.mapIndex}</td><td>${chip(m.state)} ${
            esc(m.state)
          }</td><td>${m.tryNumber}</td><td>${esc(m.error ?? "")}</td></tr>`
        ).join("")
      }</table>`
      : "";
    const act = (what: string) =>
      href("dags", dag.dagId, "runs", run.runId, "tasks", taskId, what);
    const status = `<p>${chip(ti.state)} <b id="task-state">${
      esc(ti.state)
    }</b> · try <span id="try-number">${ti.tryNumber}</span> · ${
      ti.duration === undefined ? "" : `${ti.duration} ms · `
    }<a href="${href("dags", dag.dagId, "runs", run.runId)}">run</a></p>${
      ti.error ? `<div class="panel">${esc(ti.error)}</div>` : ""
    }`;
    const forms = `<form method="post" action="${
      act("clear")
    }"><label><input type="checkbox" name="downstream"> and downstream</label> <button>Clear</button></form>
<form method="post" action="${
      act("mark")
    }"><input type="hidden" name="state" value="success"><button>Mark success</button></form>
<form method="post" action="${
      act("mark")
    }"><input type="hidden" name="state" value="failed"><button>Mark failed</button></form>
`;
    return page(
      200,
      `${dag.dagId} / ${run.runId} / ${taskId}`,
      `${liveRegion("task-status", status, isActive(run.state), 1000)}${
        storedOnly.has(dag) ? fileNote(dag) : forms
      }${
        liveRegion(
          "task-logs",
          `${mapped}<h2>Logs</h2>${
            logs.join("") || `<p class="muted">Not run yet.</p>`
          }`,
          // A cleared or marked task's run is queued: follow it to the end.
          isActive(run.state),
          1000,
        )
      }`,
    );
  }

  /** Runs `change` on a stored run while owning it, as the CLI would. */
  async function withRun<T>(
    dag: DAG,
    runId: string,
    change: (s: StateStore) => Promise<T>,
  ): Promise<T> {
    const s = store();
    let claim;
    try {
      claim = s.claim?.(dag.dagId, runId);
    } catch (error) {
      throw new HttpProblem(409, (error as Error).message);
    }
    try {
      return await change(s);
    } finally {
      claim?.release();
    }
  }

  async function act(
    req: Request,
    parts: string[],
  ): Promise<Response> {
    const origin = req.headers.get("origin");
    if (origin !== null && origin !== new URL(req.url).origin) {
      throw new HttpProblem(403, `Cross-origin request refused: ${origin}`);
    }
    const form = await req.formData().catch(() => new FormData());
    const dag = await pickDag(parts[1]!);
    if (storedOnly.has(dag)) {
      throw new HttpProblem(
        409,
        `DAG ${dag.dagId} has no file in the DAGs folder (${folder}): its runs can be viewed, not triggered or changed`,
      );
    }
    const s = store();
    if (parts.length === 3 && parts[2] === "trigger") {
      let conf: Record<string, unknown> = {};
      const text = String(form.get("conf") ?? "").trim();
      if (text !== "") {
        try {
          conf = JSON.parse(text);
          if (
            typeof conf !== "object" || conf === null || Array.isArray(conf)
          ) {
            throw new Error("not an object");
          }
        } catch {
          throw new HttpProblem(400, `conf must be a JSON object: ${text}`);
        }
      }
      const now = Date.now();
      const runId = `manual__${new Date(now).toISOString()}`;
      let record;
      try {
        record = newRunRecord(
          dag,
          runId,
          "manual",
          manualInterval(dag, now),
          conf,
          now,
        );
      } catch (error) {
        throw new HttpProblem(400, (error as Error).message);
      }
      await s.save(record);
      return redirect(href("dags", dag.dagId));
    }
    if (
      parts.length === 3 && (parts[2] === "pause" || parts[2] === "unpause")
    ) {
      if (!s.setPaused) {
        throw new HttpProblem(400, "The store cannot pause DAGs");
      }
      await s.setPaused(dag.dagId, parts[2] === "pause");
      return redirect(href("dags", dag.dagId));
    }
    if (parts.length === 7 && parts[2] === "runs" && parts[4] === "tasks") {
      const runId = parts[3]!;
      const taskId = parts[5]!;
      await pickRun(dag, runId);
      if (!dag.hasTask(taskId)) {
        throw new HttpProblem(404, `Task not found: ${dag.dagId}.${taskId}`);
      }
      if (parts[6] === "clear") {
        await withRun(dag, runId, (st) =>
          clearTasks(st, dag, runId, {
            taskIds: [taskId],
            downstream: form.get("downstream") !== null,
          }));
      } else if (parts[6] === "mark") {
        const state = String(form.get("state"));
        if (state !== "success" && state !== "failed") {
          throw new HttpProblem(
            400,
            `Mark state must be success or failed: ${state}`,
          );
        }
        await withRun(dag, runId, async (st) => {
          const run = (await st.load(dag.dagId, runId))!;
          const ti = run.tasks[taskId] ??= { state: "none", tryNumber: 0 };
          ti.state = state;
          ti.endDate ??= Date.now();
          // Queued again: the scheduler settles what follows from the mark.
          if (run.state === "success" || run.state === "failed") {
            run.state = "queued";
            delete run.endDate;
          }
          await st.save(run);
        });
      } else throw new HttpProblem(404, `No such action: ${parts[6]}`);
      return redirect(href("dags", dag.dagId, "runs", runId, "tasks", taskId));
    }
    throw new HttpProblem(404, `No such action: ${parts.join("/")}`);
  }

  return async (req: Request): Promise<Response> => {
    const url = new URL(req.url);
    const path = pathUnder(base, url.pathname);
    if (path === null) {
      return page(
        404,
        "Not found",
        `<p>Not under ${esc(base)}: ${esc(url.pathname)}</p>`,
      );
    }
    try {
      const parts = path.split("/").filter((p) => p !== "").map((p) => {
        let v: string;
        try {
          v = decodeURIComponent(p);
        } catch {
          throw new HttpProblem(400, `Bad URL part: ${p}`);
        }
        // Ids never hold a path: nothing in a URL reaches outside the store.
        if (
          v === "." || v === ".." || /[/\\]/.test(v) || v.includes("\u0000") ||
          v.length > 250
        ) {
          throw new HttpProblem(400, `Bad id in URL: ${v}`);
        }
        return v;
      });
      const json = parts[0] === "api";
      const p = json ? parts.slice(1) : parts;
      if (p[0] === "dags" && p[1] !== undefined && !ID.test(p[1])) {
        throw new HttpProblem(400, `DAG id must match [A-Za-z0-9_.-]: ${p[1]}`);
      }
      if (req.method === "POST" && !json) return await act(req, p);
      if (req.method !== "GET" && req.method !== "HEAD") {
        throw new HttpProblem(405, `Method not allowed: ${req.method}`);
      }
      if (p.length === 0 || (p.length === 1 && p[0] === "dags")) {
        return await dagsList(json);
      }
      if (p[0] === "dags") {
        const dag = await pickDag(p[1]!);
        if (p.length === 2) return await dagPage(dag, json);
        if (p[2] === "runs" && p[3] !== undefined) {
          const run = await pickRun(dag, p[3]);
          if (p.length === 4) return runPage(dag, run, json);
          if (p[4] === "tasks" && p[5] !== undefined && p.length === 6) {
            if (!ID.test(p[5])) {
              throw new HttpProblem(
                400,
                `Task id must match [A-Za-z0-9_.-]: ${p[5]}`,
              );
            }
            if (json) {
              if (!dag.hasTask(p[5])) {
                throw new HttpProblem(
                  404,
                  `Task not found: ${dag.dagId}.${p[5]}`,
                );
              }
              return Response.json(run.tasks[p[5]] ?? null);
            }
            return await taskPage(dag, run, p[5]);
          }
        }
      }
      throw new HttpProblem(404, `Page not found: ${path}`);
    } catch (error) {
      const status = error instanceof HttpProblem ? error.status : 500;
      const message = (error as Error).message;
      if (new URL(req.url).pathname.startsWith(`${base}/api/`)) {
        return Response.json({ error: message }, { status });
      }
      return page(
        status,
        status === 404 ? "Not found" : "Error",
        `<div class="panel">${
          esc(message)
        }</div><p><a href="${base}/">All DAGs</a></p>`,
      );
    }
  };
}
