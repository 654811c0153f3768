/**
 * {@linkcode renderDataDocs}: a self-contained HTML page for a validation
 * result — summary, status per expectation, observed values and unexpected
 * samples — with inline CSS and no external resources.
 *
 * @module
 */

import { esc } from "./_html.ts";
import type { ExpectationValidationResult, ValidationResult } from "./types.ts";

/**
 * Options for {@linkcode renderDataDocs}.
 *
 * @example Usage
 * ```ts
 * import { ExpectationSuite, renderDataDocs, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const result = await validate([], new ExpectationSuite("s"));
 * const html = renderDataDocs(result, { title: "Nightly", indexHref: "../index.html" });
 * assert.ok(html.includes("<title>Nightly</title>"));
 * assert.ok(html.includes('href="../index.html"'));
 * ```
 */
export interface DataDocsOptions {
  /**
   * The page title.
   * @default {"Validation: <suite name>"}
   */
  title?: string;
  /**
   * A link back to a list of results (the Data Docs site's index), shown
   * above the title.
   * @default {undefined}
   */
  indexHref?: string;
}

function show(v: unknown): string {
  if (v === undefined) return "";
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "number") {
    return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  }
  if (typeof v === "string") return JSON.stringify(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function pct(v: unknown): string {
  return typeof v === "number" ? `${Number(v.toFixed(3))}%` : "—";
}

// A sentence for the common kwargs, so readers need not know GE's names.
function describe(r: ExpectationValidationResult): string {
  const kw = r.expectation_config.kwargs;
  const parts: string[] = [];
  if (kw.column !== undefined) parts.push(`column <b>${esc(kw.column)}</b>`);
  if (kw.column_list !== undefined) {
    parts.push(`columns ${esc(show(kw.column_list))}`);
  }
  if (kw.column_set !== undefined) {
    parts.push(`columns ${esc(show(kw.column_set))}`);
  }
  if (kw.min_value !== undefined && kw.min_value !== null) {
    parts.push(`${kw.strict_min ? "&gt;" : "≥"} ${esc(show(kw.min_value))}`);
  }
  if (kw.max_value !== undefined && kw.max_value !== null) {
    parts.push(`${kw.strict_max ? "&lt;" : "≤"} ${esc(show(kw.max_value))}`);
  }
  for (
    const key of [
      "value",
      "value_set",
      "regex",
      "regex_list",
      "type_",
      "type_list",
      "strftime_format",
    ]
  ) {
    if (kw[key] !== undefined) parts.push(`${esc(key)} ${esc(show(kw[key]))}`);
  }
  if (typeof kw.mostly === "number") {
    parts.push(
      `at least ${esc(Number((kw.mostly * 100).toFixed(4)))}% of the time`,
    );
  }
  if (typeof kw.row_condition === "string") {
    parts.push(`where <code>${esc(kw.row_condition)}</code>`);
  }
  return parts.join(", ");
}

function details(r: ExpectationValidationResult): string {
  const out: string[] = [];
  const res = r.result;
  if (r.exception_info.raised_exception) {
    out.push(
      `<div class="exc">Raised: ${
        esc(r.exception_info.exception_message)
      }</div>`,
    );
    if (r.exception_info.exception_traceback) {
      out.push(
        `<details><summary>Traceback</summary><pre>${
          esc(r.exception_info.exception_traceback)
        }</pre></details>`,
      );
    }
    return out.join("");
  }
  if ("observed_value" in res) {
    out.push(
      `<div>Observed: <code>${esc(show(res.observed_value))}</code></div>`,
    );
  }
  if (typeof res.unexpected_count === "number") {
    out.push(
      `<div>${res.unexpected_count} unexpected of ${res.element_count} (${
        pct(res.unexpected_percent)
      }` +
        (typeof res.missing_count === "number"
          ? `; ${res.missing_count} missing`
          : "") +
        `)</div>`,
    );
  }
  if (
    res.partial_unexpected_counts && res.partial_unexpected_counts.length > 0
  ) {
    const rows = res.partial_unexpected_counts
      .map((c) =>
        `<tr><td><code>${esc(show(c.value))}</code></td><td>${
          esc(c.count)
        }</td></tr>`
      ).join("");
    // GE counts only the partial list: say so, or a reader takes them as totals.
    const n = res.partial_unexpected_list?.length ??
      res.partial_unexpected_counts.reduce((t, c) => t + c.count, 0);
    out.push(
      `<table class="mini"><caption>Counts among the first ${n} unexpected values</caption>` +
        `<tr><th>Unexpected value</th><th>Count</th></tr>${rows}</table>`,
    );
  } else if (
    res.partial_unexpected_list && res.partial_unexpected_list.length > 0
  ) {
    out.push(
      `<div>Samples: <code>${
        esc(res.partial_unexpected_list.map(show).join(", "))
      }</code></div>`,
    );
  }
  if (res.details) {
    out.push(`<div>Details: <code>${esc(show(res.details))}</code></div>`);
  }
  return out.join("");
}

/**
 * Renders a validation result as one self-contained HTML page (inline CSS, no
 * scripts or external resources); every value from the data is escaped.
 *
 * @example Write a report
 * ```ts
 * import { ExpectationSuite, renderDataDocs, validate } from "./mod.ts";
 * const suite = new ExpectationSuite("events").expectColumnValuesToBeBetween("mag", 0, 10);
 * import assert from "node:assert/strict";
 * const html = renderDataDocs(await validate([{ mag: 3 }, { mag: 12 }], suite));
 * assert.ok(html.startsWith("<!doctype html>"));
 * assert.ok(html.includes("expect_column_values_to_be_between"));
 * assert.ok(html.includes("Counts among the first 1 unexpected values"));
 * ```
 */
export function renderDataDocs(
  result: ValidationResult,
  options: DataDocsOptions = {},
): string {
  const s = result.statistics;
  const name = result.meta?.expectation_suite_name ?? "suite";
  const title = options.title ?? `Validation: ${name}`;
  const ok = result.success;
  const rows = result.results.map((r, i) => {
    const state = r.exception_info.raised_exception
      ? "error"
      : r.success
      ? "pass"
      : "fail";
    const mark = state === "pass" ? "✔" : state === "fail" ? "✘" : "⚠";
    return `<tr class="${state}"><td>${i + 1}</td><td class="st">${mark}</td>` +
      `<td><code>${
        esc(r.expectation_config.expectation_type)
      }</code><div class="kw">${describe(r)}</div>` +
      (Object.keys(r.expectation_config.meta).length > 0
        ? `<div class="kw">meta ${esc(show(r.expectation_config.meta))}</div>`
        : "") +
      `</td><td>${details(r)}</td></tr>`;
  }).join("\n");
  const percent = s.success_percent === null
    ? "—"
    : `${Number(s.success_percent.toFixed(2))}%`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem;margin:0 0 .3rem}.badge{display:inline-block;padding:.15rem .6rem;border-radius:1rem;color:#fff;font-weight:600}
.ok{background:#1f8a4c}.bad{background:#c0392b}.cards{display:flex;gap:1rem;margin:1rem 0;flex-wrap:wrap}
.card{border:1px solid #dde2ea;border-radius:.5rem;padding:.6rem 1rem;min-width:9rem}.card b{display:block;font-size:1.3rem}
.bar{height:.6rem;background:#f1d4d0;border-radius:.3rem;overflow:hidden}.bar>div{height:100%;background:#1f8a4c}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e6e9ef;padding:.45rem;text-align:left;vertical-align:top}
tr.fail .st{color:#c0392b}tr.pass .st{color:#1f8a4c}tr.error .st{color:#d68910}.st{font-size:1.1rem}
.kw{color:#5b6475;font-size:.9em}.exc{color:#a04000}table.mini{width:auto;margin-top:.3rem}caption{text-align:left;color:#5b6475;font-size:.9em}table.mini td,table.mini th{padding:.15rem .5rem}
code{font-family:ui-monospace,monospace;font-size:.92em;word-break:break-all}pre{white-space:pre-wrap;font-size:.8em}
</style></head><body>
${
    options.indexHref === undefined
      ? ""
      : `<nav><a href="${
        esc(options.indexHref)
      }">← All validation results</a></nav>\n`
  }<h1>${esc(title)}</h1>
<div><span class="badge ${ok ? "ok" : "bad"}">${
    ok ? "Succeeded" : "Failed"
  }</span>
 suite <b>${esc(name)}</b> · run ${esc(result.meta?.run_id?.run_name ?? "")} ${
    esc(result.meta?.run_id?.run_time ?? "")
  } · format ${esc(result.meta?.result_format ?? "")}</div>
<div class="cards">
<div class="card">Evaluated<b>${s.evaluated_expectations}</b></div>
<div class="card">Successful<b>${s.successful_expectations}</b></div>
<div class="card">Unsuccessful<b>${s.unsuccessful_expectations}</b></div>
<div class="card">Success<b>${percent}</b><div class="bar"><div style="width:${
    s.success_percent ?? 0
  }%"></div></div></div>
</div>
<table><thead><tr><th>#</th><th>Status</th><th>Expectation</th><th>Observed / unexpected</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p class="kw">Validated ${esc(result.meta?.validation_time ?? "")}.</p>
</body></html>
`;
}
