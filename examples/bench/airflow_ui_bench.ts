/**
 * The Airflow view's page times on a large run (`deno task bench:airflow-ui`):
 * a 10,000-task DAG (100 layers of 100 no-op tasks, each layer depending on
 * the one before) run once with a JSON state directory, then served by
 * `airflowWebserverHandler` behind `Deno.serve` on 127.0.0.1 and fetched over
 * HTTP. Each page's median (after a warm-up) is set against the 200 ms target
 * and against a static page of the same size from the same server, measured
 * in the same run (what HTTP itself costs).
 *
 * @module
 */

import { airflowWebserverHandler } from "../../airflow/webserver.ts";
import { parseCommandLine } from "../../internal/args.ts";
import { progress } from "../../internal/progress.ts";

const flags = parseCommandLine({
  command: "deno task bench:airflow-ui",
  summary: "Times the Airflow view's pages on a 10,000-task DAG run.",
  flags: {
    layers: {
      type: "integer",
      min: 1,
      default: 100,
      description: "layers of the DAG (each of --width tasks)",
    },
    width: {
      type: "integer",
      min: 1,
      default: 100,
      description: "tasks per layer",
    },
    reps: {
      type: "integer",
      min: 3,
      default: 11,
      description: "timed fetches of each page; the median counts",
    },
  },
});

const dir = await Deno.makeTempDir({ prefix: "airflow_ui_bench_" });
const dagsFolder = `${dir}/dags`;
const stateDir = `${dir}/state`;
await Deno.mkdir(dagsFolder);
const dagModule = new URL("../../airflow/mod.ts", import.meta.url).href;
// The DAG lives in a file, as the webserver reads DAGs from a folder.
await Deno.writeTextFile(
  `${dagsFolder}/wide.ts`,
  `import { DAG } from ${JSON.stringify(dagModule)};
export const wide = new DAG("wide", { schedule: null, startDate: "2024-01-01" });
let previous = [];
for (let l = 0; l < ${flags.layers}; l++) {
  const layer = [];
  for (let i = 0; i < ${flags.width}; i++) {
    const t = wide.task(\`l\${l}_t\${i}\`, () => i);
    for (const p of previous.slice(0, 2)) p.then(t);
    layer.push(t);
  }
  previous = layer;
}
`,
);

try {
  const tasks = flags.layers * flags.width;
  progress(
    `running a ${tasks.toLocaleString("en-US")}-task DAG into ${stateDir}`,
  );
  const { wide } = await import(`${dagsFolder}/wide.ts`);
  const result = await wide.test({ stateDir, runId: "bench" });
  if (result.state !== "success") throw new Error(`Run ended ${result.state}`);

  const handler = airflowWebserverHandler({ stateDir, dagsFolder });
  let staticBody = "";
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) =>
      new URL(req.url).pathname === "/static"
        ? new Response(staticBody, { headers: { "content-type": "text/html" } })
        : handler(req),
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  const time = async (path: string): Promise<{ ms: number; bytes: number }> => {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i <= flags.reps; i++) {
      const t0 = performance.now();
      const res = await fetch(base + path);
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      if (i > 0) times.push(performance.now() - t0); // the first is a warm-up
      bytes = body.length;
    }
    times.sort((a, b) => a - b);
    return { ms: times[times.length >> 1]!, bytes };
  };
  const pages = [
    ["DAGs list", "/"],
    ["Grid of the DAG", "/dags/wide"],
    ["the run (graph, Gantt)", "/dags/wide/runs/bench"],
    [
      "one task instance",
      `/dags/wide/runs/bench/tasks/l${flags.layers >> 1}_t${flags.width >> 1}`,
    ],
    ["the run as JSON", "/api/dags/wide/runs/bench"],
  ] as const;
  console.log(
    `| page (${
      tasks.toLocaleString("en-US")
    }-task run) | median ms | KB | static page of that size, ms |`,
  );
  console.log("|---|---:|---:|---:|");
  for (const [name, path] of pages) {
    progress(`timing ${name}`);
    const page = await time(path);
    staticBody = "x".repeat(page.bytes);
    const floor = await time("/static");
    console.log(
      `| ${name} | ${page.ms.toFixed(1)} | ${
        (page.bytes / 1024).toFixed(0)
      } | ${floor.ms.toFixed(1)} |`,
    );
  }
  console.log("\nTarget: under 200 ms a page.");
  await server.shutdown();
} finally {
  await Deno.remove(dir, { recursive: true });
}
