import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInferRequestBody, type RawRequestModel } from '../../../src/protocol/index.js';
import { InferenceError } from '../../../src/errors/index.js';

const target = { modelName: 'm' };
const model = (shape: number[], datatype: 'FP32' | 'BYTES' = 'FP32', maxBatchSize = 0): RawRequestModel => ({ inputs: [{ name: 'x', datatype, shape }], maxBatchSize });
const floats = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe("Triton's raw binary request (Inference-Header-Content-Length: 0)", () => {
  it('takes the only input, sizes its one variable dim from the bytes, and asks for binary outputs', () => {
    const request = decodeInferRequestBody(floats(1, 2, 3, 4, 5, 6), 0, target, model([-1, 3]));
    assert.deepEqual(request.parameters, { binary_data_output: true });
    assert.equal(request.inputs.length, 1);
    const input = request.inputs[0]!;
    assert.deepEqual([input.name, input.datatype, input.shape, [...(input.data as Float32Array)]], ['x', 'FP32', [2, 3], [1, 2, 3, 4, 5, 6]]);
  });

  it('treats a batched model as batch 1', () => {
    const request = decodeInferRequestBody(floats(1, 2, 3, 4), 0, target, model([-1, -1], 'FP32', 8));
    assert.deepEqual(request.inputs[0]!.shape, [1, 4]);
    const fixed = decodeInferRequestBody(floats(1, 2), 0, target, model([-1, 2], 'FP32', 8));
    assert.deepEqual(fixed.inputs[0]!.shape, [1, 2]);
  });

  it('carries one BYTES element', () => {
    const element = Uint8Array.of(2, 0, 0, 0, 0x68, 0x69);
    const request = decodeInferRequestBody(element, 0, target, model([-1, 1], 'BYTES', 4));
    assert.deepEqual(request.inputs[0]!.shape, [1, 1]);
    assert.deepEqual((request.inputs[0]!.data as Uint8Array[]).map((e) => [...e]), [[0x68, 0x69]]);
  });

  it('refuses what it cannot describe', () => {
    const refuses = (body: Uint8Array, raw: RawRequestModel, code: string, message: RegExp) =>
      assert.throws(() => decodeInferRequestBody(body, 0, target, raw), (error: InferenceError) => error.code === code && message.test(error.message));
    refuses(floats(1), { inputs: [{ name: 'a', datatype: 'FP32', shape: [1] }, { name: 'b', datatype: 'FP32', shape: [1] }], maxBatchSize: 0 }, 'ERR_INVALID_REQUEST', /exactly one input, but model 'm' has 2/);
    refuses(floats(1, 2), model([-1, -1]), 'ERR_INVALID_REQUEST', /at most one variable dimension/);
    refuses(floats(1, 2), model([-1, 3]), 'ERR_INPUT_SHAPE', /8 bytes do not fill whole rows of input 'x' \(FP32 \[-1,3\], 12 bytes per step/);
    refuses(floats(1, 2), model([3]), 'ERR_INPUT_SHAPE', /the raw body size is 8 but 3 elements take 12 bytes/);
    refuses(Uint8Array.of(0, 0, 0, 0), model([2], 'BYTES'), 'ERR_INVALID_REQUEST', /BYTES input only when it holds one element/);
  });
});
