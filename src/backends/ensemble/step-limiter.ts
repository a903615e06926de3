/**
 * A counting semaphore: at most `limit` holders at once, the others wait in arrival order.
 * Used for ensemble_scheduling.max_inflight_requests, one per step.
 */
export class StepLimiter {
  readonly #limit: number;
  #held = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, limit);
  }

  /** Runs `work` once a place is free, and frees it when `work` settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#held >= this.#limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#held += 1;
    try {
      return await work();
    } finally {
      // The place passes straight to the next waiter, so a newcomer cannot take it in between.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#held -= 1;
    }
  }
}
