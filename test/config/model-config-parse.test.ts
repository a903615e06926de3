import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseModelConfigJson, parseModelConfigText, validateModelConfig } from '../../src/config/index.js';
import { ALL_CASES, DYNAMIC_BATCHING, ENSEMBLE, SEQUENCE_AND_OPTIMIZATION } from './triton-configs.js';

describe('realistic Triton configs', () => {
  for (const c of ALL_CASES) {
    describe(c.title, () => {
      const file = `models/${c.model}/config.pbtxt`;

      it('parses from config.pbtxt to the expected JSON object', () => {
        assert.deepEqual(parseModelConfigText(c.pbtxt, file, c.model), c.json);
      });

      it('gives the same object from config.json', () => {
        const fromText = parseModelConfigText(c.pbtxt, file, c.model);
        const fromJson = parseModelConfigJson(JSON.stringify(c.json, null, 2), `models/${c.model}/config.json`, c.model);
        assert.deepEqual(fromJson, fromText);
      });

      it('is deeply frozen', () => {
        const config = parseModelConfigText(c.pbtxt, file, c.model);
        assert.ok(Object.isFrozen(config));
        assert.ok(Object.isFrozen(config.input));
        assert.ok(Object.isFrozen(config.input?.[0]?.dims));
      });

      it('is unchanged by a second validation', () => {
        const config = parseModelConfigText(c.pbtxt, file, c.model);
        assert.deepEqual(validateModelConfig(structuredClone(config), file, c.model), config);
      });
    });
  }

  it('keeps the sequence_batching, optimization and pass-through blocks it does not interpret', () => {
    const config = parseModelConfigText(SEQUENCE_AND_OPTIMIZATION.pbtxt, 'models/stateful/config.pbtxt');
    assert.equal((config.sequence_batching as { max_sequence_idle_microseconds: number }).max_sequence_idle_microseconds, 5000000);
    assert.equal((config.optimization as { priority: string }).priority, 'PRIORITY_MAX');
    assert.deepEqual(config.model_transaction_policy, { decoupled: true });
    assert.deepEqual(config.response_cache, { enable: true });
  });

  it('reads the dynamic batching and queue policies as numbers and enum names', () => {
    const batching = parseModelConfigText(DYNAMIC_BATCHING.pbtxt, 'c.pbtxt').dynamic_batching;
    assert.equal(batching?.default_queue_policy?.default_timeout_microseconds, 100000);
    assert.equal(batching?.priority_queue_policy?.['1']?.timeout_action, 'DELAY');
  });

  it('accepts the older ensemble field name max_inflight_responses as max_inflight_requests', () => {
    const text = ENSEMBLE.pbtxt.replace('max_inflight_requests', 'max_inflight_responses');
    assert.equal(parseModelConfigText(text, 'c.pbtxt').ensemble_scheduling?.max_inflight_requests, 16);
  });
});

describe('config.json specifics', () => {
  const base = { input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }] };

  it('accepts 64-bit integers written as strings (protobuf JSON mapping) and stores numbers', () => {
    const config = parseModelConfigJson(JSON.stringify({
      input: [{ name: 'x', data_type: 'TYPE_FP32', dims: ['-1', '4'] }],
      max_batch_size: 2,
      dynamic_batching: { max_queue_delay_microseconds: '100', priority_levels: '2', default_priority_level: 1 },
      version_policy: { specific: { versions: ['1', 2] } },
    }), 'config.json');
    assert.deepEqual(config.input?.[0]?.dims, [-1, 4]);
    assert.equal(config.dynamic_batching?.max_queue_delay_microseconds, 100);
    assert.deepEqual(config.version_policy, { specific: { versions: [1, 2] } });
  });

  it('accepts enum numbers and stores their names', () => {
    const config = validateModelConfig({ input: [{ name: 'x', data_type: 11, dims: [4] }], instance_group: [{ kind: 2 }] }, 'config.json');
    assert.equal(config.input?.[0]?.data_type, 'TYPE_FP32');
    assert.equal(config.instance_group?.[0]?.kind, 'KIND_CPU');
  });

  it('treats null as an unset field', () => {
    assert.deepEqual(validateModelConfig({ ...base, max_batch_size: null, dynamic_batching: null }, 'config.json'), base);
  });

  it('puts fields in proto declaration order whatever order the file uses', () => {
    const config = validateModelConfig({ max_batch_size: 0, ...base, name: 'm' }, 'config.json');
    assert.deepEqual(Object.keys(config), ['name', 'max_batch_size', 'input']);
  });

  it('reports invalid JSON with the file name', () => {
    assert.throws(() => parseModelConfigJson('{"max_batch_size": 8,', 'models/m/config.json'), (error: Error) => {
      assert.match(error.message, /^models\/m\/config\.json(:\d+:\d+)?: invalid JSON: /);
      return true;
    });
  });
});
