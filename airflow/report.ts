/**
 * The run report: one self-contained HTML page (inline CSS and SVG, no
 * scripts or network) with the Graph coloured by state, the Grid of runs by
 * task, and a Gantt chart of every try.
 *
 * @module
 */

import type { DAG } from "./dag.ts";
import { AirflowError } from "./errors.ts";
import type { TaskState } from "./states.ts";
import type { DagRunRecord } from "./store.ts";
import { STATE_COLORS as COLORS } from "./_state_colors.ts";

/** Options for {@linkcode renderRunReport}. */
export interface RunReportOptions {
  /**
   * Page title.
   * @default {"<dagId> run report"}
   */
  title?: string;
  /**
   * Most tasks drawn in the Graph and Gantt (the Grid lists them all).
   * @default {400}
   */
  maxTasks?: number;
}

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function isoOrDash(ms: number | undefined): string {
  return ms === undefined ? "-" : new Date(ms).toISOString();
}

/**
 * Renders runs of `dag` as one self-contained HTML page: the Graph (tasks in
 * layers, coloured by their state in the last run), the Grid (one column per
 * run, one row per task) and a Gantt chart of the last run's tries.
 *
 * @example Write a report
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, renderRunReport } from "./mod.ts";
 * const dag = new DAG("report_demo");
 * dag.task("a", () => 1).then(dag.task("b", () => 2));
 * const run = await dag.test();
 * const html = renderRunReport(dag, [run]);
 * assert.deepEqual([html.startsWith("<!doctype html>"), html.includes("Gantt")], [true, true]);
 * ```
 */
export function renderRunReport(
  dag: DAG,
  runs: DagRunRecord | DagRunRecord[],
  options: RunReportOptions = {},
): string {
  const list = (Array.isArray(runs) ? [...runs] : [runs]).sort((a, b) =>
    a.logicalDate - b.logicalDate || (a.runId < b.runId ? -1 : 1)
  );
  if (list.length === 0) {
    throw new AirflowError(`Run report needs at least one run: ${dag.dagId}`);
  }
  for (const r of list) {
    if (r.dagId !== dag.dagId) {
      throw new AirflowError(
        `Run belongs to another DAG than ${dag.dagId}: ${r.dagId}/${r.runId}`,
      );
    }
  }
  const last = list[list.length - 1]!;
  const title = options.title ?? `${dag.dagId} run report`;
  const maxTasks = options.maxTasks ?? 400;
  const layout = layoutGraph(dag);
  const order = layout.order;
  const counts = new Map<string, number>();
  for (const ti of Object.values(last.tasks)) {
    counts.set(ti.state, (counts.get(ti.state) ?? 0) + 1);
  }
  const summary = [...counts].map(([s, n]) =>
    `<span class="chip" style="background:${
      COLORS[s as TaskState] ?? "#fff"
    }"></span>${esc(s)} ${n}`
  ).join(" &nbsp; ");
  const legend = Object.entries(COLORS).map(([s, c]) =>
    `<span class="chip" style="background:${c}"></span>${s}`
  ).join(" ");
  const duration = last.endDate !== undefined && last.startDate !== undefined
    ? `${((last.endDate - last.startDate) / 1000).toFixed(3)} s`
    : "-";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{padding:2px 6px;font-size:12px;text-align:left}
.grid td.c{width:14px;height:14px;border:1px solid #999;padding:0}
.chip{display:inline-block;width:10px;height:10px;border:1px solid #999;margin:0 3px 0 8px;vertical-align:middle}
svg text{font:11px system-ui,sans-serif}
.muted{color:#777}
pre{background:#f6f6f6;padding:6px;font-size:11px;white-space:pre-wrap;margin:2px 0 10px}
</style></head><body>
<h1>${esc(title)}</h1>
<p>DAG <b>${esc(dag.dagId)}</b> · run <b>${
    esc(last.runId)
  }</b> · state <b style="color:${COLORS[last.state as TaskState] ?? "#222"}">${
    esc(last.state)
  }</b> · logical date ${isoOrDash(last.logicalDate)} · duration ${duration}</p>
<p>${summary}</p>
<p class="muted">${legend}</p>
<h2>Graph</h2>
${_graphSvg(dag, last, layout, maxTasks)}
<h2>Grid</h2>
${_grid(list, order)}
<h2>Gantt</h2>
${_gantt(last, order, maxTasks)}
<h2>Failed tries</h2>
${_failures(last, order)}
</body></html>
`;
}

/** Tasks by column (longest path from a root) and row within it. */
interface GraphLayout {
  /** Task ids column by column, top to bottom: a topological order. */
  order: string[];
  /** Each column's task ids, top to bottom. */
  columns: string[][];
}

/**
 * Lays tasks out in columns so every edge points right, and orders each
 * column by the mean row of a task's upstream tasks (the barycenter rule),
 * so a chain stays on one row and edges cross only where they must.
 */
function layoutGraph(dag: DAG): GraphLayout {
  const topo = dag.topologicalOrder();
  const layer = new Map<string, number>();
  for (const id of topo) {
    let l = 0;
    for (const u of dag.getTask(id).upstreamIds) {
      l = Math.max(l, layer.get(u)! + 1);
    }
    layer.set(id, l);
  }
  const columns: string[][] = [];
  for (const id of topo) (columns[layer.get(id)!] ??= []).push(id);
  const row = new Map<string, number>();
  columns[0]?.forEach((id, r) => row.set(id, r));
  const rank = new Map(topo.map((id, k) => [id, k]));
  for (let c = 1; c < columns.length; c++) {
    const center = (id: string) => {
      const ups = dag.getTask(id).upstreamIds;
      return ups.reduce((sum, u) => sum + row.get(u)!, 0) / ups.length;
    };
    columns[c]!.sort((a, b) =>
      center(a) - center(b) || rank.get(a)! - rank.get(b)!
    );
    columns[c]!.forEach((id, r) => row.set(id, r));
  }
  return { order: columns.flat(), columns };
}

/** Width in pixels that an 11 px label needs (no id is cut short). */
function textWidth(text: string): number {
  return Math.ceil(text.length * 6.6) + 12;
}

function _graphSvg(
  dag: DAG,
  run: DagRunRecord,
  layout: GraphLayout,
  maxTasks: number,
): string {
  const { order, columns } = layout;
  if (order.length > maxTasks) {
    return `<p class="muted">Graph omitted: ${order.length} tasks (more than ${maxTasks}).</p>`;
  }
  const w = Math.max(90, ...order.map((id) => textWidth(id)));
  const h = 26, gx = 60, gy = 12;
  const pos = new Map<string, [number, number]>();
  columns.forEach((col, c) =>
    col.forEach((id, r) => pos.set(id, [10 + c * (w + gx), 10 + r * (h + gy)]))
  );
  const width = 20 + columns.length * (w + gx);
  const height = 20 + Math.max(...columns.map((c) => c.length)) * (h + gy);
  const edges: string[] = [];
  const nodes: string[] = [];
  for (const id of order) {
    const [x, y] = pos.get(id)!;
    for (const d of dag.getTask(id).downstreamIds) {
      const [x2, y2] = pos.get(d)!;
      edges.push(
        `<path d="M${x + w},${y + h / 2} C${x + w + gx / 2},${y + h / 2} ${
          x2 - gx / 2
        },${y2 + h / 2} ${x2 - 2},${
          y2 + h / 2
        }" fill="none" stroke="#999" marker-end="url(#arrow)"/>`,
      );
    }
    const ti = run.tasks[id];
    const state = (ti?.state ?? "none") as TaskState;
    const dark = state === "success" || state === "failed" ||
      state === "queued";
    const mapped = ti?.mapped ? ` [${ti.mapped.length}]` : "";
    nodes.push(
      `<g><title>${esc(id)}: ${state}, try ${ti?.tryNumber ?? 0}${
        ti?.duration === undefined ? "" : `, ${ti.duration} ms`
      }${ti?.error ? ` (${esc(ti.error)})` : ""}</title>` +
        `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="4" fill="${
          COLORS[state]
        }" stroke="#555"/>` +
        `<text x="${x + 6}" y="${y + 17}" fill="${dark ? "#fff" : "#000"}">${
          esc(id + mapped)
        }</text></g>`,
    );
  }
  const arrow =
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#999"/></marker></defs>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${arrow}${
    edges.join("")
  }${nodes.join("")}</svg>`;
}

/** Every failed try of the run: its error and the end of its log. */
function _failures(run: DagRunRecord, order: string[]): string {
  const parts: string[] = [];
  for (const id of order) {
    const ti = run.tasks[id];
    for (const t of ti?.tries ?? []) {
      if (t.state !== "failed" && t.state !== "up_for_retry") continue;
      parts.push(
        `<p><b>${esc(id)}</b> try ${t.tryNumber} (${esc(t.state)}): ${
          esc(t.error ?? ti?.error ?? "")
        }</p>` +
          (t.logTail?.length ? `<pre>${esc(t.logTail.join("\n"))}</pre>` : ""),
      );
    }
    for (const m of ti?.mapped ?? []) {
      if (m.state === "failed") {
        parts.push(
          `<p><b>${esc(id)}</b> map_index ${m.mapIndex} (failed): ${
            esc(m.error ?? "")
          }</p>`,
        );
      }
    }
  }
  return parts.length
    ? parts.join("\n")
    : `<p class="muted">No try failed.</p>`;
}

/** A tick step of 1, 2 or 5 × 10^k ms giving at most about five ticks. */
function tickStep(span: number): number {
  const raw = Math.max(1, span / 4);
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function tickLabel(ms: number): string {
  return ms >= 10_000 ? `+${ms / 1000} s` : `+${ms} ms`;
}

function _grid(runs: DagRunRecord[], order: string[]): string {
  const head = runs.map((r) =>
    `<th title="${esc(r.runId)}"><span class="chip" style="background:${
      COLORS[r.state as TaskState] ?? "#fff"
    }"></span></th>`
  ).join("");
  const rows = order.map((id) => {
    const cells = runs.map((r) => {
      const ti = r.tasks[id];
      const s = (ti?.state ?? "none") as TaskState;
      return `<td class="c" style="background:${COLORS[s]}" title="${
        esc(r.runId)
      } ${esc(id)}: ${s}"></td>`;
    }).join("");
    const n = runs[runs.length - 1]!.tasks[id]?.mapped?.length;
    return `<tr><td>${esc(id)}${
      n === undefined ? "" : ` <span class="muted">[${n} mapped]</span>`
    }</td>${cells}</tr>`;
  }).join("\n");
  return `<table class="grid"><tr><th>task \\ run</th>${head}</tr>\n${rows}</table>
<p class="muted">${runs.length} run(s), oldest left: ${esc(runs[0]!.runId)} … ${
    esc(runs[runs.length - 1]!.runId)
  }</p>`;
}

function _gantt(run: DagRunRecord, order: string[], maxTasks: number): string {
  const rows = order.filter((id) => (run.tasks[id]?.tries?.length ?? 0) > 0)
    .slice(0, maxTasks);
  if (rows.length === 0) return `<p class="muted">No task ran.</p>`;
  let t0 = Infinity, t1 = -Infinity;
  for (const id of rows) {
    for (const t of run.tasks[id]!.tries!) {
      t0 = Math.min(t0, t.start);
      t1 = Math.max(t1, t.end);
    }
  }
  const span = Math.max(1, t1 - t0);
  const label = Math.max(80, ...rows.map((id) => textWidth(id)));
  const width = 760, rh = 18;
  const bars = rows.map((id, r) => {
    const y = 20 + r * rh;
    const tries = run.tasks[id]!.tries!.map((t) => {
      const x = label + ((t.start - t0) / span) * width;
      const w = Math.max(1.5, ((t.end - t.start) / span) * width);
      return `<rect x="${x.toFixed(1)}" y="${y}" width="${
        w.toFixed(1)
      }" height="${rh - 4}" fill="${
        COLORS[t.state]
      }" stroke="#333" stroke-width="0.5"><title>${
        esc(id)
      } try ${t.tryNumber}: ${t.state}, ${t.end - t.start} ms (from +${
        t.start - t0
      } ms)</title></rect>`;
    }).join("");
    return `<text x="4" y="${y + 11}">${esc(id)}</text>${tries}`;
  }).join("\n");
  // Whole steps of 1, 2 or 5: no label repeats, however short the run.
  const step = tickStep(span);
  const marks: number[] = [];
  for (let t = 0; t <= span; t += step) marks.push(t);
  const ticks = marks.map((t) => {
    const x = label + (t / span) * width;
    return `<text x="${x.toFixed(1)}" y="12" text-anchor="middle">${
      tickLabel(t)
    }</text><line x1="${x.toFixed(1)}" x2="${x.toFixed(1)}" y1="14" y2="${
      20 + rows.length * rh
    }" stroke="#ddd"/>`;
  }).join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${
    label + width + 60
  }" height="${30 + rows.length * rh}">${ticks}${bars}</svg>`;
}
