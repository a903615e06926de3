import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeInferRequestJson, encodeInferRequestJson } from '../../../src/protocol/index.js';
import type { InferRequest, Tensor } from '../../../src/core/index.js';
import { DATA_VECTORS } from './json-vectors.js';

const target = { modelName: 'simple' };

function decodeOne(input: Record<string, unknown>): Tensor {
  return decodeInferRequestJson({ inputs: [{ name: 'x', ...input }] }, target).inputs[0]!;
}

describe('decodeInferRequestJson: data per datatype', () => {
  for (const vector of DATA_VECTORS) {
    it(`${vector.datatype}: decodes ${JSON.stringify(vector.sent)}`, () => {
      const tensor = decodeOne({ shape: [vector.sent.length], datatype: vector.datatype, data: vector.sent });
      assert.deepEqual(tensor, { name: 'x', datatype: vector.datatype, shape: [vector.sent.length], data: vector.decoded });
    });
    const canonical = vector.requestCanonical ?? vector.canonical;
    it(`${vector.datatype}: encodes to ${canonical}`, () => {
      const request = { modelName: 'simple', inputs: [{ name: 'x', datatype: vector.datatype, shape: [vector.decoded.length], data: vector.decoded } as Tensor] };
      assert.equal(encodeInferRequestJson(request), `{"inputs":[{"name":"x","shape":[${vector.decoded.length}],"datatype":"${vector.datatype}","data":${canonical}}]}`);
    });
  }

  it('accepts 64-bit integers as decimal strings and writes safe ones back as numbers', () => {
    const tensor = decodeOne({ shape: [3], datatype: 'INT64', data: ['42', '-7', '0'] });
    assert.deepEqual(tensor.data, BigInt64Array.of(42n, -7n, 0n));
    assert.match(encodeInferRequestJson({ modelName: 'm', inputs: [tensor] }), /"data":\[42,-7,0\]/);
  });

  it('returns freshly allocated, transferable arrays', () => {
    const body = { inputs: [{ name: 'a', shape: [2], datatype: 'FP32', data: [1, 2] }, { name: 'b', shape: [2], datatype: 'INT64', data: [1, 2] }] };
    const [a, b] = decodeInferRequestJson(body, target).inputs;
    for (const tensor of [a!, b!]) {
      const data = tensor.data as Float32Array | BigInt64Array;
      assert.equal(data.byteOffset, 0);
      assert.equal(data.buffer.byteLength, data.byteLength);
    }
    assert.notEqual(a!.data, b!.data);
  });
});

describe('decodeInferRequestJson: data layout', () => {
  it('nested and flat data decode alike, row-major', () => {
    const flat = decodeOne({ shape: [2, 3], datatype: 'INT32', data: [1, 2, 3, 4, 5, 6] });
    const nested = decodeOne({ shape: [2, 3], datatype: 'INT32', data: [[1, 2, 3], [4, 5, 6]] });
    assert.deepEqual(nested, flat);
    assert.deepEqual(nested.data, Int32Array.of(1, 2, 3, 4, 5, 6));
  });

  it('accepts irregular nesting as long as the element count matches', () => {
    const tensor = decodeOne({ shape: [2, 2], datatype: 'FP32', data: [[1, [2]], [[[3]]], 4] });
    assert.deepEqual(tensor.data, Float32Array.of(1, 2, 3, 4));
  });

  it('a scalar (shape []) may be a bare value or a one-element array', () => {
    assert.deepEqual(decodeOne({ shape: [], datatype: 'FP64', data: 2.5 }).data, Float64Array.of(2.5));
    assert.deepEqual(decodeOne({ shape: [], datatype: 'FP64', data: [2.5] }).data, Float64Array.of(2.5));
    assert.deepEqual(decodeOne({ shape: [], datatype: 'BYTES', data: 'hi' }).data, [Uint8Array.of(104, 105)]);
    assert.deepEqual(decodeOne({ shape: [], datatype: 'INT64', data: '-5' }).data, BigInt64Array.of(-5n));
  });

  it('zero-sized dims take empty data', () => {
    for (const data of [[], [[], [], []]]) {
      const tensor = decodeOne({ shape: [0, 3], datatype: 'FP32', data });
      assert.deepEqual(tensor, { name: 'x', datatype: 'FP32', shape: [0, 3], data: new Float32Array(0) });
    }
    assert.deepEqual(decodeOne({ shape: [2, 0], datatype: 'BYTES', data: [] }).data, []);
  });
});

describe('decodeInferRequestJson: request fields', () => {
  const body = {
    id: '42',
    parameters: { priority: 1, sequence_start: true, tag: 'a', binary_data_output: false },
    inputs: [{ name: 'INPUT0', shape: [2, 2], datatype: 'FP32', data: [[1, 2], [3, 4]], parameters: { note: 'x' } }],
    outputs: [{ name: 'OUTPUT0', parameters: { binary_data: false } }, { name: 'OUTPUT1' }],
    extra_field: { ignored: true },
  };
  const expected: InferRequest = {
    modelName: 'simple',
    modelVersion: '3',
    id: '42',
    parameters: { priority: 1, sequence_start: true, tag: 'a', binary_data_output: false },
    inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }],
    outputs: [{ name: 'OUTPUT0', parameters: { binary_data: false } }, { name: 'OUTPUT1' }],
  };

  it('decodes every field and ignores unknown ones', () => {
    assert.deepEqual(decodeInferRequestJson(body, { modelName: 'simple', modelVersion: '3' }), expected);
  });

  it('golden: encodes the same request with flat data and no unknown fields', () => {
    assert.equal(
      encodeInferRequestJson(expected),
      '{"id":"42","parameters":{"priority":1,"sequence_start":true,"tag":"a","binary_data_output":false},'
      + '"inputs":[{"name":"INPUT0","shape":[2,2],"datatype":"FP32","data":[1,2,3,4]}],'
      + '"outputs":[{"name":"OUTPUT0","parameters":{"binary_data":false}},{"name":"OUTPUT1"}]}',
    );
  });

  it('leaves optional fields out rather than undefined', () => {
    const decoded = decodeInferRequestJson({ inputs: [{ name: 'x', shape: [1], datatype: 'BOOL', data: [true] }] }, target);
    assert.deepEqual(Object.keys(decoded), ['modelName', 'inputs']);
    assert.equal(encodeInferRequestJson(decoded), '{"inputs":[{"name":"x","shape":[1],"datatype":"BOOL","data":[true]}]}');
  });

  it('an empty outputs list means every output, as in Triton', () => {
    const decoded = decodeInferRequestJson({ inputs: [{ name: 'x', shape: [1], datatype: 'BOOL', data: [true] }], outputs: [] }, target);
    assert.equal(decoded.outputs, undefined);
    assert.doesNotMatch(encodeInferRequestJson({ ...decoded, outputs: [] }), /outputs/);
  });

  it('keeps a __proto__ parameter as a plain key', () => {
    const parsed: unknown = JSON.parse('{"parameters":{"__proto__":"x"},"inputs":[{"name":"x","shape":[1],"datatype":"BOOL","data":[true]}]}');
    const decoded = decodeInferRequestJson(parsed, target);
    assert.equal(Object.getPrototypeOf(decoded.parameters), Object.prototype);
    assert.deepEqual(Object.entries(decoded.parameters!), [['__proto__', 'x']]);
  });
});
