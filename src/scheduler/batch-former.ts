/**
 * @module
 * The dynamic batcher's decision, as a pure function of the queue and the time: which requests
 * run together next, or how long to wait for more. It follows Triton's GetDynamicBatch
 * (core/src/dynamic_batch_scheduler.cc) with one difference: Triton sends the pending batch as
 * soon as the next request has another shape, while here requests of another shape are skipped
 * (they form their own batch next), so one odd request does not cut every batch short.
 * @see {@link https://github.com/triton-inference-server/server/blob/main/docs/user_guide/batcher.md}
 */
import type { ModelDynamicBatching } from '../config/index.js';
import type { QueuedRequest } from './queued-request.js';

export interface BatchLimits {
  readonly maxBatchSize: number;
  /** Ascending, unique, each within 1..maxBatchSize; [maxBatchSize] when the config lists none (as Triton normalizes it). */
  readonly preferredBatchSizes: readonly number[];
  /** max_queue_delay_microseconds in nanoseconds; 0 runs without waiting. */
  readonly maxQueueDelayNs: number;
}

export type BatchDecision =
  | { readonly kind: 'run'; readonly requests: QueuedRequest[] }
  | { readonly kind: 'wait'; readonly untilNs: number }
  | { readonly kind: 'idle' };

export function batchLimits(maxBatchSize: number, batching: ModelDynamicBatching): BatchLimits {
  const preferred = [...new Set(batching.preferred_batch_size ?? [])].filter((size) => size >= 1 && size <= maxBatchSize).sort((a, b) => a - b);
  return {
    maxBatchSize,
    preferredBatchSizes: preferred.length > 0 ? preferred : [maxBatchSize],
    maxQueueDelayNs: (batching.max_queue_delay_microseconds ?? 0) * 1000,
  };
}

/**
 * Forms the next batch from `queue` (in service order) for a free execution slot.
 *
 * The first request in service order fixes the batch key (shape, datatypes, outputs); the batch
 * takes the following requests with that key while their rows fit in max_batch_size. A request
 * that does not fit is not split and nothing after it is taken (it leads the next batch).
 * Then, as Triton:
 * - a preferred batch size was reached and the oldest request's delay has not expired: run the
 *   largest preferred size reached;
 * - the batch is full (max_batch_size or the largest preferred size), the delay has expired,
 *   the delay is 0, or `flush` is set (draining): run everything gathered;
 * - otherwise wait until the oldest gathered request's delay expires (or more requests arrive).
 */
export function formBatch(queue: Iterable<QueuedRequest>, limits: BatchLimits, nowNs: number, flush: boolean): BatchDecision {
  const { maxBatchSize, preferredBatchSizes, maxQueueDelayNs } = limits;
  const maxPreferred = preferredBatchSizes[preferredBatchSizes.length - 1] ?? maxBatchSize;
  const gathered: QueuedRequest[] = [];
  let key: string | undefined;
  let rows = 0;
  let oldestNs = Number.POSITIVE_INFINITY;
  let preferredCount = 0;
  let full = false;
  for (const entry of queue) {
    if (key === undefined) key = entry.batchKey;
    else if (entry.batchKey !== key) continue;
    if (gathered.length > 0) {
      // Passing the largest preferred size: what was gathered so far counts as a preferred batch.
      if (rows + entry.rows > maxPreferred && preferredCount === 0) preferredCount = gathered.length;
      if (rows + entry.rows > maxBatchSize) {
        full = true;
        break;
      }
    }
    gathered.push(entry);
    rows += entry.rows;
    oldestNs = Math.min(oldestNs, entry.enqueuedNs);
    if (preferredBatchSizes.includes(rows)) preferredCount = gathered.length;
    if (rows >= maxBatchSize) break;
  }
  if (gathered.length === 0) return { kind: 'idle' };

  const delayExpired = maxQueueDelayNs !== 0 && nowNs - oldestNs >= maxQueueDelayNs;
  if (preferredCount > 0 && !delayExpired && !flush) return { kind: 'run', requests: gathered.slice(0, preferredCount) };
  if (full || rows >= maxPreferred || delayExpired || maxQueueDelayNs === 0 || flush) return { kind: 'run', requests: gathered };
  return { kind: 'wait', untilNs: oldestNs + maxQueueDelayNs };
}
