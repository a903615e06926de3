import type { SchedulerClock, TimerHandle } from './clock.js';

/** setTimeout fires at once (with a warning) for delays above 2^31-1 ms; longer waits re-arm on wake-up. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The single timer of a scheduler. Whoever owns it computes the nearest time anything is due
 * (a queue timeout, the end of a batching delay) and calls `arm()`; one timer per scheduler
 * instead of one per request keeps a long queue cheap. The callback runs at or after the time;
 * it is never called after `cancel()`.
 */
export class DeadlineTimer {
  readonly #clock: SchedulerClock;
  readonly #onDue: () => void;
  #handle: TimerHandle = undefined;
  /** When the armed timer fires; Infinity when none is armed. */
  #atNs = Number.POSITIVE_INFINITY;

  constructor(clock: SchedulerClock, onDue: () => void) {
    this.#clock = clock;
    this.#onDue = onDue;
  }

  /** Makes the timer fire at `atNs` (clock time); Infinity cancels it. */
  arm(atNs: number): void {
    if (atNs === this.#atNs) return;
    this.cancel();
    if (atNs === Number.POSITIVE_INFINITY) return;
    this.#atNs = atNs;
    // Rounded up: a timer that fires a fraction early would only find nothing due and re-arm.
    const delayMs = Math.min(MAX_TIMER_MS, Math.max(0, Math.ceil((atNs - this.#clock.nowNs()) / 1e6)));
    this.#handle = this.#clock.setTimer(() => {
      this.#atNs = Number.POSITIVE_INFINITY;
      this.#onDue();
    }, delayMs);
  }

  cancel(): void {
    if (this.#atNs !== Number.POSITIVE_INFINITY) this.#clock.clearTimer(this.#handle);
    this.#atNs = Number.POSITIVE_INFINITY;
  }
}
