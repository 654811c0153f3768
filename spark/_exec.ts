// Runs one task inside a worker: builds the partition's record stream from
// its plan (sources, fused narrow ops) as batches, then applies the action.

import { compileShipped, mentionsIdentifier } from "./_closure.ts";
import { compareKeys, encodeKey, rng } from "./_keys.ts";
import type {
  Action,
  FnSpec,
  Op,
  Plan,
  Source,
  Task,
  TaskOutput,
} from "./_plan.ts";
import { csvBatches } from "./_source_csv.ts";
import { textBatches, wholeTextBatches } from "./_source_text.ts";
import { topicBatches } from "./_source_topic.ts";
import {
  aggregatorOf,
  cogroupRead,
  shuffleRead,
  shuffleWrite,
  sortPairs,
} from "./_shuffle.ts";
import { sampleKeys } from "./_range_partitioner.ts";
import {
  afterAll,
  asPair,
  BATCH,
  type Batches,
  type Compile,
  concat,
  drain,
  FatalTaskError,
  flatten,
  type Fn,
  isAsync,
  isIterable,
  lazyAsync,
  mapBatches,
  preview,
} from "./_stream.ts";
import { unpackEnv } from "./broadcast.ts";
import { hllRegisters } from "./_hyperloglog.ts";
import v8 from "node:v8";
import {
  meteredSource,
  meterShuffleWrite,
  newTaskMetrics,
  type TaskMetrics,
} from "./_task_metrics.ts";

/** Per-worker state that outlives tasks. */
export class Executor {
  #compiled = new Map<string, Fn>();
  #namespaces: Record<string, unknown> = Object.create(null);
  #broadcasts = new Map<number, unknown>();
  #cache = new Map<string, unknown[]>();
  #counters: Record<string, number> = {};
  #cachedNow: [number, number][] = [];
  /** Metrics of the running task, when the driver asked for them. */
  #metrics: TaskMetrics | null = null;
  /** Accumulator additions of the running task, sent with its result. */
  #added = new Map<number, number>();
  /** Terms of accumulators with an AccumulatorParam, in order. */
  #addedTerms = new Map<number, unknown[]>();
  #addTo = (id: number, term: unknown, custom: boolean): void => {
    if (custom) {
      const terms = this.#addedTerms.get(id);
      if (terms === undefined) this.#addedTerms.set(id, [term]);
      else terms.push(term);
      return;
    }
    this.#added.set(id, (this.#added.get(id) ?? 0) + (term as number));
  };

  /** Runs a task and returns its output. */
  async run(task: Task): Promise<TaskOutput> {
    for (const [id, value] of task.broadcasts) this.#broadcasts.set(id, value);
    await this.#loadModules(task);
    this.#counters = {};
    this.#cachedNow = [];
    this.#added = new Map();
    this.#addedTerms = new Map();
    const started = performance.now();
    const metrics = this.#metrics = task.metrics
      ? newTaskMetrics(task.attempt)
      : null;
    const stream = this.#stream(task.plan);
    const value = await this.#act(task.action, stream, task);
    if (metrics !== null) {
      if (task.action.kind === "shuffleWrite") {
        meterShuffleWrite(value, metrics, approxSize);
      }
      metrics.runMs = performance.now() - started;
    }
    // Everything but shuffle blocks and samples is a result the driver
    // holds: guarded by maxResultBytes like collect().
    const kept = task.action.kind === "shuffleWrite" ||
      task.action.kind === "sampleKeys";
    const bytes = kept ? 0 : approxSize(value);
    if (bytes > task.maxResultBytes) {
      throw new FatalTaskError(
        `Result of partition ${task.partition} is about ${bytes} bytes, more than maxResultBytes (${task.maxResultBytes}): use toLocalIterator(), saveAsTextFile() or a larger maxResultBytes`,
      );
    }
    return {
      value,
      cached: this.#cachedNow,
      counters: this.#counters,
      accumulators: [...this.#added],
      accumulatorTerms: [...this.#addedTerms],
      bytes,
      ...(metrics === null ? {} : { metrics }),
    };
  }

  /** Drops a broadcast value. */
  unbroadcast(id: number): void {
    this.#broadcasts.delete(id);
  }

  /** Drops a cached partition set. */
  unpersist(rddId: number): void {
    for (const key of [...this.#cache.keys()]) {
      if (key.startsWith(rddId + ":")) this.#cache.delete(key);
    }
  }

  async #loadModules(task: Task): Promise<void> {
    const names = Object.keys(task.modules).filter((n) =>
      !Object.hasOwn(this.#namespaces, n)
    );
    if (names.length === 0) return;
    const text = collectSources(task).join("\n");
    for (const name of names) {
      if (!mentionsIdentifier(text, name)) continue;
      try {
        this.#namespaces[name] = await import(task.modules[name]!);
      } catch (e) {
        throw new FatalTaskError(
          `Module "${name}" cannot be imported in a worker: ${
            task.modules[name]
          }: ${(e as Error).message}`,
        );
      }
    }
  }

  #compile: Compile = (spec) => this.#fn(spec);

  #fn(spec: FnSpec): [Fn, unknown] {
    const key = spec.at + "\n" + spec.src;
    let fn = this.#compiled.get(key);
    if (fn === undefined) {
      fn = compileShipped(spec.src, this.#namespaces, spec.at);
      this.#compiled.set(key, fn);
    }
    return [fn, unpackEnv(spec.env, this.#broadcasts, this.#addTo)];
  }

  #count(name: string, n: number): void {
    this.#counters[name] = (this.#counters[name] ?? 0) + n;
  }

  #stream(plan: Plan): Batches {
    let s = this.#source(plan.src, plan.part);
    if (this.#metrics !== null) {
      s = meteredSource(plan.src, s, this.#metrics, approxSize);
    }
    for (const op of plan.ops) s = this.#op(op, s, plan.part);
    return s;
  }

  #source(src: Source, part: number): Batches {
    switch (src.kind) {
      case "data":
        return src.data.length > 0 ? [src.data] : [];
      case "range":
        return rangeBatches(src.start, src.end, src.step);
      case "text":
        return textBatches(src);
      case "wholeText":
        return wholeTextBatches(src);
      case "csv":
        return csvBatches(src, (n) => this.#count("malformedRows", n));
      case "topic":
        return lazyAsync(topicBatches(src));
      case "concat":
        return concat(src.plans.map((p) => this.#stream(p)));
      case "shuffle":
        return shuffleRead(src.blocks, src.reduce, this.#compile);
      case "cogroup":
        return cogroupRead(src.inputs, (plan) => this.#stream(plan));
      case "pair": {
        const left = drain(this.#stream(src.left));
        const right = drain(this.#stream(src.right));
        const combine = ([l, r]: unknown[][]): Batches => {
          const out = src.mode === "zip" ? zipped(l!, r!) : product(l!, r!);
          return out.length > 0 ? [out] : [];
        };
        return left instanceof Promise || right instanceof Promise
          ? lazyAsync(Promise.all([left, right]).then(combine))
          : combine([left, right]);
      }
      case "checkpoint": {
        const all = v8.deserialize(Deno.readFileSync(src.path)) as unknown[];
        return all.length > 0 ? [all] : [];
      }
      case "cache": {
        const key = `${src.rddId}:${part}`;
        const hit = this.#cache.get(key);
        if (hit !== undefined) return hit.length > 0 ? [hit] : [];
        const fill = (all: unknown[]): Batches => {
          this.#cache.set(key, all);
          this.#cachedNow.push([src.rddId, part]);
          return all.length > 0 ? [all] : [];
        };
        const all = drain(this.#stream(src.plan));
        return all instanceof Promise ? lazyAsync(all.then(fill)) : fill(all);
      }
    }
  }

  #op(op: Op, input: Batches, part: number): Batches {
    switch (op.kind) {
      case "map": {
        const [f, env] = this.#fn(op.fn);
        return mapBatches(input, (b) => {
          const out = new Array(b.length);
          for (let i = 0; i < b.length; i++) out[i] = f(b[i], env);
          return out;
        });
      }
      case "filter": {
        const [f, env] = this.#fn(op.fn);
        return mapBatches(input, (b) => {
          const out = [];
          for (let i = 0; i < b.length; i++) if (f(b[i], env)) out.push(b[i]);
          return out;
        });
      }
      case "flatMap": {
        const [f, env] = this.#fn(op.fn);
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (let i = 0; i < b.length; i++) {
            const r = f(b[i], env);
            if (Array.isArray(r)) {
              for (let j = 0; j < r.length; j++) out.push(r[j]);
            } else if (isIterable(r)) { for (const x of r) out.push(x); }
            else {throw new TypeError(
                `flatMap function must return an iterable: got ${typeof r}`,
              );}
          }
          return out;
        });
      }
      case "keyBy": {
        const [f, env] = this.#fn(op.fn);
        return mapBatches(input, (b) => b.map((x) => [f(x, env), x]));
      }
      case "mapValues": {
        const [f, env] = this.#fn(op.fn);
        return mapBatches(input, (b) =>
          b.map((x) => {
            const [k, v] = asPair(x, "mapValues");
            return [k, f(v, env)];
          }));
      }
      case "flatMapValues": {
        const [f, env] = this.#fn(op.fn);
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (const x of b) {
            const [k, v] = asPair(x, "flatMapValues");
            for (const y of f(v, env) as Iterable<unknown>) out.push([k, y]);
          }
          return out;
        });
      }
      case "keys":
        return mapBatches(input, (b) => b.map((x) => asPair(x, "keys")[0]));
      case "values":
        return mapBatches(input, (b) => b.map((x) => asPair(x, "values")[1]));
      case "pairNull":
        return mapBatches(input, (b) => b.map((x) => [x, null]));
      case "glom": {
        const all = drain(input);
        return all instanceof Promise
          ? lazyAsync(all.then((a) => [[a]]))
          : [[all]];
      }
      case "sample": {
        const rand = rng(op.seed * 2654435761 + part * 40503 + 17);
        const frac = op.fraction;
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (const x of b) {
            if (op.withReplacement) {
              for (let c = poisson(frac, rand); c > 0; c--) out.push(x);
            } else if (rand() < frac) out.push(x);
          }
          return out;
        });
      }
      case "combineLocal": {
        const [create, mergeValue] = aggregatorOf(op.agg, this.#compile);
        const map = new Map<string, [unknown, unknown]>();
        const fill = (b: unknown[]): void => {
          for (const x of b) {
            const [k, v] = asPair(x, "reduceByKey");
            const e = encodeKey(k);
            const cur = map.get(e);
            if (cur === undefined) map.set(e, [k, create(v)]);
            else cur[1] = mergeValue(cur[1], v);
          }
        };
        return afterAll(input, fill, () => [...map.values()]);
      }
      case "groupLocal": {
        const map = new Map<string, [unknown, unknown[]]>();
        const fill = (b: unknown[]): void => {
          for (const x of b) {
            const [k, v] = asPair(x, "groupByKey");
            const e = encodeKey(k);
            const cur = map.get(e);
            if (cur === undefined) map.set(e, [k, [v]]);
            else cur[1].push(v);
          }
        };
        return afterAll(input, fill, () => [...map.values()]);
      }
      case "joinFlatten": {
        const how = op.how;
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (const rec of b as [unknown, [unknown[], unknown[]]][]) {
            const k = rec[0];
            let [vs, ws] = rec[1];
            if (vs.length === 0 && ws.length === 0) continue;
            if (vs.length === 0) {
              if (how === "inner" || how === "left") continue;
              vs = [null];
            }
            if (ws.length === 0) {
              if (how === "inner" || how === "right") continue;
              ws = [null];
            }
            for (const v of vs) for (const w of ws) out.push([k, [v, w]]);
          }
          return out;
        });
      }
      case "setOp": {
        // Input: cogrouped [k, [left values, right values]].
        const keep = op.keep;
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (const rec of b as [unknown, [unknown[], unknown[]]][]) {
            const [vs, ws] = rec[1];
            if (keep === "both") {
              if (vs.length > 0 && ws.length > 0) out.push(rec[0]);
            } else if (ws.length === 0) {
              if (keep === "leftOnlyAll") {
                for (const _ of vs) out.push(rec[0]);
              } else for (const v of vs) out.push([rec[0], v]);
            }
          }
          return out;
        });
      }
      case "lookup": {
        const key = op.key;
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (const x of b) {
            const [k, v] = asPair(x, "lookup");
            if (encodeKey(k) === key) out.push(v);
          }
          return out;
        });
      }
      case "sampleRange": {
        // The same seed gives every split the same draws, so the splits of
        // randomSplit are disjoint and together hold every record.
        const rand = rng(op.seed * 2654435761 + part * 40503 + 17);
        const { lb, ub } = op;
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (const x of b) {
            const r = rand();
            if (r >= lb && r < ub) out.push(x);
          }
          return out;
        });
      }
      case "sampleByKey": {
        const rand = rng(op.seed * 2654435761 + part * 40503 + 17);
        const fractions = new Map(op.fractions);
        return mapBatches(input, (b) => {
          const out: unknown[] = [];
          for (const x of b) {
            const f = fractions.get(encodeKey(asPair(x, "sampleByKey")[0]));
            if (f === undefined) {
              throw new FatalTaskError(
                `sampleByKey has no fraction for key ${preview(x)}`,
              );
            }
            if (op.withReplacement) {
              for (let c = poisson(f, rand); c > 0; c--) out.push(x);
            } else if (rand() < f) out.push(x);
          }
          return out;
        });
      }
      case "reducePartition": {
        const [f, env] = this.#fn(op.fn);
        let has = false;
        let acc: unknown;
        return afterAll(input, (b) => {
          for (const x of b) {
            acc = has ? f(acc, x, env) : x;
            has = true;
          }
        }, () => has ? [acc] : []);
      }
      case "aggregatePartition": {
        const [f, env] = this.#fn(op.seq);
        let acc = structuredClone(op.zero);
        return afterAll(input, (b) => {
          for (const x of b) acc = f(acc, x, env);
        }, () => [acc]);
      }
      case "keyByPartition": {
        const k = part % op.n;
        return mapBatches(input, (b) => b.map((x) => [k, x]));
      }
      case "pipe":
        return pipeThrough(input, op.command, op.env, op.checkCode);
      case "sortLocal": {
        const sort = (all: unknown[]): Batches => {
          const sorted = sortPairs(
            all.map((x) => asPair(x, "sortWithinPartitions")),
            op.ascending,
            op.key,
            this.#compile,
          );
          return sorted.length > 0 ? [sorted] : [];
        };
        const all = drain(input);
        return all instanceof Promise ? lazyAsync(all.then(sort)) : sort(all);
      }
      case "mapPartitions":
      case "mapPartitionsWithIndex": {
        const [f, env] = this.#fn(op.fn);
        const call = (rows: Iterable<unknown>): unknown =>
          op.kind === "mapPartitions" ? f(rows, env) : f(part, rows, env);
        if (isAsync(input)) {
          return lazyAsync(
            (drain(input) as Promise<unknown[]>).then((rows) =>
              fromUserResult(call(rows))
            ),
          );
        }
        return fromUserResult(call(flatten(input)));
      }
    }
  }

  async #act(action: Action, s: Batches, task: Task): Promise<unknown> {
    switch (action.kind) {
      case "none": {
        for await (const _ of s) { /* materialise (e.g. for cache) */ }
        return null;
      }
      case "collect":
        return await drain(s);
      case "count": {
        let n = 0;
        for await (const b of s) n += b.length;
        return n;
      }
      case "take": {
        const out: unknown[] = [];
        if (action.n <= 0) return out;
        for await (const b of s) {
          for (const x of b) {
            out.push(x);
            if (out.length >= action.n) return out;
          }
        }
        return out;
      }
      case "reduce": {
        const [f, env] = this.#fn(action.fn);
        let has = false;
        let acc: unknown;
        for await (const b of s) {
          for (const x of b) {
            if (has) acc = f(acc, x, env);
            else {
              acc = x;
              has = true;
            }
          }
        }
        return { has, acc };
      }
      case "fold": {
        const [f, env] = this.#fn(action.fn);
        let acc = structuredClone(action.zero);
        for await (const b of s) for (const x of b) acc = f(acc, x, env);
        return acc;
      }
      case "aggregate": {
        const [f, env] = this.#fn(action.seq);
        let acc = structuredClone(action.zero);
        for await (const b of s) for (const x of b) acc = f(acc, x, env);
        return acc;
      }
      case "foreach": {
        const [f, env] = this.#fn(action.fn);
        for await (const b of s) for (const x of b) await f(x, env);
        return null;
      }
      case "foreachPartition": {
        const [f, env] = this.#fn(action.fn);
        if (isAsync(s)) await f(await drain(s), env);
        else await f(flatten(s), env);
        return null;
      }
      case "countByValue":
      case "countByKey": {
        const byKey = action.kind === "countByKey";
        const map = new Map<string, [unknown, number]>();
        for await (const b of s) {
          for (const x of b) {
            const k = byKey ? asPair(x, "countByKey")[0] : x;
            const e = encodeKey(k);
            const cur = map.get(e);
            if (cur === undefined) map.set(e, [k, 1]);
            else cur[1]++;
          }
        }
        return [...map.values()];
      }
      case "save": {
        const file = `${action.dir}/${action.name}.attempt-${task.attempt}${
          action.gzip ? ".gz" : ""
        }`;
        await saveLines(file, s, action.gzip);
        return file;
      }
      case "sampleKeys": {
        let sortKey: (k: unknown) => unknown = (k) => k;
        if (action.key !== null) {
          const [f, env] = this.#fn(action.key);
          sortKey = (k) => f(k, env);
        }
        return await sampleKeys(
          s,
          action.size,
          action.seed + task.partition * 7919,
          sortKey,
        );
      }
      case "ordered": {
        let key: (x: unknown) => unknown = (x) => x;
        if (action.key !== null) {
          const [f, env] = this.#fn(action.key);
          key = (x) => f(x, env);
        }
        const dir = action.descending ? -1 : 1;
        let buf: [unknown, unknown][] = [];
        const cmp = (a: [unknown, unknown], b: [unknown, unknown]) =>
          dir * compareKeys(a[0], b[0]);
        for await (const b of s) {
          for (const x of b) buf.push([key(x), x]);
          if (buf.length > 2 * action.n + BATCH) {
            buf.sort(cmp);
            buf = buf.slice(0, action.n);
          }
        }
        buf.sort(cmp);
        return buf.slice(0, action.n).map((e) => e[1]);
      }
      case "shuffleWrite":
        return await shuffleWrite(
          s,
          action.part,
          action.agg,
          task.partition,
          this.#compile,
        );
      case "hll": {
        const all = await drain(s);
        return hllRegisters(all, action.p);
      }
      case "checkpoint": {
        const tmp = `${action.path}.attempt-${task.attempt}`;
        await Deno.writeFile(tmp, v8.serialize(await drain(s)));
        await Deno.rename(tmp, action.path);
        return null;
      }
    }
  }
}

/** Adapts what a mapPartitions function returned into batches. */
function fromUserResult(r: unknown): Batches {
  if (r instanceof Promise) return lazyAsync(r.then(fromUserResult));
  if (Array.isArray(r)) return r.length > 0 ? [r] : [];
  if (isAsync(r)) {
    return (async function* () {
      let batch: unknown[] = [];
      for await (const x of r as AsyncIterable<unknown>) {
        batch.push(x);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    })();
  }
  if (isIterable(r)) {
    return (function* () {
      let batch: unknown[] = [];
      for (const x of r) {
        batch.push(x);
        if (batch.length >= BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    })();
  }
  throw new TypeError(
    `mapPartitions function must return an iterable, an async iterable or a promise of one: got ${
      preview(r)
    }`,
  );
}

function* rangeBatches(
  start: number,
  end: number,
  step: number,
): Generator<number[]> {
  let batch: number[] = [];
  for (let v = start; step > 0 ? v < end : v > end; v += step) {
    batch.push(v);
    if (batch.length === BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function zipped(l: unknown[], r: unknown[]): unknown[] {
  if (l.length !== r.length) {
    throw new FatalTaskError(
      `Can only zip RDDs with the same number of elements in each partition: ${l.length} and ${r.length}`,
    );
  }
  return l.map((x, i) => [x, r[i]]);
}

function product(l: unknown[], r: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of l) for (const y of r) out.push([x, y]);
  return out;
}

/**
 * PySpark's pipe: one process per partition; each record goes to its
 * stdin as a line (`String(x)`), each line of its stdout is a record.
 * Writing runs alongside reading so a process that answers as it reads
 * never blocks on a full pipe.
 */
function pipeThrough(
  input: Batches,
  command: string[],
  env: Record<string, string>,
  checkCode: boolean,
): Batches {
  return (async function* () {
    const child = new Deno.Command(command[0]!, {
      args: command.slice(1),
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    const enc = new TextEncoder();
    const writing = (async () => {
      const w = child.stdin.getWriter();
      try {
        for await (const b of input) {
          let text = "";
          for (const x of b) text += String(x).replace(/\n$/, "") + "\n";
          try {
            await w.write(enc.encode(text));
          } catch {
            // The command stopped reading (exited, or `head`): as in
            // PySpark, its output and exit code tell the rest.
            return;
          }
        }
      } finally {
        await w.close().catch(() => {});
      }
    })();
    writing.catch(() => {});
    const dec = new TextDecoder();
    let carry = "";
    for await (const chunk of child.stdout) {
      const lines = (carry + dec.decode(chunk, { stream: true })).split("\n");
      carry = lines.pop()!;
      if (lines.length > 0) yield lines;
    }
    carry += dec.decode();
    if (carry !== "") yield [carry];
    await writing;
    const status = await child.status;
    if (checkCode && status.code !== 0) {
      throw new FatalTaskError(
        `Pipe command exited with code ${status.code}: ${command.join(" ")}`,
      );
    }
  })();
}

function poisson(mean: number, rand: () => number): number {
  const l = Math.exp(-mean);
  let k = 0, p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

/**
 * Writes one line per record (strings as they are, other values as JSON),
 * gzip-compressed when asked, and fsyncs the file.
 */
async function saveLines(
  path: string,
  s: Batches,
  gzip: boolean,
): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true });
  try {
    const enc = new TextEncoder();
    const gz = gzip ? new CompressionStream("gzip") : null;
    const writer = gz?.writable.getWriter();
    // The compressed side drains into the file while lines are written.
    const drained = gz === null ? null : (async () => {
      for await (const chunk of gz.readable) await writeAll(file, chunk);
    })();
    const put = async (text: string): Promise<void> => {
      const bytes = enc.encode(text);
      if (writer === undefined) await writeAll(file, bytes);
      else await writer.write(bytes);
    };
    let text = "";
    for await (const b of s) {
      for (const x of b) {
        text += (typeof x === "string" ? x : JSON.stringify(x) ?? String(x)) +
          "\n";
        if (text.length > 1 << 20) {
          await put(text);
          text = "";
        }
      }
    }
    if (text.length > 0) await put(text);
    if (writer !== undefined) {
      await writer.close();
      await drained;
    }
    await file.sync();
  } finally {
    file.close();
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}

function collectSources(task: Task): string[] {
  const out: string[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 64 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      // data arrays can be huge; functions never live inside them
      return;
    }
    const o = v as Record<string, unknown>;
    if (typeof o.src === "string" && "env" in o) out.push(o.src);
    for (const [k, x] of Object.entries(o)) {
      if (k === "data" || k === "blocks" || k === "env" || k === "zero") {
        continue;
      }
      if (Array.isArray(x)) { for (const y of x) visit(y, depth + 1); }
      else visit(x, depth + 1);
    }
  };
  visit(task.plan, 0);
  visit(task.action, 0);
  return out;
}

/** A fast estimate of a value's serialized size in bytes. */
export function approxSize(v: unknown, depth = 0): number {
  switch (typeof v) {
    case "string":
      return 8 + v.length * 2;
    case "number":
    case "boolean":
    case "undefined":
      return 8;
    case "bigint":
      return 16;
    case "object": {
      if (v === null) return 8;
      if (ArrayBuffer.isView(v)) return v.byteLength + 16;
      if (depth > 6) return 64;
      if (Array.isArray(v)) {
        const n = v.length;
        if (n <= 64) {
          let s = 16;
          for (const x of v) s += approxSize(x, depth + 1);
          return s;
        }
        // Sample evenly and extrapolate: collect() results can be huge.
        let s = 0;
        const step = n / 64;
        for (let i = 0; i < 64; i++) {
          s += approxSize(v[Math.floor(i * step)], depth + 1);
        }
        return 16 + Math.round((s / 64) * n);
      }
      let s = 16;
      for (const [k, x] of Object.entries(v)) {
        s += k.length * 2 + approxSize(x, depth + 1);
      }
      return s;
    }
    default:
      return 8;
  }
}
