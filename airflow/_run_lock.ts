/**
 * One owner per run. A process that drives a run holds an exclusive OS lock
 * (`flock`) on a lock file for that run; a second owner, in this process or
 * another, is refused with an error naming the run. The OS drops the lock
 * when its process dies, so a SIGKILLed owner never leaves the run locked,
 * and a claim needs no heartbeat or timeout.
 *
 * @module
 */

import { dirname } from "node:path";
import { AirflowError } from "./errors.ts";
import type { RunClaim } from "./store.ts";

/** Lock files held by this process (the OS lock is per process). */
const held = new Set<string>();

/** The error a second owner of `dagId/runId` gets. */
export function runOwnedError(
  dagId: string,
  runId: string,
  owner: string,
): AirflowError {
  return new AirflowError(
    `Run is already being run by ${owner}: ${dagId}/${runId}`,
  );
}

/** Claims the run whose lock file is `path`, or throws. */
export function claimRunLock(
  path: string,
  dagId: string,
  runId: string,
): RunClaim {
  if (held.has(path)) throw runOwnedError(dagId, runId, "this process");
  let file: Deno.FsFile;
  try {
    Deno.mkdirSync(dirname(path), { recursive: true });
    file = Deno.openSync(path, { read: true, write: true, create: true });
  } catch (cause) {
    throw new AirflowError(`Cannot open run lock file: ${path}`, { cause });
  }
  let locked: boolean;
  try {
    locked = file.tryLockSync(true);
  } catch (cause) {
    file.close();
    throw new AirflowError(`Cannot lock run lock file: ${path}`, { cause });
  }
  if (!locked) {
    let owner = "another process";
    try {
      const pid = new TextDecoder().decode(Deno.readFileSync(path)).trim();
      if (/^\d+$/.test(pid)) owner = `process ${pid}`;
    } catch {
      // The pid only makes the message friendlier.
    }
    file.close();
    throw runOwnedError(dagId, runId, owner);
  }
  held.add(path);
  try {
    file.truncateSync(0);
    file.writeSync(new TextEncoder().encode(`${Deno.pid}\n`));
  } catch {
    // The lock holds without the pid.
  }
  let open = true;
  return {
    release(): void {
      if (!open) return;
      open = false;
      held.delete(path);
      file.close();
    },
  };
}

/** An in-process claim, for stores that live in one process. */
export function claimInProcess(
  claims: Set<string>,
  dagId: string,
  runId: string,
): RunClaim {
  const key = `${dagId}\u0000${runId}`;
  if (claims.has(key)) throw runOwnedError(dagId, runId, "this process");
  claims.add(key);
  let open = true;
  return {
    release(): void {
      if (open) claims.delete(key);
      open = false;
    },
  };
}
