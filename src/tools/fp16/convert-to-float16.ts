/**
 * @module
 * FP32 -> FP16 conversion of a whole model, in the manner of onnxconverter-common's
 * `convert_float_to_float16`: float initializers, Constant tensors and float value types become
 * FP16; operators that cannot take FP16 stay FP32 behind Cast nodes; with `keepIoTypes` the
 * graph's inputs and outputs stay FP32 and Casts convert just after and before them.
 *
 * How it decides: every node that reads or writes a float value runs either in FP16 or in FP32
 * (see op-support.ts). Each float value then has the precision of whatever produces it (a node,
 * a graph input), and a consumer that needs the other precision reads it through one Cast,
 * shared by all such consumers. Initializers are stored in the precision most consumers need,
 * with a converted copy instead of a Cast for the others, so an FP32-only input keeps its exact
 * values.
 */
import { ATTRIBUTE_TYPE, makeTensor, type AttributeProto, type GraphProto, type NodeProto, type OnnxModel, type TensorProto, type ValueInfoProto } from '../onnx/index.js';
import { attribute, ELEMENT, inferElementTypes, isDefaultDomain } from './element-types.js';
import { tensorToFloat16, toFloat16Values } from './float16-values.js';
import { DEFAULT_FP32_OPS, FP32_ONLY_INPUTS, SUBGRAPH_OPS } from './op-support.js';

export type Precision = 'FP16' | 'FP32';

export interface Fp16Options {
  /**
   * Graph inputs and outputs stay FP32, so callers keep sending and receiving FP32; Casts convert
   * after the inputs and before the outputs. @defaultValue false
   */
  keepIoTypes?: boolean;
  /** Operator types to keep in FP32, in addition to DEFAULT_FP32_OPS. */
  blockList?: readonly string[];
  /** Node names to keep in FP32, e.g. a final Softmax whose precision matters. */
  blockNodes?: readonly string[];
}

export interface ConvertedInitializer {
  readonly name: string;
  readonly elements: number;
  /** Finite values beyond ±65504, stored as ±65504. */
  readonly clamped: number;
  /** Nonzero values below 2^-24 in magnitude, stored as ±2^-24. */
  readonly raised: number;
}

export interface KeptNode {
  readonly name: string;
  readonly opType: string;
  readonly reason: string;
}

export interface InsertedCast {
  /** The Cast node's name. */
  readonly name: string;
  /** The value it converts. */
  readonly value: string;
  readonly to: Precision;
}

export interface Fp16Conversion {
  readonly model: OnnxModel;
  /** FP32 initializers now stored as FP16 (and FP16 copies made for FP16 consumers). */
  readonly initializers: readonly ConvertedInitializer[];
  /** Constant and ConstantOfShape nodes whose tensors became FP16. */
  readonly constants: readonly string[];
  readonly keptFp32: readonly KeptNode[];
  readonly casts: readonly InsertedCast[];
}

const ONNX_TYPE: Readonly<Record<Precision, number>> = { FP16: ELEMENT.FLOAT16, FP32: ELEMENT.FLOAT };

/**
 * Converts a model's FP32 computation to FP16. The input model is not changed; the result
 * shares unchanged tensors with it.
 * @throws Error when the model has no graph, has subgraphs (If, Loop, Scan) or FP32 sparse initializers.
 */
export function convertToFloat16(model: OnnxModel, options: Fp16Options = {}): Fp16Conversion {
  const graph = model.graph;
  if (graph === undefined) throw new Error('the model has no graph');
  refuseUnsupported(graph);
  const conversion = new Conversion(graph, options);
  return { model: { ...model, graph: conversion.graph }, ...conversion.report() };
}

function refuseUnsupported(graph: GraphProto): void {
  for (const node of graph.node ?? []) {
    const hasSubgraph = SUBGRAPH_OPS.includes(node.opType ?? '') || (node.attribute ?? []).some((a) => a.type === ATTRIBUTE_TYPE.GRAPH || a.type === ATTRIBUTE_TYPE.GRAPHS || a.g !== undefined);
    if (hasSubgraph) throw new Error(`node '${node.name ?? ''}' (${node.opType ?? ''}) has a subgraph; FP16 conversion of models with subgraphs (If, Loop, Scan) is not supported`);
  }
  const sparse = (graph.sparseInitializer ?? []).find((tensor) => tensor.values?.dataType === ELEMENT.FLOAT);
  if (sparse !== undefined) throw new Error(`sparse initializer '${sparse.values?.name ?? ''}' is FP32; FP16 conversion of sparse initializers is not supported`);
}

/** One conversion's state: the decisions, then the new graph built from them. */
class Conversion {
  readonly graph: GraphProto;
  readonly #source: GraphProto;
  readonly #types: Map<string, number>;
  readonly #io: Precision;
  readonly #initializers: Map<string, TensorProto>;
  /** Precision of each float value as produced (graph inputs, node outputs, renamed outputs). */
  readonly #produced = new Map<string, Precision>();
  /** Precision each float initializer is stored in. */
  readonly #stored = new Map<string, Precision>();
  readonly #nodePrecision: (Precision | undefined)[];
  /** Graph outputs whose producer writes the other precision: output name -> the producer's new output name. */
  readonly #renamed = new Map<string, string>();
  readonly #names: Set<string>;
  readonly #casts = new Map<string, string>();
  readonly #copies = new Map<string, TensorProto>();
  readonly #converted: ConvertedInitializer[] = [];
  readonly #constants: string[] = [];
  readonly #kept: KeptNode[] = [];
  readonly #castLog: InsertedCast[] = [];
  readonly #nodes: NodeProto[] = [];

  constructor(graph: GraphProto, options: Fp16Options) {
    this.#source = graph;
    this.#types = inferElementTypes(graph);
    this.#io = options.keepIoTypes === true ? 'FP32' : 'FP16';
    this.#initializers = new Map((graph.initializer ?? []).map((tensor) => [tensor.name ?? '', tensor]));
    this.#names = new Set([...this.#types.keys(), ...(graph.node ?? []).flatMap((node) => [node.name ?? '', ...(node.input ?? []), ...(node.output ?? [])])]);
    const blockedOps = new Set([...DEFAULT_FP32_OPS, ...(options.blockList ?? [])]);
    const blockedNodes = new Set(options.blockNodes ?? []);
    this.#nodePrecision = (graph.node ?? []).map((node) => this.#decide(node, blockedOps, blockedNodes));
    this.#decideValues();
    this.graph = this.#build();
  }

  report(): Omit<Fp16Conversion, 'model'> {
    return { initializers: this.#converted, constants: this.#constants, keptFp32: this.#kept, casts: this.#castLog };
  }

  #isFloat(name: string): boolean {
    return name !== '' && this.#types.get(name) === ELEMENT.FLOAT;
  }

  #decide(node: NodeProto, blockedOps: ReadonlySet<string>, blockedNodes: ReadonlySet<string>): Precision | undefined {
    if (![...(node.input ?? []), ...(node.output ?? [])].some((name) => this.#isFloat(name))) return undefined;
    const opType = node.opType ?? '';
    const name = node.name ?? '';
    let reason: string | undefined;
    if (!isDefaultDomain(node.domain)) reason = `operator domain '${node.domain ?? ''}' (only default-domain operators are converted)`;
    else if (blockedNodes.has(name)) reason = 'node in the block list';
    else if (blockedOps.has(opType)) reason = DEFAULT_FP32_OPS.includes(opType) ? 'operator without FP16 support (default block list)' : 'operator type in the block list';
    if (reason === undefined) return 'FP16';
    this.#kept.push({ name, opType, reason });
    return 'FP32';
  }

  /** The precision input `slot` of node `index` must be given in. */
  #slotPrecision(index: number, slot: number): Precision {
    const node = this.#source.node![index]!;
    if (this.#nodePrecision[index] === 'FP32' || FP32_ONLY_INPUTS[node.opType ?? '']?.includes(slot) === true) return 'FP32';
    return 'FP16';
  }

  #decideValues(): void {
    const graph = this.#source;
    for (const input of graph.input ?? []) {
      const name = input.name ?? '';
      if (this.#isFloat(name) && !this.#initializers.has(name)) this.#produced.set(name, this.#io);
    }
    (graph.node ?? []).forEach((node, index) => {
      for (const output of node.output ?? []) if (this.#isFloat(output)) this.#produced.set(output, this.#nodePrecision[index]!);
    });
    const needs = new Map<string, Set<Precision>>();
    (graph.node ?? []).forEach((node, index) => {
      (node.input ?? []).forEach((input, slot) => {
        if (!this.#isFloat(input) || !this.#initializers.has(input)) return;
        const set = needs.get(input) ?? new Set<Precision>();
        set.add(this.#slotPrecision(index, slot));
        needs.set(input, set);
      });
    });
    const outputs = new Set((graph.output ?? []).map((output) => output.name ?? ''));
    for (const name of this.#initializers.keys()) {
      if (!this.#isFloat(name)) continue;
      const need = needs.get(name);
      // Unused initializers are converted too: they still weigh in the file.
      this.#stored.set(name, outputs.has(name) ? this.#io : need === undefined || need.has('FP16') ? 'FP16' : 'FP32');
    }
    for (const name of outputs) {
      const produced = this.#produced.get(name);
      if (produced === undefined || produced === this.#io || !this.#isFloat(name)) continue;
      const internal = this.#fresh(`${name}_${produced.toLowerCase()}`);
      this.#renamed.set(name, internal);
      this.#produced.set(internal, produced);
    }
  }

  #build(): GraphProto {
    const source = this.#source;
    const rename = (name: string): string => this.#renamed.get(name) ?? name;
    (source.node ?? []).forEach((original, index) => {
      const precision = this.#nodePrecision[index];
      const node: NodeProto = { ...original };
      if (original.output !== undefined) node.output = original.output.map(rename);
      if (original.input !== undefined) {
        node.input = original.input.map((input, slot) => {
          const current = rename(input);
          return precision !== undefined && this.#isFloat(input) ? this.#valueIn(current, this.#slotPrecision(index, slot)) : current;
        });
      }
      if (precision === 'FP16') this.#convertAttributes(node);
      this.#nodes.push(node);
      // A graph output's Cast follows its producer, so later consumers needing that precision read the output itself.
      for (const output of original.output ?? []) {
        const internal = this.#renamed.get(output);
        if (internal === undefined) continue;
        this.#nodes.push(this.#castNode(internal, output, this.#io));
        this.#casts.set(`${internal}\u0000${this.#io}`, output);
      }
    });
    const graph: GraphProto = { ...source, node: this.#nodes };
    if (source.initializer !== undefined) graph.initializer = [...source.initializer.map((tensor) => this.#storedInitializer(tensor)), ...this.#copies.values()];
    if (source.input !== undefined) graph.input = source.input.map((info) => this.#retyped(info));
    if (source.output !== undefined) graph.output = source.output.map((info) => this.#retyped(info));
    if (source.valueInfo !== undefined) graph.valueInfo = source.valueInfo.map((info) => this.#retyped(info));
    return graph;
  }

  /** The name under which `value` is available in `need` precision, adding a Cast or an initializer copy when needed. */
  #valueIn(value: string, need: Precision): string {
    const stored = this.#stored.get(value);
    if (stored !== undefined) return stored === need ? value : this.#initializerCopy(value, need);
    const produced = this.#produced.get(value);
    if (produced === undefined || produced === need) return value;
    const key = `${value}\u0000${need}`;
    const cached = this.#casts.get(key);
    if (cached !== undefined) return cached;
    const output = this.#fresh(`${value}_${need.toLowerCase()}`);
    this.#nodes.push(this.#castNode(value, output, need));
    this.#produced.set(output, need);
    this.#casts.set(key, output);
    return output;
  }

  #castNode(input: string, output: string, to: Precision): NodeProto {
    const name = this.#fresh(`${output}_cast`);
    this.#castLog.push({ name, value: input, to });
    return { input: [input], output: [output], name, opType: 'Cast', attribute: [{ name: 'to', type: ATTRIBUTE_TYPE.INT, i: BigInt(ONNX_TYPE[to]) }] };
  }

  /** An initializer has one other precision to be copied to, so one copy serves every consumer. */
  #initializerCopy(name: string, precision: Precision): string {
    const existing = this.#copies.get(name);
    if (existing !== undefined) return existing.name!;
    const copyName = this.#fresh(`${name}_${precision.toLowerCase()}`);
    const original = this.#initializers.get(name)!;
    this.#copies.set(name, precision === 'FP32' ? { ...original, name: copyName } : this.#converted16(original, copyName));
    return copyName;
  }

  #storedInitializer(tensor: TensorProto): TensorProto {
    const name = tensor.name ?? '';
    return this.#stored.get(name) === 'FP16' ? this.#converted16(tensor, name) : tensor;
  }

  #converted16(tensor: TensorProto, name: string): TensorProto {
    const converted = tensorToFloat16(tensor, name);
    this.#converted.push({ name, elements: (tensor.dims ?? []).reduce((n, d) => n * Number(d), 1), clamped: converted.clamped, raised: converted.raised });
    return converted.tensor;
  }

  #retyped(info: ValueInfoProto): ValueInfoProto {
    const name = info.name ?? '';
    const tensorType = info.type?.tensorType;
    if (tensorType === undefined || !this.#isFloat(name)) return info;
    const precision = this.#stored.get(name) ?? (this.#renamed.has(name) ? this.#io : this.#produced.get(name));
    if (precision === undefined) return info;
    return { ...info, type: { ...info.type, tensorType: { ...tensorType, elemType: ONNX_TYPE[precision] } } };
  }

  /** Float tensors in a node's attributes (Constant, ConstantOfShape) and output types it names (Cast `to`). */
  #convertAttributes(node: NodeProto): void {
    const op = node.opType ?? '';
    if (op === 'Cast' || op === 'EyeLike') {
      const key = op === 'Cast' ? 'to' : 'dtype';
      node.attribute = node.attribute?.map((a) => (a.name === key && a.i === BigInt(ELEMENT.FLOAT) ? { ...a, i: BigInt(ELEMENT.FLOAT16) } : a));
      return;
    }
    if (op !== 'Constant' && op !== 'ConstantOfShape') return;
    let changed = false;
    const converted = (node.attribute ?? []).map((a): AttributeProto => {
      if (a.name === 'value' && a.t?.dataType === ELEMENT.FLOAT) {
        changed = true;
        return { ...a, t: tensorToFloat16(a.t).tensor };
      }
      if (op === 'Constant' && (a.name === 'value_float' || a.name === 'value_floats')) {
        changed = true;
        const values = a.name === 'value_float' ? [a.f ?? 0] : a.floats ?? [];
        const dims = a.name === 'value_float' ? [] : [values.length];
        return { name: 'value', type: ATTRIBUTE_TYPE.TENSOR, t: makeTensor('', 'FP16', dims, toFloat16Values(values).bits) };
      }
      return a;
    });
    // ConstantOfShape without `value` fills FP32 zeros; FP16 zeros need the attribute spelled out.
    if (op === 'ConstantOfShape' && attribute(node, 'value') === undefined) {
      changed = true;
      converted.push({ name: 'value', type: ATTRIBUTE_TYPE.TENSOR, t: makeTensor('', 'FP16', [1], [0]) });
    }
    if (changed) {
      node.attribute = converted;
      this.#constants.push(node.name ?? '');
    }
  }

  /** `base`, or `base_1`, `base_2`... whichever no value or node of the graph uses yet. */
  #fresh(base: string): string {
    let name = base;
    for (let index = 1; this.#names.has(name); index += 1) name = `${base}_${index}`;
    this.#names.add(name);
    return name;
  }
}
