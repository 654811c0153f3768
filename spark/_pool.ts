// The executor pool: a fixed set of executors (Worker threads or `deno`
// processes), created once and reused. Tasks queue here; an idle executor
// takes the first task that prefers it (a cached partition lives there) or
// else the oldest task. An executor that dies is replaced and its task
// retried, up to maxTaskFailures attempts; an error that retrying cannot
// fix (a capture error, a result that cannot be sent) fails at once. A task
// that runs past taskTimeoutMs, or whose job is cancelled, has its
// executor terminated and replaced: the only way to stop a JavaScript loop
// that never yields.

import type { Clock } from "../internal/clock.ts";
import {
  type ExecutorHandle,
  type ExecutorKind,
  startExecutor,
} from "./_executors.ts";
import type { Task, TaskOutput, WorkerReply } from "./_plan.ts";
import { remoteError } from "./_remote_error.ts";
import { SparkError } from "./errors.ts";

interface Pending {
  task: Task;
  preferred: number | null;
  broadcasts: Map<number, unknown>;
  jobId: number;
  attempts: number;
  resolve: (r: { out: TaskOutput; slot: number; generation: number }) => void;
  reject: (e: Error) => void;
}

interface Slot {
  index: number;
  handle: ExecutorHandle;
  generation: number;
  busy: Pending | null;
  busyId: number;
  broadcasts: Set<number>;
  /** Aborts the running task's timeout. */
  timer: AbortController | null;
}

/** Pool settings. */
export interface PoolOptions {
  size: number;
  maxTaskFailures: number;
  executor: ExecutorKind;
  /** Fails a task (and its job) that runs longer; null: no limit. */
  taskTimeoutMs: number | null;
  clock: Clock;
  /** A worker and what it held (cached partitions) are gone. */
  onWorkerLost: (slot: number) => void;
  /** A task attempt failed and will be retried (for logging). */
  onTaskRetry: (task: Task, attempt: number, cause: Error) => void;
}

export class WorkerPool {
  #slots: Slot[] = [];
  #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #o: PoolOptions;

  constructor(options: PoolOptions) {
    this.#o = options;
    for (let i = 0; i < options.size; i++) {
      const slot: Slot = {
        index: i,
        handle: undefined as unknown as ExecutorHandle,
        generation: 0,
        busy: null,
        busyId: 0,
        broadcasts: new Set(),
        timer: null,
      };
      this.#spawn(slot);
      this.#slots.push(slot);
    }
  }

  get size(): number {
    return this.#slots.length;
  }

  generation(slot: number): number {
    return this.#slots[slot]?.generation ?? -1;
  }

  #spawn(slot: Slot): void {
    const generation = slot.generation;
    // Events from an executor that was replaced are ignored.
    const current = () => slot.generation === generation && !this.#closed;
    slot.handle = startExecutor(this.#o.executor, {
      reply: (r) => {
        if (current()) this.#reply(slot, r);
      },
      crash: (message) => {
        if (current()) this.#crash(slot, message);
      },
    });
    slot.broadcasts = new Set();
  }

  submit(
    task: Task,
    preferred: number | null,
    broadcasts: Map<number, unknown>,
    jobId: number,
  ): Promise<{ out: TaskOutput; slot: number; generation: number }> {
    if (this.#closed) {
      return Promise.reject(new SparkError("SparkContext is closed"));
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({
        task,
        preferred,
        broadcasts,
        jobId,
        attempts: 0,
        resolve,
        reject,
      });
      this.#dispatch();
    });
  }

  /**
   * Ends a job's tasks: queued ones are dropped, running ones have their
   * executor terminated and replaced; each rejects with `reason(task)`.
   */
  /** How many attempts of `stageId`'s tasks are running right now. */
  running(stageId: number): number {
    let n = 0;
    for (const slot of this.#slots) {
      if (slot.busy !== null && slot.busy.task.stageId === stageId) n++;
    }
    return n;
  }

  cancel(jobId: number, reason: (task: Task) => Error): void {
    const dropped = this.#queue.filter((p) => p.jobId === jobId);
    this.#queue = this.#queue.filter((p) => p.jobId !== jobId);
    for (const p of dropped) p.reject(reason(p.task));
    for (const slot of this.#slots) {
      const p = slot.busy;
      if (p !== null && p.jobId === jobId) {
        this.#replace(slot);
        p.reject(reason(p.task));
      }
    }
    this.#dispatch();
  }

  /** Drops a failed job's queued tasks (its running ones finish). */
  dropQueued(jobId: number): void {
    this.#queue = this.#queue.filter((p) => p.jobId !== jobId);
  }

  broadcastMessage(
    msg: { kind: "unbroadcast"; id: number } | {
      kind: "unpersist";
      rddId: number;
    },
  ): void {
    if (this.#closed) return;
    for (const s of this.#slots) {
      if (msg.kind === "unbroadcast") s.broadcasts.delete(msg.id);
      try {
        s.handle.post(msg);
      } catch {
        // a dying executor: its replacement starts empty anyway
      }
    }
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.busy !== null || this.#queue.length === 0) continue;
      // Locality first; tasks that prefer another worker wait for it (it
      // holds their cached partition and will be free soon).
      let i = this.#queue.findIndex((p) => p.preferred === slot.index);
      if (i < 0) i = this.#queue.findIndex((p) => p.preferred === null);
      if (i < 0) continue;
      const p = this.#queue.splice(i, 1)[0]!;
      const missing: [number, unknown][] = [];
      for (const [id, v] of p.broadcasts) {
        if (!slot.broadcasts.has(id)) missing.push([id, v]);
      }
      slot.busy = p;
      slot.busyId = this.#nextId++;
      p.attempts++;
      try {
        slot.handle.post({
          kind: "task",
          id: slot.busyId,
          task: { ...p.task, broadcasts: missing, attempt: p.attempts },
        });
      } catch (e) {
        slot.busy = null;
        p.reject(
          new SparkError(
            `Task cannot be sent to a worker (its data or env is not structured-cloneable): stage ${p.task.stageId}, partition ${p.task.partition}`,
            { cause: e },
          ),
        );
        continue;
      }
      for (const [id] of missing) slot.broadcasts.add(id);
      this.#startTimer(slot, p);
    }
  }

  #startTimer(slot: Slot, p: Pending): void {
    const ms = this.#o.taskTimeoutMs;
    if (ms === null) return;
    const timer = new AbortController();
    slot.timer = timer;
    this.#o.clock.sleep(ms, timer.signal).then(() => {
      if (slot.busy !== p) return;
      // A loop that never yields can only be stopped with its executor.
      this.#replace(slot);
      const t = p.task;
      p.reject(
        new SparkError(
          `Task timed out after ${ms} ms (taskTimeoutMs): partition ${t.partition} in stage ${t.stageId}; its executor was replaced`,
        ),
      );
      this.#dispatch();
    }, () => {/* finished in time */});
  }

  #stopTimer(slot: Slot): void {
    slot.timer?.abort();
    slot.timer = null;
  }

  #reply(slot: Slot, r: WorkerReply): void {
    if (r.id !== slot.busyId || slot.busy === null) return;
    const p = slot.busy;
    slot.busy = null;
    this.#stopTimer(slot);
    if (r.ok) {
      p.resolve({ out: r.out, slot: slot.index, generation: slot.generation });
    } else {
      this.#failed(p, remoteError(r.error), r.fatal);
    }
    this.#dispatch();
  }

  #failed(p: Pending, cause: Error, fatal: boolean): void {
    if (!fatal && p.attempts < this.#o.maxTaskFailures) {
      this.#o.onTaskRetry(p.task, p.attempts, cause);
      this.#queue.unshift(p);
      return;
    }
    const t = p.task;
    p.reject(
      new SparkError(
        `Job aborted: task for partition ${t.partition} in stage ${t.stageId} failed ${p.attempts} time(s), last error: ${cause.message}${
          fatal ? " (not retried: retrying cannot help)" : ""
        }`,
        { cause },
      ),
    );
  }

  /** Terminates a slot's executor and starts a fresh one. */
  #replace(slot: Slot): void {
    this.#stopTimer(slot);
    slot.handle.terminate();
    slot.busy = null;
    slot.generation++;
    if (this.#closed) return;
    this.#spawn(slot);
    this.#o.onWorkerLost(slot.index);
  }

  #crash(slot: Slot, message: string): void {
    const p = slot.busy;
    this.#replace(slot);
    if (this.#closed) return;
    if (p !== null) {
      this.#failed(p, new Error(`Worker crashed: ${message}`), false);
    }
    this.#dispatch();
  }

  /** Stops every executor; resolves when their processes have exited. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const stopped: Promise<void>[] = [];
    for (const s of this.#slots) {
      this.#stopTimer(s);
      s.handle.terminate();
      stopped.push(s.handle.stopped);
      if (s.busy) s.busy.reject(new SparkError("SparkContext is closed"));
      s.busy = null;
    }
    for (const p of this.#queue) {
      p.reject(new SparkError("SparkContext is closed"));
    }
    this.#queue = [];
    return Promise.all(stopped).then(() => {});
  }
}
