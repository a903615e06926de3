/**
 * @module
 * SchedulerEvents adapters: statistics as a listener, and several listeners as one, so the
 * engine hands a scheduler a single `events` object that feeds statistics and metrics alike.
 */
import type { SchedulerEvents } from '../scheduler/index.js';
import type { ModelStatistics } from './model-statistics.js';

/** The listener that records a scheduler's events into `stats`. */
export function createStatisticsEvents(stats: ModelStatistics): SchedulerEvents {
  return {
    onRequestSuccess: (batchSize, timing) => stats.recordSuccess(batchSize, timing),
    onRequestFailure: (reason, queueNs) => stats.recordFailure(reason, queueNs),
    onExecution: (batchSize, timing) => stats.recordExecution(batchSize, timing),
  };
}

type EventName = keyof SchedulerEvents;
type Handler<K extends EventName> = NonNullable<SchedulerEvents[K]>;

/**
 * One listener that calls each of `events`, in order, for every event any of them handles.
 * The handler lists are built once: schedulers fire these per request. A listener that throws
 * (it must not) does not keep the later ones from seeing the event; the first error is rethrown
 * afterwards so the bug still shows.
 */
export function combineEvents(...events: SchedulerEvents[]): SchedulerEvents {
  const combined: SchedulerEvents = {};
  const onRequestSuccess = fanOut(events, 'onRequestSuccess');
  const onRequestFailure = fanOut(events, 'onRequestFailure');
  const onExecution = fanOut(events, 'onExecution');
  const onLoad = fanOut(events, 'onLoad');
  if (onRequestSuccess) combined.onRequestSuccess = onRequestSuccess;
  if (onRequestFailure) combined.onRequestFailure = onRequestFailure;
  if (onExecution) combined.onExecution = onExecution;
  if (onLoad) combined.onLoad = onLoad;
  return combined;
}

function fanOut<K extends EventName>(events: readonly SchedulerEvents[], name: K): Handler<K> | undefined {
  // Bound so that a listener written as a class with methods keeps its `this`.
  const handlers = events.flatMap((listener) => {
    const handler = listener[name];
    return handler === undefined ? [] : [(handler as (...args: unknown[]) => void).bind(listener)];
  });
  if (handlers.length === 0) return undefined;
  if (handlers.length === 1) return handlers[0];
  const call = (...args: unknown[]): void => {
    let failure: { error: unknown } | undefined;
    for (const handler of handlers) {
      try {
        handler(...args);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  };
  return call;
}
