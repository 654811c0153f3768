/**
 * Loading DAG files: one file's exported DAGs, or every DAG file of a
 * folder, with the real cause when a file fails (the syntax error with its
 * file and line, the duplicate task id, the thrown error and where).
 *
 * @module
 */

import { extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { DAG } from "./dag.ts";
import { AirflowError } from "./errors.ts";

/** Why a DAG file did not load: the cause's message and where it arose. */
function loadFailure(path: string, error: unknown): string {
  const e = error instanceof Error ? error : new Error(String(error));
  const message = e.message.split("\n").find((l) => l.trim() !== "") ??
    e.name;
  // A throw at the top of the DAG file: name the line it came from.
  const url = pathToFileURL(resolve(path)).href;
  const at = e.stack?.split("\n").find((l) => l.includes(url));
  const where = at?.match(/:(\d+):(\d+)\)?\s*$/);
  const suffix = where && !message.includes(url)
    ? ` (at ${path}:${where[1]}:${where[2]})`
    : "";
  return `${message}${suffix}`;
}

/**
 * Loads every DAG a file exports, by id. A file that fails to load throws
 * an AirflowError with the real cause (the syntax error with its file and
 * line, the duplicate task id, the thrown error).
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
export async function loadDags(
  path: string,
  options: { fresh?: boolean } = {},
): Promise<Map<string, DAG>> {
  let mod: Record<string, unknown>;
  try {
    let url = pathToFileURL(resolve(path)).href;
    // A changed file must be imported anew, not from the module cache.
    if (options.fresh) url += `?mtime=${Deno.statSync(path).mtime?.getTime()}`;
    mod = await import(url);
  } catch (error) {
    throw new AirflowError(
      `Cannot import DAG file: ${path}: ${loadFailure(path, error)}`,
      { cause: error },
    );
  }
  const out = new Map<string, DAG>();
  for (const value of Object.values(mod)) {
    if (value instanceof DAG) {
      if (out.has(value.dagId)) {
        throw new AirflowError(
          `Cannot import DAG file: ${path}: it defines DAG ${value.dagId} twice`,
        );
      }
      out.set(value.dagId, value);
    }
  }
  if (out.size === 0) {
    throw new AirflowError(`DAG file exports no DAG: ${path}`);
  }
  return out;
}

/** What loading a folder of DAG files gives: the DAGs and the failures. */
export interface DagFolder {
  /** Every DAG by id. */
  dags: Map<string, DAG>;
  /** The DAG file each DAG came from, by DAG id. */
  files: Map<string, string>;
  /** One line per file that failed to load. */
  errors: string[];
}

/**
 * Loads every `.ts`/`.js` file of `dir` (not those starting with `_`) as a
 * DAG file, in name order; a file that fails is reported, not fatal.
 *
 * @example Load a folder
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDagFolder } from "./cli.ts";
 * const dir = await Deno.makeTempDir();
 * const mod = new URL("./mod.ts", import.meta.url).href;
 * await Deno.writeTextFile(`${dir}/a.ts`, `import { DAG } from "${mod}";\nexport const a = new DAG("a");\n`);
 * await Deno.writeTextFile(`${dir}/b.ts`, `throw new Error("boom");\n`);
 * const folder = await loadDagFolder(dir);
 * assert.deepEqual([...folder.dags.keys()], ["a"]);
 * assert.match(folder.errors[0]!, /b\.ts: boom/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadDagFolder(
  dir: string,
  options: { fresh?: boolean } = {},
): Promise<DagFolder> {
  const names: string[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      const ext = extname(e.name);
      if (
        e.isFile && !e.name.startsWith("_") &&
        [".ts", ".js", ".mjs", ".tsx"].includes(ext)
      ) names.push(e.name);
    }
  } catch (cause) {
    throw new AirflowError(`Cannot read DAGs folder: ${dir}`, { cause });
  }
  names.sort();
  const folder: DagFolder = { dags: new Map(), files: new Map(), errors: [] };
  for (const name of names) {
    const path = join(dir, name);
    try {
      for (const [id, dag] of await loadDags(path, options)) {
        const other = folder.files.get(id);
        if (other) {
          folder.errors.push(
            `DAG id ${id} in ${path} is already defined in ${other}`,
          );
          continue;
        }
        folder.dags.set(id, dag);
        folder.files.set(id, path);
      }
    } catch (error) {
      folder.errors.push((error as Error).message);
    }
  }
  return folder;
}
