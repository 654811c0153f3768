// HTML of the history view: Spark's applications list, application (jobs,
// stages, executors), job (stage DAG) and stage (summary metrics, tasks)
// pages. Everything shown goes through `esc`; state is a text label with a
// shape mark, never colour alone; one stylesheet, one small polling script.

import {
  type AppModel,
  type JobRow,
  type LogEntry,
  quantiles,
  type StageRow,
  type TaskRow,
} from "./_history_model.ts";

/** Escapes text for HTML text and attribute values. */
export function esc(v: unknown): string {
  return String(v).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Where pages link to. */
export interface Links {
  index: string;
  app(appId: string): string;
  job(appId: string, jobId: number): string;
  stage(appId: string, stageId: number): string;
}

const CSS = `
:root{font-family:system-ui,sans-serif;line-height:1.4;color:#1b1b1b;background:#fff}
body{margin:0}header{background:#243447;color:#fff;padding:.6rem 1rem}
header a{color:#fff}nav.crumbs{font-size:.95rem}main{padding:1rem;max-width:1400px}
h1{font-size:1.4rem;margin:.4rem 0}h2{font-size:1.15rem;margin:1.4rem 0 .4rem}
a{color:#0645ad}a:focus,button:focus{outline:3px solid #f5a623;outline-offset:2px}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9rem;min-width:60%}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
.state{display:inline-block;padding:0 .4rem;border-radius:3px;font-weight:600;white-space:nowrap}
.ok{background:#d7f0dd;color:#0f5323}.bad{background:#fbdada;color:#8a1010}
.run{background:#dbe8fb;color:#123e7a}.skip{background:#eee;color:#444}
.bar{position:relative;width:12rem;max-width:100%;height:1.1rem;background:#eee;border:1px solid #999}
.bar span{position:absolute;left:0;top:0;bottom:0;background:#7fb77e}
.bar b{position:absolute;left:0;right:0;text-align:center;font-size:.8rem;font-weight:600}
.panel{border:2px solid #8a1010;background:#fff5f5;padding:.5rem 1rem;margin:1rem 0}
.note{color:#555;font-size:.9rem}dl.kv{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
dl.kv dt{font-weight:600}dl.kv dd{margin:0}svg text{font:12px system-ui,sans-serif}
@media (max-width:700px){main{padding:.5rem}table{font-size:.8rem}.bar{width:7rem}}
`;

const LIVE_SCRIPT = `
const main=document.querySelector("main[data-live]");
if(main){let url=main.dataset.live;const tick=async()=>{try{
const r=await fetch(url,{headers:{accept:"text/html"}});if(!r.ok)return setTimeout(tick,2000);
const html=await r.text();const live=r.headers.get("x-live")==="1";
if(html!==main.innerHTML){const f=document.activeElement&&document.activeElement.id;
main.innerHTML=html;if(f){const el=document.getElementById(f);if(el)el.focus();}}
if(live)setTimeout(tick,1000);else main.removeAttribute("data-live");
}catch{setTimeout(tick,2000);}};setTimeout(tick,1000);}
`;

/** A whole page around `body` (the `<main>` content). */
export function page(
  title: string,
  crumbs: [string, string | null][],
  body: string,
  liveUrl: string | null,
): string {
  const nav = crumbs.map(([label, href]) =>
    href === null ? esc(label) : `<a href="${esc(href)}">${esc(label)}</a>`
  ).join(" › ");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)} · Spark history</title><style>${CSS}</style></head><body>
<header><nav class="crumbs" aria-label="Breadcrumbs">${nav}</nav></header>
<main${
    liveUrl === null ? "" : ` data-live="${esc(liveUrl)}"`
  } aria-live="polite">${body}</main>
<script>${LIVE_SCRIPT}</script></body></html>`;
}

/** The body of an error or not-found page. */
export function messageBody(heading: string, text: string, back: string) {
  return `<h1>${esc(heading)}</h1><div class="panel" role="alert"><p>${
    esc(text)
  }</p></div><p><a href="${esc(back)}">Back to the applications</a></p>`;
}

function state(s: string): string {
  const [cls, mark] = s === "SUCCEEDED" || s === "COMPLETE" ||
      s === "SUCCESS" || s === "COMPLETED"
    ? ["ok", "✓"]
    : s === "FAILED"
    ? ["bad", "✗"]
    : s === "SKIPPED"
    ? ["skip", "–"]
    : ["run", "▶"];
  return `<span class="state ${cls}">${mark} ${esc(s)}</span>`;
}

function time(ms: number | null): string {
  if (ms === null || ms === 0) return "–";
  return esc(new Date(ms).toISOString().replace("T", " ").slice(0, 19));
}

/** Spark's UIUtils.formatDuration: ms, s, min, h. */
export function duration(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "–";
  if (ms < 100) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** Spark's Utils.bytesToString: B, KiB, MiB, GiB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) v /= 1024, i++;
  return `${v.toFixed(1)} ${units[i]}`;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

function bar(done: number, total: number, extra: string): string {
  const pct = total === 0 ? 0 : Math.min(100, (done / total) * 100);
  return `<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="${total}" aria-valuenow="${done}"><span style="width:${
    pct.toFixed(1)
  }%"></span><b>${done}/${total}${esc(extra)}</b></div>`;
}

function table(head: string[], rows: string[][], numeric: boolean[] = []) {
  const th = head.map((h) => `<th scope="col">${esc(h)}</th>`).join("");
  const tr = rows.map((r) =>
    `<tr>${
      r.map((c, i) => `<td${numeric[i] ? ' class="n"' : ""}>${c}</td>`).join("")
    }</tr>`
  ).join("");
  return `<div class="scroll"><table><thead><tr>${th}</tr></thead><tbody>${
    tr || `<tr><td colspan="${head.length}">None yet</td></tr>`
  }</tbody></table></div>`;
}

/** Damaged lines of a log, as an error panel (empty when none). */
export function damagedPanel(app: AppModel): string {
  if (app.damaged.length === 0) return "";
  const items = app.damaged.slice(0, 20).map((d) =>
    `<li>line ${d.line}: ${esc(d.message)}</li>`
  ).join("");
  const more = app.damaged.length > 20
    ? `<li>… and ${app.damaged.length - 20} more</li>`
    : "";
  return `<div class="panel" role="alert"><h2>Damaged event log</h2><p>${app.damaged.length} line(s) of ${
    esc(app.appId)
  } could not be read and were skipped; the rest is shown.</p><ul>${items}${more}</ul></div>`;
}

/** The applications list. */
export function appsBody(
  apps: { entry: LogEntry; app: AppModel | null; error: string | null }[],
  links: Links,
): string {
  const rows = apps.map(({ entry, app, error }) => [
    `<a href="${esc(links.app(entry.appId))}">${esc(entry.appId)}</a>`,
    esc(app?.name ?? ""),
    time(app?.started ?? null),
    entry.inProgress ? state("RUNNING") : time(app?.ended ?? null),
    duration(
      app?.started == null
        ? null
        : (app.ended ?? (entry.inProgress ? Date.now() : entry.mtime)) -
          app.started,
    ),
    esc(app?.user ?? ""),
    error !== null
      ? `<span class="state bad">✗ unreadable</span> ${esc(error)}`
      : app !== null && app.damaged.length > 0
      ? `<span class="state bad">✗ ${app.damaged.length} damaged line(s)</span>`
      : "",
  ]);
  return `<h1>Applications</h1>${
    table(
      ["App ID", "App Name", "Started", "Completed", "Duration", "User", "Log"],
      rows,
    )
  }<p class="note">Event logs are read from the event log directory on every request.</p>`;
}

function jobStageCounts(app: AppModel, job: JobRow) {
  const stages = job.stageIds.map((id) => app.stages.get(id)).filter((s) =>
    s !== undefined
  ) as StageRow[];
  const tasks = stages.reduce((a, s) => a + s.numTasks, 0);
  const done = stages.reduce((a, s) => a + succeeded(s), 0);
  const failed = stages.reduce((a, s) => a + failedAttempts(s), 0);
  return {
    stages,
    completeStages: stages.filter((s) => s.status === "COMPLETE").length,
    tasks,
    done,
    failed,
  };
}

function succeeded(s: StageRow): number {
  return new Set(
    s.tasks.filter((t) => t.status === "SUCCESS").map((t) => t.index),
  )
    .size;
}

function failedAttempts(s: StageRow): number {
  return s.tasks.filter((t) => t.status === "FAILED").length;
}

function jobRows(app: AppModel, jobs: JobRow[], links: Links): string[][] {
  const now = Date.now();
  return jobs.map((j) => {
    const c = jobStageCounts(app, j);
    return [
      `<a href="${esc(links.job(app.appId, j.jobId))}">${j.jobId}</a>`,
      esc(j.description) +
      (j.group === null
        ? ""
        : ` <span class="note">(group ${esc(j.group)})</span>`),
      time(j.submitted),
      duration((j.completed ?? now) - j.submitted),
      `${c.completeStages}/${c.stages.length}`,
      bar(c.done, c.tasks, c.failed > 0 ? ` (${c.failed} failed)` : ""),
      state(j.status) + (j.failure === null ? "" : ` ${esc(j.failure)}`),
    ];
  });
}

function stageRows(
  app: AppModel,
  stages: StageRow[],
  links: Links,
): string[][] {
  const now = Date.now();
  return stages.map((s) => {
    const done = succeeded(s);
    const failed = failedAttempts(s);
    const sum = (f: (t: TaskRow) => number) =>
      s.tasks.reduce((a, t) => a + f(t), 0);
    const running = s.status === "ACTIVE"
      ? ` (${s.numTasks - done} to go)`
      : "";
    return [
      `<a href="${esc(links.stage(app.appId, s.stageId))}">${s.stageId}</a>`,
      esc(s.name),
      time(s.submitted),
      duration(
        s.submitted === null ? null : (s.completed ?? now) - s.submitted,
      ),
      bar(
        done,
        s.numTasks,
        (failed > 0 ? ` (${failed} failed)` : "") + running,
      ),
      bytes(sum((t) => t.bytesRead)) + ` / ${count(sum((t) => t.recordsRead))}`,
      bytes(sum((t) => t.shuffleReadBytes)) +
      ` / ${count(sum((t) => t.shuffleReadRecords))}`,
      bytes(sum((t) => t.shuffleWriteBytes)) +
      ` / ${count(sum((t) => t.shuffleWriteRecords))}`,
      state(s.status) + (s.failure === null ? "" : ` ${esc(s.failure)}`),
    ];
  });
}

const STAGE_HEAD = [
  "Stage ID",
  "Description",
  "Submitted",
  "Duration",
  "Tasks: Succeeded/Total",
  "Input (bytes / records)",
  "Shuffle Read",
  "Shuffle Write",
  "Status",
];

/** An application: jobs, stages and executors. */
export function appBody(app: AppModel, links: Links): string {
  const jobs = [...app.jobs.values()].sort((a, b) => b.jobId - a.jobId);
  const stages = [...app.stages.values()].sort((a, b) => b.stageId - a.stageId);
  const running = jobs.filter((j) => j.status === "RUNNING").length;
  const failed = jobs.filter((j) => j.status === "FAILED").length;
  const status = app.inProgress ? "RUNNING" : "COMPLETED";
  const end = app.ended ?? (app.inProgress ? Date.now() : null);
  const execRows = [...app.executors.values()].map((e) => [
    esc(e.id),
    esc(e.host),
    time(e.added),
    count(e.tasks),
    count(e.failedTasks),
    duration(e.durationMs),
    `${bytes(e.bytesRead)} / ${count(e.recordsRead)}`,
    bytes(e.shuffleReadBytes),
    bytes(e.shuffleWriteBytes),
  ]);
  return `<h1>${esc(app.name)} <span class="note">${esc(app.appId)}</span></h1>
${damagedPanel(app)}
<dl class="kv"><dt>Status</dt><dd>${state(status)}</dd>
<dt>Started</dt><dd>${time(app.started)}</dd>
<dt>Duration</dt><dd>${
    duration(app.started === null || end === null ? null : end - app.started)
  }</dd>
<dt>Jobs</dt><dd>${jobs.length} (${running} running, ${failed} failed)</dd>
<dt>Event log format</dt><dd>Spark ${esc(app.sparkVersion || "?")}</dd></dl>
<p><a href="#jobs">Jobs</a> · <a href="#stages">Stages</a> · <a href="#executors">Executors</a></p>
<h2 id="jobs">Jobs</h2>${
    table(
      [
        "Job ID",
        "Description",
        "Submitted",
        "Duration",
        "Stages: Succeeded/Total",
        "Tasks: Succeeded/Total",
        "Status",
      ],
      jobRows(app, jobs, links),
      [false, false, false, true, true],
    )
  }
<h2 id="stages">Stages</h2>${
    table(STAGE_HEAD, stageRows(app, stages, links), [
      false,
      false,
      false,
      true,
    ])
  }
<h2 id="executors">Executors</h2>${
    table(
      [
        "Executor ID",
        "Address",
        "Added",
        "Tasks",
        "Failed Tasks",
        "Task Time",
        "Input",
        "Shuffle Read",
        "Shuffle Write",
      ],
      execRows,
      [false, false, false, true, true, true, true, true, true],
    )
  }`;
}

/** A job: its stages and their DAG with shuffle boundaries. */
export function jobBody(app: AppModel, job: JobRow, links: Links): string {
  const c = jobStageCounts(app, job);
  const stages = [...c.stages].sort((a, b) => a.stageId - b.stageId);
  const inJob = new Set(stages.map((s) => s.stageId));
  // Parents computed by an earlier job are shown too, as Spark shows skipped
  // stages: their shuffle output was reused.
  const nodes: DagNode[] = [];
  for (const s of stages) {
    for (const p of s.parents) {
      if (inJob.has(p) || nodes.some((n) => n.id === `s${p}`)) continue;
      inJob.add(p);
      nodes.push({
        id: `s${p}`,
        title: `Stage ${p} (earlier job)`,
        lines: ["shuffle output reused"],
        parents: [],
        dashed: true,
        href: app.stages.has(p) ? links.stage(app.appId, p) : null,
      });
    }
    nodes.push({
      id: `s${s.stageId}`,
      title: `Stage ${s.stageId}: ${s.kind} · ${s.status}`,
      lines: s.rdds.map((r) => `[${r.id}] ${r.name} (${r.callsite})`),
      parents: s.parents.map((p) => ({ id: `s${p}`, shuffle: true })),
      dashed: false,
      href: links.stage(app.appId, s.stageId),
    });
  }
  return `<h1>Job ${job.jobId}: ${esc(job.description)}</h1>
<dl class="kv"><dt>Status</dt><dd>${state(job.status)}${
    job.failure === null ? "" : ` ${esc(job.failure)}`
  }</dd><dt>Submitted</dt><dd>${time(job.submitted)}</dd>
<dt>Duration</dt><dd>${
    duration((job.completed ?? Date.now()) - job.submitted)
  }</dd>
<dt>Tasks</dt><dd>${
    bar(c.done, c.tasks, c.failed > 0 ? ` (${c.failed} failed)` : "")
  }</dd></dl>
<h2>DAG</h2><p class="note">Each box is a stage with the RDDs it computes; an arrow is a shuffle (a stage boundary).</p>
${dagSvg(nodes, "Stages of job " + job.jobId)}
<h2>Stages</h2>${
    table(STAGE_HEAD, stageRows(app, stages, links), [
      false,
      false,
      false,
      true,
    ])
  }`;
}

const METRICS: [string, (t: TaskRow) => number, (n: number) => string][] = [
  ["Duration", (t) => t.durationMs, duration],
  ["Input Size", (t) => t.bytesRead, bytes],
  ["Input Records", (t) => t.recordsRead, count],
  ["Shuffle Read Size", (t) => t.shuffleReadBytes, bytes],
  ["Shuffle Read Records", (t) => t.shuffleReadRecords, count],
  ["Shuffle Write Size", (t) => t.shuffleWriteBytes, bytes],
  ["Shuffle Write Records", (t) => t.shuffleWriteRecords, count],
  ["Result Size", (t) => t.resultSize, bytes],
];

/** Summary quantiles of a stage's successful tasks, per metric. */
export function stageSummary(s: StageRow): Record<string, number[]> {
  const ok = s.tasks.filter((t) => t.status === "SUCCESS");
  const out: Record<string, number[]> = {};
  for (const [name, f] of METRICS) out[name] = quantiles(ok.map(f));
  return out;
}

/** A stage: summary quantiles, RDD DAG, per-executor totals, tasks. */
export function stageBody(app: AppModel, s: StageRow, links: Links): string {
  const summary = stageSummary(s);
  const done = succeeded(s);
  const failed = failedAttempts(s);
  const qRows = METRICS.map(([name, , fmt]) => [
    esc(name),
    ...(summary[name]!.length === 0
      ? ["–", "–", "–", "–", "–"]
      : summary[name]!.map((v) => esc(fmt(v)))),
  ]);
  const inStage = new Set(s.rdds.map((r) => r.id));
  const nodes: DagNode[] = [];
  for (const r of s.rdds) {
    for (const p of r.shuffleParents) {
      if (!inStage.has(p) && !nodes.some((n) => n.id === `r${p}`)) {
        nodes.push({
          id: `r${p}`,
          title: `Shuffle read: RDD ${p}`,
          lines: ["from the parent stage"],
          parents: [],
          dashed: true,
          href: null,
        });
      }
    }
    nodes.push({
      id: `r${r.id}`,
      title: `[${r.id}] ${r.name}`,
      lines: [
        `${r.callsite} · ${r.partitions} partitions${
          r.cached ? " · cached" : ""
        }`,
      ],
      parents: r.parents.map((p) => ({
        id: `r${p}`,
        shuffle: r.shuffleParents.includes(p),
      })),
      dashed: false,
      href: null,
    });
  }
  const byExec = new Map<string, TaskRow[]>();
  for (const t of s.tasks) {
    byExec.set(t.executor, [...(byExec.get(t.executor) ?? []), t]);
  }
  const execRows = [...byExec].map(([id, ts]) => [
    esc(id),
    duration(ts.reduce((a, t) => a + t.durationMs, 0)),
    count(ts.length),
    count(ts.filter((t) => t.status === "FAILED").length),
    bytes(ts.reduce((a, t) => a + t.bytesRead, 0)),
    bytes(ts.reduce((a, t) => a + t.shuffleReadBytes, 0)),
    bytes(ts.reduce((a, t) => a + t.shuffleWriteBytes, 0)),
  ]);
  const tasks = [...s.tasks].sort((a, b) =>
    a.index - b.index || a.attempt - b.attempt
  );
  const taskRows = tasks.map((t) => [
    String(t.index),
    String(t.taskId),
    String(t.attempt),
    state(t.status),
    esc(t.executor),
    time(t.launch),
    duration(t.durationMs),
    `${bytes(t.bytesRead)} / ${count(t.recordsRead)}`,
    `${bytes(t.shuffleReadBytes)} / ${count(t.shuffleReadRecords)}`,
    `${bytes(t.shuffleWriteBytes)} / ${count(t.shuffleWriteRecords)}`,
    bytes(t.resultSize),
    t.failure === null ? "" : esc(t.failure),
  ]);
  const job = s.jobId === null
    ? ""
    : `<dt>Job</dt><dd><a href="${
      esc(links.job(app.appId, s.jobId))
    }">${s.jobId}</a></dd>`;
  return `<h1>Stage ${s.stageId}: ${esc(s.name)}</h1>
<dl class="kv"><dt>Status</dt><dd>${state(s.status)}${
    s.failure === null ? "" : ` ${esc(s.failure)}`
  }</dd>${job}<dt>Kind</dt><dd>${esc(s.kind)}</dd>
<dt>Tasks</dt><dd>${
    bar(
      done,
      s.numTasks,
      (failed > 0 ? ` (${failed} failed)` : "") +
        (s.status === "ACTIVE"
          ? ` (${s.numTasks - done} running or pending)`
          : ""),
    )
  }</dd>
<dt>Parent stages</dt><dd>${
    s.parents.length === 0
      ? "none"
      : s.parents.map((p) =>
        `<a href="${esc(links.stage(app.appId, p))}">${p}</a>`
      ).join(", ")
  }</dd></dl>
<h2>DAG</h2><p class="note">RDDs of this stage; a dashed box is a shuffle read (the boundary with the parent stage).</p>
${dagSvg(nodes, `RDDs of stage ${s.stageId}`)}
<h2>Summary Metrics for ${done} Completed Tasks</h2>${
    table(
      ["Metric", "Min", "25th percentile", "Median", "75th percentile", "Max"],
      qRows,
      [
        false,
        true,
        true,
        true,
        true,
        true,
      ],
    )
  }
<h2>Aggregated Metrics by Executor</h2>${
    table(
      [
        "Executor ID",
        "Task Time",
        "Total Tasks",
        "Failed Tasks",
        "Input",
        "Shuffle Read",
        "Shuffle Write",
      ],
      execRows,
      [false, true, true, true, true, true, true],
    )
  }
<h2>Tasks (${tasks.length})</h2>${
    table(
      [
        "Index",
        "Task ID",
        "Attempt",
        "Status",
        "Executor ID",
        "Launch Time",
        "Duration",
        "Input Size / Records",
        "Shuffle Read Size / Records",
        "Shuffle Write Size / Records",
        "Result Size",
        "Errors",
      ],
      taskRows,
      [true, true, true, false, false, false, true],
    )
  }`;
}

interface DagNode {
  id: string;
  title: string;
  lines: string[];
  parents: { id: string; shuffle: boolean }[];
  dashed: boolean;
  href: string | null;
}

/**
 * Draws nodes in columns by depth (a node sits one column right of its
 * deepest parent), edges as arrows; a shuffle edge is thick and labelled.
 */
function dagSvg(nodes: DagNode[], label: string): string {
  if (nodes.length === 0) return `<p class="note">No stages yet.</p>`;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const depthOf = (n: DagNode, guard = 0): number => {
    const known = depth.get(n.id);
    if (known !== undefined) return known;
    if (guard > nodes.length) return 0;
    let d = 0;
    for (const p of n.parents) {
      const pn = byId.get(p.id);
      if (pn !== undefined) d = Math.max(d, depthOf(pn, guard + 1) + 1);
    }
    depth.set(n.id, d);
    return d;
  };
  const W = 230, LINE = 15, GAP_X = 60, GAP_Y = 20;
  const cols: DagNode[][] = [];
  for (const n of nodes) (cols[depthOf(n)] ??= []).push(n);
  const pos = new Map<string, { x: number; y: number; h: number }>();
  let height = 0;
  cols.forEach((col, c) => {
    let y = 10;
    for (const n of col ?? []) {
      const h = 24 + LINE * Math.min(n.lines.length, 12) + 6;
      pos.set(n.id, { x: 10 + c * (W + GAP_X), y, h });
      y += h + GAP_Y;
    }
    height = Math.max(height, y);
  });
  const width = 20 + cols.length * (W + GAP_X) - GAP_X;
  const clip = (t: string) => t.length > 34 ? t.slice(0, 33) + "…" : t;
  let edges = "";
  for (const n of nodes) {
    const to = pos.get(n.id)!;
    for (const p of n.parents) {
      const from = pos.get(p.id);
      if (from === undefined) continue;
      const x1 = from.x + W, y1 = from.y + from.h / 2;
      const x2 = to.x, y2 = to.y + to.h / 2;
      edges += `<line x1="${x1}" y1="${y1}" x2="${
        x2 - 4
      }" y2="${y2}" stroke="#333" stroke-width="${
        p.shuffle ? 3 : 1.5
      }" marker-end="url(#arrow)"/>`;
      if (p.shuffle) {
        edges += `<text x="${(x1 + x2) / 2}" y="${
          (y1 + y2) / 2 - 6
        }" text-anchor="middle">shuffle</text>`;
      }
    }
  }
  let boxes = "";
  for (const n of nodes) {
    const { x, y, h } = pos.get(n.id)!;
    const lines = n.lines.slice(0, 12).map((l, i) =>
      `<text x="${x + 8}" y="${y + 38 + i * LINE}">${esc(clip(l))}</text>`
    ).join("") + (n.lines.length > 12 ? "" : "");
    const box =
      `<rect x="${x}" y="${y}" width="${W}" height="${h}" rx="4" fill="${
        n.dashed ? "#f4f4f4" : "#eef4fb"
      }" stroke="#345" ${n.dashed ? 'stroke-dasharray="5 3"' : ""}/><text x="${
        x + 8
      }" y="${y + 17}" font-weight="600">${esc(clip(n.title))}</text>${lines}`;
    boxes += n.href === null
      ? `<g><title>${esc(n.title)}</title>${box}</g>`
      : `<a href="${esc(n.href)}"><title>${esc(n.title)}</title>${box}</a>`;
  }
  return `<div class="scroll"><svg role="img" aria-label="${
    esc(label)
  }" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0L10,5L0,10z" fill="#333"/></marker></defs>${edges}${boxes}</svg></div>`;
}

/** JSON of a stage row without its tasks. */
export function stageJson(s: StageRow): Omit<StageRow, "tasks"> & {
  succeededTasks: number;
  failedAttempts: number;
} {
  const { tasks: _tasks, ...rest } = s;
  return {
    ...rest,
    succeededTasks: succeeded(s),
    failedAttempts: failedAttempts(s),
  };
}
