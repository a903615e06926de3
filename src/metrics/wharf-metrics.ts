/**
 * @module
 * Wharf's own metric families (WHARF_METRICS) and their recorder for one model version.
 */
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestTiming } from '../scheduler/index.js';
import { WHARF_METRICS } from './metric-names.js';
import {
  FAILURE_REASONS, createCounter, createGauge, createHistogram, nonNegative, rows,
  type ExecutionTiming, type FailureReason, type VersionLabels, type VersionRecorder,
} from './version-recorder.js';

const NS_PER_SECOND = 1e9;

export class WharfMetricFamilies {
  readonly #requests: Counter;
  readonly #requestDuration: Histogram;
  readonly #queueDuration: Histogram;
  readonly #computeDuration: Histogram;
  readonly #batchSize: Histogram;
  readonly #executions: Counter;
  readonly #inferences: Counter;
  readonly #queueDepth: Gauge;
  readonly #inflightExecutions: Gauge;

  constructor(registry: Registry) {
    this.#requests = createCounter(WHARF_METRICS.requests, registry);
    this.#requestDuration = createHistogram(WHARF_METRICS.requestDuration, registry);
    this.#queueDuration = createHistogram(WHARF_METRICS.queueDuration, registry);
    this.#computeDuration = createHistogram(WHARF_METRICS.computeDuration, registry);
    this.#batchSize = createHistogram(WHARF_METRICS.batchSize, registry);
    this.#executions = createCounter(WHARF_METRICS.executions, registry);
    this.#inferences = createCounter(WHARF_METRICS.inferences, registry);
    this.#queueDepth = createGauge(WHARF_METRICS.queueDepth, registry);
    this.#inflightExecutions = createGauge(WHARF_METRICS.inflightExecutions, registry);
  }

  /**
   * The recorder of one version. Every series starts at zero right away, so that rate() and
   * increase() see the first request instead of a series that appears with it.
   */
  forVersion(labels: VersionLabels): VersionRecorder {
    const base = { model: labels.model, version: labels.version };
    const successLabels = { ...base, outcome: 'success' };
    const failureLabels = new Map(FAILURE_REASONS.map((reason) => [reason, { ...base, outcome: 'failure', reason }]));
    const inputLabels = { ...base, phase: 'input' };
    const inferLabels = { ...base, phase: 'infer' };
    const outputLabels = { ...base, phase: 'output' };
    const phaseLabels = [inputLabels, inferLabels, outputLabels];

    this.#requests.inc(successLabels, 0);
    for (const failure of failureLabels.values()) this.#requests.inc(failure, 0);
    for (const histogram of [this.#requestDuration, this.#queueDuration, this.#batchSize]) histogram.zero(base);
    for (const phase of phaseLabels) this.#computeDuration.zero(phase);
    this.#executions.inc(base, 0);
    this.#inferences.inc(base, 0);
    this.#queueDepth.set(base, 0);
    this.#inflightExecutions.set(base, 0);

    // Bound children: prom-client otherwise hashes the label object on every observation.
    const requestsOk = this.#requests.labels(successLabels);
    const inferences = this.#inferences.labels(base);
    const executions = this.#executions.labels(base);
    const requestDuration = this.#requestDuration.labels(base);
    const queueDuration = this.#queueDuration.labels(base);
    const batchSizes = this.#batchSize.labels(base);
    const inputDuration = this.#computeDuration.labels(inputLabels);
    const inferDuration = this.#computeDuration.labels(inferLabels);
    const outputDuration = this.#computeDuration.labels(outputLabels);
    const queueDepthGauge = this.#queueDepth.labels(base);
    const inflightGauge = this.#inflightExecutions.labels(base);

    return {
      success: (batchSize: number, timing: RequestTiming) => {
        const queueNs = nonNegative(timing.queueNs);
        const totalNs = queueNs + nonNegative(timing.computeInputNs) + nonNegative(timing.computeInferNs) + nonNegative(timing.computeOutputNs);
        requestsOk.inc();
        inferences.inc(rows(batchSize));
        requestDuration.observe(totalNs / NS_PER_SECOND);
        queueDuration.observe(queueNs / NS_PER_SECOND);
      },
      failure: (reason: FailureReason) => {
        // A reason newer than this build still counts, under its own label value.
        this.#requests.inc(failureLabels.get(reason) ?? { ...base, outcome: 'failure', reason: String(reason) });
      },
      execution: (batchSize: number, timing: ExecutionTiming) => {
        executions.inc();
        batchSizes.observe(rows(batchSize));
        inputDuration.observe(nonNegative(timing.computeInputNs) / NS_PER_SECOND);
        inferDuration.observe(nonNegative(timing.computeInferNs) / NS_PER_SECOND);
        outputDuration.observe(nonNegative(timing.computeOutputNs) / NS_PER_SECOND);
      },
      load: (queueDepth: number, inflightExecutions: number) => {
        queueDepthGauge.set(nonNegative(queueDepth));
        inflightGauge.set(nonNegative(inflightExecutions));
      },
      remove: () => {
        this.#requests.remove(successLabels);
        for (const failure of failureLabels.values()) this.#requests.remove(failure);
        for (const metric of [this.#requestDuration, this.#queueDuration, this.#batchSize, this.#executions, this.#inferences, this.#queueDepth, this.#inflightExecutions]) metric.remove(base);
        for (const phase of phaseLabels) this.#computeDuration.remove(phase);
      },
    };
  }
}
