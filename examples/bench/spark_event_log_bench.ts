/**
 * What writing Spark's event log costs (`deno task bench:spark-events`): the
 * CPU-bound job of `deno task bench:spark` (400 elements x 100,000
 * Math.sin, 8 partitions) on 2 workers, with the event log on and off in
 * alternating runs. Both run on the same context (its scheduler's listener
 * is switched off and on), because two pools made one after the other
 * differ by 30% or more on this machine whatever they run: the first one
 * made is faster. Medians, minimums and their ratios are reported, and the
 * time the driver spends inside the event log as a share of the job. Also a many-task job (2,000 tiny tasks), where the log's
 * per-task cost is not hidden behind task time. Nothing here is a test.
 *
 * Flags: `--reps=N` (default 9).
 *
 * @module
 */

import { parseCommandLine } from "../../internal/args.ts";
import { progress } from "../../internal/progress.ts";
import { SparkContext } from "../../spark/mod.ts";
import { EventLog } from "../../spark/_event_log.ts";
import { schedulerOf } from "../../spark/_registry.ts";
import { cpuBoundMap } from "./spark_jobs.ts";

// Time spent in the event log's listener methods (all on the driver).
let insideLog = 0;
for (
  const name of [
    "jobStart",
    "jobEnd",
    "stageSubmitted",
    "taskEnd",
    "taskFailed",
    "stageCompleted",
  ] as const
) {
  const proto = EventLog.prototype as unknown as Record<
    string,
    (...a: unknown[]) => unknown
  >;
  const f = proto[name]!;
  proto[name] = function (this: unknown, ...a: unknown[]) {
    const t = performance.now();
    try {
      return f.apply(this, a);
    } finally {
      insideLog += performance.now() - t;
    }
  };
}

const args = parseCommandLine({
  command: "deno task bench:spark-events",
  summary:
    "The cost of spark's event log on the CPU-bound job, same-run ratio.",
  flags: {
    reps: {
      type: "integer",
      min: 3,
      default: 9,
      description: "alternating runs of each job with and without the log",
    },
  },
});

const dir = "out/bench/spark-events";
await Deno.mkdir(dir, { recursive: true });

type Job = (sc: SparkContext) => Promise<unknown>;
const cpuJob: Job = cpuBoundMap;
const manyTasks: Job = (sc) =>
  sc.range(0, 20_000, 1, 2_000).map((x) => x * 2).count();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function compare(name: string, job: Job, warm: number): Promise<void> {
  const sc = new SparkContext({
    parallelism: 2,
    eventLogDir: dir,
    appName: `bench ${name}`,
  });
  const scheduler = schedulerOf(sc);
  const log = scheduler.listener;
  try {
    for (let i = 0; i < warm; i++) await job(sc);
    const times: [number[], number[]] = [[], []];
    insideLog = 0;
    for (let r = 0; r < args.reps; r++) {
      progress(`${name}: round ${r + 1} of ${args.reps}`);
      // Alternate which goes first, so neither always runs on a warmer machine.
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        scheduler.listener = i === 0 ? null : log;
        const t = performance.now();
        await job(sc);
        times[i as 0 | 1].push(performance.now() - t);
      }
    }
    const [a, b] = [median(times[0]), median(times[1])];
    const [minA, minB] = [Math.min(...times[0]), Math.min(...times[1])];
    const pct = (x: number, y: number) => `${((y / x - 1) * 100).toFixed(1)}%`;
    const logMs = insideLog / args.reps;
    console.log(`\n${name}`);
    console.log(
      `  no event log : median ${a.toFixed(1)} ms, min ${minA.toFixed(1)} ms`,
    );
    console.log(
      `  event log    : median ${b.toFixed(1)} ms (${pct(a, b)}), min ${
        minB.toFixed(1)
      } ms (${pct(minA, minB)})`,
    );
    console.log(
      `  driver time inside the event log: ${logMs.toFixed(2)} ms per job = ${
        ((logMs / minB) * 100).toFixed(2)
      }% of the job`,
    );
  } finally {
    scheduler.listener = log;
    sc.close();
  }
}

console.log(
  `spark event log cost: ${navigator.hardwareConcurrency} cores, Deno ${Deno.version.deno}, medians of ${args.reps}`,
);
await compare(
  "CPU-bound map (400 x 100,000 Math.sin, 8 partitions, 2 workers)",
  cpuJob,
  8,
);
await compare("2,000 tiny tasks (range 20,000, 2 workers)", manyTasks, 2);
console.log(`\nlogs written to ${dir}/`);
