// Hooks as ky's `test/hooks.ts` exercises them, against a real server.
import assert from "node:assert/strict";
import {
  ForcedRetryError,
  HttpClient,
  HttpError,
  RetryError,
} from "../../http/mod.ts";
import { serve } from "./_helpers.ts";

const fast = { delay: 1, backoffLimit: 2 };

Deno.test("HttpClient beforeRequest hooks change the request or answer it", async () => {
  await using server = serve((req) =>
    new Response(
      `${req.method} ${new URL(req.url).pathname} ${
        req.headers.get("x-token")
      }`,
    )
  );
  const client = new HttpClient({
    prefixUrl: server.url,
    hooks: {
      beforeRequest: [
        ({ request, retryCount }) => {
          assert.equal(retryCount, 0);
          request.headers.set("x-token", "t1");
        },
      ],
    },
  });
  assert.equal(await client.text("a"), "GET /a t1");
  // A request hook runs after the client's and may replace the Request.
  const replaced = await client.text("a", {
    hooks: {
      beforeRequest: [
        ({ request }) =>
          new Request(`${server.url}/b`, {
            method: "DELETE",
            headers: request.headers,
          }),
      ],
    },
  });
  assert.equal(replaced, "DELETE /b t1");
  const before = server.calls;
  const answered = await client.json("a", {
    hooks: { beforeRequest: [() => Response.json({ cached: true })] },
  });
  assert.deepEqual(answered, { cached: true });
  assert.equal(server.calls, before, "no request went out");
});

Deno.test("HttpClient afterResponse hooks replace the response or ask for a retry", async () => {
  await using server = serve((_r, n) => Response.json({ ready: n >= 3, n }));
  const retries: Array<[number, string]> = [];
  const client = new HttpClient({
    retry: { ...fast, limit: 5 },
    hooks: {
      afterResponse: [
        async ({ response }) => {
          const body = await response.json();
          if (!body.ready) {
            return HttpClient.retry({ code: "NOT_READY", delay: 1 });
          }
        },
      ],
      beforeRetry: [
        ({ error, retryCount }) =>
          void retries.push([retryCount, error.message]),
      ],
    },
  });
  // Forced retries of a 200, even on POST: the hook decides.
  assert.deepEqual(await client.json(server.url, { method: "POST" }), {
    ready: true,
    n: 3,
  });
  assert.deepEqual(retries, [[1, "Forced retry: NOT_READY"], [
    2,
    "Forced retry: NOT_READY",
  ]]);

  const limited = new HttpClient({
    retry: { ...fast, limit: 1 },
    hooks: { afterResponse: [() => HttpClient.retry()] },
  });
  const error = await limited.fetch(server.url).catch((e) => e);
  assert.ok(error instanceof RetryError);
  assert.ok(error.cause instanceof ForcedRetryError);
  assert.equal(error.attempts, 2);

  const swapping = new HttpClient({
    hooks: {
      afterResponse: [
        ({ response }) =>
          response.status === 404 ? Response.json([]) : undefined,
      ],
    },
  });
  await using missing = serve(() => new Response("no", { status: 404 }));
  assert.deepEqual(await swapping.json(missing.url), []);
});

Deno.test("HttpClient beforeRetry hooks can replace the request, answer, or stop", async () => {
  await using server = serve((req, n) =>
    n === 1
      ? new Response("down", { status: 503 })
      : new Response(`auth=${req.headers.get("authorization")}`)
  );
  const refreshed = new HttpClient({
    retry: fast,
    hooks: {
      beforeRetry: [({ request }) => {
        const headers = new Headers(request.headers);
        headers.set("authorization", "fresh");
        return new Request(request, { headers });
      }],
    },
  });
  assert.equal(await refreshed.text(server.url), "auth=fresh");

  await using down = serve(() => new Response("down", { status: 503 }));
  const stopping = new HttpClient({
    retry: fast,
    hooks: { beforeRetry: [() => HttpClient.stop] },
  });
  const error = await stopping.fetch(down.url).catch((e) => e);
  assert.ok(error instanceof HttpError && error.status === 503);
  assert.equal(down.calls, 1);

  const answering = new HttpClient({
    retry: fast,
    hooks: { beforeRetry: [() => new Response("from hook")] },
  });
  assert.equal(await answering.text(down.url), "from hook");
  assert.equal(down.calls, 2);
});

Deno.test("HttpClient beforeError hooks replace the error thrown", async () => {
  await using server = serve(() => new Response("bad", { status: 400 }));
  const seen: number[] = [];
  const client = new HttpClient({
    hooks: {
      beforeError: [
        ({ error, retryCount }) => {
          seen.push(retryCount);
          if (error instanceof HttpError) {
            return new Error(`API said ${error.status}`, { cause: error });
          }
        },
        ({ error }) => void seen.push(error.message.length),
      ],
    },
  });
  const error = await client.fetch(server.url).catch((e) => e);
  assert.equal(error.message, "API said 400");
  assert.ok(error.cause instanceof HttpError);
  assert.deepEqual(seen, [0, "API said 400".length]);
});
