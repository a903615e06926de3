// Round trips for every datatype in both directions (client encode -> server decode, server
// encode -> client decode), with edge values, zero-sized dims and scalars; and zero-copy decoding.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeInferRequestBody, decodeInferResponseBody, encodeInferRequestBody, encodeInferResponseBody,
} from '../../../src/protocol/index.js';
import { DATA_TYPES, type DataType, type InferRequest, type InferResponse, type Tensor } from '../../../src/core/index.js';
import { blobOf, framed, joined, placeAt } from './binary-helpers.js';

const utf8 = new TextEncoder();
const bitsAs = <T>(Type: new (buffer: ArrayBuffer) => T, Bits: { of(...items: number[]): { buffer: ArrayBufferLike } }, ...bits: number[]): T =>
  new Type(Bits.of(...bits).buffer as ArrayBuffer);

/** Edge values per datatype: extremes, signed zeros, NaN payloads (binary keeps every bit), BYTES that are empty, binary or non-ASCII. */
const SAMPLES: { [T in DataType]: () => Extract<Tensor, { datatype: T }>['data'] } = {
  BOOL: () => Uint8Array.of(0, 1, 1, 0),
  UINT8: () => Uint8Array.of(0, 255, 7, 128),
  UINT16: () => Uint16Array.of(0, 65535, 1, 256),
  UINT32: () => Uint32Array.of(0, 4294967295, 1, 65536),
  UINT64: () => BigUint64Array.of(0n, 2n ** 64n - 1n, 2n ** 53n + 1n, 1n),
  INT8: () => Int8Array.of(-128, 127, 0, -1),
  INT16: () => Int16Array.of(-32768, 32767, 0, -1),
  INT32: () => Int32Array.of(-2147483648, 2147483647, 0, -1),
  INT64: () => BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, -(2n ** 53n) - 1n, 0n),
  FP16: () => Uint16Array.of(0x3c00, 0x7e01, 0x8000, 0x7c00, 0x0001, 0xfbff),
  BF16: () => Uint16Array.of(0x3f80, 0x7fc1, 0xff80, 0x8000, 0x0001, 0x7f7f),
  FP32: () => bitsAs(Float32Array, Uint32Array, 0x7fc00001, 0x80000000, 0x7f800000, 0x00000001, 0x7f7fffff, 0x3f800000),
  FP64: () => bitsAs(Float64Array, Uint32Array, 0x00000001, 0x7ff80000, 0, 0x80000000, 0, 0x7ff00000, 1, 0, 0xffffffff, 0x7fefffff),
  BYTES: () => [new Uint8Array(0), Uint8Array.of(0x00, 0xff), utf8.encode('é🚀'), utf8.encode('plain text')],
};

/** `datatype` with the sample data cut or repeated to fill `shape`. */
function tensorOf(name: string, datatype: DataType, shape: number[]): Tensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const sample = SAMPLES[datatype]();
  if (Array.isArray(sample)) return { name, datatype, shape, data: Array.from({ length: count }, (_, i) => sample[i % sample.length]!) } as Tensor;
  const data = new (sample.constructor as new (n: number) => typeof sample)(count);
  for (let i = 0; i < count; i++) data[i] = sample[i % sample.length]!;
  return { name, datatype, shape, data } as Tensor;
}

const SHAPES: number[][] = [[4], [2, 3], [0, 3], [2, 0, 5], []];

describe('binary round trips for every datatype', () => {
  for (const datatype of DATA_TYPES) {
    it(`${datatype}: client encode -> server decode, shapes ${SHAPES.map((s) => JSON.stringify(s)).join(' ')}`, () => {
      const request: InferRequest = { modelName: 'm', id: 'x', inputs: SHAPES.map((shape, i) => tensorOf(`in${i}`, datatype, shape)) };
      const encoded = encodeInferRequestBody(request, { binaryInputs: true, binaryOutputs: false });
      const body = joined(encoded);
      assert.deepEqual(decodeInferRequestBody(body, encoded.headerLength, { modelName: 'm' }), request);
      // Also at every offset inside a larger buffer, which moves the blobs in and out of alignment.
      for (let offset = 1; offset < 8; offset++) {
        assert.deepEqual(decodeInferRequestBody(placeAt(body, offset), encoded.headerLength, { modelName: 'm' }), request);
      }
    });

    it(`${datatype}: server encode -> client decode`, () => {
      const response: InferResponse = { modelName: 'm', modelVersion: '2', outputs: SHAPES.map((shape, i) => tensorOf(`out${i}`, datatype, shape)) };
      const encoded = encodeInferResponseBody(response, { parameters: { binary_data_output: true } });
      assert.equal(encoded.headerLength, encoded.chunks[0]!.byteLength);
      assert.deepEqual(decodeInferResponseBody(joined(encoded), encoded.headerLength), response);
    });
  }

  it('blobs are exactly the little-endian bytes an independent serializer writes', () => {
    const response: InferResponse = { modelName: 'm', modelVersion: '1', outputs: DATA_TYPES.map((datatype) => tensorOf(datatype, datatype, [5])) };
    const encoded = encodeInferResponseBody(response, { parameters: { binary_data_output: true } });
    assert.deepEqual(encoded.chunks.slice(1), response.outputs.map(blobOf));
  });

  it('BOOL outputs holding nonzero bytes other than 1 are sent as 1', () => {
    const response: InferResponse = { modelName: 'm', modelVersion: '1', outputs: [{ name: 'b', datatype: 'BOOL', shape: [3], data: Uint8Array.of(0, 2, 255) }] };
    const encoded = encodeInferResponseBody(response, { parameters: { binary_data_output: true } });
    assert.deepEqual(encoded.chunks[1], Uint8Array.of(0, 1, 1));
    assert.deepEqual(response.outputs[0]!.data, Uint8Array.of(0, 2, 255));
  });

  it('binary inputs with binary outputs requested', () => {
    const request: InferRequest = { modelName: 'm', parameters: { p: 'q' }, inputs: [tensorOf('a', 'FP16', [2])], outputs: [{ name: 'y' }] };
    const encoded = encodeInferRequestBody(request, { binaryInputs: true, binaryOutputs: true });
    assert.deepEqual(decodeInferRequestBody(joined(encoded), encoded.headerLength, { modelName: 'm' }), { ...request, parameters: { p: 'q', binary_data_output: true } });
  });
});

describe('zero-copy decoding', () => {
  /** A body whose single FP64 blob starts at `blobStart` bytes into the body (the JSON is padded with spaces). */
  function fp64Body(blobStart: number): { body: Uint8Array; headerLength: number; values: Float64Array } {
    const values = Float64Array.of(1.5, -2, Math.PI);
    const json = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP64', shape: [3], parameters: { binary_data_size: 24 } }] });
    assert.ok(json.length <= blobStart);
    const { body, headerLength } = framed(json.padEnd(blobStart, ' '), blobOf({ name: 'x', datatype: 'FP64', shape: [3], data: values }));
    return { body, headerLength, values };
  }

  it('an aligned numeric blob is a view into the body: same ArrayBuffer, no copy', () => {
    const { body, headerLength, values } = fp64Body(128);
    const data = decodeInferRequestBody(body, headerLength, { modelName: 'm' }).inputs[0]!.data as Float64Array;
    assert.deepEqual(data, values);
    assert.equal(data.buffer, body.buffer);
    assert.equal(data.byteOffset, 128);
  });

  it('alignment is judged on the address in the ArrayBuffer, not the position in the body', () => {
    const { body, headerLength, values } = fp64Body(125);
    const placed = placeAt(body, 3);
    const data = decodeInferRequestBody(placed, headerLength, { modelName: 'm' }).inputs[0]!.data as Float64Array;
    assert.deepEqual(data, values);
    assert.equal(data.buffer, placed.buffer);
    assert.equal(data.byteOffset, 128);
  });

  it('an unaligned numeric blob is copied once into a fresh buffer', () => {
    for (const start of [121, 122, 124, 127]) {
      const { body, headerLength, values } = fp64Body(start);
      const data = decodeInferRequestBody(body, headerLength, { modelName: 'm' }).inputs[0]!.data as Float64Array;
      assert.deepEqual(data, values);
      assert.notEqual(data.buffer, body.buffer);
      assert.equal(data.byteOffset, 0);
      assert.equal(data.buffer.byteLength, 24);
    }
  });

  it('1-byte types and BYTES elements are always views', () => {
    const { body, headerLength } = framed(
      { inputs: [{ name: 'b', datatype: 'BOOL', shape: [2], parameters: { binary_data_size: 2 } }, { name: 'i', datatype: 'INT8', shape: [1], parameters: { binary_data_size: 1 } }] },
      Uint8Array.of(1, 0), Uint8Array.of(0x80),
    );
    const placed = placeAt(body, 5);
    const [b, i] = decodeInferRequestBody(placed, headerLength, { modelName: 'm' }).inputs;
    assert.equal((b!.data as Uint8Array).buffer, placed.buffer);
    assert.equal((i!.data as Int8Array).buffer, placed.buffer);
    assert.deepEqual(i!.data, Int8Array.of(-128));
  });

  it('response outputs decode as views too', () => {
    const response: InferResponse = { modelName: 'm', modelVersion: '1', outputs: [tensorOf('y', 'INT64', [4])] };
    const encoded = encodeInferResponseBody(response, { outputs: [{ name: 'y', parameters: { binary_data: true } }] });
    const headerLength = encoded.headerLength!;
    const body = placeAt(joined(encoded), (8 - (headerLength % 8)) % 8);
    const decoded = decodeInferResponseBody(body, headerLength);
    assert.deepEqual(decoded, response);
    assert.equal((decoded.outputs[0]!.data as BigInt64Array).buffer, body.buffer);
  });
});
