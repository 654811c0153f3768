/**
 * The Data Docs site: every validation result in a folder, newest first, as
 * GE's Data Docs site lists them. {@linkcode renderDataDocsSite} writes it as
 * static files; {@linkcode qualityDocsHandler} serves it live.
 *
 * A results folder holds GE validation results as `<resultId>.json` files
 * (what {@linkcode Checkpoint} writes with `resultPath`). A result id is the
 * file name without `.json` and must match `[A-Za-z0-9._-]+` (no `..`): any
 * other id is refused, so no URL reaches outside the folder. A file that
 * does not parse as a validation result shows an error panel in its row and
 * on its page; the other results are unaffected.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../internal/atomic_file.ts";
import { esc } from "./_html.ts";
import { renderDataDocs } from "./data_docs.ts";
import { describeValue, QualityError } from "./errors.ts";
import type { ValidationResult } from "./types.ts";
import { basePathOf, pathUnder } from "../internal/base_path.ts";

const ID = /^[A-Za-z0-9._-]+$/;

/** Whether `id` names a result file inside the folder (no separators, no `..`). */
function validId(id: string): boolean {
  return ID.test(id) && !id.includes("..") && id !== ".";
}

/**
 * One row of the site's index: a result's id and summary, or why its file
 * could not be read.
 *
 * @example Read the index as JSON
 * ```ts
 * import { type DataDocsIndexEntry, listValidationResults } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/broken.json`, "{");
 * const entries: DataDocsIndexEntry[] = await listValidationResults(dir);
 * assert.equal(entries[0]?.id, "broken");
 * assert.ok(entries[0]?.error?.includes("does not parse"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export interface DataDocsIndexEntry {
  /** The result id: its file name without `.json`. */
  id: string;
  /** Whether every expectation held; null for a damaged file. */
  success: boolean | null;
  /** The suite's name. */
  suite: string | null;
  /** `meta.run_id.run_name`. */
  runName: string | null;
  /** `meta.validation_time` (or the run time, or the file's mtime). */
  time: string | null;
  /** How many expectations were evaluated. */
  evaluated: number | null;
  /** How many of them held. */
  successful: number | null;
  /** Why the file could not be read as a validation result, else null. */
  error: string | null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Only the fields the pages read are checked: a file that has them renders.
function asResult(data: unknown, id: string): ValidationResult {
  if (
    !isObject(data) || typeof data.success !== "boolean" ||
    !Array.isArray(data.results) || !isObject(data.statistics)
  ) {
    throw new QualityError(
      `Result ${
        JSON.stringify(id)
      } is not a GE validation result (needs success, statistics, results): ${
        describeValue(data)
      }`,
    );
  }
  for (const r of data.results) {
    if (
      !isObject(r) || !isObject(r.expectation_config) ||
      !isObject(r.result) || !isObject(r.exception_info)
    ) {
      throw new QualityError(
        `Result ${JSON.stringify(id)} has a malformed expectation result: ${
          describeValue(r)
        }`,
      );
    }
    if (!isObject(r.expectation_config.kwargs)) {
      r.expectation_config.kwargs = {};
    }
    if (!isObject(r.expectation_config.meta)) r.expectation_config.meta = {};
  }
  return data as unknown as ValidationResult;
}

/**
 * Reads one result of a results folder. Rejects with a {@linkcode QualityError}
 * for an invalid id, a missing file or a damaged one.
 *
 * @example Read a result back
 * ```ts
 * import { ExpectationSuite, readValidationResult, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const result = await validate([{ a: 1 }], new ExpectationSuite("s").expectColumnToExist("a"));
 * await Deno.writeTextFile(`${dir}/run-1.json`, JSON.stringify(result));
 * assert.equal((await readValidationResult(dir, "run-1")).success, true);
 * await assert.rejects(readValidationResult(dir, "../etc/passwd"), /Result id/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readValidationResult(
  resultsDir: string,
  id: string,
): Promise<ValidationResult> {
  if (!validId(id)) {
    throw new QualityError(
      `Result id must match [A-Za-z0-9._-]+ without "..": ${describeValue(id)}`,
    );
  }
  let text: string;
  try {
    text = await Deno.readTextFile(join(resultsDir, `${id}.json`));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new QualityError(`No validation result ${JSON.stringify(id)}`, {
        cause: error,
      });
    }
    throw new QualityError(`Cannot read result ${JSON.stringify(id)}`, {
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new QualityError(
      `Result ${JSON.stringify(id)} does not parse as JSON: ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  return asResult(data, id);
}

/**
 * Lists every result of a results folder, newest first (by validation time,
 * then id). A damaged file is listed with its `error`.
 *
 * @example List a folder
 * ```ts
 * import { ExpectationSuite, listValidationResults, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const suite = new ExpectationSuite("s").expectColumnToExist("a");
 * await Deno.writeTextFile(`${dir}/a.json`, JSON.stringify(await validate([{ a: 1 }], suite)));
 * const [entry] = await listValidationResults(dir);
 * assert.deepEqual([entry?.id, entry?.suite, entry?.success], ["a", "s", true]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function listValidationResults(
  resultsDir: string,
): Promise<DataDocsIndexEntry[]> {
  const ids: string[] = [];
  try {
    for await (const e of Deno.readDir(resultsDir)) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      const id = e.name.slice(0, -".json".length);
      if (validId(id)) ids.push(id);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw new QualityError(`Cannot read results folder: ${resultsDir}`, {
      cause: error,
    });
  }
  const entries = await Promise.all(ids.map(async (id) => {
    try {
      const r = await readValidationResult(resultsDir, id);
      return {
        id,
        success: r.success,
        suite: r.meta?.expectation_suite_name ?? null,
        runName: r.meta?.run_id?.run_name ?? null,
        time: r.meta?.validation_time ?? r.meta?.run_id?.run_time ?? null,
        evaluated: r.statistics.evaluated_expectations ?? null,
        successful: r.statistics.successful_expectations ?? null,
        error: null,
      };
    } catch (error) {
      let time: string | null = null;
      try {
        time = (await Deno.stat(join(resultsDir, `${id}.json`))).mtime
          ?.toISOString() ?? null;
      } catch { /* gone meanwhile */ }
      return {
        id,
        success: null,
        suite: null,
        runName: null,
        time,
        evaluated: null,
        successful: null,
        error: (error as Error).message,
      };
    }
  }));
  return entries.sort((a, b) =>
    (b.time ?? "").localeCompare(a.time ?? "") || a.id.localeCompare(b.id)
  );
}

const STYLE =
  `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.4rem}table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #e6e9ef;padding:.45rem;text-align:left}
.pass{color:#1f8a4c}.fail{color:#c0392b}.error{color:#a04000}.panel{border:1px solid #e5b8a8;background:#fdf2ee;border-radius:.4rem;padding:.6rem 1rem;color:#7a2e12}
a:focus{outline:2px solid #2f6fdf}.muted{color:#5b6475}`;

function statusCell(e: DataDocsIndexEntry): string {
  if (e.error !== null) return `<td class="error">⚠ damaged</td>`;
  return e.success
    ? `<td class="pass">✔ passed</td>`
    : `<td class="fail">✘ failed</td>`;
}

/** The index page; `href(id)` gives each result's link. */
function renderIndex(
  entries: DataDocsIndexEntry[],
  href: (id: string) => string,
  live: { apiUrl: string } | null,
): string {
  const rows = entries.map((e) =>
    `<tr>${statusCell(e)}<td><a href="${esc(href(e.id))}">${
      esc(e.id)
    }</a></td>` +
    (e.error !== null
      ? `<td colspan="3"><div class="panel">${esc(e.error)}</div></td>`
      : `<td>${esc(e.suite ?? "")}</td><td>${esc(e.successful ?? "")}/${
        esc(e.evaluated ?? "")
      }</td><td>${esc(e.runName ?? "")}</td>`) +
    `<td>${esc(e.time ?? "")}</td></tr>`
  ).join("\n");
  // Polls the JSON index and reloads only when the set of results changed.
  const script = live === null ? "" : `<script>
(() => { let seen = ${
    JSON.stringify(JSON.stringify(entries.map((e) => [e.id, e.time])))
  };
setInterval(async () => { try {
  const r = await fetch(${JSON.stringify(live.apiUrl)}); if (!r.ok) return;
  const now = JSON.stringify((await r.json()).map((e) => [e.id, e.time]));
  if (now !== seen) { seen = now; location.reload(); }
} catch { /* server gone: keep the page */ } }, 3000); })();
</script>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Data Docs</title><style>${STYLE}</style></head><body>
<h1>Data Docs: validation results</h1>
<p class="muted">${entries.length} result${
    entries.length === 1 ? "" : "s"
  }, newest first.</p>
${
    entries.length === 0
      ? `<p>No validation results yet.</p>`
      : `<table><thead><tr><th>Status</th><th>Result</th><th>Suite</th><th>Successful</th><th>Run</th><th>Validated</th></tr></thead>
<tbody>
${rows}
</tbody></table>`
  }
${script}</body></html>
`;
}

function errorPage(title: string, message: string, indexHref: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>
<nav><a href="${esc(indexHref)}">← All validation results</a></nav>
<h1>${esc(title)}</h1><div class="panel" role="alert">${esc(message)}</div>
</body></html>
`;
}

/**
 * Options for {@linkcode renderDataDocsSite}.
 *
 * @example Write the site elsewhere
 * ```ts
 * import type { DataDocsSiteOptions } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const options: DataDocsSiteOptions = { outDir: "out/docs" };
 * assert.equal(options.outDir, "out/docs");
 * ```
 */
export interface DataDocsSiteOptions {
  /**
   * Where to write `index.html` and `results/<id>.html`.
   * @default {the results folder}
   */
  outDir?: string;
}

/**
 * Writes a static Data Docs site for a folder of validation results:
 * `index.html` (every result, newest first, pass/fail, suite, time) linking
 * to `results/<id>.html`, each a {@linkcode renderDataDocs} page. Self-contained:
 * inline CSS, no network. Resolves to the index's path.
 *
 * @example Render a site
 * ```ts
 * import { ExpectationSuite, renderDataDocsSite, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const suite = new ExpectationSuite("s").expectColumnToExist("a");
 * await Deno.writeTextFile(`${dir}/nightly.json`, JSON.stringify(await validate([{ a: 1 }], suite)));
 * const index = await renderDataDocsSite(dir);
 * assert.ok((await Deno.readTextFile(index)).includes('href="results/nightly.html"'));
 * assert.ok((await Deno.readTextFile(`${dir}/results/nightly.html`)).includes("expect_column_to_exist"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function renderDataDocsSite(
  resultsDir: string,
  options: DataDocsSiteOptions = {},
): Promise<string> {
  const outDir = options.outDir ?? resultsDir;
  const entries = await listValidationResults(resultsDir);
  for (const e of entries) {
    let html: string;
    try {
      html = renderDataDocs(await readValidationResult(resultsDir, e.id), {
        indexHref: "../index.html",
      });
    } catch (error) {
      html = errorPage(
        `Result ${e.id}`,
        (error as Error).message,
        "../index.html",
      );
    }
    await writeFileAtomic(join(outDir, "results", `${e.id}.html`), html, {
      mkdir: true,
    });
  }
  const index = join(outDir, "index.html");
  await writeFileAtomic(
    index,
    renderIndex(entries, (id) => `results/${id}.html`, null),
    { mkdir: true },
  );
  return index;
}

/**
 * Options for {@linkcode qualityDocsHandler}.
 *
 * @example Mounted under a prefix
 * ```ts
 * import type { QualityDocsOptions } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const options: QualityDocsOptions = { resultsDir: "out/quality", basePath: "/quality" };
 * assert.equal(options.basePath, "/quality");
 * ```
 */
export interface QualityDocsOptions {
  /** The folder of `<resultId>.json` validation results. */
  resultsDir: string;
  /**
   * The path prefix the handler is mounted under (`/quality`): requests must
   * carry it, and every link the pages hold starts with it.
   * @default {""}
   */
  basePath?: string;
}

function html(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/**
 * Serves the Data Docs site live from a results folder, read on every
 * request: `GET /` lists every result newest first (and polls for new ones),
 * `GET /results/<resultId>` shows one, `GET /api/results` and
 * `GET /api/results/<resultId>` answer with JSON. Paths are relative to
 * `basePath`. An invalid id is a 400, an unknown one a 404 page naming it,
 * a damaged file a 500 page with an error panel; other methods get 405.
 *
 * @example Serve and fetch
 * ```ts
 * import { ExpectationSuite, qualityDocsHandler, validate } from "./mod.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * const suite = new ExpectationSuite("s").expectColumnToExist("a");
 * await Deno.writeTextFile(`${dir}/r1.json`, JSON.stringify(await validate([{ a: 1 }], suite)));
 * const handler = qualityDocsHandler({ resultsDir: dir, basePath: "/quality" });
 * const index = await handler(new Request("http://127.0.0.1/quality/"));
 * assert.ok((await index.text()).includes('href="/quality/results/r1"'));
 * const api = await handler(new Request("http://127.0.0.1/quality/api/results/r1"));
 * assert.equal((await api.json()).success, true);
 * const bad = await handler(new Request("http://127.0.0.1/quality/results/..%2Fx"));
 * assert.equal(bad.status, 400);
 * await bad.body?.cancel();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function qualityDocsHandler(
  options: QualityDocsOptions,
): (req: Request) => Promise<Response> {
  const dir = options.resultsDir;
  const base = basePathOf(options.basePath, (m) => new QualityError(m));
  const indexHref = `${base}/`;
  return async (req) => {
    const url = new URL(req.url);
    const path = pathUnder(base, url.pathname);
    if (path === null) {
      return html(
        errorPage("Not found", `No page at ${url.pathname}`, indexHref),
        404,
      );
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method not allowed", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    }
    const m = /^\/(api\/)?results\/([^/]*)$/.exec(path);
    try {
      if (path === "/" || path === "/index.html") {
        const entries = await listValidationResults(dir);
        return html(renderIndex(
          entries,
          (id) => `${base}/results/${encodeURIComponent(id)}`,
          { apiUrl: `${base}/api/results` },
        ));
      }
      if (path === "/api/results") {
        return json(await listValidationResults(dir));
      }
      if (m) {
        let id: string;
        try {
          id = decodeURIComponent(m[2]!);
        } catch {
          id = m[2]!;
        }
        const api = m[1] !== undefined;
        if (!validId(id)) {
          const message = `Invalid result id: ${JSON.stringify(id)}`;
          return api
            ? json({ error: message }, 400)
            : html(errorPage("Invalid result id", message, indexHref), 400);
        }
        try {
          const result = await readValidationResult(dir, id);
          return api ? json(result) : html(
            renderDataDocs(result, {
              title: `Validation ${id}: ${
                result.meta?.expectation_suite_name ?? "suite"
              }`,
              indexHref,
            }),
          );
        } catch (error) {
          const message = (error as Error).message;
          const status = message.startsWith("No validation result") ? 404 : 500;
          return api
            ? json({ error: message }, status)
            : html(errorPage(`Result ${id}`, message, indexHref), status);
        }
      }
      return html(errorPage("Not found", `No page at ${path}`, indexHref), 404);
    } catch (error) {
      const message = (error as Error).message;
      return html(errorPage("Data Docs", message, indexHref), 500);
    }
  };
}
