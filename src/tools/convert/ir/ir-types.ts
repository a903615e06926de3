/**
 * @module
 * The intermediate representation between a source format's parser and the ONNX emitter: a
 * graph of framework-neutral ops over named float32 tensors. Parsers (tfjs, later Keras H5,
 * TFLite...) produce it; the emitter reads only this, never the source format.
 *
 * Layout is explicit: every spatial op says whether its tensors are channels_last (NHWC, as
 * TensorFlow keeps them) or channels_first (NCHW), and every constant says how its axes are
 * ordered. A tensor's shape is always given in its own logical layout.
 */

/** A dimension: a size, or null when it is only known at run time (the batch). */
export type IrDim = number | null;
export type IrShape = readonly IrDim[];

/** An activation tensor flowing between ops. Only float32 is modelled so far. */
export interface IrValue {
  readonly name: string;
  readonly shape: IrShape;
}

/** A float32 constant (weights) with its axis order spelled out, e.g. 'HWIO' for a Keras conv kernel. */
export interface IrConstant {
  readonly shape: readonly number[];
  readonly data: Float32Array;
  /** One letter per axis (H, W, I, O, ...), or absent for vectors and plain matrices. */
  readonly axes?: string;
}

export type DataLayout = 'channels_last' | 'channels_first';

/**
 * TensorFlow padding: 'valid' pads nothing; 'same' gives output size ceil(in / stride) and puts
 * any odd padding at the end (bottom/right), which is ONNX's SAME_UPPER.
 */
export type Padding = 'same' | 'valid';

/** Elementwise functions, with the exact definitions the sources use (see the emitter for each). */
export type Activation =
  | { readonly fn: 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softplus' | 'softsign' | 'selu' | 'mish' | 'gelu' | 'gelu_tanh' }
  /** x * sigmoid(beta * x); Keras swish/silu has beta 1. */
  | { readonly fn: 'swish'; readonly beta: number }
  | { readonly fn: 'elu'; readonly alpha: number }
  | { readonly fn: 'leaky_relu'; readonly alpha: number }
  | { readonly fn: 'thresholded_relu'; readonly theta: number }
  /** min(max(x, min), max): relu6 and ReLU(max_value). */
  | { readonly fn: 'clip'; readonly min: number; readonly max: number }
  /** clip(alpha * x + beta, 0, 1). */
  | { readonly fn: 'hard_sigmoid'; readonly alpha: number; readonly beta: number }
  /** Along one axis of the input (non-negative, in the input's logical layout). */
  | { readonly fn: 'softmax' | 'log_softmax'; readonly axis: number };

export type ActivationFn = Activation['fn'];

interface OpBase {
  /** The source layer the op came from; names errors and ONNX nodes. */
  readonly source: string;
  readonly inputs: readonly string[];
  readonly output: string;
}

/** x · kernel + bias over the last axis; kernel [in, out]. */
export interface DenseOp extends OpBase {
  readonly kind: 'dense';
  readonly kernel: IrConstant;
  readonly bias?: IrConstant;
}

/**
 * 2-D convolution (cross-correlation, as every framework computes it). Kernel 'HWIO':
 * [kh, kw, cin / groups, cout]. A depthwise convolution is groups = cin, with output channel
 * c * multiplier + m reading input channel c.
 */
export interface Conv2dOp extends OpBase {
  readonly kind: 'conv2d';
  readonly layout: DataLayout;
  readonly kernel: IrConstant;
  readonly bias?: IrConstant;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  readonly padding: Padding;
  readonly groups: number;
}

/** Average pooling counts only the elements inside the input (TensorFlow's 'same' semantics). */
export interface Pool2dOp extends OpBase {
  readonly kind: 'pool2d';
  readonly mode: 'max' | 'avg';
  readonly layout: DataLayout;
  readonly size: readonly [number, number];
  readonly strides: readonly [number, number];
  readonly padding: Padding;
}

/** Pools all spatial positions: [N, H, W, C] -> [N, C] (or [N, 1, 1, C] with keepDims). */
export interface GlobalPool2dOp extends OpBase {
  readonly kind: 'globalPool2d';
  readonly mode: 'max' | 'avg';
  readonly layout: DataLayout;
  readonly keepDims: boolean;
}

/** Inference-time batch normalization along `axis`: (x - mean) / sqrt(variance + epsilon) * scale + offset. */
export interface BatchNormOp extends OpBase {
  readonly kind: 'batchNorm';
  readonly axis: number;
  readonly mean: IrConstant;
  readonly variance: IrConstant;
  readonly scale?: IrConstant;
  readonly offset?: IrConstant;
  readonly epsilon: number;
}

export interface ActivationOp extends OpBase {
  readonly kind: 'activation';
  readonly activation: Activation;
}

/** Keeps axis 0 and flattens the others in the tensor's logical order (row-major). */
export interface FlattenOp extends OpBase {
  readonly kind: 'flatten';
}

/** Reshapes everything but axis 0 (the batch) to `shape`, which may hold one -1. */
export interface ReshapeOp extends OpBase {
  readonly kind: 'reshape';
  readonly shape: readonly number[];
}

/** Zero padding of the two spatial axes. */
export interface Pad2dOp extends OpBase {
  readonly kind: 'pad2d';
  readonly layout: DataLayout;
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Elementwise combination of inputs of one shape. */
export interface MergeOp extends OpBase {
  readonly kind: 'merge';
  readonly fn: 'add' | 'subtract' | 'multiply' | 'average' | 'maximum' | 'minimum';
}

export interface ConcatOp extends OpBase {
  readonly kind: 'concat';
  /** Non-negative, in the inputs' logical layout. */
  readonly axis: number;
}

/** Passes its input through: dropout and other training-only layers at inference. */
export interface IdentityOp extends OpBase {
  readonly kind: 'identity';
}

export type IrOp =
  | DenseOp | Conv2dOp | Pool2dOp | GlobalPool2dOp | BatchNormOp | ActivationOp | FlattenOp
  | ReshapeOp | Pad2dOp | MergeOp | ConcatOp | IdentityOp;

export type IrOpKind = IrOp['kind'];

/** A whole model: ops in topological order (every input defined before it is read). */
export interface IrGraph {
  readonly name: string;
  readonly inputs: readonly IrValue[];
  readonly outputs: readonly IrValue[];
  readonly ops: readonly IrOp[];
  /** Every value by name: inputs and op outputs. */
  readonly values: ReadonlyMap<string, IrValue>;
  /** Where the graph came from, e.g. 'tfjs layers-model (tfjs-layers 4.22.0)'; informational. */
  readonly origin: string;
}
