/**
 * @module
 * The two load loops of `wharf bench`, over any `send()` (one request; rejects on failure):
 *
 * - closed loop (`concurrency`): N senders, each sending its next request when the last returns;
 * - open loop (`request-rate`): request i is due at start + i/rate and is sent then whether or not
 *   earlier ones have returned. Its latency is measured from that INTENDED send time, so a server
 *   (or a generator) that falls behind shows the wait instead of hiding it: the "coordinated
 *   omission" of closed-loop tools, see https://www.youtube.com/watch?v=lJ8ydIuPFeU (Gil Tene).
 *
 * A request belongs to the measured interval when it is due (open) or sent (closed) after the
 * warm-up; every measured request is awaited, and the interval ends at the last one's answer.
 */
import { performance } from 'node:perf_hooks';
import type { LoadMode } from './bench-result.js';
import { LatencyHistogram } from './latency-histogram.js';

export interface LoadPlan {
  readonly mode: LoadMode;
  /** Concurrency, or requests per second. */
  readonly level: number;
  readonly warmupMs: number;
  /** Exactly one of durationMs and requests. */
  readonly durationMs?: number;
  readonly requests?: number;
  /**
   * Open loop: requests in flight at most; a request due while this many are out waits in the
   * generator (its latency still counts from its due time). Each in-flight HTTP/1.1 request holds
   * a connection, so without a cap an overloaded server makes the generator open connections
   * until the machine runs out of ports. @defaultValue DEFAULT_MAX_IN_FLIGHT
   */
  readonly maxInFlight?: number;
}

export const DEFAULT_MAX_IN_FLIGHT = 512;

/** Live counters, read by the progress display while the loop runs. */
export interface LoadProgress {
  phase: 'warmup' | 'measure' | 'drain';
  /** Measured requests answered so far (successes and failures). */
  completed: number;
  failed: number;
  inFlight: number;
}

export interface LoadOutcome {
  readonly histogram: LatencyHistogram;
  /** Measured requests answered, successful or not. */
  readonly requests: number;
  readonly succeeded: number;
  readonly errors: Record<string, number>;
  /** From the end of the warm-up to the last measured answer. */
  readonly durationMs: number;
  /** Open loop: the largest delay between a request's due time and its actual send (0 for closed). */
  readonly maxSendLagMs: number;
}

export interface LoadHooks {
  /** Called once when the warm-up ends (to snapshot server statistics). */
  readonly onMeasureStart?: () => void;
  readonly progress?: LoadProgress;
}

/** The code of a failed request: InferenceError's stable code, a Node error code, or ERR_UNKNOWN. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code !== '' ? code : 'ERR_UNKNOWN';
}

export function runLoad(plan: LoadPlan, send: () => Promise<unknown>, hooks: LoadHooks = {}): Promise<LoadOutcome> {
  return plan.mode === 'concurrency' ? runClosedLoop(plan, send, hooks) : runOpenLoop(plan, send, hooks);
}

class Recorder {
  readonly histogram = new LatencyHistogram();
  readonly errors: Record<string, number> = {};
  readonly progress: LoadProgress;
  succeeded = 0;
  lastAnswerAt = 0;

  constructor(progress: LoadProgress | undefined) {
    this.progress = progress ?? { phase: 'warmup', completed: 0, failed: 0, inFlight: 0 };
  }

  success(latencyMs: number, now: number): void {
    this.histogram.recordMs(latencyMs);
    this.succeeded += 1;
    this.progress.completed += 1;
    this.lastAnswerAt = Math.max(this.lastAnswerAt, now);
  }

  failure(error: unknown, now: number): void {
    const code = errorCode(error);
    this.errors[code] = (this.errors[code] ?? 0) + 1;
    this.progress.completed += 1;
    this.progress.failed += 1;
    this.lastAnswerAt = Math.max(this.lastAnswerAt, now);
  }

  outcome(measureStart: number, minEnd: number, maxSendLagMs: number): LoadOutcome {
    return {
      histogram: this.histogram, requests: this.progress.completed, succeeded: this.succeeded, errors: this.errors,
      durationMs: Math.max(this.lastAnswerAt, minEnd) - measureStart, maxSendLagMs,
    };
  }
}

async function runClosedLoop(plan: LoadPlan, send: () => Promise<unknown>, hooks: LoadHooks): Promise<LoadOutcome> {
  const recorder = new Recorder(hooks.progress);
  const progress = recorder.progress;
  const start = performance.now();
  const measureStart = start + plan.warmupMs;
  const measureEnd = plan.durationMs === undefined ? Infinity : measureStart + plan.durationMs;
  let measuredSent = 0;
  let started = false;
  const startMeasuring = (): void => {
    if (started) return;
    started = true;
    progress.phase = 'measure';
    hooks.onMeasureStart?.();
  };
  const timer = plan.warmupMs > 0 ? setTimeout(startMeasuring, plan.warmupMs) : undefined;
  if (plan.warmupMs <= 0) startMeasuring();

  const sender = async (): Promise<void> => {
    for (;;) {
      const sentAt = performance.now();
      const measured = sentAt >= measureStart;
      if (measured) {
        startMeasuring();
        if (sentAt >= measureEnd || (plan.requests !== undefined && measuredSent >= plan.requests)) return;
        measuredSent += 1;
      }
      progress.inFlight += 1;
      try {
        await send();
        const now = performance.now();
        if (measured) recorder.success(now - sentAt, now);
      } catch (error) {
        if (measured) recorder.failure(error, performance.now());
      } finally {
        progress.inFlight -= 1;
      }
    }
  };
  await Promise.all(Array.from({ length: plan.level }, sender));
  clearTimeout(timer);
  return recorder.outcome(measureStart, Math.min(measureEnd, performance.now()), 0);
}

async function runOpenLoop(plan: LoadPlan, send: () => Promise<unknown>, hooks: LoadHooks): Promise<LoadOutcome> {
  const recorder = new Recorder(hooks.progress);
  const progress = recorder.progress;
  const intervalMs = 1000 / plan.level;
  const start = performance.now();
  const measureStart = start + plan.warmupMs;
  // Requests due before the warm-up ends are not measured; after it, `measuredCount` are.
  const warmupCount = Math.ceil(plan.warmupMs / intervalMs);
  const measuredCount = plan.requests ?? Math.max(1, Math.round((plan.durationMs ?? 0) / intervalMs));
  const total = warmupCount + measuredCount;
  const pending = new Set<Promise<void>>();
  let maxSendLagMs = 0;
  let next = 0;

  const maxInFlight = plan.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const backlog: number[] = [];
  const fire = (index: number): void => {
    if (index === warmupCount) {
      progress.phase = 'measure';
      hooks.onMeasureStart?.();
    }
    if (progress.inFlight >= maxInFlight) backlog.push(index);
    else sendNow(index);
  };
  const sendNow = (index: number): void => {
    const dueAt = start + index * intervalMs;
    const measured = index >= warmupCount;
    const sentAt = performance.now();
    if (measured) maxSendLagMs = Math.max(maxSendLagMs, sentAt - dueAt);
    progress.inFlight += 1;
    const request = send().then(
      () => {
        const now = performance.now();
        if (measured) recorder.success(now - dueAt, now);
      },
      (error: unknown) => {
        if (measured) recorder.failure(error, performance.now());
      },
    ).finally(() => {
      progress.inFlight -= 1;
      pending.delete(request);
      const waiting = backlog.shift();
      if (waiting !== undefined) sendNow(waiting);
    });
    pending.add(request);
  };

  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) fire(next++);
      if (next >= total) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, start + next * intervalMs - performance.now()));
    };
    tick();
  });
  progress.phase = 'drain';
  while (pending.size > 0) await Promise.all([...pending]);
  return recorder.outcome(measureStart, start + total * intervalMs, maxSendLagMs);
}
