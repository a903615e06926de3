/**
 * @module
 * Which operators the FP16 converter keeps in FP32, and which inputs must stay FP32 on
 * operators that otherwise run in FP16.
 *
 * Measured on onnxruntime-node 1.30, CPU execution provider, x86-64 (see docs/model-tools.md):
 * every default-domain operator we tried loads and runs with FP16 tensors, but only data
 * movement (Transpose, Flatten, Concat, Slice, Gather, Squeeze/Unsqueeze, Expand, Identity)
 * and Clip, LayerNormalization, Max, Min, Round, Sign, Mod have FP16 kernels. For the rest
 * (MatMul, Gemm, Add, Conv, pooling, BatchNormalization, Softmax, activations...) onnxruntime
 * inserts its own Cast to FP32 and back around the node. So FP16 halves the file and keeps
 * the model portable to FP16 hardware, but it is not faster on this CPU.
 *
 * What does not load at all is what the ONNX schema refuses: operators with no float16 in
 * their type constraints, and FP32-only inputs given FP16.
 */

/**
 * Kept in FP32 by default:
 * - Range: its type constraint has no float16 ("Type 'tensor(float16)' of input parameter ... is invalid").
 * - NonMaxSuppression: boxes and scores are tensor(float) only.
 * - Random generators and Multinomial: their `dtype` attribute, not their inputs, says the output type.
 * - Quantization operators: their scales are part of a quantized model's numerics; an FP16
 *   conversion must not change them.
 */
export const DEFAULT_FP32_OPS: readonly string[] = Object.freeze([
  'Range',
  'NonMaxSuppression',
  'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli',
  'QuantizeLinear', 'DequantizeLinear', 'DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger', 'QLinearMatMul', 'QLinearConv',
]);

/**
 * Input positions that are tensor(float) only although the operator takes FP16 data: Resize's
 * and Upsample's `scales` (onnxruntime: "Type 'tensor(float16)' of input parameter (scales) ... is invalid").
 */
export const FP32_ONLY_INPUTS: Readonly<Record<string, readonly number[]>> = Object.freeze({ Resize: [2], Upsample: [1] });

/** Operators with subgraphs: values they capture from the outer graph cannot be given casts. */
export const SUBGRAPH_OPS: readonly string[] = Object.freeze(['If', 'Loop', 'Scan', 'SequenceMap']);
