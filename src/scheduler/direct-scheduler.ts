import type { LoadedModel } from '../backends/index.js';
import type { CompletedModelConfig } from '../config/index.js';
import type { BatchDecision } from './batch-former.js';
import { systemClock } from './clock.js';
import { QueuePolicies } from './queue-policy.js';
import { QueueScheduler, type ExecutionOutcome } from './queue-scheduler.js';
import type { QueuedRequest } from './queued-request.js';
import type { RequestQueue } from './request-queue.js';
import type { SchedulerEvents, SchedulerOptions } from './scheduler.js';
import { modelLabel } from './scheduler-errors.js';

/**
 * The scheduler of a model without dynamic batching: each request is its own execution, in
 * arrival order. Up to `2 * model.instanceCount` executions are in flight, because the backend
 * keeps two runs per worker to hide the thread round trip; the rest wait here in an unbounded
 * FIFO (Triton has no queue policy without dynamic_batching). A request's `priority` must be 0
 * or absent, and its `timeout` is a queue timeout that rejects (see QueuePolicies.forUnbatched).
 */
export class DirectScheduler extends QueueScheduler {
  constructor(model: LoadedModel, config: CompletedModelConfig, events: SchedulerEvents = {}, options: SchedulerOptions = {}) {
    const label = modelLabel(config.name, options.version);
    super({
      model, label, events, clock: options.clock ?? systemClock,
      policies: QueuePolicies.forUnbatched(label),
      slots: 2 * model.instanceCount,
      preserveOrdering: false,
    });
  }

  protected override formBatch(queue: RequestQueue): BatchDecision {
    const first = queue.first();
    return first === undefined ? { kind: 'idle' } : { kind: 'run', requests: [first] };
  }

  protected override async runBatch(requests: readonly QueuedRequest[], startNs: number): Promise<ExecutionOutcome> {
    if (this.model.executeRequests) return this.callModelPerRequest(requests, startNs);
    const { inputs, outputNames } = requests[0]!.request;
    const callNs = this.clock.nowNs();
    const result = await this.callModel({ inputs, outputNames });
    return { outputs: [result.outputs], computeInputNs: callNs - startNs, computeInferNs: result.computeInferNs, computeOutputNs: 0 };
  }
}
