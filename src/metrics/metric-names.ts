/**
 * @module
 * Every metric Wharf exports, in one table: name, type, labels, help text and buckets.
 * The recorders read their definitions from here and docs/metrics.md documents each row
 * (test/metrics/metric-names.test.ts checks that none is missing there).
 * Wharf's own names follow Prometheus naming (unit in the name, base units, `_total` on
 * counters); the `nv_*` names are Triton's, kept exactly for its dashboards and autoscalers.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly labels: readonly string[];
  readonly help: string;
  /** Upper bounds of a histogram's buckets (+Inf is implicit). */
  readonly buckets?: readonly number[];
}

/**
 * Seconds, from 0.5 ms to 30 s: CPU inference of small models takes around a millisecond, and
 * a queue that backs up reaches seconds before timeouts cut it.
 */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Powers of two up to 1024: dynamic batching prefers such sizes, and max_batch_size rarely exceeds them. */
export const BATCH_SIZE_BUCKETS: readonly number[] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

const VERSION_LABELS = ['model', 'version'] as const;

export const WHARF_METRICS = {
  requests: {
    name: 'wharf_inference_requests_total',
    type: 'counter',
    labels: [...VERSION_LABELS, 'outcome', 'reason'],
    help: 'Inference requests that finished, by outcome ("success" or "failure") and, for failures, the stage that failed them (reason). A request counts 1 whatever its batch size.',
  },
  requestDuration: {
    name: 'wharf_inference_request_duration_seconds',
    type: 'histogram',
    labels: VERSION_LABELS,
    help: 'Time of successful requests from enqueue to outputs (queue + compute), in seconds.',
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  queueDuration: {
    name: 'wharf_inference_queue_duration_seconds',
    type: 'histogram',
    labels: VERSION_LABELS,
    help: 'Time successful requests waited in the scheduler queue before their execution started, in seconds.',
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  computeDuration: {
    name: 'wharf_inference_compute_duration_seconds',
    type: 'histogram',
    labels: [...VERSION_LABELS, 'phase'],
    help: 'Time of one backend execution per phase: "input" (preparing inputs), "infer" (running the model), "output" (splitting outputs), in seconds.',
    buckets: LATENCY_BUCKETS_SECONDS,
  },
  batchSize: {
    name: 'wharf_inference_batch_size',
    type: 'histogram',
    labels: VERSION_LABELS,
    help: 'Rows per backend execution (the sum of the batched requests\' rows; 1 for unbatched models).',
    buckets: BATCH_SIZE_BUCKETS,
  },
  executions: {
    name: 'wharf_inference_executions_total',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Backend executions; several requests merged by dynamic batching count 1.',
  },
  inferences: {
    name: 'wharf_inference_count_total',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Inferences performed by successful requests, batch-expanded: a request of batch n counts n.',
  },
  queueDepth: {
    name: 'wharf_inference_queue_depth',
    type: 'gauge',
    labels: VERSION_LABELS,
    help: 'Requests waiting in the scheduler queue for an execution.',
  },
  inflightExecutions: {
    name: 'wharf_inference_inflight_executions',
    type: 'gauge',
    labels: VERSION_LABELS,
    help: 'Backend executions running now.',
  },
  modelState: {
    name: 'wharf_model_state',
    type: 'gauge',
    labels: [...VERSION_LABELS, 'state'],
    help: 'Model version state: 1 for the current state (UNKNOWN, LOADING, READY, UNLOADING or UNAVAILABLE), 0 for the others.',
  },
  instanceRestarts: {
    name: 'wharf_model_instance_restarts_total',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Backend instances (worker threads) of a model version that died, ran out of memory or overran their execution timeout, and were replaced.',
  },
  modelMemory: {
    name: 'wharf_model_memory_bytes',
    type: 'gauge',
    labels: ['model'],
    help: 'With --model-memory-budget: memory accounted to each resident model (measured resident-set growth at load, at least its file size).',
  },
  memoryBudget: {
    name: 'wharf_model_memory_budget_bytes',
    type: 'gauge',
    labels: [],
    help: 'With --model-memory-budget: the budget, in bytes.',
  },
} as const satisfies Record<string, MetricSpec>;

/**
 * Triton's per-model inference metrics (docs/user_guide/metrics.md in
 * triton-inference-server/server): same names, labels, units and meaning. The latencies are
 * cumulative microsecond counters, Triton's default `counter_latencies` form.
 */
export const TRITON_METRICS = {
  success: {
    name: 'nv_inference_request_success',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Successful inference requests (a request counts 1 whatever its batch size).',
  },
  failure: {
    name: 'nv_inference_request_failure',
    type: 'counter',
    labels: [...VERSION_LABELS, 'reason'],
    help: 'Failed inference requests by reason: REJECTED, CANCELED, BACKEND or OTHER.',
  },
  inferences: {
    name: 'nv_inference_count',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Inferences performed, batch-expanded (a request of batch n counts n).',
  },
  executions: {
    name: 'nv_inference_exec_count',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Model executions performed (a dynamic batch counts 1).',
  },
  pending: {
    name: 'nv_inference_pending_request_count',
    type: 'gauge',
    labels: VERSION_LABELS,
    help: 'Requests waiting for execution.',
  },
  requestDuration: {
    name: 'nv_inference_request_duration_us',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Cumulative end-to-end time of successful requests, in microseconds.',
  },
  queueDuration: {
    name: 'nv_inference_queue_duration_us',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Cumulative time successful requests waited in the scheduling queue, in microseconds.',
  },
  computeInputDuration: {
    name: 'nv_inference_compute_input_duration_us',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Cumulative time successful requests spent preparing inputs, in microseconds.',
  },
  computeInferDuration: {
    name: 'nv_inference_compute_infer_duration_us',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Cumulative time successful requests spent running the model, in microseconds.',
  },
  computeOutputDuration: {
    name: 'nv_inference_compute_output_duration_us',
    type: 'counter',
    labels: VERSION_LABELS,
    help: 'Cumulative time successful requests spent processing outputs, in microseconds.',
  },
} as const satisfies Record<string, MetricSpec>;
