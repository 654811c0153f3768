/**
 * Spark's history server over an event log directory: the applications that
 * wrote their logs there (`new SparkContext({ eventLogDir })`), each with
 * its jobs, stages (tasks, summary quantiles, the DAG with its shuffle
 * boundaries) and executors, live while the application runs.
 *
 * @module
 */

import {
  APP_ID,
  type AppModel,
  listLogs,
  type LogEntry,
  replay,
} from "./_history_model.ts";
import {
  appBody,
  appsBody,
  jobBody,
  type Links,
  messageBody,
  page,
  stageBody,
  stageJson,
  stageSummary,
} from "./_history_pages.ts";
import { SparkError } from "./errors.ts";
import { basePathOf, pathUnder } from "../internal/base_path.ts";

/**
 * Options for {@linkcode sparkHistoryHandler}.
 *
 * @example Mounted under /spark
 * ```ts
 * import assert from "node:assert/strict";
 * import type { SparkHistoryOptions } from "./history.ts";
 * const options: SparkHistoryOptions = { eventLogDir: "out/spark-events", basePath: "/spark" };
 * assert.equal(options.basePath, "/spark");
 * ```
 */
export interface SparkHistoryOptions {
  /** The directory the contexts' `eventLogDir` pointed at. */
  eventLogDir: string;
  /**
   * Where the handler is mounted: every link starts with it, and requests
   * outside it are 404s.
   * @default {""}
   */
  basePath?: string;
}

const ID = /^(0|[1-9][0-9]{0,8})$/;

/**
 * Serves Spark's history views, read from the event logs on every request
 * (paths relative to `basePath`):
 *
 * - `GET /`: applications, newest first;
 * - `GET /apps/<appId>`: jobs (status, stages, tasks, duration), stages
 *   and executors;
 * - `GET /apps/<appId>/jobs/<jobId>`: the job's stages and their DAG;
 * - `GET /apps/<appId>/stages/<stageId>`: summary quantiles (min, 25th,
 *   median, 75th, max) of the task metrics, the stage's RDD DAG, per
 *   executor totals and every task attempt;
 * - the same under `/api/...` as JSON, plus `/api/apps/<appId>/jobs`,
 *   `/stages` and `/executors` (the lists, as Spark's REST API has them).
 *
 * Pages of a running application (`<appId>.inprogress`) poll for their own
 * content and update in place. An id that is not one (`..`, `/`) is a 400,
 * an unknown application, job or stage a 404 page naming it; damaged log
 * lines show in an error panel and the rest is still shown.
 *
 * @param options The event log directory and the mount path.
 * @returns A `Deno.serve` handler.
 *
 * @example Serve the log of a job
 * ```ts
 * import assert from "node:assert/strict";
 * import { SparkContext, sparkHistoryHandler } from "./mod.ts";
 * const dir = await Deno.makeTempDir();
 * const sc = new SparkContext({ parallelism: 1, eventLogDir: dir });
 * assert.equal(await sc.range(10).count(), 10);
 * sc.close();
 * const handler = sparkHistoryHandler({ eventLogDir: dir, basePath: "/spark" });
 * const app = await handler(new Request(`http://127.0.0.1/spark/api/apps/${sc.applicationId}`));
 * assert.equal((await app.json()).jobs[0].status, "SUCCEEDED");
 * const missing = await handler(new Request("http://127.0.0.1/spark/apps/local-1/jobs/0"));
 * assert.equal(missing.status, 404);
 * await missing.body?.cancel();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function sparkHistoryHandler(
  options: SparkHistoryOptions,
): (req: Request) => Promise<Response> {
  if (typeof options?.eventLogDir !== "string" || options.eventLogDir === "") {
    throw new SparkError(
      `eventLogDir must be a non-empty string: ${String(options?.eventLogDir)}`,
    );
  }
  const dir = options.eventLogDir;
  const base = basePathOf(options.basePath, (m) => new SparkError(m));
  const enc = encodeURIComponent;
  const links: Links = {
    index: `${base}/`,
    app: (a) => `${base}/apps/${enc(a)}`,
    job: (a, j) => `${base}/apps/${enc(a)}/jobs/${j}`,
    stage: (a, s) => `${base}/apps/${enc(a)}/stages/${s}`,
  };
  const home: [string, string | null] = ["Spark history", links.index];
  const notFound = (what: string) =>
    html(
      page(
        "Not found",
        [home],
        messageBody("Not found", what, links.index),
        null,
      ),
      404,
    );
  return async (req) => {
    const url = new URL(req.url);
    const path = pathUnder(base, url.pathname);
    if (path === null) return notFound(`No page at ${url.pathname}`);
    if (req.method !== "GET" && req.method !== "HEAD") {
      return new Response("Method not allowed", {
        status: 405,
        headers: { allow: "GET, HEAD" },
      });
    }
    const api = path.startsWith("/api/");
    const parts = (api ? path.slice(4) : path).split("/").slice(1);
    // `?fragment` asks for the <main> content only (the live pages' poll).
    const fragment = url.searchParams.has("fragment");
    let segs: string[];
    try {
      segs = parts.map((p) => decodeURIComponent(p));
    } catch {
      return badId(path);
    }
    try {
      if (segs.length === 1 && (segs[0] === "" || segs[0] === "index.html")) {
        const apps = await readAll(dir);
        if (api) return badId(path);
        return html(
          page(
            "Applications",
            [["Spark history", null]],
            appsBody(apps, links),
            apps.some((a) => a.entry.inProgress)
              ? `${links.index}?fragment`
              : null,
          ),
        );
      }
      if (api && segs.length === 1 && segs[0] === "apps") {
        const apps = await readAll(dir);
        return json(apps.map(({ entry, app, error }) => ({
          appId: entry.appId,
          name: app?.name ?? null,
          started: app?.started ?? null,
          ended: app?.ended ?? null,
          inProgress: entry.inProgress,
          damagedLines: app?.damaged.length ?? 0,
          error,
        })));
      }
      if (segs[0] !== "apps" || segs.length < 2 || segs.length > 4) {
        return api
          ? json({ error: `No API at ${path}` }, 404)
          : notFound(`No page at ${path}`);
      }
      const appId = segs[1]!;
      if (!APP_ID.test(appId)) return badId(appId, "application id");
      const found = await readApp(dir, appId);
      if (found === null) {
        return api
          ? json({ error: `Application not found: ${appId}` }, 404)
          : notFound(`Application not found: ${appId}`);
      }
      const app = found;
      const crumbs: [string, string | null][] = [home, [
        app.name === app.appId ? app.appId : `${app.name} (${app.appId})`,
        links.app(app.appId),
      ]];
      const respond = (
        title: string,
        body: string,
        data: unknown,
      ): Response => {
        if (api) return json(data);
        const live = app.inProgress;
        if (fragment) {
          return new Response(body, {
            headers: {
              "content-type": "text/html; charset=utf-8",
              "x-live": live ? "1" : "0",
              "cache-control": "no-store",
            },
          });
        }
        return html(
          page(title, crumbs, body, live ? `${url.pathname}?fragment` : null),
        );
      };
      if (segs.length === 2) {
        return respond(app.name, appBody(app, links), appJson(app));
      }
      const [, , what, idText] = segs as [string, string, string, string];
      // The lists a script wants on their own, as Spark's REST API has them
      // (`/applications/<id>/jobs`, `/stages`, `/executors`).
      if (
        api && segs.length === 3 &&
        (what === "jobs" || what === "stages" || what === "executors")
      ) {
        return json((appJson(app) as Record<string, unknown>)[what]);
      }
      if (segs.length !== 4 || (what !== "jobs" && what !== "stages")) {
        return api
          ? json({ error: `No API at ${path}` }, 404)
          : notFound(`No page at ${path}`);
      }
      if (!ID.test(idText)) return badId(idText, `${what.slice(0, -1)} id`);
      const id = Number(idText);
      if (what === "jobs") {
        const job = app.jobs.get(id);
        if (job === undefined) {
          const msg = `Job ${id} not found in application ${app.appId}`;
          return api ? json({ error: msg }, 404) : notFound(msg);
        }
        crumbs.push([`Job ${id}`, null]);
        return respond(`Job ${id}`, jobBody(app, job, links), {
          ...job,
          stages: job.stageIds.flatMap((s) => {
            const st = app.stages.get(s);
            return st === undefined ? [] : [stageJson(st)];
          }),
        });
      }
      const stage = app.stages.get(id);
      if (stage === undefined) {
        const msg = `Stage ${id} not found in application ${app.appId}`;
        return api ? json({ error: msg }, 404) : notFound(msg);
      }
      crumbs.push([`Stage ${id}`, null]);
      return respond(`Stage ${id}`, stageBody(app, stage, links), {
        ...stageJson(stage),
        summary: { quantiles: [0, 0.25, 0.5, 0.75, 1], ...stageSummary(stage) },
        tasks: stage.tasks,
      });
    } catch (e) {
      const msg = `The event log directory cannot be read: ${
        (e as Error).message
      }`;
      return api ? json({ error: msg }, 500) : html(
        page("Error", [home], messageBody("Error", msg, links.index), null),
        500,
      );
    }
  };

  function badId(value: string, what = "path"): Response {
    const msg = `Invalid ${what}: ${JSON.stringify(value)}`;
    return new Response(
      page(
        "Bad request",
        [home],
        messageBody("Bad request", msg, links.index),
        null,
      ),
      {
        status: 400,
        headers: { "content-type": "text/html; charset=utf-8" },
      },
    );
  }
}

async function readAll(
  dir: string,
): Promise<{ entry: LogEntry; app: AppModel | null; error: string | null }[]> {
  const entries = await listLogs(dir);
  return await Promise.all(entries.map(async (entry) => {
    try {
      return {
        entry,
        app: replay(entry, await Deno.readTextFile(entry.file)),
        error: null,
      };
    } catch (e) {
      return { entry, app: null, error: (e as Error).message };
    }
  }));
}

async function readApp(dir: string, appId: string): Promise<AppModel | null> {
  // A finished log wins; then the running one (it may be renamed between
  // the two reads, hence the retry in that order).
  for (
    const [name, inProgress] of [
      [appId, false],
      [`${appId}.inprogress`, true],
      [appId, false],
    ] as const
  ) {
    const file = `${dir}/${name}`;
    let text: string;
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) continue;
      throw e;
    }
    return replay({ appId, file, inProgress, mtime: 0 }, text);
  }
  return null;
}

function appJson(app: AppModel): unknown {
  return {
    appId: app.appId,
    name: app.name,
    user: app.user,
    sparkVersion: app.sparkVersion,
    started: app.started,
    ended: app.ended,
    inProgress: app.inProgress,
    jobs: [...app.jobs.values()],
    stages: [...app.stages.values()].map(stageJson),
    executors: [...app.executors.values()],
    damaged: app.damaged,
  };
}

function html(body: string, status = 200): Response {
  return new Response(body, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy":
        "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:",
      "cache-control": "no-store",
    },
  });
}

function json(data: unknown, status = 200): Response {
  return new Response(JSON.stringify(data), {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "cache-control": "no-store",
    },
  });
}
