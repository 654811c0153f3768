/**
 * Did a change slow spark down? (`deno task bench:spark-ab --before DIR`).
 * Loads `SparkContext` from two checkouts of this repository — this one and
 * `--before` (e.g. `git worktree add --detach ../before <commit>`) — into
 * one process and runs bench:spark's CPU-bound map and CSV count by region
 * on both, alternating job by job, in both orders of creating the pools
 * (the first pool a process makes runs faster than the next, enough to fake
 * a difference). Prints each version's medians and now/before ratios.
 * Comparing tables from separate runs of bench:spark cannot tell a change
 * from the machine's noise; this can.
 *
 * @module
 */

import { parseCommandLine } from "../../internal/args.ts";
import { progress } from "../../internal/progress.ts";
import type { SparkContext } from "../../spark/mod.ts";
import { ensureQuakeCsv } from "./spark_data.ts";
import { countByRegion, cpuBoundMap } from "./spark_jobs.ts";

const args = parseCommandLine({
  command: "deno task bench:spark-ab",
  summary:
    "bench:spark's CPU and CSV jobs on this checkout and an earlier one, interleaved in one process (now/before ratios).",
  flags: {
    before: {
      type: "string",
      placeholder: "DIR",
      description: "a checkout of the earlier version (required)",
    },
    rows: {
      type: "integer",
      min: 1000,
      default: 1_000_000,
      description: "rows of the earthquake CSV made in out/bench/",
    },
    rounds: {
      type: "integer",
      min: 1,
      default: 6,
      description: "timed rounds per creation order",
    },
  },
});

if (args.before === undefined) {
  console.error(
    "Flag --before is required: a checkout of the earlier version (see deno task bench:spark-ab --help)",
  );
  Deno.exit(2);
}
let beforeMod: URL;
try {
  beforeMod = new URL(
    "spark/mod.ts",
    `file://${Deno.realPathSync(args.before)}/`,
  );
  Deno.statSync(beforeMod);
} catch {
  console.error(
    `Flag --before names no checkout with spark/mod.ts: "${args.before}" (see deno task bench:spark-ab --help)`,
  );
  Deno.exit(2);
}

type ContextClass = new (o: { parallelism: number }) => SparkContext;

const Now = (await import("../../spark/mod.ts")).SparkContext as ContextClass;
// The earlier version's context has the same API for these jobs.
const Before = (await import(beforeMod.href)).SparkContext as ContextClass;

const cpuJob = cpuBoundMap;

const OUT = new URL("../../out/bench/", import.meta.url).pathname;
progress(`making (once) ${OUT}quakes_${args.rows}.csv`);
const path = await ensureQuakeCsv(`${OUT}quakes_${args.rows}.csv`, args.rows);
const csvJob = (sc: SparkContext) => countByRegion(sc, path);

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const times: Record<string, number[]> = {};
const timed = async (key: string, job: () => Promise<unknown>) => {
  const t = performance.now();
  await job();
  (times[key] ??= []).push(performance.now() - t);
};

for (const order of [["before", "now"], ["now", "before"]]) {
  const ctx: Record<string, SparkContext> = {};
  for (const v of order) {
    for (const p of [1, 2]) {
      ctx[`${v}${p}`] = new (v === "now" ? Now : Before)({ parallelism: p });
    }
  }
  try {
    progress(`${order.join(" first, then ")}: warming the pools`);
    for (const sc of Object.values(ctx)) {
      for (let i = 0; i < 8; i++) await cpuJob(sc);
    }
    const same = JSON.stringify([...await csvJob(ctx.now2!)].sort());
    if (same !== JSON.stringify([...await csvJob(ctx.before2!)].sort())) {
      throw new Error("The two versions count different regions");
    }
    for (let r = 0; r < args.rounds; r++) {
      progress(`${order[0]} first: round ${r + 1} of ${args.rounds}`);
      const keys = r % 2 === 0 ? order : [...order].reverse();
      for (const v of keys) {
        for (const p of [1, 2]) {
          await timed(`cpu ${v} ${p}`, () => cpuJob(ctx[`${v}${p}`]!));
        }
      }
      for (const v of keys) {
        const t = performance.now();
        await timed(`csv ${v}`, () => csvJob(ctx[`${v}2`]!));
        (times[`csv ${v} after ${order[0]}`] ??= []).push(
          performance.now() - t,
        );
      }
    }
  } finally {
    for (const sc of Object.values(ctx)) sc.close();
  }
}

const m = (key: string) => median(times[key]!);
const row = (name: string, before: number, now: number, unit: string) =>
  console.log(
    `  ${name.padEnd(34)} ${
      before.toFixed(unit === "x" ? 2 : 0).padStart(7)
    }${unit}  ${
      now.toFixed(unit === "x" ? 2 : 0).padStart(7)
    }${unit}  now/before ${(now / before).toFixed(3)}`,
  );
console.log(
  `\nspark now vs ${args.before} (${
    2 * args.rounds
  } rounds, both creation orders; medians)`,
);
console.log(`  ${"".padEnd(34)} ${"before".padStart(9)}  ${"now".padStart(9)}`);
row("CPU-bound map, 1 worker", m("cpu before 1"), m("cpu now 1"), "ms");
row("CPU-bound map, 2 workers", m("cpu before 2"), m("cpu now 2"), "ms");
row(
  "2-worker speedup",
  m("cpu before 1") / m("cpu before 2"),
  m("cpu now 1") / m("cpu now 2"),
  "x",
);
row("CSV count by region, 2 workers", m("csv before"), m("csv now"), "ms");
for (const first of ["before", "now"]) {
  row(
    `  of it, pools made ${first} first`,
    m(`csv before after ${first}`),
    m(`csv now after ${first}`),
    "ms",
  );
}
