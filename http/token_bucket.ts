/**
 * A token bucket computed from elapsed monotonic time: no ticking timer, just
 * arithmetic on each call and one sleep for the waiter at the head of a FIFO
 * queue.
 *
 * @module
 */

import { type Clock, systemClock } from "../internal/clock.ts";
import { InvalidInputError } from "./errors.ts";

/**
 * Options for {@linkcode TokenBucket}.
 *
 * @example Ten requests a second, bursts of five
 * ```ts
 * import assert from "node:assert/strict";
 * import { TokenBucket, type TokenBucketOptions } from "./mod.ts";
 * const options: TokenBucketOptions = { capacity: 5, refillPerSecond: 10 };
 * assert.equal(new TokenBucket(options).available, 5);
 * ```
 */
export interface TokenBucketOptions {
  /** Most tokens the bucket holds (the largest burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
  /**
   * Tokens in the bucket at the start.
   * @default {capacity}
   */
  initialTokens?: number;
  /**
   * Lowest fraction of `refillPerSecond` that {@linkcode TokenBucket.slowDown}
   * can bring the rate down to.
   * @default {0.0625}
   */
  minRateFactor?: number;
  /**
   * The clock that measures elapsed time and sleeps.
   * @default {systemClock}
   */
  clock?: Clock;
}

interface Waiter {
  n: number;
  resolve: () => void;
  reject: (reason: unknown) => void;
  cleanup: () => void;
}

// Float drift from ms arithmetic must not strand a waiter a hair short.
const EPSILON = 1e-9;

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ??
    new DOMException("The operation was aborted", "AbortError");
}

/**
 * A rate limiter: `take(n)` resolves once `n` tokens are available, waiters
 * are served first in first out, and a waiter's signal takes it out of the
 * queue. Tokens accrue at `refillPerSecond` from the monotonic time elapsed
 * since the last look, up to `capacity`.
 *
 * `slowDown()` (called by {@linkcode HttpClient} on a 429) empties the bucket
 * and halves the rate; `recover()` (on each success) steps it back up.
 *
 * @example Wait for a refill on a manual clock
 * ```ts
 * import assert from "node:assert/strict";
 * import { ManualClock, TokenBucket } from "./mod.ts";
 * const clock = new ManualClock();
 * const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 1, clock });
 * assert.equal(bucket.tryTake(2), true);
 * assert.equal(bucket.tryTake(), false);
 * const taken = bucket.take(1);
 * await clock.advance(1_000);
 * await taken;
 * assert.equal(bucket.available, 0);
 * ```
 */
export class TokenBucket {
  #capacity: number;
  #baseRate: number;
  #rate: number;
  #minRate: number;
  #tokens: number;
  #last: number;
  #clock: Clock;
  #queue: Waiter[] = [];
  #pumping = false;
  #wake: AbortController | undefined;

  /** Makes a bucket; throws {@linkcode InvalidInputError} on bad numbers. */
  constructor(options: TokenBucketOptions) {
    const { capacity, refillPerSecond } = options;
    if (!(Number.isFinite(capacity) && capacity > 0)) {
      throw new InvalidInputError(
        `Token bucket capacity must be a positive number: ${capacity}`,
      );
    }
    if (!(Number.isFinite(refillPerSecond) && refillPerSecond > 0)) {
      throw new InvalidInputError(
        `Token bucket refillPerSecond must be a positive number: ${refillPerSecond}`,
      );
    }
    const initial = options.initialTokens ?? capacity;
    if (!(initial >= 0 && initial <= capacity)) {
      throw new InvalidInputError(
        `Token bucket initialTokens must be between 0 and capacity: ${initial}`,
      );
    }
    const factor = options.minRateFactor ?? 0.0625;
    if (!(factor > 0 && factor <= 1)) {
      throw new InvalidInputError(
        `Token bucket minRateFactor must be in (0, 1]: ${factor}`,
      );
    }
    this.#capacity = capacity;
    this.#baseRate = refillPerSecond;
    this.#rate = refillPerSecond;
    this.#minRate = refillPerSecond * factor;
    this.#tokens = initial;
    this.#clock = options.clock ?? systemClock;
    this.#last = this.#clock.monotonic();
  }

  /** The most tokens the bucket holds. */
  get capacity(): number {
    return this.#capacity;
  }

  /** The current refill rate in tokens per second (lower after `slowDown()`). */
  get rate(): number {
    return this.#rate;
  }

  /** Tokens available now (fractional while refilling). */
  get available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Number of callers waiting in `take()`. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Takes `n` tokens if they are there now and nobody is queued ahead;
   * returns whether it did.
   */
  tryTake(n = 1): boolean {
    this.#check(n);
    if (this.#queue.length > 0) return false;
    this.#refill();
    if (this.#tokens + EPSILON < n) return false;
    this.#tokens = Math.max(0, this.#tokens - n);
    return true;
  }

  /**
   * Resolves once `n` tokens have been taken, after every earlier waiter.
   * Rejects with the signal's reason if `signal` aborts first; the tokens are
   * then left for the next waiter.
   */
  take(n = 1, signal?: AbortSignal): Promise<void> {
    this.#check(n);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.tryTake(n)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index < 0) return;
        this.#queue.splice(index, 1);
        reject(abortReason(signal!));
        // The head may have changed: let the pump look again.
        if (index === 0) this.#wake?.abort();
      };
      const waiter: Waiter = {
        n,
        resolve,
        reject,
        cleanup: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /**
   * Backs off after the server said "too many requests": empties the bucket
   * and halves the rate, down to `minRateFactor` of the configured rate.
   */
  slowDown(factor = 0.5): void {
    this.#refill();
    this.#tokens = 0;
    this.#rate = Math.max(this.#minRate, this.#rate * factor);
    this.#wake?.abort();
  }

  /**
   * Steps the rate back up after a success: adds a tenth of the configured
   * rate, never above it.
   */
  recover(): void {
    if (this.#rate >= this.#baseRate) return;
    this.#refill();
    this.#rate = Math.min(this.#baseRate, this.#rate + this.#baseRate / 10);
    this.#wake?.abort();
  }

  #check(n: number): void {
    if (!(Number.isFinite(n) && n > 0 && n <= this.#capacity)) {
      throw new InvalidInputError(
        `Token count must be a positive number no larger than capacity ${this.#capacity}: ${n}`,
      );
    }
  }

  #refill(): void {
    const now = this.#clock.monotonic();
    const elapsed = now - this.#last;
    if (elapsed > 0) {
      this.#tokens = Math.min(
        this.#capacity,
        this.#tokens + elapsed * this.#rate / 1000,
      );
    }
    this.#last = now;
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        this.#refill();
        const head = this.#queue[0]!;
        if (this.#tokens + EPSILON >= head.n) {
          this.#tokens = Math.max(0, this.#tokens - head.n);
          this.#queue.shift();
          head.cleanup();
          head.resolve();
          continue;
        }
        const wait = (head.n - this.#tokens) * 1000 / this.#rate;
        const wake = new AbortController();
        this.#wake = wake;
        try {
          await this.#clock.sleep(wait, wake.signal);
        } catch {
          // Woken early: a waiter left or the rate changed.
        }
        this.#wake = undefined;
      }
    } finally {
      this.#pumping = false;
    }
  }
}
