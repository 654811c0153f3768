// One owner per log directory, as Kafka's `.lock` file: an exclusive OS lock
// on `<logDir>/.lock`, taken by whoever opens the directory for writing and
// released on close. The OS drops the lock when its process dies, so a
// SIGKILLed owner never leaves the directory locked. Paths are resolved to
// their real path first, so a symlink or a relative spelling is the same
// directory; a second opener in this process is refused too (the OS lock
// alone may not tell two opens by one process apart).

import { join } from "node:path";
import { KafkaJSNonRetriableError, KafkaJSProtocolError } from "../errors.ts";

const held = new Set<string>();

/**
 * Creates `dir` if needed and returns its real path (symlinks resolved), the
 * name under which it is locked and shared.
 */
export function realLogDir(dir: string): string {
  try {
    Deno.mkdirSync(dir, { recursive: true });
    return Deno.realPathSync(dir);
  } catch (cause) {
    throw new KafkaJSProtocolError(
      `Log directory cannot be opened: ${JSON.stringify(dir)}`,
      { cause, type: "KAFKA_STORAGE_ERROR" },
    );
  }
}

/** An exclusive hold on a log directory; release it with {@linkcode release}. */
export class DirLock {
  /** The directory's real path. */
  readonly dir: string;
  #file: Deno.FsFile | undefined;

  private constructor(dir: string, file: Deno.FsFile) {
    this.dir = dir;
    this.#file = file;
  }

  /**
   * Locks `dir` (created if missing) or throws a {@linkcode KafkaError}
   * naming it when another broker, in this process or another, holds it.
   */
  static acquire(dir: string): DirLock {
    const real = realLogDir(dir);
    const path = join(real, ".lock");
    const inUse = (owner: string) =>
      new KafkaJSNonRetriableError(
        `Log directory is in use by another broker (${owner}): ${real} is locked through ${path}`,
        { type: "KAFKA_STORAGE_ERROR" },
      );
    if (held.has(real)) throw inUse("in this process");
    let file: Deno.FsFile;
    try {
      file = Deno.openSync(path, { read: true, write: true, create: true });
    } catch (cause) {
      throw new KafkaJSProtocolError(`Lock file cannot be opened: ${path}`, {
        cause,
        type: "KAFKA_STORAGE_ERROR",
      });
    }
    let locked = false;
    try {
      locked = file.tryLockSync(true);
    } catch (cause) {
      file.close();
      throw new KafkaJSProtocolError(`Lock file cannot be locked: ${path}`, {
        cause,
        type: "KAFKA_STORAGE_ERROR",
      });
    }
    if (!locked) {
      let owner = "another process";
      try {
        const pid = new TextDecoder().decode(Deno.readFileSync(path)).trim();
        if (/^\d+$/.test(pid)) owner = `process ${pid}`;
      } catch {
        // the owner's pid is only a hint
      }
      file.close();
      throw inUse(owner);
    }
    held.add(real);
    // The owner's pid, for the message a refused opener shows.
    try {
      file.truncateSync(0);
      file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
    } catch {
      // the lock holds without it
    }
    return new DirLock(real, file);
  }

  /** Whether this lock is still held. */
  get held(): boolean {
    return this.#file !== undefined;
  }

  /** Releases the lock (idempotent). */
  release(): void {
    const file = this.#file;
    if (!file) return;
    this.#file = undefined;
    held.delete(this.dir);
    try {
      file.unlockSync();
    } catch {
      // closing releases it as well
    }
    file.close();
  }
}
