// The options people pass, with ky's test vectors (`test/prefix.ts`,
// `test/base-url.ts`, `test/main.ts`) against a real server on 127.0.0.1.
import assert from "node:assert/strict";
import {
  HttpClient,
  InvalidInputError,
  type Progress,
  TimeoutError,
} from "../../http/mod.ts";

function echo() {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (req) => {
      const url = new URL(req.url);
      if (url.pathname === "/redirect") {
        return Response.redirect(new URL("/elsewhere", req.url), 302);
      }
      if (url.pathname === "/form") {
        const form = new FormData();
        form.set("a", "1");
        return new Response(form);
      }
      return Response.json({
        path: url.pathname,
        search: url.search,
        method: req.method,
        type: req.headers.get("content-type"),
        accept: req.headers.get("accept"),
        body: await req.text(),
      });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

type Echo = { path: string; search: string; body: string; type: string };

Deno.test("HttpClient joins prefixUrl as ky does", async () => {
  await using server = echo();
  const path = async (prefixUrl: string, input: string) =>
    (await new HttpClient({ prefixUrl }).json<Echo>(input)).path;
  for (
    const [prefix, input, expected] of [
      [server.url, "foo/bar", "/foo/bar"],
      [`${server.url}/foo/`, "/bar", "/foo/bar"],
      [`${server.url}/foo`, "/bar", "/foo/bar"],
      [`${server.url}/foo`, "//bar", "/foo/bar"],
      [`${server.url}/foo//`, "/bar", "/foo/bar"],
      [`${server.url}/foo/`, "bar", "/foo/bar"],
      [`${server.url}/foo`, "bar", "/foo/bar"],
      [server.url, "", "/"],
      [`${server.url}/`, "", "/"],
    ]
  ) assert.equal(await path(prefix!, input!), expected, `${prefix} + ${input}`);
  // An empty prefix is none; a URL input is used as it is.
  assert.equal(await path("", `${server.url}/foo/bar`), "/foo/bar");
  const prefixed = new HttpClient({ prefixUrl: `${server.url}/api` });
  assert.equal(
    (await prefixed.json<Echo>(new URL(`${server.url}/x`))).path,
    "/x",
  );
});

Deno.test("HttpClient resolves baseUrl with standard URL resolution", async () => {
  await using server = echo();
  const path = async (baseUrl: string, input: string) =>
    (await new HttpClient({ baseUrl }).json<Echo>(input)).path;
  assert.equal(await path(`${server.url}/api/`, "users"), "/api/users");
  assert.equal(await path(`${server.url}/api`, "users"), "/users");
  assert.equal(await path(`${server.url}/api/`, "/users"), "/users");
  assert.equal(await path(`${server.url}/api/`, "../x"), "/x");
  // Protocol-relative and absolute inputs replace the base, as in a browser.
  const other = new HttpClient({ baseUrl: "http://example.invalid/api/" });
  assert.equal(
    other.resolveUrl(`//127.0.0.1:1/x`).href,
    "http://127.0.0.1:1/x",
  );
  assert.equal(
    other.resolveUrl(`${server.url}/y`).href,
    `${server.url}/y`,
  );
  // prefixUrl first, then baseUrl.
  const both = new HttpClient({ baseUrl: `${server.url}/`, prefixUrl: "v1" });
  assert.equal(both.resolveUrl("/items").href, `${server.url}/v1/items`);
});

Deno.test("HttpClient sends json bodies and appends searchParams", async () => {
  await using server = echo();
  const client = new HttpClient({
    prefixUrl: server.url,
    searchParams: { k: 1 },
  });
  const sent = await client.json<Echo>("post?x=0", {
    method: "POST",
    json: { a: [1, 2] },
    searchParams: { b: true, c: "é", skip: undefined },
  });
  assert.equal(sent.body, '{"a":[1,2]}');
  assert.equal(sent.type, "application/json");
  assert.equal(sent.search, "?x=0&k=1&b=true&c=%C3%A9");
  const typed = await client.json<Echo>("t", {
    method: "PUT",
    json: "x",
    headers: { "content-type": "application/vnd.api+json" },
  });
  assert.equal(typed.type, "application/vnd.api+json");
  for (
    const [searchParams, search] of [
      [new URLSearchParams([["a", "1"], ["a", "2"]]), "?k=1&a=1&a=2"],
      ["?s=1&t=2", "?k=1&s=1&t=2"],
      [[["p", "q"]] as Array<[string, string]>, "?k=1&p=q"],
      [{ k: undefined }, ""],
    ] as const
  ) {
    const got = await client.json<Echo>("s", { searchParams });
    assert.equal(got.search, search, JSON.stringify(searchParams));
  }
});

Deno.test("HttpClient refuses unknown options with InvalidInputError", async () => {
  assert.throws(
    () => new HttpClient({ timout: 5 } as never),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === 'Unknown client option: "timout"',
  );
  const client = new HttpClient();
  await assert.rejects(
    client.fetch("http://127.0.0.1:1/", { retires: 2 } as never),
    /^InvalidInputError: Unknown request option: "retires"$/,
  );
  assert.throws(
    () => new HttpClient({ hooks: { beforeFetch: [] } as never }),
    /Unknown hook option: "beforeFetch"/,
  );
  assert.throws(
    () => new HttpClient({ hooks: { beforeRequest: "x" } as never }),
    /Hooks beforeRequest must be an array of functions: x/,
  );
});

Deno.test("HttpClient reads bodies with text, bytes, blob, arrayBuffer, formData and a custom parseJson", async () => {
  await using server = echo();
  const client = new HttpClient({ prefixUrl: server.url });
  assert.equal(JSON.parse(await client.text("t")).accept, "text/*");
  const bytes = await client.bytes("b");
  assert.ok(bytes instanceof Uint8Array);
  assert.equal(JSON.parse(new TextDecoder().decode(bytes)).accept, "*/*");
  assert.equal((await client.blob("b")).type, "application/json");
  assert.ok((await client.arrayBuffer("a")) instanceof ArrayBuffer);
  assert.equal((await client.formData("form")).get("a"), "1");
  const parsed = await client.json("p", {
    parseJson: (text, { response }) => ({
      length: text.length > 0,
      status: response.status,
    }),
  });
  assert.deepEqual(parsed, { length: true, status: 200 });
});

Deno.test("HttpClient reports download progress with transferred and total bytes", async () => {
  const body = new Uint8Array(300_000).fill(65);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response(body),
  );
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const seen: Progress[] = [];
  const client = new HttpClient({
    onDownloadProgress: (p) => void seen.push(p),
  });
  assert.equal((await client.bytes(url)).length, 300_000);
  assert.deepEqual(seen[0], {
    percent: 0,
    transferredBytes: 0,
    totalBytes: 300_000,
  });
  assert.deepEqual(seen.at(-1), {
    percent: 1,
    transferredBytes: 300_000,
    totalBytes: 300_000,
  });
  assert.ok(seen.length >= 3, `only ${seen.length} reports`);
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i]!.transferredBytes >= seen[i - 1]!.transferredBytes);
  }
  // Through fetch() too, and the response keeps its URL.
  seen.length = 0;
  const response = await client.fetch(url);
  assert.equal(response.url, url);
  assert.equal((await response.arrayBuffer()).byteLength, 300_000);
  assert.equal(seen.at(-1)!.percent, 1);
  await server.shutdown();
});

Deno.test("HttpClient's timeout covers a slow body read through its helpers", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () =>
      new Response(
        new ReadableStream({
          async pull(controller) {
            await new Promise((r) => setTimeout(r, 20));
            controller.enqueue(new Uint8Array(64 * 1024));
          },
        }),
      ),
  );
  const client = new HttpClient({ timeout: 100, retry: 0 });
  const url = `http://127.0.0.1:${server.addr.port}/`;
  const started = performance.now();
  const error = await client.bytes(url).catch((e) => e);
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(error.kind, "attempt");
  assert.ok(performance.now() - started < 2_000);
  await server.shutdown();
});

Deno.test("HttpClient with redirect: manual returns the 3xx response", async () => {
  await using server = echo();
  const client = new HttpClient({ prefixUrl: server.url });
  const response = await client.fetch("redirect", { redirect: "manual" });
  assert.equal(response.status, 302);
  assert.equal(response.headers.get("location"), `${server.url}/elsewhere`);
  await response.body?.cancel();
  assert.equal((await client.json<Echo>("redirect")).path, "/elsewhere");
});

Deno.test("HttpClient.extend() merges options and create() starts afresh", async () => {
  await using server = echo();
  const base = new HttpClient({
    prefixUrl: server.url,
    headers: { "x-a": "1" },
    retry: { limit: 4 },
    rateLimit: { capacity: 10, refillPerSecond: 10 },
  });
  const child = base.extend({ headers: { accept: "text/plain" }, retry: 1 });
  const got = JSON.parse(await child.text("c"));
  assert.equal(got.path, "/c");
  assert.equal(got.accept, "text/plain");
  assert.equal(child.rateLimiter, base.rateLimiter, "the limiter is shared");
  const viaFunction = base.extend((parent) => ({
    prefixUrl: `${parent.prefixUrl}/v2`,
  }));
  assert.equal(viaFunction.resolveUrl("x").href, `${server.url}/v2/x`);
  const fresh = base.create({ baseUrl: `${server.url}/` });
  assert.equal(fresh.rateLimiter, undefined);
  assert.equal(fresh.resolveUrl("x").href, `${server.url}/x`);
  assert.throws(() => base.extend({ nope: 1 } as never), InvalidInputError);
});
