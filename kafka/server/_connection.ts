// One client connection: frames are read as they arrive and each request is
// handled as soon as it is whole, so a slow request (a long-polling fetch,
// a fsync) does not hold up reading; responses are written strictly in
// request order, as Kafka clients require of pipelined requests. A frame
// that cannot be a request (a size below a header's or above the limit,
// bytes that do not parse) closes this connection only, with a log line.

import { Reader } from "../protocol/_primitives.ts";
import {
  API_VERSIONS_KEY,
  decodeRequestBody,
  encodeErrorOnly,
  encodeResponse,
  encodeResponseParts,
  readRequestHeader,
} from "../protocol/_framing.ts";
import { ApiVersionsResponse } from "../protocol/_api_versions.ts";
import { KafkaError } from "../errors.ts";
import { APIS, apiVersionsBody } from "./_apis.ts";
import type {
  ConnectionInfo,
  RequestContext,
  ServerState,
} from "./_context.ts";
import { codeOf } from "./_error_code.ts";

/** Requests answered out of one connection before reading pauses. */
const MAX_IN_FLIGHT = 256;
/** apiKey + apiVersion + correlationId + clientId length. */
const MIN_FRAME = 10;

function isDisconnect(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource ||
    error instanceof Deno.errors.BrokenPipe ||
    error instanceof Deno.errors.ConnectionReset ||
    error instanceof Deno.errors.Interrupted;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await conn.write(bytes.subarray(off));
}

function addressOf(addr: Deno.Addr): { host: string; port: number } {
  return addr.transport === "tcp"
    ? { host: addr.hostname, port: addr.port }
    : { host: "localhost", port: 0 };
}

/** Serves requests on `conn` until the peer or the server closes it. */
export async function serveConnection(
  conn: Deno.Conn,
  server: ServerState,
  maxFrameBytes: number,
  serverSignal: AbortSignal,
): Promise<void> {
  const peer = addressOf(conn.remoteAddr);
  const local = addressOf(conn.localAddr);
  const info: ConnectionInfo = {
    clientId: "",
    clientHost: `/${peer.host}`,
    host: local.host,
    port: local.port,
  };
  const closed = new AbortController();
  const onServerClose = () => {
    closed.abort();
    try {
      conn.close(); // wakes the pending read
    } catch {
      // already closed
    }
  };
  serverSignal.addEventListener("abort", onServerClose, { once: true });
  const ctx: RequestContext = { server, conn: info, signal: closed.signal };
  const who = `${peer.host}:${peer.port}`;

  let tail: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let failed = false;
  const fail = (why: string) => {
    if (!failed) server.log(`Closing connection from ${who}: ${why}`);
    failed = true;
  };
  const respond = (answer: Promise<Uint8Array | Uint8Array[] | null>) => {
    inFlight++;
    tail = tail.then(async () => {
      try {
        const bytes = await answer;
        if (bytes && !failed) {
          for (const part of bytes instanceof Uint8Array ? [bytes] : bytes) {
            await writeAll(conn, part);
          }
        }
      } catch (error) {
        // A peer that went away mid-answer is not worth a log line.
        if (!closed.signal.aborted && !isDisconnect(error)) {
          fail(error instanceof Error ? error.message : String(error));
        }
        failed = true;
        try {
          conn.close();
        } catch {
          // already closed
        }
      } finally {
        inFlight--;
      }
    });
  };

  const handleFrame = (frame: Uint8Array): void => {
    const r = new Reader(frame);
    const h = readRequestHeader(r);
    info.clientId = h.clientId ?? "";
    const api = APIS.get(h.apiKey);
    if (!api) {
      server.log(`Unknown API key ${h.apiKey} from ${who}: INVALID_REQUEST`);
      respond(
        Promise.resolve(
          encodeErrorOnly(h.correlationId, codeOf("INVALID_REQUEST")),
        ),
      );
      return;
    }
    const { minVersion, maxVersion } = api.request;
    if (h.apiVersion < minVersion || h.apiVersion > maxVersion) {
      server.log(
        `Unsupported version ${h.apiVersion} of ${api.request.name} from ${who}: v${minVersion}-${maxVersion} spoken`,
      );
      // ApiVersions answers in v0 so any client can read the ranges.
      respond(Promise.resolve(
        h.apiKey === API_VERSIONS_KEY
          ? encodeResponse(
            ApiVersionsResponse,
            0,
            h.correlationId,
            apiVersionsBody(codeOf("UNSUPPORTED_VERSION")),
          )
          : encodeErrorOnly(h.correlationId, codeOf("UNSUPPORTED_VERSION")),
      ));
      return;
    }
    const body = decodeRequestBody(r, api.request, h.apiVersion);
    const version = h.apiVersion;
    respond(
      Promise.resolve()
        .then(() => api.handle(ctx, body, version))
        .then((out) =>
          out === null
            ? null
            : encodeResponseParts(api.response, version, h.correlationId, out)
        ),
    );
  };

  let buf = new Uint8Array(64 * 1024);
  let start = 0;
  let end = 0;
  try {
    while (!failed && !closed.signal.aborted) {
      if (end === buf.length) {
        // Move the unread part to the front; grow for a frame too big to fit
        // (its size was checked against the limit when it was first seen).
        buf.copyWithin(0, start, end);
        end -= start;
        start = 0;
        if (end === buf.length) {
          const size = new DataView(buf.buffer).getInt32(0) + 4;
          const next = new Uint8Array(Math.max(size, buf.length * 2));
          next.set(buf);
          buf = next;
        }
      }
      const n = await conn.read(buf.subarray(end));
      if (n === null) break;
      end += n;
      while (end - start >= 4) {
        const size = new DataView(buf.buffer, start).getInt32(0);
        if (size < MIN_FRAME || size > maxFrameBytes) {
          fail(
            `frame size ${size} is outside [${MIN_FRAME}, ${maxFrameBytes}]`,
          );
          break;
        }
        if (end - start < 4 + size) break;
        const frame = buf.slice(start + 4, start + 4 + size);
        start += 4 + size;
        try {
          handleFrame(frame);
        } catch (error) {
          fail(error instanceof KafkaError ? error.message : String(error));
          break;
        }
      }
      if (start === end) start = end = 0;
      while (inFlight >= MAX_IN_FLIGHT && !failed) await tail;
    }
    await tail;
  } catch (error) {
    if (!closed.signal.aborted && !isDisconnect(error)) {
      fail(error instanceof Error ? error.message : String(error));
    }
  } finally {
    closed.abort();
    serverSignal.removeEventListener("abort", onServerClose);
    await tail.catch(() => {});
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}
