/**
 * @module
 * Which nodes a quantizer touches: `--exclude` entries resolved against the graph, and the
 * record of what was quantized and what stayed float (with the reason) that both modes report.
 */
import type { GraphProto, NodeProto, OnnxModel } from '../onnx/index.js';
import { nodeLabel } from './graph-index.js';

export interface QuantizedNode {
  readonly name: string;
  readonly opType: string;
  /** The weight initializer now stored as 8-bit integers; absent when both inputs are activations. */
  readonly weight?: string;
}

export interface KeptFloatNode {
  readonly name: string;
  readonly opType: string;
  readonly reason: string;
}

export interface QuantizationResult {
  readonly model: OnnxModel;
  readonly quantized: readonly QuantizedNode[];
  readonly keptFloat: readonly KeptFloatNode[];
  /** Operator-set imports the result needed, e.g. "imported com.microsoft opset 1". */
  readonly opsetChanges: readonly string[];
}

/**
 * Resolves `--exclude` entries: each is a node name, or an operator type (`Gemm`) meaning every
 * node of that type. Names win when a node is named like an op type.
 * @throws Error naming the first entry that matches no node name and no op type in the graph.
 */
export function resolveExclusions(graph: GraphProto, entries: readonly string[]): Set<NodeProto> {
  const nodes = graph.node ?? [];
  const excluded = new Set<NodeProto>();
  for (const entry of entries) {
    const byName = nodes.filter((node) => node.name === entry);
    const matches = byName.length > 0 ? byName : nodes.filter((node) => node.opType === entry);
    if (matches.length === 0) {
      const named = nodes.filter((node) => node.name !== undefined && node.name !== '').slice(0, 8).map((node) => node.name!);
      throw new Error(`--exclude '${entry}' is neither a node name nor an op type in the graph (nodes: ${named.join(', ')}${nodes.length > named.length ? ', ...' : ''})`);
    }
    for (const node of matches) excluded.add(node);
  }
  return excluded;
}

/** The record of one node that stays float. */
export function keptFloat(node: NodeProto, index: number, reason: string): KeptFloatNode {
  return { name: nodeLabel(node, index), opType: node.opType ?? '', reason };
}

/**
 * Throws when nothing could be quantized, listing why each candidate stayed float, so the user
 * does not get a "quantized" file identical to the original.
 */
export function assertSomethingQuantized(quantized: readonly QuantizedNode[], kept: readonly KeptFloatNode[], ops: readonly string[]): void {
  if (quantized.length > 0) return;
  const reasons = kept.slice(0, 5).map((node) => `${node.name} (${node.opType}): ${node.reason}`);
  const why = reasons.length === 0 ? `the model has no ${ops.join(', ')} node` : `every candidate stays float: ${reasons.join('; ')}${kept.length > reasons.length ? '; ...' : ''}`;
  throw new Error(`nothing to quantize: ${why}`);
}
