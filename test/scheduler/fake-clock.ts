import type { SchedulerClock, TimerHandle } from '../../src/scheduler/index.js';

/** Lets every pending promise continuation run (microtasks drain before an immediate). */
export const flush = (): Promise<void> => new Promise((resolve) => { setImmediate(resolve); });

/**
 * A clock that only moves when the test says so: queue delays and timeouts become exact and
 * independent of how busy the machine is.
 */
export class FakeClock implements SchedulerClock {
  #nowNs = 1_000_000_000;
  #nextId = 1;
  readonly #timers = new Map<number, { atNs: number; callback: () => void }>();

  nowNs(): number {
    return this.#nowNs;
  }

  setTimer(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { atNs: this.#nowNs + delayMs * 1e6, callback });
    return id;
  }

  clearTimer(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in time order and letting promises settle after each. */
  async advance(ms: number): Promise<void> {
    const target = this.#nowNs + ms * 1e6;
    for (;;) {
      let next: [number, { atNs: number; callback: () => void }] | undefined;
      for (const entry of this.#timers) if (entry[1].atNs <= target && (next === undefined || entry[1].atNs < next[1].atNs)) next = entry;
      if (next === undefined) break;
      this.#timers.delete(next[0]);
      this.#nowNs = Math.max(this.#nowNs, next[1].atNs);
      next[1].callback();
      await flush();
    }
    this.#nowNs = target;
    await flush();
  }
}
