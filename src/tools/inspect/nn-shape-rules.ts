/**
 * @module
 * Shape rules of the compute operators: convolutions, matrix products, pools, normalizations.
 * Each follows its ONNX operator spec (onnx/docs/Operators.md).
 */
import type { DataType } from '../../core/index.js';
import { UnknownShapeError, type NodeContext, type ValueShape } from './node-context.js';
import { broadcast, windowOutput, windowSpec } from './shape-math.js';

export type ShapeRule = (context: NodeContext) => ValueShape[];

/** [N, C, spatial...] -> [N, C', spatial'...]: the layout every convolution and pool uses. */
function nchw(context: NodeContext): { batch: number; channels: number; spatial: readonly number[] } {
  const dims = context.dims(0);
  if (dims.length < 3) throw new UnknownShapeError(`input '${context.node.input?.[0] ?? ''}' has rank ${dims.length}; [N, C, spatial...] expected`);
  return { batch: dims[0]!, channels: dims[1]!, spatial: dims.slice(2) };
}

export const conv: ShapeRule = (context) => {
  const { batch, spatial } = nchw(context);
  const weights = context.dims(1, spatial.length + 2);
  const out = windowOutput(spatial, windowSpec(context, spatial.length, weights.slice(2)));
  return [{ datatype: context.input(0).datatype, dims: [batch, weights[0]!, ...out] }];
};

export const convTranspose: ShapeRule = (context) => {
  const { batch, spatial } = nchw(context);
  const weights = context.dims(1, spatial.length + 2);
  const group = context.int('group', 1);
  const channels = weights[1]! * group;
  const explicit = context.ints('output_shape');
  if (explicit !== undefined) return [{ datatype: context.input(0).datatype, dims: [batch, channels, ...explicit.slice(-spatial.length)] }];
  const spec = windowSpec(context, spatial.length, weights.slice(2));
  const outputPadding = context.ints('output_padding') ?? [];
  const out = spatial.map((size, axis) => {
    const stride = spec.strides[axis] ?? 1;
    const span = ((spec.kernel[axis] ?? 1) - 1) * (spec.dilations[axis] ?? 1) + 1;
    if (spec.autoPad === 'SAME_UPPER' || spec.autoPad === 'SAME_LOWER') return size * stride;
    const pads = spec.autoPad === 'VALID' ? 0 : (spec.pads[axis] ?? 0) + (spec.pads[axis + spatial.length] ?? 0);
    return stride * (size - 1) + (outputPadding[axis] ?? 0) + span - pads;
  });
  return [{ datatype: context.input(0).datatype, dims: [batch, channels, ...out] }];
};

export const pool: ShapeRule = (context) => {
  const { batch, channels, spatial } = nchw(context);
  const dims = [batch, channels, ...windowOutput(spatial, windowSpec(context, spatial.length))];
  // MaxPool's optional second output holds the argmax indices.
  return [{ datatype: context.input(0).datatype, dims }, { datatype: 'INT64', dims }];
};

export const globalPool: ShapeRule = (context) => {
  const { batch, channels, spatial } = nchw(context);
  return [{ datatype: context.input(0).datatype, dims: [batch, channels, ...spatial.map(() => 1)] }];
};

/** numpy.matmul: 1-D operands get a dim added and removed again; batch dims broadcast. */
export function matmulDims(a: readonly number[], b: readonly number[]): number[] {
  if (a.length === 0 || b.length === 0) throw new UnknownShapeError('MatMul operands must have rank 1 or more');
  const left = a.length === 1 ? [1, a[0]!] : a;
  const right = b.length === 1 ? [b[0]!, 1] : b;
  const k = left.at(-1)!;
  if (right.at(-2) !== k) throw new UnknownShapeError(`MatMul inner dims differ: [${a.join(',')}] x [${b.join(',')}]`);
  const batch = broadcast([left.slice(0, -2), right.slice(0, -2)]);
  return [...batch, ...(a.length === 1 ? [] : [left.at(-2)!]), ...(b.length === 1 ? [] : [right.at(-1)!])];
}

export const matmul: ShapeRule = (context) => [{ datatype: context.input(0).datatype, dims: matmulDims(context.dims(0), context.dims(1)) }];

/** MatMulInteger (what dynamic quantization emits) accumulates in int32. */
export const matmulInteger: ShapeRule = (context) => [{ datatype: 'INT32', dims: matmulDims(context.dims(0), context.dims(1)) }];

export const gemm: ShapeRule = (context) => {
  const a = context.dims(0, 2);
  const b = context.dims(1, 2);
  const [m, k] = context.int('transA', 0) === 1 ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = context.int('transB', 0) === 1 ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (k !== kb) throw new UnknownShapeError(`Gemm inner dims differ: A gives ${k}, B gives ${kb}`);
  return [{ datatype: context.input(0).datatype, dims: [m, n] }];
};

/** Output 0 has the shape and type of input 0 (activations, normalizations, Softmax...). */
export const sameAsInput: ShapeRule = (context) => [context.input(0)].map(({ datatype, dims }) => ({ datatype, dims }));

/** Output 0 like input 0 but with another element type (IsNaN -> BOOL, ...). */
export function sameShapeAs(datatype: DataType): ShapeRule {
  return (context) => [{ datatype, dims: context.dims(0) }];
}

/** BatchNormalization: Y like X; the optional training outputs (running mean/var) are [C]. */
export const batchNorm: ShapeRule = (context) => {
  const x = context.input(0);
  const channels = [x.dims[1] ?? 1];
  return [{ datatype: x.datatype, dims: x.dims }, { datatype: x.datatype, dims: channels }, { datatype: x.datatype, dims: channels }];
};

/** LayerNormalization: Y like X; Mean and InvStdDev keep the dims before `axis`, 1 after. */
export const layerNorm: ShapeRule = (context) => {
  const x = context.input(0);
  const axis = context.int('axis', -1);
  const start = axis < 0 ? axis + x.dims.length : axis;
  const reduced = x.dims.map((dim, index) => (index < start ? dim : 1));
  return [{ datatype: x.datatype, dims: x.dims }, { datatype: 'FP32', dims: reduced }, { datatype: 'FP32', dims: reduced }];
};

/** Dropout: output like the input, and the optional mask as BOOL of the same shape. */
export const dropout: ShapeRule = (context) => {
  const x = context.input(0);
  return [{ datatype: x.datatype, dims: x.dims, ...(x.values === undefined ? {} : { values: x.values }) }, { datatype: 'BOOL', dims: x.dims }];
};

/** DynamicQuantizeLinear: y UINT8 like x, and scalar scale (FP32) and zero point (UINT8). */
export const dynamicQuantize: ShapeRule = (context) => [
  { datatype: 'UINT8', dims: context.dims(0) }, { datatype: 'FP32', dims: [] }, { datatype: 'UINT8', dims: [] },
];

/** QuantizeLinear's output type is its zero point's (UINT8 when absent); DequantizeLinear's is its scale's. */
export const quantize: ShapeRule = (context) => [{ datatype: context.has(2) ? context.input(2).datatype : 'UINT8', dims: context.dims(0) }];
export const dequantize: ShapeRule = (context) => [{ datatype: context.input(1).datatype, dims: context.dims(0) }];
