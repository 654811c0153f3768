// Record streams as tasks see them: a partition is an iterable (or async
// iterable) of batches, arrays of about BATCH records, so per-record work
// stays in tight loops and only batches cross async boundaries. Also the
// task failure that must not be retried.

import { CaptureError } from "./_closure.ts";
import { MalformedRecordError } from "./_csv.ts";
import type { FnSpec } from "./_plan.ts";

/** A partition's records, in batches. */
export type Batches = Iterable<unknown[]> | AsyncIterable<unknown[]>;

/** A compiled shipped function. */
export type Fn = (...args: unknown[]) => unknown;

/** Compiles a shipped function with its env (the executor's cache). */
export type Compile = (spec: FnSpec) => [Fn, unknown];

/** Records per batch: big enough to amortise, small enough to stream. */
export const BATCH = 4096;

/** A deterministic task failure that must not be retried. */
export class FatalTaskError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TaskError";
  }
}

/** Whether an error is deterministic (retrying cannot help). */
export function isFatal(e: unknown): boolean {
  return e instanceof CaptureError || e instanceof FatalTaskError ||
    e instanceof SyntaxError || e instanceof MalformedRecordError;
}

export function asPair(x: unknown, what: string): [unknown, unknown] {
  if (!Array.isArray(x) || x.length !== 2) {
    throw new TypeError(
      `${what} expects [key, value] pairs: got ${preview(x)}`,
    );
  }
  return x as [unknown, unknown];
}

export function preview(x: unknown): string {
  try {
    return (JSON.stringify(x) ?? String(x)).slice(0, 80);
  } catch {
    return String(x);
  }
}

export function isAsync(b: unknown): b is AsyncIterable<unknown[]> {
  return b !== null && typeof b === "object" && Symbol.asyncIterator in b;
}

export function isIterable(x: unknown): x is Iterable<unknown> {
  return x !== null && typeof x === "object" && Symbol.iterator in x ||
    typeof x === "string";
}

export function mapBatches(
  input: Batches,
  f: (b: unknown[]) => unknown[],
): Batches {
  if (isAsync(input)) {
    return (async function* () {
      for await (const b of input) {
        const o = f(b);
        if (o.length > 0) yield o;
      }
    })();
  }
  return (function* () {
    for (const b of input) {
      const o = f(b);
      if (o.length > 0) yield o;
    }
  })();
}

export function afterAll(
  input: Batches,
  fill: (b: unknown[]) => void,
  finish: () => unknown[],
): Batches {
  if (isAsync(input)) {
    return (async function* () {
      for await (const b of input) fill(b);
      const out = finish();
      if (out.length > 0) yield out;
    })();
  }
  return (function* () {
    for (const b of input) fill(b);
    const out = finish();
    if (out.length > 0) yield out;
  })();
}

export function* flatten(input: Iterable<unknown[]>): Generator<unknown> {
  for (const b of input) yield* b;
}

export function drain(s: Batches): unknown[] | Promise<unknown[]> {
  if (isAsync(s)) {
    return (async () => {
      const out: unknown[] = [];
      for await (const b of s) for (const x of b) out.push(x);
      return out;
    })();
  }
  const out: unknown[] = [];
  for (const b of s) {
    if (out.length === 0 && Array.isArray(b)) {
      for (let i = 0; i < b.length; i++) out.push(b[i]);
    } else for (const x of b) out.push(x);
  }
  return out;
}

export function concat(streams: Batches[]): Batches {
  if (streams.some(isAsync)) {
    return (async function* () {
      for (const s of streams) yield* s;
    })();
  }
  return (function* () {
    for (const s of streams as Iterable<unknown[]>[]) yield* s;
  })();
}

export function lazyAsync(p: Promise<Batches>): Batches {
  return (async function* () {
    yield* await p;
  })();
}
