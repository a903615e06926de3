/**
 * @module
 * Linear 8-bit quantization of float values, q = clamp(round(x / scale) + zeroPoint), as
 * ONNX QuantizeLinear defines it (round half to even). Pure functions, no graph.
 */

export type QuantizedType = 'INT8' | 'UINT8';

const TYPE_RANGE: Readonly<Record<QuantizedType, readonly [number, number]>> = {
  INT8: [-128, 127],
  UINT8: [0, 255],
};

export interface QuantizationParams {
  readonly scale: number;
  readonly zeroPoint: number;
  /** Symmetric int8 leaves -128 unused; an asymmetric range whose zero point rounds to 0 does not. */
  readonly symmetric: boolean;
}

export interface QuantizedWeights {
  readonly type: QuantizedType;
  readonly values: Int8Array | Uint8Array;
  readonly dims: readonly number[];
  /** One entry per tensor (axis absent) or per slice along `axis`. */
  readonly scales: Float32Array;
  readonly zeroPoints: readonly number[];
  /** The channel axis of per-channel scales; absent for one scale for the whole tensor. */
  readonly axis?: number;
}

export interface WeightQuantizationOptions {
  /** @defaultValue 'INT8' */
  type?: QuantizedType;
  /** Zero point 0 (int8) or 128 (uint8), scale from the largest magnitude. @defaultValue true */
  symmetric?: boolean;
  /** Quantize each slice along this axis with its own scale and zero point. */
  axis?: number;
}

/** Rounds half to even, as QuantizeLinear does. */
export function roundHalfToEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Scale and zero point covering [min, max], widened to include 0 so that zero (padding, ReLU
 * output) is exactly representable, as ONNX requires of quantized zero points. The scale is
 * rounded to float32 here, because that is how the model stores it and values must be
 * quantized with the scale the runtime will dequantize with.
 */
export function rangeParams(min: number, max: number, type: QuantizedType, symmetric: boolean): QuantizationParams {
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) throw new RangeError(`cannot quantize the range [${min}, ${max}]`);
  const low = Math.min(min, 0);
  const high = Math.max(max, 0);
  const [qmin, qmax] = TYPE_RANGE[type];
  // A range too narrow for a float32 scale (all zeros, or denormals) gets scale 1: its values
  // all quantize to the zero point, off by less than the smallest normal float.
  if (symmetric) {
    const scale = Math.fround(Math.max(-low, high) / (type === 'INT8' ? 127 : 127.5));
    return { scale: scale > 0 ? scale : 1, zeroPoint: type === 'INT8' ? 0 : 128, symmetric };
  }
  const fitted = Math.fround((high - low) / (qmax - qmin));
  const scale = fitted > 0 ? fitted : 1;
  const zeroPoint = Math.min(qmax, Math.max(qmin, roundHalfToEven(qmin - low / scale)));
  return { scale, zeroPoint, symmetric };
}

export function quantizeValue(value: number, params: QuantizationParams, type: QuantizedType): number {
  const [qmin, qmax] = TYPE_RANGE[type];
  // Symmetric int8 leaves -128 unused, so the range is the same on both sides of zero, as
  // onnxruntime's quantizer does for weights.
  const low = type === 'INT8' && params.symmetric ? -127 : qmin;
  return Math.min(qmax, Math.max(low, roundHalfToEven(value / params.scale) + params.zeroPoint));
}

/**
 * Quantizes a dense row-major tensor, per tensor or per slice along `options.axis`.
 * @throws RangeError when dims do not match the values or the axis is out of range.
 */
export function quantizeWeights(values: Float32Array, dims: readonly number[], options: WeightQuantizationOptions = {}): QuantizedWeights {
  const type = options.type ?? 'INT8';
  const symmetric = options.symmetric ?? true;
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== values.length) throw new RangeError(`dims [${dims.join(',')}] need ${count} values, got ${values.length}`);
  const { axis } = options;
  if (axis !== undefined && (!Number.isInteger(axis) || axis < 0 || axis >= dims.length)) throw new RangeError(`axis ${axis} is out of range for dims [${dims.join(',')}]`);
  const channels = axis === undefined ? 1 : dims[axis]!;
  // Element i belongs to channel floor(i / inner) % channels, inner being the product of the dims after the axis.
  const inner = axis === undefined ? count : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (index: number): number => (axis === undefined ? 0 : Math.floor(index / inner) % channels);
  const mins = new Float64Array(channels).fill(0);
  const maxs = new Float64Array(channels).fill(0);
  values.forEach((value, index) => {
    if (!Number.isFinite(value)) throw new RangeError(`cannot quantize the non-finite weight ${value} at index ${index}`);
    const channel = channelOf(index);
    if (value < mins[channel]!) mins[channel] = value;
    if (value > maxs[channel]!) maxs[channel] = value;
  });
  const params = Array.from({ length: channels }, (_, c) => rangeParams(mins[c]!, maxs[c]!, type, symmetric));
  const quantized = type === 'INT8' ? new Int8Array(count) : new Uint8Array(count);
  values.forEach((value, index) => {
    quantized[index] = quantizeValue(value, params[channelOf(index)]!, type);
  });
  return {
    type,
    values: quantized,
    dims: [...dims],
    scales: Float32Array.from(params, (p) => p.scale),
    zeroPoints: params.map((p) => p.zeroPoint),
    ...(axis === undefined ? {} : { axis }),
  };
}

/** The float values a quantized tensor stands for (DequantizeLinear). */
export function dequantizeWeights(weights: QuantizedWeights): Float32Array {
  const { axis, dims } = weights;
  const channels = axis === undefined ? 1 : dims[axis]!;
  const inner = axis === undefined ? weights.values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  return Float32Array.from(weights.values, (q, index) => {
    const channel = axis === undefined ? 0 : Math.floor(index / inner) % channels;
    return (q - weights.zeroPoints[channel]!) * weights.scales[channel]!;
  });
}

/**
 * A float bias as int32 with scale inputScale × weightScale[c] and zero point 0, as onnxruntime's
 * quantizer stores the bias of QLinearConv / QGemm, so the addition happens in the int32 accumulator.
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): { values: Int32Array; scales: Float32Array } {
  const scales = Float32Array.from(bias, (_, c) => Math.fround(inputScale * weightScales[weightScales.length === 1 ? 0 : c]!));
  const values = Int32Array.from(bias, (value, c) => {
    const q = scales[c] === 0 ? 0 : roundHalfToEven(value / scales[c]!);
    return Math.min(2147483647, Math.max(-2147483648, q));
  });
  return { values, scales };
}
