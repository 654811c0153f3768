/**
 * What a DAG run looks like at rest, and where it is kept. A store holds
 * whole run records; the JSON and SQLite stores make each save durable.
 *
 * @module
 */

import type { DagRunState, TaskState } from "./states.ts";
import { byLogicalDate } from "./_records.ts";
import { claimInProcess } from "./_run_lock.ts";
import { logKey } from "./_task_log.ts";

/** One task's instance in one run. Times are epoch milliseconds. */
export interface TaskInstanceRecord {
  /** Current state. */
  state: TaskState;
  /** Tries started so far (1 on the first try). */
  tryNumber: number;
  /** When the current (or last) try started. */
  startDate?: number;
  /** When the task finished. */
  endDate?: number;
  /** `endDate - startDate` in milliseconds. */
  duration?: number;
  /** The JSON value the task returned (Airflow's `return_value` XCom). */
  xcom?: unknown;
  /** A mapped task's instances, by map index. */
  mapped?: MappedInstanceRecord[];
  /** Values the task pushed under their keys with `ctx.xcom.push`. */
  xcomKeys?: Record<string, unknown>;
  /** The last error's message. */
  error?: string;
  /** When a retry or the next reschedule poke is due. */
  nextAttemptAt?: number;
  /** When a sensor first poked (its timeout counts from here). */
  sensorStart?: number;
  /** Pokes made by a sensor. */
  pokes?: number;
  /** Every try's timing and outcome, for the Gantt chart. */
  tries?: TryRecord[];
  /**
   * The last try that may still be retried: `retries` at first; clearing
   * raises it to `tryNumber + retries`, as Airflow's `max_tries`.
   */
  maxTries?: number;
  /**
   * Ids a branch or short circuit skipped when it ran (Airflow keeps this
   * in its `skipmixin_key` XCom), so a cleared task stays skipped.
   */
  skippedDownstream?: string[];
}

/** One instance of a mapped task (Airflow's task instance with a map index). */
export interface MappedInstanceRecord {
  /** Its map index, from 0. */
  mapIndex: number;
  /** Its state. */
  state: TaskState;
  /** Tries it made. */
  tryNumber: number;
  /** What it returned. */
  xcom?: unknown;
  /** Its last error. */
  error?: string;
}

/** One try of a task. */
export interface TryRecord {
  /** The try's number. */
  tryNumber: number;
  /** When it started (epoch ms). */
  start: number;
  /** When it ended (epoch ms). */
  end: number;
  /** The state it ended in. */
  state: TaskState;
  /** The try's error, when it failed. */
  error?: string;
  /** The last lines of a failed try's log, for the run report. */
  logTail?: string[];
}

/** How a run was created, as Airflow's run types. */
export type RunType = "manual" | "scheduled" | "backfill";

/** One DAG run at rest: everything needed to resume it. */
export interface DagRunRecord {
  /** The DAG's id. */
  dagId: string;
  /** The run's id. */
  runId: string;
  /** How the run was created. */
  runType: RunType;
  /** The run's state. */
  state: DagRunState;
  /** The logical date (epoch ms). */
  logicalDate: number;
  /** The data interval (epoch ms). */
  dataInterval: { start: number; end: number };
  /** When the run started (epoch ms). */
  startDate?: number;
  /** When the run finished (epoch ms). */
  endDate?: number;
  /** Params for the run. */
  params: Record<string, unknown>;
  /** Task instances by task id. */
  tasks: Record<string, TaskInstanceRecord>;
}

/** Where DAG runs are kept. */
export interface StateStore {
  /** Reads a run, or `undefined` when there is none. */
  load(dagId: string, runId: string): Promise<DagRunRecord | undefined>;
  /**
   * Writes a run, replacing any earlier version; durable when it resolves.
   * `changed`, when given, names the only task instances that changed since
   * the previous save of this run, so a store may write just those.
   */
  save(run: DagRunRecord, changed?: ReadonlySet<string>): Promise<void>;
  /** Every run of `dagId`, by logical date. */
  list(dagId: string): Promise<DagRunRecord[]>;
  /**
   * Every DAG id with at least one stored run, sorted (the webserver lists
   * DAGs whose file is gone from the folder by it, as Airflow keeps them in
   * its database).
   */
  dagIds?(): Promise<string[]>;
  /**
   * Makes this process the run's only owner until the claim is released;
   * throws an AirflowError naming the run when another owner holds it. A
   * store without it cannot keep two processes off one run.
   */
  claim?(dagId: string, runId: string): RunClaim;
  /** Whether the scheduler leaves `dagId` alone (`dags pause`). */
  isPaused?(dagId: string): Promise<boolean>;
  /** Pauses or unpauses `dagId`. */
  setPaused?(dagId: string, paused: boolean): Promise<void>;
  /** Appends `text` to the log of one try of a task. */
  appendLog?(key: TryKey, text: string): Promise<void>;
  /** The log of one try of a task (`""` when it logged nothing). */
  readLog?(key: TryKey): Promise<string>;
  /** A stored variable's text, or `undefined`. */
  getVariable?(key: string): Promise<string | undefined>;
  /** Stores a variable's text. */
  setVariable?(key: string, value: string): Promise<void>;
  /** A stored connection (URI or JSON text), or `undefined`. */
  getConnection?(connId: string): Promise<string | undefined>;
  /** Stores a connection (URI or JSON text). */
  setConnection?(connId: string, value: string): Promise<void>;
}

/** Names one try of one task instance. */
export interface TryKey {
  /** The DAG's id. */
  dagId: string;
  /** The run's id. */
  runId: string;
  /** The task's id. */
  taskId: string;
  /** The try's number (1 for the first). */
  tryNumber: number;
}

/** A run's ownership, from {@linkcode StateStore.claim}. */
export interface RunClaim {
  /** Gives the run up (idempotent). */
  release(): void;
}

/**
 * Keeps runs in memory (deep copies), for tests and runs without a
 * `stateDir`.
 *
 * @example Save and load a run
 * ```ts
 * import assert from "node:assert/strict";
 * import { MemoryStateStore } from "./mod.ts";
 * const store = new MemoryStateStore();
 * await store.save({
 *   dagId: "d", runId: "r", runType: "manual", state: "success",
 *   logicalDate: 0, dataInterval: { start: 0, end: 0 }, params: {}, tasks: {},
 * });
 * assert.deepEqual((await store.load("d", "r"))?.state, "success");
 * ```
 */
export class MemoryStateStore implements StateStore {
  /** Run records as JSON, by DAG id, then run id. */
  #runs = new Map<string, Map<string, string>>();
  #claims = new Set<string>();
  #paused = new Set<string>();
  #logs = new Map<string, string>();
  #variables = new Map<string, string>();
  #connections = new Map<string, string>();

  /** A variable's text. */
  getVariable(key: string): Promise<string | undefined> {
    return Promise.resolve(this.#variables.get(key));
  }

  /** Stores a variable. */
  setVariable(key: string, value: string): Promise<void> {
    this.#variables.set(key, value);
    return Promise.resolve();
  }

  /** A connection's text. */
  getConnection(connId: string): Promise<string | undefined> {
    return Promise.resolve(this.#connections.get(connId));
  }

  /** Stores a connection. */
  setConnection(connId: string, value: string): Promise<void> {
    this.#connections.set(connId, value);
    return Promise.resolve();
  }

  /** Whether `dagId` is paused. */
  isPaused(dagId: string): Promise<boolean> {
    return Promise.resolve(this.#paused.has(dagId));
  }

  /** Pauses or unpauses `dagId`. */
  setPaused(dagId: string, paused: boolean): Promise<void> {
    if (paused) this.#paused.add(dagId);
    else this.#paused.delete(dagId);
    return Promise.resolve();
  }

  /** Appends to a try's log. */
  appendLog(key: TryKey, text: string): Promise<void> {
    const k = logKey(key);
    this.#logs.set(k, (this.#logs.get(k) ?? "") + text);
    return Promise.resolve();
  }

  /** A try's log. */
  readLog(key: TryKey): Promise<string> {
    return Promise.resolve(this.#logs.get(logKey(key)) ?? "");
  }

  /** Claims a run for one runner at a time. */
  claim(dagId: string, runId: string): RunClaim {
    return claimInProcess(this.#claims, dagId, runId);
  }

  /** Reads a run. */
  load(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    const text = this.#runs.get(dagId)?.get(runId);
    return Promise.resolve(text === undefined ? undefined : JSON.parse(text));
  }

  /** Writes a run. */
  save(run: DagRunRecord): Promise<void> {
    let runs = this.#runs.get(run.dagId);
    if (!runs) this.#runs.set(run.dagId, runs = new Map());
    runs.set(run.runId, JSON.stringify(run));
    return Promise.resolve();
  }

  /** Every run of `dagId`. */
  /** Every DAG id with a stored run, sorted. */
  dagIds(): Promise<string[]> {
    return Promise.resolve(
      [...this.#runs].filter(([, runs]) => runs.size > 0).map(([id]) => id)
        .sort(),
    );
  }

  list(dagId: string): Promise<DagRunRecord[]> {
    const out: DagRunRecord[] = [];
    for (const text of this.#runs.get(dagId)?.values() ?? []) {
      out.push(JSON.parse(text));
    }
    return Promise.resolve(byLogicalDate(out));
  }
}
