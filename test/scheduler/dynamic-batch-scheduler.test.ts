import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Tensor } from '../../src/core/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { DynamicBatchScheduler, createScheduler } from '../../src/scheduler/index.js';
import { flush } from './fake-clock.js';
import { computeOutputs, FakeModel, fp32Request, modelConfig, Outcomes, scheduled } from './fake-model.js';
import { harness } from './harness.js';

const utf8 = new TextEncoder();

describe('DynamicBatchScheduler: forming batches', () => {
  it('merges the requests queued while the instance was busy, up to max_batch_size, never more', async () => {
    const h = harness(modelConfig(8, {}));
    assert.ok(h.scheduler instanceof DynamicBatchScheduler);
    h.send('r0', fp32Request(1, 0));
    for (let i = 1; i <= 10; i++) h.send(`r${i}`, fp32Request(1, i));
    assert.equal(h.model.executions.length, 1, 'one instance: one execution at a time');
    assert.equal(h.scheduler.queueDepth, 10);
    for (let round = 0; round < 3; round++) {
      h.model.finishAll();
      await flush();
    }
    assert.deepEqual(h.model.executions.map((e) => e.values), [[0], [1, 2, 3, 4, 5, 6, 7, 8], [9, 10]]);
    assert.equal(h.outcomes.log.length, 11);
  });

  it('does not split a request: one that does not fit leads the next batch', async () => {
    const h = harness(modelConfig(4, {}));
    h.send('busy', fp32Request(1, 0));
    h.send('a', fp32Request(3, 10));
    h.send('b', fp32Request(2, 20));
    h.send('c', fp32Request(1, 30));
    for (let round = 0; round < 3; round++) {
      h.model.finishAll();
      await flush();
    }
    assert.deepEqual(h.model.executions.map((e) => e.rows), [1, 3, 3]);
    assert.deepEqual(h.model.executions[2]!.values, [20, 21, 30]);
    assert.ok(h.model.executions.every((e) => e.rows <= 4));
  });

  it('batches requests with different non-batch shapes separately; the oldest decides which runs first', async () => {
    const h = harness(modelConfig(8, {}));
    h.send('busy', fp32Request(1, 0));
    ['a2', 'b3', 'c2', 'd3', 'e2'].forEach((name, i) => h.send(name, fp32Request(1, i + 1, { cols: Number(name[1]) })));
    for (let round = 0; round < 3; round++) {
      h.model.finishAll();
      await flush();
    }
    const shapes = h.model.executions.map((e) => e.request.inputs[0]!.shape);
    assert.deepEqual(shapes, [[1, 1], [3, 2], [2, 3]]);
    assert.deepEqual(h.model.executions[1]!.values, [1, 2, 3, 4, 5, 6], 'a2, c2, e2');
    assert.deepEqual(h.model.executions[2]!.values, [2, 3, 4, 4, 5, 6], 'b3, d3');
    assert.deepEqual(h.outcomes.log.sort(), ['a2', 'b3', 'busy', 'c2', 'd3', 'e2']);
    for (const name of ['a2', 'c2', 'e2']) assert.deepEqual(h.outcomes.outputs(name)[0]!.shape, [1, 2]);
  });

  it('prefers the largest reachable preferred batch size (no delay)', async () => {
    const h = harness(modelConfig(8, { preferred_batch_size: [2, 4] }));
    h.send('busy', fp32Request(1, 0));
    for (let i = 1; i <= 7; i++) h.send(`r${i}`, fp32Request(1, i));
    for (let round = 0; round < 4; round++) {
      h.model.finishAll();
      await flush();
    }
    assert.deepEqual(h.model.executions.map((e) => e.rows), [1, 4, 2, 1]);
  });

  it('waits up to max_queue_delay for more requests, then runs what it has (fake clock)', async () => {
    const h = harness(modelConfig(8, { max_queue_delay_microseconds: 50_000 }));
    h.send('a', fp32Request(1, 1));
    await h.clock.advance(10);
    h.send('b', fp32Request(2, 2));
    await h.clock.advance(39);
    assert.equal(h.model.executions.length, 0, 'the oldest request has waited 49 ms of 50');
    h.send('c', fp32Request(1, 4));
    await h.clock.advance(1);
    assert.deepEqual(h.model.executions.map((e) => e.values), [[1, 2, 3, 4]]);
    h.model.finishAll();
    await flush();
    assert.deepEqual(h.outcomes.log, ['a', 'b', 'c']);
    assert.equal(h.clock.pendingTimers, 0, 'no timer left once the queue is empty');
  });

  it('with a delay, runs at once when the batch is full', () => {
    const h = harness(modelConfig(4, { max_queue_delay_microseconds: 1_000_000 }));
    for (let i = 0; i < 5; i++) h.send(`r${i}`, fp32Request(1, i));
    assert.deepEqual(h.model.executions.map((e) => e.rows), [4]);
  });

  it('waits with the real clock too (50 ms delay): the requests sent meanwhile run as one batch', async () => {
    const model = new FakeModel(1, { kind: 'immediate' });
    const scheduler = createScheduler(model, modelConfig(8, { max_queue_delay_microseconds: 50_000 }));
    const results = [1, 2, 3].map((i) => scheduler.enqueue(fp32Request(1, i)));
    assert.equal(model.executions.length, 0);
    await Promise.all(results);
    assert.deepEqual(model.executions.map((e) => e.values), [[1, 2, 3]]);
  });
});

describe('DynamicBatchScheduler: results', () => {
  it('gives every request exactly its rows: batched results equal unbatched ones (FP32, INT64, BYTES)', async () => {
    const h = harness(modelConfig(16, {}));
    const make = (rows: number, r: number) => scheduled([
      { name: 'F', datatype: 'FP32', shape: [rows, 2], data: Float32Array.from({ length: rows * 2 }, (_, i) => r * 10 + i / 4) },
      { name: 'I', datatype: 'INT64', shape: [rows], data: BigInt64Array.from({ length: rows }, (_, i) => 2n ** 62n / 4n - BigInt(r * 100 + i)) },
      { name: 'S', datatype: 'BYTES', shape: [rows, 2], data: Array.from({ length: rows * 2 }, (_, i) => utf8.encode(`${r}:${i}${'~'.repeat(i)}`)) },
    ]);
    h.send('busy', make(1, 99));
    const requests = [2, 1, 3, 1, 4].map((rows, r) => make(rows, r));
    requests.forEach((request, r) => h.send(`r${r}`, request));
    for (let round = 0; round < 2; round++) {
      h.model.finishAll();
      await flush();
    }
    assert.deepEqual(h.model.executions.map((e) => e.rows), [1, 11]);
    requests.forEach((request, r) => assert.deepEqual(h.outcomes.outputs(`r${r}`), computeOutputs(request), `request r${r}`));
  });

  it('fails every request of an execution whose output lost the batch dimension, with ERR_BACKEND_RUNTIME', async () => {
    const h = harness(modelConfig(8, {}));
    h.model.outputs = (): Tensor[] => [{ name: 'X_out', datatype: 'FP32', shape: [1], data: new Float32Array(1) }];
    h.send('busy', fp32Request(1, 0));
    h.send('a', fp32Request(2, 1));
    h.send('b', fp32Request(1, 3));
    for (let round = 0; round < 2; round++) {
      h.model.finishAll();
      await flush();
    }
    assert.ok(h.outcomes.results.get('busy') instanceof Array, 'a batch of one row with output [1] is consistent');
    for (const name of ['a', 'b']) {
      assert.equal(h.outcomes.error(name).code, 'ERR_BACKEND_RUNTIME');
      assert.match(h.outcomes.error(name).message, /^model 'mlp' version 1: output 'X_out' has shape \[1\], but its first dim must be the batch size 3/);
    }
  });

  it('refuses a request whose inputs do not lead with its batch size', async () => {
    const h = harness(modelConfig(8, {}));
    const request = { ...fp32Request(2, 0), batchSize: 3 };
    await assert.rejects(h.scheduler.enqueue(request), { code: 'ERR_INPUT_SHAPE', message: /input 'X' has shape \[2,1\], but the request's batch size is 3/ });
  });

  it('preserve_ordering holds a batch that finished early until earlier batches are delivered', async () => {
    for (const preserve of [true, false]) {
      const h = harness(modelConfig(4, { preserve_ordering: preserve }), 2);
      h.send('a', fp32Request(1, 1));
      h.send('b', fp32Request(1, 2));
      h.send('c', fp32Request(1, 3));
      h.model.executions[1]!.finish();
      await flush();
      assert.deepEqual(h.outcomes.log, preserve ? [] : ['b']);
      h.model.executions[2]!.finish();
      await flush();
      assert.deepEqual(h.outcomes.log, preserve ? [] : ['b', 'c']);
      h.model.executions[0]!.finish();
      await flush();
      assert.deepEqual(h.outcomes.log, preserve ? ['a', 'b', 'c'] : ['b', 'c', 'a']);
    }
  });

  it('preserve_ordering also holds failures in order', async () => {
    const h = harness(modelConfig(4, { preserve_ordering: true }), 2);
    h.send('a', fp32Request(1, 1));
    h.send('b', fp32Request(1, 2));
    h.model.executions[1]!.fail(new Error('boom'));
    await flush();
    assert.deepEqual(h.outcomes.log, []);
    h.model.executions[0]!.finish();
    await flush();
    assert.deepEqual(h.outcomes.log, ['a', 'b!']);
  });
});

describe('DynamicBatchScheduler: instances', () => {
  it('overlaps two executions with instanceCount 2, and never more', async () => {
    const h = harness(modelConfig(1, {}), 2);
    for (let i = 0; i < 5; i++) h.send(`r${i}`, fp32Request(1, i));
    assert.equal(h.model.pending.length, 2);
    assert.equal(h.scheduler.inflightExecutions, 2);
    while (h.model.pending.length > 0) {
      h.model.pending[0]!.finish();
      await flush();
    }
    assert.equal(h.model.maxInflight, 2);
    assert.equal(h.outcomes.log.length, 5);
  });

  it('never overlaps executions with instanceCount 1', async () => {
    const h = harness(modelConfig(2, {}), 1, (clock) => ({ kind: 'clock', clock, ms: 3 }));
    for (let i = 0; i < 9; i++) {
      h.send(`r${i}`, fp32Request(1, i));
      await h.clock.advance(1);
    }
    await h.clock.advance(100);
    assert.equal(h.model.maxInflight, 1);
    assert.equal(h.outcomes.log.length, 9);
    assert.ok(h.model.executions.length < 9, 'requests that arrived during an execution were merged');
  });
});

describe('DynamicBatchScheduler: events', () => {
  it('reports per-request timing, executions with their rows, and load changes', async () => {
    const h = harness(modelConfig(8, {}));
    h.send('a', fp32Request(2, 0));
    await h.clock.advance(5);
    h.send('b', fp32Request(3, 10));
    h.send('c', fp32Request(1, 20));
    assert.deepEqual(h.events.loads, [[0, 1], [1, 1], [2, 1]]);
    await h.clock.advance(7);
    h.model.finishAll();
    await flush();
    h.model.finishAll();
    await flush();
    assert.deepEqual(h.events.executions.map((e) => e.rows), [2, 4]);
    assert.deepEqual(h.events.successes.map((s) => [s.rows, s.timing.queueNs / 1e6]), [[2, 0], [3, 7], [1, 7]]);
    assert.ok(h.events.successes.every((s) => s.timing.computeInferNs === 1000));
    assert.deepEqual(h.events.loads.at(-1), [0, 0]);
    assert.ok(h.events.loads.some(([depth, inflight]) => depth === 0 && inflight === 1));
  });

  it('keeps going when a listener throws', async () => {
    const model = new FakeModel(1, { kind: 'immediate' });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    const scheduler = createScheduler(model, modelConfig(4, {}), { onLoad: () => { throw new Error('listener bug'); } });
    const outcomes = new Outcomes();
    outcomes.track('a', scheduler.enqueue(fp32Request(1, 1)));
    await flush();
    await flush();
    process.off('warning', onWarning);
    assert.deepEqual(outcomes.log, ['a']);
    assert.ok(warnings.some((w) => w.includes('listener bug')));
    assert.ok(!(outcomes.results.get('a') instanceof InferenceError));
  });
});
