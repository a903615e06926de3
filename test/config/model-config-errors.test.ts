import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceError } from '../../src/errors/index.js';
import { parseModelConfigJson, parseModelConfigText, validateModelConfig } from '../../src/config/index.js';

const TEXT_FILE = 'models/mlp/config.pbtxt';
const JSON_FILE = 'models/mlp/config.json';
const INPUT = 'input [ { name: "x" data_type: TYPE_FP32 dims: [ 4 ] } ]';

interface Expected {
  readonly path: string;
  readonly problem: RegExp;
}

function rejected(run: () => unknown): InferenceError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof InferenceError, `expected InferenceError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    assert.equal(error.httpStatus, 400);
    return error;
  }
  assert.fail('expected the config to be rejected');
}

/** Asserts exactly these problems, each as its own message line naming the file and the field path. */
function assertProblems(error: InferenceError, file: string, expected: readonly Expected[]): void {
  assert.deepEqual(error.details.map((d) => d.path), expected.map((e) => e.path), error.message);
  const lines = error.message.split('\n');
  assert.equal(lines.length, expected.length);
  expected.forEach((e, i) => {
    assert.match(error.details[i]?.problem ?? '', e.problem);
    const prefix = e.path === '' ? `${file}: ` : `${file}: ${e.path}: `;
    assert.ok(lines[i]?.startsWith(prefix), `line ${i} should start with ${JSON.stringify(prefix)}: ${lines[i]}`);
  });
}

const text = (body: string, expected: readonly Expected[], modelName?: string) => (): void => {
  assertProblems(rejected(() => parseModelConfigText(body, TEXT_FILE, modelName)), TEXT_FILE, expected);
};
const json = (body: unknown, expected: readonly Expected[], modelName?: string) => (): void => {
  assertProblems(rejected(() => parseModelConfigJson(JSON.stringify(body), JSON_FILE, modelName)), JSON_FILE, expected);
};

describe('unknown fields', () => {
  it('suggests the near miss in pbtxt, with its position', text(
    `max_batch_size: 8 ${INPUT}\ndynamic_batching {\n  max_queue_delay_microsecond: 100\n}`,
    [{ path: 'dynamic_batching.max_queue_delay_microsecond', problem: /^unknown field \(did you mean max_queue_delay_microseconds\?\) \(line 3, column 3\)$/ }],
  ));

  it('lists the known fields when nothing is close', text(
    'colour: "red"',
    [{ path: 'colour', problem: /^unknown field; ModelConfig has name, platform, backend, .*model_metrics \(line 1, column 1\)$/ }],
  ));

  it('maps names from other tools (shape -> dims) in config.json', json(
    { input: [{ name: 'x', data_type: 'TYPE_FP32', dims: [4], shape: [4] }] },
    [{ path: 'input[0].shape', problem: /did you mean dims\?/ }],
  ));

  it('rejects fields of a map entry other than key and value', text(
    'parameters { key: "a" vale: { string_value: "1" } }',
    [{ path: 'parameters.vale', problem: /a map entry has only key and value \(did you mean value\?\)/ }],
  ));
});

describe('enums', () => {
  it('names the file, the path and the choices for an unknown datatype', () => {
    const error = rejected(() => parseModelConfigText('input [ { name: "x" data_type: TYPE_FLOAT dims: [ 4 ] } ]', TEXT_FILE));
    assert.match(error.message, /^models\/mlp\/config\.pbtxt: input\[0\]\.data_type: "TYPE_FLOAT" is not a datatype; did you mean TYPE_FP32\? expected one of TYPE_BOOL, TYPE_UINT8, .*TYPE_BF16/);
    assert.doesNotMatch(error.message, /TYPE_INVALID/);
  });

  it('suggests TYPE_ names for KServe datatype names in config.json', json(
    { input: [{ name: 'x', data_type: 'BYTES', dims: [1] }] },
    [{ path: 'input[0].data_type', problem: /"BYTES" is not a datatype; did you mean TYPE_STRING\?/ }],
  ));

  it('rejects an unknown instance group kind', text(
    'instance_group [ { kind: KIND_TPU } ]',
    [{ path: 'instance_group[0].kind', problem: /"KIND_TPU" is not a ModelInstanceGroup.Kind value; .*expected one of KIND_AUTO, KIND_GPU, KIND_CPU, KIND_MODEL/ }],
  ));

  it('explains that pbtxt enums are not quoted', text(
    'input [ { name: "x" data_type: "TYPE_FP32" dims: [ 4 ] } ]',
    [{ path: 'input[0].data_type', problem: /enum values are written without quotes/ }],
  ));
});

describe('wrong types', () => {
  it('rejects a quoted number in pbtxt', text('max_batch_size: "8"', [{ path: 'max_batch_size', problem: /^expected an integer, got string "8" \(write 8 without quotes\)/ }]));
  it('rejects a quoted number for a 32-bit field in config.json', json({ max_batch_size: '8' }, [{ path: 'max_batch_size', problem: /^expected an integer, got string "8"/ }]));
  it('rejects a number for a string', json({ name: 5 }, [{ path: 'name', problem: /^expected a string, got number 5$/ }]));
  it('rejects an unquoted string in pbtxt', text('platform: onnxruntime_onnx', [{ path: 'platform', problem: /^expected a string, got onnxruntime_onnx/ }]));
  it('rejects a fraction for an integer', json({ max_batch_size: 1.5 }, [{ path: 'max_batch_size', problem: /expected an integer, got number 1.5/ }]));
  it('rejects a string for a boolean', json({ response_cache: { enable: 'yes' } }, [{ path: 'response_cache.enable', problem: /expected true or false/ }]));
  it('rejects a scalar where a message belongs', text('dynamic_batching: 5', [{ path: 'dynamic_batching', problem: /expected a message \{ \.\.\. \} \(ModelDynamicBatching\), got 5/ }]));
  it('rejects a list for a singular field', text('max_batch_size: [ 1, 2 ]', [{ path: 'max_batch_size', problem: /is a single value, not a list/ }]));
  it('rejects an object where a list belongs', json({ input: { name: 'x' } }, [{ path: 'input', problem: /expected a list, got an object/ }]));
  it('rejects a config.json that is not an object', json([], [{ path: '', problem: /expected an object \(ModelConfig\), got a list/ }]));

  it('shows how a parameter is written', json(
    { parameters: { intra_op_thread_count: '1' } },
    [{ path: 'parameters["intra_op_thread_count"]', problem: /expected an object \(ModelParameter\), written \{ string_value: \.\.\. \}, got string "1"/ }],
  ));

  it('requires string_value in a parameter', json({ parameters: { a: {} } }, [{ path: 'parameters["a"]', problem: /string_value/ }]));
});

describe('fields given twice', () => {
  it('rejects a singular scalar given twice', text('max_batch_size: 1\nmax_batch_size: 2', [{ path: 'max_batch_size', problem: /given twice \(first at line 1\).*\(line 2, column 1\)/ }]));
  it('rejects a singular message given twice', text(
    'max_batch_size: 2 dynamic_batching { } dynamic_batching { }',
    [{ path: 'dynamic_batching', problem: /given twice/ }],
  ));
  it('rejects two members of one oneof', text(
    'max_batch_size: 2 dynamic_batching { } sequence_batching { }',
    [{ path: 'sequence_batching', problem: /only one of dynamic_batching, sequence_batching, ensemble_scheduling may be set, and dynamic_batching is already set/ }],
  ));
  it('rejects two version policies', json(
    { version_policy: { latest: { num_versions: 1 }, all: {} } },
    [{ path: 'version_policy.all', problem: /only one of latest, all, specific/ }],
  ));
  it('rejects a map key given twice', text(
    'parameters { key: "a" value { string_value: "1" } } parameters { key: "a" value { string_value: "2" } }',
    [{ path: 'parameters["a"]', problem: /key given twice/ }],
  ));
  it('rejects a map entry without a key', text('parameters { value { string_value: "1" } }', [{ path: 'parameters', problem: /map entry without a key/ }]));
});

describe('out-of-range values', () => {
  it('rejects int32 overflow', text('max_batch_size: 3000000000', [{ path: 'max_batch_size', problem: /3000000000 is out of range for int32/ }]));
  it('rejects int64 values beyond the safe integer range in pbtxt', text(
    'input [ { name: "x" data_type: TYPE_FP32 dims: [ 9007199254740992 ] } ]',
    [{ path: 'input[0].dims[0]', problem: /out of range for int64.*safe integer/ }],
  ));
  it('rejects int64 strings beyond the safe integer range in config.json', json(
    { input: [{ name: 'x', data_type: 'TYPE_FP32', dims: ['9223372036854775807'] }] },
    [{ path: 'input[0].dims[0]', problem: /out of range for int64/ }],
  ));
  it('rejects negative unsigned values', json({ dynamic_batching: { max_queue_delay_microseconds: -1 } }, [
    { path: 'dynamic_batching.max_queue_delay_microseconds', problem: /-1 is out of range for uint64/ },
  ]));
  it('rejects a priority map key that is not a number', json({ max_batch_size: 1, dynamic_batching: { priority_levels: 1, default_priority_level: 1, priority_queue_policy: { high: {} } } }, [
    { path: 'dynamic_batching.priority_queue_policy["high"]', problem: /map key must be a non-negative integer/ },
  ]));
});

describe('semantic rules', () => {
  it('rejects dims below -1, in dims and reshape', text(
    'input [ { name: "x" data_type: TYPE_FP32 dims: [ -2, 4 ] reshape: { shape: [ -3 ] } } ]',
    [
      { path: 'input[0].dims[0]', problem: /-2 is not a dimension; use -1 for a variable size or a size >= 0/ },
      { path: 'input[0].reshape.shape[0]', problem: /-3 is not a dimension/ },
      { path: 'input[0].reshape.shape', problem: /does not hold the same number of elements/ },
    ],
  ));
  it('accepts 0 and -1 as dims', () => {
    assert.deepEqual(parseModelConfigText('input [ { name: "x" data_type: TYPE_FP32 dims: [ 0, -1 ] } ]', TEXT_FILE).input?.[0]?.dims, [0, -1]);
  });
  it('rejects duplicate input and output names', text(
    'input [ { name: "x" data_type: TYPE_FP32 dims: [1] }, { name: "x" data_type: TYPE_FP32 dims: [1] } ]\n'
    + 'output [ { name: "y" data_type: TYPE_FP32 dims: [1] }, { name: "y" data_type: TYPE_FP32 dims: [1] } ]',
    [
      { path: 'input[1].name', problem: /"x" is already the name of input\[0\]; input names must be unique/ },
      { path: 'output[1].name', problem: /"y" is already the name of output\[0\]/ },
    ],
  ));
  it('requires name, data_type and dims on every tensor', json({ output: [{}] }, [
    { path: 'output[0].name', problem: /every output needs a non-empty name/ },
    { path: 'output[0].data_type', problem: /must be set/ },
    { path: 'output[0].dims', problem: /must list at least one dimension; for a scalar use dims: \[1\] with reshape: \{ shape: \[\] \}/ },
  ]));
  it('rejects a name that differs from the model folder', text('name: "other"', [{ path: 'name', problem: /"other" does not match the model folder "mlp"/ }], 'mlp'));
  it('rejects a negative max_batch_size', text('max_batch_size: -1', [{ path: 'max_batch_size', problem: /-1 is negative/ }]));
  it('rejects dynamic batching with max_batch_size 0', text('max_batch_size: 0 dynamic_batching { }', [{ path: 'dynamic_batching', problem: /needs max_batch_size > 0/ }]));
  it('rejects preferred batch sizes outside 1..max_batch_size', text(
    'max_batch_size: 8 dynamic_batching { preferred_batch_size: [ 0, 4, 16 ] }',
    [
      { path: 'dynamic_batching.preferred_batch_size[0]', problem: /0 is not a batch size/ },
      { path: 'dynamic_batching.preferred_batch_size[2]', problem: /16 is larger than max_batch_size 8/ },
    ],
  ));
  it('rejects priority levels out of range', text(
    'max_batch_size: 8 dynamic_batching { priority_levels: 2 default_priority_level: 3 priority_queue_policy { key: 5 value { } } }',
    [
      { path: 'dynamic_batching.default_priority_level', problem: /between 1 and priority_levels \(2\), got 3/ },
      { path: 'dynamic_batching.priority_queue_policy["5"]', problem: /outside 1\.\.priority_levels/ },
    ],
  ));
  it('rejects negative instance counts and GPUs on a CPU group', text(
    'instance_group [ { count: -1 }, { kind: KIND_CPU gpus: [ 0 ] } ]',
    [
      { path: 'instance_group[0].count', problem: /-1 is negative/ },
      { path: 'instance_group[1].gpus', problem: /a KIND_CPU group cannot list gpus/ },
    ],
  ));
  it('rejects version policies that serve nothing', text(
    'version_policy { latest { num_versions: 0 } }',
    [{ path: 'version_policy.latest.num_versions', problem: /must be >= 1, got 0/ }],
  ));
  it('rejects version 0 in a specific policy', json({ version_policy: { specific: { versions: [0, 2] } } }, [
    { path: 'version_policy.specific.versions[0]', problem: /versions are numbered from 1/ },
  ]));
  it('checks warmup batch sizes and data', text(
    `max_batch_size: 4 ${INPUT}\nmodel_warmup [ { name: "a" batch_size: 0 }, { name: "b" batch_size: 8 inputs { key: "x" value { data_type: TYPE_FP32 dims: [4] } } } ]`,
    [
      { path: 'model_warmup[0].batch_size', problem: /must be >= 1, got 0/ },
      { path: 'model_warmup[1].batch_size', problem: /8 is larger than max_batch_size 4/ },
      { path: 'model_warmup[1].inputs["x"]', problem: /must set one of zero_data, random_data or input_data_file/ },
    ],
  ));
  it('requires platform "ensemble" for ensemble scheduling', text(
    'ensemble_scheduling { step [ { model_name: "a" } ] }',
    [{ path: 'platform', problem: /ensemble_scheduling needs platform: "ensemble"/ }],
  ));
  it('rejects an empty reshape without batching and NHWC without 3 dims', text(
    'max_batch_size: 0 input [ { name: "x" data_type: TYPE_FP32 dims: [ 1 ] reshape: { shape: [ ] } }, { name: "i" data_type: TYPE_UINT8 format: FORMAT_NHWC dims: [ 2, 2 ] } ]',
    [
      { path: 'input[0].reshape.shape', problem: /cannot be empty when max_batch_size is 0/ },
      { path: 'input[1].format', problem: /FORMAT_NHWC needs exactly 3 dims/ },
    ],
  ));
  it('accepts a reshape that regroups variable dims consistently', () => {
    const config = parseModelConfigText('input [ { name: "x" data_type: TYPE_FP32 dims: [ 2, 4, -1, 6 ] reshape: { shape: [ 8, -1, 1, 6 ] } } ]', TEXT_FILE);
    assert.deepEqual(config.input?.[0]?.reshape, { shape: [8, -1, 1, 6] });
  });
});

describe('collecting every problem', () => {
  it('reports all problems of a config in one error, one line each', () => {
    const error = rejected(() => parseModelConfigText([
      'name: "wrong"',
      'max_batch_size: -4',
      'input [ { name: "x" data_type: TYPE_FLOAT dims: [ -2 ] } ]',
      'dynamic_batching { max_queue_delay_microsecond: 5 }',
      'instance_groups [ { count: 1 } ]',
    ].join('\n'), TEXT_FILE, 'mlp'));
    assert.deepEqual(error.details.map((d) => d.path), [
      'input[0].data_type',
      'dynamic_batching.max_queue_delay_microsecond',
      'instance_groups',
      'name',
      'max_batch_size',
      'input[0].dims[0]',
    ]);
    assert.equal(error.message.split('\n').length, 6);
    assert.match(error.message, /instance_groups: unknown field \(did you mean instance_group\?\)/);
  });

  it('does not report a dropped malformed value a second time as missing', () => {
    const error = rejected(() => validateModelConfig({ input: [{ name: 'x', data_type: 'FLOAT', dims: [4] }] }, JSON_FILE));
    assert.deepEqual(error.details.map((d) => d.path), ['input[0].data_type']);
  });
});
