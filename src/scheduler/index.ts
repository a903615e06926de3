/**
 * @module
 * Schedulers: what sits between the engine and a loaded model, one per model version.
 * `createScheduler` picks Triton's dynamic batcher when the config asks for it, else a scheduler
 * that runs each request alone. Where Wharf departs from Triton, and why:
 * - a `priority` outside 0..priority_levels is refused (ERR_REQUEST_PARAMETER); Triton silently
 *   uses the default level, which hides a client's mistake;
 * - with `allow_timeout_override` and a default timeout of 0 (none), a request `timeout` applies
 *   (it shortens "never"); Triton's code ignores it there, against its own docs;
 * - requests whose shapes differ from the oldest one's are skipped when forming its batch instead
 *   of ending the batch (batch-former.ts);
 * - without dynamic_batching, a request `timeout` is a queue timeout that rejects (Triton has no
 *   queue policy there and ignores it).
 * Like Triton: DELAY puts a timed-out request behind the requests of its level and above that
 * have not timed out (not behind lower levels); preserve_ordering delivers in the order requests
 * left the queue (arrival order within a level and shape).
 */
import type { LoadedModel } from '../backends/index.js';
import type { CompletedModelConfig } from '../config/index.js';
import { DirectScheduler } from './direct-scheduler.js';
import { DynamicBatchScheduler } from './dynamic-batch-scheduler.js';
import type { Scheduler, SchedulerEvents, SchedulerOptions } from './scheduler.js';

/**
 * The scheduler for one loaded model version: a DynamicBatchScheduler when
 * `max_batch_size > 0` and `dynamic_batching` is set, otherwise a DirectScheduler.
 */
export function createScheduler(model: LoadedModel, config: CompletedModelConfig, events: SchedulerEvents = {}, options: SchedulerOptions = {}): Scheduler {
  if (config.max_batch_size > 0 && config.dynamic_batching !== undefined) return new DynamicBatchScheduler(model, config, events, options);
  return new DirectScheduler(model, config, events, options);
}

export { systemClock, type SchedulerClock, type TimerHandle } from './clock.js';
export { DirectScheduler } from './direct-scheduler.js';
export { DynamicBatchScheduler } from './dynamic-batch-scheduler.js';
export type { RequestTiming, ScheduledRequest, Scheduler, SchedulerEvents, SchedulerOptions } from './scheduler.js';
