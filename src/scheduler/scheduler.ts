import type { Tensor } from '../core/index.js';
import type { SchedulerClock } from './clock.js';

/** One validated request, as the engine hands it to a model version's scheduler. */
export interface ScheduledRequest {
  /** Inputs as the model takes them; with batching, the first dim of each is the batch. */
  readonly inputs: Tensor[];
  readonly outputNames: readonly string[];
  /** Rows this request carries along the batch dimension; 0 for a model without batching. */
  readonly batchSize: number;
  /** Request parameter `priority`: 1 is the highest level; 0 or absent means the default level. */
  readonly priority?: number;
  /** Request parameter `timeout`, in microseconds; 0 or absent means the queue policy's default. */
  readonly timeoutUs?: number;
}

/** Where the time of one request went, in nanoseconds (Triton's statistics durations). */
export interface RequestTiming {
  /** Enqueued until its execution started. */
  readonly queueNs: number;
  /** Preparing the execution's inputs (merging a batch, handing tensors to the backend). */
  readonly computeInputNs: number;
  /** The model running. */
  readonly computeInferNs: number;
  /** Turning outputs into this request's outputs (splitting a batch). */
  readonly computeOutputNs: number;
}

/** What a scheduler reports, for statistics and metrics. Listeners must not throw. */
export interface SchedulerEvents {
  /** A request finished with its outputs. `batchSize` as on ScheduledRequest (1 for unbatched models). */
  onRequestSuccess?(batchSize: number, timing: RequestTiming): void;
  /**
   * A request failed; `queueNs` is how long it waited. `reason`: REJECTED when refused at enqueue
   * (queue full, bad priority, draining; queueNs 0), TIMEOUT when its queue timeout expired,
   * BACKEND when its execution failed.
   */
  onRequestFailure?(reason: 'REJECTED' | 'TIMEOUT' | 'BACKEND' | 'CANCELLED', queueNs: number): void;
  /** One backend execution ran `batchSize` rows (the sum of its requests' rows; 1 for unbatched). */
  onExecution?(batchSize: number, timing: Omit<RequestTiming, 'queueNs'>): void;
  /** The queue depth or executions in flight changed. */
  onLoad?(queueDepth: number, inflightExecutions: number): void;
}

/**
 * Owns the requests of one model version between the engine and the backend: queueing,
 * priorities, timeouts and (with dynamic batching) merging requests into executions.
 * Ownership of a request's input buffers passes to the scheduler on enqueue.
 */
export interface Scheduler {
  /** Resolves with the request's outputs, in the request's order; rejects with an InferenceError. */
  enqueue(request: ScheduledRequest): Promise<Tensor[]>;
  readonly queueDepth: number;
  readonly inflightExecutions: number;
  /** Refuses new requests and resolves once every accepted one has finished. */
  drain(): Promise<void>;
}

/** How a scheduler is built, beyond the model and its config. */
export interface SchedulerOptions {
  /** The model version, named in error messages (`model 'mlp' version 1: ...`). */
  readonly version?: string;
  /** Time source and timers; the real clock unless a test injects its own. */
  readonly clock?: SchedulerClock;
}
