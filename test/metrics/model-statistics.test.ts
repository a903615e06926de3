import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { combineEvents, createStatisticsEvents, emptyStatistics, ModelStatistics, StatisticsRegistry } from '../../src/statistics/index.js';
import type { SchedulerEvents } from '../../src/scheduler/index.js';

const zero = { count: 0, ns: 0 };

/** A clock the test moves by hand. */
function manualClock(start = 1_700_000_000_000): { now: () => number; set: (ms: number) => void } {
  let ms = start;
  return { now: () => ms, set: (value) => { ms = value; } };
}

describe('ModelStatistics', () => {
  it('starts empty, in Triton\'s JSON shape', () => {
    assert.deepEqual(new ModelStatistics('m', '1').snapshot(), {
      name: 'm',
      version: '1',
      last_inference: 0,
      inference_count: 0,
      execution_count: 0,
      inference_stats: { success: zero, fail: zero, queue: zero, compute_input: zero, compute_infer: zero, compute_output: zero, cache_hit: zero, cache_miss: zero },
      batch_stats: [],
    });
    assert.deepEqual(emptyStatistics('m', '1'), new ModelStatistics('m', '1').snapshot());
  });

  it('adds successes, failures and executions as Triton\'s aggregator does', () => {
    const clock = manualClock();
    const stats = new ModelStatistics('m', '3', { now: clock.now });
    const events = createStatisticsEvents(stats);
    // Two requests of 1 and 3 rows, dynamically batched into one execution of 4.
    events.onExecution!(4, { computeInputNs: 100, computeInferNs: 1000, computeOutputNs: 10 });
    clock.set(1_700_000_000_005);
    events.onRequestSuccess!(1, { queueNs: 500, computeInputNs: 100, computeInferNs: 1000, computeOutputNs: 10 });
    events.onRequestSuccess!(3, { queueNs: 700, computeInputNs: 100, computeInferNs: 1000, computeOutputNs: 10 });
    // Then a lone request of 2 rows and one that timed out in the queue.
    events.onExecution!(2, { computeInputNs: 50, computeInferNs: 600, computeOutputNs: 5 });
    events.onRequestSuccess!(2, { queueNs: 0, computeInputNs: 50, computeInferNs: 600, computeOutputNs: 5 });
    clock.set(1_700_000_000_009);
    events.onRequestFailure!('TIMEOUT', 2_000_000);

    assert.deepEqual(stats.snapshot(), {
      name: 'm',
      version: '3',
      last_inference: 1_700_000_000_005, // failures do not move it
      inference_count: 6,
      execution_count: 2,
      inference_stats: {
        success: { count: 3, ns: 1610 + 1810 + 655 },
        fail: { count: 1, ns: 2_000_000 },
        queue: { count: 3, ns: 1200 },
        compute_input: { count: 3, ns: 250 },
        compute_infer: { count: 3, ns: 2600 },
        compute_output: { count: 3, ns: 25 },
        cache_hit: zero,
        cache_miss: zero,
      },
      batch_stats: [
        { batch_size: 2, compute_input: { count: 1, ns: 50 }, compute_infer: { count: 1, ns: 600 }, compute_output: { count: 1, ns: 5 } },
        { batch_size: 4, compute_input: { count: 1, ns: 100 }, compute_infer: { count: 1, ns: 1000 }, compute_output: { count: 1, ns: 10 } },
      ],
    });
  });

  it('counts a request or execution of an unbatched model (0 rows) as 1', () => {
    const stats = new ModelStatistics('m', '1');
    stats.recordExecution(0, { computeInputNs: 1, computeInferNs: 1, computeOutputNs: 1 });
    stats.recordSuccess(0, { queueNs: 1, computeInputNs: 1, computeInferNs: 1, computeOutputNs: 1 });
    const snapshot = stats.snapshot();
    assert.equal(snapshot.inference_count, 1);
    assert.deepEqual(snapshot.batch_stats.map((b) => b.batch_size), [1]);
  });

  it('sorts batch_stats by batch size whatever the order they were first seen in', () => {
    const stats = new ModelStatistics('m', '1');
    for (const size of [8, 1, 32, 2, 8, 1]) stats.recordExecution(size, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    assert.deepEqual(stats.snapshot().batch_stats.map((b) => [b.batch_size, b.compute_infer.count]), [[1, 2], [2, 1], [8, 2], [32, 1]]);
  });

  it('ignores NaN, infinite and negative durations instead of poisoning the totals, and never throws', () => {
    const stats = new ModelStatistics('m', '1');
    stats.recordSuccess(1, { queueNs: NaN, computeInputNs: -5, computeInferNs: Infinity, computeOutputNs: 7 });
    stats.recordFailure('BACKEND', -1);
    stats.recordExecution(NaN, { computeInputNs: NaN, computeInferNs: 3, computeOutputNs: -Infinity });
    const { inference_stats: s, batch_stats: batches } = stats.snapshot();
    assert.deepEqual([s.success, s.queue, s.compute_infer, s.fail], [{ count: 1, ns: 7 }, { count: 1, ns: 0 }, { count: 1, ns: 0 }, { count: 1, ns: 0 }]);
    assert.deepEqual(batches, [{ batch_size: 1, compute_input: { count: 1, ns: 0 }, compute_infer: { count: 1, ns: 3 }, compute_output: { count: 1, ns: 0 } }]);
  });

  it('rounds fractional nanoseconds in the snapshot only, so they still add up', () => {
    const stats = new ModelStatistics('m', '1');
    for (let i = 0; i < 4; i += 1) stats.recordSuccess(1, { queueNs: 0.25, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    assert.deepEqual(stats.snapshot().inference_stats.queue, { count: 4, ns: 1 });
  });

  it('never moves last_inference backwards when the wall clock does', () => {
    const clock = manualClock(5000);
    const stats = new ModelStatistics('m', '1', { now: clock.now });
    stats.recordExecution(1, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    clock.set(4000);
    stats.recordSuccess(1, { queueNs: 0, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    assert.equal(stats.snapshot().last_inference, 5000);
  });

  it('hands out snapshots that later events do not change', () => {
    const stats = new ModelStatistics('m', '1');
    const before = stats.snapshot();
    stats.recordSuccess(2, { queueNs: 1, computeInputNs: 1, computeInferNs: 1, computeOutputNs: 1 });
    assert.equal(before.inference_count, 0);
    assert.equal(stats.snapshot().inference_count, 2);
  });
});

describe('StatisticsRegistry', () => {
  it('keeps one accumulator and one listener per model version', () => {
    const registry = new StatisticsRegistry();
    assert.equal(registry.eventsFor('m', '1'), registry.eventsFor('m', '1'));
    assert.notEqual(registry.eventsFor('m', '1'), registry.eventsFor('m', '2'));
    registry.eventsFor('m', '1').onRequestSuccess!(5, { queueNs: 1, computeInputNs: 1, computeInferNs: 1, computeOutputNs: 1 });
    assert.equal(registry.snapshot('m', '1').inference_count, 5);
    assert.equal(registry.snapshot('m', '2').inference_count, 0);
    assert.equal(registry.statisticsFor('m', '1').snapshot().inference_count, 5);
  });

  it('does not mix up names that only a separator would tell apart', () => {
    const registry = new StatisticsRegistry();
    registry.eventsFor('a/b', '1').onRequestFailure!('REJECTED', 0);
    assert.equal(registry.snapshot('a', 'b/1').inference_stats.fail.count, 0);
    assert.equal(registry.snapshot('a/b', '1').inference_stats.fail.count, 1);
  });

  it('forgets a deleted version', () => {
    const registry = new StatisticsRegistry({ now: () => 42 });
    registry.eventsFor('m', '1').onExecution!(1, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    assert.equal(registry.snapshot('m', '1').last_inference, 42);
    registry.delete('m', '1');
    assert.equal(registry.snapshot('m', '1').execution_count, 0);
  });
});

describe('combineEvents', () => {
  it('calls every listener that handles an event, in order, and leaves out events nobody handles', () => {
    const calls: string[] = [];
    const a: SchedulerEvents = { onRequestSuccess: (rows) => calls.push(`a success ${rows}`), onLoad: (q, i) => calls.push(`a load ${q} ${i}`) };
    const b: SchedulerEvents = { onRequestSuccess: (rows) => calls.push(`b success ${rows}`), onRequestFailure: (reason) => calls.push(`b ${reason}`) };
    const combined = combineEvents(a, b, {});
    assert.equal('onExecution' in combined, false);
    combined.onRequestSuccess!(3, { queueNs: 0, computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    combined.onRequestFailure!('CANCELLED', 0);
    combined.onLoad!(2, 1);
    assert.deepEqual(calls, ['a success 3', 'b success 3', 'b CANCELLED', 'a load 2 1']);
  });

  it('keeps `this` for listeners written as classes', () => {
    class Counter implements SchedulerEvents {
      count = 0;
      onExecution(): void {
        this.count += 1;
      }
    }
    const counter = new Counter();
    const combined = combineEvents(counter, {});
    combined.onExecution!(1, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    combineEvents(counter, counter).onExecution!(1, { computeInputNs: 0, computeInferNs: 0, computeOutputNs: 0 });
    assert.equal(counter.count, 3);
  });

  it('still feeds the later listeners when one throws, then rethrows the first error', () => {
    const seen: number[] = [];
    const combined = combineEvents(
      { onLoad: () => { throw new Error('first'); } },
      { onLoad: (q) => seen.push(q) },
      { onLoad: () => { throw new Error('second'); } },
    );
    assert.throws(() => combined.onLoad!(7, 0), /first/);
    assert.deepEqual(seen, [7]);
  });

  it('combines statistics and another listener over the same events', () => {
    const stats = new ModelStatistics('m', '1');
    let executions = 0;
    const events = combineEvents(createStatisticsEvents(stats), { onExecution: () => { executions += 1; } });
    events.onExecution!(4, { computeInputNs: 1, computeInferNs: 2, computeOutputNs: 3 });
    assert.equal(executions, 1);
    assert.equal(stats.snapshot().execution_count, 1);
  });
});
