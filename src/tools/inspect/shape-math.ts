/**
 * @module
 * Shape arithmetic shared by the rules: broadcasting, axes, and the output size of sliding
 * windows (Conv, pools) as the ONNX operator specs define it.
 */
import { UnknownShapeError, type NodeContext } from './node-context.js';

export function product(dims: readonly number[]): number {
  return dims.reduce((total, dim) => total * dim, 1);
}

/** Multidirectional (numpy) broadcasting of any number of shapes. */
export function broadcast(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((shape) => shape.length));
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis += 1) {
    let size = 1;
    for (const shape of shapes) {
      const dim = shape[shape.length - rank + axis] ?? 1;
      if (dim === 1) continue;
      if (size !== 1 && size !== dim) throw new UnknownShapeError(`shapes ${shapes.map((s) => `[${s.join(',')}]`).join(' and ')} do not broadcast`);
      size = dim;
    }
    out.push(size);
  }
  return out;
}

/** A possibly negative axis counted from the end, checked against the rank. */
export function normalizeAxis(axis: number, rank: number): number {
  const normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) throw new UnknownShapeError(`axis ${axis} is out of range for rank ${rank}`);
  return normalized;
}

export interface WindowSpec {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** Begin pads of every spatial axis, then end pads, as the `pads` attribute lists them. */
  readonly pads: readonly number[];
  readonly autoPad: string;
  readonly ceilMode: boolean;
}

/** Reads kernel_shape (or the given kernel), strides, dilations, pads, auto_pad and ceil_mode. */
export function windowSpec(context: NodeContext, spatialRank: number, kernel?: readonly number[]): WindowSpec {
  const ones = Array.from({ length: spatialRank }, () => 1);
  const kernelShape = context.ints('kernel_shape') ?? kernel;
  if (kernelShape?.length !== spatialRank) throw new UnknownShapeError(`kernel_shape is missing or does not have ${spatialRank} spatial dims`);
  const spec = {
    kernel: kernelShape,
    strides: context.ints('strides') ?? ones,
    dilations: context.ints('dilations') ?? ones,
    pads: context.ints('pads') ?? Array.from({ length: 2 * spatialRank }, () => 0),
    autoPad: context.string('auto_pad', 'NOTSET'),
    ceilMode: context.int('ceil_mode', 0) === 1,
  };
  for (const [name, values, least] of [['kernel_shape', spec.kernel, 1], ['strides', spec.strides, 1], ['dilations', spec.dilations, 1], ['pads', spec.pads, 0]] as const) {
    if (values.some((value) => value < least)) throw new UnknownShapeError(`${name} [${values.join(',')}] has a value below ${least}`);
  }
  return spec;
}

/**
 * Output spatial sizes of a sliding window over `input` (spatial dims only). With ceil_mode a
 * last window that would start in the end padding is dropped, as onnxruntime does
 * (pool_attributes.h ComputeOutputSize), so the result matches what it computes.
 */
export function windowOutput(input: readonly number[], spec: WindowSpec): number[] {
  return input.map((size, axis) => {
    const stride = spec.strides[axis] ?? 1;
    const span = ((spec.kernel[axis] ?? 1) - 1) * (spec.dilations[axis] ?? 1) + 1;
    if (spec.autoPad === 'SAME_UPPER' || spec.autoPad === 'SAME_LOWER') return Math.ceil(size / stride);
    const [begin, end] = spec.autoPad === 'VALID' ? [0, 0] : [spec.pads[axis] ?? 0, spec.pads[axis + input.length] ?? 0];
    const room = size + begin + end - span;
    if (room < 0) throw new UnknownShapeError(`window of ${span} does not fit in ${size} (+ padding ${begin + end}) on spatial axis ${axis}`);
    if (!spec.ceilMode) return Math.floor(room / stride) + 1;
    let out = Math.ceil(room / stride) + 1;
    if ((out - 1) * stride >= size + begin) out -= 1;
    return out;
  });
}
