/**
 * @module
 * Partitioning a model at a cut into a head (graph inputs -> cut tensors) and a tail (cut tensors
 * -> graph outputs), in the manner of Neurosurgeon (Kang et al., ASPLOS 2017): the head runs on
 * the device, the cut tensors travel, the tail runs on the server.
 */
import type { GraphProto, OnnxModel, ValueInfoProto } from '../onnx/index.js';
import { CutError, cutTensorProblem, feedDependentTensors, separation } from './cut-check.js';
import { candidateCutsOf } from './candidate-cuts.js';
import { analyzeDataflow, backwardClosure, type Closure, type Dataflow } from './dataflow.js';

export interface SplitOptions {
  /**
   * Types and shapes of the cut tensors, used before the model's own graph.value_info. The head
   * declares them as outputs and the tail as inputs, so each needs at least an element type;
   * probeTensorTypes measures them with onnxruntime-node.
   */
  readonly valueInfo?: readonly ValueInfoProto[];
}

export interface SplitParts {
  /** Graph inputs (those it needs) -> the cut tensors, as its outputs in the order given. */
  readonly head: OnnxModel;
  /** The cut tensors, as its inputs -> the model's outputs. */
  readonly tail: OnnxModel;
  readonly cut: readonly string[];
}

/**
 * Splits `model` at `cut` (one tensor or several). Each part keeps only the nodes and
 * initializers it needs, and everything else of the model (IR version, opsets, producer,
 * metadata, functions); training info, which refers to the whole graph, is dropped.
 * The parts share node and tensor objects with `model`: treat them as read-only.
 * @throws CutError naming the tensor when a cut tensor does not exist (with candidates), is a
 * graph input, output or constant, has no known type, or when the cut does not separate the
 * graph (with a path from an input to an output that goes around it).
 */
export function splitModel(model: OnnxModel, cut: string | readonly string[], options: SplitOptions = {}): SplitParts {
  const { flow, cuts, tail } = checkCut(model, cut);
  const graph = flow.graph;
  const cutInfo = cuts.map((name) => cutValueInfo(graph, name, options.valueInfo ?? []));
  const head = backwardClosure(flow, cuts, new Set());
  const headInputs = (graph.input ?? []).filter((value) => flow.feeds.has(value.name ?? '') && head.tensors.has(value.name ?? ''));
  return {
    head: withGraph(model, partGraph(flow, head.nodes, headInputs, cutInfo, 'head')),
    tail: withGraph(model, partGraph(flow, tail.nodes, cutInfo, graph.output ?? [], 'tail')),
    cut: cuts,
  };
}

/**
 * Checks a cut without building the parts (or needing the cut tensors' types): what splitModel
 * checks first, for callers that must know before measuring the types.
 * @throws CutError as splitModel does.
 */
export function validateCut(model: OnnxModel, cut: string | readonly string[]): void {
  checkCut(model, cut);
}

function checkCut(model: OnnxModel, cut: string | readonly string[]): { flow: Dataflow; cuts: string[]; tail: Closure } {
  const graph = model.graph;
  if (graph === undefined) throw new CutError('the model has no graph');
  const cuts = typeof cut === 'string' ? [cut] : [...cut];
  if (cuts.length === 0) throw new CutError('give at least one cut tensor');
  const repeated = cuts.find((name, index) => cuts.indexOf(name) !== index);
  if (repeated !== undefined) throw new CutError(`cut tensor '${repeated}' is given twice`);
  const flow = analyzeDataflow(graph);
  const dependent = feedDependentTensors(flow);
  for (const name of cuts) {
    if (!flow.producer.has(name) && !flow.feeds.has(name) && !flow.constants.has(name)) throw new CutError(unknownTensorMessage(flow, name));
    const problem = cutTensorProblem(flow, name, dependent);
    if (problem !== undefined) throw new CutError(problem);
  }
  const separated = separation(flow, cuts);
  if ('problem' in separated) throw new CutError(separated.problem);
  return { flow, cuts, tail: separated.tail };
}

function unknownTensorMessage(flow: Dataflow, name: string): string {
  const candidates = candidateCutsOf(flow);
  const lower = name.toLowerCase();
  const similar = candidates.filter((candidate) => candidate.toLowerCase().includes(lower) || lower.includes(candidate.toLowerCase()));
  const shown = (similar.length > 0 ? similar : candidates).slice(0, 8);
  const more = candidates.length > shown.length ? ', ...' : '';
  return candidates.length === 0
    ? `the model has no tensor named '${name}' (and no tensor that could be a cut)`
    : `the model has no tensor named '${name}'; cuts it allows include ${shown.map((c) => `'${c}'`).join(', ')}${more} (wharf model plan-split lists them all)`;
}

/** The cut tensor's declaration: from the options, else from the model's value_info. */
function cutValueInfo(graph: GraphProto, name: string, given: readonly ValueInfoProto[]): ValueInfoProto {
  const found = [...given, ...(graph.valueInfo ?? [])].find((value) => value.name === name && value.type?.tensorType?.elemType !== undefined);
  if (found === undefined) {
    throw new CutError(
      `the type of cut tensor '${name}' is not known: the model's graph.value_info does not declare it; pass it in options.valueInfo (probeTensorTypes measures it with onnxruntime-node)`,
    );
  }
  return { name, type: found.type! };
}

function partGraph(flow: Dataflow, nodeIndices: readonly number[], inputs: readonly ValueInfoProto[], outputs: readonly ValueInfoProto[], part: string): GraphProto {
  const { graph } = flow;
  const nodes = nodeIndices.map((index) => flow.nodes[index]!);
  const read = new Set(nodeIndices.flatMap((index) => flow.reads[index]!));
  const produced = new Set(nodes.flatMap((node) => node.output ?? []));
  const boundary = new Set([...inputs, ...outputs].map((value) => value.name));
  // An initializer that is also listed as a graph input (IR < 4, or an overridable constant) stays listed.
  const constantInputs = (graph.input ?? []).filter((value) => flow.constants.has(value.name ?? '') && read.has(value.name ?? ''));
  const result: GraphProto = {
    node: nodes,
    name: `${graph.name ?? 'graph'}_${part}`,
    initializer: (graph.initializer ?? []).filter((tensor) => read.has(tensor.name ?? '')),
    input: [...inputs, ...constantInputs],
    output: [...outputs],
  };
  const sparse = (graph.sparseInitializer ?? []).filter((tensor) => read.has(tensor.values?.name ?? ''));
  if (sparse.length > 0) result.sparseInitializer = sparse;
  const valueInfo = (graph.valueInfo ?? []).filter((value) => produced.has(value.name ?? '') && !boundary.has(value.name));
  if (valueInfo.length > 0) result.valueInfo = valueInfo;
  const annotations = (graph.quantizationAnnotation ?? []).filter((a) => read.has(a.tensorName ?? '') || produced.has(a.tensorName ?? ''));
  if (annotations.length > 0) result.quantizationAnnotation = annotations;
  if (graph.docString !== undefined) result.docString = graph.docString;
  if (graph.metadataProps !== undefined) result.metadataProps = graph.metadataProps;
  return result;
}

function withGraph(model: OnnxModel, graph: GraphProto): OnnxModel {
  const { graph: _whole, trainingInfo: _training, ...rest } = model;
  return { ...rest, graph };
}

