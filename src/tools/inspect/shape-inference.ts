/**
 * @module
 * Static shape inference: given concrete input shapes, the datatype and dims of every value of
 * the main graph, node by node in file order (ONNX requires topological order). A pure function
 * of the model; nothing runs.
 */
import { dataTypeFromOnnx, type DataType } from '../../core/index.js';
import type { NodeProto, OnnxModel, ValueInfoProto } from '../onnx/index.js';
import { NodeContext, UnknownShapeError, type ValueShape } from './node-context.js';
import { SHAPE_RULES } from './shape-rules.js';
import { constantValues } from './tensor-shape-rules.js';

export interface InputShape {
  readonly name: string;
  readonly datatype?: DataType;
  readonly dims: readonly number[];
}

/** A node whose outputs have no inferred shape, and why. */
export interface UnresolvedNode {
  readonly node: string;
  readonly opType: string;
  readonly reason: string;
}

export interface ShapeInference {
  /** Every value with an inferred (or declared static) shape: initializers, inputs, node outputs. */
  readonly values: ReadonlyMap<string, ValueShape>;
  readonly unresolved: readonly UnresolvedNode[];
}

/** The default operator domain, by either of its names. */
export function isDefaultDomain(domain: string | undefined): boolean {
  return domain === undefined || domain === '' || domain === 'ai.onnx';
}

/** Version of the default-domain opset a model imports (1 when it imports none, as the IR says). */
export function defaultOpset(model: OnnxModel): number {
  const entry = (model.opsetImport ?? []).find((opset) => isDefaultDomain(opset.domain));
  return entry?.version === undefined ? 1 : Number(entry.version);
}

/** A node's name for reports: its own, or op type and position when it has none. */
export function nodeLabel(node: NodeProto, index: number): string {
  return node.name !== undefined && node.name !== '' ? node.name : `${node.opType ?? '?'}#${index}`;
}

/**
 * Infers every value's shape from `inputs` (all graph inputs that are not initializers; one
 * left out keeps its declared shape if that is fully static). Unknown ops, custom domains and
 * shapes that depend on run-time values make a node unresolved, and its consumers with it;
 * that is reported, never thrown.
 */
export function inferShapes(model: OnnxModel, inputs: readonly InputShape[]): ShapeInference {
  const graph = model.graph ?? {};
  const values = new Map<string, ValueShape>();
  const unresolved: UnresolvedNode[] = [];
  const declared = new Map<string, ValueInfoProto>();
  for (const info of [...(graph.valueInfo ?? []), ...(graph.output ?? []), ...(graph.input ?? [])]) declared.set(info.name ?? '', info);

  for (const tensor of graph.initializer ?? []) {
    const dims = (tensor.dims ?? []).map(Number);
    const known = constantValues(tensor);
    values.set(tensor.name ?? '', { datatype: dataTypeFromOnnx(tensor.dataType ?? 0), dims, ...(known === undefined ? {} : { values: known }) });
  }
  for (const sparse of graph.sparseInitializer ?? []) {
    values.set(sparse.values?.name ?? '', { datatype: dataTypeFromOnnx(sparse.values?.dataType ?? 0), dims: (sparse.dims ?? []).map(Number) });
  }
  const given = new Map(inputs.map((input) => [input.name, input]));
  for (const info of graph.input ?? []) {
    const name = info.name ?? '';
    const input = given.get(name);
    const datatype = input?.datatype ?? dataTypeFromOnnx(info.type?.tensorType?.elemType ?? 0);
    if (input !== undefined) values.set(name, { datatype, dims: [...input.dims] });
    else if (!values.has(name)) {
      const dims = staticDims(info);
      if (dims !== undefined) values.set(name, { datatype, dims });
    }
  }

  const opset = defaultOpset(model);
  (graph.node ?? []).forEach((node, index) => {
    const opType = node.opType ?? '';
    const outputs = (node.output ?? []).filter((name) => name !== '');
    let reason: string | undefined;
    let results: ValueShape[] = [];
    const rule = isDefaultDomain(node.domain) ? SHAPE_RULES.get(opType) : undefined;
    if (rule === undefined) {
      reason = isDefaultDomain(node.domain) ? `no shape rule for ${opType}` : `operator ${node.domain}.${opType} is from a custom domain`;
    } else {
      try {
        results = rule(new NodeContext(node, opset, (name) => values.get(name)));
        const bad = results.find((result) => result.dims.some((dim) => !Number.isSafeInteger(dim) || dim < 0));
        if (bad !== undefined) throw new UnknownShapeError(`computed invalid dims [${bad.dims.join(',')}]`);
      } catch (error) {
        // A rule that throws anything, even a bug, makes the node unknown instead of ending the inspection.
        reason = error instanceof UnknownShapeError ? error.message : `shape rule failed: ${String(error)}`;
        results = [];
      }
    }
    let missing = false;
    (node.output ?? []).forEach((name, position) => {
      if (name === '') return;
      const result = results[position];
      const fallback = declared.get(name);
      const fallbackDims = fallback === undefined ? undefined : staticDims(fallback);
      if (result !== undefined) values.set(name, result);
      else if (fallbackDims !== undefined) values.set(name, { datatype: dataTypeFromOnnx(fallback?.type?.tensorType?.elemType ?? 0), dims: fallbackDims });
      else missing = true;
    });
    if (outputs.length > 0 && missing) unresolved.push({ node: nodeLabel(node, index), opType, reason: reason ?? 'the rule gives fewer outputs than the node has' });
  });
  return { values, unresolved };
}

/** A declared shape when every dim is a fixed number; undefined for symbolic or unknown dims. */
function staticDims(info: ValueInfoProto): number[] | undefined {
  const shape = info.type?.tensorType?.shape;
  if (shape === undefined) return undefined;
  const dims = (shape.dim ?? []).map((dim) => (dim.dimValue === undefined ? -1 : Number(dim.dimValue)));
  return dims.every((dim) => dim >= 0) ? dims : undefined;
}
