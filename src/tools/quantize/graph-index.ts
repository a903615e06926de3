/**
 * @module
 * Lookups the quantizers need over one graph: initializers by name, consumers of each value,
 * graph outputs, fresh value names, and the opset a model imports.
 */
import { readTensor, type GraphProto, type NodeProto, type OnnxModel, type TensorProto } from '../onnx/index.js';

/** TensorProto.DataType.FLOAT. */
export const ONNX_FLOAT = 1;

export class GraphIndex {
  readonly initializers: ReadonlyMap<string, TensorProto>;
  readonly graphOutputs: ReadonlySet<string>;
  readonly #consumers = new Map<string, NodeProto[]>();
  readonly #names = new Set<string>();

  constructor(graph: GraphProto) {
    this.initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
    this.graphOutputs = new Set((graph.output ?? []).map((output) => output.name ?? ''));
    for (const value of [...this.initializers.keys(), ...(graph.input ?? []).map((input) => input.name ?? '')]) this.#names.add(value);
    for (const node of graph.node ?? []) {
      if (node.name !== undefined) this.#names.add(node.name);
      for (const output of node.output ?? []) this.#names.add(output);
      for (const input of node.input ?? []) {
        if (input === '') continue;
        const list = this.#consumers.get(input) ?? [];
        list.push(node);
        this.#consumers.set(input, list);
      }
    }
  }

  consumers(value: string): readonly NodeProto[] {
    return this.#consumers.get(value) ?? [];
  }

  /** A float32 initializer's values, or undefined when `name` is not one. */
  floatInitializer(name: string | undefined): { values: Float32Array; dims: number[] } | undefined {
    const tensor = name === undefined ? undefined : this.initializers.get(name);
    if (tensor?.dataType !== ONNX_FLOAT) return undefined;
    const { data, shape } = readTensor(tensor);
    return { values: data as Float32Array, dims: shape };
  }

  /** `base`, or `base_1`, `base_2`... whichever no value or node of the graph uses yet; reserved on return. */
  freshName(base: string): string {
    let candidate = base;
    for (let index = 1; this.#names.has(candidate); index += 1) candidate = `${base}_${index}`;
    this.#names.add(candidate);
    return candidate;
  }
}

/** The version of the default ONNX domain the model imports (0 when absent). */
export function defaultOpset(model: OnnxModel): number {
  const entry = (model.opsetImport ?? []).find((opset) => (opset.domain ?? '') === '' || opset.domain === 'ai.onnx');
  return Number(entry?.version ?? 0n);
}

/**
 * Makes the model import `domain` at least at `version`. Returns the previous version when it
 * raised an existing import, so callers can report it; undefined when nothing had to be raised.
 */
export function requireOpset(model: OnnxModel, domain: string, version: number): number | undefined {
  const imports = (model.opsetImport ??= []);
  const isDomain = (d: string | undefined): boolean => (domain === '' ? (d ?? '') === '' || d === 'ai.onnx' : d === domain);
  const entry = imports.find((opset) => isDomain(opset.domain));
  if (entry === undefined) {
    imports.push({ domain, version: BigInt(version) });
    return undefined;
  }
  const previous = Number(entry.version ?? 0n);
  if (previous >= version) return undefined;
  entry.version = BigInt(version);
  return previous;
}

/** The label a report uses for a node: its name, or its op type and position when unnamed. */
export function nodeLabel(node: NodeProto, index: number): string {
  return node.name !== undefined && node.name !== '' ? node.name : `${node.opType ?? '?'} #${index}`;
}

/** An INT attribute's value, or `fallback` when the node does not set it. */
export function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const found = node.attribute?.find((attribute) => attribute.name === name);
  return found?.i === undefined ? fallback : Number(found.i);
}

/** A FLOAT attribute's value, or `fallback` when the node does not set it. */
export function floatAttribute(node: NodeProto, name: string, fallback: number): number {
  return node.attribute?.find((attribute) => attribute.name === name)?.f ?? fallback;
}

/**
 * Drops the initializers in `candidates` that no node reads any more (and their graph-input
 * entries, which IR < 4 models carry), so the float copies of quantized weights leave the file.
 */
export function dropUnusedInitializers(graph: GraphProto, candidates: ReadonlySet<string>): void {
  const used = new Set((graph.node ?? []).flatMap((node) => node.input ?? []));
  for (const output of graph.output ?? []) used.add(output.name ?? '');
  const unused = (name: string | undefined): boolean => name !== undefined && candidates.has(name) && !used.has(name);
  graph.initializer = (graph.initializer ?? []).filter((tensor) => !unused(tensor.name));
  if (graph.input !== undefined) graph.input = graph.input.filter((input) => !unused(input.name));
}

/** A node's name made safe as a prefix for new value names (`MatMul_3` for an unnamed node). */
export function valueBase(node: NodeProto, index: number): string {
  const name = node.name !== undefined && node.name !== '' ? node.name : `${node.opType ?? 'node'}_${index}`;
  return name.replace(/[^\w.:/-]/g, '_');
}
