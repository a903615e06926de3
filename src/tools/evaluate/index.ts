/**
 * @module
 * Running models offline to check what a tool did: inputs (random or from a samples file),
 * onnxruntime-node sessions, output differences and latency before and after.
 */
export { compareModels, compareOnSamples, formatBytes, runOnSamples, formatComparison, type CompareOptions, type ModelComparison } from './compare-models.js';
export { randomFeeds, readSampleFile, seededRandom, toOrtTensor, type Feeds } from './feeds.js';
export { parseShapeOption, resolveInputSpecs, type InputSpec, type InputSpecOptions } from './input-specs.js';
export { compareOutputs, type OutputDifference } from './output-difference.js';
export { createSession, floatValues, medianLatencyMs, runSession, type LatencyOptions, type Outputs, type SessionOptions } from './session.js';
