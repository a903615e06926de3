/**
 * @module
 * Dynamic int8 quantization, as onnxruntime's `quantize_dynamic` does it: the constant weight
 * of each MatMul and Gemm is stored as int8 (symmetric, zero point 0) with a float scale, and
 * the activation is quantized to uint8 at run time from its own min and max.
 *
 * Two graph forms, measured with onnxruntime-node 1.30 on the 2-core x86 box (docs/model-tools.md):
 * - `fused` (default): one `com.microsoft.DynamicQuantizeMatMul(x, Wq, w_scale, w_zp, bias)` per
 *   node, a MatMul's following `Add(bias)` folded in. Needs onnxruntime (a contrib operator), and
 *   is the fastest at every optimization level: MLP 512-1024-1024-10 at batch 1, 29 µs against
 *   62 µs in FP32.
 * - `standard`: only ONNX operators, `DynamicQuantizeLinear -> MatMulInteger -> Cast -> Mul
 *   (x_scale · w_scale) [-> Add bias]`, for other runtimes. onnxruntime's 'all' level fuses it
 *   back into DynamicQuantizeMatMul (same speed); at 'basic' it stays unfused (47 µs above).
 * uint8 weights (allowed by MatMulInteger) ran 2x slower than int8 at batch 32, so weights are
 * always int8.
 */
import { ATTRIBUTE_TYPE, makeTensor, type GraphProto, type NodeProto, type OnnxModel, type TensorProto } from '../onnx/index.js';
import { defaultOpset, dropUnusedInitializers, floatAttribute, GraphIndex, intAttribute, nodeLabel, ONNX_FLOAT, requireOpset, valueBase } from './graph-index.js';
import { assertSomethingQuantized, keptFloat, resolveExclusions, type KeptFloatNode, type QuantizationResult, type QuantizedNode } from './node-selection.js';
import { quantizeWeights, type QuantizedWeights } from './quantize-weights.js';

export type DynamicForm = 'fused' | 'standard';

export interface DynamicQuantizationOptions {
  /** One scale per output column of each weight instead of one per weight. @defaultValue false */
  perChannel?: boolean;
  /** Node names or op types to leave in float (see resolveExclusions). */
  exclude?: readonly string[];
  /** @defaultValue 'fused' */
  form?: DynamicForm;
}

const DYNAMIC_OPS = ['MatMul', 'Gemm'] as const;
const MICROSOFT = 'com.microsoft';
/** DynamicQuantizeLinear appeared in opset 11. */
const STANDARD_MIN_OPSET = 11;

/** A weight as the quantized node multiplies it: [K, N], the input's last axis against columns. */
interface Plan {
  readonly node: NodeProto;
  readonly label: string;
  /** Prefix for the names of the values and nodes that replace the node. */
  readonly base: string;
  readonly weightName: string;
  /** Weight laid out [K, N] (Gemm's transB undone), times alpha. */
  readonly weights: QuantizedWeights;
  /** beta · C broadcast to [N] when C is a constant, or the constant [N] of a MatMul's lone Add. */
  readonly bias?: Float32Array;
  /** The initializer folded into `bias`. */
  readonly biasSource?: string;
  /** A MatMul's `Add(product, bias)` folded into the quantized node, which then writes its output. */
  readonly fusedAdd?: NodeProto;
  /** The value the replacement nodes produce. */
  readonly output: string;
  /** C when it is not a constant [N] vector: added after the product (times beta). */
  readonly addend?: { readonly name: string; readonly beta: number };
}

/**
 * Quantizes a model's MatMul and Gemm weights to int8. The input model is not changed.
 * @throws Error when no node can be quantized (with each candidate's reason), or for an
 * `exclude` entry that names nothing in the graph.
 */
export function quantizeDynamic(model: OnnxModel, options: DynamicQuantizationOptions = {}): QuantizationResult {
  const result = structuredClone(model);
  const graph: GraphProto = (result.graph ??= {});
  const index = new GraphIndex(graph);
  const excluded = resolveExclusions(graph, options.exclude ?? []);
  const form = options.form ?? 'fused';
  const quantized: QuantizedNode[] = [];
  const kept: KeptFloatNode[] = [];
  const plans = new Map<NodeProto, Plan>();
  (graph.node ?? []).forEach((node, position) => {
    if (!(DYNAMIC_OPS as readonly string[]).includes(node.opType ?? '') || (node.domain ?? '') !== '') return;
    if (excluded.has(node)) {
      kept.push(keptFloat(node, position, 'excluded by --exclude'));
      return;
    }
    const plan = planNode(node, position, index, options.perChannel === true, excluded);
    if (typeof plan === 'string') kept.push(keptFloat(node, position, plan));
    else plans.set(node, plan);
  });
  for (const node of graph.node ?? []) {
    if (excluded.has(node) && !(DYNAMIC_OPS as readonly string[]).includes(node.opType ?? '')) {
      kept.push(keptFloat(node, (graph.node ?? []).indexOf(node), `excluded by --exclude, and not a ${DYNAMIC_OPS.join('/')} node anyway`));
    }
  }
  assertSomethingQuantized([...plans.values()].map((plan) => ({ name: plan.label, opType: plan.node.opType ?? '' })), kept, DYNAMIC_OPS);

  const opsetChanges: string[] = [];
  if (form === 'fused') {
    const imported = (result.opsetImport ?? []).some((opset) => opset.domain === MICROSOFT);
    requireOpset(result, MICROSOFT, 1);
    if (!imported) opsetChanges.push(`imported the ${MICROSOFT} operator set (version 1) for DynamicQuantizeMatMul`);
  } else if (defaultOpset(result) < STANDARD_MIN_OPSET) {
    const previous = requireOpset(result, '', STANDARD_MIN_OPSET);
    opsetChanges.push(`raised the ai.onnx opset from ${previous ?? 0} to ${STANDARD_MIN_OPSET} for DynamicQuantizeLinear`);
  }

  const emitter = new InitializerCache(graph, index);
  const nodes: NodeProto[] = [];
  const fusedAdds = new Set([...plans.values()].flatMap((plan) => (plan.fusedAdd === undefined ? [] : [plan.fusedAdd])));
  for (const node of graph.node ?? []) {
    if (fusedAdds.has(node)) continue;
    const plan = plans.get(node);
    if (plan === undefined) {
      nodes.push(node);
      continue;
    }
    nodes.push(...(form === 'fused' ? fusedNodes(plan, emitter, index) : standardNodes(plan, emitter, index)));
    quantized.push({ name: plan.label, opType: node.opType ?? '', weight: plan.weightName });
  }
  graph.node = nodes;
  // The float weights, and the vectors folded into a bias, unless other nodes still read them.
  const replaced = [...plans.values()].flatMap((plan) => (plan.biasSource === undefined ? [plan.weightName] : [plan.weightName, plan.biasSource]));
  dropUnusedInitializers(graph, new Set(replaced));
  return { model: result, quantized, keptFloat: kept, opsetChanges };
}

/** The plan for one node, or why it stays float. */
function planNode(node: NodeProto, position: number, index: GraphIndex, perChannel: boolean, excluded: ReadonlySet<NodeProto>): Plan | string {
  const [, weightName, cName] = node.input ?? [];
  const weight = index.floatInitializer(weightName);
  if (weightName === undefined || weight === undefined) {
    return index.initializers.has(weightName ?? '') ? `weight '${weightName}' is not FP32` : `input B ('${weightName ?? ''}') is not a constant initializer`;
  }
  if (weight.dims.length !== 2) return `weight '${weightName}' has rank ${weight.dims.length}; only 2-D weights are quantized`;
  let values = weight.values;
  let [k, n] = weight.dims as [number, number];
  let alpha = 1;
  let bias: Float32Array | undefined;
  let biasSource: string | undefined;
  let addend: Plan['addend'];
  let fusedAdd: NodeProto | undefined;
  if (node.opType === 'Gemm') {
    if (intAttribute(node, 'transA', 0) !== 0) return 'transA=1 is not supported';
    if (intAttribute(node, 'transB', 0) !== 0) {
      values = transpose(values, k, n);
      [k, n] = [n, k];
    }
    alpha = floatAttribute(node, 'alpha', 1);
    const beta = floatAttribute(node, 'beta', 1);
    if (cName !== undefined && cName !== '') {
      const c = index.floatInitializer(cName);
      if (c !== undefined && (c.values.length === n || c.values.length === 1) && (c.dims.length <= 1 || (c.dims.length === 2 && c.dims[0] === 1))) {
        bias = Float32Array.from({ length: n }, (_, column) => beta * c.values[c.values.length === 1 ? 0 : column]!);
        biasSource = cName;
      } else {
        addend = { name: cName, beta };
      }
    }
  } else {
    const add = biasAdd(node, n, index);
    if (add !== undefined && !excluded.has(add.node)) ({ node: fusedAdd, bias, biasSource } = add);
  }
  const weights = quantizeWeights(values, [k, n], perChannel ? { axis: 1 } : {});
  const scaled = alpha === 1 ? weights : { ...weights, scales: weights.scales.map((scale) => Math.fround(scale * alpha)) };
  return {
    node, label: nodeLabel(node, position), base: valueBase(node, position), weightName, weights: scaled,
    output: (fusedAdd ?? node).output![0]!,
    ...(bias === undefined ? {} : { bias, biasSource: biasSource! }),
    ...(fusedAdd === undefined ? {} : { fusedAdd }),
    ...(addend === undefined ? {} : { addend }),
  };
}

/**
 * The `Add(product, b)` with a constant b of shape [N] that alone reads a MatMul's product, as
 * exporters write a dense layer. Folding it into the quantized node's bias saves a pass over
 * the output (onnxruntime does the same fusion for the standard form).
 */
function biasAdd(matmul: NodeProto, columns: number, index: GraphIndex): { node: NodeProto; bias: Float32Array; biasSource: string } | undefined {
  const product = matmul.output?.[0];
  if (product === undefined || index.graphOutputs.has(product)) return undefined;
  const consumers = index.consumers(product);
  const add = consumers[0];
  if (consumers.length !== 1 || add?.opType !== 'Add' || (add.domain ?? '') !== '' || add.input?.length !== 2) return undefined;
  const other = add.input[0] === product ? add.input[1]! : add.input[0]!;
  const constant = index.floatInitializer(other);
  if (constant === undefined || constant.dims.length !== 1 || constant.dims[0] !== columns) return undefined;
  return { node: add, bias: constant.values, biasSource: other };
}

function transpose(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r += 1) for (let c = 0; c < columns; c += 1) out[c * rows + r] = values[r * columns + c]!;
  return out;
}

/** Adds the quantized weight initializers, once per distinct weight (two nodes may share one). */
class InitializerCache {
  readonly #graph: GraphProto;
  readonly #index: GraphIndex;
  readonly #added = new Map<string, [string, string, string]>();

  constructor(graph: GraphProto, index: GraphIndex) {
    this.#graph = graph;
    this.#index = index;
  }

  /** [quantized weight, scale, zero point] initializer names for a plan. */
  weights(plan: Plan): [string, string, string] {
    const { weights } = plan;
    const key = `${plan.weightName}|${plan.node.opType}|${intAttribute(plan.node, 'transB', 0)}|${weights.scales.join(',')}`;
    const existing = this.#added.get(key);
    if (existing !== undefined) return existing;
    const channelDims = weights.axis === undefined ? [] : [weights.scales.length];
    const names: [string, string, string] = [
      this.add(makeTensor(this.#index.freshName(`${plan.weightName}_quantized`), weights.type, weights.dims, weights.values)),
      this.add(makeTensor(this.#index.freshName(`${plan.weightName}_scale`), 'FP32', channelDims, weights.scales)),
      this.add(makeTensor(this.#index.freshName(`${plan.weightName}_zero_point`), weights.type, channelDims, weights.zeroPoints)),
    ];
    this.#added.set(key, names);
    return names;
  }

  add(tensor: TensorProto): string {
    (this.#graph.initializer ??= []).push(tensor);
    return tensor.name!;
  }
}

function fusedNodes(plan: Plan, cache: InitializerCache, index: GraphIndex): NodeProto[] {
  const [weight, scale, zeroPoint] = cache.weights(plan);
  const input = plan.node.input![0]!;
  const { output } = plan;
  const bias = plan.bias === undefined ? [] : [cache.add(makeTensor(index.freshName(`${plan.base}_bias`), 'FP32', [plan.bias.length], plan.bias))];
  const product = plan.addend === undefined ? output : index.freshName(`${plan.base}_product`);
  const nodes: NodeProto[] = [{
    name: plan.node.name ?? index.freshName(`${plan.base}_quant`),
    opType: 'DynamicQuantizeMatMul', domain: MICROSOFT,
    input: [input, weight, scale, zeroPoint, ...bias], output: [product],
  }];
  if (plan.addend !== undefined) nodes.push(...addendNodes(plan, product, output, cache, index));
  return nodes;
}

function standardNodes(plan: Plan, cache: InitializerCache, index: GraphIndex): NodeProto[] {
  const [weight, scale, zeroPoint] = cache.weights(plan);
  const input = plan.node.input![0]!;
  const { output } = plan;
  const { base } = plan;
  const [xq, xScale, xZeroPoint, integer, float, combinedScale] = ['x_quantized', 'x_scale', 'x_zero_point', 'integer', 'float', 'scale'].map((suffix) => index.freshName(`${base}_${suffix}`)) as [string, string, string, string, string, string];
  const needsAdd = plan.bias !== undefined || plan.addend !== undefined;
  const product = needsAdd ? index.freshName(`${base}_product`) : output;
  const nodes: NodeProto[] = [
    { name: index.freshName(`${base}_quantize_input`), opType: 'DynamicQuantizeLinear', input: [input], output: [xq, xScale, xZeroPoint] },
    { name: plan.node.name ?? index.freshName(`${base}_matmul_integer`), opType: 'MatMulInteger', input: [xq, weight, xZeroPoint, zeroPoint], output: [integer] },
    { name: index.freshName(`${base}_to_float`), opType: 'Cast', input: [integer], output: [float], attribute: [{ name: 'to', type: ATTRIBUTE_TYPE.INT, i: BigInt(ONNX_FLOAT) }] },
    { name: index.freshName(`${base}_scale`), opType: 'Mul', input: [xScale, scale], output: [combinedScale] },
    { name: index.freshName(`${base}_rescale`), opType: 'Mul', input: [float, combinedScale], output: [product] },
  ];
  if (plan.bias !== undefined) {
    const bias = cache.add(makeTensor(index.freshName(`${base}_bias`), 'FP32', [plan.bias.length], plan.bias));
    nodes.push({ name: index.freshName(`${base}_add_bias`), opType: 'Add', input: [product, bias], output: [output] });
  } else if (plan.addend !== undefined) {
    nodes.push(...addendNodes(plan, product, output, cache, index));
  }
  return nodes;
}

/** product + beta · C, for a Gemm whose C is not a constant [N] vector. */
function addendNodes(plan: Plan, product: string, output: string, cache: InitializerCache, index: GraphIndex): NodeProto[] {
  const { name, beta } = plan.addend!;
  const nodes: NodeProto[] = [];
  let addend = name;
  if (beta !== 1) {
    const betaName = cache.add(makeTensor(index.freshName(`${plan.base}_beta`), 'FP32', [], [beta]));
    addend = index.freshName(`${plan.base}_scaled_c`);
    nodes.push({ name: index.freshName(`${plan.base}_scale_c`), opType: 'Mul', input: [name, betaName], output: [addend] });
  }
  nodes.push({ name: index.freshName(`${plan.base}_add_c`), opType: 'Add', input: [product, addend], output: [output] });
  return nodes;
}
