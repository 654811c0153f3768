/**
 * The quality CLI, as `deno task quality …`:
 *
 * ```
 * validate --suite suite.json data.csv|data.json|data.ndjson
 *          [--result out/result.json] [--docs out/docs/] [--result-format SUMMARY]
 * suite new <name> [--out suite.json]      write an empty suite
 * suite list [dir]                         the suites (*.json) in a folder
 * suite show suite.json                    one line per expectation
 * profile data.csv [--exclude-column c]… [--exclude-expectation t]… > suite.json
 * ```
 *
 * `validate` exits 0 when the suite passes and 1 when it fails; any command
 * exits 2 on bad usage or input, with one line on stderr (no stack trace).
 * With `--docs DIR` the result is also written as `DIR/<id>.json` and the
 * Data Docs site of `DIR` is rendered.
 *
 * @module
 */

import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import { writeFileAtomic } from "../internal/atomic_file.ts";
import { describeFailure } from "../internal/args.ts";
import { readRows } from "./_read_rows.ts";
import { renderDataDocsSite } from "./data_docs_site.ts";
import { describeValue, QualityError } from "./errors.ts";
import { ExpectationSuite } from "./expectation_suite.ts";
import { profile } from "./profile.ts";
import type { ResultFormatName, ValidationResult } from "./types.ts";
import { validate } from "./validate.ts";

const USAGE = `Usage: deno task quality <command> [options]

Commands:
  validate --suite SUITE.json DATA   validate a .csv, .json or .ndjson file
      --result PATH                  write the JSON validation result
      --docs DIR                     add the result to a Data Docs site in DIR
      --result-format NAME           BOOLEAN_ONLY, BASIC, SUMMARY (default) or COMPLETE
  suite new NAME [--out PATH]        write an empty suite (default NAME.json)
  suite list [DIR]                   list the suites in DIR (default .)
  suite show SUITE.json              print a suite's expectations
  profile DATA [--exclude-column C]... [--exclude-expectation TYPE]...
                                     print a suite profiled from DATA

Exit status: 0 passed, 1 failed, 2 bad usage or input.`;

/** A user's mistake: one line, exit status 2. */
class UsageError extends Error {}

/** What a command prints and its exit status. */
export interface CliOutcome {
  /** Exit status: 0, 1 or 2. */
  code: number;
  /** Standard output. */
  stdout: string;
  /** Standard error (one line for a failure). */
  stderr: string;
}

async function readSuite(path: string): Promise<ExpectationSuite> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new QualityError(`Cannot read suite: ${path}`, { cause: error });
  }
  return ExpectationSuite.fromJSON(text);
}

function percent(v: number | null): string {
  return v === null ? "—" : `${Number(v.toFixed(2))}%`;
}

/** A one-screen summary: the verdict, then one line per failed expectation. */
function summarize(result: ValidationResult, dataPath: string): string {
  const s = result.statistics;
  const lines = [
    `${
      result.success ? "PASSED" : "FAILED"
    } ${result.meta.expectation_suite_name} on ${dataPath}: ${s.successful_expectations}/${s.evaluated_expectations} expectations (${
      percent(s.success_percent)
    })`,
  ];
  const failed = result.results.filter((r) => !r.success);
  for (const r of failed.slice(0, 15)) {
    const kw = r.expectation_config.kwargs;
    const target = kw.column ?? kw.column_list ?? kw.column_A ?? "table";
    let why: string;
    if (r.exception_info.raised_exception) {
      why = `error: ${r.exception_info.exception_message}`;
    } else if (typeof r.result.unexpected_count === "number") {
      why =
        `${r.result.unexpected_count} unexpected of ${r.result.element_count}` +
        (r.result.partial_unexpected_list?.length
          ? `, e.g. ${
            JSON.stringify(r.result.partial_unexpected_list.slice(0, 3))
          }`
          : "");
    } else why = `observed ${JSON.stringify(r.result.observed_value)}`;
    lines.push(
      `  ✘ ${r.expectation_config.expectation_type} (${
        Array.isArray(target) ? target.join(", ") : String(target)
      }): ${why}`.slice(0, 200),
    );
  }
  if (failed.length > 15) lines.push(`  … and ${failed.length - 15} more`);
  return lines.join("\n") + "\n";
}

const FORMATS = ["BOOLEAN_ONLY", "BASIC", "SUMMARY", "COMPLETE"];

function parse(
  args: string[],
  options: Record<string, { type: "string" | "boolean"; multiple?: boolean }>,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    const flag = /'(-[^' ]+)/.exec((error as Error).message)?.[1];
    throw new UsageError(
      flag ? `Unknown or incomplete flag: ${flag}` : (error as Error).message,
    );
  }
}

async function validateCommand(args: string[]): Promise<CliOutcome> {
  const { values, positionals } = parse(args, {
    suite: { type: "string" },
    result: { type: "string" },
    docs: { type: "string" },
    "result-format": { type: "string" },
  });
  if (typeof values.suite !== "string") {
    throw new UsageError("validate needs --suite SUITE.json");
  }
  if (positionals.length !== 1) {
    throw new UsageError(
      `validate takes one data file: ${describeValue(positionals)}`,
    );
  }
  const format = (values["result-format"] ?? "SUMMARY") as string;
  if (!FORMATS.includes(format)) {
    throw new UsageError(
      `--result-format must be one of ${FORMATS.join(", ")}: "${format}"`,
    );
  }
  const suite = await readSuite(values.suite);
  const dataPath = positionals[0]!;
  const rows = await readRows(dataPath);
  const result = await validate(rows, suite, {
    resultFormat: format as ResultFormatName,
    runName: basename(dataPath),
  });
  const json = JSON.stringify(result, null, 2) + "\n";
  if (typeof values.result === "string") {
    await writeFileAtomic(values.result, json, { mkdir: true });
  }
  let docs = "";
  if (typeof values.docs === "string") {
    const id = `${suite.name}-${result.meta.run_id.run_time}`.replace(
      /[^A-Za-z0-9._-]+/g,
      "_",
    );
    await writeFileAtomic(join(values.docs, `${id}.json`), json, {
      mkdir: true,
    });
    docs = `Data Docs: ${await renderDataDocsSite(values.docs)}\n`;
  }
  return {
    code: result.success ? 0 : 1,
    stdout: summarize(result, dataPath) + docs,
    stderr: "",
  };
}

async function suiteCommand(args: string[]): Promise<CliOutcome> {
  const [verb, ...rest] = args;
  if (verb === "new") {
    const { values, positionals } = parse(rest, { out: { type: "string" } });
    if (positionals.length !== 1) {
      throw new UsageError("suite new takes one suite name");
    }
    const name = positionals[0]!;
    const out = typeof values.out === "string" ? values.out : `${name}.json`;
    try {
      await Deno.lstat(out);
      throw new UsageError(`Will not overwrite ${out}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    const json = new ExpectationSuite(name).toJSON();
    await writeFileAtomic(out, JSON.stringify(json, null, 2) + "\n", {
      mkdir: true,
    });
    return { code: 0, stdout: `Wrote suite "${name}" to ${out}\n`, stderr: "" };
  }
  if (verb === "list") {
    const { positionals } = parse(rest, {});
    const dir = positionals[0] ?? ".";
    const lines: string[] = [];
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(dir)];
    } catch (error) {
      throw new QualityError(`Cannot read folder: ${dir}`, { cause: error });
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      try {
        const s = await readSuite(join(dir, e.name));
        lines.push(
          `${e.name}\t${s.name}\t${s.expectations.length} expectations`,
        );
      } catch { /* not a suite */ }
    }
    return {
      code: 0,
      stdout: lines.length > 0
        ? lines.join("\n") + "\n"
        : `No suites in ${dir}\n`,
      stderr: "",
    };
  }
  if (verb === "show") {
    const { positionals } = parse(rest, {});
    if (positionals.length !== 1) {
      throw new UsageError("suite show takes one suite file");
    }
    const s = await readSuite(positionals[0]!);
    const lines = [`${s.name}: ${s.expectations.length} expectations`];
    s.expectations.forEach((e, i) =>
      lines.push(
        `  ${i + 1}. ${e.expectation_type} ${JSON.stringify(e.kwargs)}`,
      )
    );
    return { code: 0, stdout: lines.join("\n") + "\n", stderr: "" };
  }
  throw new UsageError(
    `suite takes new, list or show: ${describeValue(verb ?? null)}`,
  );
}

async function profileCommand(args: string[]): Promise<CliOutcome> {
  const { values, positionals } = parse(args, {
    "exclude-column": { type: "string", multiple: true },
    "exclude-expectation": { type: "string", multiple: true },
    name: { type: "string" },
  });
  if (positionals.length !== 1) {
    throw new UsageError("profile takes one data file");
  }
  const path = positionals[0]!;
  const suite = await profile(await readRows(path), {
    suiteName: typeof values.name === "string"
      ? values.name
      : basename(path).replace(/\.[^.]*$/, ""),
    excludedColumns: values["exclude-column"] as string[] | undefined,
    excludedExpectations: values["exclude-expectation"] as string[] | undefined,
  });
  return {
    code: 0,
    stdout: JSON.stringify(suite.toJSON(), null, 2) + "\n",
    stderr: "",
  };
}

/**
 * Runs the CLI on `args` and returns what it would print and its exit
 * status; `main` prints it and exits.
 *
 * @example Show a suite
 * ```ts
 * import { runCli } from "./cli.ts";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * assert.equal((await runCli(["suite", "new", "quakes", "--out", `${dir}/q.json`])).code, 0);
 * const shown = await runCli(["suite", "show", `${dir}/q.json`]);
 * assert.equal(shown.stdout, "quakes: 0 expectations\n");
 * assert.equal((await runCli(["frobnicate"])).code, 2);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function runCli(args: string[]): Promise<CliOutcome> {
  const [command, ...rest] = args[0] === "--" ? args.slice(1) : args;
  try {
    switch (command) {
      case "validate":
        return await validateCommand(rest);
      case "suite":
        return await suiteCommand(rest);
      case "profile":
        return await profileCommand(rest);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        return {
          code: command === undefined ? 2 : 0,
          stdout: USAGE + "\n",
          stderr: "",
        };
    }
    throw new UsageError(`Unknown command: ${describeValue(command)}`);
  } catch (error) {
    // Bad usage, a bad suite or data file, a path it may not read or write:
    // all the user's to fix, so one line and no stack trace.
    return {
      code: 2,
      stdout: "",
      stderr: `quality: ${describeFailure(error)}${
        error instanceof UsageError ? " (see deno task quality --help)" : ""
      }\n`,
    };
  }
}

if (import.meta.main) {
  const out = await runCli(Deno.args);
  if (out.stdout) await Deno.stdout.write(new TextEncoder().encode(out.stdout));
  if (out.stderr) await Deno.stderr.write(new TextEncoder().encode(out.stderr));
  Deno.exit(out.code);
}
