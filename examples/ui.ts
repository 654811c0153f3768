/**
 * One local page for every live view (`deno task ui`): an index at `/`
 * linking to `/airflow`, `/spark`, `/kafka` and `/quality`, each served by
 * its module's own handler from what the project writes under `out/`:
 *
 * ```text
 * /airflow  airflowWebserverHandler({ stateDir: out/airflow, dagsFolder: examples/dags })
 * /spark    sparkHistoryHandler({ eventLogDir: out/spark-events })
 * /kafka    kafkaUiHandler({ logDir: out/kafka/… })   (deno task bench --keep-log)
 * /quality  qualityDocsHandler({ resultsDir: out/quality })
 * ```
 *
 * A module whose handler this build does not have gets a page saying that
 * view is not available yet. The shell holds the security rules for all of
 * them: it binds 127.0.0.1 unless told otherwise, answers only requests whose
 * Host is this server (no DNS rebinding), and lets a state-changing request
 * (anything but GET and HEAD) through only when it comes from this origin and
 * carries this server's token, a random value made at start-up: the pages get
 * it as a `SameSite=Strict` cookie, scripts send it as `x-ui-token`. Each
 * module validates the ids in its URLs.
 *
 * @module
 */

import { join } from "node:path";
import * as airflow from "../airflow/mod.ts";
import * as spark from "../spark/mod.ts";
import { kafkaUiHandler } from "../kafka/mod.ts";
import * as quality from "../quality/mod.ts";
import { describeFailure, parseCommandLine } from "../internal/args.ts";

/** A handler as each module's live view exports it. */
export type ViewHandler = (req: Request) => Promise<Response>;

/** Options for {@linkcode uiHandler} and {@linkcode serveUi}. */
export interface UiOptions {
  /** Where the project's runs write. @default {"out"} */
  outDir?: string;
  /** The kafka log directory; found under `<outDir>/kafka/` by default. */
  kafkaLogDir?: string;
  /** Folder of DAG files for the airflow view. @default {"examples/dags"} */
  dagsFolder?: string;
}

/** One mounted view: where, what, and its handler when this build has one. */
interface View {
  path: string;
  title: string;
  what: string;
  /** Where its data comes from, for the index. */
  dataPath: string;
  handler?: ViewHandler;
  /** Why it is missing, when it is. */
  missing?: string;
}

type HandlerFactory = (options: Record<string, unknown>) => ViewHandler;

/** A module's exported handler factory, if this build has it. */
function exported(module: object, name: string): HandlerFactory | undefined {
  const value = (module as Record<string, unknown>)[name];
  return typeof value === "function" ? value as HandlerFactory : undefined;
}

/**
 * The kafka log directory under `<outDir>/kafka`: the folder itself when it
 * holds topics, else its first log directory by name (the benchmark keeps one
 * per scale, `scale-1707`, `scale-100000`, … with `--keep-log`; the smallest
 * is the recorded week).
 */
export function findKafkaLogDir(outDir: string): string {
  const root = join(outDir, "kafka");
  // A log directory has topics.json, or a <topic>-<n> folder of segments.
  const isLogDir = (dir: string): boolean => {
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (e.name === "topics.json") return true;
        if (!e.isDirectory || !/^.+-\d+$/.test(e.name)) continue;
        for (const f of Deno.readDirSync(join(dir, e.name))) {
          if (/^\d{20}\.log$/.test(f.name)) return true;
        }
      }
    } catch { /* missing: not a log directory */ }
    return false;
  };
  if (isLogDir(root)) return root;
  const subdirs: string[] = [];
  try {
    for (const e of Deno.readDirSync(root)) {
      if (e.isDirectory && isLogDir(join(root, e.name))) subdirs.push(e.name);
    }
  } catch { /* no kafka output yet */ }
  const size = (name: string) => Number(/\d+/.exec(name)?.[0] ?? Infinity);
  subdirs.sort((a, b) => size(a) - size(b) || (a < b ? -1 : 1));
  return subdirs.length > 0 ? join(root, subdirs[0]!) : root;
}

function views(options: UiOptions): View[] {
  const out = options.outDir ?? "out";
  const mount = (
    path: string,
    title: string,
    what: string,
    dataPath: string,
    module: object,
    moduleName: string,
    exportName: string,
    handlerOptions: Record<string, unknown>,
  ): View => {
    const factory = exported(module, exportName);
    return factory
      ? {
        path,
        title,
        what,
        dataPath,
        handler: factory({ ...handlerOptions, basePath: path }),
      }
      : {
        path,
        title,
        what,
        dataPath,
        missing: `${moduleName}/mod.ts has no ${exportName} yet`,
      };
  };
  const stateDir = join(out, "airflow");
  const eventLogDir = join(out, "spark-events");
  const resultsDir = join(out, "quality");
  const logDir = options.kafkaLogDir ?? findKafkaLogDir(out);
  return [
    mount(
      "/airflow",
      "Airflow",
      "DAGs, the grid of runs × tasks, graph, Gantt, task logs; trigger, clear, mark, pause",
      stateDir,
      airflow,
      "airflow",
      "airflowWebserverHandler",
      { stateDir, dagsFolder: options.dagsFolder ?? "examples/dags" },
    ),
    mount(
      "/spark",
      "Spark",
      "applications, jobs, stages with task metrics, executors, from the event log",
      eventLogDir,
      spark,
      "spark",
      "sparkHistoryHandler",
      { eventLogDir },
    ),
    {
      path: "/kafka",
      title: "Kafka",
      what:
        "topics, partitions and offsets, consumer groups and lag, a message browser",
      dataPath: logDir,
      handler: kafkaUiHandler({ logDir, basePath: "/kafka" }),
    },
    mount(
      "/quality",
      "Data Docs",
      "every validation result, newest first, each with its expectations",
      resultsDir,
      quality,
      "quality",
      "qualityDocsHandler",
      { resultsDir },
    ),
  ];
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  `body{font-family:system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header{background:#1b2a3a;color:#fff;padding:.6rem 1rem}main{padding:1rem;max-width:960px;margin:0 auto}
ul.views{list-style:none;padding:0;display:grid;gap:.8rem;grid-template-columns:repeat(auto-fit,minmax(260px,1fr))}
ul.views li{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8rem}
ul.views a{font-size:1.2rem;font-weight:bold}a:focus{outline:3px solid #f9a825}
.muted{color:#666}.missing{color:#9a6700}.missing::before{content:"◌ "}.ready{color:#2e7d32}.ready::before{content:"✔ "}
code{font-size:.9em}`;

function shellPage(status: number, title: string, body: string): Response {
  return new Response(
    `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body><header><b>Data Engineering From Scratch</b> · live views</header>
<main><h1>${esc(title)}</h1>${body}</main></body></html>`,
    { status, headers: { "content-type": "text/html; charset=utf-8" } },
  );
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

function indexPage(all: View[]): Response {
  const items = all.map((v) =>
    `<li><a href="${esc(v.path)}">${esc(v.title)}</a>
<p>${esc(v.what)}</p>
<p class="${v.handler ? "ready" : "missing"}">${
      v.handler ? "available" : `not available yet (${esc(v.missing ?? "")})`
    }</p>
<p class="muted">reads <code>${esc(v.dataPath)}</code>${
      exists(v.dataPath)
        ? ""
        : " — not written yet: run <code>deno task bench</code>"
    }</p></li>`
  ).join("");
  return shellPage(
    200,
    "Live views",
    `<ul class="views">${items}</ul>
<p class="muted">Each view is its module's own handler; this page and the
security checks are <code>examples/ui.ts</code>.</p>`,
  );
}

/** Constant-time comparison, so the token cannot be guessed byte by byte. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get("cookie") ?? "").split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return undefined;
}

/** The shell's handler: index, views, and the security checks. */
export function uiHandler(
  options: UiOptions & {
    /** The per-server token state-changing requests must carry. */
    token: string;
    /** Host headers this server answers to, e.g. `127.0.0.1:8080`. */
    hosts: string[];
    /** This server's origin, e.g. `http://127.0.0.1:8080`. */
    origins: string[];
  },
): ViewHandler {
  const all = views(options);
  const forbidden = (why: string) =>
    shellPage(403, "Forbidden", `<p>${esc(why)}</p>`);
  return async (req) => {
    const host = req.headers.get("host") ?? "";
    if (!options.hosts.includes(host)) {
      return forbidden(
        `This server does not answer for host ${JSON.stringify(host)}`,
      );
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      const origin = req.headers.get("origin");
      if (origin !== null && !options.origins.includes(origin)) {
        return forbidden(
          `Cross-origin ${req.method} refused: ${JSON.stringify(origin)}`,
        );
      }
      const header = req.headers.get("x-ui-token");
      const presented = header ?? cookie(req, "ui_token") ?? "";
      if (origin === null && header === null) {
        return forbidden(
          `${req.method} without an Origin header needs the x-ui-token header`,
        );
      }
      if (!sameToken(presented, options.token)) {
        return forbidden(`${req.method} refused: missing or wrong token`);
      }
    }
    const path = new URL(req.url).pathname;
    let res: Response;
    if (path === "/" || path === "/index.html") {
      res = indexPage(all);
    } else {
      const view = all.find((v) =>
        path === v.path || path.startsWith(`${v.path}/`)
      );
      if (!view) {
        res = shellPage(
          404,
          "Not found",
          `<p>No page at ${esc(path)}. <a href="/">All views</a></p>`,
        );
      } else if (!view.handler) {
        res = shellPage(
          501,
          `${view.title}: not available yet`,
          `<p>The ${esc(view.title)} view is not available yet: ${
            esc(view.missing ?? "")
          }.</p><p><a href="/">All views</a></p>`,
        );
      } else {
        try {
          res = await view.handler(req);
        } catch (e) {
          res = shellPage(
            500,
            `${view.title}: error`,
            `<p role="alert">${esc(describeFailure(e))}</p>`,
          );
        }
      }
    }
    // Pages get the token as a strict same-site cookie their forms send back.
    if ((res.headers.get("content-type") ?? "").startsWith("text/html")) {
      const headers = new Headers(res.headers);
      headers.append(
        "set-cookie",
        `ui_token=${options.token}; Path=/; HttpOnly; SameSite=Strict`,
      );
      headers.set("x-content-type-options", "nosniff");
      headers.set("referrer-policy", "same-origin");
      res = new Response(res.body, { status: res.status, headers });
    }
    return res;
  };
}

/** A running UI server. */
export interface UiServer {
  /** Its address, e.g. `http://127.0.0.1:8080/`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** The token scripts send as `x-ui-token` with a state-changing request. */
  token: string;
  /** Stops the server. */
  close(): Promise<void>;
}

/** Serves every live view on `hostname:port` (127.0.0.1 by default). */
export async function serveUi(
  options: UiOptions & { port?: number; hostname?: string } = {},
): Promise<UiServer> {
  const hostname = options.hostname ?? "127.0.0.1";
  const token = crypto.randomUUID().replaceAll("-", "");
  let handler: ViewHandler = () =>
    Promise.resolve(new Response(null, { status: 503 }));
  const listening = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname,
    port: options.port ?? 8080,
    onListen: (addr) => listening.resolve(addr as Deno.NetAddr),
  }, (req) => handler(req));
  const addr = await listening.promise;
  const names = new Set([hostname, "127.0.0.1", "localhost"]);
  if (hostname === "127.0.0.1" || hostname === "localhost") names.add("[::1]");
  const hosts = [...names].map((h) => `${h}:${addr.port}`);
  handler = uiHandler({
    ...options,
    token,
    hosts,
    origins: hosts.map((h) => `http://${h}`),
  });
  return {
    url: `http://${hostname}:${addr.port}/`,
    port: addr.port,
    token,
    close: () => server.shutdown(),
  };
}

if (import.meta.main) {
  const flags = parseCommandLine({
    command: "deno task ui",
    summary:
      "Serves the live views of airflow, spark, kafka and quality over what the project wrote under --out.",
    flags: {
      port: {
        type: "integer",
        min: 0,
        max: 65535,
        default: 8080,
        description: "port to listen on (0: any free port)",
      },
      hostname: {
        type: "string",
        default: "127.0.0.1",
        placeholder: "HOST",
        description:
          "address to bind; anything but 127.0.0.1 exposes the views",
      },
      out: {
        type: "string",
        default: "out",
        placeholder: "DIR",
        description: "where the project's runs wrote",
      },
      "kafka-log": {
        type: "string",
        placeholder: "DIR",
        description: "kafka log directory (default: found under DIR/kafka)",
      },
    },
  });
  try {
    const server = await serveUi({
      port: flags.port,
      hostname: flags.hostname,
      outDir: flags.out,
      kafkaLogDir: flags["kafka-log"],
    });
    console.log(`Serving the live views at ${server.url} (Ctrl-C stops)`);
    console.log(
      `Scripts that POST send the header x-ui-token: ${server.token}`,
    );
  } catch (error) {
    const hint = error instanceof Deno.errors.NotCapable ||
        error instanceof Deno.errors.PermissionDenied
      ? ` (deno task ui may bind 127.0.0.1 and localhost only; for ${flags.hostname} run deno run --allow-read --allow-write=out --allow-net=${flags.hostname} --allow-env examples/ui.ts --hostname ${flags.hostname})`
      : "";
    console.error(`ui failed: ${describeFailure(error)}${hint}`);
    Deno.exit(error instanceof Deno.errors.AddrInUse ? 2 : 1);
  }
}
