/**
 * @module
 * A small builder for ONNX graphs, used by the example generator and the test models.
 *
 * @example
 * const g = new GraphBuilder('linear');
 * const x = g.input('x', 'FP32', ['batch', 4]);
 * const w = g.initializer('w', 'FP32', [4, 3], new Float32Array(12));
 * g.output(g.node('MatMul', [x, w]), 'y', 'FP32', ['batch', 3]);
 * const bytes = g.toBytes({ opset: 17 });
 */
import type { DataType } from '../../core/index.js';
import { makeAttribute, type Attributes } from './attributes.js';
import { encodeModel } from './model-io.js';
import type { GraphProto, NodeProto, OnnxModel, TensorProto, ValueInfoProto } from './onnx-types.js';
import { makeTensor, type TensorValues } from './tensor-proto.js';
import { makeValueInfo, type Dim } from './value-info.js';

export interface NodeOptions {
  /** Node name; generated from the op type when absent. */
  name?: string;
  /** Output value names; generated from the node name when absent. */
  outputs?: readonly string[];
  /** Operator domain, e.g. `ai.onnx.ml`; absent for the default ONNX domain. */
  domain?: string;
  docString?: string;
}

export interface ModelOptions {
  /** Version of the default ONNX operator set (ai.onnx). */
  opset: number;
  /** Further operator sets by domain, e.g. `{ 'ai.onnx.ml': 3 }`. */
  domains?: Readonly<Record<string, number>>;
  /**
   * ONNX IR version. 8 is what onnx 1.10-1.12 wrote for opsets 15-17 and what any runtime
   * from 2021 on reads.
   * @defaultValue 8
   */
  irVersion?: number;
  /** @defaultValue 'wharf' */
  producerName?: string;
  docString?: string;
  /** Free-form model metadata (ModelProto.metadata_props). */
  metadata?: Readonly<Record<string, string>>;
}

export class GraphBuilder {
  readonly name: string;
  readonly #nodes: NodeProto[] = [];
  readonly #inputs: ValueInfoProto[] = [];
  readonly #outputs: ValueInfoProto[] = [];
  readonly #initializers: TensorProto[] = [];
  /** Every value name defined so far: inputs, initializers and node outputs. */
  readonly #values = new Set<string>();
  readonly #nodeNames = new Set<string>();
  /** Node outputs renamed by output(): old name -> graph output name. */
  readonly #renamed = new Map<string, string>();
  #docString: string | undefined;

  constructor(name: string, options: { docString?: string } = {}) {
    this.name = name;
    this.#docString = options.docString;
  }

  /** Declares a graph input; returns its name for use as a node input. */
  input(name: string, datatype: DataType, shape: readonly Dim[]): string {
    this.#define(name);
    this.#inputs.push(makeValueInfo(name, datatype, shape));
    return name;
  }

  /** Adds a constant tensor (see makeTensor for the accepted values); returns its name. */
  initializer(name: string, datatype: DataType, dims: readonly number[], values: TensorValues): string {
    const tensor = makeTensor(name, datatype, dims, values);
    this.#define(name);
    this.#initializers.push(tensor);
    return name;
  }

  /** Adds a node with one output and returns that output's name. */
  node(opType: string, inputs: readonly string[], attributes: Attributes = {}, options: NodeOptions = {}): string {
    const [output] = this.nodeWithOutputs(opType, inputs, options.outputs?.length ?? 1, attributes, options);
    return output!;
  }

  /**
   * Adds a node with `outputCount` outputs and returns their names. An input may be '' for an
   * omitted optional input; any other input must already be defined, so nodes stay in
   * topological order, as ONNX requires.
   */
  nodeWithOutputs(opType: string, inputs: readonly string[], outputCount: number, attributes: Attributes = {}, options: NodeOptions = {}): string[] {
    const name = options.name ?? this.#uniqueNodeName(opType);
    if (this.#nodeNames.has(name)) throw new Error(`graph '${this.name}': node name '${name}' is used twice`);
    const resolved = inputs.map((input) => {
      const current = this.#renamed.get(input) ?? input;
      if (current !== '' && !this.#values.has(current)) throw new Error(`graph '${this.name}': node '${name}' reads '${input}', which is not defined yet`);
      return current;
    });
    const outputs = options.outputs ? [...options.outputs] : Array.from({ length: outputCount }, (_, i) => (outputCount === 1 ? name : `${name}_out${i}`));
    if (outputs.length !== outputCount) throw new Error(`graph '${this.name}': node '${name}' has ${outputs.length} output names for ${outputCount} outputs`);
    for (const output of outputs) this.#define(output);
    this.#nodeNames.add(name);
    const node: NodeProto = { input: resolved, output: outputs, name, opType };
    if (options.domain !== undefined) node.domain = options.domain;
    const attributeList = Object.entries(attributes).map(([key, value]) => makeAttribute(key, value));
    if (attributeList.length > 0) node.attribute = attributeList;
    if (options.docString !== undefined) node.docString = options.docString;
    this.#nodes.push(node);
    return outputs;
  }

  /**
   * Declares `value` a graph output called `name`. A node output is renamed in place; a graph
   * input or initializer (which cannot be renamed) gets an Identity node in between.
   * Returns `name`, which replaces `value` in later node() calls.
   */
  output(value: string, name: string, datatype: DataType, shape: readonly Dim[]): string {
    const current = this.#renamed.get(value) ?? value;
    if (!this.#values.has(current)) throw new Error(`graph '${this.name}': output '${name}' reads '${value}', which is not defined`);
    if (current !== name) {
      const producer = this.#nodes.find((node) => node.output?.includes(current));
      const isOutputAlready = this.#outputs.some((output) => output.name === current);
      if (producer === undefined || isOutputAlready) {
        this.node('Identity', [current], {}, { outputs: [name] });
      } else {
        // The old name stays reserved, and maps to the new one for callers still holding it.
        this.#define(name);
        for (const [old, target] of this.#renamed) if (target === current) this.#renamed.set(old, name);
        this.#renamed.set(current, name);
        for (const node of this.#nodes) {
          node.input = node.input?.map((input) => (input === current ? name : input));
          node.output = node.output?.map((output) => (output === current ? name : output));
        }
      }
    }
    this.#outputs.push(makeValueInfo(name, datatype, shape));
    return name;
  }

  /** A copy of the graph as built so far. */
  toGraph(): GraphProto {
    const graph: GraphProto = { node: this.#nodes, name: this.name, initializer: this.#initializers, input: this.#inputs, output: this.#outputs };
    if (this.#docString !== undefined) graph.docString = this.#docString;
    return structuredClone(graph);
  }

  toModel(options: ModelOptions): OnnxModel {
    const model: OnnxModel = {
      irVersion: BigInt(options.irVersion ?? 8),
      // onnx.helper writes the default domain as an explicit '', and so do we.
      opsetImport: [{ domain: '', version: BigInt(options.opset) }, ...Object.entries(options.domains ?? {}).map(([domain, version]) => ({ domain, version: BigInt(version) }))],
      producerName: options.producerName ?? 'wharf',
      graph: this.toGraph(),
    };
    if (options.docString !== undefined) model.docString = options.docString;
    const metadata = Object.entries(options.metadata ?? {});
    if (metadata.length > 0) model.metadataProps = metadata.map(([key, value]) => ({ key, value }));
    return model;
  }

  toBytes(options: ModelOptions): Uint8Array {
    return encodeModel(this.toModel(options));
  }

  #define(name: string): void {
    if (name === '') throw new Error(`graph '${this.name}': value names must not be empty`);
    if (this.#values.has(name)) throw new Error(`graph '${this.name}': value '${name}' is defined twice`);
    this.#values.add(name);
  }

  #uniqueNodeName(opType: string): string {
    for (let index = 0; ; index += 1) {
      const candidate = `${opType}_${index}`;
      if (!this.#nodeNames.has(candidate) && !this.#values.has(candidate)) return candidate;
    }
  }
}
