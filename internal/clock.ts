/**
 * Time as a dependency. Everything that waits or stamps time takes a
 * {@linkcode Clock}: the {@linkcode systemClock} in production, a
 * {@linkcode ManualClock} in tests, whose time moves only when the test
 * advances it, so timeouts, backoff and windows are checked exactly and fast.
 *
 * @module
 */

/**
 * A source of wall-clock time, monotonic time and sleeps.
 *
 * @example Take a clock, default to the real one
 * ```ts
 * import assert from "node:assert/strict";
 * import { type Clock, ManualClock, systemClock } from "./clock.ts";
 * function stamp(clock: Clock = systemClock): string {
 *   return new Date(clock.now()).toISOString();
 * }
 * assert.equal(stamp(new ManualClock({ start: 0 })), "1970-01-01T00:00:00.000Z");
 * ```
 */
export interface Clock {
  /** Wall-clock time in epoch milliseconds (like `Date.now()`). */
  now(): number;
  /** Monotonic milliseconds from an arbitrary origin (like `performance.now()`). */
  monotonic(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with the signal's reason when
   * `signal` aborts first.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ??
    new DOMException("The operation was aborted", "AbortError");
}

/**
 * The real clock: `Date.now()`, `performance.now()` and `setTimeout`.
 *
 * @example Sleep for a moment
 * ```ts
 * import assert from "node:assert/strict";
 * import { systemClock } from "./clock.ts";
 * const start = systemClock.monotonic();
 * await systemClock.sleep(1);
 * assert.ok(systemClock.monotonic() >= start);
 * ```
 */
export const systemClock: Clock = {
  now: (): number => Date.now(),
  monotonic: (): number => performance.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
};

interface Sleeper {
  deadline: number;
  seq: number;
  resolve: () => void;
}

/**
 * Options for {@linkcode ManualClock}.
 *
 * @example Start at a fixed date
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock({ start: Date.UTC(2018, 1, 7) });
 * assert.equal(new Date(clock.now()).toISOString(), "2018-02-07T00:00:00.000Z");
 * ```
 */
export interface ManualClockOptions {
  /**
   * Wall-clock time the clock starts at, in epoch milliseconds.
   * @default {0}
   */
  start?: number;
}

/** Lets promise callbacks and timers queued by woken sleepers run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * A clock for tests: time stands still until {@linkcode ManualClock.advance}
 * or {@linkcode ManualClock.set} moves it. Sleeps due by the new time resolve
 * in deadline order (ties in the order they were made), and code woken by one
 * runs before the next is woken, so a retry loop that sleeps again inside the
 * advanced span is woken again.
 *
 * @example Advance past a sleep
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock } from "./clock.ts";
 * const clock = new ManualClock({ start: Date.UTC(2024, 0, 1) });
 * let woke = false;
 * const sleeping = clock.sleep(5_000).then(() => (woke = true));
 * await clock.advance(4_999);
 * assert.equal(woke, false);
 * await clock.advance(1);
 * await sleeping;
 * assert.equal(woke, true);
 * ```
 */
export class ManualClock implements Clock {
  #start: number;
  #elapsed = 0;
  #seq = 0;
  #sleepers: Sleeper[] = [];

  /** Makes a clock standing at `options.start`. */
  constructor(options: ManualClockOptions = {}) {
    this.#start = options.start ?? 0;
  }

  /** Wall-clock time in epoch milliseconds. */
  now(): number {
    return this.#start + this.#elapsed;
  }

  /** Milliseconds advanced since the clock was made. */
  monotonic(): number {
    return this.#elapsed;
  }

  /** Number of sleeps not yet resolved or aborted. */
  get pendingSleeps(): number {
    return this.#sleepers.length;
  }

  /** Resolves when the clock has been advanced by `ms`. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        deadline: this.#elapsed + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal!));
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#sleepers.push(sleeper);
    });
  }

  /**
   * Moves time forward by `ms`, waking each sleep due on the way in order and
   * letting the code it wakes run before moving on.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) {
      throw new RangeError(
        `Clock advance must be a non-negative number: ${ms}`,
      );
    }
    const target = this.#elapsed + ms;
    await settle();
    for (;;) {
      const next = this.#nextDue(target);
      if (!next) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== next);
      this.#elapsed = Math.max(this.#elapsed, next.deadline);
      next.resolve();
      await settle();
    }
    this.#elapsed = target;
    await settle();
  }

  /** Moves wall-clock time to `epochMs` (never backwards), as {@linkcode advance}. */
  set(epochMs: number): Promise<void> {
    return this.advance(Math.max(0, epochMs - this.now()));
  }

  /** Advances to the next pending sleep's deadline, if any, and wakes it. */
  async runNext(): Promise<boolean> {
    const next = this.#nextDue(Infinity);
    if (!next) return false;
    await this.advance(next.deadline - this.#elapsed);
    return true;
  }

  #nextDue(limit: number): Sleeper | undefined {
    let best: Sleeper | undefined;
    for (const s of this.#sleepers) {
      if (s.deadline > limit) continue;
      if (
        !best || s.deadline < best.deadline ||
        (s.deadline === best.deadline && s.seq < best.seq)
      ) {
        best = s;
      }
    }
    return best;
  }
}
