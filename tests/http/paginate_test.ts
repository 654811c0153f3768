import assert from "node:assert/strict";
import {
  HttpClient,
  HttpClientError,
  InvalidInputError,
  parseLinkHeader,
} from "../../http/mod.ts";

const ITEMS = Array.from({ length: 23 }, (_, i) => ({ id: i }));

/** A listing of 23 items served four ways; records each query string. */
function listingServer() {
  const queries: string[] = [];
  let failNext = 0;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      const url = new URL(req.url);
      const p = url.searchParams;
      queries.push(url.pathname + url.search);
      if (failNext > 0) {
        failNext--;
        return new Response("hiccup", { status: 503 });
      }
      switch (url.pathname) {
        case "/offset": {
          const base = Number(p.get("base") ?? 0);
          const offset = Number(p.get("offset")) - base;
          const limit = Number(p.get("limit"));
          return Response.json({ items: ITEMS.slice(offset, offset + limit) });
        }
        case "/page": {
          const page = Number(p.get("page"));
          const size = Number(p.get("per_page") ?? 5);
          return Response.json(ITEMS.slice((page - 1) * size, page * size));
        }
        case "/cursor": {
          const from = Number(p.get("cursor") ?? 0);
          const next = from + 10 < ITEMS.length ? String(from + 10) : null;
          return Response.json({
            data: ITEMS.slice(from, from + 10),
            meta: { next },
          });
        }
        case "/link": {
          const page = Number(p.get("page") ?? 1);
          const headers = new Headers();
          const links = [`</link?page=1>; rel="first"`];
          if (page * 10 < ITEMS.length) {
            links.push(`</link?page=${page + 1}&a=1,2>; rel="next last"`);
          }
          headers.set("link", links.join(", "));
          return Response.json(ITEMS.slice((page - 1) * 10, page * 10), {
            headers,
          });
        }
      }
      return new Response("not found", { status: 404 });
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    queries,
    failOnce: () => void (failNext = 1),
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const ids = (items: Array<{ id: number }>) => items.map((i) => i.id);
const all = ITEMS.map((i) => i.id);

Deno.test("HttpClient.paginate() walks offset/limit from base 0", async () => {
  await using server = listingServer();
  const client = new HttpClient({ baseUrl: server.url });
  const items = await Array.fromAsync(
    client.paginate<{ id: number }>("/offset", { type: "offset", limit: 10 }),
  );
  assert.deepEqual(ids(items), all);
  assert.deepEqual(server.queries, [
    "/offset?offset=0&limit=10",
    "/offset?offset=10&limit=10",
    "/offset?offset=20&limit=10",
  ]);
});

Deno.test("HttpClient.paginate() walks a 1-based offset like USGS", async () => {
  await using server = listingServer();
  const client = new HttpClient({ baseUrl: server.url });
  const items = await Array.fromAsync(
    client.paginate<{ id: number }>("/offset?base=1", {
      type: "offset",
      limit: 23,
      base: 1,
    }),
  );
  assert.deepEqual(ids(items), all);
  // A full last page needs one more request to see the end.
  assert.deepEqual(server.queries, [
    "/offset?base=1&offset=1&limit=23",
    "/offset?base=1&offset=24&limit=23",
  ]);
});

Deno.test("HttpClient.paginate() walks page numbers until a short page", async () => {
  await using server = listingServer();
  const client = new HttpClient({ baseUrl: server.url });
  const items = await Array.fromAsync(
    client.paginate<{ id: number }>("/page", { type: "page", pageSize: 5 }),
  );
  assert.deepEqual(ids(items), all);
  assert.equal(server.queries.length, 5);
  assert.equal(server.queries[4], "/page?page=5&per_page=5");
});

Deno.test("HttpClient.paginate() follows a cursor taken from the body", async () => {
  await using server = listingServer();
  const client = new HttpClient({ baseUrl: server.url });
  const items = await Array.fromAsync(
    client.paginate<{ id: number }>("/cursor", {
      type: "cursor",
      next: (body) => (body as { meta: { next: string | null } }).meta.next,
    }),
  );
  assert.deepEqual(ids(items), all);
  assert.deepEqual(server.queries, [
    "/cursor",
    "/cursor?cursor=10",
    "/cursor?cursor=20",
  ]);
});

Deno.test("HttpClient.paginate() follows RFC 8288 Link rel=next", async () => {
  await using server = listingServer();
  const client = new HttpClient({ baseUrl: server.url });
  const items = await Array.fromAsync(
    client.paginate<{ id: number }>("/link", { type: "link" }),
  );
  assert.deepEqual(ids(items), all);
  assert.deepEqual(server.queries, [
    "/link",
    "/link?page=2&a=1,2",
    "/link?page=3&a=1,2",
  ]);
});

Deno.test("HttpClient.paginate() stops at maxItems and maxRequests", async () => {
  await using server = listingServer();
  const client = new HttpClient({ baseUrl: server.url });
  const first12 = await Array.fromAsync(
    client.paginate<{ id: number }>("/offset", {
      type: "offset",
      limit: 10,
      maxItems: 12,
    }),
  );
  assert.deepEqual(ids(first12), all.slice(0, 12));
  assert.equal(server.queries.length, 2);
  const twoPages = await Array.fromAsync(
    client.paginate<{ id: number }>("/page", {
      type: "page",
      pageSize: 5,
      maxRequests: 2,
    }),
  );
  assert.deepEqual(ids(twoPages), all.slice(0, 10));
});

Deno.test("HttpClient.paginate() retries a failed page without repeating items", async () => {
  await using server = listingServer();
  const client = new HttpClient({
    baseUrl: server.url,
    retry: { delay: 1, backoffLimit: 1 },
  });
  const seen: number[] = [];
  for await (
    const item of client.paginate<{ id: number }>("/offset", {
      type: "offset",
      limit: 10,
    })
  ) {
    seen.push(item.id);
    if (item.id === 9) server.failOnce();
  }
  assert.deepEqual(seen, all);
  assert.equal(server.queries.length, 4);
});

Deno.test("HttpClient.paginate() rejects a negative limit and a bad body shape", async () => {
  await using server = listingServer();
  const client = new HttpClient({ baseUrl: server.url });
  await assert.rejects(
    Array.fromAsync(client.paginate("/offset", { type: "offset", limit: -5 })),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.message === "Pagination limit must be an integer of at least 1: -5",
  );
  await assert.rejects(
    Array.fromAsync(
      client.paginate("/offset", { type: "offset", limit: 5, maxItems: -1 }),
    ),
    InvalidInputError,
  );
  await assert.rejects(
    Array.fromAsync(
      client.paginate("/cursor", { type: "cursor", next: () => "same" }),
    ),
    /Cursor repeated, the listing would loop: "same"/,
  );
  await assert.rejects(
    Array.fromAsync(
      client.paginate("/cursor", {
        type: "page",
        items: () => {
          throw new HttpClientError("Custom items failed: x");
        },
      }),
    ),
    /Custom items failed/,
  );
});

Deno.test("parseLinkHeader() handles commas in URLs, several rels and parameters", () => {
  const links = parseLinkHeader(
    '<https://x.test/a?p=1,2>; rel="next prev"; title="a, b", ' +
      "</rel>; REL=Last; type=text/html, garbage, <c>",
    "https://x.test/base/",
  );
  assert.deepEqual(links, [
    {
      url: "https://x.test/a?p=1,2",
      rel: ["next", "prev"],
      params: { rel: "next prev", title: "a, b" },
    },
    {
      url: "https://x.test/rel",
      rel: ["last"],
      params: { rel: "Last", type: "text/html" },
    },
    { url: "https://x.test/base/c", rel: [], params: {} },
  ]);
  assert.deepEqual(parseLinkHeader(""), []);
});
