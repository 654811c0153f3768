/**
 * The benchmark's outputs: the terminal table and a self-contained HTML page
 * (top-region bars, speedup by scale against a 1.0x line, the DAG as it ran
 * with its Gantt chart, and the validation summary), both from one
 * {@linkcode BenchmarkReport}. Numbers are rounded for people here; the JSON
 * report keeps them whole.
 *
 * @module
 */

/** One timed aggregation at one scale. */
export interface BenchmarkRun {
  scale: string;
  events: number;
  baseline_ms: number;
  spark_ms: number;
  /** Of `spark_ms`, the time to start the worker pool. */
  spark_startup_ms: number;
  workers: number;
  partitions: number;
  /** `baseline_ms / spark_ms`: above 1 means spark was faster. */
  speedup: number;
  /** Whether spark and the baseline found the same counts. */
  agree: boolean;
}

/** A task's span in the DAG run, for the Gantt chart. */
export interface TaskSpan {
  taskId: string;
  state: string;
  tryNumber: number;
  start: number;
  end: number;
  /** Why the task failed, if it did. */
  error?: string;
  /** The tasks this one depends on, to draw the DAG. */
  upstream?: string[];
}

/** One expectation's outcome, for the validation summary. */
export interface ValidationLine {
  expectation: string;
  column: string;
  success: boolean;
  observed: string;
}

/** Everything the benchmark writes to `usgs_benchmark.json`. */
export interface BenchmarkReport {
  generated_at: string;
  source: string;
  events_fetched: number;
  fetch: { requests: number; retries: number; ms: number };
  top_regions: { region: string; count: number }[];
  runs: BenchmarkRun[];
  validation: {
    success: boolean;
    evaluated: number;
    successful: number;
    lines: ValidationLine[];
  };
  dag: { dag_id: string; run_id: string; state: string; tasks: TaskSpan[] };
  machine: { cores: number; deno: string; os: string };
  notes: string[];
}

/**
 * A number as a person reads it: integers whole, others to 4 significant
 * digits (1.5327416520210895 → 1.533), large ones to the unit.
 */
export function roundForPeople(x: number): number {
  if (!Number.isFinite(x) || Number.isInteger(x)) return x;
  return Math.abs(x) >= 1000 ? Math.round(x) : Number(x.toPrecision(4));
}

/** `JSON.stringify` with every number in it rounded for people. */
export function jsonForPeople(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v) => typeof v === "number" ? roundForPeople(v) : v,
  ) ?? String(value);
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** The runs as a fixed-width table for the terminal. */
export function formatRunsTable(runs: readonly BenchmarkRun[]): string {
  const header = [
    "scale",
    "events",
    "workers",
    "partitions",
    "baseline ms",
    "spark ms",
    "of it start-up",
    "speedup",
  ];
  const rows = runs.map((r) => [
    r.scale,
    r.events.toLocaleString("en-US"),
    String(r.workers),
    String(r.partitions),
    r.baseline_ms.toFixed(1),
    r.spark_ms.toFixed(1),
    r.spark_startup_ms.toFixed(1),
    `${r.speedup.toFixed(2)}x${r.agree ? "" : " (MISMATCH)"}`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => row[i]!.length))
  );
  const line = (cells: string[]) =>
    cells.map((c, i) => pad(c, widths[i]!, i > 0)).join("  ");
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
  ].join("\n");
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function barsSvg(
  items: { label: string; value: number; note?: string }[],
  color: string,
  reference?: { value: number; label: string },
): string {
  const max = Math.max(1, reference?.value ?? 0, ...items.map((i) => i.value));
  const rowHeight = 24;
  const labelWidth = 190;
  const barWidth = 420;
  const rows = items.map((item, i) => {
    const y = i * rowHeight;
    const w = Math.max(1, (item.value / max) * barWidth);
    return `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${
      escapeHtml(item.label)
    }</text>` +
      `<rect x="${labelWidth}" y="${y + 4}" width="${
        w.toFixed(1)
      }" height="16" fill="${color}" rx="2"/>` +
      `<text x="${labelWidth + w + 6}" y="${y + 16}">${
        escapeHtml(item.note ?? String(item.value))
      }</text>`;
  });
  // A reference line (the speedup chart's 1.0x: left of it spark was slower).
  const top = reference ? 18 : 0;
  const line = reference
    ? (() => {
      const x = (labelWidth + (reference.value / max) * barWidth).toFixed(1);
      return `<line x1="${x}" y1="14" x2="${x}" y2="${
        top + items.length * rowHeight + 4
      }" stroke="#333" stroke-dasharray="4 3"/>` +
        `<text x="${x}" y="11" text-anchor="middle">${
          escapeHtml(reference.label)
        }</text>`;
    })()
    : "";
  return `<svg width="${labelWidth + barWidth + 240}" height="${
    top + items.length * rowHeight + 4
  }" ` +
    `role="img" font-size="13" font-family="sans-serif"><g transform="translate(0 ${top})">${
      rows.join("")
    }</g>${line}</svg>`;
}

const STATE_COLORS: Record<string, string> = {
  success: "#2e7d32",
  failed: "#c62828",
  skipped: "#f48fb1",
  upstream_failed: "#ff9800",
  up_for_retry: "#fdd835",
};

/**
 * The DAG as it ran: tasks in columns by depth (a task sits one column right
 * of its deepest upstream task), so parallel branches stack in one column;
 * each box says its state in words and when it started and how long it ran.
 */
function dagSvg(tasks: readonly TaskSpan[]): string {
  if (tasks.length === 0 || tasks.every((t) => t.upstream === undefined)) {
    return "";
  }
  const byId = new Map(tasks.map((t) => [t.taskId, t]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    if (seen.has(id)) return 0; // a cycle cannot run; draw it flat
    seen.add(id);
    const ups = (byId.get(id)?.upstream ?? []).filter((u) => byId.has(u));
    const d = ups.length === 0
      ? 0
      : 1 + Math.max(...ups.map((u) => depthOf(u, seen)));
    depth.set(id, d);
    return d;
  };
  const columns: TaskSpan[][] = [];
  for (const t of tasks) {
    const d = depthOf(t.taskId, new Set());
    (columns[d] ??= []).push(t);
  }
  const started = tasks.filter((t) => t.start > 0).map((t) => t.start);
  const t0 = started.length > 0 ? Math.min(...started) : 0;
  const boxW = 170, boxH = 52, gapX = 36, gapY = 14;
  const tallest = Math.max(...columns.map((c) => c?.length ?? 0));
  const height = tallest * (boxH + gapY);
  const place = new Map<string, { x: number; y: number }>();
  columns.forEach((column, c) => {
    const offset = (height - column.length * (boxH + gapY)) / 2;
    column.forEach((t, r) => {
      place.set(t.taskId, {
        x: c * (boxW + gapX),
        y: offset + r * (boxH + gapY) + gapY / 2,
      });
    });
  });
  const edges = tasks.flatMap((t) =>
    (t.upstream ?? []).filter((u) => place.has(u)).map((u) => {
      const a = place.get(u)!, b = place.get(t.taskId)!;
      const x1 = a.x + boxW, y1 = a.y + boxH / 2;
      const x2 = b.x, y2 = b.y + boxH / 2;
      const mid = (x1 + x2) / 2;
      return `<path d="M${x1} ${y1}C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}" fill="none" stroke="#888" marker-end="url(#arrow)"/>`;
    })
  );
  const boxes = tasks.map((t) => {
    const { x, y } = place.get(t.taskId)!;
    const ran = t.start > 0 && t.end >= t.start;
    const timing = ran
      ? `+${(t.start - t0).toFixed(0)} ms · ${(t.end - t.start).toFixed(0)} ms`
      : "did not run";
    return `<g><title>${escapeHtml(t.taskId)}: ${escapeHtml(t.state)}${
      t.error ? ` (${escapeHtml(t.error)})` : ""
    }</title><rect x="${x}" y="${y}" width="${boxW}" height="${boxH}" rx="5" fill="#fff" stroke="${
      STATE_COLORS[t.state] ?? "#90a4ae"
    }" stroke-width="3"/>` +
      `<text x="${x + 8}" y="${y + 17}" font-weight="bold">${
        escapeHtml(t.taskId)
      }</text>` +
      `<text x="${x + 8}" y="${y + 32}">${escapeHtml(t.state)}</text>` +
      `<text x="${x + 8}" y="${y + 46}" fill="#555">${timing}</text></g>`;
  });
  const width = columns.length * (boxW + gapX) - gapX + 4;
  return `<svg width="${width}" height="${height}" role="img" font-size="12" font-family="sans-serif">` +
    `<defs><marker id="arrow" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L8 4L0 8z" fill="#888"/></marker></defs>` +
    `${edges.join("")}${boxes.join("")}</svg>`;
}

function ganttSvg(tasks: readonly TaskSpan[]): string {
  const spans = tasks.filter((t) => t.end >= t.start && t.start > 0);
  if (spans.length === 0) return "<p>No task timings recorded.</p>";
  const t0 = Math.min(...spans.map((t) => t.start));
  const t1 = Math.max(...spans.map((t) => t.end));
  const total = Math.max(1, t1 - t0);
  const labelWidth = 190;
  const width = 560;
  const rowHeight = 24;
  const rows = spans.map((t, i) => {
    const x = labelWidth + ((t.start - t0) / total) * width;
    const w = Math.max(2, ((t.end - t.start) / total) * width);
    const y = i * rowHeight;
    return `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end">${
      escapeHtml(t.taskId)
    }</text>` +
      `<rect x="${x.toFixed(1)}" y="${y + 4}" width="${
        w.toFixed(1)
      }" height="16" rx="2" ` +
      `fill="${STATE_COLORS[t.state] ?? "#90a4ae"}"><title>${
        escapeHtml(t.taskId)
      }: ${escapeHtml(t.state)}, ` +
      `try ${t.tryNumber}, ${(t.end - t.start).toFixed(0)} ms</title></rect>` +
      `<text x="${(x + w + 6).toFixed(1)}" y="${y + 16}">${
        (t.end - t.start).toFixed(0)
      } ms</text>`;
  });
  return `<svg width="${labelWidth + width + 90}" height="${
    spans.length * rowHeight + 4
  }" role="img" ` +
    `font-size="13" font-family="sans-serif">${rows.join("")}</svg>`;
}

/** The report as one HTML page with no external resources. */
export function renderBenchmarkHtml(report: BenchmarkReport): string {
  const top = report.top_regions.slice(0, 15).map((r) => ({
    label: r.region,
    value: r.count,
  }));
  const speed = report.runs.map((r) => ({
    label: `${r.events.toLocaleString("en-US")} ev, ${r.workers}w`,
    value: r.speedup,
    note: `${r.speedup.toFixed(2)}x (spark ${r.spark_ms.toFixed(0)} ms, loop ${
      r.baseline_ms.toFixed(0)
    } ms)`,
  }));
  const runRows = report.runs.map((r) =>
    `<tr><td>${escapeHtml(r.scale)}</td><td>${
      r.events.toLocaleString("en-US")
    }</td><td>${r.workers}</td>` +
    `<td>${r.partitions}</td><td>${r.baseline_ms.toFixed(1)}</td><td>${
      r.spark_ms.toFixed(1)
    }</td>` +
    `<td>${r.spark_startup_ms.toFixed(1)}</td><td>${
      r.speedup.toFixed(2)
    }x</td><td>${r.agree ? "yes" : "NO"}</td></tr>`
  ).join("");
  const validationRows = report.validation.lines.map((l) =>
    `<tr class="${l.success ? "ok" : "bad"}"><td>${
      l.success ? "✔" : "✘"
    }</td><td class="name">${escapeHtml(l.expectation)}</td>` +
    `<td class="text">${escapeHtml(l.column)}</td><td class="text">${
      escapeHtml(
        l.observed.length > 160 ? `${l.observed.slice(0, 160)}…` : l.observed,
      )
    }</td></tr>`
  ).join("");
  const notes = report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>USGS earthquake benchmark</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f5f5f5}td.text{text-align:left;max-width:28rem;overflow-wrap:anywhere}td.name{text-align:left;white-space:nowrap}tr.ok td:first-child{color:#2e7d32}tr.bad td:first-child{color:#c62828}
.summary{display:flex;gap:2rem;flex-wrap:wrap}.summary div{background:#f5f5f5;padding:.6rem 1rem;border-radius:6px}
.summary b{display:block;font-size:1.3rem}
</style></head><body>
<h1>USGS earthquake benchmark</h1>
<p>${escapeHtml(report.source)} · generated ${
    escapeHtml(report.generated_at)
  } · ${report.machine.cores} cores ·
Deno ${escapeHtml(report.machine.deno)} · ${escapeHtml(report.machine.os)}</p>
<div class="summary">
<div><b>${report.events_fetched.toLocaleString("en-US")}</b>events fetched</div>
<div><b>${report.fetch.requests}</b>requests (${report.fetch.retries} retried)</div>
<div><b>${
    report.validation.success ? "passed" : "FAILED"
  }</b>validation ${report.validation.successful}/${report.validation.evaluated}</div>
<div><b>${escapeHtml(report.dag.state)}</b>DAG run</div>
</div>
<h2>Most active regions (magnitude above the threshold)</h2>
${barsSvg(top, "#1565c0")}
<h2>Spark speedup over the single-threaded baseline</h2>
${barsSvg(speed, "#6a1b9a", { value: 1, label: "1.0x = as fast as the loop" })}
<table><tr><th>scale</th><th>events</th><th>workers</th><th>partitions</th><th>baseline ms</th><th>spark ms</th>
<th>of it start-up ms</th><th>speedup</th><th>same counts</th></tr>${runRows}</table>
<h2>DAG run ${escapeHtml(report.dag.run_id)}</h2>
${dagSvg(report.dag.tasks)}
<p>Tasks in one column are parallel branches: each waits only for the column
before it. The run used one task slot at a time, so the timings of the two
aggregations do not disturb each other; the Gantt chart shows the order.</p>
${ganttSvg(report.dag.tasks)}
<h2>Validation of the raw events</h2>
<table><tr><th></th><th>expectation</th><th>column</th><th>observed</th></tr>${validationRows}</table>
<h2>Notes</h2><ul>${notes}</ul>
</body></html>
`;
}
