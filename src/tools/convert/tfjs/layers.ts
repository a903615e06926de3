/**
 * @module
 * Keras layers -> IR ops, one converter per layer class. A layer with a fused activation
 * becomes its op followed by an activation op; the last op always writes the call's output name.
 */
import type { Activation, DataLayout, IrConstant, IrGraphBuilder, IrOp, IrShape } from '../ir/index.js';
import { readActivation } from './activations.js';
import type { LayerConfig } from './layer-config.js';
import type { LayerCall } from './topology.js';
import type { WeightValue } from './weights.js';

/** Weight lookup for one layer: by the last segment of the weight name (kernel, bias, gamma...). */
export type LayerWeights = (key: string) => IrConstant | undefined;

interface Context {
  readonly call: LayerCall;
  readonly layer: LayerConfig;
  /** Shape of the call's first input. */
  readonly shape: IrShape;
  /** Adds an op reading `inputs`, written to a fresh value (or the call's output when `last`). */
  readonly emit: (op: OpWithoutWiring, inputs: readonly string[], last: boolean) => string;
  readonly required: (key: string) => IrConstant;
}

type OpWithoutWiring = IrOp extends infer T ? (T extends IrOp ? Omit<T, 'source' | 'inputs' | 'output'> : never) : never;

type Converter = (context: Context) => void;

const IDENTITY_LAYERS = ['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization'];

const MERGE_LAYERS = { Add: 'add', Subtract: 'subtract', Multiply: 'multiply', Average: 'average', Maximum: 'maximum', Minimum: 'minimum' } as const;

const CONVERTERS: Readonly<Record<string, Converter>> = {
  Dense: (c) => {
    const kernel = c.required('kernel');
    const bias = c.layer.boolean('use_bias', true) ? c.required('bias') : undefined;
    withActivation(c, { kind: 'dense', kernel, ...(bias === undefined ? {} : { bias }) }, readActivation(c.layer, 'activation', c.shape.length));
  },
  Conv2D: (c) => {
    const kernel = { ...c.required('kernel'), axes: 'HWIO' };
    const groups = c.layer.positive('groups', 1);
    withActivation(c, { kind: 'conv2d', ...convParameters(c.layer), kernel, groups, ...bias(c) }, readActivation(c.layer, 'activation', 4));
  },
  DepthwiseConv2D: (c) => {
    const depthwise = depthwiseKernel(c.required('depthwise_kernel'));
    withActivation(c, { kind: 'conv2d', ...convParameters(c.layer), kernel: depthwise.kernel, groups: depthwise.groups, ...bias(c) }, readActivation(c.layer, 'activation', 4));
  },
  SeparableConv2D: (c) => {
    const depthwise = depthwiseKernel(c.required('depthwise_kernel'));
    const parameters = convParameters(c.layer);
    const spatial = c.emit({ kind: 'conv2d', ...parameters, kernel: depthwise.kernel, groups: depthwise.groups }, c.call.inputs, false);
    const pointwise = { ...c.required('pointwise_kernel'), axes: 'HWIO' };
    const step = { kind: 'conv2d', layout: parameters.layout, kernel: pointwise, strides: [1, 1], dilations: [1, 1], padding: 'valid', groups: 1, ...bias(c) } as const;
    withActivation(c, step, readActivation(c.layer, 'activation', 4), [spatial]);
  },
  BatchNormalization: (c) => {
    const rank = c.shape.length;
    const configured = c.layer.raw('axis') ?? -1;
    // Keras 3 writes the axis as a one-element list.
    const axis: unknown = Array.isArray(configured) && configured.length === 1 ? configured[0] : configured;
    if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= rank) throw c.layer.error(`axis ${JSON.stringify(c.layer.raw('axis'))} must be one axis of the rank-${rank} input`);
    const scale = c.layer.boolean('scale', true) ? c.required('gamma') : undefined;
    const offset = c.layer.boolean('center', true) ? c.required('beta') : undefined;
    c.emit({
      kind: 'batchNorm', axis: axis < 0 ? axis + rank : axis, mean: c.required('moving_mean'), variance: c.required('moving_variance'),
      epsilon: c.layer.number('epsilon', 1e-3), ...(scale === undefined ? {} : { scale }), ...(offset === undefined ? {} : { offset }),
    }, c.call.inputs, true);
  },
  Activation: (c) => activation(c, readActivation(c.layer, 'activation', c.shape.length)),
  ReLU: (c) => {
    const max = c.layer.has('max_value') ? c.layer.number('max_value') : undefined;
    const slope = c.layer.number('negative_slope', 0);
    if (c.layer.number('threshold', 0) !== 0) throw c.layer.error('ReLU with a non-zero threshold is not supported');
    if (slope !== 0 && max !== undefined) throw c.layer.error('ReLU with both negative_slope and max_value is not supported');
    activation(c, slope !== 0 ? { fn: 'leaky_relu', alpha: slope } : max !== undefined ? { fn: 'clip', min: 0, max } : { fn: 'relu' });
  },
  // Keras 3 renamed LeakyReLU's alpha to negative_slope; tfjs's default is 0.3.
  LeakyReLU: (c) => activation(c, { fn: 'leaky_relu', alpha: c.layer.number(c.layer.has('negative_slope') ? 'negative_slope' : 'alpha', 0.3) }),
  ELU: (c) => activation(c, { fn: 'elu', alpha: c.layer.number('alpha', 1) }),
  ThresholdedReLU: (c) => activation(c, { fn: 'thresholded_relu', theta: c.layer.number('theta', 1) }),
  Softmax: (c) => activation(c, { fn: 'softmax', axis: normalizeAxis(c, c.layer.number('axis', -1)) }),
  MaxPooling2D: (c) => pooling(c, 'max'),
  AveragePooling2D: (c) => pooling(c, 'avg'),
  GlobalAveragePooling2D: (c) => globalPooling(c, 'avg'),
  GlobalMaxPooling2D: (c) => globalPooling(c, 'max'),
  Flatten: (c) => {
    if (c.layer.dataFormat() === 'channels_first' && c.shape.length > 2) throw c.layer.error('Flatten with data_format channels_first is not supported');
    c.emit({ kind: 'flatten' }, c.call.inputs, true);
  },
  Reshape: (c) => {
    const target = c.layer.raw('target_shape');
    if (!Array.isArray(target) || !target.every((dim) => Number.isInteger(dim))) throw c.layer.error(`target_shape ${JSON.stringify(target)} must be a list of integers`);
    c.emit({ kind: 'reshape', shape: target as number[] }, c.call.inputs, true);
  },
  ZeroPadding2D: (c) => {
    const [[top, bottom], [left, right]] = zeroPadding(c.layer);
    c.emit({ kind: 'pad2d', layout: c.layer.dataFormat(), top, bottom, left, right }, c.call.inputs, true);
  },
  Concatenate: (c) => c.emit({ kind: 'concat', axis: normalizeAxis(c, c.layer.number('axis', -1)) }, c.call.inputs, true),
  ...Object.fromEntries(Object.entries(MERGE_LAYERS).map(([className, fn]) => [className, (c: Context) => {
    c.emit({ kind: 'merge', fn }, c.call.inputs, true);
  }])),
  ...Object.fromEntries(IDENTITY_LAYERS.map((className) => [className, (c: Context) => {
    c.emit({ kind: 'identity' }, c.call.inputs, true);
  }])),
};

export const SUPPORTED_LAYERS: readonly string[] = ['InputLayer', ...Object.keys(CONVERTERS)].sort();

/**
 * Adds the IR ops of one layer call.
 * @throws Error naming the layer class and name for an unsupported layer, a missing weight or a
 * config the converter cannot honour.
 */
export function convertLayer(builder: IrGraphBuilder, call: LayerCall, weights: LayerWeights): void {
  const { layer } = call;
  const converter = CONVERTERS[layer.className];
  if (converter === undefined) throw new Error(`unsupported layer ${layer.className} (layer '${layer.name}'); supported layers: ${SUPPORTED_LAYERS.join(', ')}`);
  const shape = builder.value(call.inputs[0]!).shape;
  const context: Context = {
    call, layer, shape,
    emit: (op, inputs, last) => {
      const output = last ? call.output : builder.freshName(`${call.output}/${op.kind}`);
      builder.add({ ...op, source: layer.name, inputs, output });
      return output;
    },
    required: (key) => {
      const weight = weights(key);
      if (weight === undefined) throw layer.error(`weight '${key}' is missing from the weights manifest`);
      return weight;
    },
  };
  converter(context);
}

/** Looks weights up by layer name: `<layer>/<key>` or `.../<layer>/<key>`, ignoring a `:0` suffix. */
export function weightsForLayer(all: ReadonlyMap<string, WeightValue>, layerName: string): LayerWeights {
  const mine = new Map<string, IrConstant>();
  for (const [name, value] of all) {
    const segments = name.replace(/:\d+$/, '').split('/');
    if (segments.length >= 2 && segments.slice(0, -1).includes(layerName)) mine.set(segments[segments.length - 1]!, { shape: value.shape, data: value.data });
  }
  return (key) => mine.get(key);
}

function withActivation(c: Context, op: OpWithoutWiring, fn: Activation, inputs: readonly string[] = c.call.inputs): void {
  if (fn.fn === 'linear') {
    c.emit(op, inputs, true);
    return;
  }
  const linear = c.emit(op, inputs, false);
  c.emit({ kind: 'activation', activation: fn }, [linear], true);
}

function activation(c: Context, fn: Activation): void {
  c.emit(fn.fn === 'linear' ? { kind: 'identity' } : { kind: 'activation', activation: fn }, c.call.inputs, true);
}

function convParameters(layer: LayerConfig): { layout: DataLayout; strides: [number, number]; dilations: [number, number]; padding: 'same' | 'valid' } {
  const strides = layer.pair('strides', [1, 1]);
  const dilations = layer.pair('dilation_rate', [1, 1]);
  if ((strides[0] > 1 || strides[1] > 1) && (dilations[0] > 1 || dilations[1] > 1)) throw layer.error('strides > 1 together with dilation_rate > 1 is not supported (Keras refuses it too)');
  return { layout: layer.dataFormat(), strides, dilations, padding: layer.padding() };
}

function bias(c: Context): { bias?: IrConstant } {
  return c.layer.boolean('use_bias', true) ? { bias: c.required('bias') } : {};
}

/**
 * A depthwise kernel [kh, kw, cin, multiplier] is a grouped convolution with one group per input
 * channel; as HWIO its row-major data already orders output channels c * multiplier + m.
 */
function depthwiseKernel(kernel: IrConstant): { kernel: IrConstant; groups: number } {
  const [kh, kw, channels, multiplier] = kernel.shape as [number, number, number, number];
  return { kernel: { shape: [kh, kw, 1, channels * multiplier], data: kernel.data, axes: 'HWIO' }, groups: channels };
}

function pooling(c: Context, mode: 'max' | 'avg'): void {
  const size = c.layer.pair('pool_size', [2, 2]);
  const strides = c.layer.has('strides') ? c.layer.pair('strides') : size;
  c.emit({ kind: 'pool2d', mode, layout: c.layer.dataFormat(), size, strides, padding: c.layer.padding() }, c.call.inputs, true);
}

function globalPooling(c: Context, mode: 'max' | 'avg'): void {
  c.emit({ kind: 'globalPool2d', mode, layout: c.layer.dataFormat(), keepDims: c.layer.boolean('keepdims', false) }, c.call.inputs, true);
}

function normalizeAxis(c: Context, axis: number): number {
  const rank = c.shape.length;
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw c.layer.error(`axis ${axis} is outside an input of rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** ZeroPadding2D's padding: n, [h, w] or [[top, bottom], [left, right]]. */
function zeroPadding(layer: LayerConfig): [[number, number], [number, number]] {
  const padding = layer.raw('padding') ?? 1;
  const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
  if (isCount(padding)) return [[padding, padding], [padding, padding]];
  if (Array.isArray(padding) && padding.length === 2) {
    const [height, width] = padding as unknown[];
    if (isCount(height) && isCount(width)) return [[height, height], [width, width]];
    if (padding.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every(isCount))) return padding as [[number, number], [number, number]];
  }
  throw layer.error(`padding ${JSON.stringify(padding)} must be n, [h, w] or [[top, bottom], [left, right]] with non-negative integers`);
}
