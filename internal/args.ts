/**
 * Command-line flags for the project's `demo:*` and `bench:*` tasks: one
 * parser (on `node:util` `parseArgs`), one `--help` text, one way to fail.
 *
 * A command declares its flags once, with a type, a default and a line of
 * help. {@link parseFlags} turns `Deno.args` into typed values or throws a
 * {@link UsageError}; {@link parseCommandLine} is the same for a script's
 * entry point: `--help` prints the usage and exits 0, a bad flag or value
 * prints one line on stderr and exits 2 (a user's mistake never shows a stack
 * trace). A leading `--` is dropped, so `deno task demo:http -- --live` (which
 * passes the `--` through) means `--live`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseFlags } from "./args.ts";
 *
 * const spec = {
 *   command: "deno task demo:spark",
 *   flags: {
 *     rows: { type: "integer", min: 1, default: 1000, description: "rows" },
 *     live: { type: "boolean", description: "ask the real service" },
 *   },
 * } as const;
 * assert.deepEqual(parseFlags(spec, ["--", "--rows=20", "--live"]), {
 *   rows: 20,
 *   live: true,
 * });
 * assert.throws(() => parseFlags(spec, ["--rows=abc"]), /--rows/);
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";

/** One flag: its type, its help line, and (for values) a default and bounds. */
export type FlagSpec =
  | { type: "boolean"; description: string }
  | {
    type: "string";
    description: string;
    default?: string;
    /** Name of the value in the help text, e.g. `PATH`. */
    placeholder?: string;
  }
  | {
    /** `integer` takes safe integers, `number` any finite number. */
    type: "integer" | "number";
    description: string;
    default?: number;
    /** Smallest value accepted (inclusive). */
    min?: number;
    /** Largest value accepted (inclusive). */
    max?: number;
    placeholder?: string;
  };

/** A command: how it is run, what it does, and its flags. */
export interface CommandSpec {
  /** How the command is invoked, e.g. `deno task bench:spark`. */
  command: string;
  /** One line saying what it does. */
  summary?: string;
  /** Flags by name, without the leading `--`. */
  flags: Readonly<Record<string, FlagSpec>>;
}

/** The parsed value of one flag. */
export type FlagValue<F extends FlagSpec> = F extends { type: "boolean" }
  ? boolean
  : F extends { type: "string"; default: string } ? string
  : F extends { type: "string" } ? string | undefined
  : F extends { default: number } ? number
  : number | undefined;

/** The parsed values of a command's flags. */
export type FlagValues<S extends CommandSpec> = {
  -readonly [K in keyof S["flags"]]: FlagValue<S["flags"][K]>;
};

/** A flag or value the command does not accept; the message names it. */
export class UsageError extends Error {
  /** Makes a usage error with its message. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "UsageError";
  }
}

/** The `--help` text: a `Usage:` line, the summary, then one line per flag. */
export function formatUsage(spec: CommandSpec): string {
  const lines = [`Usage: ${spec.command} [options]`];
  if (spec.summary) lines.push("", spec.summary);
  lines.push("", "Options:");
  const entries: [string, string][] = Object.entries(spec.flags).map(
    ([name, flag]) => {
      const value = flag.type === "boolean"
        ? ""
        : `=${flag.placeholder ?? (flag.type === "string" ? "TEXT" : "N")}`;
      const fallback = flag.type !== "boolean" && flag.default !== undefined
        ? ` (default: ${flag.default})`
        : "";
      return [`--${name}${value}`, `${flag.description}${fallback}`];
    },
  );
  entries.push(["--help", "print this text and exit"]);
  const width = Math.max(...entries.map(([left]) => left.length)) + 2;
  for (const [left, right] of entries) {
    lines.push(`  ${left.padEnd(width)}${right}`);
  }
  return lines.join("\n");
}

function toNumber(name: string, flag: FlagSpec, text: string): number {
  const integer = flag.type === "integer";
  const n = text.trim() === "" ? NaN : Number(text.replaceAll("_", ""));
  if (integer ? !Number.isSafeInteger(n) : !Number.isFinite(n)) {
    throw new UsageError(
      `Flag --${name} takes ${integer ? "an integer" : "a number"}: "${text}"`,
    );
  }
  if (flag.type !== "boolean" && flag.type !== "string") {
    if (flag.min !== undefined && n < flag.min) {
      throw new UsageError(
        `Flag --${name} must be at least ${flag.min}: "${text}"`,
      );
    }
    if (flag.max !== undefined && n > flag.max) {
      throw new UsageError(
        `Flag --${name} must be at most ${flag.max}: "${text}"`,
      );
    }
  }
  return n;
}

/** Rewords `parseArgs`'s errors as one short line naming the flag. */
function reword(error: Error & { code?: string }): string {
  const flag = /'(-[^' ]+)/.exec(error.message)?.[1] ?? "";
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `Unknown flag: ${flag}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (error.message.includes("ambiguous")) {
        return `Flag ${flag} needs its value after "=" when it starts with "-": ${flag}=-…`;
      }
      return error.message.includes("does not take")
        ? `Flag ${flag} takes no value`
        : `Flag ${flag} needs a value`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `Unexpected argument: ${
        /'([^']*)'/.exec(error.message)?.[1] ?? error.message
      }`;
    default:
      return `Bad command line: ${error.message.split("\n")[0]}`;
  }
}

/**
 * Parses `args` against `spec`. Returns `"help"` for `--help`; throws a
 * {@link UsageError} naming the flag and the bad value otherwise.
 */
export function parseFlags<const S extends CommandSpec>(
  spec: S,
  args: readonly string[],
): FlagValues<S> | "help" {
  const list = args[0] === "--" ? args.slice(1) : [...args];
  const options: Record<string, { type: "boolean" | "string" }> = {
    help: { type: "boolean" },
  };
  for (const [name, flag] of Object.entries(spec.flags)) {
    options[name] = { type: flag.type === "boolean" ? "boolean" : "string" };
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: list, options, strict: true }).values;
  } catch (error) {
    throw new UsageError(reword(error as Error), { cause: error });
  }
  if (values.help) return "help";
  const out: Record<string, string | number | boolean | undefined> = {};
  for (const [name, flag] of Object.entries(spec.flags)) {
    const raw = values[name];
    if (flag.type === "boolean") {
      out[name] = raw === true;
    } else if (flag.type === "string") {
      out[name] = raw === undefined ? flag.default : String(raw);
    } else {
      out[name] = raw === undefined
        ? flag.default
        : toNumber(name, flag, String(raw));
    }
  }
  return out as FlagValues<S>;
}

/**
 * {@link parseFlags} for a script's entry point: prints the usage and exits 0
 * on `--help`, prints one line on stderr and exits 2 on a bad flag or value.
 */
export function parseCommandLine<const S extends CommandSpec>(
  spec: S,
  args: readonly string[] = Deno.args,
): FlagValues<S> {
  try {
    const parsed = parseFlags(spec, args);
    if (parsed !== "help") return parsed;
    console.log(formatUsage(spec));
    Deno.exit(0);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message} (see ${spec.command} --help)`);
    Deno.exit(2);
  }
}

/**
 * One line for a failure: the message and each cause's, outermost first,
 * e.g. `Gave up after 4 attempts: … ← error sending request: dns error: …`.
 */
export function describeFailure(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let e = error; e !== undefined && !seen.has(e); e = causeOf(e)) {
    seen.add(e);
    const text = e instanceof Error ? e.message : String(e);
    const line = text.split("\n")[0]!.trim();
    if (line && !parts.some((p) => p.includes(line))) parts.push(line);
  }
  return parts.join(" ← ") || String(error);
}

function causeOf(error: unknown): unknown {
  return error instanceof Error ? error.cause : undefined;
}
