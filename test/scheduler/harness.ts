import type { CompletedModelConfig } from '../../src/config/index.js';
import { createScheduler, type RequestTiming, type ScheduledRequest, type Scheduler, type SchedulerEvents } from '../../src/scheduler/index.js';
import { FakeClock } from './fake-clock.js';
import { FakeModel, Outcomes, type FakeTiming } from './fake-model.js';

/** Every event a scheduler fired, in order. */
export class EventLog {
  readonly successes: { rows: number; timing: RequestTiming }[] = [];
  readonly failures: { reason: string; queueNs: number }[] = [];
  readonly executions: { rows: number; timing: Omit<RequestTiming, 'queueNs'> }[] = [];
  readonly loads: [depth: number, inflight: number][] = [];
  readonly listeners: SchedulerEvents = {
    onRequestSuccess: (rows, timing) => { this.successes.push({ rows, timing }); },
    onRequestFailure: (reason, queueNs) => { this.failures.push({ reason, queueNs }); },
    onExecution: (rows, timing) => { this.executions.push({ rows, timing }); },
    onLoad: (depth, inflight) => { this.loads.push([depth, inflight]); },
  };
}

export interface Harness {
  readonly clock: FakeClock;
  readonly model: FakeModel;
  readonly scheduler: Scheduler;
  readonly outcomes: Outcomes;
  readonly events: EventLog;
  /** Enqueues `request` and records its outcome under `name`. */
  send(name: string, request: ScheduledRequest): void;
}

/** A scheduler for model 'mlp' version 1 over a fake model (manual answers by default) and a fake clock. */
export function harness(config: CompletedModelConfig, instances = 1, timing?: (clock: FakeClock) => FakeTiming): Harness {
  const clock = new FakeClock();
  const model = new FakeModel(instances, timing?.(clock) ?? { kind: 'manual' });
  const events = new EventLog();
  const scheduler = createScheduler(model, config, events.listeners, { version: '1', clock });
  const outcomes = new Outcomes();
  return { clock, model, scheduler, outcomes, events, send: (name, request) => outcomes.track(name, scheduler.enqueue(request)) };
}
