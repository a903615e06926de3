import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { modelConfigToText, parseModelConfigText, type ModelConfig } from '../../src/config/index.js';

const root = new URL('../../../', import.meta.url).pathname;

const COMPLEX = `
name: "everything"
platform: "ensemble"
max_batch_size: 8
version_policy { specific { versions: [ 1, 3 ] } }
input [ { name: "IMAGE" data_type: TYPE_STRING dims: [ 1 ] }, { name: "x" data_type: TYPE_FP32 dims: [ 1, 3 ] reshape { shape: [ 3 ] } optional: true } ]
output [ { name: "LABELS" data_type: TYPE_STRING dims: [ 3 ] label_filename: "labels.txt" } ]
ensemble_scheduling {
  step [
    { model_name: "pre" model_version: -1 input_map { key: "in" value: "IMAGE" } output_map { key: "out" value: "t0" } },
    { model_name: "net" model_version: 2 input_map { key: "x" value: "t0" } output_map { key: "y" value: "LABELS" } }
  ]
}
parameters { key: "top_k" value: { string_value: "3" } }
parameters { key: "quote \\"me\\"" value: { string_value: "tab\\there" } }
`;

const BATCHED = `
name: "batched"
backend: "onnxruntime"
max_batch_size: 16
input [ { name: "x" data_type: TYPE_INT64 dims: [ 9007199254740991 ] } ]
output [ { name: "y" data_type: TYPE_FP16 dims: [ 4 ] } ]
instance_group [ { kind: KIND_CPU count: 2 } ]
dynamic_batching {
  preferred_batch_size: [ 4, 8 ]
  max_queue_delay_microseconds: 500
  priority_levels: 2
  default_priority_level: 1
  default_queue_policy { timeout_action: DELAY default_timeout_microseconds: 100000 max_queue_size: 64 }
  priority_queue_policy { key: 1 value: { max_queue_size: 8 } }
}
model_warmup [ { name: "w" batch_size: 2 count: 3 inputs { key: "x" value: { data_type: TYPE_INT64 dims: [ 9007199254740991 ] zero_data: true } } } ]
`;

function roundTrip(text: string, file: string): void {
  const config = parseModelConfigText(text, file);
  const written = modelConfigToText(config);
  assert.deepEqual(parseModelConfigText(written, `${file} (rewritten)`), config, written);
}

describe('modelConfigToText', () => {
  it('round-trips every feature of the config through config.pbtxt text', () => {
    roundTrip(COMPLEX, 'complex.pbtxt');
    roundTrip(BATCHED, 'batched.pbtxt');
  });

  it('round-trips every config.pbtxt of the bundled examples', () => {
    const models = join(root, 'examples/models');
    const files = readdirSync(models).map((name) => join(models, name, 'config.pbtxt')).filter((file) => existsSync(file));
    assert.ok(files.length >= 3);
    for (const file of files) roundTrip(readFileSync(file, 'utf8'), file);
  });

  it('writes enums bare, strings quoted and int64 exactly', () => {
    const text = modelConfigToText(parseModelConfigText(BATCHED, 'batched.pbtxt'));
    assert.match(text, /data_type: TYPE_INT64/);
    assert.match(text, /name: "x"/);
    assert.match(text, /dims: \[ 9007199254740991 \]/);
    assert.match(text, /kind: KIND_CPU/);
  });

  it('round-trips arbitrary names, parameters and batching settings', () => {
    const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\ud800-\udfff]/.test(s));
    fc.assert(fc.property(name, fc.dictionary(name, fc.string({ maxLength: 10 }).filter((s) => !/[\ud800-\udfff]/.test(s)), { maxKeys: 3 }), fc.integer({ min: 64, max: 256 }), fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 3 }),
      (inputName, parameters, maxBatchSize, preferred) => {
        const config: ModelConfig = {
          max_batch_size: maxBatchSize,
          input: [{ name: inputName, data_type: 'TYPE_FP32', dims: [4] }],
          parameters: Object.fromEntries(Object.entries(parameters).map(([k, v]) => [k, { string_value: v }])),
          dynamic_batching: { preferred_batch_size: preferred, max_queue_delay_microseconds: 100 },
        };
        const once = parseModelConfigText(modelConfigToText(config), 'generated.pbtxt');
        assert.deepEqual(parseModelConfigText(modelConfigToText(once), 'generated.pbtxt'), once);
        assert.equal(once.input?.[0]?.name, inputName);
        assert.deepEqual(Object.keys(once.parameters ?? {}).sort(), Object.keys(parameters).sort());
      }));
  });
});
