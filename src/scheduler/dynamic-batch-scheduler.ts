import type { LoadedModel } from '../backends/index.js';
import type { CompletedModelConfig } from '../config/index.js';
import { batchLimits, formBatch, type BatchDecision, type BatchLimits } from './batch-former.js';
import { batchKey, mergeInputs, splitOutputs } from './batch-merge.js';
import { systemClock } from './clock.js';
import { QueuePolicies } from './queue-policy.js';
import { QueueScheduler, type ExecutionOutcome } from './queue-scheduler.js';
import type { QueuedRequest } from './queued-request.js';
import type { RequestQueue } from './request-queue.js';
import type { ScheduledRequest, SchedulerEvents, SchedulerOptions } from './scheduler.js';
import { batchInputError, modelLabel } from './scheduler-errors.js';

/**
 * Triton's dynamic batcher for a model with max_batch_size > 0 and `dynamic_batching`: queued
 * requests with the same shapes are merged along dim 0 into one execution (see batch-former.ts
 * for which, and when), under the queue policy's priorities, timeouts and queue limits.
 *
 * At most `model.instanceCount` executions are in flight: requests wait in this queue, where they
 * can still be merged, rather than in the backend's.
 */
export class DynamicBatchScheduler extends QueueScheduler {
  readonly #limits: BatchLimits;

  /** `config.dynamic_batching` absent counts as `dynamic_batching {}` (Triton's defaults). */
  constructor(model: LoadedModel, config: CompletedModelConfig, events: SchedulerEvents = {}, options: SchedulerOptions = {}) {
    const batching = config.dynamic_batching ?? {};
    const label = modelLabel(config.name, options.version);
    super({
      model, label, events, clock: options.clock ?? systemClock,
      policies: QueuePolicies.fromDynamicBatching(label, batching),
      slots: model.instanceCount,
      preserveOrdering: batching.preserve_ordering ?? false,
    });
    this.#limits = batchLimits(config.max_batch_size, batching);
  }

  /** Every input must lead with the request's batch size, or its rows could not be split back out. */
  protected override checkRequest(request: ScheduledRequest): void {
    for (const input of request.inputs) {
      if (input.shape[0] !== request.batchSize) throw batchInputError(this.label, input.name, input.shape, request.batchSize);
    }
  }

  // A backend that answers requests one by one gets them unmerged, so any requests can share a batch.
  protected override batchKeyOf(request: ScheduledRequest): string {
    return this.model.executeRequests ? '' : batchKey(request);
  }

  protected override formBatch(queue: RequestQueue, nowNs: number, flush: boolean): BatchDecision {
    return formBatch(queue, this.#limits, nowNs, flush);
  }

  protected override async runBatch(requests: readonly QueuedRequest[], startNs: number): Promise<ExecutionOutcome> {
    if (this.model.executeRequests) return this.callModelPerRequest(requests, startNs);
    const scheduled = requests.map((entry) => entry.request);
    const outputNames = scheduled[0]!.outputNames;
    const inputs = mergeInputs(scheduled);
    const callNs = this.clock.nowNs();
    const result = await this.callModel({ inputs, outputNames });
    const splitNs = this.clock.nowNs();
    const outputs = splitOutputs(this.label, outputNames, result.outputs, scheduled.map((request) => request.batchSize));
    return { outputs, computeInputNs: callNs - startNs, computeInferNs: result.computeInferNs, computeOutputNs: this.clock.nowNs() - splitNs };
  }
}
