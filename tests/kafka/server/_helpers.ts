// Shared helpers for the wire-protocol tests: running kcat, a raw socket
// client for hand-made frames, and reading a child's stdout line by line.

import { Reader } from "../../../kafka/protocol/_primitives.ts";

/** Runs kcat with a deadline; stdout, stderr and exit code. */
export async function kcat(
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command("kcat", {
    args,
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
  }).output();
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
  };
}

/** A raw connection that reads whole response frames. */
export class RawClient {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(0);

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async connect(port: number): Promise<RawClient> {
    return new RawClient(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) {
      off += await this.#conn.write(bytes.subarray(off));
    }
  }

  /** The next frame's body (after its size), or null when the server closed. */
  async frame(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.#buf.length >= 4) {
        const size = new DataView(this.#buf.buffer, this.#buf.byteOffset)
          .getInt32(0);
        if (this.#buf.length >= 4 + size) {
          const body = this.#buf.slice(4, 4 + size);
          this.#buf = this.#buf.slice(4 + size);
          return body;
        }
      }
      const chunk = new Uint8Array(65536);
      let n: number | null;
      try {
        n = await this.#conn.read(chunk);
      } catch {
        n = null;
      }
      if (n === null) return null;
      const next = new Uint8Array(this.#buf.length + n);
      next.set(this.#buf);
      next.set(chunk.subarray(0, n), this.#buf.length);
      this.#buf = next;
    }
  }

  /** The correlation id and error code of an error-only answer. */
  static errorOnly(
    frame: Uint8Array,
  ): { correlationId: number; errorCode: number } {
    const r = new Reader(frame);
    return { correlationId: r.int32(), errorCode: r.int16() };
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // already closed
    }
  }
}

/** Reads lines from a child's stdout into `lines` as they come. */
export function collectLines(
  stream: ReadableStream<Uint8Array>,
  lines: string[],
): Promise<void> {
  return (async () => {
    let buf = "";
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    }
  })();
}

/** Resolves when `predicate` holds (real time, polled). */
export async function until(
  predicate: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const start = Date.now();
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}
