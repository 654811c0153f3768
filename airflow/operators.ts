/**
 * Operators: tasks with a built-in body. Add them with `dag.add(...)`.
 *
 * @module
 */

import { AirflowError, AirflowSkipException } from "./errors.ts";
import { Task, type TaskContext, type TaskOptions } from "./task.ts";

/** Options every operator takes: its task id plus the task options. */
export interface OperatorOptions extends TaskOptions {
  /** The task's id, unique in its DAG. */
  taskId: string;
}

/**
 * Does nothing; useful as a join or start point.
 *
 * @example A start marker
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, EmptyOperator } from "./mod.ts";
 * const dag = new DAG("empty");
 * dag.add(new EmptyOperator({ taskId: "start" })).then(dag.task("work", () => 1));
 * assert.deepEqual((await dag.test()).state, "success");
 * ```
 */
export class EmptyOperator extends Task {
  /** Makes the operator. */
  constructor(options: OperatorOptions) {
    super(options.taskId, options);
  }

  /** Returns `undefined` at once. */
  override execute(_ctx: TaskContext): undefined {
    return undefined;
  }
}

/** What a branch callable returns: the ids to follow (none: skip all). */
export type BranchResult = string | string[] | null | undefined;

/** Options for {@linkcode BranchOperator}. */
export interface BranchOperatorOptions extends OperatorOptions {
  /** Returns the ids of the direct downstream tasks to follow. */
  fn: (ctx: TaskContext) => BranchResult | Promise<BranchResult>;
}

/**
 * Runs a callable that returns the direct downstream task ids to follow;
 * every other direct downstream task is skipped (unless it is also
 * downstream of a followed task), and skips spread by trigger rules.
 *
 * @example Follow one branch
 * ```ts
 * import assert from "node:assert/strict";
 * import { BranchOperator, DAG } from "./mod.ts";
 * const dag = new DAG("pick");
 * const pick = dag.add(new BranchOperator({ taskId: "pick", fn: () => "left" }));
 * pick.then([dag.task("left", () => 1), dag.task("right", () => 2)]);
 * const result = await dag.test();
 * assert.deepEqual(result.tasks.right?.state, "skipped");
 * ```
 */
export class BranchOperator extends Task {
  #fn: BranchOperatorOptions["fn"];

  /** Makes the operator. */
  constructor(options: BranchOperatorOptions) {
    super(options.taskId, options);
    if (typeof options.fn !== "function") {
      throw new AirflowError(
        `Branch callable must be a function: ${options.taskId} got ${typeof options
          .fn}`,
      );
    }
    this.#fn = options.fn;
  }

  /** Calls the callable; the engine follows what it returns. */
  override execute(ctx: TaskContext): BranchResult | Promise<BranchResult> {
    return this.#fn(ctx);
  }
}

/** Options for {@linkcode ShortCircuitOperator}. */
export interface ShortCircuitOperatorOptions extends OperatorOptions {
  /** A falsy result skips downstream tasks. */
  fn: (ctx: TaskContext) => unknown;
  /**
   * Skip every task downstream regardless of trigger rules (`true`), or only
   * the direct downstream tasks and let trigger rules decide the rest.
   * @default {true}
   */
  ignoreDownstreamTriggerRules?: boolean;
}

/**
 * Runs a condition; when it is falsy, downstream tasks are skipped.
 *
 * @example Stop when there is no data
 * ```ts
 * import assert from "node:assert/strict";
 * import { DAG, ShortCircuitOperator } from "./mod.ts";
 * const dag = new DAG("gate");
 * dag.add(new ShortCircuitOperator({ taskId: "has_data", fn: () => false }))
 *   .then(dag.task("load", () => 1));
 * assert.deepEqual((await dag.test()).tasks.load?.state, "skipped");
 * ```
 */
export class ShortCircuitOperator extends Task {
  /** Whether all downstream tasks are skipped regardless of trigger rules. */
  readonly ignoreDownstreamTriggerRules: boolean;
  #fn: ShortCircuitOperatorOptions["fn"];

  /** Makes the operator. */
  constructor(options: ShortCircuitOperatorOptions) {
    super(options.taskId, options);
    if (typeof options.fn !== "function") {
      throw new AirflowError(
        `Short-circuit callable must be a function: ${options.taskId} got ${typeof options
          .fn}`,
      );
    }
    this.#fn = options.fn;
    this.ignoreDownstreamTriggerRules = options.ignoreDownstreamTriggerRules ??
      true;
  }

  /** Calls the condition. */
  override execute(ctx: TaskContext): unknown {
    return this.#fn(ctx);
  }
}

/** Options for {@linkcode CommandOperator}. */
export interface CommandOperatorOptions extends OperatorOptions {
  /**
   * The program to run, or a whole argv (`["deno", "eval", "1"]`) whose
   * first element is the program.
   */
  command: string | URL | string[];
  /**
   * Its arguments.
   * @default {[]}
   */
  args?: string[];
  /**
   * Extra environment variables.
   * @default {{}}
   */
  env?: Record<string, string>;
  /**
   * Working directory.
   * @default {undefined}
   */
  cwd?: string;
  /**
   * Exit code that marks the task skipped instead of failed (Airflow's 99).
   * @default {99}
   */
  skipOnExitCode?: number;
}

/**
 * Runs a program with `Deno.Command` (Airflow's BashOperator without the
 * shell). Exit code 0 succeeds and the last line of stdout becomes the XCom;
 * `skipOnExitCode` skips; any other code fails with stderr's tail in the
 * message. The execution timeout kills the process.
 *
 * @example Run the Deno binary
 * ```ts
 * import assert from "node:assert/strict";
 * import { CommandOperator, DAG } from "./mod.ts";
 * const dag = new DAG("cmd");
 * dag.add(new CommandOperator({
 *   taskId: "version",
 *   command: Deno.execPath(),
 *   args: ["eval", "console.log('hi')"],
 * }));
 * assert.deepEqual((await dag.test()).tasks.version?.xcom, "hi");
 * ```
 */
export class CommandOperator extends Task {
  /** The fields rendered as templates before each try. */
  readonly templateFields: readonly string[] = [
    "command",
    "args",
    "env",
    "cwd",
  ];
  #opts: CommandOperatorOptions;

  /** Makes the operator. */
  constructor(options: CommandOperatorOptions) {
    super(options.taskId, options);
    const c = options.command;
    const argv = Array.isArray(c);
    if (
      argv
        ? c.length === 0 || !c.every((x) => typeof x === "string")
        : typeof c !== "string" && !(c instanceof URL)
    ) {
      throw new AirflowError(
        `Command must be a string, URL or non-empty string array: ${
          JSON.stringify(c) ?? String(c)
        }`,
      );
    }
    this.#opts = argv
      ? {
        ...options,
        command: c[0]!,
        args: [...c.slice(1), ...(options.args ?? [])],
      }
      : { ...options };
  }

  /** Runs the program; resolves to the last line of its stdout. */
  override async execute(ctx: TaskContext): Promise<string | undefined> {
    const o = this.#opts;
    // Templated fields, as BashOperator's bash_command, env and cwd.
    const render = (v: string) => ctx.render(v);
    const program = typeof o.command === "string"
      ? await render(o.command)
      : o.command;
    const args = await Promise.all((o.args ?? []).map(render));
    const env = o.env === undefined ? undefined : Object.fromEntries(
      await Promise.all(
        Object.entries(o.env).map(async ([k, v]) => [k, await render(v)]),
      ),
    );
    const cwd = o.cwd === undefined ? undefined : await render(o.cwd);
    const command = new Deno.Command(program as string | URL, {
      args,
      env,
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: ctx.signal,
    });
    let output: Deno.CommandOutput;
    try {
      output = await command.output();
    } catch (error) {
      throw new AirflowError(`Cannot run command: ${String(o.command)}`, {
        cause: error,
      });
    }
    const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
    // What the program printed goes to the try's log, as BashOperator's.
    for (const stream of [output.stdout, output.stderr]) {
      for (const line of text(stream).split("\n")) {
        if (line !== "") ctx.log.info(line);
      }
    }
    if (output.code === (o.skipOnExitCode ?? 99)) {
      throw new AirflowSkipException(
        `Command exited with skip code ${output.code}: ${String(o.command)}`,
      );
    }
    if (!output.success) {
      const tail = text(output.stderr).trim().split("\n").slice(-3).join(
        " | ",
      );
      throw new AirflowError(
        `Command failed with exit code ${output.code}: ${String(o.command)}${
          tail ? ` (${tail})` : ""
        }`,
      );
    }
    const lines = text(output.stdout).trimEnd().split("\n");
    const last = lines[lines.length - 1];
    return last === "" ? undefined : last;
  }
}
