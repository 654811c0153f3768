/**
 * The raw HTTP/1.1 server loop under {@linkcode createUsgsServer} and the
 * tests' misbehaving servers: accept TCP connections, read each request head
 * (request line and headers, at most 64 KiB), hand it with the socket to a
 * handler that writes whatever bytes it likes, and keep the connection for
 * the next request when the handler says so (HTTP/1.1 keep-alive).
 *
 * Raw TCP rather than `Deno.serve` because the point is to misbehave exactly
 * like a real network: drop a socket, cut a body, stall.
 *
 * @module
 */

/** A request head as it arrived. */
export interface RawRequest {
  /** The method, e.g. `GET`. */
  method: string;
  /** The request target, e.g. `/fdsnws/event/1/query?limit=1`. */
  target: string;
  /** `HTTP/1.1` or `HTTP/1.0`. */
  version: string;
  /** Header names in lower case; a repeated header keeps its last value. */
  headers: Map<string, string>;
  /** The head's text, request line included, without the final blank line. */
  head: string;
}

/** A head that could not be read: answer it with `status`, then close. */
export interface RawRequestError {
  /** 400 for a malformed head, 431 for one over the size limit. */
  status: 400 | 431;
  /** What was wrong, for the response body. */
  message: string;
}

/**
 * Handles one request on `conn`; resolves to `true` to read the next
 * request from the same connection, `false` to close it.
 */
export type RawHandler = (
  conn: Deno.TcpConn,
  request: RawRequest | RawRequestError,
) => Promise<boolean>;

/** A listening raw server. */
export interface RawTcpServer {
  /** The port it listens on. */
  readonly port: number;
  /** Stops accepting, closes every connection and waits for the handlers. */
  close(): Promise<void>;
}

/** The largest request head accepted, as common servers do (nginx: 8–64 KiB). */
export const MAX_HEAD_BYTES = 65_536;

const decoder = new TextDecoder();
const HEAD_END = [13, 10, 13, 10];

function indexOfHeadEnd(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(0, from - 3); i + 3 < bytes.length; i++) {
    if (
      bytes[i] === HEAD_END[0] && bytes[i + 1] === HEAD_END[1] &&
      bytes[i + 2] === HEAD_END[2] && bytes[i + 3] === HEAD_END[3]
    ) return i;
  }
  return -1;
}

function parseHead(head: string): RawRequest | RawRequestError {
  const [requestLine = "", ...lines] = head.split("\r\n");
  const parts = requestLine.split(" ");
  const [method = "", target = "", version = ""] = parts;
  if (
    parts.length !== 3 || !/^[A-Z]+$/.test(method) || target === "" ||
    !/^HTTP\/1\.[01]$/.test(version)
  ) {
    return {
      status: 400,
      message: `Malformed request line: ${JSON.stringify(requestLine)}`,
    };
  }
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon <= 0) {
      return { status: 400, message: `Malformed header line: ${line}` };
    }
    headers.set(
      line.slice(0, colon).trim().toLowerCase(),
      line.slice(colon + 1).trim(),
    );
  }
  return { method, target, version, headers, head };
}

/** Reads request heads from one connection, keeping bytes that follow a head. */
class HeadReader {
  #conn: Deno.TcpConn;
  #buffer = new Uint8Array(0);
  #chunk = new Uint8Array(16_384);

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /** The next head, an error for a bad one, or `undefined` at end of stream. */
  async next(): Promise<RawRequest | RawRequestError | undefined> {
    let scanned = 0;
    for (;;) {
      const end = indexOfHeadEnd(this.#buffer, scanned);
      if (end >= 0) {
        if (end > MAX_HEAD_BYTES) break;
        const head = decoder.decode(this.#buffer.subarray(0, end));
        this.#buffer = this.#buffer.slice(end + 4);
        const request = parseHead(head);
        if ("method" in request) await this.#skipBody(request);
        return request;
      }
      if (this.#buffer.length > MAX_HEAD_BYTES) break;
      scanned = this.#buffer.length;
      if (!await this.#fill()) return undefined;
    }
    return {
      status: 431,
      message: `Request header fields larger than ${MAX_HEAD_BYTES} bytes`,
    };
  }

  /** Reads and drops a request body (the stand-ins serve GET and HEAD only). */
  async #skipBody(request: RawRequest): Promise<void> {
    let left = Number(request.headers.get("content-length") ?? 0);
    if (!(left > 0)) return;
    while (this.#buffer.length < left) {
      left -= this.#buffer.length;
      this.#buffer = new Uint8Array(0);
      if (!await this.#fill()) return;
    }
    this.#buffer = this.#buffer.slice(left);
  }

  async #fill(): Promise<boolean> {
    const n = await this.#conn.read(this.#chunk);
    if (n === null) return false;
    const next = new Uint8Array(this.#buffer.length + n);
    next.set(this.#buffer);
    next.set(this.#chunk.subarray(0, n), this.#buffer.length);
    this.#buffer = next;
    return true;
  }
}

/**
 * Listens on `hostname:port` (default 127.0.0.1 and a free port) and runs
 * `handler` for every request head. A handler that throws, or a peer that
 * hangs up, ends that connection only.
 */
export function serveRawTcp(
  options: { hostname?: string; port?: number },
  handler: RawHandler,
): RawTcpServer {
  const listener = Deno.listen({
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    transport: "tcp",
  });
  const conns = new Set<Deno.TcpConn>();
  const handlers = new Set<Promise<void>>();
  let closed = false;

  const serve = async (conn: Deno.TcpConn): Promise<void> => {
    const reader = new HeadReader(conn);
    try {
      for (;;) {
        const request = await reader.next();
        if (request === undefined || closed) return;
        if (!await handler(conn, request) || !("method" in request)) return;
      }
    } catch {
      // A peer that hung up, or a shutdown mid-request: nothing to answer.
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // Closed already by close().
      }
    }
  };

  const accepting = (async () => {
    for (;;) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener.accept();
      } catch {
        return;
      }
      if (closed) {
        conn.close();
        return;
      }
      conns.add(conn);
      const served = serve(conn);
      handlers.add(served);
      served.finally(() => handlers.delete(served));
    }
  })();

  return {
    port: (listener.addr as Deno.NetAddr).port,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      listener.close();
      await accepting;
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // Closed by its handler meanwhile.
        }
      }
      await Promise.allSettled([...handlers]);
    },
  };
}
