/**
 * @module
 * JsBackend.load(): the config is the model's only signature, parameters are checked, and the
 * handler sees the completed config. Plus the registry picking model.js or model.mjs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BackendRegistry, type BackendLoadSpec } from '../../../src/backends/index.js';
import { JsBackend, jsSettingsFromParameters } from '../../../src/backends/js/index.js';
import { OnnxBackend } from '../../../src/backends/onnx/index.js';
import { parseModelConfigText, type ModelConfig } from '../../../src/config/index.js';
import { InferenceError } from '../../../src/errors/index.js';
import { makeTempDir } from '../../support/server-harness.js';
import { writeJsModel } from '../../support/js-models/js-model-writer.js';

let repo: string;
let cleanup: () => Promise<void>;

before(async () => {
  ({ dir: repo, cleanup } = await makeTempDir('wharf-js-backend-'));
});

after(async () => {
  await cleanup?.();
});

const CONFIG = 'max_batch_size: 4\ninput [ { name: "x" data_type: TYPE_FP32 dims: [ 2 ] reshape: { shape: [ 1, 2 ] } } ]\noutput [ { name: "y" data_type: TYPE_INT64 dims: [ -1 ] } ]\nparameters { key: "greeting" value: { string_value: "hi" } }\n';

/** Keeps what initialize() got and answers every request with it, as the error message (the simplest way out). */
const CONTEXT_HANDLER = `
let seen;
export default {
  initialize(context) { seen = context; },
  execute(requests) { return requests.map(() => ({ error: JSON.stringify(seen) })); },
};
`;

function spec(name: string, config: ModelConfig | undefined, parameters: Record<string, string> = {}): BackendLoadSpec {
  return { modelName: name, version: '1', versionDir: join(repo, name, '1'), modelFile: 'model.js', instanceCount: 1, parameters, ...(config ? { config } : {}) };
}

async function rejectsWith(promise: Promise<unknown>, code: string, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof InferenceError && error.code === code && message.test(error.message));
}

describe('JsBackend.load', () => {
  it('reads the signature from the config and gives initialize() the completed config and the folders', async () => {
    await writeJsModel(repo, 'context', { source: CONTEXT_HANDLER });
    const config = parseModelConfigText(CONFIG, 'config.pbtxt');
    const loaded = await new JsBackend().load(spec('context', config, { greeting: 'hi' }));
    try {
      assert.deepEqual(loaded.signature, {
        inputs: [{ name: 'x', datatype: 'FP32', dims: [-1, 1, 2] }],
        outputs: [{ name: 'y', datatype: 'INT64', dims: [-1, -1] }],
      });
      const { results } = await loaded.executeRequests!([{ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1, 2], data: new Float32Array(2) }], outputNames: ['y'] }]);
      const answer = results[0]!;
      assert.ok('error' in answer);
      const context = JSON.parse(answer.error.message.replace(/^model 'context': /, '')) as Record<string, unknown>;
      assert.equal(context.modelName, 'context');
      assert.equal(context.version, '1');
      assert.equal(context.instanceIndex, 0);
      assert.equal(context.modelDirectory, join(repo, 'context'));
      assert.equal(context.versionDirectory, join(repo, 'context', '1'));
      assert.deepEqual(context.parameters, { greeting: 'hi' });
      const seen = context.config as Record<string, unknown>;
      assert.equal(seen.name, 'context');
      assert.equal(seen.backend, 'js', 'a config naming no backend is completed as js, not onnxruntime');
      assert.equal(seen.max_batch_size, 4);
      assert.deepEqual((seen.instance_group as { count: number }[]).map((g) => g.count), [1]);
    } finally {
      await loaded.unload();
    }
  });

  it('refuses a model without a config, or whose config lacks inputs or outputs', async () => {
    await writeJsModel(repo, 'bare', { source: CONTEXT_HANDLER });
    const backend = new JsBackend();
    await rejectsWith(backend.load(spec('bare', undefined)), 'ERR_CONFIG_INVALID', /^model 'bare' has no config; a js model has no model file to read them from, so its config \(config\.pbtxt or config\.json\) must list every input and output/);
    await rejectsWith(backend.load(spec('bare', parseModelConfigText('max_batch_size: 0\n', 'config.pbtxt'))), 'ERR_CONFIG_INVALID', /^model 'bare': input: is empty; .*; output: is empty; /);
  });

  it('checks its parameters', async () => {
    await rejectsWith(new JsBackend().load(spec('context', parseModelConfigText(CONFIG, 'config.pbtxt'), { execution_timeout_ms: 'soon', max_heap_mb: '-1' })),
      'ERR_CONFIG_INVALID', /^parameters\.execution_timeout_ms: "soon" is not an integer from 0 to 2147483647; parameters\.max_heap_mb: "-1" is not an integer/);
    assert.deepEqual(jsSettingsFromParameters({}), { executionTimeoutMs: 60_000, initializeTimeoutMs: 60_000, maxHeapMb: 1024 });
    assert.deepEqual(jsSettingsFromParameters({ execution_timeout_ms: '0', initialize_timeout_ms: '500', max_heap_mb: '64' }), { executionTimeoutMs: 0, initializeTimeoutMs: 500, maxHeapMb: 64 });
  });
});

describe('BackendRegistry with the js backend', () => {
  const registry = new BackendRegistry();
  const js = new JsBackend();
  registry.register(new OnnxBackend());
  registry.register(js);

  it('picks js for a folder holding model.js or model.mjs, and onnxruntime for model.onnx', () => {
    assert.equal(registry.byModelFile(['model.js'])?.name, 'js');
    assert.equal(registry.byModelFile(['README.md', 'model.mjs'])?.name, 'js');
    assert.equal(registry.byModelFile(['model.onnx'])?.name, 'onnxruntime');
    assert.equal(registry.byModelFile(['model.py']), undefined);
    assert.equal(registry.resolve({ backend: 'js' }), js);
    assert.equal(registry.resolve({ platform: 'js' }), js);
  });

  it('names the file to load: the first of model.js, model.mjs that is present', () => {
    assert.equal(registry.modelFileFor(js, ['model.mjs']), 'model.mjs');
    assert.equal(registry.modelFileFor(js, ['model.mjs', 'model.js']), 'model.js');
    assert.equal(registry.modelFileFor(js, []), 'model.js');
  });
});
