/**
 * @module
 * `wharf model prune`: magnitude pruning of MatMul, Gemm and Conv weights.
 */
export { compressedSize } from './compressed-size.js';
export { pruneWeights, smallestIndices, type PrunedTensor, type PruneOptions, type PruneResult, type SkippedTensor } from './prune-weights.js';
