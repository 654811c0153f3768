/**
 * The SQLite state store, on `node:sqlite`.
 *
 * @module
 */

import { DatabaseSync } from "node:sqlite";
import { AirflowError } from "./errors.ts";
import type { DagRunRecord, RunClaim, StateStore, TryKey } from "./store.ts";
import { appendLogFile, readLogFile } from "./_task_log.ts";
import { claimRunLock } from "./_run_lock.ts";
import { checkRecord } from "./_records.ts";

/**
 * Keeps runs in a SQLite database (one row per run and one per task
 * instance) in WAL mode with full sync, so each save is one durable
 * transaction. Close it when done (`using` works too).
 *
 * @example Save a run and read it back
 * ```ts
 * import assert from "node:assert/strict";
 * import { SqliteStateStore } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const store = new SqliteStateStore(`${dir}/airflow.db`);
 * await store.save({
 *   dagId: "d", runId: "r1", runType: "manual", state: "success",
 *   logicalDate: 0, dataInterval: { start: 0, end: 0 }, params: {},
 *   tasks: { a: { state: "success", tryNumber: 1 } },
 * });
 * assert.deepEqual((await store.load("d", "r1"))?.tasks.a?.state, "success");
 * store.close();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class SqliteStateStore implements StateStore {
  /** The database file. */
  readonly path: string;
  #db: DatabaseSync;

  /** Opens (or creates) the database at `path`. */
  constructor(path: string) {
    this.path = path;
    try {
      this.#db = new DatabaseSync(path);
      this.#db.exec(`
        PRAGMA busy_timeout = 5000;
        PRAGMA journal_mode = WAL;
        PRAGMA synchronous = FULL;
        CREATE TABLE IF NOT EXISTS dag_run (
          dag_id TEXT NOT NULL, run_id TEXT NOT NULL, state TEXT NOT NULL,
          logical_date INTEGER NOT NULL, record TEXT NOT NULL,
          owner_pid INTEGER,
          PRIMARY KEY (dag_id, run_id));
        CREATE TABLE IF NOT EXISTS task_instance (
          dag_id TEXT NOT NULL, run_id TEXT NOT NULL, task_id TEXT NOT NULL,
          state TEXT NOT NULL, try_number INTEGER NOT NULL, record TEXT NOT NULL,
          PRIMARY KEY (dag_id, run_id, task_id));
        CREATE TABLE IF NOT EXISTS dag (
          dag_id TEXT PRIMARY KEY, is_paused INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS variable (
          key TEXT PRIMARY KEY, val TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS connection (
          conn_id TEXT PRIMARY KEY, val TEXT NOT NULL);
      `);
      const columns = this.#db.prepare("PRAGMA table_info(dag_run)").all() as {
        name: string;
      }[];
      if (!columns.some((c) => c.name === "owner_pid")) {
        // A database from before run claims.
        this.#db.exec("ALTER TABLE dag_run ADD COLUMN owner_pid INTEGER");
      }
    } catch (error) {
      throw new AirflowError(`Cannot open state database: ${path}`, {
        cause: error,
      });
    }
  }

  /**
   * Claims a run for this process: an OS lock on
   * `<path>.runs/<dagId>@<runId>.lock` (released by the OS if the process
   * dies), then, in a `BEGIN IMMEDIATE` transaction, the owner's pid in the
   * run's row for whoever looks. Throws when another owner holds it.
   */
  claim(dagId: string, runId: string): RunClaim {
    const lock = claimRunLock(
      `${this.path}.runs/${dagId}@${encodeURIComponent(runId)}.lock`,
      dagId,
      runId,
    );
    try {
      this.#db.exec("BEGIN IMMEDIATE");
      this.#db.prepare(
        "UPDATE dag_run SET owner_pid = ? WHERE dag_id = ? AND run_id = ?",
      ).run(Deno.pid, dagId, runId);
      this.#db.exec("COMMIT");
    } catch (cause) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      lock.release();
      throw new AirflowError(
        `Cannot claim run in state database: ${dagId}/${runId}`,
        { cause },
      );
    }
    return lock;
  }

  /** Whether `dagId` is paused. */
  isPaused(dagId: string): Promise<boolean> {
    const row = this.#db.prepare("SELECT is_paused FROM dag WHERE dag_id = ?")
      .get(dagId) as { is_paused: number } | undefined;
    return Promise.resolve(row?.is_paused === 1);
  }

  /** Pauses or unpauses `dagId`. */
  setPaused(dagId: string, paused: boolean): Promise<void> {
    this.#db.prepare(
      `INSERT INTO dag (dag_id, is_paused) VALUES (?, ?)
       ON CONFLICT (dag_id) DO UPDATE SET is_paused = excluded.is_paused`,
    ).run(dagId, paused ? 1 : 0);
    return Promise.resolve();
  }

  /** A variable's text. */
  getVariable(key: string): Promise<string | undefined> {
    const row = this.#db.prepare("SELECT val FROM variable WHERE key = ?")
      .get(key) as { val: string } | undefined;
    return Promise.resolve(row?.val);
  }

  /** Stores a variable. */
  setVariable(key: string, value: string): Promise<void> {
    this.#db.prepare(
      "INSERT INTO variable (key, val) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET val = excluded.val",
    ).run(key, value);
    return Promise.resolve();
  }

  /** A connection's text. */
  getConnection(connId: string): Promise<string | undefined> {
    const row = this.#db.prepare("SELECT val FROM connection WHERE conn_id = ?")
      .get(connId) as { val: string } | undefined;
    return Promise.resolve(row?.val);
  }

  /** Stores a connection. */
  setConnection(connId: string, value: string): Promise<void> {
    this.#db.prepare(
      "INSERT INTO connection (conn_id, val) VALUES (?, ?) ON CONFLICT (conn_id) DO UPDATE SET val = excluded.val",
    ).run(connId, value);
    return Promise.resolve();
  }

  /** Appends to a try's log under `<path>.logs/`. */
  appendLog(key: TryKey, text: string): Promise<void> {
    return appendLogFile(`${this.path}.logs`, key, text);
  }

  /** A try's log from `<path>.logs/`. */
  readLog(key: TryKey): Promise<string> {
    return readLogFile(`${this.path}.logs`, key);
  }

  /** Reads a run. */
  load(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    const row = this.#db.prepare(
      "SELECT record FROM dag_run WHERE dag_id = ? AND run_id = ?",
    ).get(dagId, runId) as { record: string } | undefined;
    if (!row) return Promise.resolve(undefined);
    const run = this.#parse(row.record, `${dagId}/${runId}`);
    const tis = this.#db.prepare(
      "SELECT task_id, record FROM task_instance WHERE dag_id = ? AND run_id = ?",
    ).all(dagId, runId) as { task_id: string; record: string }[];
    run.tasks = {};
    for (const ti of tis) {
      run.tasks[ti.task_id] = this.#parseTask(ti.record, ti.task_id);
    }
    return Promise.resolve(run);
  }

  /**
   * Writes a run and its task instances (only those in `changed`, when
   * given) in one transaction.
   */
  save(run: DagRunRecord, changed?: ReadonlySet<string>): Promise<void> {
    const { tasks, ...rest } = run;
    const db = this.#db;
    db.exec("BEGIN IMMEDIATE");
    try {
      db.prepare(
        `INSERT INTO dag_run (dag_id, run_id, state, logical_date, record)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (dag_id, run_id) DO UPDATE SET
         state = excluded.state, logical_date = excluded.logical_date,
         record = excluded.record`,
      ).run(
        run.dagId,
        run.runId,
        run.state,
        run.logicalDate,
        JSON.stringify({ ...rest, tasks: {} }),
      );
      const upsert = db.prepare(
        `INSERT INTO task_instance (dag_id, run_id, task_id, state, try_number, record)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (dag_id, run_id, task_id) DO UPDATE SET
         state = excluded.state, try_number = excluded.try_number,
         record = excluded.record`,
      );
      for (const [taskId, ti] of Object.entries(tasks)) {
        if (changed && !changed.has(taskId)) continue;
        upsert.run(
          run.dagId,
          run.runId,
          taskId,
          ti.state,
          ti.tryNumber,
          JSON.stringify(ti),
        );
      }
      db.exec("COMMIT");
    } catch (error) {
      db.exec("ROLLBACK");
      throw new AirflowError(
        `Cannot save run to state database: ${run.dagId}/${run.runId}`,
        { cause: error },
      );
    }
    return Promise.resolve();
  }

  /** Every run of `dagId`, by logical date. */
  /** Every DAG id with a stored run, sorted. */
  dagIds(): Promise<string[]> {
    const rows = this.#db.prepare(
      "SELECT DISTINCT dag_id FROM dag_run ORDER BY dag_id",
    ).all() as { dag_id: string }[];
    return Promise.resolve(rows.map((r) => r.dag_id));
  }

  async list(dagId: string): Promise<DagRunRecord[]> {
    const rows = this.#db.prepare(
      "SELECT run_id FROM dag_run WHERE dag_id = ? ORDER BY logical_date, run_id",
    ).all(dagId) as { run_id: string }[];
    const out: DagRunRecord[] = [];
    for (const r of rows) {
      const run = await this.load(dagId, r.run_id);
      if (run) out.push(run);
    }
    return out;
  }

  /** Closes the database. */
  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }

  /** Closes the database at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.close();
  }

  #parse(text: string, what: string): DagRunRecord {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new AirflowError(`Stored run is corrupt: ${what}`, {
        cause: error,
      });
    }
    if (!checkRecord(value)) {
      throw new AirflowError(`Stored run is not a DAG run record: ${what}`);
    }
    return value;
  }

  #parseTask(text: string, taskId: string): DagRunRecord["tasks"][string] {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new AirflowError(`Stored task instance is corrupt: ${taskId}`, {
        cause: error,
      });
    }
  }
}
