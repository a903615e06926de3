import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ENSEMBLE_INSTANCE_COUNT, EnsembleBackend, type StepInvoker } from '../../../src/backends/ensemble/index.js';
import { BackendRegistry, type BackendLoadSpec } from '../../../src/backends/index.js';
import { completeModelConfig, type ModelConfig } from '../../../src/config/index.js';
import type { Tensor } from '../../../src/core/index.js';
import { createScheduler } from '../../../src/scheduler/index.js';
import { DIAMOND, DIAMOND_MODELS, lookup } from './fixtures.js';

const spec = (config: ModelConfig | undefined): BackendLoadSpec => ({
  modelName: 'pipe', version: '1', versionDir: '/repo/pipe/1', modelFile: '', instanceCount: 1, parameters: {}, ...(config ? { config } : {}),
});
const fp32 = (name: string, values: number[]): Tensor => ({ name, datatype: 'FP32', shape: [1, values.length], data: Float32Array.from(values) });

describe('EnsembleBackend', () => {
  it('is found by platform "ensemble" and has no model file', () => {
    const registry = new BackendRegistry();
    const backend = new EnsembleBackend({ invoke: () => Promise.resolve([]), configOf: lookup([]) });
    registry.register(backend);
    assert.equal(registry.resolve({ platform: 'ensemble' }), backend);
    assert.equal(backend.defaultModelFilename, '');
  });

  it('declares the config\'s tensors as its signature, so completion accepts the config as it is', async () => {
    const backend = new EnsembleBackend({ invoke: () => Promise.resolve([]), configOf: lookup(DIAMOND_MODELS) });
    const loaded = await backend.load(spec(DIAMOND));
    assert.deepEqual(loaded.signature, {
      inputs: [{ name: 'A', datatype: 'FP32', dims: [-1, 4] }, { name: 'B', datatype: 'FP32', dims: [-1, 4] }],
      outputs: [{ name: 'X', datatype: 'FP32', dims: [-1, 4] }, { name: 'Y', datatype: 'FP32', dims: [-1, 4] }],
    });
    const completed = completeModelConfig(DIAMOND, { modelName: 'pipe', configFile: 'pipe/config.pbtxt', modelFile: 'pipe/config.pbtxt', signature: loaded.signature });
    assert.equal(completed.platform, 'ensemble');
    assert.equal(completed.dynamic_batching, undefined);
  });

  it('refuses a config without ensemble_scheduling, and an invalid one, as a rejected load', async () => {
    const backend = new EnsembleBackend({ invoke: () => Promise.resolve([]), configOf: lookup([]) });
    await assert.rejects(backend.load(spec({ platform: 'ensemble' })), { code: 'ERR_CONFIG_INVALID', message: 'model \'pipe\' has platform "ensemble" but no ensemble_scheduling' });
    await assert.rejects(backend.load(spec(DIAMOND)), { code: 'ERR_CONFIG_INVALID', message: /^ensemble 'pipe' step 0 \(model 'add_sub'\): cannot use model 'add_sub': unknown model 'add_sub'/ });
  });

  it('is not limited to a few requests in flight by its scheduler', async () => {
    const waiting: (() => void)[] = [];
    const invoke: StepInvoker = (_model, _version, inputs, outputNames) => new Promise((resolve) => {
      waiting.push(() => resolve(outputNames.map((name) => ({ ...inputs[0]!, name }))));
    });
    const loaded = await new EnsembleBackend({ invoke, configOf: lookup(DIAMOND_MODELS) }).load(spec(DIAMOND));
    assert.equal(loaded.instanceCount, ENSEMBLE_INSTANCE_COUNT);
    const config = completeModelConfig(DIAMOND, { modelName: 'pipe', configFile: 'c', modelFile: 'c', signature: loaded.signature });
    const scheduler = createScheduler(loaded, config);
    const requests = Array.from({ length: 50 }, () => scheduler.enqueue({ inputs: [fp32('A', [1, 2, 3, 4]), fp32('B', [1, 1, 1, 1])], outputNames: ['X'], batchSize: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(scheduler.queueDepth, 0);
    assert.equal(scheduler.inflightExecutions, 50, 'every request is executing (its first step called)');
    assert.equal(waiting.length, 50);
    while (waiting.length > 0) {
      for (const release of waiting.splice(0)) release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal((await Promise.all(requests)).length, 50);
    await scheduler.drain();
  });
});
