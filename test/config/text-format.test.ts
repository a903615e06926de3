import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InferenceError } from '../../src/errors/index.js';
import { parseModelConfigText, type ModelConfig } from '../../src/config/index.js';

const FILE = 'models/m/config.pbtxt';
const parse = (text: string): ModelConfig => parseModelConfigText(text, FILE);

/** Asserts that parsing fails and returns the error for further checks. */
function parseError(text: string): InferenceError {
  try {
    parse(text);
  } catch (error) {
    assert.ok(error instanceof InferenceError, `expected InferenceError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
    return error;
  }
  assert.fail('expected the config to be rejected');
}

const INPUT = 'name: "x" data_type: TYPE_FP32 dims: [ 4 ]';

describe('protobuf text format syntax', () => {
  it('skips # comments, including after values and at the end of the file', () => {
    const config = parse('# header\nmax_batch_size: 8 # trailing\n# only a comment');
    assert.deepEqual(config, { max_batch_size: 8 });
  });

  it('accepts field { }, field: { } and field < > for messages', () => {
    const a = parse(`input { ${INPUT} }`);
    const b = parse(`input: { ${INPUT} }`);
    const c = parse(`input < ${INPUT} >`);
    assert.deepEqual(a, b);
    assert.deepEqual(a, c);
    assert.deepEqual(a.input, [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }]);
  });

  it('accepts optional , and ; separators between fields', () => {
    const config = parse(`input { name: "x", data_type: TYPE_FP32; dims: [4], };`);
    assert.deepEqual(config.input, [{ name: 'x', data_type: 'TYPE_FP32', dims: [4] }]);
  });

  it('builds repeated fields from lists, repeated occurrences, and both mixed', () => {
    const config = parse(`
      input [ { name: "a" data_type: TYPE_FP32 dims: [1] }, { name: "b" data_type: TYPE_FP32 dims: [2] } ]
      input { name: "c" data_type: TYPE_FP32 dims: 3 dims: 4 }
      input: [ { name: "d" data_type: TYPE_FP32 dims: [ ] dims: [5] } ]`);
    assert.deepEqual(config.input?.map((i) => i.name), ['a', 'b', 'c', 'd']);
    assert.deepEqual(config.input?.[2]?.dims, [3, 4]);
    assert.deepEqual(config.input?.[3]?.dims, [5]);
  });

  it('reads strings with single or double quotes, escapes and adjacent concatenation', () => {
    const config = parse(String.raw`
      name: 'it' "'s" ' ok'
      parameters { key: "escapes" value: { string_value: "tab\there \"q\" \\ \x41\101\u00e9\U0001F600 \n" } }
      parameters { key: 'utf8' value: { string_value: "\303\251 é" } }`);
    assert.equal(config.name, "it's ok");
    assert.equal(config.parameters?.escapes?.string_value, 'tab\there "q" \\ AAé😀 \n');
    assert.equal(config.parameters?.utf8?.string_value, 'é é');
  });

  it('reads negative, hex and octal integers, and int64 values as numbers', () => {
    const config = parse(`
      max_batch_size: 0x10
      input { name: "x" data_type: TYPE_FP32 dims: [ -1, 010, 0, 9007199254740991 ] }
      ensemble_scheduling { step { model_name: "a" model_version: - 1 } }
      platform: "ensemble"`);
    assert.equal(config.max_batch_size, 16);
    assert.deepEqual(config.input?.[0]?.dims, [-1, 8, 0, 9007199254740991]);
    assert.equal(config.ensemble_scheduling?.step[0]?.model_version, -1);
  });

  it('reads floats with exponents, f suffixes, inf and nan, and booleans in every spelling', () => {
    const config = parse(`
      sequence_batching {
        direct { minimum_slot_utilization: 0.5f }
        control_input { name: "c" control { kind: CONTROL_SEQUENCE_START fp32_false_true: [ -1.5e2, .25, 1, inf ] bool_false_true: [ f, True ] } }
        iterative_sequence: t
      }
      model_transaction_policy { decoupled: 1 }
      response_cache { enable: False }
      model_metrics { metric_control { histogram_options { buckets: [ -5.0, -2, 0, 3.5E0, nan ] } } }`);
    const sequence = config.sequence_batching as { direct: { minimum_slot_utilization: number }; control_input: { control: { fp32_false_true: number[]; bool_false_true: boolean[] }[] }[]; iterative_sequence: boolean };
    assert.equal(sequence.direct.minimum_slot_utilization, 0.5);
    assert.deepEqual(sequence.control_input[0]?.control[0]?.fp32_false_true, [-150, 0.25, 1, Infinity]);
    assert.deepEqual(sequence.control_input[0]?.control[0]?.bool_false_true, [false, true]);
    assert.equal(sequence.iterative_sequence, true);
    assert.equal(config.model_transaction_policy?.decoupled, true);
    assert.equal(config.response_cache?.enable, false);
    const buckets = (config.model_metrics as { metric_control: { histogram_options: { buckets: number[] } }[] }).metric_control[0]?.histogram_options.buckets;
    assert.deepEqual(buckets?.slice(0, 4), [-5, -2, 0, 3.5]);
    assert.ok(Number.isNaN(buckets?.[4]));
  });

  it('reads maps as repeated key/value entries, as a list of entries, with integer keys', () => {
    const config = parse(`
      max_batch_size: 4
      parameters { key: "a" value: { string_value: "1" } }
      parameters [ { key: "b", value { string_value: "2" } }, { value: { string_value: "3" } key: "c" } ]
      dynamic_batching {
        priority_levels: 2 default_priority_level: 2
        priority_queue_policy { key: 2 value: { max_queue_size: 3 } }
        priority_queue_policy { key: 1 value: { } }
      }
      cc_model_filenames { key: "7.5" value: "model_t4.onnx" }`);
    assert.deepEqual(config.parameters, { a: { string_value: '1' }, b: { string_value: '2' }, c: { string_value: '3' } });
    assert.deepEqual(config.dynamic_batching?.priority_queue_policy, { 1: {}, 2: { max_queue_size: 3 } });
    assert.deepEqual(config.cc_model_filenames, { '7.5': 'model_t4.onnx' });
  });

  it('keeps a map key that is an object property name as plain data', () => {
    const config = parse('parameters { key: "__proto__" value: { string_value: "x" } } parameters { key: "constructor" value: { string_value: "y" } }');
    assert.deepEqual(Object.keys(config.parameters ?? {}), ['__proto__', 'constructor']);
    assert.equal(Object.getPrototypeOf(config.parameters), Object.prototype);
  });

  it('accepts an empty document', () => {
    assert.deepEqual(parse(''), {});
    assert.deepEqual(parse('  # nothing\n'), {});
  });
});

describe('protobuf text format syntax errors', () => {
  const cases: [string, string, number, number, RegExp][] = [
    ['missing colon', 'max_batch_size 8', 1, 16, /expected ":" or "\{" after field name "max_batch_size"/],
    ['unclosed message', 'input {\n  name: "x"\n', 3, 1, /expected "}" to close the message, found end of file/],
    ['unterminated string', 'name: "abc\n', 1, 7, /unterminated string/],
    ['missing comma in a list', 'input { dims: [ 1 2 ] }', 1, 19, /expected "," between the values of "dims"/],
    ['bad escape', 'name: "a\\qb"', 1, 9, /unknown escape \\q/],
    ['stray character', 'max_batch_size: 8 @', 1, 19, /unexpected character "@"/],
    ['bad number', 'max_batch_size: 12abc', 1, 17, /invalid number "12abc"/],
    ['nested list', 'input { dims: [ [1] ] }', 1, 17, /lists of lists/],
    ['extension syntax', '[ext.field]: 1', 1, 1, /extension/],
    ['unbalanced close', 'input { } }', 1, 11, /expected a field name, found "\}"/],
  ];
  for (const [title, text, line, column, pattern] of cases) {
    it(`${title}: line ${line}, column ${column}`, () => {
      const error = parseError(text);
      assert.match(error.message, new RegExp(`^models/m/config\\.pbtxt:${line}:${column}: syntax error: `));
      assert.match(error.message, pattern);
      assert.equal(error.details.length, 1);
      assert.match(error.details[0]?.problem ?? '', new RegExp(`line ${line}, column ${column}`));
    });
  }
});
