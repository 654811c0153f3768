// The worker pool: a fixed set of module Workers, created once and reused.
// Tasks queue here; an idle worker takes the first task that prefers it (a
// cached partition lives there) or else the oldest task. A worker that dies
// is replaced and its task retried up to maxTaskFailures attempts.

import type { Task, TaskOutput, WorkerReply } from "./_plan.ts";
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
  worker: Worker;
  generation: number;
  busy: Pending | null;
  busyId: number;
  broadcasts: Set<number>;
}

/** Rebuilds a worker-side error with its original stack. */
function remoteError(e: { name: string; message: string; stack: string }) {
  const err = new Error(e.message);
  err.name = e.name;
  err.stack = e.stack || `${e.name}: ${e.message}`;
  return err;
}

export class WorkerPool {
  #slots: Slot[] = [];
  #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #maxTaskFailures: number;
  #onWorkerLost: (slot: number) => void;

  constructor(
    size: number,
    maxTaskFailures: number,
    onWorkerLost: (slot: number) => void,
  ) {
    this.#maxTaskFailures = maxTaskFailures;
    this.#onWorkerLost = onWorkerLost;
    for (let i = 0; i < size; i++) {
      const slot: Slot = {
        index: i,
        worker: undefined as unknown as Worker,
        generation: 0,
        busy: null,
        busyId: 0,
        broadcasts: new Set(),
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
    const worker = new Worker(new URL("./_worker.ts", import.meta.url), {
      type: "module",
    });
    worker.onmessage = (e: MessageEvent<WorkerReply>) =>
      this.#reply(slot, worker, e.data);
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#crash(slot, worker, e.message || "Worker crashed");
    };
    worker.onmessageerror = () =>
      this.#crash(slot, worker, "Worker sent a message that cannot be read");
    slot.worker = worker;
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

  /** Drops a failed job's queued tasks. */
  cancel(jobId: number): void {
    this.#queue = this.#queue.filter((p) => p.jobId !== jobId);
  }

  broadcastMessage(
    msg: { type: string; id?: number; rddId?: number },
  ): void {
    if (this.#closed) return;
    for (const s of this.#slots) {
      if (msg.type === "unbroadcast" && msg.id !== undefined) {
        s.broadcasts.delete(msg.id);
      }
      s.worker.postMessage(msg);
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
        slot.worker.postMessage({
          type: "task",
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
    }
  }

  #reply(slot: Slot, worker: Worker, r: WorkerReply): void {
    if (slot.worker !== worker || r.id !== slot.busyId) return;
    const p = slot.busy!;
    slot.busy = null;
    if (r.ok) {
      p.resolve({ out: r.out, slot: slot.index, generation: slot.generation });
    } else {
      this.#failed(p, remoteError(r.error), r.fatal);
    }
    this.#dispatch();
  }

  #failed(p: Pending, cause: Error, fatal: boolean): void {
    if (!fatal && p.attempts < this.#maxTaskFailures) {
      this.#queue.unshift(p);
      return;
    }
    const t = p.task;
    p.reject(
      new SparkError(
        `Job aborted: task for partition ${t.partition} in stage ${t.stageId} failed ${p.attempts} time(s), last error: ${cause.message}`,
        { cause },
      ),
    );
  }

  #crash(slot: Slot, worker: Worker, message: string): void {
    if (slot.worker !== worker) return;
    worker.terminate();
    const p = slot.busy;
    slot.busy = null;
    slot.generation++;
    if (this.#closed) return;
    this.#spawn(slot);
    this.#onWorkerLost(slot.index);
    if (p !== null) {
      this.#failed(p, new Error(`Worker crashed: ${message}`), false);
    }
    this.#dispatch();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const s of this.#slots) {
      s.worker.terminate();
      if (s.busy) s.busy.reject(new SparkError("SparkContext is closed"));
      s.busy = null;
    }
    for (const p of this.#queue) {
      p.reject(new SparkError("SparkContext is closed"));
    }
    this.#queue = [];
  }
}
