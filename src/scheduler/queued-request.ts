import type { Tensor } from '../core/index.js';
import type { InferenceError } from '../errors/index.js';
import type { ScheduledRequest } from './scheduler.js';

/** Where an accepted request is; it only ever moves forward through these states. */
export type RequestState = 'QUEUED' | 'DELAYED' | 'RUNNING' | 'SETTLED';

/**
 * One accepted request while a scheduler owns it. The list and heap fields belong to
 * RequestQueue (an intrusive list gives O(1) removal from the middle of the queue, which
 * batching requests of one shape out of a mixed queue needs).
 */
export class QueuedRequest {
  readonly request: ScheduledRequest;
  /** Rows counted against max_batch_size: Triton counts a request without rows as one. */
  readonly rows: number;
  /** Requests with equal keys can be merged into one execution. */
  readonly batchKey: string;
  /** Priority level (1 is the highest); 0 when the model has no priority levels. */
  readonly level: number;
  readonly enqueuedNs: number;
  /** Clock time the queue timeout expires; Infinity without a timeout. */
  readonly deadlineNs: number;
  /** The timeout that applies, for the error message; 0 without one. */
  readonly timeoutUs: number;
  state: RequestState = 'QUEUED';

  /** @internal RequestQueue's list links. */
  prev: QueuedRequest | undefined;
  /** @internal */
  next: QueuedRequest | undefined;
  /** @internal Position in RequestQueue's deadline heap; -1 when not in it. */
  heapIndex = -1;

  readonly #resolve: (outputs: Tensor[]) => void;
  readonly #reject: (error: InferenceError) => void;

  constructor(init: {
    request: ScheduledRequest; batchKey: string; level: number; enqueuedNs: number; timeoutUs: number;
    resolve: (outputs: Tensor[]) => void; reject: (error: InferenceError) => void;
  }) {
    this.request = init.request;
    this.rows = Math.max(1, init.request.batchSize);
    this.batchKey = init.batchKey;
    this.level = init.level;
    this.enqueuedNs = init.enqueuedNs;
    this.timeoutUs = init.timeoutUs;
    this.deadlineNs = init.timeoutUs > 0 ? init.enqueuedNs + init.timeoutUs * 1000 : Number.POSITIVE_INFINITY;
    this.#resolve = init.resolve;
    this.#reject = init.reject;
  }

  /** Resolves the caller's promise; false (and nothing happens) if the request was already settled. */
  resolve(outputs: Tensor[]): boolean {
    if (this.state === 'SETTLED') return false;
    this.state = 'SETTLED';
    this.#resolve(outputs);
    return true;
  }

  /** Rejects the caller's promise; false (and nothing happens) if the request was already settled. */
  reject(error: InferenceError): boolean {
    if (this.state === 'SETTLED') return false;
    this.state = 'SETTLED';
    this.#reject(error);
    return true;
  }
}
