// fast-check generators for the binary codec properties: tensors with every bit pattern (binary
// keeps them all), and the same tensors reduced to what JSON carries exactly.
import fc from 'fast-check';
import {
  DATA_TYPES, bfloat16BitsToNumber, dataTypeInfo, float16BitsToNumber, numberToBfloat16Bits, numberToFloat16Bits,
  type DataType, type Tensor,
} from '../../../src/core/index.js';

const utf8 = new TextEncoder();
// ignoreBOM: a leading U+FEFF is data, as in the JSON encoder.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** Up to 4 dims of 0..4: scalars ([]) and zero-sized dims included. */
export const shapes = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 });

/** A tensor whose numeric data is random bytes (NaN payloads, subnormals, extremes), BOOL 0/1, BYTES random bytes. */
export function rawTensor(name: string, datatypes: readonly DataType[] = DATA_TYPES): fc.Arbitrary<Tensor> {
  return fc.tuple(fc.constantFrom(...datatypes), shapes).chain(([datatype, shape]) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const info = dataTypeInfo(datatype);
    if (info.array === undefined) {
      return fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: count, maxLength: count }).map((data) => ({ name, datatype, shape, data }) as Tensor);
    }
    const ArrayType = info.array;
    const max = info.valueKind === 'bool' ? 1 : 255;
    const byteLength = count * info.byteSize;
    return fc.uint8Array({ minLength: byteLength, maxLength: byteLength, max })
      .map((bytes) => ({ name, datatype, shape, data: new ArrayType(bytes.slice().buffer, 0, count) }) as Tensor);
  });
}

/** 1..4 tensors with distinct names. */
export const rawTensors = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 })
  .chain((names) => fc.tuple(...names.map((name) => rawTensor(name))));

const MOD_53 = 2n ** 53n;

/**
 * The tensor as it survives the JSON codec: NaNs canonical (JSON says "NaN"), 64-bit integers
 * within ±(2^53-1) (JSON.parse rounds beyond), BYTES valid UTF-8 (the encoder writes strings).
 */
export function jsonSafe(tensor: Tensor): Tensor {
  const { name, datatype, shape } = tensor;
  switch (tensor.datatype) {
    case 'BYTES':
      return { name, datatype: 'BYTES', shape, data: tensor.data.map((e) => utf8.encode(utf8Decoder.decode(e))) };
    case 'FP32':
    case 'FP64':
      return { name, datatype, shape, data: tensor.data.map((v) => (Number.isNaN(v) ? NaN : v)) } as Tensor;
    case 'FP16':
      return { name, datatype: tensor.datatype, shape, data: tensor.data.map((b) => (Number.isNaN(float16BitsToNumber(b)) ? numberToFloat16Bits(NaN) : b)) };
    case 'BF16':
      return { name, datatype: tensor.datatype, shape, data: tensor.data.map((b) => (Number.isNaN(bfloat16BitsToNumber(b)) ? numberToBfloat16Bits(NaN) : b)) };
    case 'INT64':
    case 'UINT64':
      return { name, datatype, shape, data: tensor.data.map((v: bigint) => v % MOD_53) } as Tensor;
    default:
      return tensor;
  }
}
