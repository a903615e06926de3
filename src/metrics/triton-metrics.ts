/**
 * @module
 * Triton's per-model metric families (TRITON_METRICS) and their recorder for one model version,
 * updated as triton-inference-server/core src/infer_stats.cc updates them: the success counter,
 * inference count and the five latency counters on a successful request, the failure counter
 * by reason on a failed one, the execution count per execution.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import type { RequestTiming } from '../scheduler/index.js';
import { TRITON_METRICS } from './metric-names.js';
import {
  createCounter, createGauge, nonNegative, rows,
  type FailureReason, type VersionLabels, type VersionRecorder,
} from './version-recorder.js';

/** Triton's failure reasons (FailureReason in triton-inference-server/core); Triton spells CANCELED with one L. */
export type TritonFailureReason = 'REJECTED' | 'CANCELED' | 'BACKEND' | 'OTHER';

const TRITON_REASONS: readonly TritonFailureReason[] = ['REJECTED', 'CANCELED', 'BACKEND', 'OTHER'];

/**
 * Wharf's reasons in Triton's terms. A queue timeout is REJECTED: Triton's scheduler rejects
 * expired requests with "Request timeout expired" and FailureReason::REJECTED.
 */
export const TRITON_REASON_OF: Readonly<Record<FailureReason, TritonFailureReason>> = {
  REJECTED: 'REJECTED',
  TIMEOUT: 'REJECTED',
  CANCELLED: 'CANCELED',
  BACKEND: 'BACKEND',
};

const NS_PER_US = 1000;

export class TritonMetricFamilies {
  readonly #success: Counter;
  readonly #failure: Counter;
  readonly #inferences: Counter;
  readonly #executions: Counter;
  readonly #pending: Gauge;
  readonly #requestDuration: Counter;
  readonly #queueDuration: Counter;
  readonly #computeInput: Counter;
  readonly #computeInfer: Counter;
  readonly #computeOutput: Counter;

  constructor(registry: Registry) {
    this.#success = createCounter(TRITON_METRICS.success, registry);
    this.#failure = createCounter(TRITON_METRICS.failure, registry);
    this.#inferences = createCounter(TRITON_METRICS.inferences, registry);
    this.#executions = createCounter(TRITON_METRICS.executions, registry);
    this.#pending = createGauge(TRITON_METRICS.pending, registry);
    this.#requestDuration = createCounter(TRITON_METRICS.requestDuration, registry);
    this.#queueDuration = createCounter(TRITON_METRICS.queueDuration, registry);
    this.#computeInput = createCounter(TRITON_METRICS.computeInputDuration, registry);
    this.#computeInfer = createCounter(TRITON_METRICS.computeInferDuration, registry);
    this.#computeOutput = createCounter(TRITON_METRICS.computeOutputDuration, registry);
  }

  /** The recorder of one version; like Triton, every series (each failure reason too) starts at 0. */
  forVersion(labels: VersionLabels): VersionRecorder {
    const base = { model: labels.model, version: labels.version };
    const failureLabels = new Map(TRITON_REASONS.map((reason) => [reason, { ...base, reason }]));
    const counters = [this.#success, this.#inferences, this.#executions, this.#requestDuration, this.#queueDuration, this.#computeInput, this.#computeInfer, this.#computeOutput];
    for (const counter of counters) counter.inc(base, 0);
    for (const failure of failureLabels.values()) this.#failure.inc(failure, 0);
    this.#pending.set(base, 0);

    // Bound children, as in wharf-metrics.ts: no label hashing per request.
    const success = this.#success.labels(base);
    const inferences = this.#inferences.labels(base);
    const executions = this.#executions.labels(base);
    const requestDuration = this.#requestDuration.labels(base);
    const queueDuration = this.#queueDuration.labels(base);
    const computeInput = this.#computeInput.labels(base);
    const computeInfer = this.#computeInfer.labels(base);
    const computeOutput = this.#computeOutput.labels(base);
    const pending = this.#pending.labels(base);

    return {
      // Microseconds are kept fractional: Triton truncates each request's ns / 1000, which
      // loses up to 1 µs per request; the unit and meaning are the same.
      success: (batchSize: number, timing: RequestTiming) => {
        const queueNs = nonNegative(timing.queueNs);
        const inputNs = nonNegative(timing.computeInputNs);
        const inferNs = nonNegative(timing.computeInferNs);
        const outputNs = nonNegative(timing.computeOutputNs);
        success.inc();
        inferences.inc(rows(batchSize));
        requestDuration.inc((queueNs + inputNs + inferNs + outputNs) / NS_PER_US);
        queueDuration.inc(queueNs / NS_PER_US);
        computeInput.inc(inputNs / NS_PER_US);
        computeInfer.inc(inferNs / NS_PER_US);
        computeOutput.inc(outputNs / NS_PER_US);
      },
      failure: (reason: FailureReason) => {
        // `?? 'OTHER'`: a reason newer than this build is Triton's OTHER.
        const tritonReason = TRITON_REASON_OF[reason] ?? 'OTHER';
        this.#failure.inc(failureLabels.get(tritonReason) ?? { ...base, reason: tritonReason });
      },
      execution: () => {
        executions.inc();
      },
      // Triton's pending count is requests awaiting execution, i.e. the queue.
      load: (queueDepth: number) => {
        pending.set(nonNegative(queueDepth));
      },
      remove: () => {
        for (const counter of counters) counter.remove(base);
        for (const failure of failureLabels.values()) this.#failure.remove(failure);
        this.#pending.remove(base);
      },
    };
  }
}
