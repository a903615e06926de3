// Round trips through the gRPC converters and the real protobuf wire format: request -> gRPC ->
// request and response -> gRPC -> response, for every datatype, typed and raw, zero-size dims.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  grpcToInferRequest, grpcToInferResponse, inferRequestToGrpc, inferResponseToGrpc,
} from '../../../src/protocol/index.js';
import type { InferRequest, InferResponse, Parameters } from '../../../src/core/index.js';
import { DATA_TYPES, SHAPES, edgeTensor } from './grpc-vectors.js';
import { overTheWire, responseOverTheWire } from './grpc-wire.js';

const PARAMETERS: Parameters = { int: 7, negative: -9007199254740991, double: 1.5, text: 'x', yes: true, no: false };

function requestOf(datatype: (typeof DATA_TYPES)[number]): InferRequest {
  return {
    modelName: 'm',
    modelVersion: '3',
    id: 'req-1',
    parameters: PARAMETERS,
    inputs: SHAPES.map((shape, i) => edgeTensor(`x${i}`, datatype, shape)),
    outputs: [{ name: 'b', parameters: { classification: 2 } }, { name: 'a' }],
  };
}

describe('request -> gRPC -> request', () => {
  for (const datatype of DATA_TYPES) {
    for (const raw of [true, false]) {
      it(`${datatype} as ${raw ? 'raw_input_contents' : 'typed contents'}`, () => {
        const request = requestOf(datatype);
        const message = overTheWire(inferRequestToGrpc(request, { raw }));
        // FP16 and BF16 have no typed field, so such a request always goes raw.
        const sentRaw = raw || datatype === 'FP16' || datatype === 'BF16';
        assert.equal(message.raw_input_contents !== undefined, sentRaw);
        assert.equal(message.inputs!.some((input) => input.contents !== undefined), !sentRaw && SHAPES.length > 0);
        assert.deepEqual(grpcToInferRequest(message), request);
      });
    }
  }

  it('sends a whole request raw when one input is FP16, since raw and typed cannot mix', () => {
    const request: InferRequest = { modelName: 'm', inputs: [edgeTensor('a', 'FP32', [3]), edgeTensor('h', 'FP16', [3])] };
    const message = inferRequestToGrpc(request, { raw: false });
    assert.equal(message.raw_input_contents?.length, 2);
    assert.ok(message.inputs!.every((input) => input.contents === undefined));
    assert.deepEqual(grpcToInferRequest(overTheWire(message)), request);
  });

  it('leaves out what proto3 cannot distinguish from absent: empty version and id, no parameters, no outputs', () => {
    const request: InferRequest = { modelName: 'm', inputs: [edgeTensor('a', 'INT32', [2])] };
    assert.deepEqual(grpcToInferRequest(overTheWire(inferRequestToGrpc(request, { raw: true }))), request);
    const empty = overTheWire({ ...inferRequestToGrpc(request, { raw: true }), model_version: '', id: '', parameters: {}, outputs: [] });
    assert.deepEqual(grpcToInferRequest(empty), request);
  });

  it('keeps int64 and uint64 parameters exact within ±(2^53-1)', () => {
    const message = overTheWire({ model_name: 'm', parameters: { a: { int64_param: '-9007199254740991' }, b: { uint64_param: '9007199254740991' }, c: { double_param: 2 } }, inputs: [{ name: 'x', datatype: 'FP32', shape: ['0'] }] });
    assert.deepEqual(grpcToInferRequest(message).parameters, { a: -9007199254740991, b: 9007199254740991, c: 2 });
  });
});

describe('raw contents are views, not copies', () => {
  const fp32Request = (bytes: Buffer) => ({ model_name: 'm', inputs: [{ name: 'x', datatype: 'FP32', shape: ['2'] }], raw_input_contents: [bytes] });

  it('decodes aligned raw bytes as a Float32Array over the received memory', () => {
    const memory = new ArrayBuffer(16);
    new Float32Array(memory).set([0, 1.5, -2, 0]);
    const data = grpcToInferRequest(fp32Request(Buffer.from(memory, 4, 8))).inputs[0]!.data as Float32Array;
    assert.equal(data.buffer, memory);
    assert.deepEqual(data, new Float32Array([1.5, -2]));
  });

  it('copies unaligned raw bytes, which a Float32Array cannot view', () => {
    const memory = new ArrayBuffer(16);
    const bytes = Buffer.from(memory, 1, 8);
    bytes.writeFloatLE(1.5, 0);
    bytes.writeFloatLE(-2, 4);
    const data = grpcToInferRequest(fp32Request(bytes)).inputs[0]!.data as Float32Array;
    assert.notEqual(data.buffer, memory);
    assert.deepEqual(data, new Float32Array([1.5, -2]));
  });

  it('decodes raw bytes received over the wire as views into the received message', () => {
    const wire = overTheWire(inferRequestToGrpc({ modelName: 'm', inputs: [edgeTensor('x', 'UINT8', [3]), edgeTensor('s', 'BYTES', [3])] }, { raw: true }));
    const [numbers, strings] = grpcToInferRequest(wire).inputs;
    assert.equal((numbers!.data as Uint8Array).buffer, wire.raw_input_contents![0]!.buffer);
    assert.equal((strings!.data as Uint8Array[])[0]!.buffer, wire.raw_input_contents![1]!.buffer);
  });

  it('encodes response outputs as Buffers over the tensors\' own memory', () => {
    const output = edgeTensor('y', 'FP64', [2, 3]);
    const message = inferResponseToGrpc({ modelName: 'm', modelVersion: '1', outputs: [output] });
    assert.equal(message.raw_output_contents![0]!.buffer, (output.data as Float64Array).buffer);
  });
});

describe('response -> gRPC -> response', () => {
  for (const datatype of DATA_TYPES) {
    it(`${datatype}, always as raw_output_contents`, () => {
      const response: InferResponse = { modelName: 'm', modelVersion: '2', id: 'r', parameters: PARAMETERS, outputs: SHAPES.map((shape, i) => edgeTensor(`y${i}`, datatype, shape)) };
      const message = responseOverTheWire(inferResponseToGrpc(response));
      assert.equal(message.raw_output_contents?.length, SHAPES.length);
      assert.ok(message.outputs!.every((output) => output.contents === undefined));
      assert.deepEqual(grpcToInferResponse(message), response);
    });
  }

  it('decodes typed output contents too, as other KServe servers may send them', () => {
    const outputs = DATA_TYPES.filter((d) => d !== 'FP16' && d !== 'BF16').map((datatype) => edgeTensor(datatype, datatype, [3]));
    const typed = inferRequestToGrpc({ modelName: 'm', inputs: outputs }, { raw: false });
    const message = responseOverTheWire({ model_name: 'm', model_version: '1', outputs: typed.inputs });
    assert.deepEqual(grpcToInferResponse(message), { modelName: 'm', modelVersion: '1', outputs });
  });

  it('reads an absent model_version and id as \'\' and nothing', () => {
    assert.deepEqual(grpcToInferResponse(responseOverTheWire({ model_name: 'm' })), { modelName: 'm', modelVersion: '', outputs: [] });
  });
});

describe('property: random tensors survive both encodings', () => {
  const tensors = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd'), { minLength: 1, maxLength: 4 }).chain((names) => fc.tuple(...names.map((name) =>
    fc.tuple(fc.constantFrom(...DATA_TYPES), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 })).map(([datatype, shape]) => edgeTensor(name, datatype, shape)))));

  it('request round trip, raw and typed', () => {
    fc.assert(fc.property(tensors, fc.boolean(), (inputs, raw) => {
      const request: InferRequest = { modelName: 'm', inputs };
      assert.deepEqual(grpcToInferRequest(overTheWire(inferRequestToGrpc(request, { raw }))), request);
    }), { numRuns: 200 });
  });

  it('response round trip', () => {
    fc.assert(fc.property(tensors, (outputs) => {
      const response: InferResponse = { modelName: 'm', modelVersion: '1', outputs };
      assert.deepEqual(grpcToInferResponse(responseOverTheWire(inferResponseToGrpc(response))), response);
    }), { numRuns: 200 });
  });
});
