// Every way grpcToInferRequest refuses a ModelInferRequest: the error code (the same as the HTTP
// codec's for the same fault) and a message naming the input and the sizes involved.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { grpcToInferRequest, grpcToInferResponse, type InferTensorMessage, type ModelInferRequestMessage } from '../../../src/protocol/index.js';
import { InferenceError, type ErrorCode } from '../../../src/errors/index.js';
import { overTheWire, responseOverTheWire } from './grpc-wire.js';

/** Asserts that decoding `message` (after a trip over the wire) fails with `code` and `expected`. */
function rejects(message: ModelInferRequestMessage, code: ErrorCode, expected: string | RegExp): void {
  assert.throws(() => grpcToInferRequest(overTheWire(message)), (error: unknown) => {
    assert.ok(error instanceof InferenceError, `expected an InferenceError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (typeof expected === 'string') assert.equal(error.message, expected);
    else assert.match(error.message, expected);
    return true;
  });
}

const tensor = (datatype: string, shape: string[], extra: Partial<InferTensorMessage> = {}): InferTensorMessage => ({ name: 'x', datatype, shape, ...extra });
const one = (input: InferTensorMessage, raw?: Uint8Array[]): ModelInferRequestMessage => ({ model_name: 'm', inputs: [input], ...(raw ? { raw_input_contents: raw } : {}) });
const u32 = (...values: number[]) => Buffer.from(new Uint32Array(values).buffer);

describe('grpcToInferRequest refuses bad structure', () => {
  it('a missing model name or no inputs', () => {
    rejects({ inputs: [tensor('FP32', ['0'])] }, 'ERR_INVALID_REQUEST', "'model_name' is required");
    rejects({ model_name: 'm' }, 'ERR_INVALID_REQUEST', "'inputs' must hold at least one input");
  });

  it('a nameless or duplicate input', () => {
    rejects(one({ datatype: 'FP32', shape: ['0'] }), 'ERR_INVALID_REQUEST', "'inputs[0].name' must be a non-empty string");
    rejects({ model_name: 'm', inputs: [tensor('FP32', ['0']), tensor('FP32', ['0'])] }, 'ERR_INPUT_DUPLICATE', "input 'x' appears twice in 'inputs' (positions 0 and 1)");
  });

  it('an unknown datatype, with a hint for the usual slips', () => {
    rejects(one(tensor('', ['0'])), 'ERR_INPUT_DATATYPE', /^input 'x': 'datatype' is missing; it must be one of BOOL, UINT8, .*, BYTES$/);
    rejects(one(tensor('fp32', ['0'])), 'ERR_INPUT_DATATYPE', /datatype "fp32" is not one of .* \(datatypes are upper case: FP32\)$/);
    rejects(one(tensor('TYPE_FP32', ['0'])), 'ERR_INPUT_DATATYPE', /\(TYPE_FP32 is the model-config name; the protocol name is FP32\)$/);
  });

  it('negative or huge dims', () => {
    rejects(one(tensor('FP32', ['2', '-1'])), 'ERR_INPUT_SHAPE', "input 'x': shape [2,-1] has -1 at position 1; dims must be non-negative integers");
    rejects(one(tensor('FP32', ['9223372036854775807'])), 'ERR_INPUT_SHAPE', /^input 'x': shape \[9223372036854776000\] has 9223372036854776000 at position 0/);
  });

  it('shared-memory inputs', () => {
    rejects(one(tensor('FP32', ['0'], { parameters: { shared_memory_region: { string_param: 'r' } } })), 'ERR_INVALID_REQUEST', /^input 'x': shared-memory tensors \('parameters\.shared_memory_region'\) are not supported/);
  });

  it('unnamed or duplicate requested outputs', () => {
    const input = tensor('FP32', ['0']);
    rejects({ model_name: 'm', inputs: [input], outputs: [{}] }, 'ERR_INVALID_REQUEST', "'outputs[0].name' must be a non-empty string");
    rejects({ model_name: 'm', inputs: [input], outputs: [{ name: 'y' }, { name: 'y' }] }, 'ERR_INVALID_REQUEST', "output 'y' is requested twice in 'outputs'");
  });

  it('parameters without a value or beyond what a number holds exactly', () => {
    const input = tensor('FP32', ['0']);
    rejects({ model_name: 'm', inputs: [input], parameters: { p: {} } }, 'ERR_INVALID_REQUEST', "parameter 'p' has no value; set one of bool_param, int64_param, string_param, double_param, uint64_param");
    rejects({ model_name: 'm', inputs: [input], parameters: { p: { int64_param: '9007199254740993' } } }, 'ERR_INVALID_REQUEST', /^parameter 'p': 9007199254740993 is beyond ±\(2\^53-1\)/);
    rejects({ model_name: 'm', inputs: [input], outputs: [{ name: 'y', parameters: { q: { uint64_param: '18446744073709551615' } } }] }, 'ERR_INVALID_REQUEST', /^output 'y': parameter 'q': 18446744073709551615 is beyond/);
  });
});

describe('grpcToInferRequest refuses bad typed contents', () => {
  it('no data for a tensor with elements', () => {
    rejects(one(tensor('INT32', ['2'])), 'ERR_INVALID_REQUEST', "input 'x': no data; set 'contents.int_contents' or send 'raw_input_contents'");
  });

  it('the list of another datatype', () => {
    rejects(one(tensor('INT8', ['1'], { contents: { fp32_contents: [1] } })), 'ERR_INPUT_DATA', "input 'x': 'contents.fp32_contents' does not match datatype INT8; INT8 data goes in 'contents.int_contents'");
    rejects(one(tensor('UINT64', ['1'], { contents: { uint64_contents: ['1'], int64_contents: ['1'] } })), 'ERR_INPUT_DATA', /'contents\.int64_contents' does not match datatype UINT64/);
  });

  it('FP16 and BF16, which only travel raw', () => {
    rejects(one(tensor('FP16', ['1'], { contents: { fp32_contents: [1] } })), 'ERR_INPUT_DATA', "input 'x': 'contents.fp32_contents' does not match datatype FP16; FP16 has no typed contents field; send its bytes in 'raw_input_contents'");
    rejects(one(tensor('BF16', ['1'])), 'ERR_INPUT_DATA', "input 'x': BF16 has no typed contents field in the protocol; send its bytes in 'raw_input_contents'");
  });

  it('an element count that differs from the shape', () => {
    rejects(one(tensor('FP32', ['2', '3'], { contents: { fp32_contents: [1, 2, 3, 4, 5] } })), 'ERR_INPUT_SHAPE', "input 'x': shape [2,3] needs 6 elements but 'fp32_contents' has 5");
    rejects(one(tensor('BYTES', ['1'], { contents: { bytes_contents: [Buffer.from('a'), Buffer.from('b')] } })), 'ERR_INPUT_SHAPE', "input 'x': shape [1] needs 1 elements but 'bytes_contents' has 2");
  });

  it('values outside the datatype\'s range', () => {
    rejects(one(tensor('INT8', ['2'], { contents: { int_contents: [1, 300] } })), 'ERR_INPUT_DATA', "input 'x' (INT8): element 1 is 300, outside -128..127");
    rejects(one(tensor('INT16', ['1'], { contents: { int_contents: [-40000] } })), 'ERR_INPUT_DATA', "input 'x' (INT16): element 0 is -40000, outside -32768..32767");
    rejects(one(tensor('UINT8', ['1'], { contents: { uint_contents: [256] } })), 'ERR_INPUT_DATA', "input 'x' (UINT8): element 0 is 256, outside 0..255");
    rejects(one(tensor('UINT16', ['1'], { contents: { uint_contents: [65536] } })), 'ERR_INPUT_DATA', "input 'x' (UINT16): element 0 is 65536, outside 0..65535");
  });
});

describe('grpcToInferRequest refuses bad raw contents', () => {
  it('raw and typed contents in one request', () => {
    const message: ModelInferRequestMessage = { model_name: 'm', inputs: [tensor('FP32', ['1']), tensor('FP32', ['1'], { name: 'y', contents: { fp32_contents: [1] } })], raw_input_contents: [u32(0), u32(0)] };
    rejects(message, 'ERR_INVALID_REQUEST', "input 'y' has 'contents' but the message also has 'raw_input_contents'; when raw contents are used, no input may carry 'contents'");
  });

  it('a raw entry count that differs from the input count', () => {
    const message: ModelInferRequestMessage = { model_name: 'm', inputs: [tensor('FP32', ['1']), tensor('FP32', ['1'], { name: 'y' })], raw_input_contents: [u32(0)] };
    rejects(message, 'ERR_INVALID_REQUEST', "'raw_input_contents' has 1 entries but there are 2 inputs; send one entry per input, in the order of the inputs");
  });

  it('a raw size that differs from shape x element size', () => {
    rejects(one(tensor('FP32', ['2', '2']), [u32(1, 2, 3)]), 'ERR_INPUT_SHAPE', "input 'x' (FP32 [2,2]): 'raw_input_contents[0]' size is 12 but 4 elements take 16 bytes");
    rejects(one(tensor('INT64', ['1']), [u32(1)]), 'ERR_INPUT_SHAPE', "input 'x' (INT64 [1]): 'raw_input_contents[0]' size is 4 but 1 elements take 8 bytes");
  });

  it('BOOL bytes other than 0 and 1', () => {
    rejects(one(tensor('BOOL', ['3']), [Buffer.from([1, 0, 2])]), 'ERR_INPUT_DATA', "input 'x' (BOOL [3]): element 2 is byte 2, expected 0 (false) or 1 (true)");
  });

  it('truncated BYTES elements', () => {
    rejects(one(tensor('BYTES', ['2']), [Buffer.from([1, 0, 0, 0, 0x61, 5, 0])]), 'ERR_INPUT_DATA', "input 'x' (BYTES [2]): element 1's 4-byte length prefix is truncated: 2 bytes left at offset 5 of the 7-byte 'raw_input_contents[0]'");
    rejects(one(tensor('BYTES', ['1']), [Buffer.from([9, 0, 0, 0, 0x61])]), 'ERR_INPUT_DATA', "input 'x' (BYTES [1]): element 0 at offset 0 claims 9 bytes but only 1 remain in the 5-byte 'raw_input_contents[0]'");
  });

  it('a BYTES element count that differs from the shape', () => {
    rejects(one(tensor('BYTES', ['1']), [Buffer.from([0, 0, 0, 0, 0, 0, 0, 0])]), 'ERR_INPUT_SHAPE', "input 'x' (BYTES [1]): the 8-byte 'raw_input_contents[0]' holds 2 elements, shape needs 1");
    rejects(one(tensor('BYTES', ['2']), [Buffer.alloc(0)]), 'ERR_INPUT_SHAPE', "input 'x' (BYTES [2]): the 0-byte 'raw_input_contents[0]' holds 0 elements, shape needs 2");
  });
});

describe('grpcToInferResponse names outputs in its errors', () => {
  it('refuses a raw output of the wrong size', () => {
    const message = responseOverTheWire({ model_name: 'm', outputs: [{ name: 'y', datatype: 'FP64', shape: ['2'] }], raw_output_contents: [Buffer.alloc(8)] });
    assert.throws(() => grpcToInferResponse(message), { code: 'ERR_INPUT_SHAPE', message: "output 'y' (FP64 [2]): 'raw_output_contents[0]' size is 8 but 2 elements take 16 bytes" });
  });

  it('refuses mixed raw and typed outputs', () => {
    const message = responseOverTheWire({ model_name: 'm', outputs: [{ name: 'y', datatype: 'FP32', shape: ['1'], contents: { fp32_contents: [1] } }], raw_output_contents: [Buffer.alloc(4)] });
    assert.throws(() => grpcToInferResponse(message), { code: 'ERR_INVALID_REQUEST', message: "output 'y' has 'contents' but the message also has 'raw_output_contents'; when raw contents are used, no output may carry 'contents'" });
  });
});
