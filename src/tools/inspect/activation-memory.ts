/**
 * @module
 * Activation memory of a graph run node by node: each node's output bytes, and an estimate of
 * the peak. The peak walks the nodes in file order, allocating a node's outputs while its inputs
 * are still held and freeing each value after its last consumer (graph outputs are never
 * freed). A runtime that reuses buffers in place, fuses nodes or runs branches in parallel
 * lands elsewhere; values of unknown shape count 0, so with unresolved nodes this is a lower bound.
 */
import { dataTypeInfo } from '../../core/index.js';
import type { GraphProto } from '../onnx/index.js';
import type { ValueShape } from './node-context.js';
import { product } from './shape-math.js';

/** Bytes of a value, 0 when its shape or element size is unknown (strings). */
export function valueBytes(value: ValueShape | undefined): number {
  if (value?.datatype === undefined) return 0;
  const info = dataTypeInfo(value.datatype);
  return info.array === undefined ? 0 : product(value.dims) * info.byteSize;
}

export interface PeakActivation {
  readonly bytes: number;
  /** Index of the node during which the peak is reached; -1 when the graph inputs alone are the peak. */
  readonly nodeIndex: number;
}

export function peakActivation(graph: GraphProto, values: ReadonlyMap<string, ValueShape>): PeakActivation {
  const nodes = graph.node ?? [];
  const constants = new Set((graph.initializer ?? []).map((tensor) => tensor.name ?? ''));
  const kept = new Set((graph.output ?? []).map((output) => output.name ?? ''));
  const lastUse = new Map<string, number>();
  nodes.forEach((node, index) => {
    for (const input of node.input ?? []) if (input !== '') lastUse.set(input, index);
  });
  const live = new Map<string, number>();
  let current = 0;
  const hold = (name: string): void => {
    if (name === '' || constants.has(name) || live.has(name)) return;
    const bytes = valueBytes(values.get(name));
    live.set(name, bytes);
    current += bytes;
  };
  for (const input of graph.input ?? []) hold(input.name ?? '');
  let peak: PeakActivation = { bytes: current, nodeIndex: -1 };
  nodes.forEach((node, index) => {
    // Constant nodes hold weights, as initializers do: parameters, not activations.
    if (node.opType !== 'Constant') for (const output of node.output ?? []) hold(output);
    if (current > peak.bytes) peak = { bytes: current, nodeIndex: index };
    for (const name of [...(node.input ?? []), ...(node.output ?? [])]) {
      const last = lastUse.get(name);
      if ((last === undefined || last <= index) && !kept.has(name) && live.has(name)) {
        current -= live.get(name)!;
        live.delete(name);
      }
    }
  });
  return peak;
}
