/**
 * @module
 * Static shape inference for IR ops. Each function checks that its inputs fit the op (rank,
 * channel counts, kernel sizes) and throws an error naming the source layer when they do not,
 * so a malformed model fails at conversion, not later inside onnxruntime.
 */
import type { IrConstant, IrDim, IrOp, IrShape, Padding } from './ir-types.js';

/** Output size of one spatial axis under TensorFlow's padding rules; null stays null. */
export function spatialOutputSize(size: IrDim, kernel: number, stride: number, dilation: number, padding: Padding): IrDim {
  if (size === null) return null;
  const effective = (kernel - 1) * dilation + 1;
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - effective) / stride) + 1;
}

/**
 * Explicit [before, after] padding of one axis for TensorFlow 'same' (extra at the end), or
 * undefined when the size is unknown until run time.
 */
export function samePadding(size: IrDim, kernel: number, stride: number, dilation: number): [number, number] | undefined {
  if (size === null) return undefined;
  const effective = (kernel - 1) * dilation + 1;
  const output = Math.ceil(size / stride);
  const total = Math.max((output - 1) * stride + effective - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Axis indices of [channels, height, width] in a rank-4 tensor of the layout. */
export function spatialAxes(layout: 'channels_last' | 'channels_first'): { channels: number; height: number; width: number } {
  return layout === 'channels_last' ? { channels: 3, height: 1, width: 2 } : { channels: 1, height: 2, width: 3 };
}

/** The output shape of `op` given its input shapes (in `op.inputs` order). */
export function inferOutputShape(op: IrOp, inputs: readonly IrShape[]): IrShape {
  const fail = (problem: string): Error => new Error(`layer '${op.source}' (${op.kind}): ${problem}`);
  const first = inputs[0];
  if (first === undefined) throw fail('has no input');
  const requireRank = (rank: number): void => {
    if (first.length !== rank) throw fail(`expects a rank-${rank} input, got shape ${formatShape(first)}`);
  };
  switch (op.kind) {
    case 'dense': {
      const last = first[first.length - 1];
      if (first.length < 2) throw fail(`expects an input of rank 2 or more, got ${formatShape(first)}`);
      checkConstant(op.kernel, 2, fail, 'kernel');
      if (last !== null && last !== op.kernel.shape[0]) throw fail(`kernel takes ${op.kernel.shape[0]} features but the input has ${last}`);
      checkVector(op.bias, op.kernel.shape[1]!, fail, 'bias');
      return [...first.slice(0, -1), op.kernel.shape[1]!];
    }
    case 'conv2d': {
      requireRank(4);
      checkConstant(op.kernel, 4, fail, 'kernel');
      const axes = spatialAxes(op.layout);
      const [kh, kw, perGroup, cout] = op.kernel.shape as [number, number, number, number];
      const channels = first[axes.channels];
      if (channels !== null && channels !== perGroup * op.groups) throw fail(`kernel takes ${perGroup * op.groups} input channels (${op.groups} group(s) of ${perGroup}) but the input has ${channels}`);
      if (cout % op.groups !== 0) throw fail(`${cout} output channels do not split into ${op.groups} groups`);
      checkVector(op.bias, cout, fail, 'bias');
      const height = spatialOutputSize(first[axes.height]!, kh, op.strides[0], op.dilations[0], op.padding);
      const width = spatialOutputSize(first[axes.width]!, kw, op.strides[1], op.dilations[1], op.padding);
      return withSpatial(op.layout, first[0]!, height, width, cout, fail);
    }
    case 'pool2d': {
      requireRank(4);
      const axes = spatialAxes(op.layout);
      const height = spatialOutputSize(first[axes.height]!, op.size[0], op.strides[0], 1, op.padding);
      const width = spatialOutputSize(first[axes.width]!, op.size[1], op.strides[1], 1, op.padding);
      return withSpatial(op.layout, first[0]!, height, width, first[axes.channels]!, fail);
    }
    case 'globalPool2d': {
      requireRank(4);
      const channels = first[spatialAxes(op.layout).channels]!;
      if (!op.keepDims) return [first[0]!, channels];
      return op.layout === 'channels_last' ? [first[0]!, 1, 1, channels] : [first[0]!, channels, 1, 1];
    }
    case 'batchNorm': {
      if (op.axis < 0 || op.axis >= first.length) throw fail(`axis ${op.axis} is outside an input of rank ${first.length}`);
      const channels = first[op.axis] ?? null;
      for (const [label, constant] of [['mean', op.mean], ['variance', op.variance], ['scale', op.scale], ['offset', op.offset]] as const) {
        if (constant !== undefined) checkVector(constant, channels ?? constant.shape[0]!, fail, label);
      }
      return first;
    }
    case 'activation': {
      const activation = op.activation;
      if ((activation.fn === 'softmax' || activation.fn === 'log_softmax') && (activation.axis < 0 || activation.axis >= first.length)) {
        throw fail(`axis ${activation.axis} is outside an input of rank ${first.length}`);
      }
      return first;
    }
    case 'identity':
      return first;
    case 'flatten': {
      if (first.length < 2) throw fail(`expects an input of rank 2 or more, got ${formatShape(first)}`);
      const rest = first.slice(1);
      return [first[0]!, rest.includes(null) ? null : rest.reduce<number>((product, dim) => product * dim!, 1)];
    }
    case 'reshape':
      return [first[0]!, ...reshapeTarget(first.slice(1), op.shape, fail)];
    case 'pad2d': {
      requireRank(4);
      if ([op.top, op.bottom, op.left, op.right].some((p) => !Number.isInteger(p) || p < 0)) throw fail('padding must be non-negative integers');
      const axes = spatialAxes(op.layout);
      const grow = (dim: IrDim, extra: number): IrDim => (dim === null ? null : dim + extra);
      return withSpatial(op.layout, first[0]!, grow(first[axes.height]!, op.top + op.bottom), grow(first[axes.width]!, op.left + op.right), first[axes.channels]!, fail);
    }
    case 'merge': {
      if (inputs.length < 2) throw fail(`needs at least 2 inputs, got ${inputs.length}`);
      for (const shape of inputs.slice(1)) {
        if (!sameShape(shape, first)) throw fail(`inputs have different shapes: ${inputs.map(formatShape).join(' vs ')}`);
      }
      return first;
    }
    case 'concat': {
      if (op.axis < 1 || op.axis >= first.length) throw fail(`axis ${op.axis} is not a non-batch axis of a rank-${first.length} input`);
      let total: IrDim = 0;
      for (const shape of inputs) {
        const others = (s: IrShape): IrShape => s.filter((_, axis) => axis !== op.axis);
        if (shape.length !== first.length || !sameShape(others(shape), others(first))) throw fail(`inputs ${inputs.map(formatShape).join(', ')} differ outside axis ${op.axis}`);
        const dim = shape[op.axis]!;
        total = total === null || dim === null ? null : total + dim;
      }
      return first.map((dim, axis) => (axis === op.axis ? total : dim));
    }
  }
}

export function formatShape(shape: IrShape): string {
  return `[${shape.map((dim) => (dim === null ? '?' : String(dim))).join(',')}]`;
}

function withSpatial(layout: 'channels_last' | 'channels_first', batch: IrDim, height: IrDim, width: IrDim, channels: IrDim, fail: (problem: string) => Error): IrShape {
  if ((height !== null && height < 1) || (width !== null && width < 1)) throw fail(`the output would be empty (${height}x${width}): the input is smaller than the window`);
  return layout === 'channels_last' ? [batch, height, width, channels] : [batch, channels, height, width];
}

function reshapeTarget(from: IrShape, target: readonly number[], fail: (problem: string) => Error): IrShape {
  const unknown = target.filter((dim) => dim === -1).length;
  if (unknown > 1 || target.some((dim) => dim === 0 || dim < -1 || !Number.isInteger(dim))) throw fail(`target shape [${target.join(',')}] must be positive sizes with at most one -1`);
  if (from.includes(null)) return target.map((dim) => (dim === -1 ? null : dim));
  const count = from.reduce<number>((product, dim) => product * dim!, 1);
  const known = target.filter((dim) => dim !== -1).reduce((product, dim) => product * dim, 1);
  if (unknown === 0 ? known !== count : count % known !== 0) throw fail(`cannot reshape ${formatShape(from)} (${count} values per sample) to [${target.join(',')}]`);
  return target.map((dim) => (dim === -1 ? count / known : dim));
}

function sameShape(a: IrShape, b: IrShape): boolean {
  return a.length === b.length && a.every((dim, axis) => dim === null || b[axis] === null || dim === b[axis]);
}

function checkConstant(constant: IrConstant, rank: number, fail: (problem: string) => Error, label: string): void {
  if (constant.shape.length !== rank) throw fail(`${label} must have rank ${rank}, got [${constant.shape.join(',')}]`);
  const count = constant.shape.reduce((product, dim) => product * dim, 1);
  if (constant.data.length !== count) throw fail(`${label} [${constant.shape.join(',')}] needs ${count} values, got ${constant.data.length}`);
}

function checkVector(constant: IrConstant | undefined, length: number, fail: (problem: string) => Error, label: string): void {
  if (constant === undefined) return;
  checkConstant(constant, 1, fail, label);
  if (constant.shape[0] !== length) throw fail(`${label} has ${constant.shape[0]} values, expected ${length}`);
}
