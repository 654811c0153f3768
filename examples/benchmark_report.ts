/**
 * The benchmark's outputs: the terminal table and a self-contained HTML page
 * (top-region bars, speedup by scale, the DAG run's Gantt chart and the
 * validation summary), both from one {@linkcode BenchmarkReport}.
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
): string {
  const max = Math.max(1, ...items.map((i) => i.value));
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
  return `<svg width="${labelWidth + barWidth + 240}" height="${
    items.length * rowHeight + 4
  }" ` +
    `role="img" font-size="13" font-family="sans-serif">${rows.join("")}</svg>`;
}

const STATE_COLORS: Record<string, string> = {
  success: "#2e7d32",
  failed: "#c62828",
  skipped: "#f48fb1",
  upstream_failed: "#ff9800",
  up_for_retry: "#fdd835",
};

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
    note: `${r.speedup.toFixed(2)}x (${r.spark_ms.toFixed(0)} vs ${
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
    }</td><td class="text">${escapeHtml(l.expectation)}</td>` +
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
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:960px;color:#222;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:.9rem}td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:right}
th{background:#f5f5f5}td.text{text-align:left;max-width:28rem;overflow-wrap:anywhere}tr.ok td:first-child{color:#2e7d32}tr.bad td:first-child{color:#c62828}
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
${barsSvg(speed, "#6a1b9a")}
<table><tr><th>scale</th><th>events</th><th>workers</th><th>partitions</th><th>baseline ms</th><th>spark ms</th>
<th>of it start-up ms</th><th>speedup</th><th>same counts</th></tr>${runRows}</table>
<h2>DAG run ${escapeHtml(report.dag.run_id)} (Gantt)</h2>
${ganttSvg(report.dag.tasks)}
<h2>Validation of the raw events</h2>
<table><tr><th></th><th>expectation</th><th>column</th><th>observed</th></tr>${validationRows}</table>
<h2>Notes</h2><ul>${notes}</ul>
</body></html>
`;
}
