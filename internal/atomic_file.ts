/**
 * Durable file replacement, shared by every module that keeps state files:
 * write a temp file beside the target, fsync it, rename it over the target,
 * then fsync the directory. A crash at any point leaves either the old file
 * or the new one, never a torn mix.
 *
 * @module
 */

import { dirname } from "node:path";

let counter = 0;

/** Options for {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * Create the parent directory first when it is missing.
   * @default {false}
   */
  mkdir?: boolean;
}

/**
 * Replaces `path` with `data` durably (temp file, fsync, rename, directory
 * fsync). On failure the temp file is removed and the error rethrown; the
 * previous content of `path`, if any, is untouched.
 *
 * @example Save a state file
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/state/run.json`, '{"state":"running"}', { mkdir: true });
 * assert.equal(await Deno.readTextFile(`${dir}/state/run.json`), '{"state":"running"}');
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const dir = dirname(path);
  if (options.mkdir) await Deno.mkdir(dir, { recursive: true });
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data;
  // Unique per process and call, so concurrent writers never share a temp file.
  const tmp = `${path}.tmp-${Deno.pid}-${++counter}`;
  try {
    const file = await Deno.open(tmp, {
      write: true,
      create: true,
      truncate: true,
    });
    try {
      let written = 0;
      while (written < bytes.length) {
        written += await file.write(bytes.subarray(written));
      }
      await file.syncData();
    } finally {
      file.close();
    }
    await Deno.rename(tmp, path);
  } catch (error) {
    await Deno.remove(tmp).catch(() => {});
    throw error;
  }
  await syncDir(dir);
}

/**
 * Fsyncs a directory so a new or renamed entry in it survives a crash. Best
 * effort: some platforms cannot open a directory for syncing.
 *
 * @example Make a rename durable
 * ```ts
 * import { syncDir } from "./atomic_file.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.tmp`, "x");
 * await Deno.rename(`${dir}/a.tmp`, `${dir}/a`);
 * await syncDir(dir);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function syncDir(dir: string): Promise<void> {
  let handle: Deno.FsFile | undefined;
  try {
    handle = await Deno.open(dir, { read: true });
    await handle.sync();
  } catch {
    // not supported here
  } finally {
    handle?.close();
  }
}
