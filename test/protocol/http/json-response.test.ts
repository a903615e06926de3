import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInferResponseJson, encodeErrorJson, encodeInferResponseJson } from '../../../src/protocol/index.js';
import { InferenceError } from '../../../src/errors/index.js';
import type { InferResponse, Tensor } from '../../../src/core/index.js';
import { DATA_VECTORS } from './json-vectors.js';

describe('encodeInferResponseJson', () => {
  it('golden: Triton field order, flat data, id echoed', () => {
    const response: InferResponse = {
      modelName: 'simple',
      modelVersion: '1',
      id: '42',
      outputs: [
        { name: 'OUTPUT0', datatype: 'INT32', shape: [1, 3], data: Int32Array.of(1, 2, 3) },
        { name: 'OUTPUT1', datatype: 'BYTES', shape: [1], data: [new TextEncoder().encode('ok')] },
      ],
    };
    assert.equal(
      encodeInferResponseJson(response),
      '{"model_name":"simple","model_version":"1","id":"42","outputs":['
      + '{"name":"OUTPUT0","datatype":"INT32","shape":[1,3],"data":[1,2,3]},'
      + '{"name":"OUTPUT1","datatype":"BYTES","shape":[1],"data":["ok"]}]}',
    );
  });

  it('writes id and parameters only when present', () => {
    const response: InferResponse = { modelName: 'm', modelVersion: '2', outputs: [] };
    assert.equal(encodeInferResponseJson(response), '{"model_name":"m","model_version":"2","outputs":[]}');
    assert.equal(
      encodeInferResponseJson({ ...response, parameters: { sequence_end: true } }),
      '{"model_name":"m","model_version":"2","parameters":{"sequence_end":true},"outputs":[]}',
    );
  });

  for (const vector of DATA_VECTORS) {
    it(`${vector.datatype}: data ${vector.canonical}`, () => {
      const output = { name: 'y', datatype: vector.datatype, shape: [vector.decoded.length], data: vector.decoded } as Tensor;
      const text = encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [output] });
      assert.equal(text, `{"model_name":"m","model_version":"1","outputs":[{"name":"y","datatype":"${vector.datatype}","shape":[${vector.decoded.length}],"data":${vector.canonical}}]}`);
      const sent = { model_name: 'm', model_version: '1', outputs: [{ name: 'y', datatype: vector.datatype, shape: [vector.sent.length], data: vector.sent }] };
      assert.deepEqual(decodeInferResponseJson(sent).outputs[0], output);
    });
  }

  it('writes 64-bit integers as exact numerals, as Triton does; after JSON.parse has rounded them, decoding refuses', () => {
    const output: Tensor = { name: 'y', datatype: 'UINT64', shape: [2], data: BigUint64Array.of(1n, 18446744073709551615n) };
    const text = encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [output] });
    assert.match(text, /"data":\[1,18446744073709551615\]/);
    assert.throws(() => decodeInferResponseJson(JSON.parse(text)), (error: unknown) => {
      assert.ok(error instanceof InferenceError);
      assert.equal(error.code, 'ERR_INPUT_DATA');
      assert.match(error.message, /^output 'y' \(UINT64\): element 1 is 18446744073709552000, beyond ±\(2\^53-1\) where JSON numbers lose precision/);
      return true;
    });
  });

  it('writes nested shapes flat, row-major', () => {
    const output: Tensor = { name: 'y', datatype: 'FP64', shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) };
    assert.match(encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [output] }), /"shape":\[2,2\],"data":\[1,2,3,4\]/);
  });

  it('BYTES that are not UTF-8 become U+FFFD so the body stays valid JSON; a BOM is kept', () => {
    const data = [Uint8Array.of(0xff, 0x41), Uint8Array.of(0xef, 0xbb, 0xbf, 0x41), Uint8Array.of(0xed, 0xa0, 0x80)];
    const text = encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [{ name: 'y', datatype: 'BYTES', shape: [3], data }] });
    const parsed = JSON.parse(text) as { outputs: { data: string[] }[] };
    assert.deepEqual(parsed.outputs[0]!.data, ['\uFFFDA', '\uFEFFA', '\uFFFD\uFFFD\uFFFD']);
  });

  it('FP32 arrays longer than the encoder\'s chunk, made of the longest tokens, survive intact', () => {
    const data = new Float32Array(200_000).fill(Math.fround(-1e20));
    data[65535] = 0.1;
    data[65536] = NaN;
    data[199_999] = Math.fround(-1.2345678e-38);
    const text = encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [{ name: 'y', datatype: 'FP32', shape: [data.length], data }] });
    // Printed in full below 1e21, as JavaScript prints numbers: the longest token the encoder writes.
    assert.ok(text.includes('"data":[-100000000000000000000,-100000000000000000000,'), text.slice(0, 200));
    assert.deepEqual(decodeInferResponseJson(JSON.parse(text)).outputs[0]!.data, data);
  });

  it('BOOL arrays holding other non-zero bytes still print true', () => {
    const text = encodeInferResponseJson({ modelName: 'm', modelVersion: '1', outputs: [{ name: 'y', datatype: 'BOOL', shape: [3], data: Uint8Array.of(0, 1, 255) }] });
    assert.match(text, /"data":\[false,true,true\]/);
  });
});

describe('encodeErrorJson', () => {
  it('gives the KServe error body, with Wharf\'s code when known', () => {
    assert.equal(encodeErrorJson("input 'x': 'data' is required", 'ERR_INVALID_REQUEST'), `{"error":"input 'x': 'data' is required","code":"ERR_INVALID_REQUEST"}`);
    assert.equal(encodeErrorJson('boom "quoted"\n'), '{"error":"boom \\"quoted\\"\\n"}');
  });
});

describe('decodeInferResponseJson', () => {
  it('golden: decodes a Triton-style response, ignoring unknown and output parameters', () => {
    const body: unknown = JSON.parse(
      '{"model_name":"simple","model_version":"1","id":"7","parameters":{"sequence_id":3},"outputs":['
      + '{"name":"OUTPUT0","datatype":"FP32","shape":[2,2],"parameters":{"note":"x"},"data":[[0.5,1],[1.5,"NaN"]]}],"extra":1}',
    );
    assert.deepEqual(decodeInferResponseJson(body), {
      modelName: 'simple',
      modelVersion: '1',
      id: '7',
      parameters: { sequence_id: 3 },
      outputs: [{ name: 'OUTPUT0', datatype: 'FP32', shape: [2, 2], data: Float32Array.of(0.5, 1, 1.5, NaN) }],
    });
  });

  it('model_version is optional in the protocol and decodes as an empty string', () => {
    assert.deepEqual(decodeInferResponseJson({ model_name: 'm', outputs: [] }), { modelName: 'm', modelVersion: '', outputs: [] });
  });

  const fails = (body: unknown, code: string, message: string | RegExp): void => {
    assert.throws(() => decodeInferResponseJson(body), (error: unknown) => {
      assert.ok(error instanceof InferenceError);
      assert.equal(error.code, code);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    });
  };

  it('names the field or output at fault', () => {
    fails(5, 'ERR_INVALID_REQUEST', 'response body must be a JSON object, got 5');
    fails({ outputs: [] }, 'ERR_INVALID_REQUEST', "'model_name' must be a string, got nothing");
    fails({ model_name: 'm', model_version: 1, outputs: [] }, 'ERR_INVALID_REQUEST', "'model_version' must be a string, got 1");
    fails({ model_name: 'm' }, 'ERR_INVALID_REQUEST', "'outputs' must be an array, got nothing");
    fails({ model_name: 'm', outputs: [{ name: 'y', datatype: 'FP32', shape: [2], data: [1] }] }, 'ERR_INPUT_SHAPE', "output 'y': shape [2] needs 2 elements but data has 1");
    fails({ model_name: 'm', outputs: [{ name: 'y', datatype: 'UINT8', shape: [1], data: [-1] }] }, 'ERR_INPUT_DATA', "output 'y' (UINT8): element 0 is -1, outside 0..255");
    fails({ model_name: 'm', outputs: [{ name: 'y', datatype: 'FP32', shape: [4], parameters: { binary_data_size: 16 } }] }, 'ERR_INVALID_REQUEST', "output 'y': binary tensor data requires the Inference-Header-Content-Length header");
  });
});
