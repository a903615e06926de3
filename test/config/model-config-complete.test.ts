import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelSignature } from '../../src/core/index.js';
import { InferenceError } from '../../src/errors/index.js';
import {
  DEFAULT_MAX_BATCH_SIZE, completeModelConfig, parseModelConfigText, type CompletedModelConfig, type ModelConfig,
} from '../../src/config/index.js';

const CONFIG_FILE = 'models/mlp/config.pbtxt';
const MODEL_FILE = 'models/mlp/1/model.onnx';

const BATCHABLE: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'FP32', dims: [-1, 4] }, { name: 'mask', datatype: 'BOOL', dims: [-1, 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', dims: [-1, 2] }, { name: 'logits', datatype: 'FP16', dims: [-1, 2] }],
};
const FIXED: ModelSignature = {
  inputs: [{ name: 'x', datatype: 'INT64', dims: [1, 4] }],
  outputs: [{ name: 'y', datatype: 'FP32', dims: [1, 2] }],
};

function complete(pbtxt: string | undefined, signature: ModelSignature = BATCHABLE): CompletedModelConfig {
  const config = pbtxt === undefined ? undefined : parseModelConfigText(pbtxt, CONFIG_FILE, 'mlp');
  return completeModelConfig(config, { modelName: 'mlp', configFile: pbtxt === undefined ? undefined : CONFIG_FILE, modelFile: MODEL_FILE, signature });
}

function completionError(pbtxt: string | undefined, signature: ModelSignature = BATCHABLE): InferenceError {
  try {
    complete(pbtxt, signature);
  } catch (error) {
    assert.ok(error instanceof InferenceError);
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    return error;
  }
  assert.fail('expected completion to fail');
}

const IO = `
input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "mask" data_type: TYPE_BOOL dims: [ 4 ] } ]
output [ { name: "y" data_type: TYPE_FP32 dims: [ 2 ] } ]`;

describe('completion without a config', () => {
  it('makes a batchable model batch: max_batch_size 4, dims without the batch dim, dynamic batching on', () => {
    assert.deepEqual(complete(undefined), {
      name: 'mlp',
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      version_policy: { latest: { num_versions: 1 } },
      max_batch_size: DEFAULT_MAX_BATCH_SIZE,
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }, { name: 'mask', data_type: 'TYPE_BOOL', dims: [4] }],
      output: [{ name: 'y', data_type: 'TYPE_FP32', dims: [2] }, { name: 'logits', data_type: 'TYPE_FP16', dims: [2] }],
      dynamic_batching: {},
      instance_group: [{ name: 'mlp', kind: 'KIND_CPU', count: 1 }],
      default_model_filename: 'model.onnx',
    });
  });

  it('keeps a model whose first dim is fixed unbatched, with full dims', () => {
    const config = complete(undefined, FIXED);
    assert.equal(config.max_batch_size, 0);
    assert.deepEqual(config.input, [{ name: 'x', data_type: 'TYPE_INT64', dims: [1, 4] }]);
    assert.deepEqual(config.output, [{ name: 'y', data_type: 'TYPE_FP32', dims: [1, 2] }]);
    assert.equal(config.dynamic_batching, undefined);
  });

  it('writes scalars as dims [1], with an empty reshape per batch entry when batching', () => {
    const batched = complete(undefined, { inputs: [{ name: 'x', datatype: 'FP32', dims: [-1] }], outputs: [{ name: 'y', datatype: 'INT32', dims: [-1] }] });
    assert.deepEqual(batched.input, [{ name: 'x', data_type: 'TYPE_FP32', dims: [1], reshape: { shape: [] } }]);
    const scalar = complete(undefined, { inputs: [{ name: 'x', datatype: 'FP32', dims: [2] }], outputs: [{ name: 'y', datatype: 'BYTES', dims: [] }] });
    assert.equal(scalar.max_batch_size, 0);
    assert.deepEqual(scalar.output, [{ name: 'y', data_type: 'TYPE_STRING', dims: [1] }]);
  });

  it('returns a frozen config', () => {
    const config = complete(undefined);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.input[0]) && Object.isFrozen(config.instance_group[0]));
  });
});

describe('completion of a config without inputs and outputs', () => {
  it('respects an explicit max_batch_size 0: full dims, -1 batch dim included', () => {
    const config = complete('max_batch_size: 0');
    assert.equal(config.max_batch_size, 0);
    assert.deepEqual(config.input[0], { name: 'x', data_type: 'TYPE_FP32', dims: [-1, 4] });
    assert.equal(config.dynamic_batching, undefined);
  });

  it('respects an explicit max_batch_size and keeps the configured scheduler', () => {
    const config = complete('max_batch_size: 16 dynamic_batching { max_queue_delay_microseconds: 500 }');
    assert.equal(config.max_batch_size, 16);
    assert.deepEqual(config.dynamic_batching, { max_queue_delay_microseconds: 500 });
  });

  it('does not turn on dynamic batching for max_batch_size 1', () => {
    assert.equal(complete('max_batch_size: 1').dynamic_batching, undefined);
  });

  it('rejects max_batch_size > 0 for a model without a batch dim', () => {
    const error = completionError('max_batch_size: 8', FIXED);
    assert.deepEqual(error.details.map((d) => d.path), ['max_batch_size']);
    assert.match(error.message, /^models\/mlp\/config\.pbtxt: max_batch_size: 8 needs a batch dimension, but models\/mlp\/1\/model\.onnx declares x as \[1,4\]/);
  });

  it('checks batch sizes against the inferred max_batch_size', () => {
    const error = completionError('dynamic_batching { preferred_batch_size: [ 8 ] }');
    assert.match(error.message, /dynamic_batching\.preferred_batch_size\[0\]: 8 is larger than max_batch_size 4/);
  });

  it('completes the outputs of a config that lists only inputs, inferring max_batch_size as Triton does', () => {
    const config = complete('input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] }, { name: "mask" data_type: TYPE_BOOL dims: [ 4 ] } ]');
    assert.equal(config.max_batch_size, 4);
    assert.deepEqual(config.output.map((o) => o.name), ['y', 'logits']);
  });
});

describe('completion of a config with inputs and outputs', () => {
  it('accepts a matching config, a subset of the outputs, and fills the defaults', () => {
    const config = complete(`max_batch_size: 8 ${IO}`);
    assert.equal(config.max_batch_size, 8);
    assert.deepEqual(config.output.map((o) => o.name), ['y']);
    assert.equal(config.dynamic_batching, undefined, 'Triton does not auto-complete a config that lists inputs and outputs');
    assert.equal(config.platform, 'onnxruntime_onnx');
    assert.equal(config.name, 'mlp');
  });

  it('explains the batch convention when the config dims include the batch dim', () => {
    const error = completionError(`max_batch_size: 8
input [ { name: "x" data_type: TYPE_FP32 dims: [ 1, 4 ] }, { name: "mask" data_type: TYPE_BOOL dims: [ 4 ] } ]
output [ { name: "y" data_type: TYPE_FP32 dims: [ 2 ] } ]`);
    assert.equal(error.message, 'models/mlp/config.pbtxt: input[0].dims: [1,4] with max_batch_size 8 means requests of shape [batch,1,4], '
      + 'but models/mlp/1/model.onnx declares x as [-1,4] (rank 2). Config dims exclude the batch dimension when max_batch_size > 0; did you mean dims: [4]?');
  });

  it('explains the batch convention when max_batch_size is 0 but dims leave out the batch dim', () => {
    const error = completionError(IO);
    assert.match(error.details[0]?.problem ?? '', /^\[4\] with max_batch_size 0 means requests of shape \[4\], but .* declares x as \[-1,4\] \(rank 2\)\. With max_batch_size 0 config dims are the full shape; did you mean max_batch_size > 0 \(e\.g\. 4\) to keep dims: \[4\], or dims: \[-1,4\]\?$/);
    assert.equal(error.details.length, 3);
  });

  it('rejects a datatype that differs from the model file', () => {
    const error = completionError(`max_batch_size: 8 ${IO.replace('name: "y" data_type: TYPE_FP32', 'name: "y" data_type: TYPE_FP64')}`);
    assert.equal(error.message, 'models/mlp/config.pbtxt: output[0].data_type: TYPE_FP64 does not match models/mlp/1/model.onnx, which declares y as TYPE_FP32');
  });

  it('rejects a model input the config leaves out', () => {
    const error = completionError('max_batch_size: 8 input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] } ] output [ { name: "y" data_type: TYPE_FP32 dims: [ 2 ] } ]');
    assert.deepEqual(error.details, [{ path: 'input', problem: 'models/mlp/1/model.onnx has input "mask" (TYPE_BOOL [-1,4]) that the config does not list; every model input must be configured' }]);
  });

  it('rejects a config input the model does not have, listing the model inputs', () => {
    const error = completionError(`max_batch_size: 8 ${IO.replace('name: "mask"', 'name: "masks"')}`);
    assert.equal(error.details[0]?.path, 'input[1].name');
    assert.match(error.details[0]?.problem ?? '', /^"masks" is not an input of models\/mlp\/1\/model\.onnx; did you mean "mask"\? its inputs are "x", "mask"$/);
  });

  it('rejects a batching config for a model whose first dim is fixed', () => {
    const error = completionError('max_batch_size: 4 input [ { name: "x" data_type: TYPE_INT64 dims: [ 4 ] } ] output [ { name: "y" data_type: TYPE_FP32 dims: [ 2 ] } ]', FIXED);
    assert.match(error.message, /input\[0\]\.dims: max_batch_size 4 needs a dynamic first \(batch\) dimension, but .* declares x as \[1,4\]\. Use max_batch_size: 0 with dims: \[1,4\]/);
  });

  it('lets config dims narrow dynamic model dims but not widen fixed ones', () => {
    const signature: ModelSignature = { inputs: [{ name: 'x', datatype: 'FP32', dims: [-1, -1, 3] }], outputs: [{ name: 'y', datatype: 'FP32', dims: [-1, 3] }] };
    const ok = complete('max_batch_size: 2 input [ { name: "x" data_type: TYPE_FP32 dims: [ 10, 3 ] } ] output [ { name: "y" data_type: TYPE_FP32 dims: [ 3 ] } ]', signature);
    assert.deepEqual(ok.input[0]?.dims, [10, 3]);
    const error = completionError('max_batch_size: 2 input [ { name: "x" data_type: TYPE_FP32 dims: [ 10, -1 ] } ] output [ { name: "y" data_type: TYPE_FP32 dims: [ 4 ] } ]', signature);
    assert.deepEqual(error.details.map((d) => d.path), ['input[0].dims', 'output[0].dims']);
    assert.match(error.details[0]?.problem ?? '', /dim 1 is variable \(-1\) in the config but fixed at 3 in the model/);
    assert.match(error.details[1]?.problem ?? '', /dim 0 is 4 in the config but 3 in the model/);
  });

  it('compares the reshape, not the dims, with the model file', () => {
    const signature: ModelSignature = { inputs: [{ name: 'x', datatype: 'FP32', dims: [-1, 2, 2] }, { name: 's', datatype: 'INT32', dims: [-1] }], outputs: [{ name: 'y', datatype: 'FP32', dims: [-1, 4] }] };
    const io = 'output [ { name: "y" data_type: TYPE_FP32 dims: [ 4 ] } ] input { name: "s" data_type: TYPE_INT32 dims: [ 1 ] reshape: { shape: [ ] } }';
    const ok = complete(`max_batch_size: 8 input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] reshape: { shape: [ 2, 2 ] } } ] ${io}`, signature);
    assert.deepEqual(ok.input[0]?.reshape, { shape: [2, 2] });
    const error = completionError(`max_batch_size: 8 input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] reshape: { shape: [ 4, 1 ] } } ] ${io}`, signature);
    assert.equal(error.details[0]?.path, 'input[0].reshape.shape');
    assert.match(error.details[0]?.problem ?? '', /dim 0 is 4 in the config but 2 in the model/);
  });

  it('names the model file when the model has no config file', () => {
    try {
      completeModelConfig({ max_batch_size: 8 }, { modelName: 'mlp', configFile: undefined, modelFile: MODEL_FILE, signature: FIXED });
      assert.fail('expected an error');
    } catch (error) {
      assert.ok(error instanceof InferenceError);
      assert.match(error.message, /^models\/mlp\/1\/model\.onnx: max_batch_size: /);
    }
  });
});

describe('completion defaults', () => {
  it('names, counts and places user instance groups', () => {
    const config = complete('instance_group [ { count: 0 }, { name: "pool" kind: KIND_AUTO count: 3 }, { kind: KIND_CPU } ]');
    assert.deepEqual(config.instance_group, [
      { name: 'mlp_0', kind: 'KIND_CPU', count: 1 },
      { name: 'pool', kind: 'KIND_CPU', count: 3 },
      { name: 'mlp_2', kind: 'KIND_CPU', count: 1 },
    ]);
  });

  it('fills backend from platform and platform from backend, and keeps other platforms', () => {
    assert.equal(complete('platform: "onnxruntime_onnx"').backend, 'onnxruntime');
    assert.equal(complete('backend: "onnxruntime"').platform, 'onnxruntime_onnx');
    const custom = complete('backend: "python"');
    assert.equal(custom.platform, undefined);
    assert.equal(custom.default_model_filename, undefined);
  });

  it('keeps the version policy, default_model_filename and extra blocks of the config', () => {
    const config = complete('version_policy { all { } } default_model_filename: "net.onnx" optimization { graph { level: 1 } } response_cache { enable: true }');
    assert.deepEqual(config.version_policy, { all: {} });
    assert.equal(config.default_model_filename, 'net.onnx');
    assert.deepEqual(config.optimization, { graph: { level: 1 } });
    assert.deepEqual(config.response_cache, { enable: true });
  });

  it('checks the name against the model folder', () => {
    const config: ModelConfig = { name: 'other' };
    assert.throws(() => completeModelConfig(config, { modelName: 'mlp', configFile: CONFIG_FILE, modelFile: MODEL_FILE, signature: BATCHABLE }),
      /models\/mlp\/config\.pbtxt: name: "other" does not match the model folder "mlp"/);
  });

  it('does not change the config it is given', () => {
    const config = parseModelConfigText('max_batch_size: 2', CONFIG_FILE);
    complete('max_batch_size: 2');
    assert.deepEqual(config, { max_batch_size: 2 });
  });
});
