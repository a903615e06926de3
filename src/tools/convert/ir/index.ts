/**
 * @module
 * The framework-neutral intermediate representation every source parser produces and the ONNX
 * emitter consumes.
 */
export { IrGraphBuilder } from './ir-builder.js';
export type {
  Activation, ActivationFn, ActivationOp, BatchNormOp, ConcatOp, Conv2dOp, DataLayout, DenseOp, FlattenOp,
  GlobalPool2dOp, IdentityOp, IrConstant, IrDim, IrGraph, IrOp, IrOpKind, IrShape, IrValue, MergeOp, Pad2dOp,
  Padding, Pool2dOp, ReshapeOp,
} from './ir-types.js';
export { formatShape, inferOutputShape, samePadding, spatialAxes, spatialOutputSize } from './shapes.js';
