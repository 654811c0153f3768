/**
 * Task groups, as Airflow's `TaskGroup`: tasks made in a group get the
 * group's id as a prefix (`extract.fetch`), groups nest (`a.b.task`), and a
 * group links as a whole: upstream of it means upstream of its roots,
 * downstream of it means downstream of its leaves.
 *
 * @module
 */

import { AirflowError } from "./errors.ts";
import type { BranchResult } from "./operators.ts";
import { BranchOperator, ShortCircuitOperator } from "./operators.ts";
import {
  callableTask,
  type Task,
  type TaskContext,
  type TaskFn,
  type TaskOptions,
} from "./task.ts";
import { checkId, PREFIX_ID } from "./_checks.ts";

/** What a group needs of its DAG. */
export interface GroupOwner {
  /** Adds a task to the DAG. */
  add<T extends Task>(task: T): T;
}

/**
 * A group of tasks sharing an id prefix. Make one with `dag.group(id, fn)`.
 *
 * @example Group the extract steps
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG } from "./mod.ts";
 * const dag = new DAG("grouped");
 * const extract = dag.group("extract", (g) => {
 *   g.task("fetch", () => 1).then(g.task("parse", () => 2));
 * });
 * extract.then(dag.task("load", () => 3));
 * assert.deepEqual(dag.taskIds, ["extract.fetch", "extract.parse", "load"]);
 * assert.deepEqual(dag.getTask("extract.parse").downstreamIds, ["load"]);
 * ```
 */
export class TaskGroup {
  /** The group's full id (`outer.inner` when nested). */
  readonly groupId: string;
  #dag: GroupOwner;
  #tasks: Task[] = [];
  #parent: TaskGroup | undefined;

  /** Made by `dag.group()` and `group.group()`. */
  constructor(dag: GroupOwner, groupId: string, parent?: TaskGroup) {
    checkId("Task group", groupId);
    this.#dag = dag;
    this.#parent = parent;
    this.groupId = parent ? `${parent.groupId}.${groupId}` : groupId;
  }

  /** Adds a task that calls `fn`, with id `<group>.<taskId>`. */
  task(taskId: string, fn: TaskFn, options: TaskOptions = {}): Task {
    return this.add(callableTask(taskId, fn, options));
  }

  /** Adds a branch in the group (ids it returns are full task ids). */
  branch(
    taskId: string,
    fn: (ctx: TaskContext) => BranchResult | Promise<BranchResult>,
    options: TaskOptions = {},
  ): BranchOperator {
    return this.add(new BranchOperator({ ...options, taskId, fn }));
  }

  /** Adds a short circuit in the group. */
  shortCircuit(
    taskId: string,
    fn: (ctx: TaskContext) => unknown,
    options: TaskOptions & { ignoreDownstreamTriggerRules?: boolean } = {},
  ): ShortCircuitOperator {
    return this.add(new ShortCircuitOperator({ ...options, taskId, fn }));
  }

  /** Adds an operator or sensor, prefixing its id with the group's. */
  add<T extends Task>(task: T): T {
    task[PREFIX_ID](`${this.groupId}.`);
    this.#dag.add(task);
    this.#tasks.push(task);
    for (let g = this.#parent; g; g = g.#parent) g.#tasks.push(task);
    return task;
  }

  /** A nested group, with id `<group>.<groupId>`. */
  group(groupId: string, build: (g: TaskGroup) => void): TaskGroup {
    const g = new TaskGroup(this.#dag, groupId, this);
    build(g);
    return g;
  }

  /** Every task of the group and its nested groups, in the order added. */
  get tasks(): Task[] {
    return [...this.#tasks];
  }

  /** The group's tasks with no upstream task inside the group. */
  get roots(): Task[] {
    const ids = new Set(this.#tasks.map((t) => t.taskId));
    return this.#tasks.filter((t) => !t.upstreamIds.some((u) => ids.has(u)));
  }

  /** The group's tasks with no downstream task inside the group. */
  get leaves(): Task[] {
    const ids = new Set(this.#tasks.map((t) => t.taskId));
    return this.#tasks.filter((t) => !t.downstreamIds.some((d) => ids.has(d)));
  }

  /**
   * Makes `next` (a task, tasks, or a group's roots) run after every leaf
   * of this group; returns `next`, so chains read left to right.
   */
  then<T extends Task | Task[] | TaskGroup>(next: T): T {
    const targets = next instanceof TaskGroup
      ? next.roots
      : Array.isArray(next)
      ? next
      : [next as Task];
    if (this.#tasks.length === 0) {
      throw new AirflowError(`Task group is empty: ${this.groupId}`);
    }
    for (const leaf of this.leaves) leaf.then(targets);
    return next;
  }
}
