/**
 * @module
 * The dataflow of a graph as split needs it: which node produces each tensor, which tensors each
 * node reads (including names its subgraphs take from the outer scope), and the nodes a set of
 * tensors depends on, walking backwards until given boundary tensors.
 */
import type { GraphProto, NodeProto } from '../onnx/index.js';

export interface Dataflow {
  readonly graph: GraphProto;
  readonly nodes: readonly NodeProto[];
  /** Tensor name -> index in `nodes` of the node that produces it. */
  readonly producer: ReadonlyMap<string, number>;
  /** Per node: every tensor it reads, subgraph captures included, '' (omitted inputs) excluded. */
  readonly reads: readonly (readonly string[])[];
  /** Graph inputs that are not initializers: what the caller feeds. */
  readonly feeds: ReadonlySet<string>;
  /** Initializer names (dense and sparse): constants any part may copy. */
  readonly constants: ReadonlySet<string>;
  readonly outputs: readonly string[];
}

export function analyzeDataflow(graph: GraphProto): Dataflow {
  const nodes = graph.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((node, index) => {
    for (const output of node.output ?? []) if (output !== '') producer.set(output, index);
  });
  const constants = new Set<string>([
    ...(graph.initializer ?? []).map((tensor) => tensor.name ?? ''),
    ...(graph.sparseInitializer ?? []).map((sparse) => sparse.values?.name ?? ''),
  ]);
  const feeds = new Set((graph.input ?? []).map((value) => value.name ?? '').filter((name) => !constants.has(name)));
  return {
    graph,
    nodes,
    producer,
    reads: nodes.map(nodeReads),
    feeds,
    constants,
    outputs: (graph.output ?? []).map((value) => value.name ?? ''),
  };
}

/** A node's inputs plus the outer-scope names its subgraphs (If, Loop, Scan bodies) read. */
function nodeReads(node: NodeProto): string[] {
  const names = new Set((node.input ?? []).filter((name) => name !== ''));
  for (const attribute of node.attribute ?? []) {
    for (const subgraph of [attribute.g, ...(attribute.graphs ?? [])]) {
      if (subgraph !== undefined) for (const name of capturedNames(subgraph)) names.add(name);
    }
  }
  return [...names];
}

/** Names a subgraph reads without defining them: they come from the enclosing scope. */
function capturedNames(graph: GraphProto): Set<string> {
  const defined = new Set<string>([
    ...(graph.input ?? []).map((value) => value.name ?? ''),
    ...(graph.initializer ?? []).map((tensor) => tensor.name ?? ''),
    ...(graph.sparseInitializer ?? []).map((sparse) => sparse.values?.name ?? ''),
  ]);
  const captured = new Set<string>();
  for (const node of graph.node ?? []) {
    for (const name of nodeReads(node)) if (!defined.has(name)) captured.add(name);
    for (const output of node.output ?? []) defined.add(output);
  }
  return captured;
}

export interface Closure {
  /** Indices of the nodes needed, in graph (topological) order. */
  readonly nodes: number[];
  /** Every tensor read on the way, boundary tensors and constants included. */
  readonly tensors: Set<string>;
  /** For each tensor reached: the tensor that read it first, to rebuild a path for messages. */
  readonly readBy: Map<string, string>;
}

/**
 * The nodes that `targets` depend on, walking backwards and stopping at `boundary` tensors,
 * graph feeds and constants (which have no producer).
 */
export function backwardClosure(flow: Dataflow, targets: Iterable<string>, boundary: ReadonlySet<string>): Closure {
  const needed = new Set<number>();
  const tensors = new Set<string>();
  const readBy = new Map<string, string>();
  const stack = [...targets];
  for (const target of stack) tensors.add(target);
  while (stack.length > 0) {
    const tensor = stack.pop()!;
    if (boundary.has(tensor)) continue;
    const index = flow.producer.get(tensor);
    if (index === undefined || needed.has(index)) continue;
    needed.add(index);
    for (const read of flow.reads[index]!) {
      if (tensors.has(read)) continue;
      tensors.add(read);
      readBy.set(read, tensor);
      stack.push(read);
    }
  }
  return { nodes: [...needed].sort((a, b) => a - b), tensors, readBy };
}

/** `feed -> a -> b -> output`: the chain of tensors by which `from` reaches a target of `closure`. */
export function pathFrom(closure: Closure, from: string): string[] {
  const path = [from];
  for (let next = closure.readBy.get(from); next !== undefined; next = closure.readBy.get(next)) path.push(next);
  return path;
}
