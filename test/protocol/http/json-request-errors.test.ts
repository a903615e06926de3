import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_DATA_DEPTH, decodeInferRequestJson } from '../../../src/protocol/index.js';
import { InferenceError, type ErrorCode } from '../../../src/errors/index.js';
import { oneInput } from './json-vectors.js';

const target = { modelName: 'simple' };

/** Asserts that decoding `body` fails with `code` and exactly `message` (or a message matching it). */
function rejects(body: unknown, code: ErrorCode, message: string | RegExp): void {
  assert.throws(() => decodeInferRequestJson(body, target), (error: unknown) => {
    assert.ok(error instanceof InferenceError, `expected an InferenceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

/** One input `x` whose data is `data` with the given datatype and a matching 1-D shape. */
const data = (datatype: string, values: unknown[]): unknown => oneInput({ datatype, shape: [values.length], data: values });

describe('decodeInferRequestJson rejects bad structure', () => {
  it('a body that is not an object', () => {
    rejects(null, 'ERR_INVALID_REQUEST', 'request body must be a JSON object, got null');
    rejects([], 'ERR_INVALID_REQUEST', 'request body must be a JSON object, got an array');
    rejects('{"inputs":[]}', 'ERR_INVALID_REQUEST', 'request body must be a JSON object, got "{\\"inputs\\":[]}"');
  });

  it('id and parameters of the wrong type', () => {
    rejects({ ...(oneInput({}) as object), id: 7 }, 'ERR_INVALID_REQUEST', "'id' must be a string, got 7");
    rejects({ ...(oneInput({}) as object), parameters: [1] }, 'ERR_INVALID_REQUEST', "'parameters' must be an object of string, number or boolean values, got an array");
    rejects({ ...(oneInput({}) as object), parameters: { a: null } }, 'ERR_INVALID_REQUEST', "'parameters.a' must be a string, a finite number or a boolean, got null");
    rejects({ ...(oneInput({}) as object), parameters: { a: { b: 1 } } }, 'ERR_INVALID_REQUEST', /'parameters\.a' .* got an object/);
  });

  it('missing, empty or non-array inputs', () => {
    rejects({}, 'ERR_INVALID_REQUEST', "'inputs' must be a non-empty array, got nothing");
    rejects({ inputs: [] }, 'ERR_INVALID_REQUEST', "'inputs' must be a non-empty array, got an array");
    rejects({ inputs: { name: 'x' } }, 'ERR_INVALID_REQUEST', "'inputs' must be a non-empty array, got an object");
    rejects({ inputs: [5] }, 'ERR_INVALID_REQUEST', "'inputs[0]' must be a JSON object, got 5");
  });

  it('input names', () => {
    rejects(oneInput({ name: undefined }), 'ERR_INVALID_REQUEST', "'inputs[0].name' must be a non-empty string, got nothing");
    rejects(oneInput({ name: '' }), 'ERR_INVALID_REQUEST', `'inputs[0].name' must be a non-empty string, got ""`);
    rejects(oneInput({ name: 3 }), 'ERR_INVALID_REQUEST', "'inputs[0].name' must be a non-empty string, got 3");
  });

  it('duplicate input names', () => {
    const input = { name: 'x', shape: [1], datatype: 'BOOL', data: [true] };
    rejects({ inputs: [input, { ...input, name: 'y' }, input] }, 'ERR_INPUT_DUPLICATE', "input 'x' appears twice in 'inputs' (positions 0 and 2)");
  });

  it('shapes', () => {
    rejects(oneInput({ shape: undefined }), 'ERR_INPUT_SHAPE', "input 'x': 'shape' must be an array of non-negative integers, got nothing");
    rejects(oneInput({ shape: 3 }), 'ERR_INPUT_SHAPE', "input 'x': 'shape' must be an array of non-negative integers, got 3");
    rejects(oneInput({ shape: [2, -1] }), 'ERR_INPUT_SHAPE', "input 'x': shape [2,-1] has -1 at position 1; dims must be non-negative integers");
    rejects(oneInput({ shape: [1.5] }), 'ERR_INPUT_SHAPE', "input 'x': shape [1.5] has 1.5 at position 0; dims must be non-negative integers");
    rejects(oneInput({ shape: ['3'] }), 'ERR_INPUT_SHAPE', /input 'x': shape \["3"\] has "3" at position 0/);
    rejects(oneInput({ shape: [2 ** 53] }), 'ERR_INPUT_SHAPE', /input 'x': shape \[9007199254740992\] has 9007199254740992/);
  });

  it('element count against shape, before anything is allocated', () => {
    rejects(oneInput({ shape: [2, 3], data: [1, 2, 3, 4, 5] }), 'ERR_INPUT_SHAPE', "input 'x': shape [2,3] needs 6 elements but data has 5");
    rejects(oneInput({ shape: [2, 3], data: [[1, 2, 3], [4, 5, 6], [7]] }), 'ERR_INPUT_SHAPE', "input 'x': shape [2,3] needs 6 elements but data has 7");
    rejects(oneInput({ shape: [], data: [1, 2] }), 'ERR_INPUT_SHAPE', "input 'x': shape [] needs 1 elements but data has 2");
    rejects(oneInput({ shape: [0, 3], data: [1] }), 'ERR_INPUT_SHAPE', "input 'x': shape [0,3] needs 0 elements but data has 1");
    rejects(oneInput({ shape: [1e9, 1e9], data: [] }), 'ERR_INPUT_SHAPE', "input 'x': shape [1000000000,1000000000] needs 1000000000000000000 elements but data has 0");
  });

  it('datatypes', () => {
    const names = 'BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64, BYTES';
    rejects(oneInput({ datatype: undefined }), 'ERR_INPUT_DATATYPE', `input 'x': 'datatype' is missing; it must be one of ${names}`);
    rejects(oneInput({ datatype: 'FLOAT' }), 'ERR_INPUT_DATATYPE', `input 'x': datatype "FLOAT" is not one of ${names}`);
    rejects(oneInput({ datatype: 'fp32' }), 'ERR_INPUT_DATATYPE', `input 'x': datatype "fp32" is not one of ${names} (datatypes are upper case: FP32)`);
    rejects(oneInput({ datatype: 'TYPE_FP32' }), 'ERR_INPUT_DATATYPE', /\(TYPE_FP32 is the model-config name; the protocol name is FP32\)$/);
    rejects(oneInput({ datatype: 11 }), 'ERR_INPUT_DATATYPE', /^input 'x': datatype 11 is not one of/);
  });

  it('missing or non-array data', () => {
    rejects(oneInput({ data: undefined }), 'ERR_INVALID_REQUEST', "input 'x': 'data' is required");
    rejects(oneInput({ shape: [1], data: 1 }), 'ERR_INPUT_DATA', "input 'x': 'data' must be an array, got 1");
    rejects(oneInput({ shape: [1], data: { 0: 1 } }), 'ERR_INPUT_DATA', "input 'x': 'data' must be an array, got an object");
  });

  it('data nested deeper than MAX_DATA_DEPTH', () => {
    let deep: unknown = [1];
    for (let i = 0; i < MAX_DATA_DEPTH; i++) deep = [deep];
    rejects(oneInput({ data: deep }), 'ERR_INPUT_DATA', `input 'x': 'data' nests deeper than ${MAX_DATA_DEPTH} levels`);
    // 100,000 levels would overflow a naive recursive walk.
    let deeper: unknown = [1];
    for (let i = 0; i < 100_000; i++) deeper = [deeper];
    rejects(oneInput({ data: deeper }), 'ERR_INPUT_DATA', /nests deeper than/);
  });

  it('input parameters; the binary extension and shared memory are refused with their own messages', () => {
    rejects(oneInput({ parameters: 'x' }), 'ERR_INVALID_REQUEST', /^input 'x': 'parameters' must be an object/);
    rejects(oneInput({ parameters: { binary_data_size: 4 }, data: undefined }), 'ERR_INVALID_REQUEST', "input 'x': binary tensor data requires the Inference-Header-Content-Length header");
    rejects(oneInput({ parameters: { binary_data_size: -4 } }), 'ERR_INVALID_REQUEST', "input 'x': 'parameters.binary_data_size' must be a non-negative integer, got -4");
    rejects(oneInput({ parameters: { shared_memory_region: 'r' } }), 'ERR_INVALID_REQUEST', /^input 'x': shared-memory tensors/);
  });

  it('requested outputs', () => {
    const base = oneInput({}) as object;
    rejects({ ...base, outputs: {} }, 'ERR_INVALID_REQUEST', "'outputs' must be an array, got an object");
    rejects({ ...base, outputs: ['y'] }, 'ERR_INVALID_REQUEST', `'outputs[0]' must be a JSON object, got "y"`);
    rejects({ ...base, outputs: [{ name: 'y' }, {}] }, 'ERR_INVALID_REQUEST', "'outputs[1].name' must be a non-empty string, got nothing");
    rejects({ ...base, outputs: [{ name: 'y' }, { name: 'y' }] }, 'ERR_INVALID_REQUEST', "output 'y' is requested twice in 'outputs'");
    rejects({ ...base, outputs: [{ name: 'y', parameters: { binary_data: [] } }] }, 'ERR_INVALID_REQUEST', /^output 'y': 'parameters.binary_data' must be/);
  });
});

describe('decodeInferRequestJson rejects values that do not fit the datatype', () => {
  it('integers: type, fraction and range, naming the flat element index', () => {
    rejects(data('UINT8', [1, 2, 3, 300]), 'ERR_INPUT_DATA', "input 'x' (UINT8): element 3 is 300, outside 0..255");
    rejects(data('INT8', [-129]), 'ERR_INPUT_DATA', "input 'x' (INT8): element 0 is -129, outside -128..127");
    rejects(data('UINT32', [-1]), 'ERR_INPUT_DATA', "input 'x' (UINT32): element 0 is -1, outside 0..4294967295");
    rejects(data('INT32', [2147483648]), 'ERR_INPUT_DATA', "input 'x' (INT32): element 0 is 2147483648, outside -2147483648..2147483647");
    rejects(data('INT16', [1.5]), 'ERR_INPUT_DATA', "input 'x' (INT16): element 0 is 1.5, expected an integer");
    rejects(data('UINT16', ['7']), 'ERR_INPUT_DATA', `input 'x' (UINT16): element 0 is "7", expected an integer`);
    rejects(data('INT32', [true]), 'ERR_INPUT_DATA', "input 'x' (INT32): element 0 is true, expected an integer");
    rejects(oneInput({ datatype: 'INT32', shape: [2, 2], data: [[1, 2], [3, null]] }), 'ERR_INPUT_DATA', "input 'x' (INT32): element 3 is null, expected an integer");
  });

  it('64-bit integers: unsafe JSON numbers, bad strings and range', () => {
    rejects(data('INT64', [2 ** 60]), 'ERR_INPUT_DATA', /^input 'x' \(INT64\): element 0 is 1152921504606847000, beyond ±\(2\^53-1\) where JSON numbers lose precision; send 64-bit values as decimal strings/);
    rejects(data('UINT64', [-(2 ** 53)]), 'ERR_INPUT_DATA', /element 0 is -9007199254740992, beyond ±\(2\^53-1\).*binary tensor extension$/);
    rejects(data('UINT64', [-1]), 'ERR_INPUT_DATA', "input 'x' (UINT64): element 0 is -1, outside 0..18446744073709551615");
    rejects(data('UINT64', ['18446744073709551616']), 'ERR_INPUT_DATA', `input 'x' (UINT64): element 0 is "18446744073709551616", outside 0..18446744073709551615`);
    rejects(data('INT64', ['-9223372036854775809']), 'ERR_INPUT_DATA', /element 0 is "-9223372036854775809", outside -9223372036854775808\.\.9223372036854775807/);
    rejects(data('INT64', ['9'.repeat(60)]), 'ERR_INPUT_DATA', /element 0 is "9{40}\.\.\.", outside/);
    rejects(data('INT64', ['12a']), 'ERR_INPUT_DATA', `input 'x' (INT64): element 0 is "12a", expected an integer (a JSON number or a decimal string)`);
    rejects(data('INT64', [' 1']), 'ERR_INPUT_DATA', /expected an integer/);
    rejects(data('INT64', [0.5]), 'ERR_INPUT_DATA', /element 0 is 0.5, expected an integer/);
  });

  it('floats: non-numbers, overflow and non-finite numbers', () => {
    rejects(data('FP32', ['abc']), 'ERR_INPUT_DATA', `input 'x' (FP32): element 0 is "abc", expected a number (or "NaN", "Infinity", "-Infinity")`);
    rejects(data('FP32', ['nan']), 'ERR_INPUT_DATA', /element 0 is "nan", expected a number/);
    rejects(data('FP64', [1, null]), 'ERR_INPUT_DATA', /^input 'x' \(FP64\): element 1 is null, expected a number/);
    rejects(data('FP32', [0, 1e39]), 'ERR_INPUT_DATA', "input 'x' (FP32): element 1 is 1e+39, outside the FP32 range ±3.4028234663852886e+38");
    // JSON.parse turns 1e400 into Infinity; library callers may pass NaN directly.
    rejects(JSON.parse('{"inputs":[{"name":"x","shape":[1],"datatype":"FP64","data":[1e400]}]}'), 'ERR_INPUT_DATA', `input 'x' (FP64): element 0 is Infinity, not a finite number; send "NaN", "Infinity" or "-Infinity" as strings`);
    rejects(data('FP32', [NaN]), 'ERR_INPUT_DATA', /element 0 is NaN, not a finite number/);
    rejects(data('FP16', [70000]), 'ERR_INPUT_DATA', "input 'x' (FP16): element 0 is 70000, outside the FP16 range ±65504");
    rejects(data('BF16', [1e39]), 'ERR_INPUT_DATA', "input 'x' (BF16): element 0 is 1e+39, outside the BF16 range ±3.3895313892515355e+38");
    rejects(data('FP16', [false]), 'ERR_INPUT_DATA', /\(FP16\): element 0 is false, expected a number/);
  });

  it('BOOL takes only true and false, as Triton does', () => {
    rejects(data('BOOL', [true, 1]), 'ERR_INPUT_DATA', "input 'x' (BOOL): element 1 is 1, expected true or false");
    rejects(data('BOOL', ['true']), 'ERR_INPUT_DATA', `input 'x' (BOOL): element 0 is "true", expected true or false`);
  });

  it('BYTES takes only well-formed strings', () => {
    rejects(data('BYTES', ['a', 5]), 'ERR_INPUT_DATA', "input 'x' (BYTES): element 1 is 5, expected a string");
    rejects(data('BYTES', [['a'], { b: 1 }]), 'ERR_INPUT_DATA', "input 'x' (BYTES): element 1 is an object, expected a string");
    rejects(data('BYTES', ['ok\uD800']), 'ERR_INPUT_DATA', /^input 'x' \(BYTES\): element 0 is "ok\\ud800", not valid Unicode/);
    rejects(data('BYTES', ['\uDC00x']), 'ERR_INPUT_DATA', /not valid Unicode/);
  });
});
