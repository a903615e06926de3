/**
 * @module
 * The statistics accumulator of one model version, with the semantics of Triton's
 * InferenceStatsAggregator (triton-inference-server/core src/infer_stats.cc): a success adds
 * its request, queue and compute times; a failure adds only its count and duration; an
 * execution adds to execution_count and to the entry of its batch size.
 */
import type { RequestTiming, SchedulerEvents } from '../scheduler/index.js';
import type { BatchStatsSnapshot, DurationStat, ModelStatisticsSnapshot } from './statistics-snapshot.js';

/** Why a request failed, as schedulers report it. */
export type FailureReason = Parameters<NonNullable<SchedulerEvents['onRequestFailure']>>[0];

/** Where the time of one execution went, in nanoseconds. */
export type ExecutionTiming = Omit<RequestTiming, 'queueNs'>;

export interface ModelStatisticsOptions {
  /** Wall clock for `last_inference`, in ms since the epoch. @defaultValue Date.now */
  readonly now?: () => number;
}

interface BatchTotals {
  count: number;
  inputNs: number;
  inferNs: number;
  outputNs: number;
}

/**
 * Totals since the version was first served, as plain numbers: events arrive on the one JS
 * thread, so nothing is locked. Counts stay exact (below 2^53) for centuries. A sum of
 * nanoseconds passes 2^53 after 104 days of request time, which is about a day with 100
 * requests always in flight; past that each addition rounds by a few ns out of ~10^16, an
 * error far below what rates and averages of these totals can show.
 */
export class ModelStatistics {
  readonly name: string;
  readonly version: string;
  readonly #now: () => number;
  #lastInferenceMs = 0;
  #inferenceCount = 0;
  #executionCount = 0;
  #successCount = 0;
  #requestNs = 0;
  #queueNs = 0;
  #computeInputNs = 0;
  #computeInferNs = 0;
  #computeOutputNs = 0;
  #failCount = 0;
  #failNs = 0;
  readonly #batches = new Map<number, BatchTotals>();

  constructor(name: string, version: string, options: ModelStatisticsOptions = {}) {
    this.name = name;
    this.version = version;
    this.#now = options.now ?? Date.now;
  }

  /** A request finished with outputs; `batchSize` is its rows (0 or 1 for an unbatched model). */
  recordSuccess(batchSize: number, timing: RequestTiming): void {
    const queueNs = duration(timing.queueNs);
    const inputNs = duration(timing.computeInputNs);
    const inferNs = duration(timing.computeInferNs);
    const outputNs = duration(timing.computeOutputNs);
    this.#inferenceCount += rows(batchSize);
    this.#successCount += 1;
    this.#requestNs += queueNs + inputNs + inferNs + outputNs;
    this.#queueNs += queueNs;
    this.#computeInputNs += inputNs;
    this.#computeInferNs += inferNs;
    this.#computeOutputNs += outputNs;
    this.#touch();
  }

  /**
   * A request failed. Schedulers report only how long it waited, so `fail.ns` is queue time;
   * for a BACKEND failure the compute time before the error is not in it.
   */
  recordFailure(_reason: FailureReason, queueNs: number): void {
    this.#failCount += 1;
    this.#failNs += duration(queueNs);
  }

  /** One backend execution of `batchSize` rows (the sum of its requests' rows). */
  recordExecution(batchSize: number, timing: ExecutionTiming): void {
    const size = rows(batchSize);
    let totals = this.#batches.get(size);
    if (totals === undefined) {
      totals = { count: 0, inputNs: 0, inferNs: 0, outputNs: 0 };
      this.#batches.set(size, totals);
    }
    totals.count += 1;
    totals.inputNs += duration(timing.computeInputNs);
    totals.inferNs += duration(timing.computeInferNs);
    totals.outputNs += duration(timing.computeOutputNs);
    this.#executionCount += 1;
    this.#touch();
  }

  /** A copy of the totals in Triton's JSON form; later events do not change it. */
  snapshot(): ModelStatisticsSnapshot {
    const success = this.#successCount;
    return {
      name: this.name,
      version: this.version,
      last_inference: this.#lastInferenceMs,
      inference_count: this.#inferenceCount,
      execution_count: this.#executionCount,
      inference_stats: {
        success: stat(success, this.#requestNs),
        fail: stat(this.#failCount, this.#failNs),
        queue: stat(success, this.#queueNs),
        compute_input: stat(success, this.#computeInputNs),
        compute_infer: stat(success, this.#computeInferNs),
        compute_output: stat(success, this.#computeOutputNs),
        cache_hit: stat(0, 0),
        cache_miss: stat(0, 0),
      },
      batch_stats: [...this.#batches.entries()]
        .sort(([a], [b]) => a - b)
        .map(([batchSize, t]): BatchStatsSnapshot => ({
          batch_size: batchSize,
          compute_input: stat(t.count, t.inputNs),
          compute_infer: stat(t.count, t.inferNs),
          compute_output: stat(t.count, t.outputNs),
        })),
    };
  }

  /** Triton moves last_inference on executions; Wharf also on request completions, never backwards. */
  #touch(): void {
    const now = this.#now();
    if (now > this.#lastInferenceMs) this.#lastInferenceMs = now;
  }
}

/** An empty snapshot: what a version that has served nothing reports. */
export function emptyStatistics(name: string, version: string): ModelStatisticsSnapshot {
  return new ModelStatistics(name, version).snapshot();
}

/**
 * A duration as reported, kept only if it is a finite non-negative number: listeners must not
 * throw, and one NaN from a clock bug would otherwise poison every later total.
 */
function duration(ns: number): number {
  return Number.isFinite(ns) && ns > 0 ? ns : 0;
}

/** Unbatched models report 0 rows (ScheduledRequest.batchSize); Triton counts them as 1. */
function rows(batchSize: number): number {
  return Number.isFinite(batchSize) && batchSize >= 1 ? Math.trunc(batchSize) : 1;
}

/** Whole nanoseconds: schedulers may measure with fractional clocks, the wire wants integers. */
function stat(count: number, ns: number): DurationStat {
  return { count, ns: Math.round(ns) };
}
