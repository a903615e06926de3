export {
  ModelStatistics, emptyStatistics,
  type ExecutionTiming, type FailureReason, type ModelStatisticsOptions,
} from './model-statistics.js';
export { combineEvents, createStatisticsEvents } from './scheduler-events.js';
export { StatisticsRegistry } from './statistics-registry.js';
export type { BatchStatsSnapshot, DurationStat, InferStatsSnapshot, ModelStatisticsSnapshot } from './statistics-snapshot.js';
