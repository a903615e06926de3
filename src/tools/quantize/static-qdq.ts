/**
 * @module
 * Static int8 quantization in the QDQ format, as onnxruntime's `quantize_static` writes it:
 * QuantizeLinear/DequantizeLinear pairs around the float tensors of Conv, MatMul and Gemm, with
 * activation scales fixed ahead of time by calibration. onnxruntime fuses each
 * `DQ -> Conv -> Q` into QLinearConv and `DQ -> Gemm` into QGemm at load.
 *
 * What is written:
 * - activations: uint8, asymmetric, from the calibrated range (widened to include 0). The pair
 *   sits on the tensor once and every consumer except excluded nodes reads the DequantizeLinear
 *   output. Inputs of the quantized nodes get a pair; so does a Conv's output (after its ReLU
 *   when a single ReLU follows; onnxruntime drops a ReLU before a Q whose zero point is 0) because
 *   QLinearConv fusion needs it. MatMul and Gemm outputs stay float, one rounding fewer:
 *   onnxruntime runs DQ -> Gemm as a float-output QGemm, though a MatMul whose product meets a
 *   float Add may run in float on the dequantized weights. Graph outputs are never quantized.
 * - weights: int8 symmetric initializers behind a DequantizeLinear; per channel on request
 *   (Conv axis 0, MatMul axis 1, Gemm axis 0 with transB=1 else 1; per-axis needs opset 13).
 * - biases of Conv and Gemm: int32 with scale x_scale · w_scale and zero point 0, as onnxruntime
 *   does, so they are added in the integer accumulator (Gemm's beta is folded into them).
 */
import { ATTRIBUTE_TYPE, makeTensor, type GraphProto, type NodeProto, type OnnxModel } from '../onnx/index.js';
import { defaultOpset, dropUnusedInitializers, floatAttribute, GraphIndex, intAttribute, nodeLabel, requireOpset } from './graph-index.js';
import type { TensorRange } from './calibration.js';
import { assertSomethingQuantized, keptFloat, resolveExclusions, type KeptFloatNode, type QuantizationResult } from './node-selection.js';
import { quantizeBias, quantizeWeights, rangeParams, type QuantizationParams } from './quantize-weights.js';

export interface StaticQuantizationOptions {
  /** Per-channel weight scales. @defaultValue false */
  perChannel?: boolean;
  /** Node names or op types to leave in float (see resolveExclusions). */
  exclude?: readonly string[];
}

const STATIC_OPS = ['Conv', 'MatMul', 'Gemm'] as const;
const QDQ_MIN_OPSET = 10;
const PER_AXIS_MIN_OPSET = 13;

interface PlannedNode {
  /** The node in the planned model; applyStaticQuantization works on a copy, found by `position`. */
  readonly node: NodeProto;
  readonly position: number;
  readonly label: string;
  /** Activation inputs (by input position) that get a QDQ pair. */
  readonly activationInputs: readonly number[];
  /** The constant weight (input 1), when there is one. */
  readonly weight?: { readonly name: string; readonly axis?: number };
  /** The constant bias (input 2) to store as int32, when there is one. */
  readonly bias?: string;
}

/** What static quantization will do to a model, before calibration. */
export interface StaticPlan {
  readonly nodes: readonly PlannedNode[];
  readonly keptFloat: readonly KeptFloatNode[];
  /** Activation tensors to calibrate and give QDQ pairs, in graph order. */
  readonly activations: readonly string[];
}

/**
 * Chooses the nodes to quantize and the activations to calibrate.
 * @throws Error when nothing can be quantized, or for an `exclude` entry that names nothing.
 */
export function planStaticQuantization(model: OnnxModel, options: StaticQuantizationOptions = {}): StaticPlan {
  const graph = model.graph ?? {};
  const index = new GraphIndex(graph);
  const excluded = resolveExclusions(graph, options.exclude ?? []);
  const nodes: PlannedNode[] = [];
  const kept: KeptFloatNode[] = [];
  const activations = new Set<string>();
  const addActivation = (name: string | undefined): void => {
    if (name !== undefined && name !== '' && !index.initializers.has(name) && !index.graphOutputs.has(name)) activations.add(name);
  };
  (graph.node ?? []).forEach((node, position) => {
    const opType = node.opType ?? '';
    if (!(STATIC_OPS as readonly string[]).includes(opType) || (node.domain ?? '') !== '') return;
    if (excluded.has(node)) {
      kept.push(keptFloat(node, position, 'excluded by --exclude'));
      return;
    }
    const planned = planNode(node, position, index, options.perChannel === true);
    if (typeof planned === 'string') {
      kept.push(keptFloat(node, position, planned));
      return;
    }
    nodes.push(planned);
    for (const input of planned.activationInputs) addActivation(node.input![input]);
    if (opType === 'Conv') addActivation(convOutput(node, index));
  });
  assertSomethingQuantized(nodes.map((n) => ({ name: n.label, opType: n.node.opType ?? '' })), kept, STATIC_OPS);
  return { nodes, keptFloat: kept, activations: [...activations] };
}

function planNode(node: NodeProto, position: number, index: GraphIndex, perChannel: boolean): PlannedNode | string {
  const [, weightName, biasName] = node.input ?? [];
  const weight = index.floatInitializer(weightName);
  const label = nodeLabel(node, position);
  if (weight === undefined && index.initializers.has(weightName ?? '')) return `weight '${weightName}' is not FP32`;
  if (node.opType === 'MatMul' && weight === undefined) return { node, position, label, activationInputs: [0, 1] };
  if (weight === undefined) return `weight input '${weightName ?? ''}' is not a constant initializer`;
  let axis: number | undefined;
  if (perChannel) {
    if (node.opType === 'Conv') axis = 0;
    else if (weight.dims.length === 2) axis = node.opType === 'Gemm' && intAttribute(node, 'transB', 0) !== 0 ? 0 : 1;
  }
  const bias = index.floatInitializer(biasName);
  // A bias is stored as int32 only in the layout the fused kernels take: one value per output channel.
  const channels = node.opType === 'Conv' ? weight.dims[0] : node.opType === 'Gemm' ? weight.dims[intAttribute(node, 'transB', 0) !== 0 ? 0 : 1] : undefined;
  const intBias = node.opType !== 'MatMul' && bias !== undefined && bias.dims.length === 1 && bias.values.length === channels;
  return {
    node, position, label, activationInputs: [0],
    weight: { name: weightName!, ...(axis === undefined ? {} : { axis }) },
    ...(intBias ? { bias: biasName! } : {}),
  };
}

/** The tensor after a Conv that gets the output QDQ pair: its ReLU's output when a lone ReLU follows. */
function convOutput(node: NodeProto, index: GraphIndex): string | undefined {
  const output = node.output?.[0];
  if (output === undefined || index.graphOutputs.has(output)) return undefined;
  const consumers = index.consumers(output);
  if (consumers.length === 1 && consumers[0]!.opType === 'Relu' && (consumers[0]!.domain ?? '') === '') return consumers[0]!.output?.[0] ?? output;
  return output;
}

/**
 * Writes the QDQ model from a plan and the calibrated ranges of its activations. The input model
 * is not changed.
 * @throws Error when a planned activation has no range.
 */
export function applyStaticQuantization(model: OnnxModel, plan: StaticPlan, ranges: ReadonlyMap<string, TensorRange>, options: StaticQuantizationOptions = {}): QuantizationResult {
  const result = structuredClone(model);
  const graph: GraphProto = (result.graph ??= {});
  const index = new GraphIndex(graph);
  const opsetChanges: string[] = [];
  const needed = plan.nodes.some((n) => n.weight?.axis !== undefined) ? PER_AXIS_MIN_OPSET : QDQ_MIN_OPSET;
  if (defaultOpset(result) < needed) {
    const previous = requireOpset(result, '', needed);
    opsetChanges.push(`raised the ai.onnx opset from ${previous ?? 0} to ${needed} for ${needed === PER_AXIS_MIN_OPSET ? 'per-axis DequantizeLinear' : 'QuantizeLinear/DequantizeLinear'}`);
  }
  const excluded = resolveExclusions(graph, options.exclude ?? []);
  const initializers = (graph.initializer ??= []);
  const addConstant = (base: string, datatype: 'FP32' | 'UINT8' | 'INT8' | 'INT32', dims: readonly number[], values: ArrayLike<number>): string => {
    const name = index.freshName(base);
    initializers.push(makeTensor(name, datatype, dims, Array.from(values)));
    return name;
  };
  const dequantize = (input: string, scale: string, zeroPoint: string, output: string, axis?: number): NodeProto => ({
    name: index.freshName(`${output}_DequantizeLinear`), opType: 'DequantizeLinear', input: [input, scale, zeroPoint], output: [output],
    ...(axis === undefined ? {} : { attribute: [{ name: 'axis', type: ATTRIBUTE_TYPE.INT, i: BigInt(axis) }] }),
  });

  // Activations: one Q/DQ pair per tensor, emitted right after the tensor is produced.
  const activationParams = new Map<string, QuantizationParams>();
  const pairs = new Map<string, NodeProto[]>();
  const dequantized = new Map<string, string>();
  for (const tensor of plan.activations) {
    const range = ranges.get(tensor);
    if (range === undefined) throw new Error(`no calibrated range for activation '${tensor}'`);
    const params = rangeParams(range.min, range.max, 'UINT8', false);
    activationParams.set(tensor, params);
    const scale = addConstant(`${tensor}_scale`, 'FP32', [], [params.scale]);
    const zeroPoint = addConstant(`${tensor}_zero_point`, 'UINT8', [], [params.zeroPoint]);
    const quantizedName = index.freshName(`${tensor}_quantized`);
    const dequantizedName = index.freshName(`${tensor}_dequantized`);
    pairs.set(tensor, [
      { name: index.freshName(`${tensor}_QuantizeLinear`), opType: 'QuantizeLinear', input: [tensor, scale, zeroPoint], output: [quantizedName] },
      dequantize(quantizedName, scale, zeroPoint, dequantizedName),
    ]);
    dequantized.set(tensor, dequantizedName);
  }

  // Weights and biases: integer initializers behind a DequantizeLinear, at the top of the graph.
  const constantNodes: NodeProto[] = [];
  const replacedInputs = new Map<NodeProto, Map<number, string>>();
  const replacedInitializers = new Set<string>();
  const weightCache = new Map<string, { output: string; scales: Float32Array }>();
  for (const planned of plan.nodes) {
    const node = graph.node![planned.position]!;
    const replacements = new Map<number, string>();
    replacedInputs.set(node, replacements);
    if (planned.weight === undefined) continue;
    const { name, axis } = planned.weight;
    const cacheKey = `${name}|${axis ?? ''}`;
    let weight = weightCache.get(cacheKey);
    if (weight === undefined) {
      const float = index.floatInitializer(name)!;
      const q = quantizeWeights(float.values, float.dims, axis === undefined ? {} : { axis });
      const channelDims = axis === undefined ? [] : [q.scales.length];
      const quantizedName = addConstant(`${name}_quantized`, 'INT8', q.dims, q.values);
      const scale = addConstant(`${name}_scale`, 'FP32', channelDims, q.scales);
      const zeroPoint = addConstant(`${name}_zero_point`, 'INT8', channelDims, q.zeroPoints);
      const output = index.freshName(`${name}_dequantized`);
      constantNodes.push(dequantize(quantizedName, scale, zeroPoint, output, axis));
      weight = { output, scales: q.scales };
      weightCache.set(cacheKey, weight);
      replacedInitializers.add(name);
    }
    replacements.set(1, weight.output);
    if (planned.bias !== undefined) {
      const input = activationParams.get(node.input![0]!);
      if (input === undefined) continue; // the input stayed float (a graph output), so the bias must too
      const bias = index.floatInitializer(planned.bias)!;
      const beta = node.opType === 'Gemm' ? floatAttribute(node, 'beta', 1) : 1;
      const q = quantizeBias(bias.values.map((value) => value * beta), input.scale, weight.scales);
      const perAxis = weight.scales.length > 1;
      const quantizedName = addConstant(`${planned.bias}_quantized`, 'INT32', bias.dims, q.values);
      const scale = addConstant(`${planned.bias}_scale`, 'FP32', perAxis ? [q.scales.length] : [], perAxis ? q.scales : [q.scales[0]!]);
      const zeroPoint = addConstant(`${planned.bias}_zero_point`, 'INT32', perAxis ? [q.scales.length] : [], perAxis ? new Array<number>(q.scales.length).fill(0) : [0]);
      const output = index.freshName(`${planned.bias}_dequantized`);
      constantNodes.push(dequantize(quantizedName, scale, zeroPoint, output, perAxis ? 0 : undefined));
      replacements.set(2, output);
      replacedInitializers.add(planned.bias);
      if (beta !== 1) setFloatAttribute(node, 'beta', 1);
    }
  }

  const graphInputs = new Set((graph.input ?? []).map((input) => input.name ?? ''));
  const nodes: NodeProto[] = [...constantNodes];
  for (const [tensor, pair] of pairs) if (graphInputs.has(tensor)) nodes.push(...pair);
  for (const node of graph.node ?? []) {
    const replacements = replacedInputs.get(node);
    if (!excluded.has(node)) {
      node.input = node.input?.map((input, position) => replacements?.get(position) ?? dequantized.get(input) ?? input);
    }
    nodes.push(node);
    for (const output of node.output ?? []) nodes.push(...(pairs.get(output) ?? []));
  }
  graph.node = nodes;
  dropUnusedInitializers(graph, replacedInitializers);
  return {
    model: result,
    quantized: plan.nodes.map((n) => ({ name: n.label, opType: n.node.opType ?? '', ...(n.weight === undefined ? {} : { weight: n.weight.name }) })),
    keptFloat: plan.keptFloat,
    opsetChanges,
  };
}

function setFloatAttribute(node: NodeProto, name: string, value: number): void {
  const attributes = (node.attribute ??= []);
  const existing = attributes.find((attribute) => attribute.name === name);
  if (existing === undefined) attributes.push({ name, type: ATTRIBUTE_TYPE.FLOAT, f: value });
  else existing.f = value;
}
