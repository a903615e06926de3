/**
 * @module
 * IR -> ONNX. The model keeps the source's layout at its inputs and outputs (a tfjs model's
 * NHWC images go in as NHWC), and works in NCHW inside, where ONNX's Conv and pooling need it:
 * values are transposed on demand and at most once (see layout-views.ts), and elementwise ops
 * run in whatever layout their input already has.
 */
import { GraphBuilder, type Dim, type OnnxModel } from '../../onnx/index.js';
import {
  samePadding, spatialAxes,
  type BatchNormOp, type ConcatOp, type Conv2dOp, type DenseOp, type GlobalPool2dOp, type IrConstant, type IrGraph,
  type IrOp, type IrShape, type MergeOp, type Pad2dOp, type Pool2dOp,
} from '../ir/index.js';
import { emitActivation } from './emit-activation.js';
import { LayoutViews, physicalAxis, type View } from './layout-views.js';

export interface EmitOptions {
  /** Default-domain opset. @defaultValue 17 */
  opset?: number;
}

export const DEFAULT_OPSET = 17;
/** Softmax's single-axis semantics and Pad/Clip's tensor inputs start at 13; 21 is what onnxruntime 1.30 runs fully. */
export const SUPPORTED_OPSETS = { min: 13, max: 21 } as const;

const MERGE_OPS: Readonly<Record<MergeOp['fn'], string>> = { add: 'Add', subtract: 'Sub', multiply: 'Mul', average: 'Mean', maximum: 'Max', minimum: 'Min' };

/** Builds the ONNX model for `graph`. */
export function emitOnnx(graph: IrGraph, options: EmitOptions = {}): OnnxModel {
  const opset = options.opset ?? DEFAULT_OPSET;
  if (!Number.isInteger(opset) || opset < SUPPORTED_OPSETS.min || opset > SUPPORTED_OPSETS.max) {
    throw new RangeError(`opset ${opset} is not supported; use ${SUPPORTED_OPSETS.min} to ${SUPPORTED_OPSETS.max}`);
  }
  const emitter = new Emitter(graph);
  emitter.emitAll();
  return emitter.graph.toModel({
    opset,
    docString: `converted by wharf from ${graph.origin}`,
    metadata: { converted_from: graph.origin },
  });
}

class Emitter {
  readonly graph: GraphBuilder;
  readonly #ir: IrGraph;
  readonly #views: LayoutViews;
  readonly #nodeNames = new Set<string>();
  readonly #scalars = new Map<number, string>();
  readonly #constants = new Map<Float32Array, string>();

  constructor(ir: IrGraph) {
    this.#ir = ir;
    this.graph = new GraphBuilder(ir.name, { docString: `converted by wharf from ${ir.origin}` });
    this.#views = new LayoutViews(this.graph);
  }

  emitAll(): void {
    for (const input of this.#ir.inputs) {
      this.#views.define(input.name, 'logical', this.graph.input(input.name, 'FP32', declaredShape(input.name, input.shape)));
    }
    for (const op of this.#ir.ops) this.#emit(op);
    for (const output of this.#ir.outputs) {
      this.graph.output(this.#views.get(output.name, 'logical'), output.name, 'FP32', declaredShape(output.name, output.shape));
    }
  }

  #emit(op: IrOp): void {
    switch (op.kind) {
      case 'dense': return this.#dense(op);
      case 'conv2d': return this.#conv(op);
      case 'pool2d': return this.#pool(op);
      case 'globalPool2d': return this.#globalPool(op);
      case 'batchNorm': return this.#batchNorm(op);
      case 'activation': {
        const view = this.#views.native(op.inputs[0]!);
        const axis = 'axis' in op.activation ? physicalAxis(op.activation.axis, this.#shape(op.inputs[0]!).length, view) : -1;
        const target = { graph: this.graph, scalar: (value: number) => this.#scalar(value), nodeName: (opType: string) => this.#nodeName(op.source, opType) };
        emitActivation(target, op.activation, this.#views.get(op.inputs[0]!, view), LayoutViews.nameFor(op.output, view), axis);
        return this.#views.define(op.output, view, LayoutViews.nameFor(op.output, view));
      }
      case 'identity':
        return this.#views.alias(op.output, op.inputs[0]!);
      case 'flatten':
        return this.#write(op, 'logical', 'Flatten', [this.#views.get(op.inputs[0]!, 'logical')], { axis: 1 });
      case 'reshape': {
        // 0 copies the batch size from the input (allowzero = 0, the default).
        const shape = this.graph.initializer(this.#constantName(op.output, 'shape'), 'INT64', [op.shape.length + 1], [0n, ...op.shape.map(BigInt)]);
        return this.#write(op, 'logical', 'Reshape', [this.#views.get(op.inputs[0]!, 'logical'), shape]);
      }
      case 'pad2d': return this.#pad(op);
      case 'merge': return this.#merge(op);
      case 'concat': return this.#concat(op);
    }
  }

  #dense(op: DenseOp): void {
    const input = this.#views.get(op.inputs[0]!, 'logical');
    const kernel = this.#constant(op.output, 'kernel', op.kernel);
    const bias = op.bias === undefined ? undefined : this.#constant(op.output, 'bias', op.bias);
    if (this.#shape(op.inputs[0]!).length === 2) {
      return this.#write(op, 'logical', 'Gemm', bias === undefined ? [input, kernel] : [input, kernel, bias]);
    }
    if (bias === undefined) return this.#write(op, 'logical', 'MatMul', [input, kernel]);
    const product = this.graph.node('MatMul', [input, kernel], {}, { name: this.#nodeName(op.source, 'MatMul') });
    this.#write(op, 'logical', 'Add', [product, bias]);
  }

  #conv(op: Conv2dOp): void {
    const view = spatialView(op.layout);
    const input = this.#views.get(op.inputs[0]!, view);
    const [kh, kw, perGroup, cout] = op.kernel.shape as [number, number, number, number];
    // HWIO -> OIHW, the layout ONNX Conv takes.
    const weights = this.#constant(op.output, 'kernel', { shape: [cout, perGroup, kh, kw], data: transpose(op.kernel.data, op.kernel.shape, [3, 2, 0, 1]) });
    const inputs = [input, weights];
    if (op.bias !== undefined) inputs.push(this.#constant(op.output, 'bias', op.bias));
    this.#write(op, view, 'Conv', inputs, {
      kernel_shape: [kh, kw], strides: [...op.strides], dilations: [...op.dilations], group: op.groups,
      ...this.#padding(op.inputs[0]!, op.layout, op.padding, [kh, kw], op.strides, op.dilations),
    });
  }

  #pool(op: Pool2dOp): void {
    const view = spatialView(op.layout);
    // auto_pad, never explicit pads, on pools: onnxruntime's PadFusion (basic level) folds a zero
    // Pad (ZeroPadding2D) into a following pool's pads, which turns the padded zeros into ignored
    // cells: wrong maxima (seen with onnxruntime-node 1.30), or a load failure when the sum
    // exceeds the kernel. It leaves pools with auto_pad other than NOTSET alone
    // (onnxruntime/core/optimizer/pad_fusion.cc). SAME_UPPER is TensorFlow's 'same'.
    const padding = { auto_pad: op.padding === 'same' ? 'SAME_UPPER' : 'VALID' };
    // TensorFlow averages over the window's elements inside the input only: count_include_pad = 0.
    const extra: Record<string, number> = op.mode === 'avg' ? { count_include_pad: 0 } : {};
    this.#write(op, view, op.mode === 'max' ? 'MaxPool' : 'AveragePool', [this.#views.get(op.inputs[0]!, view)], {
      kernel_shape: [...op.size], strides: [...op.strides], ...padding, ...extra,
    });
  }

  #globalPool(op: GlobalPool2dOp): void {
    const view = spatialView(op.layout);
    const opType = op.mode === 'max' ? 'GlobalMaxPool' : 'GlobalAveragePool';
    if (op.keepDims) return this.#write(op, view, opType, [this.#views.get(op.inputs[0]!, view)]);
    const pooled = this.graph.node(opType, [this.#views.get(op.inputs[0]!, view)], {}, { name: this.#nodeName(op.source, opType) });
    this.#write(op, 'logical', 'Flatten', [pooled], { axis: 1 });
  }

  /** Folded to one multiply and one add per channel: x * s + (offset - mean * s), s = scale / sqrt(variance + epsilon). */
  #batchNorm(op: BatchNormOp): void {
    const view = this.#views.native(op.inputs[0]!);
    const rank = this.#shape(op.inputs[0]!).length;
    const axis = physicalAxis(op.axis, rank, view);
    const channels = op.mean.shape[0]!;
    const multiplier = new Float32Array(channels);
    const addend = new Float32Array(channels);
    for (let c = 0; c < channels; c += 1) {
      const s = (op.scale?.data[c] ?? 1) / Math.sqrt(op.variance.data[c]! + op.epsilon);
      multiplier[c] = s;
      addend[c] = (op.offset?.data[c] ?? 0) - op.mean.data[c]! * s;
    }
    // [C, 1, ..., 1] broadcasts along the physical channel axis.
    const shape = [channels, ...Array<number>(rank - 1 - axis).fill(1)];
    const scaled = this.graph.node('Mul', [this.#views.get(op.inputs[0]!, view), this.#constant(op.output, 'multiplier', { shape, data: multiplier })], {}, { name: this.#nodeName(op.source, 'Mul') });
    this.#write(op, view, 'Add', [scaled, this.#constant(op.output, 'addend', { shape, data: addend })]);
  }

  #pad(op: Pad2dOp): void {
    const view = spatialView(op.layout);
    const pads = this.graph.initializer(this.#constantName(op.output, 'pads'), 'INT64', [8], [0, 0, op.top, op.left, 0, 0, op.bottom, op.right].map(BigInt));
    this.#write(op, view, 'Pad', [this.#views.get(op.inputs[0]!, view), pads], { mode: 'constant' });
  }

  #merge(op: MergeOp): void {
    if (op.fn === 'subtract' && op.inputs.length !== 2) throw new Error(`layer '${op.source}': subtract needs exactly 2 inputs, got ${op.inputs.length}`);
    const view = this.#commonView(op.inputs);
    const inputs = op.inputs.map((input) => this.#views.get(input, view));
    const opType = MERGE_OPS[op.fn];
    // Add and Mul take two inputs; Sum/Mean/Max/Min take any number.
    if ((opType === 'Add' || opType === 'Mul') && inputs.length > 2) {
      if (opType === 'Add') return this.#write(op, view, 'Sum', inputs);
      let product = inputs[0]!;
      for (const next of inputs.slice(1, -1)) product = this.graph.node('Mul', [product, next], {}, { name: this.#nodeName(op.source, 'Mul') });
      return this.#write(op, view, 'Mul', [product, inputs[inputs.length - 1]!]);
    }
    this.#write(op, view, opType, inputs);
  }

  #concat(op: ConcatOp): void {
    const view = this.#commonView(op.inputs);
    const axis = physicalAxis(op.axis, this.#shape(op.inputs[0]!).length, view);
    this.#write(op, view, 'Concat', op.inputs.map((input) => this.#views.get(input, view)), { axis });
  }

  /** Inputs already in NCHW keep a merge in NCHW (the convolutions around it want it). */
  #commonView(inputs: readonly string[]): View {
    const rank = this.#shape(inputs[0]!).length;
    return rank === 4 && inputs.some((input) => this.#views.native(input) === 'nchw') ? 'nchw' : 'logical';
  }

  /** Explicit pads when the spatial size is known, auto_pad otherwise (dynamic height/width). */
  #padding(input: string, layout: Conv2dOp['layout'], padding: Conv2dOp['padding'], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): Record<string, number[] | string> {
    if (padding === 'valid') return { pads: [0, 0, 0, 0] };
    const shape = this.#shape(input);
    const axes = spatialAxes(layout);
    const height = samePadding(shape[axes.height]!, kernel[0]!, strides[0]!, dilations[0]!);
    const width = samePadding(shape[axes.width]!, kernel[1]!, strides[1]!, dilations[1]!);
    if (height === undefined || width === undefined) return { auto_pad: 'SAME_UPPER' };
    return { pads: [height[0], width[0], height[1], width[1]] };
  }

  /** Adds the op's final node, writing the op's output in `view`. */
  #write(op: IrOp, view: View, opType: string, inputs: string[], attributes: Parameters<GraphBuilder['node']>[2] = {}): void {
    const name = this.graph.node(opType, inputs, attributes, { name: this.#nodeName(op.source, opType), outputs: [LayoutViews.nameFor(op.output, view)] });
    this.#views.define(op.output, view, name);
  }

  #shape(value: string): IrShape {
    const found = this.#ir.values.get(value);
    if (found === undefined) throw new Error(`IR value '${value}' is not in the graph`);
    return found.shape;
  }

  #constant(owner: string, role: string, constant: IrConstant): string {
    // A layer called twice shares its weights; so do the ONNX initializers.
    const known = this.#constants.get(constant.data);
    if (known !== undefined) return known;
    const name = this.graph.initializer(this.#constantName(owner, role), 'FP32', constant.shape, constant.data);
    this.#constants.set(constant.data, name);
    return name;
  }

  #constantName(owner: string, role: string): string {
    return `${owner}/${role}`;
  }

  #scalar(value: number): string {
    let name = this.#scalars.get(value);
    if (name === undefined) {
      name = this.graph.initializer(`const_${this.#scalars.size}`, 'FP32', [], new Float32Array([value]));
      this.#scalars.set(value, name);
    }
    return name;
  }

  #nodeName(source: string, opType: string): string {
    let name = `${source}/${opType}`;
    for (let index = 1; this.#nodeNames.has(name); index += 1) name = `${source}/${opType}_${index}`;
    this.#nodeNames.add(name);
    return name;
  }
}

/** Channels-last spatial ops run on the NCHW view; channels-first ones on the value itself. */
function spatialView(layout: Conv2dOp['layout']): View {
  return layout === 'channels_last' ? 'nchw' : 'logical';
}

/** IR dims -> ONNX dims: an unknown first dim is the batch, other unknown dims get their own names. */
function declaredShape(value: string, shape: IrShape): Dim[] {
  return shape.map((dim, axis) => (dim !== null ? dim : axis === 0 ? 'batch' : `${value}_dim${axis}`));
}

/** Row-major transpose: out axis i is in axis perm[i]. */
export function transpose(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((axis) => shape[axis]!);
  const inStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis -= 1) {
    inStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let i = 0; i < out.length; i += 1) {
    let source = 0;
    for (let axis = 0; axis < rank; axis += 1) source += index[axis]! * inStrides[perm[axis]!]!;
    out[i] = data[source]!;
    for (let axis = rank - 1; axis >= 0; axis -= 1) {
      const next = index[axis]! + 1;
      index[axis] = next;
      if (next < outShape[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}
