/**
 * @module
 * What every Wharf scheduler shares: accepting a request into the priority queue (or refusing
 * it), timeouts enforced by one timer, a bounded number of executions in flight, delivery (in
 * order when asked), events, and draining. Subclasses decide only which queued requests run
 * together (formBatch) and how one execution runs (runBatch).
 */
import type { ExecuteRequest, ExecuteResult, LoadedModel } from '../backends/index.js';
import type { Tensor } from '../core/index.js';
import { InferenceError, toInferenceError } from '../errors/index.js';
import type { BatchDecision } from './batch-former.js';
import type { SchedulerClock } from './clock.js';
import { DeadlineTimer } from './deadline-timer.js';
import type { QueuePolicies } from './queue-policy.js';
import { QueuedRequest } from './queued-request.js';
import { RequestQueue } from './request-queue.js';
import { ResponseOrder, type OrderSlot } from './response-order.js';
import type { ScheduledRequest, Scheduler, SchedulerEvents } from './scheduler.js';
import { queueFullError, queueTimeoutError, stoppingError } from './scheduler-errors.js';

export interface QueueSchedulerInit {
  readonly model: LoadedModel;
  /** `model 'mlp' version 1`, the start of every error message. */
  readonly label: string;
  readonly policies: QueuePolicies;
  /** Executions allowed in flight at once. */
  readonly slots: number;
  readonly preserveOrdering: boolean;
  readonly events: SchedulerEvents;
  readonly clock: SchedulerClock;
}

/** What one execution produced, for the requests it ran (in the order runBatch received them). */
export interface ExecutionOutcome {
  /** Each request's outputs, or the error that failed that request alone. */
  readonly outputs: (Tensor[] | InferenceError)[];
  readonly computeInputNs: number;
  readonly computeInferNs: number;
  readonly computeOutputNs: number;
}

export abstract class QueueScheduler implements Scheduler {
  protected readonly model: LoadedModel;
  protected readonly label: string;
  protected readonly clock: SchedulerClock;
  readonly #policies: QueuePolicies;
  readonly #queue: RequestQueue;
  readonly #slots: number;
  readonly #order: ResponseOrder;
  readonly #events: SchedulerEvents;
  readonly #timer: DeadlineTimer;
  #inflight = 0;
  /** Accepted requests not settled yet: queued, running, or finished but held for ordering. */
  #unsettled = 0;
  #draining = false;
  #drainWaiters: (() => void)[] = [];
  #pumping = false;
  #pumpAgain = false;
  #reportedDepth = 0;
  #reportedInflight = 0;

  constructor(init: QueueSchedulerInit) {
    this.model = init.model;
    this.label = init.label;
    this.clock = init.clock;
    this.#policies = init.policies;
    this.#queue = new RequestQueue(init.policies);
    this.#slots = Math.max(1, init.slots);
    this.#order = new ResponseOrder(init.preserveOrdering);
    this.#events = init.events;
    this.#timer = new DeadlineTimer(init.clock, () => this.#pump());
  }

  get queueDepth(): number {
    return this.#queue.size;
  }

  get inflightExecutions(): number {
    return this.#inflight;
  }

  enqueue(request: ScheduledRequest): Promise<Tensor[]> {
    if (this.#draining) return this.#refuse(stoppingError(this.label));
    let level: number;
    try {
      level = this.#policies.levelOf(request.priority);
      this.checkRequest(request);
    } catch (error) {
      return this.#refuse(toInferenceError(error));
    }
    const nowNs = this.clock.nowNs();
    // Timeouts due by now free their room before the size check, even if the timer is late.
    this.#rejectExpired(this.#queue.expire(nowNs), nowNs);
    const full = this.#queue.fullAt(level);
    if (full !== undefined) {
      this.#reportLoad();
      return this.#refuse(queueFullError(this.label, level, full));
    }
    let settle!: { resolve: (outputs: Tensor[]) => void; reject: (error: InferenceError) => void };
    const promise = new Promise<Tensor[]>((resolve, reject) => { settle = { resolve, reject }; });
    const timeoutUs = this.#policies.timeoutUsFor(level, request.timeoutUs);
    this.#queue.push(new QueuedRequest({ request, batchKey: this.batchKeyOf(request), level, enqueuedNs: nowNs, timeoutUs, ...settle }));
    this.#unsettled += 1;
    this.#pump();
    return promise;
  }

  drain(): Promise<void> {
    this.#draining = true;
    // Batches waiting for more requests run now: no more will come.
    this.#pump();
    if (this.#unsettled === 0) return Promise.resolve();
    return new Promise((resolve) => { this.#drainWaiters.push(resolve); });
  }

  /** Throws an InferenceError for a request this scheduler cannot take; runs before it is queued. */
  protected checkRequest(_request: ScheduledRequest): void {}

  /** Requests with equal keys may run in one execution. */
  protected batchKeyOf(_request: ScheduledRequest): string {
    return '';
  }

  /** Which queued requests run next on a free execution slot; `flush` means stop waiting for more. */
  protected abstract formBatch(queue: RequestQueue, nowNs: number, flush: boolean): BatchDecision;

  /** Runs one execution; a rejection fails exactly its requests. */
  protected abstract runBatch(requests: readonly QueuedRequest[], startNs: number): Promise<ExecutionOutcome>;

  /**
   * Calls a backend that answers requests one by one (LoadedModel.executeRequests) with these
   * requests unmerged; a result missing for a request fails that request.
   */
  protected async callModelPerRequest(requests: readonly QueuedRequest[], startNs: number): Promise<ExecutionOutcome> {
    const callNs = this.clock.nowNs();
    let answer;
    try {
      answer = await this.model.executeRequests!(requests.map((entry) => ({ inputs: entry.request.inputs, outputNames: entry.request.outputNames })));
    } catch (error) {
      throw toInferenceError(error, 'ERR_BACKEND_RUNTIME');
    }
    const outputs = requests.map((_entry, index) => {
      const result = answer.results[index];
      if (result === undefined) return new InferenceError('ERR_BACKEND_RUNTIME', `${this.label}: the backend returned ${answer.results.length} responses for ${requests.length} requests`);
      return 'error' in result ? result.error : result.outputs;
    });
    return { outputs, computeInputNs: callNs - startNs, computeInferNs: answer.computeInferNs, computeOutputNs: 0 };
  }

  /** Calls the backend, giving any failure the backend-runtime code unless it already has one. */
  protected async callModel(request: ExecuteRequest): Promise<ExecuteResult> {
    try {
      return await this.model.execute(request);
    } catch (error) {
      throw toInferenceError(error, 'ERR_BACKEND_RUNTIME');
    }
  }

  /** Forms and dispatches executions while a slot is free, then arms the timer for whatever is due next. */
  #pump(): void {
    // A listener may enqueue from inside a callback; the outer pass then loops once more.
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        const nowNs = this.clock.nowNs();
        this.#rejectExpired(this.#queue.expire(nowNs), nowNs);
        let wakeNs = Number.POSITIVE_INFINITY;
        while (this.#inflight < this.#slots && this.#queue.size > 0) {
          const decision = this.formBatch(this.#queue, nowNs, this.#draining);
          if (decision.kind === 'run') {
            this.#dispatch(decision.requests);
          } else {
            if (decision.kind === 'wait') wakeNs = decision.untilNs;
            break;
          }
        }
        this.#timer.arm(Math.min(wakeNs, this.#queue.nextDeadlineNs()));
      } while (this.#pumpAgain);
    } finally {
      this.#pumping = false;
    }
    this.#reportLoad();
    this.#checkDrained();
  }

  #dispatch(requests: QueuedRequest[]): void {
    for (const entry of requests) {
      this.#queue.remove(entry);
      entry.state = 'RUNNING';
    }
    this.#inflight += 1;
    void this.#execute(requests, this.clock.nowNs(), this.#order.reserve());
  }

  /** Never rejects: every outcome ends in delivering or failing each of `requests`. */
  async #execute(requests: QueuedRequest[], startNs: number, slot: OrderSlot): Promise<void> {
    let outcome: ExecutionOutcome | undefined;
    let failure: InferenceError | undefined;
    try {
      outcome = await this.runBatch(requests, startNs);
    } catch (error) {
      failure = toInferenceError(error, 'ERR_INTERNAL');
    }
    this.#inflight -= 1;
    if (outcome !== undefined) {
      const { computeInputNs, computeInferNs, computeOutputNs } = outcome;
      const rows = requests.reduce((sum, entry) => sum + entry.rows, 0);
      this.#notify((events) => events.onExecution?.(rows, { computeInputNs, computeInferNs, computeOutputNs }));
    }
    const done = outcome;
    this.#order.complete(slot, () => (done === undefined ? this.#fail(requests, startNs, failure!) : this.#deliver(requests, startNs, done)));
    this.#pump();
  }

  #deliver(requests: readonly QueuedRequest[], startNs: number, outcome: ExecutionOutcome): void {
    const { computeInputNs, computeInferNs, computeOutputNs } = outcome;
    requests.forEach((entry, index) => {
      const result = outcome.outputs[index] ?? [];
      if (result instanceof InferenceError) {
        if (!entry.reject(result)) return;
        this.#unsettled -= 1;
        this.#notify((events) => events.onRequestFailure?.('BACKEND', startNs - entry.enqueuedNs));
        return;
      }
      if (!entry.resolve(result)) return;
      this.#unsettled -= 1;
      const timing = { queueNs: startNs - entry.enqueuedNs, computeInputNs, computeInferNs, computeOutputNs };
      this.#notify((events) => events.onRequestSuccess?.(entry.rows, timing));
    });
    this.#checkDrained();
  }

  #fail(requests: readonly QueuedRequest[], startNs: number, error: InferenceError): void {
    for (const entry of requests) {
      if (!entry.reject(error)) continue;
      this.#unsettled -= 1;
      this.#notify((events) => events.onRequestFailure?.('BACKEND', startNs - entry.enqueuedNs));
    }
    this.#checkDrained();
  }

  #rejectExpired(expired: readonly QueuedRequest[], nowNs: number): void {
    for (const entry of expired) {
      const waitedNs = nowNs - entry.enqueuedNs;
      if (!entry.reject(queueTimeoutError(this.label, waitedNs, entry.timeoutUs))) continue;
      this.#unsettled -= 1;
      this.#notify((events) => events.onRequestFailure?.('TIMEOUT', waitedNs));
    }
  }

  #refuse(error: InferenceError): Promise<never> {
    this.#notify((events) => events.onRequestFailure?.('REJECTED', 0));
    return Promise.reject(error);
  }

  #reportLoad(): void {
    const depth = this.#queue.size;
    const inflight = this.#inflight;
    if (depth === this.#reportedDepth && inflight === this.#reportedInflight) return;
    this.#reportedDepth = depth;
    this.#reportedInflight = inflight;
    this.#notify((events) => events.onLoad?.(depth, inflight));
  }

  #checkDrained(): void {
    if (!this.#draining || this.#unsettled > 0 || this.#drainWaiters.length === 0) return;
    this.#timer.cancel();
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const resolve of waiters) resolve();
  }

  /** Listeners must not throw; if one does, the scheduler carries on and the throw becomes a process warning. */
  #notify(call: (events: SchedulerEvents) => void): void {
    try {
      call(this.#events);
    } catch (error) {
      process.emitWarning(`a scheduler event listener threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
