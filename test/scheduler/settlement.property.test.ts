import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Tensor } from '../../src/core/index.js';
import { createScheduler, type ScheduledRequest } from '../../src/scheduler/index.js';
import { FakeClock, flush } from './fake-clock.js';
import { computeOutputs, FakeModel, fp32Request, modelConfig } from './fake-model.js';
import { EventLog } from './harness.js';

const workload = fc.record({
  instances: fc.integer({ min: 1, max: 3 }),
  maxBatchSize: fc.integer({ min: 0, max: 4 }),
  batching: fc.boolean(),
  delayUs: fc.constantFrom(0, 1_000, 4_000),
  preferred: fc.uniqueArray(fc.integer({ min: 1, max: 4 }), { maxLength: 2 }),
  levels: fc.integer({ min: 0, max: 3 }),
  maxQueueSize: fc.integer({ min: 0, max: 4 }),
  timeoutUs: fc.constantFrom(0, 2_000, 6_000),
  action: fc.constantFrom('REJECT' as const, 'DELAY' as const),
  override: fc.boolean(),
  preserve: fc.boolean(),
  execMs: fc.integer({ min: 1, max: 4 }),
  failEvery: fc.constantFrom(0, 0, 2, 3, 5),
  drainAfter: fc.nat({ max: 40 }),
  requests: fc.array(fc.record({
    gapMs: fc.constantFrom(0, 0, 0, 1, 2),
    rows: fc.integer({ min: 1, max: 4 }),
    cols: fc.integer({ min: 1, max: 2 }),
    priority: fc.nat({ max: 3 }),
    /** Sends a priority above priority_levels, which must be refused. */
    badPriority: fc.boolean().chain((b) => (b ? fc.boolean() : fc.constant(false))).chain((b) => (b ? fc.boolean() : fc.constant(false))),
    timeoutUs: fc.constantFrom(undefined, 0, 1_000, 3_000),
  }), { minLength: 5, maxLength: 40, size: 'large' }),
});

describe('every accepted request settles exactly once (random workloads)', () => {
  it('resolutions + rejections == enqueued; events match; the queue never exceeds max_queue_size', async () => {
    await fc.assert(fc.asyncProperty(workload, async (w) => {
      const clock = new FakeClock();
      const model = new FakeModel(w.instances, { kind: 'clock', clock, ms: w.execMs });
      let executions = 0;
      const execute = model.execute.bind(model);
      model.execute = (request) => {
        executions += 1;
        return w.failEvery > 0 && executions % w.failEvery === 0 ? Promise.reject(new Error('injected')) : execute(request);
      };
      const policy = { max_queue_size: w.maxQueueSize, default_timeout_microseconds: w.timeoutUs, timeout_action: w.action, allow_timeout_override: w.override };
      const batching = w.batching && w.maxBatchSize > 0
        ? { max_queue_delay_microseconds: w.delayUs, preferred_batch_size: w.preferred.filter((s) => s <= w.maxBatchSize), preserve_ordering: w.preserve,
          default_queue_policy: policy, ...(w.levels > 0 ? { priority_levels: w.levels, default_priority_level: w.levels } : {}) }
        : undefined;
      const events = new EventLog();
      const capacity = batching && w.maxQueueSize > 0 ? w.maxQueueSize * Math.max(1, w.levels) : Number.POSITIVE_INFINITY;
      let deepest = 0;
      const scheduler = createScheduler(model, modelConfig(w.maxBatchSize, batching), {
        ...events.listeners,
        onLoad: (depth) => { deepest = Math.max(deepest, depth); },
      }, { version: '1', clock });

      const settled = new Map<number, 'ok' | 'failed'>();
      let doubleSettled = 0;
      const sent: ScheduledRequest[] = [];
      let drain: Promise<void> | undefined;
      for (const [index, spec] of w.requests.entries()) {
        if (index === w.drainAfter) drain = scheduler.drain();
        const rows = w.maxBatchSize > 0 ? Math.min(spec.rows, w.maxBatchSize) : spec.rows;
        const levels = batching?.priority_levels ?? 0;
        const priority = spec.badPriority ? levels + 1 : spec.priority % (levels + 1);
        const request: ScheduledRequest = { ...fp32Request(rows, index * 10, { cols: spec.cols, priority, timeoutUs: spec.timeoutUs }), ...(w.maxBatchSize === 0 ? { batchSize: 0 } : {}) };
        sent.push(request);
        const record = (outcome: 'ok' | 'failed', outputs?: Tensor[]) => {
          if (settled.has(index)) doubleSettled += 1;
          settled.set(index, outcome);
          if (outputs !== undefined) assert.deepEqual(outputs, computeOutputs(request), `request ${index} got exactly its rows`);
        };
        scheduler.enqueue(request).then((outputs) => record('ok', outputs), () => record('failed'));
        assert.ok(scheduler.queueDepth <= capacity);
        if (spec.gapMs > 0) await clock.advance(spec.gapMs);
      }
      drain ??= scheduler.drain();
      for (let step = 0; step < 1000 && (model.inflight > 0 || scheduler.queueDepth > 0); step++) await clock.advance(1);
      await drain;
      await flush();

      assert.equal(settled.size, w.requests.length, 'every request settled');
      assert.equal(doubleSettled, 0);
      assert.equal(events.successes.length + events.failures.length, w.requests.length, 'one event per request');
      assert.equal(events.successes.length, [...settled.values()].filter((s) => s === 'ok').length);
      assert.ok(deepest <= capacity, `queue depth ${deepest} above ${capacity}`);
      assert.equal(scheduler.queueDepth, 0);
      assert.equal(scheduler.inflightExecutions, 0);
      assert.equal(clock.pendingTimers, 0, 'no timer left after drain');
      if (!batching || w.maxBatchSize === 0) assert.ok(events.executions.every((e) => e.rows <= Math.max(...sent.map((r) => Math.max(1, r.batchSize)))));
      else assert.ok(events.executions.every((e) => e.rows <= w.maxBatchSize), 'no batch above max_batch_size');
    }), { numRuns: 150 });
  });
});
