/**
 * Download progress as ky reports it: the body is passed through a stream
 * that counts bytes and calls `onDownloadProgress` once with nothing read,
 * then after every chunk, and finally with `percent: 1`.
 *
 * @module
 */

/**
 * One progress report: bytes so far and the total from `content-length`
 * (0 when the server did not say).
 *
 * @example Half of a known size
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Progress } from "./mod.ts";
 * const progress: Progress = { percent: 0.5, transferredBytes: 512, totalBytes: 1024 };
 * assert.equal(progress.transferredBytes / progress.totalBytes, progress.percent);
 * ```
 */
export interface Progress {
  /** Fraction done in `[0, 1]`; 0 until the end when the total is unknown. */
  percent: number;
  /** Bytes received so far. */
  transferredBytes: number;
  /** Bytes expected (`content-length`), or 0 when unknown. */
  totalBytes: number;
}

/** The callback of `onDownloadProgress`. */
export type ProgressCallback = (progress: Progress, chunk: Uint8Array) => void;

/** `response` with its body counted into `onProgress`; the URL is kept. */
export function withDownloadProgress(
  response: Response,
  onProgress: ProgressCallback,
): Response {
  if (response.body === null) return response;
  const totalBytes = Math.max(
    0,
    Number(response.headers.get("content-length")) || 0,
  );
  let transferredBytes = 0;
  const report = (chunk: Uint8Array, done = false) =>
    onProgress({
      percent: done
        ? 1
        : totalBytes > 0
        ? Math.min(1, transferredBytes / totalBytes)
        : 0,
      transferredBytes,
      totalBytes: done ? Math.max(totalBytes, transferredBytes) : totalBytes,
    }, chunk);
  report(new Uint8Array());
  const counted = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        transferredBytes += chunk.byteLength;
        controller.enqueue(chunk);
        if (totalBytes === 0 || transferredBytes < totalBytes) report(chunk);
      },
      flush() {
        report(new Uint8Array(), true);
      },
    }),
  );
  const wrapped = new Response(counted, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // A constructed Response has no URL; callers read it (pagination does).
  Object.defineProperty(wrapped, "url", { value: response.url });
  return wrapped;
}
