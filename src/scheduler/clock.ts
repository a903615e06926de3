/**
 * @module
 * The time source of a scheduler. Schedulers read time and arm timers only through this
 * interface, so tests can drive queue delays and timeouts with a fake clock instead of sleeping.
 */

/** An opaque timer handle, whatever `setTimer` returned. */
export type TimerHandle = unknown;

export interface SchedulerClock {
  /** A monotonic time in nanoseconds; only differences are meaningful. */
  nowNs(): number;
  /** Calls `callback` once, after at least `delayMs` milliseconds. */
  setTimer(callback: () => void, delayMs: number): TimerHandle;
  clearTimer(handle: TimerHandle): void;
}

// hrtime is monotonic (wall-clock steps do not move deadlines); subtracting the process-start
// reading keeps the values far below 2^53, so they stay exact as plain numbers.
const ORIGIN = process.hrtime.bigint();

/** The real clock: process.hrtime for readings, setTimeout for timers. */
export const systemClock: SchedulerClock = {
  nowNs: () => Number(process.hrtime.bigint() - ORIGIN),
  setTimer: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
