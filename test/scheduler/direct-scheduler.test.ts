import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DirectScheduler, DynamicBatchScheduler, createScheduler } from '../../src/scheduler/index.js';
import { flush } from './fake-clock.js';
import { FakeModel, fp32Request, modelConfig, scheduled } from './fake-model.js';
import { harness } from './harness.js';
import { runSchedulerSuite } from './scheduler-suite.js';

runSchedulerSuite('DirectScheduler', modelConfig(0));
runSchedulerSuite('DynamicBatchScheduler', modelConfig(8, {}));

describe('createScheduler', () => {
  it('picks the dynamic batcher only for max_batch_size > 0 with dynamic_batching', () => {
    const model = new FakeModel();
    assert.ok(createScheduler(model, modelConfig(4, {})) instanceof DynamicBatchScheduler);
    assert.ok(createScheduler(model, modelConfig(4)) instanceof DirectScheduler);
    assert.ok(createScheduler(model, modelConfig(0)) instanceof DirectScheduler);
  });
});

describe('DirectScheduler', () => {
  it('keeps two executions per instance in flight and queues the rest FIFO, unbounded', async () => {
    const h = harness(modelConfig(0), 2);
    const unbatched = (i: number) => ({ ...scheduled([{ name: 'X', datatype: 'FP32', shape: [3], data: Float32Array.of(i, i, i) }]), batchSize: 0 });
    for (let i = 0; i < 1000; i++) h.send(`r${i}`, unbatched(i));
    assert.equal(h.model.pending.length, 4);
    assert.equal(h.scheduler.queueDepth, 996);
    while (h.model.pending.length > 0) {
      h.model.pending[0]!.finish();
      await flush();
    }
    assert.equal(h.model.maxInflight, 4);
    assert.deepEqual(h.outcomes.log, Array.from({ length: 1000 }, (_, i) => `r${i}`));
    assert.ok(h.model.executions.every((e, i) => e.values[0] === i && e.rows === 3));
    assert.deepEqual(h.events.successes.slice(0, 1).map((s) => s.rows), [1], 'an unbatched request counts as one inference');
  });

  it('runs each request alone even when the model could batch (max_batch_size > 0 without dynamic_batching)', async () => {
    const h = harness(modelConfig(8), 1);
    for (let i = 0; i < 5; i++) h.send(`r${i}`, fp32Request(2, i * 10));
    while (h.model.pending.length > 0) {
      h.model.finishAll();
      await flush();
    }
    assert.deepEqual(h.model.executions.map((e) => e.rows), [2, 2, 2, 2, 2]);
    assert.deepEqual(h.events.executions.map((e) => e.rows), [2, 2, 2, 2, 2]);
    assert.deepEqual(h.outcomes.outputs('r3')[0]!.data, Float32Array.of(60, 62));
  });

  it('accepts priority 0 and refuses other priorities, which need dynamic_batching.priority_levels', async () => {
    const h = harness(modelConfig(0), 1);
    h.send('zero', fp32Request(1, 0, { priority: 0 }));
    await assert.rejects(h.scheduler.enqueue(fp32Request(1, 0, { priority: 1 })), {
      code: 'ERR_REQUEST_PARAMETER',
      message: "model 'mlp' version 1: request parameter 'priority' is 1, but the model has no priority levels; "
        + 'priority levels need dynamic_batching.priority_levels in the model config (send priority 0 or leave it out)',
    });
    h.model.finishAll();
    await flush();
    assert.deepEqual(h.outcomes.log, ['zero']);
  });
});
