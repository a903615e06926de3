/**
 * @module
 * `wharf model inspect` as data: what a model declares (inputs, outputs, opsets, metadata), what
 * it holds (operators, parameters) and what running it costs (FLOPs and activation memory per
 * node, estimated from static shapes at given input shapes). The report is also the `--json`
 * output, so its fields are documented and kept stable.
 */
import { resolveInputSpecs, type InputSpec } from '../evaluate/index.js';
import { describeElementType, type NodeProto, type OnnxModel, type ValueInfoProto } from '../onnx/index.js';
import { dataTypeFromOnnx } from '../../core/index.js';
import { peakActivation, valueBytes } from './activation-memory.js';
import { nodeFlops } from './flops.js';
import type { ValueShape } from './node-context.js';
import { parameterStats, tensorSize, type ParameterStats } from './parameter-stats.js';
import { inferShapes, isDefaultDomain, nodeLabel, type UnresolvedNode } from './shape-inference.js';

/** A declared input or output. Dims: a number, the name of a symbolic dim, or '?' when unnamed and unknown. */
export interface DeclaredTensor {
  readonly name: string;
  readonly datatype: string;
  /** Absent when the rank is unknown. */
  readonly shape?: readonly (number | string)[];
  readonly docString?: string;
}

export interface NodeReport {
  readonly name: string;
  readonly opType: string;
  /** Only for operators outside the default ONNX domain. */
  readonly domain?: string;
  /** Inferred outputs; dims absent when unknown. */
  readonly outputs: readonly { readonly name: string; readonly datatype?: string; readonly dims?: readonly number[] }[];
  /** Absent when the op has no formula or a shape it needs is unknown. */
  readonly flops?: number;
  /** Bytes of the node's outputs (0 for unknown shapes). */
  readonly activationBytes: number;
  /** Initializers the node is the first to read. */
  readonly parameterCount: number;
  readonly parameterBytes: number;
}

export interface RankedLayer {
  readonly name: string;
  readonly opType: string;
  readonly value: number;
  /** Fraction of the model's total. */
  readonly share: number;
}

export interface ModelReport {
  readonly irVersion?: number;
  readonly producer: { readonly name: string; readonly version: string };
  readonly domain?: string;
  readonly modelVersion?: number;
  readonly docString?: string;
  /** Operator sets imported; the default domain is shown as 'ai.onnx'. */
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly inputs: readonly DeclaredTensor[];
  readonly outputs: readonly DeclaredTensor[];
  /** The concrete input shapes the estimates below are for. */
  readonly estimatedFor: readonly InputSpec[];
  /** Nodes of the main graph by op type, most frequent first. */
  readonly operators: readonly { readonly opType: string; readonly domain?: string; readonly count: number }[];
  /** Nodes inside subgraphs (If/Loop/Scan bodies), which the estimates do not cover. */
  readonly subgraphNodes: number;
  readonly parameters: ParameterStats;
  readonly nodes: readonly NodeReport[];
  readonly totals: {
    readonly nodes: number;
    /** Sum over nodes with an estimate. */
    readonly flops: number;
    readonly nodesWithoutFlops: number;
    readonly activationBytes: number;
    /** Estimated peak of live activations (see activation-memory.ts for the model behind it). */
    readonly peakActivationBytes: number;
    readonly peakAtNode?: string;
  };
  /** Nodes whose output shapes could not be inferred, with the reason. */
  readonly unresolved: readonly UnresolvedNode[];
  readonly largest: { readonly byFlops: readonly RankedLayer[]; readonly byParameterBytes: readonly RankedLayer[] };
}

export interface InspectOptions {
  /** Size of dynamic first dims. @defaultValue 1 */
  readonly batch?: number;
  /** Full input shapes by name (`--shape`). */
  readonly shapes?: Readonly<Record<string, readonly number[]>>;
  /** Layers in each `largest` list. @defaultValue 5 */
  readonly top?: number;
}

export function inspectModel(model: OnnxModel, options: InspectOptions = {}): ModelReport {
  const graph = model.graph ?? {};
  const specs = resolveInputSpecs(model, { ...(options.batch === undefined ? {} : { batch: options.batch }), ...(options.shapes === undefined ? {} : { shapes: options.shapes }) });
  const { values, unresolved } = inferShapes(model, specs);
  const nodes = (graph.node ?? []).map((node, index) => {
    const shapeOf = (name: string): ValueShape | undefined => (name === '' ? undefined : values.get(name));
    const outputs = (node.output ?? []).filter((name) => name !== '');
    const flops = nodeFlops(node, (node.input ?? []).map(shapeOf), (node.output ?? []).map(shapeOf));
    return {
      name: nodeLabel(node, index),
      opType: node.opType ?? '',
      ...(isDefaultDomain(node.domain) ? {} : { domain: node.domain }),
      outputs: outputs.map((name) => {
        const shape = values.get(name);
        return { name, ...(shape?.datatype === undefined ? {} : { datatype: shape.datatype }), ...(shape === undefined ? {} : { dims: shape.dims }) };
      }),
      ...(flops === undefined ? {} : { flops }),
      activationBytes: node.opType === 'Constant' ? 0 : outputs.reduce((total, name) => total + valueBytes(values.get(name)), 0),
      parameterCount: 0,
      parameterBytes: 0,
    };
  });
  attributeParameters(model, nodes);
  const peak = peakActivation(graph, values);
  const totalFlops = nodes.reduce((total, node) => total + (node.flops ?? 0), 0);
  const parameters = parameterStats(graph);
  const top = options.top ?? 5;
  const rank = (pick: (node: NodeReport) => number | undefined, total: number): RankedLayer[] => nodes
    .map((node) => ({ name: node.name, opType: node.opType, value: pick(node) ?? 0, share: total > 0 ? (pick(node) ?? 0) / total : 0 }))
    .filter((layer) => layer.value > 0)
    .sort((a, b) => b.value - a.value)
    .slice(0, top);
  return {
    ...(model.irVersion === undefined ? {} : { irVersion: Number(model.irVersion) }),
    producer: { name: model.producerName ?? '', version: model.producerVersion ?? '' },
    ...(model.domain ? { domain: model.domain } : {}),
    ...(model.modelVersion === undefined ? {} : { modelVersion: Number(model.modelVersion) }),
    ...(model.docString ? { docString: model.docString } : {}),
    opsets: (model.opsetImport ?? []).map((opset) => ({ domain: isDefaultDomain(opset.domain) ? 'ai.onnx' : opset.domain!, version: Number(opset.version ?? 0) })),
    metadata: Object.fromEntries((model.metadataProps ?? []).map((entry) => [entry.key ?? '', entry.value ?? ''])),
    inputs: declaredInputs(model).map(declared),
    outputs: (graph.output ?? []).map(declared),
    estimatedFor: specs,
    operators: operatorHistogram(model),
    subgraphNodes: countSubgraphNodes(model),
    parameters,
    nodes,
    totals: {
      nodes: nodes.length,
      flops: totalFlops,
      nodesWithoutFlops: nodes.filter((node) => node.flops === undefined).length,
      activationBytes: nodes.reduce((total, node) => total + node.activationBytes, 0),
      peakActivationBytes: peak.bytes,
      ...(peak.nodeIndex < 0 ? {} : { peakAtNode: nodes[peak.nodeIndex]!.name }),
    },
    unresolved,
    largest: { byFlops: rank((node) => node.flops, totalFlops), byParameterBytes: rank((node) => node.parameterBytes, parameters.bytes) },
  };
}

/** Graph inputs that are not initializers (an initializer listed as an input is an overridable constant). */
function declaredInputs(model: OnnxModel): ValueInfoProto[] {
  const constants = new Set((model.graph?.initializer ?? []).map((tensor) => tensor.name ?? ''));
  return (model.graph?.input ?? []).filter((input) => !constants.has(input.name ?? ''));
}

function declared(info: ValueInfoProto): DeclaredTensor {
  const tensorType = info.type?.tensorType;
  const elemType = tensorType?.elemType;
  const datatype = tensorType === undefined ? 'non-tensor' : dataTypeFromOnnx(elemType ?? 0) ?? describeElementType(elemType);
  const shape = tensorType?.shape?.dim?.map((dim) => (dim.dimValue !== undefined ? Number(dim.dimValue) : dim.dimParam ? dim.dimParam : '?'));
  return {
    name: info.name ?? '',
    datatype,
    ...(tensorType?.shape === undefined ? {} : { shape: shape ?? [] }),
    ...(info.docString ? { docString: info.docString } : {}),
  };
}

function operatorHistogram(model: OnnxModel): ModelReport['operators'] {
  const counts = new Map<string, { opType: string; domain?: string; count: number }>();
  for (const node of model.graph?.node ?? []) {
    const domain = isDefaultDomain(node.domain) ? undefined : node.domain;
    const key = `${domain ?? ''}.${node.opType ?? ''}`;
    const row = counts.get(key) ?? { opType: node.opType ?? '', ...(domain === undefined ? {} : { domain }), count: 0 };
    row.count += 1;
    counts.set(key, row);
  }
  return [...counts.values()].sort((a, b) => b.count - a.count || a.opType.localeCompare(b.opType));
}

function countSubgraphNodes(model: OnnxModel): number {
  let count = 0;
  const visit = (nodes: readonly NodeProto[] | undefined, nested: boolean): void => {
    for (const node of nodes ?? []) {
      if (nested) count += 1;
      for (const attribute of node.attribute ?? []) {
        if (attribute.g !== undefined) visit(attribute.g.node, true);
        for (const body of attribute.graphs ?? []) visit(body.node, true);
      }
    }
  };
  visit(model.graph?.node, false);
  return count;
}

/** Each initializer counts once, for the first node that reads it. */
function attributeParameters(model: OnnxModel, nodes: { parameterCount: number; parameterBytes: number }[]): void {
  const initializers = new Map((model.graph?.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
  const seen = new Set<string>();
  (model.graph?.node ?? []).forEach((node, index) => {
    for (const input of node.input ?? []) {
      const tensor = initializers.get(input);
      if (tensor === undefined || seen.has(input)) continue;
      seen.add(input);
      const size = tensorSize(tensor);
      nodes[index]!.parameterCount += size.count;
      nodes[index]!.parameterBytes += size.bytes;
    }
  });
}
