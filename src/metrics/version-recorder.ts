/**
 * @module
 * What the metric families of one naming scheme (Wharf's, Triton's) do for one model version,
 * and the prom-client constructors driven by the metric-names table.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { RequestTiming, SchedulerEvents } from '../scheduler/index.js';
import type { MetricSpec } from './metric-names.js';

/** Why a request failed, as schedulers report it. */
export type FailureReason = Parameters<NonNullable<SchedulerEvents['onRequestFailure']>>[0];

/** Where the time of one execution went, in nanoseconds. */
export type ExecutionTiming = Omit<RequestTiming, 'queueNs'>;

/**
 * Every reason a scheduler reports. A record rather than a list so that a reason added to
 * SchedulerEvents fails to compile here until its series are created up front too.
 */
const FAILURE_REASON_SET: Record<FailureReason, true> = { REJECTED: true, TIMEOUT: true, BACKEND: true, CANCELLED: true };
export const FAILURE_REASONS = Object.keys(FAILURE_REASON_SET) as readonly FailureReason[];

/** The series of one model version in one naming scheme, updated from scheduler events. */
export interface VersionRecorder {
  success(batchSize: number, timing: RequestTiming): void;
  failure(reason: FailureReason, queueNs: number): void;
  execution(batchSize: number, timing: ExecutionTiming): void;
  load(queueDepth: number, inflightExecutions: number): void;
  /** Drops every series of the version from the exposition. */
  remove(): void;
}

/** Labels every per-version series carries. */
export interface VersionLabels {
  readonly model: string;
  readonly version: string;
}

/**
 * A duration or count as reported, if it is a finite non-negative number, else 0: listeners
 * must not throw, and prom-client throws on a negative counter increment and silently adds NaN.
 */
export function nonNegative(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Unbatched models report 0 rows (ScheduledRequest.batchSize); Triton counts them as 1. */
export function rows(batchSize: number): number {
  return Number.isFinite(batchSize) && batchSize >= 1 ? Math.trunc(batchSize) : 1;
}

export function createCounter(spec: MetricSpec, registry: Registry): Counter {
  return new Counter({ name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] });
}

export function createGauge(spec: MetricSpec, registry: Registry): Gauge {
  return new Gauge({ name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] });
}

export function createHistogram(spec: MetricSpec, registry: Registry): Histogram {
  return new Histogram({ name: spec.name, help: spec.help, labelNames: [...spec.labels], buckets: [...(spec.buckets ?? [])], registers: [registry] });
}
