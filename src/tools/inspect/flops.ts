/**
 * @module
 * Per-node FLOP estimates from inferred shapes. Convention: a multiply-add counts as 2 FLOPs
 * (as in most papers and in fvcore/ptflops' "FLOPs", not their "MACs"); an elementwise
 * operation counts 1 per output element whatever its cost in instructions; data movement
 * (Reshape, Transpose, Concat, Gather...) counts 0. Estimates, not measurements: they ignore
 * what a runtime fuses or skips.
 */
import type { NodeProto } from '../onnx/index.js';
import type { ValueShape } from './node-context.js';
import { product } from './shape-math.js';

/** What a FLOP formula reads: the node and its inputs' and outputs' shapes (undefined when unknown). */
interface FlopsInput {
  readonly node: NodeProto;
  readonly inputs: readonly (ValueShape | undefined)[];
  readonly outputs: readonly (ValueShape | undefined)[];
}

type FlopsFormula = (input: FlopsInput) => number | undefined;

const elements = (shape: ValueShape | undefined): number | undefined => (shape === undefined ? undefined : product(shape.dims));

/** `factor` FLOPs per element of output 0. */
function perOutputElement(factor: number): FlopsFormula {
  return ({ outputs }) => {
    const count = elements(outputs[0]);
    return count === undefined ? undefined : factor * count;
  };
}

/** `factor` FLOPs per element of input 0 (reductions and global pools read everything once). */
function perInputElement(factor: number): FlopsFormula {
  return ({ inputs }) => {
    const count = elements(inputs[0]);
    return count === undefined ? undefined : factor * count;
  };
}

function intAttribute(node: NodeProto, name: string, fallback: number): number {
  const value = node.attribute?.find((attribute) => attribute.name === name)?.i;
  return value === undefined ? fallback : Number(value);
}

/** Conv: 2·N·Cout·Hout·Wout·(Cin/group)·kH·kW, plus one add per output element for the bias. */
const conv: FlopsFormula = ({ inputs, outputs }) => {
  const weights = inputs[1];
  const out = outputs[0];
  if (weights === undefined || out === undefined) return undefined;
  // Weights are [Cout, Cin/group, k...]: their product past dim 0 is the work per output element.
  const perOutput = product(weights.dims.slice(1));
  const bias = inputs[2] === undefined ? 0 : product(out.dims);
  return 2 * product(out.dims) * perOutput + bias;
};

/** ConvTranspose: every input element is multiplied into a kernel-sized patch of each of Cout/group channels. */
const convTranspose: FlopsFormula = ({ inputs, outputs }) => {
  const [x, weights, bias] = inputs;
  const out = outputs[0];
  if (x === undefined || weights === undefined || out === undefined) return undefined;
  return 2 * product(x.dims) * product(weights.dims.slice(1)) + (bias === undefined ? 0 : product(out.dims));
};

/** MatMul: 2·M·N·K per batch, i.e. 2·K per output element, K being A's last dim. */
const matmul: FlopsFormula = ({ inputs, outputs }) => {
  const a = inputs[0];
  const out = outputs[0];
  if (a === undefined || out === undefined) return undefined;
  return 2 * product(out.dims) * (a.dims.at(-1) ?? 1);
};

/** Gemm: 2·M·N·K, plus M·N for adding C. */
const gemm: FlopsFormula = ({ node, inputs, outputs }) => {
  const a = inputs[0];
  const out = outputs[0];
  if (a === undefined || out === undefined) return undefined;
  const k = intAttribute(node, 'transA', 0) === 1 ? a.dims[0]! : a.dims[1]!;
  return 2 * product(out.dims) * k + (inputs[2] === undefined ? 0 : product(out.dims));
};

/** Pools: one operation per kernel element per output element. */
const pool: FlopsFormula = ({ node, outputs }) => {
  const kernel = node.attribute?.find((attribute) => attribute.name === 'kernel_shape')?.ints?.map(Number) ?? [];
  const count = elements(outputs[0]);
  return count === undefined ? undefined : count * product(kernel);
};

const ZERO: FlopsFormula = () => 0;

const ELEMENTWISE = [
  'Abs', 'Acos', 'Acosh', 'Add', 'And', 'Asin', 'Asinh', 'Atan', 'Atanh', 'BitShift', 'BitwiseAnd', 'BitwiseNot', 'BitwiseOr',
  'BitwiseXor', 'Ceil', 'Celu', 'Clip', 'Cos', 'Cosh', 'Div', 'Elu', 'Equal', 'Erf', 'Exp', 'Floor', 'Gelu', 'Greater',
  'GreaterOrEqual', 'HardSigmoid', 'HardSwish', 'IsInf', 'IsNaN', 'LeakyRelu', 'Less', 'LessOrEqual', 'Log', 'Max', 'Mean',
  'Min', 'Mish', 'Mod', 'Mul', 'Neg', 'Not', 'Or', 'PRelu', 'Pow', 'Reciprocal', 'Relu', 'Round', 'Selu', 'Shrink', 'Sigmoid',
  'Sign', 'Sin', 'Sinh', 'Softplus', 'Softsign', 'Sqrt', 'Sub', 'Sum', 'Tan', 'Tanh', 'ThresholdedRelu', 'Where', 'Xor',
  'QuantizeLinear', 'DequantizeLinear', 'CumSum',
];
const DATA_MOVEMENT = [
  'Cast', 'Concat', 'Constant', 'ConstantOfShape', 'Dropout', 'Expand', 'Flatten', 'Gather', 'Identity', 'Pad', 'Reshape',
  'Shape', 'Size', 'Slice', 'Split', 'Squeeze', 'Tile', 'Transpose', 'Unsqueeze', 'Resize', 'Upsample',
];
const REDUCTIONS = ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare', 'ArgMax', 'ArgMin'];

/** The one table of FLOP formulas; ops missing here have no estimate (reported as unknown). */
const FLOPS: ReadonlyMap<string, FlopsFormula> = new Map<string, FlopsFormula>([
  ...ELEMENTWISE.map((op): [string, FlopsFormula] => [op, perOutputElement(1)]),
  ...DATA_MOVEMENT.map((op): [string, FlopsFormula] => [op, ZERO]),
  ...REDUCTIONS.map((op): [string, FlopsFormula] => [op, perInputElement(1)]),
  ['Conv', conv], ['ConvInteger', conv], ['ConvTranspose', convTranspose],
  ['MatMul', matmul], ['MatMulInteger', matmul], ['Gemm', gemm],
  ['MaxPool', pool], ['AveragePool', pool], ['LpPool', pool],
  ['GlobalAveragePool', perInputElement(1)], ['GlobalMaxPool', perInputElement(1)], ['GlobalLpPool', perInputElement(2)],
  // Inference-mode BatchNormalization is a scale and a shift per element.
  ['BatchNormalization', perOutputElement(2)],
  // Normalizations and softmax: a reduction, a subtraction, an exp or square, a sum, a division: about 5 per element.
  ['InstanceNormalization', perOutputElement(5)], ['LayerNormalization', perOutputElement(5)], ['GroupNormalization', perOutputElement(5)],
  ['RMSNormalization', perOutputElement(4)], ['LpNormalization', perOutputElement(3)], ['MeanVarianceNormalization', perOutputElement(5)],
  ['LRN', perOutputElement(5)], ['Softmax', perOutputElement(5)], ['LogSoftmax', perOutputElement(5)], ['Hardmax', perOutputElement(1)],
  // min, max, scale, round: the input is read twice and written once.
  ['DynamicQuantizeLinear', perInputElement(3)],
]);

/** The node's FLOPs, or undefined when its op has no formula or a shape it needs is unknown. */
export function nodeFlops(node: NodeProto, inputs: readonly (ValueShape | undefined)[], outputs: readonly (ValueShape | undefined)[]): number | undefined {
  if (node.domain !== undefined && node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  const flops = FLOPS.get(node.opType ?? '')?.({ node, inputs, outputs });
  // Shapes that came from a declaration rather than a rule may not fit the formula: no estimate then.
  return flops !== undefined && Number.isFinite(flops) && flops >= 0 ? flops : undefined;
}
