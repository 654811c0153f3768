import assert from "node:assert/strict";
import { join } from "node:path";
import * as airflow from "../../airflow/mod.ts";
import * as spark from "../../spark/mod.ts";
import { findKafkaLogDir, serveUi, uiHandler } from "../../examples/ui.ts";
import { makeOut } from "./_ui_out.ts";

const TOKEN = "t0k3n";
const HOSTS = ["127.0.0.1:8080"];
const ORIGIN = "http://127.0.0.1:8080";

function handlerFor(out: string) {
  return uiHandler({
    outDir: out,
    token: TOKEN,
    hosts: HOSTS,
    origins: [ORIGIN],
  });
}

function request(path: string, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  if (!headers.has("host")) headers.set("host", HOSTS[0]!);
  return new Request(`${ORIGIN}${path}`, { ...init, headers });
}

Deno.test("findKafkaLogDir() picks the recorded week's log under out/kafka", async () => {
  const out = await makeOut();
  try {
    assert.equal(findKafkaLogDir(out), join(out, "kafka", "scale-1707"));
    assert.equal(
      findKafkaLogDir(join(out, "nowhere")),
      join(out, "nowhere", "kafka"),
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("uiHandler() serves an index linking every view, and mounts what this build has", async () => {
  const out = await makeOut();
  try {
    const handle = handlerFor(out);
    const index = await handle(request("/"));
    assert.equal(index.status, 200);
    const html = await index.text();
    for (const path of ["/airflow", "/spark", "/kafka", "/quality"]) {
      assert.match(html, new RegExp(`<a href="${path}">`));
    }
    assert.match(
      index.headers.get("set-cookie") ?? "",
      /^ui_token=t0k3n; Path=\/; HttpOnly; SameSite=Strict$/,
    );
    const kafka = await handle(request("/kafka/topics/earthquakes"));
    assert.equal(kafka.status, 200);
    assert.match(await kafka.text(), /high watermark/);
    const quality = await handle(request("/quality/"));
    assert.equal(quality.status, 200);
    assert.match(await quality.text(), /usgs_raw_events-1/);
    // A view this build's module does not export yet says so, with no data.
    for (
      const [path, has] of [
        ["/spark", "sparkHistoryHandler" in spark],
        ["/airflow", "airflowWebserverHandler" in airflow],
      ] as const
    ) {
      const res = await handle(request(`${path}/`));
      const body = await res.text();
      if (has) assert.notEqual(res.status, 501, path);
      else {
        assert.equal(res.status, 501, path);
        assert.match(
          body,
          /view is not available yet: \w+\/mod\.ts has no \w+Handler yet/,
        );
      }
    }
    const missing = await handle(request("/nothing"));
    assert.equal(missing.status, 404);
    await missing.body?.cancel();
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("uiHandler() lets a state-changing request through only from this origin with this server's token", async () => {
  const out = await makeOut();
  try {
    const handle = handlerFor(out);
    const post = (headers: Record<string, string>) =>
      handle(request("/kafka/", { method: "POST", headers }));
    const cases: [Record<string, string>, number, RegExp | null][] = [
      [{ origin: ORIGIN }, 403, /missing or wrong token/],
      [
        { origin: ORIGIN, cookie: "ui_token=wrong" },
        403,
        /missing or wrong token/,
      ],
      [
        { origin: "http://127.0.0.1:9999", cookie: `ui_token=${TOKEN}` },
        403,
        /Cross-origin POST refused/,
      ],
      [
        { origin: "http://evil.example", "x-ui-token": TOKEN },
        403,
        /Cross-origin/,
      ],
      [
        { cookie: `ui_token=${TOKEN}` },
        403,
        /without an Origin header needs the x-ui-token header/,
      ],
      // Through the shell's checks: the kafka view itself answers (405, it changes nothing).
      [{ origin: ORIGIN, cookie: `other=1; ui_token=${TOKEN}` }, 405, null],
      [{ "x-ui-token": TOKEN }, 405, null],
    ];
    for (const [headers, status, pattern] of cases) {
      const res = await post(headers);
      const body = await res.text();
      assert.equal(res.status, status, JSON.stringify(headers));
      if (pattern) assert.match(body, pattern);
    }
    const rebound = await handle(
      request("/", { headers: { host: "attacker.example:8080" } }),
    );
    assert.equal(rebound.status, 403);
    assert.match(await rebound.text(), /does not answer for host/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("serveUi() binds 127.0.0.1 by default and serves the views over HTTP", async () => {
  const out = await makeOut();
  const server = await serveUi({ outDir: out, port: 0 });
  try {
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
    const index = await fetch(server.url);
    assert.equal(index.status, 200);
    assert.match(await index.text(), /Live views/);
    const api = await fetch(`${server.url}kafka/api/topics`);
    const topics = await api.json();
    assert.equal(topics[0].name, "earthquakes");
    const noToken = await fetch(`${server.url}kafka/`, { method: "POST" });
    assert.equal(noToken.status, 403);
    await noToken.body?.cancel();
    const withToken = await fetch(`${server.url}kafka/`, {
      method: "POST",
      headers: { "x-ui-token": server.token },
    });
    assert.equal(withToken.status, 405);
    await withToken.body?.cancel();
  } finally {
    await server.close();
    await Deno.remove(out, { recursive: true });
  }
});
