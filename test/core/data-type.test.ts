import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  DATA_TYPES, allocateData, bfloat16BitsToNumber, dataTypeFromConfig, dataTypeFromOnnx, dataTypeFromOrt, dataTypeInfo,
  float16BitsToNumber, numberToBfloat16Bits, numberToFloat16Bits, resolveWildcardDims,
} from '../../src/core/index.js';

describe('datatype table', () => {
  it('maps every datatype to Triton, ONNX and onnxruntime names and back', () => {
    for (const datatype of DATA_TYPES) {
      const info = dataTypeInfo(datatype);
      assert.equal(dataTypeFromConfig(info.config), datatype);
      assert.equal(dataTypeFromOnnx(info.onnxElementType), datatype);
      if (info.ortType) assert.equal(dataTypeFromOrt(info.ortType), datatype);
    }
    assert.equal(dataTypeFromConfig('TYPE_STRING'), 'BYTES');
    assert.equal(dataTypeFromOnnx(14), undefined, 'COMPLEX64 is not served');
    assert.equal(dataTypeInfo('BF16').ortType, undefined, 'onnxruntime-node has no bfloat16 tensors');
  });

  it('allocates the array each datatype lives in, with its byte size', () => {
    for (const datatype of DATA_TYPES) {
      const data = allocateData(datatype, 3);
      assert.equal(data.length, 3);
      const info = dataTypeInfo(datatype);
      if (info.array) assert.equal((data as ArrayBufferView).byteLength, 3 * info.byteSize, datatype);
      else assert.ok((data as Uint8Array[]).every((e) => e instanceof Uint8Array));
    }
  });

  it('resolves a reshape wildcard from the element count', () => {
    assert.deepEqual(resolveWildcardDims([2, -1], 6), [2, 3]);
    assert.deepEqual(resolveWildcardDims([], 1), []);
    assert.deepEqual(resolveWildcardDims([0, -1], 0), [0, 0]);
  });
});

describe('half-precision conversions', () => {
  it('round-trips every FP16 bit pattern that is not NaN', () => {
    for (let bits = 0; bits < 0x10000; bits += 1) {
      const value = float16BitsToNumber(bits);
      if (Number.isNaN(value)) assert.ok(Number.isNaN(float16BitsToNumber(numberToFloat16Bits(value))));
      else assert.equal(numberToFloat16Bits(value), bits, `bits 0x${bits.toString(16)} -> ${value}`);
    }
  });

  it('rounds to the nearest FP16, ties to even, overflowing to infinity', () => {
    assert.equal(float16BitsToNumber(numberToFloat16Bits(65504)), 65504);
    assert.equal(float16BitsToNumber(numberToFloat16Bits(65520)), Infinity);
    assert.equal(float16BitsToNumber(numberToFloat16Bits(1 + 2 ** -11)), 1, 'a tie rounds to even');
    assert.equal(float16BitsToNumber(numberToFloat16Bits(2 ** -25)), 0);
    assert.equal(float16BitsToNumber(numberToFloat16Bits(2 ** -24)), 2 ** -24, 'smallest subnormal');
    fc.assert(fc.property(fc.double({ min: -65504, max: 65504, noNaN: true }), (value) => {
      const rounded = float16BitsToNumber(numberToFloat16Bits(value));
      // Within half a unit in the last place of FP16 (10 fraction bits).
      return Math.abs(rounded - value) <= Math.max(2 ** -25, Math.abs(value) * 2 ** -11);
    }));
  });

  it('round-trips every BF16 bit pattern that is not NaN', () => {
    for (let bits = 0; bits < 0x10000; bits += 1) {
      const value = bfloat16BitsToNumber(bits);
      if (!Number.isNaN(value)) assert.equal(numberToBfloat16Bits(value), bits);
    }
    assert.equal(bfloat16BitsToNumber(numberToBfloat16Bits(1.00390625)), 1, 'a tie rounds to even');
  });
});
