/**
 * @module
 * FP32 tensors to FP16 without creating infinities or zeros out of finite, nonzero weights.
 *
 * The rule (the one onnxconverter-common's float16 converter uses):
 * - a finite value beyond ±65504 (the largest FP16) becomes ±65504, not ±Infinity;
 * - a nonzero value smaller in magnitude than 2^-24 (the smallest FP16 subnormal) becomes
 *   ±2^-24, so a weight or epsilon that was nonzero stays nonzero;
 * - everything else rounds to the nearest FP16 (ties to even); ±Infinity and NaN stay as they
 *   are, since a model that holds them (attention masks) means them.
 */
import { numberToFloat16Bits } from '../../core/index.js';
import { makeTensor, readTensor, type TensorProto } from '../onnx/index.js';

export const FLOAT16_MAX = 65504;
export const FLOAT16_MIN_POSITIVE = 2 ** -24;

export interface Float16Values {
  readonly bits: Uint16Array;
  /** Finite values beyond ±65504, now ±65504. */
  readonly clamped: number;
  /** Nonzero values below 2^-24 in magnitude, now ±2^-24. */
  readonly raised: number;
}

export function toFloat16Values(values: ArrayLike<number>): Float16Values {
  const bits = new Uint16Array(values.length);
  let clamped = 0;
  let raised = 0;
  for (let i = 0; i < values.length; i += 1) {
    let value = values[i]!;
    const magnitude = Math.abs(value);
    if (Number.isFinite(value) && magnitude > FLOAT16_MAX) {
      value = Math.sign(value) * FLOAT16_MAX;
      clamped += 1;
    } else if (magnitude !== 0 && magnitude < FLOAT16_MIN_POSITIVE) {
      value = Math.sign(value) * FLOAT16_MIN_POSITIVE;
      raised += 1;
    }
    bits[i] = numberToFloat16Bits(value);
  }
  return { bits, clamped, raised };
}

export interface ConvertedTensor extends Omit<Float16Values, 'bits'> {
  readonly tensor: TensorProto;
}

/**
 * An FP32 TensorProto as FP16 raw_data, keeping its name, doc string and metadata.
 * @throws TypeError when the tensor is not FP32 or keeps its data externally.
 */
export function tensorToFloat16(proto: TensorProto, name = proto.name ?? ''): ConvertedTensor {
  const source = readTensor(proto);
  if (source.datatype !== 'FP32') throw new TypeError(`tensor '${proto.name ?? ''}' is ${source.datatype}, not FP32`);
  const { bits, clamped, raised } = toFloat16Values(source.data);
  const tensor = makeTensor(name, 'FP16', source.shape, bits);
  if (proto.docString !== undefined) tensor.docString = proto.docString;
  if (proto.metadataProps !== undefined) tensor.metadataProps = proto.metadataProps;
  return { tensor, clamped, raised };
}
