/**
 * @module
 * Whether a set of tensors is a valid cut: computed inside the graph from its inputs, and
 * separating it, i.e. every path from a graph input to a graph output passes through one of them
 * (the condition for a head that ends at the cut and a tail that starts there, Neurosurgeon-style).
 */
import { backwardClosure, pathFrom, type Closure, type Dataflow } from './dataflow.js';

/** A cut the graph does not allow; the message names the tensor and the reason. */
export class CutError extends Error {
  override readonly name = 'CutError';
}

/** Tensors that depend on at least one graph feed, in one forward pass (nodes are in topological order). */
export function feedDependentTensors(flow: Dataflow): Set<string> {
  const dependent = new Set(flow.feeds);
  flow.nodes.forEach((node, index) => {
    if (flow.reads[index]!.some((name) => dependent.has(name))) for (const output of node.output ?? []) if (output !== '') dependent.add(output);
  });
  return dependent;
}

/** Why `tensor` cannot be a cut tensor, whatever the rest of the cut; undefined when it can. */
export function cutTensorProblem(flow: Dataflow, tensor: string, dependent: ReadonlySet<string>): string | undefined {
  if (flow.feeds.has(tensor)) return `'${tensor}' is a graph input; a cut must be a tensor computed inside the graph`;
  if (flow.outputs.includes(tensor)) return `'${tensor}' is a graph output; a cut must be a tensor the rest of the graph goes on from`;
  if (flow.constants.has(tensor)) return `'${tensor}' is an initializer (a constant); a cut must be a tensor computed from the inputs`;
  if (!flow.producer.has(tensor)) return undefined;
  if (!dependent.has(tensor)) return `'${tensor}' is computed from constants only, not from any graph input; cutting there separates nothing`;
  return undefined;
}

/**
 * The tail's closure for the cut, or why the cut does not separate the graph.
 * Assumes every cut tensor passed cutTensorProblem.
 */
export function separation(flow: Dataflow, cuts: readonly string[]): { tail: Closure } | { problem: string } {
  const tail = backwardClosure(flow, flow.outputs, new Set(cuts));
  const crossing = [...flow.feeds].find((feed) => tail.tensors.has(feed));
  if (crossing !== undefined) {
    const path = pathFrom(tail, crossing);
    return {
      problem: `the cut ${describeCut(cuts)} does not separate the graph: input '${crossing}' reaches output '${path.at(-1)}' without passing through it, by ${path.join(' -> ')}`,
    };
  }
  const unused = cuts.find((cut) => !tail.tensors.has(cut));
  if (unused !== undefined) {
    const others = cuts.filter((cut) => cut !== unused);
    return {
      problem: others.length === 0
        ? `the outputs do not depend on '${unused}'`
        : `the outputs do not need cut tensor '${unused}' once the rest of the cut ${describeCut(others)} is known; leave it out`,
    };
  }
  return { tail };
}

export function describeCut(cuts: readonly string[]): string {
  return cuts.length === 1 ? `'${cuts[0]}'` : `[${cuts.map((cut) => `'${cut}'`).join(', ')}]`;
}
