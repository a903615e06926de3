// Golden vectors for the binary tensor data extension: Triton's own examples
// (docs/protocol/extension_binary_data.md), BYTES elements, and a mixed JSON + binary request.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeInferRequestBody, decodeInferResponseBody, encodeInferRequestBody, encodeInferResponseBody, encodeInferResponseJson,
} from '../../../src/protocol/index.js';
import type { InferRequest, InferResponse } from '../../../src/core/index.js';
import { bytesBlob, framed, hex, joined } from './binary-helpers.js';

const utf8 = new TextEncoder();
const text = new TextDecoder();

// Triton's request example, spaced as in the document; "model_name" is ignored (the URL decides).
const TRITON_REQUEST_HEADER = `{
  "model_name" : "mymodel",
  "inputs" : [
    { "name" : "input0", "shape" : [ 2, 2 ], "datatype" : "UINT32", "parameters" : { "binary_data_size" : 16 } },
    { "name" : "input1", "shape" : [ 3 ], "datatype" : "BOOL", "parameters" : { "binary_data_size" : 3 } }
  ],
  "outputs" : [ { "name" : "output0", "parameters" : { "binary_data" : true } } ]
}`;
const INPUT0_BLOB = hex('01000000 02000000 03000000 04000000');
const INPUT1_BLOB = hex('01 00 01');

const tritonRequest: InferRequest = {
  modelName: 'mymodel',
  inputs: [
    { name: 'input0', datatype: 'UINT32', shape: [2, 2], data: Uint32Array.of(1, 2, 3, 4) },
    { name: 'input1', datatype: 'BOOL', shape: [3], data: Uint8Array.of(1, 0, 1) },
  ],
  outputs: [{ name: 'output0', parameters: { binary_data: true } }],
};

const tritonResponse: InferResponse = {
  modelName: 'mymodel',
  modelVersion: '1',
  outputs: [{ name: 'output0', datatype: 'FP32', shape: [3, 2], data: Float32Array.of(1, -2, 0.5, 0, 3, 1e-3) }],
};
const RESPONSE_HEADER = '{"model_name":"mymodel","model_version":"1","outputs":[{"name":"output0","datatype":"FP32","shape":[3,2],"parameters":{"binary_data_size":24}}]}';
const OUTPUT0_BLOB = hex('0000803f 000000c0 0000003f 00000000 00004040 6f12833a');

describe("Triton's extension_binary_data.md example", () => {
  it('request: UINT32 [2,2] and BOOL [3] blobs (19 bytes) decode after the JSON header', () => {
    const { body, headerLength } = framed(TRITON_REQUEST_HEADER, INPUT0_BLOB, INPUT1_BLOB);
    assert.equal(body.byteLength, headerLength + 19);
    assert.deepEqual(decodeInferRequestBody(body, headerLength, { modelName: 'mymodel' }), tritonRequest);
  });

  it('request: the client encodes the same blobs after a compact header', () => {
    const encoded = encodeInferRequestBody(tritonRequest, { binaryInputs: true, binaryOutputs: false });
    const header = '{"inputs":[{"name":"input0","shape":[2,2],"datatype":"UINT32","parameters":{"binary_data_size":16}},'
      + '{"name":"input1","shape":[3],"datatype":"BOOL","parameters":{"binary_data_size":3}}],"outputs":[{"name":"output0","parameters":{"binary_data":true}}]}';
    assert.equal(encoded.contentType, 'application/octet-stream');
    assert.equal(encoded.headerLength, header.length);
    assert.deepEqual(joined(encoded), framed(header, INPUT0_BLOB, INPUT1_BLOB).body);
  });

  it('response: FP32 [3,2] is returned as a 24-byte blob with binary_data_size 24', () => {
    const encoded = encodeInferResponseBody(tritonResponse, tritonRequest);
    assert.equal(encoded.contentType, 'application/octet-stream');
    assert.equal(encoded.headerLength, RESPONSE_HEADER.length);
    assert.equal(encoded.byteLength, RESPONSE_HEADER.length + 24);
    assert.equal(encoded.chunks.length, 2);
    assert.equal(text.decode(encoded.chunks[0]), RESPONSE_HEADER);
    assert.deepEqual(encoded.chunks[1], OUTPUT0_BLOB);
    // The blob is the tensor's own memory, not a copy.
    assert.equal(encoded.chunks[1].buffer, (tritonResponse.outputs[0]!.data as Float32Array).buffer);
  });

  it('response: the client decodes the header and the blob', () => {
    const { body, headerLength } = framed(RESPONSE_HEADER, OUTPUT0_BLOB);
    assert.deepEqual(decodeInferResponseBody(body, headerLength), tritonResponse);
  });

  it("response: Triton's example header without model_version decodes it as ''", () => {
    const { body, headerLength } = framed({ model_name: 'mymodel', outputs: [{ name: 'output0', shape: [3, 2], datatype: 'FP32', parameters: { binary_data_size: 24 } }] }, OUTPUT0_BLOB);
    assert.deepEqual(decodeInferResponseBody(body, headerLength), { ...tritonResponse, modelVersion: '' });
  });
});

describe('BYTES elements', () => {
  const elements = [new Uint8Array(0), utf8.encode('ab'), Uint8Array.of(0x00, 0xff), utf8.encode('é')];
  const blob = hex('00000000 02000000 6162 02000000 00ff 02000000 c3a9');

  it('are a 4-byte little-endian length then the bytes, for empty, binary and non-ASCII elements', () => {
    assert.deepEqual(bytesBlob(...elements), blob);
    const response: InferResponse = { modelName: 'm', modelVersion: '1', outputs: [{ name: 's', datatype: 'BYTES', shape: [2, 2], data: elements }] };
    const encoded = encodeInferResponseBody(response, { parameters: { binary_data_output: true } });
    assert.deepEqual(encoded.chunks[1], blob);
  });

  it('decode to views into the body, one per element', () => {
    const { body, headerLength } = framed({ inputs: [{ name: 's', datatype: 'BYTES', shape: [4], parameters: { binary_data_size: blob.byteLength } }] }, blob);
    const request = decodeInferRequestBody(body, headerLength, { modelName: 'm' });
    const data = request.inputs[0]!.data as Uint8Array[];
    assert.deepEqual(data, elements);
    for (const element of data) assert.equal(element.buffer, body.buffer);
    assert.equal(data[3]!.byteOffset, headerLength + blob.byteLength - 2);
  });
});

describe('a mixed JSON + binary request', () => {
  it('takes blobs only for the inputs with binary_data_size, in their order', () => {
    const header = {
      id: 'r1',
      parameters: { binary_data_output: true, priority: 2 },
      inputs: [
        { name: 'a', datatype: 'INT32', shape: [2], data: [7, -7] },
        { name: 'b', datatype: 'INT16', shape: [3], parameters: { binary_data_size: 6 } },
        { name: 'c', datatype: 'BYTES', shape: [], data: 'hi' },
        { name: 'd', datatype: 'FP16', shape: [1, 2], parameters: { binary_data_size: 4, custom: 'ignored' } },
      ],
      outputs: [{ name: 'y', parameters: { binary_data: false } }, { name: 'z' }],
    };
    const { body, headerLength } = framed(header, hex('0100 feff 0080'), hex('003c 00c0'));
    assert.deepEqual(decodeInferRequestBody(body, headerLength, { modelName: 'm', modelVersion: '3' }), {
      modelName: 'm',
      modelVersion: '3',
      id: 'r1',
      parameters: { binary_data_output: true, priority: 2 },
      inputs: [
        { name: 'a', datatype: 'INT32', shape: [2], data: Int32Array.of(7, -7) },
        { name: 'b', datatype: 'INT16', shape: [3], data: Int16Array.of(1, -2, -32768) },
        { name: 'c', datatype: 'BYTES', shape: [], data: [utf8.encode('hi')] },
        { name: 'd', datatype: 'FP16', shape: [1, 2], data: Uint16Array.of(0x3c00, 0xc000) },
      ],
      outputs: [{ name: 'y', parameters: { binary_data: false } }, { name: 'z' }],
    });
  });

  it('a header length equal to the body length reads an all-JSON body', () => {
    const { body, headerLength } = framed({ inputs: [{ name: 'a', datatype: 'UINT8', shape: [1], data: [9] }] });
    assert.deepEqual(decodeInferRequestBody(body, headerLength, { modelName: 'm' }).inputs[0]!.data, Uint8Array.of(9));
  });
});

describe('which outputs are binary', () => {
  const response: InferResponse = {
    modelName: 'm',
    modelVersion: '1',
    outputs: ['y', 'z'].map((name) => ({ name, datatype: 'INT8', shape: [1], data: Int8Array.of(-1) })),
  };
  const binaryOutputs = (request: Parameters<typeof encodeInferResponseBody>[1]): string[] => {
    const encoded = encodeInferResponseBody(response, request);
    const header = JSON.parse(text.decode(encoded.chunks[0])) as { outputs: { name: string; parameters?: object; data?: unknown }[] };
    return header.outputs.filter((o) => o.parameters !== undefined && o.data === undefined).map((o) => o.name);
  };

  it('none requested: exactly the JSON codec, as application/json without a header length', () => {
    for (const request of [{}, { parameters: { binary_data_output: false } }, { outputs: [{ name: 'y', parameters: { binary_data: false } }] }]) {
      const encoded = encodeInferResponseBody(response, request);
      assert.deepEqual({ ...encoded, chunks: encoded.chunks.map((c) => text.decode(c)) }, {
        contentType: 'application/json', headerLength: undefined, chunks: [encodeInferResponseJson(response)], byteLength: encodeInferResponseJson(response).length,
      });
    }
  });

  it('binary_data on an output, binary_data_output for the rest, and binary_data: false overrides it', () => {
    assert.deepEqual(binaryOutputs({ outputs: [{ name: 'z', parameters: { binary_data: true } }] }), ['z']);
    assert.deepEqual(binaryOutputs({ parameters: { binary_data_output: true } }), ['y', 'z']);
    assert.deepEqual(binaryOutputs({ parameters: { binary_data_output: true }, outputs: [{ name: 'y', parameters: { binary_data: false } }, { name: 'z' }] }), ['z']);
    assert.deepEqual(binaryOutputs({ parameters: { binary_data_output: false }, outputs: [{ name: 'y', parameters: { binary_data: true } }] }), ['y']);
  });

  it('the client asks for binary outputs with binary_data_output and keeps per-output parameters', () => {
    const request: InferRequest = { ...tritonRequest, parameters: { a: 1 }, outputs: [{ name: 'y', parameters: { binary_data: false, top_k: 3 } }] };
    const encoded = encodeInferRequestBody(request, { binaryInputs: false, binaryOutputs: true });
    assert.equal(encoded.contentType, 'application/json');
    assert.equal(encoded.headerLength, undefined);
    const decoded = decodeInferRequestBody(joined(encoded), undefined, { modelName: 'mymodel' });
    assert.deepEqual(decoded, { ...request, parameters: { a: 1, binary_data_output: true } });
  });
});
