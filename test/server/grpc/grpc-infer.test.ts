// ModelInfer over gRPC against the real engine, through a stub generated from the same proto
// files: typed and raw contents for every datatype the identity models serve, output selection,
// and bad requests with their gRPC statuses.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { status } from '@grpc/grpc-js';
import { failure, startGrpcTestServer, type GrpcTestServer } from './grpc-harness.js';
import { IDENTITY_CASES } from './grpc-infer-cases.js';
import { grpcToInferResponse, type ModelInferResponseMessage } from '../../../src/protocol/index.js';

let server: GrpcTestServer;

before(async () => {
  server = await startGrpcTestServer();
});

after(async () => {
  await server?.close();
});

const infer = (request: object) => server.client.call<ModelInferResponseMessage>('ModelInfer', request);

describe('gRPC ModelInfer on the identity models', () => {
  for (const { datatype, typed, raw } of IDENTITY_CASES) {
    const model = `identity_${datatype.toLowerCase()}`;
    const input = { name: 'INPUT0', datatype, shape: ['1', '3'] };
    const expected = { model_name: model, model_version: '1', outputs: [{ name: 'OUTPUT0', datatype, shape: ['1', '3'] }], raw_output_contents: [raw] };

    it(`${datatype} with raw_input_contents comes back byte for byte in raw_output_contents`, async () => {
      assert.deepEqual(await infer({ model_name: model, inputs: [input], raw_input_contents: [raw] }), expected);
    });

    if (typed !== undefined) {
      it(`${datatype} with typed contents comes back in raw_output_contents, as Triton answers`, async () => {
        assert.deepEqual(await infer({ model_name: model, id: `typed-${datatype}`, inputs: [{ ...input, contents: typed }] }), { ...expected, id: `typed-${datatype}` });
      });
    }
  }

  it('serves zero-size tensors', async () => {
    const response = await infer({ model_name: 'identity_int32', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: ['2', '0'] }], raw_input_contents: [Buffer.alloc(0)] });
    assert.deepEqual(response.outputs, [{ name: 'OUTPUT0', datatype: 'INT32', shape: ['2', '0'] }]);
    assert.deepEqual(response.raw_output_contents, [Buffer.alloc(0)]);
  });

  it('decodes with Wharf\'s own converter to the values sent', async () => {
    const response = grpcToInferResponse(await infer({ model_name: 'identity_int64', inputs: [{ name: 'INPUT0', datatype: 'INT64', shape: ['1', '2'], contents: { int64_contents: ['-9223372036854775808', '9007199254740993'] } }] }));
    assert.deepEqual(response.outputs[0]!.data, new BigInt64Array([-9223372036854775808n, 9007199254740993n]));
  });
});

describe('gRPC ModelInfer output selection', () => {
  const addSub = (outputs?: { name: string }[]) => ({
    model_name: 'add_sub',
    inputs: [
      { name: 'INPUT0', datatype: 'FP32', shape: ['1', '4'], contents: { fp32_contents: [1, 2, 3, 4] } },
      { name: 'INPUT1', datatype: 'FP32', shape: ['1', '4'], contents: { fp32_contents: [10, 20, 30, 40] } },
    ],
    ...(outputs ? { outputs } : {}),
  });
  const values = (response: ModelInferResponseMessage) => grpcToInferResponse(response).outputs.map((o) => [o.name, Array.from(o.data as Float32Array)]);

  it('returns every output in model order when none are requested', async () => {
    assert.deepEqual(values(await infer(addSub())), [['OUTPUT0', [11, 22, 33, 44]], ['OUTPUT1', [-9, -18, -27, -36]]]);
  });

  it('returns exactly the requested outputs, in the requested order', async () => {
    assert.deepEqual(values(await infer(addSub([{ name: 'OUTPUT1' }, { name: 'OUTPUT0' }]))), [['OUTPUT1', [-9, -18, -27, -36]], ['OUTPUT0', [11, 22, 33, 44]]]);
    assert.deepEqual(values(await infer(addSub([{ name: 'OUTPUT1' }]))), [['OUTPUT1', [-9, -18, -27, -36]]]);
  });

  it('refuses an unknown output', async () => {
    const error = await failure(infer(addSub([{ name: 'OUTPUT9' }])));
    assert.deepEqual([error.code, error.wharfCode], [status.INVALID_ARGUMENT, 'ERR_OUTPUT_UNKNOWN']);
    assert.match(error.details, /requested output 'OUTPUT9' is not an output of model 'add_sub'/);
  });
});

describe('gRPC ModelInfer errors', () => {
  const fp32 = (shape: string[], extra: object = {}) => ({ model_name: 'identity_fp32', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape, ...extra }] });
  const cases: { name: string; request: object; code: number; wharfCode: string; details: RegExp }[] = [
    { name: 'unknown model', request: { ...fp32(['1', '1']), model_name: 'nope', raw_input_contents: [Buffer.alloc(4)] }, code: status.NOT_FOUND, wharfCode: 'ERR_MODEL_NOT_FOUND', details: /^unknown model 'nope'/ },
    { name: 'a model that failed to load', request: { model_name: 'identity_bf16', inputs: [{ name: 'INPUT0', datatype: 'BF16', shape: ['1', '1'] }], raw_input_contents: [Buffer.alloc(2)] }, code: status.UNAVAILABLE, wharfCode: 'ERR_MODEL_NOT_READY', details: /identity_bf16/ },
    { name: 'the wrong datatype', request: { model_name: 'identity_fp32', inputs: [{ name: 'INPUT0', datatype: 'FP64', shape: ['1', '1'], contents: { fp64_contents: [1] } }] }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_DATATYPE', details: /^input 'INPUT0': datatype FP64 but model 'identity_fp32' expects FP32$/ },
    { name: 'a shape without the batch dim', request: { ...fp32(['3'], { contents: { fp32_contents: [1, 2, 3] } }) }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_SHAPE', details: /has rank 1 but model 'identity_fp32' expects \[batch,-1\]/ },
    { name: 'a batch above max_batch_size', request: { ...fp32(['5', '1'], { contents: { fp32_contents: [1, 2, 3, 4, 5] } }) }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_SHAPE', details: /batch size 5 .* must be between 1 and max_batch_size 4/ },
    { name: 'raw contents of the wrong size', request: { ...fp32(['1', '3']), raw_input_contents: [Buffer.alloc(8)] }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_SHAPE', details: /^input 'INPUT0' \(FP32 \[1,3\]\): 'raw_input_contents\[0\]' size is 8 but 3 elements take 12 bytes$/ },
    { name: 'typed contents shorter than the shape', request: fp32(['1', '3'], { contents: { fp32_contents: [1, 2] } }), code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_SHAPE', details: /needs 3 elements but 'fp32_contents' has 2/ },
    { name: 'a value out of range', request: { model_name: 'identity_int8', inputs: [{ name: 'INPUT0', datatype: 'INT8', shape: ['1', '2'], contents: { int_contents: [1, 300] } }] }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_DATA', details: /^input 'INPUT0' \(INT8\): element 1 is 300, outside -128\.\.127$/ },
    { name: 'the wrong contents field', request: fp32(['1', '1'], { contents: { int_contents: [1] } }), code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_DATA', details: /'contents\.int_contents' does not match datatype FP32; FP32 data goes in 'contents\.fp32_contents'/ },
    { name: 'raw and typed contents mixed', request: { ...fp32(['1', '1'], { contents: { fp32_contents: [1] } }), raw_input_contents: [Buffer.alloc(4)] }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INVALID_REQUEST', details: /no input may carry 'contents'/ },
    { name: 'a missing input', request: { model_name: 'add_sub', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: ['1', '4'], contents: { fp32_contents: [1, 2, 3, 4] } }] }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INPUT_MISSING', details: /needs input 'INPUT1'/ },
    { name: 'no model name', request: { inputs: [] }, code: status.INVALID_ARGUMENT, wharfCode: 'ERR_INVALID_REQUEST', details: /^'model_name' is required$/ },
  ];
  for (const { name, request, code, wharfCode, details } of cases) {
    it(`answers ${status[code]} for ${name}`, async () => {
      const error = await failure(infer(request));
      assert.deepEqual([error.code, error.wharfCode], [code, wharfCode], error.details);
      assert.match(error.details, details);
    });
  }

  it('answers INTERNAL for a failure inside onnxruntime and serves the next request', async () => {
    const request = (shape: string[]) => ({
      model_name: 'runtime_error',
      inputs: [
        { name: 'data', datatype: 'FP32', shape: ['4'], contents: { fp32_contents: [1, 2, 3, 4] } },
        { name: 'shape', datatype: 'INT64', shape: ['2'], contents: { int64_contents: shape } },
      ],
    });
    const error = await failure(infer(request(['3', '3'])));
    assert.deepEqual([error.code, error.wharfCode], [status.INTERNAL, 'ERR_BACKEND_RUNTIME']);
    assert.deepEqual((await infer(request(['2', '2']))).outputs?.[0]?.shape, ['2', '2']);
  });
});
