/**
 * @module
 * The single tensors a model can be split at: those every input-to-output path passes through
 * (articulation points of the dataflow). In a chain, nearly every node output; inside a skip
 * connection or between parallel branches, none.
 */
import type { OnnxModel } from '../onnx/index.js';
import { CutError, cutTensorProblem, feedDependentTensors, separation } from './cut-check.js';
import { analyzeDataflow, type Dataflow } from './dataflow.js';

/**
 * Tensors `splitModel(model, tensor)` accepts, in topological order. Costs one backward walk of
 * the graph per node output (quadratic), which is fine up to a few thousand nodes.
 * @throws CutError when the model has no graph.
 */
export function candidateCuts(model: OnnxModel): string[] {
  if (model.graph === undefined) throw new CutError('the model has no graph');
  return candidateCutsOf(analyzeDataflow(model.graph));
}

export function candidateCutsOf(flow: Dataflow): string[] {
  const dependent = feedDependentTensors(flow);
  const candidates: string[] = [];
  for (const node of flow.nodes) {
    for (const tensor of node.output ?? []) {
      if (tensor === '' || cutTensorProblem(flow, tensor, dependent) !== undefined) continue;
      if (!('problem' in separation(flow, [tensor]))) candidates.push(tensor);
    }
  }
  return candidates;
}
