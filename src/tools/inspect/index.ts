/**
 * @module
 * What a model is and what running it costs, from the file alone: declared signature, opsets,
 * operators, parameters, and static estimates of FLOPs and activation memory.
 */
export { peakActivation, valueBytes, type PeakActivation } from './activation-memory.js';
export { nodeFlops } from './flops.js';
export { formatReport } from './format-report.js';
export {
  inspectModel, type DeclaredTensor, type InspectOptions, type ModelReport, type NodeReport, type RankedLayer,
} from './inspect-model.js';
export { UnknownShapeError, type ValueShape } from './node-context.js';
export { parameterStats, type DatatypeParameters, type ParameterStats } from './parameter-stats.js';
export { defaultOpset, inferShapes, type InputShape, type ShapeInference, type UnresolvedNode } from './shape-inference.js';
export { formatFlops, formatSi } from './text-table.js';
