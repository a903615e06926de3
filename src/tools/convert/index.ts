/**
 * @module
 * Converting models from other frameworks to ONNX through a framework-neutral IR:
 * parser (per source format) -> IR -> ONNX emitter.
 */
export { convertModel, type Conversion, type ConvertOptions } from './convert-model.js';
export { formatShape, type IrGraph, type IrOp, type IrShape, type IrValue } from './ir/index.js';
export { DEFAULT_OPSET, emitOnnx, SUPPORTED_OPSETS, type EmitOptions } from './onnx/index.js';
export { SOURCE_PARSERS, type SourceParser } from './source-parsers.js';
export { parseTfjsModel, SUPPORTED_ACTIVATIONS, SUPPORTED_LAYERS } from './tfjs/index.js';
