import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { flush } from './fake-clock.js';
import { fp32Request, modelConfig } from './fake-model.js';
import { harness, type Harness } from './harness.js';

/** Finishes executions one at a time until none is left. */
async function runAll(h: Harness): Promise<void> {
  while (h.model.pending.length > 0) {
    h.model.pending[0]!.finish();
    await flush();
  }
}

describe('DynamicBatchScheduler: priorities', () => {
  it('serves a higher priority request sent later before queued lower priority ones; FIFO within a level', async () => {
    const h = harness(modelConfig(1, { priority_levels: 3, default_priority_level: 2 }));
    h.send('busy', fp32Request(1, 0));
    h.send('low', fp32Request(1, 1, { priority: 3 }));
    h.send('mid1', fp32Request(1, 2));
    h.send('mid2', fp32Request(1, 3, { priority: 2 }));
    h.send('high', fp32Request(1, 4, { priority: 1 }));
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['busy', 'high', 'mid1', 'mid2', 'low']);
  });

  it('batches across levels in service order', async () => {
    const h = harness(modelConfig(3, { priority_levels: 2, default_priority_level: 2 }));
    h.send('busy', fp32Request(1, 0));
    for (let i = 1; i <= 3; i++) h.send(`low${i}`, fp32Request(1, i));
    h.send('high', fp32Request(1, 9, { priority: 1 }));
    await runAll(h);
    assert.deepEqual(h.model.executions.map((e) => e.values), [[0], [9, 1, 2], [3]]);
  });

  it('refuses a priority outside 0..priority_levels with ERR_REQUEST_PARAMETER', async () => {
    const h = harness(modelConfig(4, { priority_levels: 2, default_priority_level: 1 }));
    await assert.rejects(h.scheduler.enqueue(fp32Request(1, 0, { priority: 3 })), {
      code: 'ERR_REQUEST_PARAMETER', message: /^model 'mlp' version 1: request parameter 'priority' is 3, but the model's priority levels are 1 \(highest\) to 2/,
    });
    const flat = harness(modelConfig(4, {}));
    await assert.rejects(flat.scheduler.enqueue(fp32Request(1, 0, { priority: 1 })), { code: 'ERR_REQUEST_PARAMETER', message: /dynamic_batching\.priority_levels/ });
    assert.deepEqual(flat.events.failures, [{ reason: 'REJECTED', queueNs: 0 }]);
  });
});

describe('DynamicBatchScheduler: queue timeouts', () => {
  it('REJECT: fails a request when its default timeout expires, while it is still waiting', async () => {
    const h = harness(modelConfig(4, { default_queue_policy: { default_timeout_microseconds: 10_000 } }));
    h.send('busy', fp32Request(1, 0));
    await h.clock.advance(2);
    h.send('late', fp32Request(1, 1));
    await h.clock.advance(9.999);
    assert.deepEqual(h.outcomes.log, []);
    await h.clock.advance(0.001);
    assert.deepEqual(h.outcomes.log, ['late!'], 'answered at its deadline, with the instance still busy');
    const error = h.outcomes.error('late');
    assert.equal(error.code, 'ERR_QUEUE_TIMEOUT');
    assert.equal(error.message, "model 'mlp' version 1: request waited 10 ms in the queue, past its timeout of 10 ms");
    assert.deepEqual(h.events.failures, [{ reason: 'TIMEOUT', queueNs: 10e6 }]);
    assert.equal(h.scheduler.queueDepth, 0);
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['late!', 'busy'], 'a running request has left the queue and is not timed out');
  });

  it('a request timeout shortens the default when allow_timeout_override is set, and never lengthens it', async () => {
    const h = harness(modelConfig(4, { default_queue_policy: { default_timeout_microseconds: 20_000, allow_timeout_override: true } }));
    h.send('busy', fp32Request(1, 0));
    h.send('short', fp32Request(1, 1, { timeoutUs: 5_000 }));
    h.send('long', fp32Request(1, 2, { timeoutUs: 500_000 }));
    await h.clock.advance(5);
    assert.deepEqual(h.outcomes.log, ['short!']);
    assert.match(h.outcomes.error('short').message, /past its timeout of 5 ms$/);
    await h.clock.advance(15);
    assert.deepEqual(h.outcomes.log, ['short!', 'long!']);
    assert.match(h.outcomes.error('long').message, /waited 20 ms in the queue, past its timeout of 20 ms$/);
  });

  it('ignores a request timeout when allow_timeout_override is false (Triton)', async () => {
    const h = harness(modelConfig(4, { default_queue_policy: { default_timeout_microseconds: 50_000, allow_timeout_override: false } }));
    h.send('busy', fp32Request(1, 0));
    h.send('a', fp32Request(1, 1, { timeoutUs: 1_000 }));
    await h.clock.advance(49);
    assert.deepEqual(h.outcomes.log, []);
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['busy', 'a']);
  });

  it('without a queue policy, a request timeout is ignored', async () => {
    const h = harness(modelConfig(4, {}));
    h.send('busy', fp32Request(1, 0));
    h.send('a', fp32Request(1, 1, { timeoutUs: 1_000 }));
    await h.clock.advance(100);
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['busy', 'a']);
  });

  it('DELAY: a timed-out request stays queued but runs after the requests that have not timed out', async () => {
    const h = harness(modelConfig(1, { default_queue_policy: { default_timeout_microseconds: 10_000, timeout_action: 'DELAY' } }));
    h.send('busy', fp32Request(1, 0));
    h.send('old', fp32Request(1, 1));
    await h.clock.advance(10);
    h.send('new1', fp32Request(1, 2));
    h.send('new2', fp32Request(1, 3));
    assert.equal(h.scheduler.queueDepth, 3);
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['busy', 'new1', 'new2', 'old']);
    assert.deepEqual(h.events.failures, []);
  });

  it('DELAY at a high level keeps the request ahead of lower levels (same or higher levels go first, as in Triton)', async () => {
    const h = harness(modelConfig(1, {
      priority_levels: 2, default_priority_level: 2,
      priority_queue_policy: { 1: { default_timeout_microseconds: 10_000, timeout_action: 'DELAY' } },
    }));
    h.send('busy', fp32Request(1, 0));
    h.send('high-old', fp32Request(1, 1, { priority: 1 }));
    await h.clock.advance(10);
    h.send('low', fp32Request(1, 2, { priority: 2 }));
    h.send('high-new', fp32Request(1, 3, { priority: 1 }));
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['busy', 'high-new', 'high-old', 'low']);
  });
});

describe('DynamicBatchScheduler: queue size', () => {
  it('rejects at once with ERR_QUEUE_FULL when max_queue_size requests are queued', async () => {
    const h = harness(modelConfig(4, { default_queue_policy: { max_queue_size: 2 } }));
    h.send('busy', fp32Request(1, 0));
    h.send('a', fp32Request(1, 1));
    h.send('b', fp32Request(1, 2));
    await assert.rejects(h.scheduler.enqueue(fp32Request(1, 3)), {
      code: 'ERR_QUEUE_FULL', message: "model 'mlp' version 1: the queue is full (max_queue_size 2)",
    });
    assert.equal(h.scheduler.queueDepth, 2);
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['busy', 'a', 'b']);
  });

  it('bounds each priority level by its own policy and names the level', async () => {
    const h = harness(modelConfig(1, {
      priority_levels: 2, default_priority_level: 2,
      default_queue_policy: { max_queue_size: 1 }, priority_queue_policy: { 1: { max_queue_size: 3 } },
    }));
    h.send('busy', fp32Request(1, 0));
    h.send('low', fp32Request(1, 1));
    await assert.rejects(h.scheduler.enqueue(fp32Request(1, 2)), { message: "model 'mlp' version 1: the queue for priority level 2 is full (max_queue_size 1)" });
    for (let i = 0; i < 3; i++) h.send(`high${i}`, fp32Request(1, 3, { priority: 1 }));
    await assert.rejects(h.scheduler.enqueue(fp32Request(1, 2, { priority: 1 })), { code: 'ERR_QUEUE_FULL', message: /priority level 1 is full \(max_queue_size 3\)/ });
    await runAll(h);
    assert.equal(h.outcomes.log.length, 5);
  });

  it('counts delayed requests against max_queue_size', async () => {
    const h = harness(modelConfig(4, { default_queue_policy: { max_queue_size: 1, default_timeout_microseconds: 5_000, timeout_action: 'DELAY' } }));
    h.send('busy', fp32Request(1, 0));
    h.send('a', fp32Request(1, 1));
    await h.clock.advance(5);
    await assert.rejects(h.scheduler.enqueue(fp32Request(1, 2)), { code: 'ERR_QUEUE_FULL' });
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['busy', 'a']);
  });

  it('frees the room of requests timed out by now before checking the size', async () => {
    const h = harness(modelConfig(4, { default_queue_policy: { max_queue_size: 1, default_timeout_microseconds: 5_000 } }));
    h.send('busy', fp32Request(1, 0));
    h.send('a', fp32Request(1, 1));
    await assert.rejects(h.scheduler.enqueue(fp32Request(1, 2)), { code: 'ERR_QUEUE_FULL' });
    await h.clock.advance(5);
    h.send('b', fp32Request(1, 3));
    await runAll(h);
    assert.deepEqual(h.outcomes.log, ['a!', 'busy', 'b']);
  });
});
