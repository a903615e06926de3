/**
 * @module
 * `wharf model fp16`: FP32 models to FP16, checked in onnxruntime-node by the CLI.
 */
export {
  convertToFloat16,
  type ConvertedInitializer, type Fp16Conversion, type Fp16Options, type InsertedCast, type KeptNode, type Precision,
} from './convert-to-float16.js';
export { FLOAT16_MAX, FLOAT16_MIN_POSITIVE, toFloat16Values, type Float16Values } from './float16-values.js';
export { DEFAULT_FP32_OPS, FP32_ONLY_INPUTS } from './op-support.js';
