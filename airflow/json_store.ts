/**
 * The JSON state store: one file per run, replaced atomically.
 *
 * @module
 */

import { join } from "node:path";
import { writeFileAtomic } from "../internal/atomic_file.ts";
import { AirflowError } from "./errors.ts";
import type { DagRunRecord, RunClaim, StateStore, TryKey } from "./store.ts";
import { appendLogFile, readLogFile } from "./_task_log.ts";
import { byLogicalDate, checkRecord } from "./_records.ts";
import { claimRunLock } from "./_run_lock.ts";

/**
 * Keeps each run in one flat directory as `<dir>/<dagId>@<runId>.json` (the
 * run id URI-encoded; `@` cannot occur in a DAG id). A save writes a temp file,
 * fsyncs it, renames it over the old file and fsyncs the directory, so a
 * crash at any point leaves either the old or the new version. A file that
 * does not parse is refused with an {@linkcode AirflowError} and left as is.
 *
 * @example Save a run and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonStateStore } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new JsonStateStore(dir);
 * await store.save({
 *   dagId: "d", runId: "r1", runType: "manual", state: "running",
 *   logicalDate: 0, dataInterval: { start: 0, end: 0 }, params: {}, tasks: {},
 * });
 * assert.deepEqual((await store.load("d", "r1"))?.state, "running");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class JsonStateStore implements StateStore {
  /** The directory holding one folder per DAG. */
  readonly dir: string;

  /** Makes a store rooted at `dir` (created on first save). */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** The file a run lives in. */
  path(dagId: string, runId: string): string {
    return join(this.dir, `${dagId}@${encodeURIComponent(runId)}.json`);
  }

  /**
   * Claims a run for this process through `<dir>/<dagId>@<runId>.lock`
   * beside its state file; throws when another owner holds it.
   */
  claim(dagId: string, runId: string): RunClaim {
    const path = this.path(dagId, runId).replace(/\.json$/, ".lock");
    return claimRunLock(path, dagId, runId);
  }

  /** Whether `dagId` is paused (`<dir>/dags/<dagId>.json`). */
  async isPaused(dagId: string): Promise<boolean> {
    const path = join(this.dir, "dags", `${dagId}.json`);
    try {
      return JSON.parse(await Deno.readTextFile(path)).isPaused === true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw new AirflowError(`Cannot read DAG state file: ${path}`, {
        cause: error,
      });
    }
  }

  /** Pauses or unpauses `dagId`. */
  async setPaused(dagId: string, paused: boolean): Promise<void> {
    const path = join(this.dir, "dags", `${dagId}.json`);
    try {
      await writeFileAtomic(path, JSON.stringify({ isPaused: paused }), {
        mkdir: true,
      });
    } catch (error) {
      throw new AirflowError(`Cannot write DAG state file: ${path}`, {
        cause: error,
      });
    }
  }

  /** A variable from `<dir>/variables/<key>.json`. */
  getVariable(key: string): Promise<string | undefined> {
    return this.#readEntry("variables", key);
  }

  /** Stores a variable. */
  setVariable(key: string, value: string): Promise<void> {
    return this.#writeEntry("variables", key, value);
  }

  /** A connection from `<dir>/connections/<id>.json`. */
  getConnection(connId: string): Promise<string | undefined> {
    return this.#readEntry("connections", connId);
  }

  /** Stores a connection. */
  setConnection(connId: string, value: string): Promise<void> {
    return this.#writeEntry("connections", connId, value);
  }

  async #readEntry(kind: string, key: string): Promise<string | undefined> {
    const path = join(this.dir, kind, `${key}.json`);
    try {
      return JSON.parse(await Deno.readTextFile(path)).value;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw new AirflowError(`Cannot read ${kind} file: ${path}`, {
        cause: error,
      });
    }
  }

  async #writeEntry(kind: string, key: string, value: string): Promise<void> {
    const path = join(this.dir, kind, `${key}.json`);
    try {
      await writeFileAtomic(path, JSON.stringify({ value }), { mkdir: true });
    } catch (error) {
      throw new AirflowError(`Cannot write ${kind} file: ${path}`, {
        cause: error,
      });
    }
  }

  /** Appends to a try's log under `<dir>/logs/`. */
  appendLog(key: TryKey, text: string): Promise<void> {
    return appendLogFile(join(this.dir, "logs"), key, text);
  }

  /** A try's log from `<dir>/logs/`. */
  readLog(key: TryKey): Promise<string> {
    return readLogFile(join(this.dir, "logs"), key);
  }

  /** Reads a run; throws on a corrupt file, leaving it in place. */
  async load(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    const path = this.path(dagId, runId);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw new AirflowError(`Cannot read state file: ${path}`, {
        cause: error,
      });
    }
    return _parse(text, path);
  }

  /** Writes a run atomically and durably. */
  async save(run: DagRunRecord): Promise<void> {
    const path = this.path(run.dagId, run.runId);
    try {
      await writeFileAtomic(path, JSON.stringify(run), { mkdir: true });
    } catch (error) {
      throw new AirflowError(`Cannot write state file: ${path}`, {
        cause: error,
      });
    }
  }

  /** Every DAG id with a state file here, sorted. */
  async dagIds(): Promise<string[]> {
    const ids = new Set<string>();
    try {
      for await (const entry of Deno.readDir(this.dir)) {
        const at = entry.name.indexOf("@");
        if (entry.isFile && at > 0 && entry.name.endsWith(".json")) {
          ids.add(entry.name.slice(0, at));
        }
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    return [...ids].sort();
  }

  /** Every run of `dagId`; throws if one of its files is corrupt. */
  async list(dagId: string): Promise<DagRunRecord[]> {
    const out: DagRunRecord[] = [];
    const prefix = `${dagId}@`;
    try {
      for await (const entry of Deno.readDir(this.dir)) {
        const name = entry.name;
        if (
          !entry.isFile || !name.startsWith(prefix) || !name.endsWith(".json")
        ) {
          continue;
        }
        const path = join(this.dir, name);
        out.push(_parse(await Deno.readTextFile(path), path));
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    return byLogicalDate(out);
  }
}

function _parse(text: string, path: string): DagRunRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AirflowError(
      `State file is corrupt and was left in place: ${path}`,
      { cause: error },
    );
  }
  if (!checkRecord(value)) {
    throw new AirflowError(
      `State file is not a DAG run record and was left in place: ${path}`,
    );
  }
  return value;
}
