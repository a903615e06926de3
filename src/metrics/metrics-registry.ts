/**
 * @module
 * The Prometheus registry of one server: Wharf's metric families, Triton's when asked for, the
 * model state gauge and prom-client's process metrics, fed per model version by the engine.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { ModelReadyState } from '../core/index.js';
import type { SchedulerEvents } from '../scheduler/index.js';
import { WHARF_METRICS, type MetricSpec } from './metric-names.js';
import { TritonMetricFamilies } from './triton-metrics.js';
import { createGauge, type VersionRecorder } from './version-recorder.js';
import { WharfMetricFamilies } from './wharf-metrics.js';

/** Which extra metric names to export next to Wharf's own. */
export type MetricsCompat = 'none' | 'triton';
export const METRICS_COMPAT_VALUES: readonly MetricsCompat[] = ['none', 'triton'];

export interface MetricsRegistryOptions {
  /** `'triton'` also exports Triton's nv_inference_* metrics. @defaultValue 'none' */
  readonly compat?: MetricsCompat;
  /** prom-client's process_* and nodejs_* metrics, event-loop lag included. @defaultValue true */
  readonly defaultMetrics?: boolean;
}

/**
 * What the engine calls to feed metrics; MetricsRegistry implements it. The engine depends on
 * this interface so that tests can hand it a fake.
 */
export interface ModelMetricsSink {
  /** The scheduler listener of one model version; the same object on every call for it. */
  eventsFor(model: string, version: string): SchedulerEvents;
  /** Every state change of a version, from its first LOADING on. */
  setModelState(model: string, version: string, state: ModelReadyState): void;
  /** Drops every series of a version that is gone from the repository for good. */
  removeModelVersion(model: string, version: string): void;
  /** A backend instance of a version died and is being replaced. */
  countInstanceRestart(model: string, version: string): void;
  /** Where the memory budget gauges read from at each scrape. */
  observeModelMemory(source: () => ModelMemoryUsage): void;
}

/** The memory budget and what each resident model is counted at. */
export interface ModelMemoryUsage {
  readonly budgetBytes: number | undefined;
  readonly models: Readonly<Record<string, number>>;
}

/** Every state, so the gauge reports 0 for the others; a record so a new state fails to compile here. */
const STATE_SET: Record<ModelReadyState, true> = { UNKNOWN: true, LOADING: true, READY: true, UNLOADING: true, UNAVAILABLE: true };
const MODEL_STATES = Object.keys(STATE_SET) as readonly ModelReadyState[];

interface VersionEntry {
  readonly events: SchedulerEvents;
  readonly recorders: readonly VersionRecorder[];
}

/**
 * One per server, never prom-client's global default registry: several servers (tests, an
 * embedding application) can then live in one process without sharing or clashing series.
 */
export class MetricsRegistry implements ModelMetricsSink {
  /** The prom-client registry, to add an application's own metrics or to merge with others. */
  readonly registry: Registry;
  readonly compat: MetricsCompat;
  readonly #wharf: WharfMetricFamilies;
  readonly #triton: TritonMetricFamilies | undefined;
  readonly #modelState: Gauge;
  readonly #instanceRestarts: Counter;
  readonly #versions = new Map<string, VersionEntry>();
  readonly #stated = new Set<string>();
  #memorySource: (() => ModelMemoryUsage) | undefined;

  constructor(options: MetricsRegistryOptions = {}) {
    this.compat = options.compat ?? 'none';
    if (!METRICS_COMPAT_VALUES.includes(this.compat)) throw new TypeError(`metrics compat must be one of ${METRICS_COMPAT_VALUES.join(', ')}, got ${JSON.stringify(this.compat)}`);
    this.registry = new Registry();
    this.#wharf = new WharfMetricFamilies(this.registry);
    this.#triton = this.compat === 'triton' ? new TritonMetricFamilies(this.registry) : undefined;
    this.#modelState = createGauge(WHARF_METRICS.modelState, this.registry);
    this.#instanceRestarts = new Counter({ ...metricSpec(WHARF_METRICS.instanceRestarts), registers: [this.registry] });
    const memory = (): ModelMemoryUsage | undefined => this.#memorySource?.();
    new Gauge({
      ...metricSpec(WHARF_METRICS.modelMemory), registers: [this.registry],
      collect() {
        this.reset();
        for (const [model, bytes] of Object.entries(memory()?.models ?? {})) this.set({ model }, bytes);
      },
    });
    new Gauge({
      ...metricSpec(WHARF_METRICS.memoryBudget), registers: [this.registry],
      collect() {
        this.reset();
        const budget = memory()?.budgetBytes;
        if (budget !== undefined) this.set(budget);
      },
    });
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The Content-Type of `metrics()`: Prometheus text format 0.0.4. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text of every metric. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  eventsFor(model: string, version: string): SchedulerEvents {
    const id = key(model, version);
    let entry = this.#versions.get(id);
    if (entry === undefined) {
      const labels = { model, version };
      const recorders = [this.#wharf.forVersion(labels), ...(this.#triton ? [this.#triton.forVersion(labels)] : [])];
      entry = { recorders, events: eventsOf(recorders) };
      this.#versions.set(id, entry);
    }
    return entry.events;
  }

  setModelState(model: string, version: string, state: ModelReadyState): void {
    this.#stated.add(key(model, version));
    for (const each of MODEL_STATES) this.#modelState.set({ model, version, state: each }, each === state ? 1 : 0);
  }

  countInstanceRestart(model: string, version: string): void {
    this.#instanceRestarts.inc({ model, version });
  }

  observeModelMemory(source: () => ModelMemoryUsage): void {
    this.#memorySource = source;
  }

  removeModelVersion(model: string, version: string): void {
    const id = key(model, version);
    for (const recorder of this.#versions.get(id)?.recorders ?? []) recorder.remove();
    this.#versions.delete(id);
    this.#instanceRestarts.remove({ model, version });
    if (this.#stated.delete(id)) {
      for (const state of MODEL_STATES) this.#modelState.remove({ model, version, state });
    }
  }
}

function eventsOf(recorders: readonly VersionRecorder[]): SchedulerEvents {
  return {
    onRequestSuccess: (batchSize, timing) => {
      for (const recorder of recorders) recorder.success(batchSize, timing);
    },
    onRequestFailure: (reason, queueNs) => {
      for (const recorder of recorders) recorder.failure(reason, queueNs);
    },
    onExecution: (batchSize, timing) => {
      for (const recorder of recorders) recorder.execution(batchSize, timing);
    },
    onLoad: (queueDepth, inflightExecutions) => {
      for (const recorder of recorders) recorder.load(queueDepth, inflightExecutions);
    },
  };
}

/** JSON keeps names apart that a plain separator would merge ("a/b" + "1" vs "a" + "b/1"). */
function key(model: string, version: string): string {
  return JSON.stringify([model, version]);
}

function metricSpec(spec: MetricSpec): { name: string; help: string; labelNames: string[] } {
  return { name: spec.name, help: spec.help, labelNames: [...spec.labels] };
}
