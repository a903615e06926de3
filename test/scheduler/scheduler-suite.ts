/**
 * @module
 * Behaviour every scheduler must have, whatever it batches: run by each scheduler's test with
 * a config that selects it (STYLE.md: one conformance suite per pluggable concept).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletedModelConfig } from '../../src/config/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { flush } from './fake-clock.js';
import { fp32Request } from './fake-model.js';
import { harness } from './harness.js';

export function runSchedulerSuite(name: string, config: CompletedModelConfig): void {
  /** One execution per request: requests of distinct shapes never merge, whatever the scheduler. */
  const lone = (first: number) => fp32Request(1, first, { cols: first + 1 });

  describe(`${name}: scheduler conformance`, () => {
    it('fails exactly the requests of an execution the backend rejects, with the backend error', async () => {
      const h = harness(config, 1);
      h.send('a', lone(0));
      h.send('b', lone(1));
      h.send('c', lone(2));
      h.model.pending[0]!.fail(new Error('onnxruntime: bad input'));
      await flush();
      while (h.model.pending.length > 0) {
        for (const execution of h.model.pending) {
          if (execution.values.length === 3) execution.fail(new InferenceError('ERR_BACKEND_UNAVAILABLE', 'worker stopped'));
          else execution.finish();
        }
        await flush();
      }
      assert.equal(h.outcomes.error('a').code, 'ERR_BACKEND_RUNTIME');
      assert.equal(h.outcomes.error('a').message, 'onnxruntime: bad input');
      assert.equal(h.outcomes.error('c').code, 'ERR_BACKEND_UNAVAILABLE', 'an InferenceError keeps its code');
      assert.ok(Array.isArray(h.outcomes.results.get('b')));
      assert.deepEqual(h.events.failures.map((f) => f.reason), ['BACKEND', 'BACKEND']);
      assert.equal(h.events.successes.length, 1);
    });

    it('drain refuses new requests and resolves once every accepted request has finished', async () => {
      const h = harness(config, 1);
      h.send('a', lone(0));
      h.send('b', lone(1));
      let drained = false;
      const draining = h.scheduler.drain().then(() => { drained = true; });
      await assert.rejects(h.scheduler.enqueue(lone(2)), { code: 'ERR_SERVER_STOPPING', message: /^model 'mlp' version 1: the scheduler is draining/ });
      await flush();
      assert.equal(drained, false);
      while (h.model.pending.length > 0) {
        h.model.pending[0]!.finish();
        await flush();
        assert.equal(drained, h.outcomes.log.length === 2);
      }
      await draining;
      assert.deepEqual(h.outcomes.log.sort(), ['a', 'b']);
      assert.equal(h.clock.pendingTimers, 0);
      assert.deepEqual(h.events.failures, [{ reason: 'REJECTED', queueNs: 0 }]);
    });

    it('drain resolves at once when nothing is pending', async () => {
      const h = harness(config, 1);
      await h.scheduler.drain();
      await h.scheduler.drain();
      assert.equal(h.scheduler.queueDepth + h.scheduler.inflightExecutions, 0);
    });

    it('answers a request timeout while the request waits (REJECT)', async () => {
      const h = harness({ ...config, ...(config.dynamic_batching ? { dynamic_batching: { default_queue_policy: { allow_timeout_override: true } } } : {}) }, 1);
      for (let i = 0; i < 3; i++) h.send(`busy${i}`, lone(i));
      h.send('t', fp32Request(1, 9, { cols: 9, timeoutUs: 2_500 }));
      await h.clock.advance(3);
      assert.deepEqual(h.outcomes.log, ['t!']);
      assert.equal(h.outcomes.error('t').message, "model 'mlp' version 1: request waited 3 ms in the queue, past its timeout of 2.5 ms");
      const draining = h.scheduler.drain();
      while (h.model.pending.length > 0) {
        h.model.finishAll();
        await flush();
      }
      await draining;
      assert.deepEqual(h.outcomes.log.sort(), ['busy0', 'busy1', 'busy2', 't!']);
    });
  });
}
