import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceError } from '../../src/errors/index.js';
import {
  DEFAULTS, DEFAULT_MAX_BATCH_SIZE, completeModelConfig, inputDataType, modelConfigParameter, modelConfigToJson, parseModelConfigText,
  validateModelConfig,
} from '../../src/config/index.js';
import { ALL_CASES, ENSEMBLE } from './triton-configs.js';

describe('modelConfigToJson (GET /v2/models/{model}/config)', () => {
  const completed = completeModelConfig(undefined, {
    modelName: 'id',
    configFile: undefined,
    modelFile: 'id/1/model.onnx',
    signature: { inputs: [{ name: 'x', datatype: 'FP32', dims: [-1, 3] }], outputs: [{ name: 'y', datatype: 'FP32', dims: [-1, 3] }] },
  });

  it('prints every top-level field Triton prints, in declaration order, with defaults for unset scalars and lists', () => {
    const json = modelConfigToJson(completed);
    assert.deepEqual(Object.keys(json), [
      'name', 'platform', 'backend', 'runtime', 'version_policy', 'max_batch_size', 'input', 'output', 'batch_input', 'batch_output',
      'dynamic_batching', 'instance_group', 'default_model_filename', 'cc_model_filenames', 'metric_tags', 'parameters', 'model_warmup',
    ]);
    assert.equal(json.runtime, '');
    assert.deepEqual(json.batch_input, []);
    assert.deepEqual(json.parameters, {});
  });

  it('prints nested messages with their scalar defaults, the way Triton clients expect them', () => {
    const json = modelConfigToJson(completed);
    assert.deepEqual(json.input, [{
      name: 'x', data_type: 'TYPE_FP32', format: 'FORMAT_NONE', dims: [3], is_shape_tensor: false, allow_ragged_batch: false, optional: false,
      is_non_linear_format_io: false,
    }]);
    assert.deepEqual(json.dynamic_batching, { preferred_batch_size: [], max_queue_delay_microseconds: 0, preserve_ordering: false, priority_levels: 0, default_priority_level: 0, priority_queue_policy: {} });
    assert.deepEqual(json.instance_group, [{ name: 'id', kind: 'KIND_CPU', count: 1, gpus: [], secondary_devices: [], profile: [], passive: false, host_policy: '' }]);
    assert.deepEqual(json.version_policy, { latest: { num_versions: 1 } });
  });

  it('survives JSON.stringify and reads back as the same config', () => {
    for (const c of ALL_CASES) {
      const config = parseModelConfigText(c.pbtxt, `${c.model}/config.pbtxt`);
      const printed = JSON.parse(JSON.stringify(modelConfigToJson(config))) as unknown;
      assert.deepEqual(modelConfigToJson(validateModelConfig(printed, 'printed.json')), modelConfigToJson(config), c.title);
    }
  });

  it('prints maps and oneof members that are set, and is deterministic', () => {
    const config = parseModelConfigText(ENSEMBLE.pbtxt, 'c.pbtxt');
    const json = modelConfigToJson(config);
    assert.equal(JSON.stringify(json), JSON.stringify(modelConfigToJson(config)));
    const ensemble = json.ensemble_scheduling as { step: { input_map: Record<string, string>; model_namespace: string }[] };
    assert.deepEqual(ensemble.step[0]?.input_map, { RAW_IMAGE: 'IMAGE' });
    assert.equal(ensemble.step[0]?.model_namespace, '');
    assert.equal('dynamic_batching' in json, false);
  });

  it('returns a mutable copy', () => {
    const json = modelConfigToJson(completed);
    json.name = 'changed';
    assert.equal(completed.name, 'id');
  });
});

describe('config helpers', () => {
  it('inputDataType maps TYPE_* names to KServe datatypes', () => {
    assert.equal(inputDataType({ name: 'x', data_type: 'TYPE_FP32' }), 'FP32');
    assert.equal(inputDataType({ name: 'x', data_type: 'TYPE_STRING' }), 'BYTES');
    assert.equal(inputDataType({ name: 'x', data_type: 'TYPE_BF16' }), 'BF16');
    assert.throws(() => inputDataType({ name: 'x', data_type: 'TYPE_INVALID' }), (error: unknown) => error instanceof InferenceError && error.code === 'ERR_CONFIG_INVALID');
  });

  it('modelConfigParameter reads string_value and ignores inherited property names', () => {
    const config = parseModelConfigText('parameters { key: "intra_op_thread_count" value: { string_value: "2" } }', 'c.pbtxt');
    assert.equal(modelConfigParameter(config, 'intra_op_thread_count'), '2');
    assert.equal(modelConfigParameter(config, 'missing'), undefined);
    assert.equal(modelConfigParameter(config, 'toString'), undefined);
    assert.equal(modelConfigParameter({}, 'x'), undefined);
  });

  it('DEFAULTS holds the documented values', () => {
    assert.deepEqual({ ...DEFAULTS }, {
      platform: 'onnxruntime_onnx',
      backend: 'onnxruntime',
      defaultModelFilename: 'model.onnx',
      versionPolicy: { latest: { num_versions: 1 } },
      instanceCount: 1,
      instanceKind: 'KIND_CPU',
      maxBatchSize: 0,
      batchableMaxBatchSize: 4,
    });
    assert.equal(DEFAULT_MAX_BATCH_SIZE, 4);
    assert.ok(Object.isFrozen(DEFAULTS));
  });
});
