/**
 * @module
 * Backends that answer each request of a batch on their own (LoadedModel.executeRequests): the
 * schedulers hand them requests unmerged and fail only the requests they fail.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ExecuteRequest, ExecuteRequestsResult, LoadedModel } from '../../src/backends/index.js';
import type { Tensor } from '../../src/core/index.js';
import { InferenceError } from '../../src/errors/index.js';
import { createScheduler } from '../../src/scheduler/index.js';
import { modelConfig } from './fake-model.js';

/** Doubles x; a request whose first value is negative gets an error of its own. */
class PerRequestModel implements LoadedModel {
  readonly signature = { inputs: [], outputs: [] };
  readonly instanceCount = 1;
  readonly batches: number[][][] = [];
  #release: (() => void) | undefined;
  #gate: Promise<void> | undefined;

  /** Holds the next executions until open() is called. */
  hold(): void {
    this.#gate = new Promise((resolve) => { this.#release = resolve; });
  }

  open(): void {
    this.#release?.();
    this.#gate = undefined;
  }

  execute(): Promise<never> {
    return Promise.reject(new Error('the scheduler must call executeRequests'));
  }

  async executeRequests(requests: readonly ExecuteRequest[]): Promise<ExecuteRequestsResult> {
    await this.#gate;
    this.batches.push(requests.map((r) => [...(r.inputs[0]!.data as Float32Array)]));
    return {
      computeInferNs: 1000,
      results: requests.map((request) => {
        const x = request.inputs[0]! as Tensor & { data: Float32Array };
        if (x.data[0]! < 0) return { error: new InferenceError('ERR_BACKEND_RUNTIME', `negative input ${x.data[0]}`) };
        return { outputs: [{ name: 'y', datatype: 'FP32', shape: x.shape, data: x.data.map((v) => v * 2) }] };
      }),
    };
  }

  unload(): Promise<void> {
    return Promise.resolve();
  }
}

const request = (values: number[]) => ({
  inputs: [{ name: 'x', datatype: 'FP32', shape: [1, values.length], data: new Float32Array(values) } as Tensor],
  outputNames: ['y'],
  batchSize: 1,
});

describe('per-request backends', () => {
  it('get a dynamic batch unmerged, whatever the shapes, and fail only the request that failed', async () => {
    const model = new PerRequestModel();
    const failures: string[] = [];
    const scheduler = createScheduler(model, modelConfig(8, {}), { onRequestFailure: (reason) => failures.push(reason) });
    model.hold();
    const first = scheduler.enqueue(request([1]));
    const batched = [scheduler.enqueue(request([2, 3])), scheduler.enqueue(request([-1])), scheduler.enqueue(request([4, 5, 6]))];
    model.open();
    await first;
    const [a, b, c] = batched as [Promise<Tensor[]>, Promise<Tensor[]>, Promise<Tensor[]>];
    assert.deepEqual([...((await a)[0]!.data as Float32Array)], [4, 6]);
    await assert.rejects(b, (error: InferenceError) => /negative input -1/.test(error.message));
    assert.deepEqual([...((await c)[0]!.data as Float32Array)], [8, 10, 12]);
    assert.deepEqual(model.batches, [[[1]], [[2, 3], [-1], [4, 5, 6]]], 'the three queued requests ran as one batch, unmerged');
    assert.deepEqual(failures, ['BACKEND']);
  });

  it('are called one request at a time without dynamic batching', async () => {
    const model = new PerRequestModel();
    const scheduler = createScheduler(model, modelConfig(0));
    const outputs = await Promise.all([scheduler.enqueue(request([1])), scheduler.enqueue(request([2]))]);
    assert.deepEqual(outputs.map((o) => (o[0]!.data as Float32Array)[0]), [2, 4]);
    assert.deepEqual(model.batches, [[[1]], [[2]]]);
  });
});
