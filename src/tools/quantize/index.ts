/**
 * @module
 * `wharf model quantize`: int8 quantization of ONNX models, dynamic (weights only, activations
 * quantized at run time) or static QDQ (activation ranges calibrated ahead of time).
 */
export { calibrate, percentileRange, type CalibrationMethod, type CalibrationOptions, type TensorRange } from './calibration.js';
export { quantizeDynamic, type DynamicForm, type DynamicQuantizationOptions } from './dynamic-quantization.js';
export { resolveExclusions, type KeptFloatNode, type QuantizationResult, type QuantizedNode } from './node-selection.js';
export { quantizeModel, type QuantizationMode, type QuantizeOptions } from './quantize-model.js';
export {
  dequantizeWeights, quantizeBias, quantizeValue, quantizeWeights, rangeParams, roundHalfToEven,
  type QuantizationParams, type QuantizedType, type QuantizedWeights, type WeightQuantizationOptions,
} from './quantize-weights.js';
export { applyStaticQuantization, planStaticQuantization, type StaticPlan, type StaticQuantizationOptions } from './static-qdq.js';
