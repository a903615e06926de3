/**
 * @module
 * Shape rules of the operators that move or reshape data (Reshape, Transpose, Concat, Gather,
 * Slice...) and of those that compute shapes (Shape, ConstantOfShape). Small integer constants
 * are carried through them, so the Shape -> Gather -> Concat -> Reshape chains exporters write
 * resolve to concrete shapes.
 */
import { dataTypeFromOnnx, type DataType } from '../../core/index.js';
import { readTensor, type TensorProto } from '../onnx/index.js';
import { UnknownShapeError, type NodeContext, type ValueShape } from './node-context.js';
import type { ShapeRule } from './nn-shape-rules.js';
import { broadcast, normalizeAxis, product } from './shape-math.js';

/** Constants up to this many elements are carried; larger ones are data, not shapes. */
export const MAX_CONSTANT_ELEMENTS = 1024;

/** A tensor's elements as numbers when it is a small numeric constant; undefined otherwise. */
export function constantValues(tensor: TensorProto): readonly number[] | undefined {
  const count = product((tensor.dims ?? []).map(Number));
  if (count > MAX_CONSTANT_ELEMENTS) return undefined;
  try {
    const { datatype, data } = readTensor(tensor);
    if (datatype === 'BYTES' || datatype === 'FP16' || datatype === 'BF16') return undefined;
    return Array.from(data as ArrayLike<number | bigint>, Number);
  } catch {
    return undefined;
  }
}

/** A value with constant elements when they are few enough to carry. */
function value(datatype: DataType | undefined, dims: readonly number[], values: readonly number[] | undefined): ValueShape {
  return values !== undefined && values.length === product(dims) && values.length <= MAX_CONSTANT_ELEMENTS ? { datatype, dims, values } : { datatype, dims };
}

export const constant: ShapeRule = (context) => {
  const tensor = context.tensor('value');
  if (tensor !== undefined) return [value(dataTypeFromOnnx(tensor.dataType ?? 0), (tensor.dims ?? []).map(Number), constantValues(tensor))];
  const ints = context.ints('value_ints');
  if (ints !== undefined) return [value('INT64', [ints.length], ints)];
  const int = context.int('value_int');
  if (int !== undefined) return [value('INT64', [], [int])];
  throw new UnknownShapeError('Constant without a value, value_int or value_ints attribute');
};

export const shape: ShapeRule = (context) => {
  const dims = context.dims(0);
  const rank = dims.length;
  const clamp = (axis: number): number => Math.min(Math.max(axis < 0 ? axis + rank : axis, 0), rank);
  const picked = dims.slice(clamp(context.int('start', 0)), clamp(context.int('end', rank)));
  return [value('INT64', [picked.length], picked)];
};

export const size: ShapeRule = (context) => [value('INT64', [], [product(context.dims(0))])];

export const constantOfShape: ShapeRule = (context) => {
  const dims = context.constant(0);
  const fill = context.tensor('value');
  const fillValue = fill === undefined ? [0] : constantValues(fill);
  const datatype = fill === undefined ? 'FP32' : dataTypeFromOnnx(fill.dataType ?? 0);
  const count = product(dims);
  return [value(datatype, dims, fillValue === undefined || count > MAX_CONSTANT_ELEMENTS ? undefined : Array.from({ length: count }, () => fillValue[0] ?? 0))];
};

export const cast: ShapeRule = (context) => {
  const x = context.input(0);
  const datatype = dataTypeFromOnnx(context.int('to', 0));
  const isInteger = datatype !== undefined && /INT|BOOL/.test(datatype);
  const values = x.values === undefined ? undefined : isInteger ? x.values.map((v) => (datatype === 'BOOL' ? Number(v !== 0) : Math.trunc(v))) : x.values;
  return [value(datatype, x.dims, values)];
};

export const identity: ShapeRule = (context) => [context.input(0)];

export const reshape: ShapeRule = (context) => {
  const x = context.input(0);
  const target = context.constant(1);
  const allowZero = context.int('allowzero', 0) === 1;
  const dims = target.map((dim, axis) => (dim === 0 && !allowZero ? (x.dims[axis] ?? 0) : dim));
  const inferred = dims.indexOf(-1);
  if (inferred >= 0) {
    const known = product(dims.filter((_, axis) => axis !== inferred));
    if (known === 0 || product(x.dims) % known !== 0) throw new UnknownShapeError(`cannot reshape [${x.dims.join(',')}] to [${target.join(',')}]`);
    dims[inferred] = product(x.dims) / known;
  }
  if (product(dims) !== product(x.dims)) throw new UnknownShapeError(`cannot reshape [${x.dims.join(',')}] (${product(x.dims)} elements) to [${dims.join(',')}]`);
  return [value(x.datatype, dims, x.values)];
};

export const flatten: ShapeRule = (context) => {
  const x = context.input(0);
  const rank = x.dims.length;
  const raw = context.int('axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (axis < 0 || axis > rank) throw new UnknownShapeError(`Flatten axis ${raw} is out of range for rank ${rank}`);
  return [value(x.datatype, [product(x.dims.slice(0, axis)), product(x.dims.slice(axis))], x.values)];
};

export const transpose: ShapeRule = (context) => {
  const x = context.input(0);
  const perm = context.ints('perm') ?? x.dims.map((_, axis) => x.dims.length - 1 - axis);
  if (perm.length !== x.dims.length) throw new UnknownShapeError(`perm [${perm.join(',')}] does not match rank ${x.dims.length}`);
  return [{ datatype: x.datatype, dims: perm.map((axis) => x.dims[normalizeAxis(axis, x.dims.length)]!) }];
};

export const concat: ShapeRule = (context) => {
  const inputs = (context.node.input ?? []).map((_, index) => context.input(index));
  const first = inputs[0];
  if (first === undefined) throw new UnknownShapeError('Concat without inputs');
  const axis = normalizeAxis(context.int('axis', 0), first.dims.length);
  const dims = [...first.dims];
  dims[axis] = inputs.reduce((total, input) => {
    if (input.dims.length !== first.dims.length || input.dims.some((dim, i) => i !== axis && dim !== first.dims[i])) {
      throw new UnknownShapeError(`Concat inputs [${first.dims.join(',')}] and [${input.dims.join(',')}] differ off axis ${axis}`);
    }
    return total + input.dims[axis]!;
  }, 0);
  const values = first.dims.length === 1 && inputs.every((input) => input.values !== undefined) ? inputs.flatMap((input) => input.values!) : undefined;
  return [value(first.datatype, dims, values)];
};

export const squeeze: ShapeRule = (context) => {
  const x = context.input(0);
  const axes = context.axes(1)?.map((axis) => normalizeAxis(axis, x.dims.length));
  const dims = x.dims.filter((dim, axis) => (axes === undefined ? dim !== 1 : !axes.includes(axis)));
  return [value(x.datatype, dims, x.values)];
};

export const unsqueeze: ShapeRule = (context) => {
  const x = context.input(0);
  const axes = context.axes(1);
  if (axes === undefined) throw new UnknownShapeError('Unsqueeze without axes');
  const rank = x.dims.length + axes.length;
  const inserted = new Set(axes.map((axis) => normalizeAxis(axis, rank)));
  const rest = [...x.dims];
  const dims = Array.from({ length: rank }, (_, axis) => (inserted.has(axis) ? 1 : rest.shift()!));
  return [value(x.datatype, dims, x.values)];
};

export const gather: ShapeRule = (context) => {
  const data = context.input(0);
  const indices = context.input(1);
  const axis = normalizeAxis(context.int('axis', 0), data.dims.length);
  const dims = [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)];
  let values: number[] | undefined;
  if (data.dims.length === 1 && data.values !== undefined && indices.values !== undefined) {
    values = indices.values.map((index) => data.values![index < 0 ? index + data.dims[0]! : index]!);
  }
  return [value(data.datatype, dims, values)];
};

export const slice: ShapeRule = (context) => {
  const x = context.input(0);
  // Opset 10 moved starts/ends/axes/steps from attributes to inputs.
  const fromInputs = context.opset >= 10;
  const starts = fromInputs ? context.constant(1) : context.ints('starts') ?? [];
  const ends = fromInputs ? context.constant(2) : context.ints('ends') ?? [];
  const axes = (fromInputs ? context.optionalConstant(3) : context.ints('axes')) ?? starts.map((_, i) => i);
  const steps = (fromInputs ? context.optionalConstant(4) : undefined) ?? starts.map(() => 1);
  const dims = [...x.dims];
  const ranges = x.dims.map((dim) => ({ start: 0, step: 1, count: dim }));
  axes.forEach((rawAxis, i) => {
    const axis = normalizeAxis(rawAxis, x.dims.length);
    const dim = x.dims[axis]!;
    const step = steps[i] ?? 1;
    if (step === 0) throw new UnknownShapeError('Slice step 0');
    const clamp = (position: number): number => {
      const from = position < 0 ? position + dim : position;
      return step > 0 ? Math.min(Math.max(from, 0), dim) : Math.min(Math.max(from, -1), dim - 1);
    };
    const start = clamp(starts[i] ?? 0);
    const end = clamp(ends[i] ?? dim);
    const count = Math.max(0, Math.ceil((end - start) / step));
    dims[axis] = count;
    ranges[axis] = { start, step, count };
  });
  const range = ranges[0];
  const values = x.dims.length === 1 && x.values !== undefined && range !== undefined
    ? Array.from({ length: range.count }, (_, i) => x.values![range.start + i * range.step]!)
    : undefined;
  return [value(x.datatype, dims, values)];
};

export const split: ShapeRule = (context) => {
  const x = context.input(0);
  const axis = normalizeAxis(context.int('axis', 0), x.dims.length);
  const outputs = context.node.output?.length ?? 1;
  const dim = x.dims[axis]!;
  // Opset 13 moved `split` to an input; opset 18 added num_outputs for uneven equal splits.
  const sizes = (context.opset >= 13 ? context.optionalConstant(1) : context.ints('split'))
    ?? Array.from({ length: outputs }, (_, i) => Math.min(Math.ceil(dim / outputs), Math.max(0, dim - i * Math.ceil(dim / outputs))));
  return sizes.map((part) => ({ datatype: x.datatype, dims: x.dims.map((d, i) => (i === axis ? part : d)) }));
};

export const pad: ShapeRule = (context) => {
  const x = context.input(0);
  const rank = x.dims.length;
  const pads = context.opset >= 11 ? context.constant(1) : context.ints('pads') ?? [];
  const axes = (context.opset >= 18 ? context.optionalConstant(3) : undefined)?.map((axis) => normalizeAxis(axis, rank)) ?? x.dims.map((_, axis) => axis);
  const dims = [...x.dims];
  axes.forEach((axis, i) => { dims[axis] = dims[axis]! + (pads[i] ?? 0) + (pads[i + axes.length] ?? 0); });
  return [{ datatype: x.datatype, dims }];
};

/** Opsets where each reduction's axes became an input: ReduceSum at 13, the others at 18. */
function reduceAxesFromInput(context: NodeContext): boolean {
  return context.node.opType === 'ReduceSum' ? context.opset >= 13 : context.opset >= 18;
}

export const reduce: ShapeRule = (context) => {
  const x = context.input(0);
  const rank = x.dims.length;
  const given = reduceAxesFromInput(context) ? context.optionalConstant(1) : context.ints('axes');
  const noopWhenEmpty = context.int('noop_with_empty_axes', 0) === 1;
  if ((given === undefined || given.length === 0) && noopWhenEmpty) return [{ datatype: x.datatype, dims: x.dims }];
  const axes = new Set((given === undefined || given.length === 0 ? x.dims.map((_, axis) => axis) : given).map((axis) => normalizeAxis(axis, rank)));
  const keep = context.int('keepdims', 1) === 1;
  const dims = x.dims.flatMap((dim, axis) => (axes.has(axis) ? (keep ? [1] : []) : [dim]));
  return [{ datatype: x.datatype, dims }];
};

export const argReduce: ShapeRule = (context) => {
  const x = context.input(0);
  const axis = normalizeAxis(context.int('axis', 0), x.dims.length);
  const keep = context.int('keepdims', 1) === 1;
  return [{ datatype: 'INT64', dims: x.dims.flatMap((dim, i) => (i === axis ? (keep ? [1] : []) : [dim])) }];
};

export const expand: ShapeRule = (context) => {
  const x = context.input(0);
  return [{ datatype: x.datatype, dims: broadcast([x.dims, context.constant(1)]) }];
};

export const tile: ShapeRule = (context) => {
  const x = context.input(0);
  const repeats = context.constant(1);
  return [{ datatype: x.datatype, dims: x.dims.map((dim, axis) => dim * (repeats[axis] ?? 1)) }];
};

export const where: ShapeRule = (context) => [{ datatype: context.input(1).datatype, dims: broadcast([context.dims(0), context.dims(1), context.dims(2)]) }];

/** Resize (opset 11+: roi, scales, sizes inputs) and Upsample (scales). */
export const resize: ShapeRule = (context) => {
  const x = context.input(0);
  const sizes = context.opset >= 11 ? context.optionalConstant(3) : undefined;
  if (sizes !== undefined && sizes.length > 0) return [{ datatype: x.datatype, dims: sizes }];
  // Before opset 9 (Upsample) the scales were a float attribute; those models are rare enough to leave unknown.
  const scales = context.opset >= 11 ? context.optionalConstant(2) : context.opset >= 9 ? context.constant(1) : undefined;
  if (scales === undefined || scales.length !== x.dims.length) throw new UnknownShapeError('Resize without constant scales or sizes');
  return [{ datatype: x.datatype, dims: x.dims.map((dim, axis) => Math.floor(dim * scales[axis]!)) }];
};
