// Length-prefixed frames over a byte stream (the process executor's pipes):
// 4 bytes little-endian length, then the payload.

/** One frame's bytes: the length, then the payload. */
export function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  new DataView(out.buffer).setUint32(0, payload.length, true);
  out.set(payload, 4);
  return out;
}

/** Writes one frame synchronously and whole, so frames never interleave. */
export function writeFrame(
  out: { writeSync(p: Uint8Array): number },
  payload: Uint8Array,
): void {
  const bytes = frame(payload);
  let off = 0;
  while (off < bytes.length) off += out.writeSync(bytes.subarray(off));
}

/**
 * Yields the payloads of the frames in a stream. Chunks are kept as they
 * come and copied once per frame, so a large frame costs one copy, not one
 * per chunk.
 */
export async function* readFrames(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let have = 0;
  let need = -1; // payload length of the frame being read, once known
  const take = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = chunks[0]!;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) chunks.shift();
      else chunks[0] = c.subarray(k);
    }
    have -= n;
    return out;
  };
  for await (const chunk of stream) {
    chunks.push(chunk);
    have += chunk.length;
    for (;;) {
      if (need < 0) {
        if (have < 4) break;
        const head = take(4);
        need = new DataView(head.buffer).getUint32(0, true);
      }
      if (have < need) break;
      yield take(need);
      need = -1;
    }
  }
}
