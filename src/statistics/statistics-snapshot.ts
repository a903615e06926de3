/**
 * @module
 * The statistics of one model version in the JSON form of Triton's statistics extension
 * (`GET v2/models[/{m}[/versions/{v}]]/stats`, docs/protocol/extension_statistics.md in
 * triton-inference-server/server). Field names are Triton's, snake_case, so the HTTP route
 * sends a snapshot as it is and protocol/grpc maps it field for field onto ModelStatistics.
 * This file imports nothing: protocol/ reads these types without pulling in the accumulator.
 */

/** A number of events and their total duration. */
export interface DurationStat {
  count: number;
  /** Total nanoseconds. */
  ns: number;
}

/**
 * Request-level statistics. `success` holds the whole request time (queue + compute); `queue`
 * and the three `compute_*` entries count successful requests only, as Triton's do, so every
 * one of them has `count === success.count`. `fail.ns` is the time failed requests waited.
 */
export interface InferStatsSnapshot {
  success: DurationStat;
  fail: DurationStat;
  queue: DurationStat;
  compute_input: DurationStat;
  compute_infer: DurationStat;
  compute_output: DurationStat;
  /**
   * Always zero: Wharf has no response cache. Present because Triton always sends them and
   * perf_analyzer reads `inference_stats.cache_hit.count` without checking that it exists.
   */
  cache_hit: DurationStat;
  cache_miss: DurationStat;
}

/** Executions of one batch size; every entry's `count` is the number of such executions. */
export interface BatchStatsSnapshot {
  batch_size: number;
  compute_input: DurationStat;
  compute_infer: DurationStat;
  compute_output: DurationStat;
}

/** One element of `model_stats`. Counts and nanoseconds are numbers: they stay below 2^53 for centuries. */
export interface ModelStatisticsSnapshot {
  name: string;
  version: string;
  /** Milliseconds since the epoch of the last completed execution or request; 0 before the first. */
  last_inference: number;
  /** Batch-expanded: the rows of every successful request (a request of an unbatched model counts 1). */
  inference_count: number;
  /** Backend executions: a dynamic batch of several requests counts 1. */
  execution_count: number;
  inference_stats: InferStatsSnapshot;
  /** One entry per execution batch size seen, ascending by `batch_size`. */
  batch_stats: BatchStatsSnapshot[];
}
