/**
 * @module
 * Magnitude pruning of the weights of MatMul, Gemm and Conv (their second input, when it is an
 * initializer; biases, BatchNormalization parameters and every other tensor are left alone).
 *
 * - Unstructured: in each weight tensor of n elements, exactly k = floor(sparsity * n) elements
 *   are set to zero: the k smallest by |w|, ties broken by position (the earlier element goes
 *   first), so the result does not depend on the sort's stability. Elements that were already
 *   zero are the smallest and are counted among the k; NaN sorts last and is never chosen.
 * - Structured: whole output channels are zeroed, the k = floor(sparsity * C) of the C channels
 *   with the smallest L1 (or L2) norm, ties again by position. A channel is a Conv filter
 *   (W[m, :, :, :]), a MatMul weight column (B[..., :, j]) or the Gemm equivalent (column of B,
 *   or row when transB = 1). The channels stay in the tensor as zeros: the next layer's input is
 *   not shrunk, so shapes never change.
 *
 * Zeros do not make a dense ONNX file smaller or a dense kernel faster; they make the file
 * compress better (see compressedSize) and are what sparse kernels and hardware exploit.
 */
import { float16BitsToNumber, type Tensor } from '../../core/index.js';
import { makeTensor, readTensor, type GraphProto, type NodeProto, type OnnxModel, type TensorProto } from '../onnx/index.js';

export interface PruneOptions {
  /** Fraction of each weight tensor (or of its channels) to zero, in [0, 1). */
  sparsity: number;
  /** Zero whole output channels instead of single elements. @defaultValue false */
  structured?: boolean;
  /** How structured pruning ranks channels. @defaultValue 'l1' */
  norm?: 'l1' | 'l2';
  /** Only these initializers (names) are pruned; absent: every MatMul, Gemm and Conv weight. */
  include?: readonly string[];
}

export interface PrunedTensor {
  readonly name: string;
  /** The first node reading the weight, and its operator. */
  readonly node: string;
  readonly opType: string;
  readonly shape: readonly number[];
  readonly elements: number;
  /** Elements this run set to zero (those chosen that were not zero already). */
  readonly pruned: number;
  /** Zero elements after pruning. */
  readonly zeros: number;
  /** zeros / elements. */
  readonly sparsity: number;
  /** Structured pruning: output channels, and how many were zeroed. */
  readonly channels?: number;
  readonly channelsPruned?: number;
}

export interface SkippedTensor {
  readonly name: string;
  readonly reason: string;
}

export interface PruneResult {
  readonly model: OnnxModel;
  readonly tensors: readonly PrunedTensor[];
  /** Weights that qualified but were left as they were. */
  readonly skipped: readonly SkippedTensor[];
  /** Totals over the pruned tensors. */
  readonly elements: number;
  readonly zeros: number;
  readonly sparsity: number;
}

/** A weight and how its output channels are laid out: blocks along axis 0, or the last axis. */
interface WeightSite {
  readonly node: NodeProto;
  readonly channelAxis: 'first' | 'last' | undefined;
}

const FLOAT_TYPES = new Set(['FP32', 'FP64', 'FP16']);

/**
 * Prunes a model's weights by magnitude. The input model is not changed; tensors that are not
 * pruned are shared with it, and with sparsity 0 the result encodes to the same bytes.
 * @throws RangeError when sparsity is not in [0, 1); Error when `include` names a tensor that is
 * not a MatMul, Gemm or Conv weight initializer.
 */
export function pruneWeights(model: OnnxModel, options: PruneOptions): PruneResult {
  const { sparsity } = options;
  if (!Number.isFinite(sparsity) || sparsity < 0 || sparsity >= 1) throw new RangeError(`sparsity must be in [0, 1), got ${sparsity}`);
  const graph = model.graph;
  if (graph === undefined) throw new Error('the model has no graph');
  const sites = weightSites(graph);
  if (options.include !== undefined) {
    const unknown = options.include.find((name) => !sites.has(name));
    if (unknown !== undefined) throw new Error(`'${unknown}' is not the weight initializer of a MatMul, Gemm or Conv node (weights: ${[...sites.keys()].join(', ') || 'none'})`);
  }
  const included = options.include === undefined ? undefined : new Set(options.include);
  const tensors: PrunedTensor[] = [];
  const skipped: SkippedTensor[] = [];
  const initializers = (graph.initializer ?? []).map((proto) => {
    const name = proto.name ?? '';
    const site = sites.get(name);
    if (site === undefined || (included !== undefined && !included.has(name))) return proto;
    const tensor = readTensor(proto);
    if (!FLOAT_TYPES.has(tensor.datatype)) {
      skipped.push({ name, reason: `${tensor.datatype} weights (already quantized?) are not pruned` });
      return proto;
    }
    if (options.structured === true && (site.channelAxis === undefined || tensor.shape.length < 2)) {
      skipped.push({ name, reason: 'a weight of rank < 2 has no output channels to prune' });
      return proto;
    }
    const outcome = pruneTensor(tensor, site, options);
    tensors.push(outcome.report);
    return outcome.pruned === 0 ? proto : rewritten(proto, tensor, outcome.data);
  });
  const elements = tensors.reduce((sum, t) => sum + t.elements, 0);
  const zeros = tensors.reduce((sum, t) => sum + t.zeros, 0);
  const pruned = tensors.some((t) => t.pruned > 0);
  return {
    model: pruned ? { ...model, graph: { ...graph, initializer: initializers } } : model,
    tensors,
    skipped,
    elements,
    zeros,
    sparsity: elements === 0 ? 0 : zeros / elements,
  };
}

function weightSites(graph: GraphProto): Map<string, WeightSite> {
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name ?? ''));
  const sites = new Map<string, WeightSite>();
  for (const node of graph.node ?? []) {
    const op = node.opType ?? '';
    if (node.domain !== undefined && node.domain !== '' && node.domain !== 'ai.onnx') continue;
    if (op !== 'MatMul' && op !== 'Gemm' && op !== 'Conv') continue;
    const weight = node.input?.[1];
    if (weight === undefined || !initializers.has(weight) || sites.has(weight)) continue;
    const transB = node.attribute?.find((a) => a.name === 'transB')?.i ?? 0n;
    const channelAxis = op === 'Conv' || (op === 'Gemm' && transB !== 0n) ? 'first' : 'last';
    sites.set(weight, { node, channelAxis });
  }
  return sites;
}

interface TensorOutcome {
  readonly report: PrunedTensor;
  readonly data: Tensor['data'];
  readonly pruned: number;
}

function pruneTensor(tensor: Tensor, site: WeightSite, options: PruneOptions): TensorOutcome {
  const magnitudes = magnitudesOf(tensor);
  const n = magnitudes.length;
  let chosen: Uint8Array;
  let channelReport: { channels: number; channelsPruned: number } | undefined;
  if (options.structured === true) {
    const channels = site.channelAxis === 'first' ? tensor.shape[0]! : tensor.shape.at(-1)!;
    const channelOf = site.channelAxis === 'first' ? (i: number): number => Math.floor(i / (n / channels)) : (i: number): number => i % channels;
    const norms = new Float64Array(channels);
    const l2 = options.norm === 'l2';
    for (let i = 0; i < n; i += 1) {
      const magnitude = magnitudes[i]!;
      const channel = channelOf(i);
      norms[channel] = norms[channel]! + (l2 ? magnitude * magnitude : magnitude);
    }
    const channelsPruned = Math.floor(options.sparsity * channels);
    const smallest = smallestIndices(norms, channelsPruned);
    chosen = new Uint8Array(n);
    for (let i = 0; i < n; i += 1) chosen[i] = smallest[channelOf(i)]!;
    channelReport = { channels, channelsPruned };
  } else {
    chosen = smallestIndices(magnitudes, Math.floor(options.sparsity * n));
  }
  const data = tensor.data.slice() as Tensor['data'];
  const values = data as unknown as number[];
  let pruned = 0;
  let zeros = 0;
  for (let i = 0; i < n; i += 1) {
    if (chosen[i] === 1 && magnitudes[i] !== 0) {
      values[i] = 0;
      pruned += 1;
    }
    if (chosen[i] === 1 || magnitudes[i] === 0) zeros += 1;
  }
  const report: PrunedTensor = {
    name: tensor.name,
    node: site.node.name ?? '',
    opType: site.node.opType ?? '',
    shape: tensor.shape,
    elements: n,
    pruned,
    zeros,
    sparsity: n === 0 ? 0 : zeros / n,
    ...channelReport,
  };
  return { report, data, pruned };
}

function magnitudesOf(tensor: Tensor): Float64Array {
  const half = tensor.datatype === 'FP16';
  const data = tensor.data as Float32Array | Float64Array | Uint16Array;
  const magnitudes = new Float64Array(data.length);
  for (let i = 0; i < data.length; i += 1) magnitudes[i] = Math.abs(half ? float16BitsToNumber(data[i]!) : data[i]!);
  return magnitudes;
}

/**
 * Marks (1) the k entries with the smallest score, ties by position; NaN sorts after everything.
 * Finds the k-th smallest score with a native numeric sort (a comparator sort is ten times
 * slower on large tensors), then marks everything below it and the earliest entries equal to it.
 * Exported for tests.
 */
export function smallestIndices(scores: Float64Array, k: number): Uint8Array {
  const marked = new Uint8Array(scores.length);
  const count = Math.min(k, scores.length);
  if (count <= 0) return marked;
  const threshold = scores.slice().sort()[count - 1]!; // NaN sorts last
  const below = Number.isNaN(threshold) ? (score: number): boolean => !Number.isNaN(score) : (score: number): boolean => score < threshold;
  let remaining = count;
  for (let i = 0; i < scores.length; i += 1) {
    if (below(scores[i]!)) {
      marked[i] = 1;
      remaining -= 1;
    }
  }
  for (let i = 0; i < scores.length && remaining > 0; i += 1) {
    const score = scores[i]!;
    if (score === threshold || (Number.isNaN(threshold) && Number.isNaN(score))) {
      marked[i] = 1;
      remaining -= 1;
    }
  }
  return marked;
}

function rewritten(proto: TensorProto, tensor: Tensor, data: Tensor['data']): TensorProto {
  const replacement = makeTensor(tensor.name, tensor.datatype, tensor.shape, data);
  if (proto.docString !== undefined) replacement.docString = proto.docString;
  if (proto.metadataProps !== undefined) replacement.metadataProps = proto.metadataProps;
  return replacement;
}
