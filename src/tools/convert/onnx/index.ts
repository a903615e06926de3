/**
 * @module
 * The ONNX emitter: IR graphs to ONNX models, whatever format they were parsed from.
 */
export { DEFAULT_OPSET, emitOnnx, SUPPORTED_OPSETS, transpose, type EmitOptions } from './emit-onnx.js';
