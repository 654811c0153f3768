// Shared test helpers: a clock driver, a raw TCP server that can misbehave,
// and synthetic USGS features.
import type { ManualClock, UsgsFeature } from "../../http/mod.ts";
import { serveRawTcp } from "../../http/_tcp_server.ts";

/**
 * Settles `promise` while moving a manual clock: whenever sleeps are pending
 * it wakes the next one, otherwise it lets real I/O progress for a moment.
 * Returns the promise's value (or rethrows).
 */
export async function drive<T>(
  clock: ManualClock,
  promise: Promise<T>,
): Promise<T> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  while (!settled) {
    if (clock.pendingSleeps > 0) await clock.runNext();
    else await new Promise((resolve) => setTimeout(resolve, 1));
  }
  return promise;
}

/** Waits (in real time, briefly) until `check()` is true. */
export async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("Condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/**
 * Like {@linkcode until}, but wakes the manual clock's sleeps that are already
 * due (a zero backoff) while it waits, without moving the clock: a retry's
 * `sleep(0)` can be made after the advance that caused it, once real I/O has
 * carried the abort back to the client.
 */
export async function untilWaking(
  clock: ManualClock,
  check: () => boolean,
  ms = 5_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error("Condition not met in time");
    await clock.advance(0);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export interface RawServer extends AsyncDisposable {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * A TCP server that reads each request head and hands the connection to
 * `handler(n)` (1-based), which writes whatever bytes it likes; the
 * connection is closed afterwards. Lets tests drop sockets and cut bodies.
 */
export function rawServer(
  handler: (n: number, conn: Deno.TcpConn, head: string) => Promise<void>,
): RawServer {
  const requests: string[] = [];
  const server = serveRawTcp({}, async (conn, request) => {
    if (!("method" in request)) return false;
    requests.push(request.head.split("\r\n")[0]!);
    await handler(requests.length, conn, request.head);
    return false;
  });
  const close = () => server.close();
  return {
    url: `http://127.0.0.1:${server.port}`,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Writes a complete HTTP/1.1 response. */
export async function writeResponse(
  conn: Deno.TcpConn,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): Promise<void> {
  const bytes = new TextEncoder().encode(body);
  const head = `HTTP/1.1 ${status} X\r\ncontent-length: ${bytes.length}\r\n` +
    `connection: close\r\n` +
    Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("") +
    "\r\n";
  await conn.write(new TextEncoder().encode(head));
  await conn.write(bytes);
}

export const T0 = Date.UTC(2018, 1, 1);

/** `count` synthetic features, one every `stepMs` from `start`. */
export function makeEvents(
  count: number,
  start = T0,
  stepMs = 60_000,
): UsgsFeature[] {
  return Array.from({ length: count }, (_, i) => ({
    type: "Feature",
    id: `syn${String(i).padStart(6, "0")}`,
    properties: {
      mag: Math.round(((i * 37) % 70) / 10 * 10) / 10,
      place: `${i % 100}km N of Somewhere, Region${i % 7}`,
      time: start + i * stepMs,
      updated: start + i * stepMs + 1_000,
      type: "earthquake",
    },
    geometry: {
      type: "Point",
      coordinates: [(i % 360) - 180, (i % 180) - 90, i % 700],
    },
  }));
}

/** A real Deno.serve server on 127.0.0.1 that counts (and keeps) its requests. */
export function serve(
  handler: (req: Request, n: number) => Response | Promise<Response>,
) {
  let n = 0;
  const seen: Request[] = [];
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (req) => {
      seen.push(req);
      return handler(req, ++n);
    },
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    get calls() {
      return n;
    },
    seen,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}
