/**
 * @module
 * The search of `wharf tune`, as pure functions: which configurations to try, and how a
 * trial's load levels give its score. A trial's score is the highest throughput of a level
 * whose latency metric is within the budget and that had no errors.
 */
import type { LatencySummary, LevelResult } from './bench-result.js';

export type LatencyMetric = 'p50' | 'p90' | 'p95' | 'p99' | 'p999' | 'mean' | 'max';
export const LATENCY_METRICS: readonly LatencyMetric[] = ['p50', 'p90', 'p95', 'p99', 'p999', 'mean', 'max'];

/** A model configuration in Triton's JSON form. */
export type ModelConfigJson = Record<string, unknown>;

export interface TrialConfig {
  /** Short description for the ranking: `instances 2, batching delay 1000us`. */
  readonly label: string;
  readonly instances: number;
  /** Undefined: no dynamic batching. */
  readonly maxQueueDelayUs?: number;
  readonly preferredBatchSize?: readonly number[];
  /** Undefined: the model's own max_batch_size. */
  readonly maxBatchSize?: number;
}

export interface TrialScore {
  readonly trial: TrialConfig;
  /** Best level within budget; undefined when no level met it. */
  readonly best: LevelResult | undefined;
  readonly levels: readonly LevelResult[];
}

/** Instance counts to try first: 1, 2, 4, ... up to `maxInstances`, and `maxInstances` itself; at most 4. */
export function instanceCandidates(maxInstances: number): number[] {
  const counts = new Set<number>();
  for (let n = 1; n <= maxInstances && counts.size < 3; n *= 2) counts.add(n);
  counts.add(Math.max(1, maxInstances));
  return [...counts].sort((a, b) => a - b);
}

/** Phase 1: instance counts without batching. */
export function instanceTrials(maxInstances: number): TrialConfig[] {
  return instanceCandidates(maxInstances).map((instances) => ({ label: `instances ${instances}, no batching`, instances }));
}

/** Queue delays tried in phase 2, in microseconds. */
export const BATCHING_DELAYS_US: readonly number[] = [0, 1000, 5000];

/** Phase 2, for a batching model: dynamic batching on the best instance count, a few delays, then a preferred size. */
export function batchingTrials(instances: number, maxBatchSize: number): TrialConfig[] {
  if (maxBatchSize <= 1) return [];
  const trials: TrialConfig[] = BATCHING_DELAYS_US.map((delay) => ({ label: `instances ${instances}, batching delay ${delay}us`, instances, maxQueueDelayUs: delay }));
  trials.push({ label: `instances ${instances}, batching delay 1000us, preferred ${maxBatchSize}`, instances, maxQueueDelayUs: 1000, preferredBatchSize: [maxBatchSize] });
  return trials;
}

/**
 * Phase 3, for a batching model: the best batching trial with room for larger batches (2x and
 * 4x max_batch_size, up to 256). Requests keep their own batch size; only the cap on what the
 * dynamic batcher may merge grows, so clients see no change.
 */
export function maxBatchSizeTrials(best: TrialConfig, maxBatchSize: number): TrialConfig[] {
  if (maxBatchSize <= 0 || best.maxQueueDelayUs === undefined) return [];
  return [2, 4].map((factor) => Math.min(256, maxBatchSize * factor)).filter((size, i, all) => size > maxBatchSize && all.indexOf(size) === i)
    .map((size) => ({ label: `instances ${best.instances}, batching delay ${best.maxQueueDelayUs}us, max_batch_size ${size}`, instances: best.instances, maxQueueDelayUs: best.maxQueueDelayUs, maxBatchSize: size }));
}

/** The original configuration with a trial's changes: instance_group, dynamic_batching and max_batch_size replaced. */
export function applyTrial(original: ModelConfigJson, trial: TrialConfig): ModelConfigJson {
  const { dynamic_batching: _dropped, ...rest } = original;
  const kind = (original.instance_group as { kind?: string }[] | undefined)?.[0]?.kind ?? 'KIND_CPU';
  return {
    ...rest,
    ...(trial.maxBatchSize === undefined ? {} : { max_batch_size: trial.maxBatchSize }),
    instance_group: [{ count: trial.instances, kind }],
    ...(trial.maxQueueDelayUs === undefined ? {} : {
      dynamic_batching: {
        max_queue_delay_microseconds: trial.maxQueueDelayUs,
        ...(trial.preferredBatchSize === undefined ? {} : { preferred_batch_size: [...trial.preferredBatchSize] }),
      },
    }),
  };
}

export function metricOf(latency: LatencySummary, metric: LatencyMetric): number {
  return latency[metric];
}

/** The level with the highest throughput among those within budget and without errors. */
export function bestWithinBudget(levels: readonly LevelResult[], metric: LatencyMetric, budgetMs: number): LevelResult | undefined {
  let best: LevelResult | undefined;
  for (const level of levels) {
    if (level.errorRate > 0 || level.requests === 0 || metricOf(level.latencyMs, metric) > budgetMs) continue;
    if (best === undefined || level.inferencesPerSecond > best.inferencesPerSecond) best = level;
  }
  return best;
}

/** Trials ordered best first: those within budget by throughput, then the rest. */
export function rankTrials(scores: readonly TrialScore[]): TrialScore[] {
  return [...scores].sort((a, b) => (b.best?.inferencesPerSecond ?? -1) - (a.best?.inferencesPerSecond ?? -1));
}
