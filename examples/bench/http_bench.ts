/**
 * Benchmarks of the http module, each against a baseline measured in the
 * same run:
 *
 * 1. limiter accuracy: concurrent callers on a real-clock TokenBucket for
 *    `--seconds` (default 10); observed rate vs the configured rate, and at
 *    5, 50 and 500/s with 1 and 64 callers the unluckiest caller's longest
 *    wait vs ideal FIFO;
 * 2. client overhead: HttpClient vs what a careful user writes with bare
 *    fetch (status check, same body reading, with and without a timeout
 *    signal) against a local server, and vs an in-memory fetch; the cost
 *    of hooks, `json` and `searchParams` in memory;
 * 3. downloads through injected faults: the recorded week (1,707 events)
 *    and a 25,000-event catalogue (above the 20,000 cap, so windows split),
 *    checked id by id for loss and duplication.
 *
 * Run: `deno task bench:http` (add `-- --seconds=2 --requests=500` for a
 * quick pass).
 *
 * @module
 */

import { parseCommandLine } from "../../internal/args.ts";
import { progress } from "../../internal/progress.ts";
import {
  createUsgsServer,
  HttpClient,
  TokenBucket,
  UsgsClient,
  type UsgsFeatureInput,
} from "../../http/mod.ts";
import { readRecordedWeek } from "../usgs_events.ts";

const values = parseCommandLine({
  command: "deno task bench:http",
  summary:
    "Rate limiter accuracy, client overhead over bare fetch, fault-tolerant paging.",
  flags: {
    seconds: {
      type: "number",
      min: 0.1,
      default: 10,
      description: "seconds the token bucket is measured",
    },
    requests: {
      type: "integer",
      min: 100,
      default: 8000,
      description: "requests per overhead measurement",
    },
    events: {
      type: "integer",
      min: 1,
      default: 25_000,
      description: "events in the over-the-cap catalogue",
    },
  },
});
const seconds = values.seconds;
const requests = values.requests;
const bigCatalogue = values.events;

// Each result is a progress line on stderr as it comes; stdout gets the
// table once, at the end.
const rows: string[][] = [];
const row = (...cells: string[]) => {
  rows.push(cells);
  progress(cells.join(" | "));
};

// 1. Limiter accuracy -------------------------------------------------------
{
  const rate = 500;
  const callers = 32;
  // Starts empty so the count is refill only. Capacity is 0.1 s of tokens:
  // a bucket that is full when the event loop stalls drops what overflows,
  // which is the limiter working, not an error in its arithmetic.
  const capacity = 50;
  const bucket = new TokenBucket({
    capacity,
    refillPerSecond: rate,
    initialTokens: 0,
  });
  const start = performance.now();
  const end = start + seconds * 1000;
  let granted = 0;
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (;;) {
        await bucket.take();
        if (performance.now() >= end) return;
        granted++;
      }
    }),
  );
  const observed = granted / seconds;
  const error = (observed - rate) / rate * 100;
  row(
    `TokenBucket (capacity ${capacity}), ${callers} concurrent callers, ${seconds} s`,
    `${rate}/s configured`,
    `${observed.toFixed(1)}/s observed`,
    `${error >= 0 ? "+" : ""}${error.toFixed(2)}% (target within ±1%)`,
  );
}

// 1b. Limiter accuracy across rates and callers, all six at once for
// `--seconds`, each starting empty with 0.1 s of tokens as capacity (so a
// late timer's tokens are kept, not dropped). A call's wait runs from
// take() to its grant; under ideal FIFO the longest is min(callers, grants)
// / rate: a full queue ahead of it. The unluckiest call is compared with it.
{
  const configs = [5, 50, 500].flatMap((rate) =>
    [1, 64].map((callers) => ({ rate, callers }))
  );
  const results = await Promise.all(configs.map(async ({ rate, callers }) => {
    const bucket = new TokenBucket({
      capacity: Math.max(1, rate / 10),
      refillPerSecond: rate,
      initialTokens: 0,
    });
    const start = performance.now();
    const end = start + seconds * 1000;
    let granted = 0;
    let worst = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (;;) {
          const asked = performance.now();
          await bucket.take();
          const now = performance.now();
          if (now >= end) return;
          granted++;
          worst = Math.max(worst, now - asked);
        }
      }),
    );
    return { rate, callers, granted, worst };
  }));
  for (const { rate, callers, granted, worst } of results) {
    const ideal = rate * seconds;
    const error = (granted - ideal) / ideal * 100;
    const fifo = Math.min(callers, ideal) / rate * 1000;
    row(
      `TokenBucket ${rate}/s (capacity ${
        Math.max(1, rate / 10)
      }), ${callers} caller${callers > 1 ? "s" : ""}, ${seconds} s`,
      `${granted} granted, ideal ${ideal.toFixed(0)}`,
      `${error >= 0 ? "+" : ""}${error.toFixed(2)}% rate error`,
      `unluckiest call waited ${worst.toFixed(1)} ms vs ${
        fifo.toFixed(1)
      } ms ideal FIFO (${(worst / fifo).toFixed(3)}×)`,
    );
  }
}

// 2. Client overhead vs bare fetch ------------------------------------------
const week = await readRecordedWeek();

/** One way of making a request, and the variants it is compared with. */
interface Variant {
  name: string;
  run: () => Promise<unknown>;
  /** Names of the variants it is measured against; none for a baseline. */
  vs?: string[];
}

/**
 * Times each variant over `requests` sequential calls in short interleaved
 * rounds, and compares medians of the per-round times: other processes on the
 * machine add noise that a single long run would fold into one variant.
 */
async function overhead(label: string, variants: Variant[], target = true) {
  const perRound = new Map<string, number[]>();
  for (const { name, run } of variants) {
    perRound.set(name, []);
    for (let i = 0; i < 200; i++) await run(); // warm up
  }
  const batch = 25;
  const rounds = Math.max(4, Math.round(requests / batch));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so no variant always runs first.
    for (let j = 0; j < variants.length; j++) {
      const { name, run } = variants[(round + j) % variants.length]!;
      const t0 = performance.now();
      for (let i = 0; i < batch; i++) await run();
      perRound.get(name)!.push((performance.now() - t0) / batch);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)]!;
  };
  const per = new Map(
    variants.map(({ name }) => [name, median(perRound.get(name)!)]),
  );
  const measured = (name: string) =>
    `${
      (per.get(name)! * 1000).toFixed(1)
    } µs/request (median of ${rounds} rounds of ${batch})`;
  for (const { name, vs } of variants) {
    if (!vs?.length) {
      row(`${label}: ${name}`, measured(name), "baseline", "");
      continue;
    }
    for (const base of vs) {
      const ratio = per.get(name)! / per.get(base)!;
      const pct = (ratio - 1) * 100;
      const delta = (per.get(name)! - per.get(base)!) * 1000;
      row(
        `${label}: ${name}`,
        measured(name),
        `vs ${base}: ${ratio.toFixed(3)}×`,
        `${delta >= 0 ? "+" : ""}${delta.toFixed(1)} µs, ${
          pct >= 0 ? "+" : ""
        }${pct.toFixed(1)}%${
          target ? (pct < 5 ? " (meets < 5%)" : " (misses < 5%)") : ""
        }`,
      );
    }
  }
}

{
  const tiny = JSON.stringify({ ok: true });
  const page = JSON.stringify({
    type: "FeatureCollection",
    features: week.slice(0, 100),
  });
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) =>
      new Response(new URL(req.url).pathname === "/tiny" ? tiny : page, {
        headers: { "content-type": "application/json" },
      }),
  );
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const client = new HttpClient(); // default: 10 s per-attempt timeout
  const noTimeout = new HttpClient({ timeout: false });
  const limited = new HttpClient({
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000_000 },
  });
  // What a careful user of bare fetch writes: check the status, read the
  // body the same way the client's caller does, and (second baseline) bound
  // the wait with a timeout signal as the client does by default.
  const checked = (response: Response): Response => {
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    return response;
  };
  const BARE = "bare fetch";
  const BARE_T = "bare fetch + AbortSignal.timeout(10 s)";
  await overhead("11-byte body", [
    {
      name: BARE,
      run: async () => await checked(await fetch(`${origin}/tiny`)).text(),
    },
    {
      name: BARE_T,
      run: async () =>
        await checked(
          await fetch(`${origin}/tiny`, {
            signal: AbortSignal.timeout(10_000),
          }),
        ).text(),
    },
    {
      name: "HttpClient.fetch, timeout: false",
      run: async () => await (await noTimeout.fetch(`${origin}/tiny`)).text(),
      vs: [BARE],
    },
    {
      name: "HttpClient.fetch, default 10 s timeout",
      run: async () => await (await client.fetch(`${origin}/tiny`)).text(),
      vs: [BARE_T, BARE],
    },
    {
      name: "HttpClient.fetch, default timeout + rate limiter",
      run: async () => await (await limited.fetch(`${origin}/tiny`)).text(),
      vs: [BARE_T],
    },
  ]);
  // HttpClient.json sends `accept: application/json`; so do the baselines.
  const accept = { accept: "application/json" };
  const JBARE = "bare fetch + json()";
  const JBARE_T = "bare fetch + AbortSignal.timeout(10 s) + json()";
  await overhead(
    `100-feature page (${(page.length / 1024).toFixed(0)} KiB)`,
    [
      {
        name: JBARE,
        run: async () =>
          await checked(await fetch(`${origin}/page`, { headers: accept }))
            .json(),
      },
      {
        name: JBARE_T,
        run: async () =>
          await checked(
            await fetch(`${origin}/page`, {
              headers: accept,
              signal: AbortSignal.timeout(10_000),
            }),
          ).json(),
      },
      {
        name: "HttpClient.json, timeout: false",
        run: async () => await noTimeout.json(`${origin}/page`),
        vs: [JBARE],
      },
      {
        name: "HttpClient.json, default 10 s timeout",
        run: async () => await client.json(`${origin}/page`),
        vs: [JBARE_T, JBARE],
      },
    ],
  );
  await server.shutdown();
  // The resilience layer alone: an in-memory fetch, so no network noise.
  const memory = () =>
    Promise.resolve(
      new Response(tiny, { headers: { "content-type": "application/json" } }),
    );
  const inMemory = new HttpClient({ fetch: memory });
  const inMemoryNoTimeout = new HttpClient({ fetch: memory, timeout: false });
  await overhead("in-memory fetch", [
    { name: "plain call", run: async () => await (await memory()).text() },
    {
      name: "HttpClient.fetch, timeout: false",
      run: async () =>
        await (await inMemoryNoTimeout.fetch(`${origin}/tiny`)).text(),
      vs: ["plain call"],
    },
    {
      name: "HttpClient.fetch, default 10 s timeout",
      run: async () => await (await inMemory.fetch(`${origin}/tiny`)).text(),
      vs: ["plain call"],
    },
  ], false);
  // What the options people pass cost, in memory, against the same client
  // without them: hooks (which make each attempt a cloned Request), a json
  // body, search parameters.
  const hooked = new HttpClient({
    fetch: memory,
    hooks: { beforeRequest: [() => {}], afterResponse: [() => {}] },
  });
  const PLAIN = "HttpClient.fetch, default 10 s timeout";
  await overhead("in-memory fetch, options", [
    {
      name: PLAIN,
      run: async () => await (await inMemory.fetch(`${origin}/tiny`)).text(),
    },
    {
      name: "with beforeRequest + afterResponse hooks",
      run: async () => await (await hooked.fetch(`${origin}/tiny`)).text(),
      vs: [PLAIN],
    },
    {
      name: "with searchParams { q: 1, page: 2 }",
      run: async () =>
        await (await inMemory.fetch(`${origin}/tiny`, {
          searchParams: { q: 1, page: 2 },
        })).text(),
      vs: [PLAIN],
    },
    {
      name: "POST with json { a: [1, 2, 3] }",
      run: async () =>
        await (await inMemory.fetch(`${origin}/tiny`, {
          method: "POST",
          json: { a: [1, 2, 3] },
        })).text(),
      vs: [PLAIN],
    },
  ], false);
}

// 3. Downloads through faults -----------------------------------------------
async function download(
  label: string,
  events: UsgsFeatureInput[],
  starttime: number,
  endtime: number,
  faults: Parameters<typeof createUsgsServer>[0]["faults"],
  pageSize: number,
) {
  await using server = await createUsgsServer({ events, faults });
  let retries = 0;
  const usgs = new UsgsClient({
    baseUrl: server.url,
    pageSize,
    retry: { limit: 8, delay: 20, backoffLimit: 500 },
    onRetry: () => void retries++,
  });
  const t0 = performance.now();
  const seen = new Map<string, number>();
  for await (const feature of usgs.query({ starttime, endtime })) {
    seen.set(feature.id, (seen.get(feature.id) ?? 0) + 1);
  }
  const ms = performance.now() - t0;
  const expected = new Set(events.map((e) => e.id));
  const lost = [...expected].filter((id) => !seen.has(id)).length;
  const duplicated = [...seen.values()].filter((n) => n > 1).length;
  const faultCount = Object.values(server.stats.faults).reduce(
    (a, b) => a + b,
    0,
  );
  row(
    `${label}: ${expected.size} events, pageSize ${pageSize}`,
    `${seen.size} received, ${lost} lost, ${duplicated} duplicated`,
    `${server.stats.requests} requests, ${faultCount} faults (${
      Object.entries(server.stats.faults).filter(([, n]) => n).map(([k, n]) =>
        `${n}×${k}`
      ).join(" ")
    }), ${retries} retries, ${usgs.stats.splits} splits`,
    `${(ms / 1000).toFixed(2)} s`,
  );
  if (lost || duplicated || seen.size !== expected.size) {
    throw new Error(`Download lost or duplicated events: ${label}`);
  }
}

const times = week.map((f) => f.properties.time);
const weekStart = Math.min(...times);
const weekEnd = Math.max(...times);
await download(
  "Recorded week",
  week as UsgsFeatureInput[],
  weekStart,
  weekEnd,
  {
    schedule: { 2: { kind: "429", retryAfter: 1 }, 4: "503", 5: "503" },
  },
  500,
);

// A bigger catalogue: the week replayed on consecutive weeks with new ids.
const span = 7 * 86_400_000;
const big: UsgsFeatureInput[] = [];
for (let k = 0; big.length < bigCatalogue; k++) {
  for (const f of week) {
    if (big.length >= bigCatalogue) break;
    big.push({
      ...f,
      id: `${f.id}-w${k}`,
      properties: { ...f.properties, time: f.properties.time + k * span },
    } as UsgsFeatureInput);
  }
}
const bigTimes = big.map((f) => f.properties.time);
await download(
  "Replayed weeks",
  big,
  Math.min(...bigTimes),
  Math.max(...bigTimes),
  {
    schedule: { 3: { kind: "429", retryAfter: 1, httpDate: true } },
    rate: 0.15,
    seed: 2018,
    kinds: ["503", "drop", "truncate", { kind: "slow", delay: 200 }],
  },
  4_000,
);

console.log("\n| benchmark | measured | compared | result |");
console.log("| --- | --- | --- | --- |");
for (const cells of rows) console.log(`| ${cells.join(" | ")} |`);
