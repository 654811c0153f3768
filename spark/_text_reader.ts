// Reads the lines of one byte-range split of a text file, Hadoop style: a
// split that does not start at 0 skips through the first newline at or after
// its start; a split reads every line that starts at or before its end, so it
// finishes its last line past the end. Every line lands in exactly one split.

import { gunzipSync } from "node:zlib";

const NL = 10;
const CR = 13;
const CHUNK = 1 << 20;

/**
 * Yields batches of lines (without line terminators) for bytes
 * `[start, end)` of `path`.
 */
export function* readSplitLines(
  path: string,
  start: number,
  end: number,
  chunkSize: number = CHUNK,
): Generator<string[]> {
  for (const text of readSplitText(path, start, end, chunkSize)) {
    const lines = text.split("\n");
    stripCR(lines);
    yield lines;
  }
}

/**
 * Yields the same lines as {@linkcode readSplitLines}, as blocks of text:
 * whole lines joined by "\n" (no trailing one; a "\r" before a "\n" is kept).
 * Each block is decoded with one call, and a parser can walk it with
 * `indexOf` without making a string per line.
 */
export function* readSplitText(
  path: string,
  start: number,
  end: number,
  chunkSize: number = CHUNK,
): Generator<string> {
  // An empty range owns no line (the neighbour reading past its end does).
  if (end <= start) return;
  const file = Deno.openSync(path, { read: true });
  try {
    if (start > 0) file.seekSync(start, Deno.SeekMode.Start);
    const decoder = new TextDecoder();
    // The unfinished last line stays at the front of `buf` and the next read
    // lands right after it, so no chunk is copied to join it.
    let buf = new Uint8Array(chunkSize);
    let keep = 0; // bytes of an unfinished line at buf[0..keep)
    let pos = start; // absolute offset of the next byte read
    let skipping = start > 0;
    let first = start === 0;
    let done = false;
    while (!done) {
      if (keep === buf.length) {
        const bigger = new Uint8Array(buf.length * 2);
        bigger.set(buf);
        buf = bigger;
      }
      const n = file.readSync(buf.subarray(keep, keep + chunkSize));
      if (n === null || n === 0) break;
      const chunk = buf.subarray(keep, keep + n);
      const chunkStart = pos;
      pos += n;
      let from = 0;
      if (first) {
        first = false;
        if (
          n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf
        ) {
          from = 3;
        }
      }
      if (skipping) {
        const i = chunk.indexOf(NL);
        if (i < 0) continue;
        from = i + 1;
        skipping = false;
        // The next line starts past our end: it belongs to the next split.
        if (chunkStart + from > end) break;
      }
      let to = n;
      if (pos > end) {
        const i = chunk.indexOf(NL, Math.max(end - chunkStart, from));
        if (i >= 0) {
          to = i + 1;
          done = true;
        }
      }
      // A carried line implies from === 0, so the piece is contiguous.
      const pieceStart = keep > 0 ? 0 : keep + from;
      const piece = buf.subarray(pieceStart, keep + to);
      const last = piece.lastIndexOf(NL);
      let text: string | null = null;
      if (last >= 0) text = decoder.decode(piece.subarray(0, last));
      const rest = last + 1;
      buf.copyWithin(0, pieceStart + rest, keep + to);
      keep = piece.length - rest;
      if (text !== null) yield text;
    }
    if (keep > 0) yield decoder.decode(buf.subarray(0, keep));
  } finally {
    file.close();
  }
}

/** A whole gzip file's text. */
export function readGzipFile(path: string): string {
  return new TextDecoder().decode(gunzipSync(Deno.readFileSync(path)));
}

/**
 * The lines of a whole gzip file (gzip cannot be split, so one task reads
 * it all), in the blocks {@linkcode readSplitText} yields: whole lines
 * joined by "\n", about `chunkSize` characters each.
 */
export function* readGzipText(
  path: string,
  chunkSize: number = CHUNK,
): Generator<string> {
  let text = readGzipFile(path);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.endsWith("\n")) text = text.slice(0, -1);
  if (text === "") return;
  for (let at = 0; at <= text.length;) {
    let cut = text.indexOf("\n", at + chunkSize);
    if (cut < 0) cut = text.length;
    yield text.slice(at, cut);
    at = cut + 1;
  }
}

/** {@linkcode readGzipText} as batches of lines. */
export function* readGzipLines(path: string): Generator<string[]> {
  for (const text of readGzipText(path)) {
    const lines = text.split("\n");
    stripCR(lines);
    yield lines;
  }
}

function stripCR(lines: string[]): void {
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.charCodeAt(l.length - 1) === CR) lines[i] = l.slice(0, -1);
  }
}

/** Byte ranges for a file of `size` bytes cut into about `parts` splits. */
export function computeSplits(size: number, parts: number): [number, number][] {
  const step = Math.max(1, Math.ceil(size / Math.max(1, parts)));
  const out: [number, number][] = [];
  for (let s = 0; s < size; s += step) out.push([s, Math.min(size, s + step)]);
  if (out.length === 0) out.push([0, 0]);
  return out;
}
