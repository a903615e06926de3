export {
  BATCH_SIZE_BUCKETS, LATENCY_BUCKETS_SECONDS, TRITON_METRICS, WHARF_METRICS,
  type MetricSpec, type MetricType,
} from './metric-names.js';
export {
  METRICS_COMPAT_VALUES, MetricsRegistry,
  type MetricsCompat, type MetricsRegistryOptions, type ModelMemoryUsage, type ModelMetricsSink,
} from './metrics-registry.js';
export {
  DEFAULT_METRICS_PORT, startMetricsServer,
  type MetricsServerOptions, type MetricsSource, type RunningMetricsServer,
} from './metrics-server.js';
export { TRITON_REASON_OF, type TritonFailureReason } from './triton-metrics.js';
export { FAILURE_REASONS, type FailureReason } from './version-recorder.js';
