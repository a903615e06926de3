/**
 * @module
 * The one table of shape rules: ONNX op type (default domain) -> rule. An op missing here has
 * unknown output shapes, which the inspection reports; it never guesses.
 */
import type { DataType } from '../../core/index.js';
import type { NodeContext, ValueShape } from './node-context.js';
import * as nn from './nn-shape-rules.js';
import type { ShapeRule } from './nn-shape-rules.js';
import { broadcast, product } from './shape-math.js';
import * as tensor from './tensor-shape-rules.js';

const FOLD: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  // Shape arithmetic is on integers: ONNX integer Div truncates.
  Div: (a, b) => Math.trunc(a / b),
};

/**
 * Broadcasting elementwise ops of any arity. Integer constants of rank <= 1 are folded, so
 * `Shape(x)[0] * 4` still gives a concrete Reshape target.
 */
function elementwise(result?: DataType): ShapeRule {
  return (context: NodeContext): ValueShape[] => {
    const inputs = (context.node.input ?? []).flatMap((name, index) => (name === '' ? [] : [context.input(index)]));
    const dims = broadcast(inputs.map((input) => input.dims));
    const datatype = result ?? inputs[0]?.datatype;
    const fold = FOLD[context.node.opType ?? ''];
    const [a, b] = inputs;
    if (fold !== undefined && a?.values !== undefined && b?.values !== undefined && dims.length <= 1 && datatype !== undefined && /INT/.test(datatype)) {
      const count = product(dims);
      const at = (values: readonly number[], i: number): number => values[values.length === 1 ? 0 : i]!;
      return [{ datatype, dims, values: Array.from({ length: count }, (_, i) => fold(at(a.values!, i), at(b.values!, i))) }];
    }
    return [{ datatype, dims }];
  };
}

const UNARY = [
  'Abs', 'Acos', 'Acosh', 'Asin', 'Asinh', 'Atan', 'Atanh', 'BitwiseNot', 'Ceil', 'Celu', 'Clip', 'Cos', 'Cosh', 'Elu', 'Erf',
  'Exp', 'Floor', 'Gelu', 'HardSigmoid', 'HardSwish', 'Hardmax', 'InstanceNormalization', 'LeakyRelu', 'Log', 'LogSoftmax',
  'LRN', 'LpNormalization', 'MeanVarianceNormalization', 'Mish', 'Neg', 'Not', 'PRelu', 'Reciprocal', 'Relu', 'Round',
  'Selu', 'Shrink', 'Sigmoid', 'Sign', 'Sin', 'Sinh', 'Softmax', 'Softplus', 'Softsign', 'Sqrt', 'Tan', 'Tanh',
  'ThresholdedRelu', 'CumSum', 'GroupNormalization', 'RMSNormalization',
] as const;

const BINARY = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Mod', 'BitShift', 'BitwiseAnd', 'BitwiseOr', 'BitwiseXor', 'Max', 'Min', 'Sum', 'Mean'] as const;
const COMPARISONS = ['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'And', 'Or', 'Xor'] as const;
const REDUCTIONS = ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSum', 'ReduceSumSquare'] as const;

export const SHAPE_RULES: ReadonlyMap<string, ShapeRule> = new Map<string, ShapeRule>([
  ...UNARY.map((op): [string, ShapeRule] => [op, nn.sameAsInput]),
  ...BINARY.map((op): [string, ShapeRule] => [op, elementwise()]),
  ...COMPARISONS.map((op): [string, ShapeRule] => [op, elementwise('BOOL')]),
  ...REDUCTIONS.map((op): [string, ShapeRule] => [op, tensor.reduce]),
  ['IsNaN', nn.sameShapeAs('BOOL')],
  ['IsInf', nn.sameShapeAs('BOOL')],
  ['Conv', nn.conv],
  ['ConvInteger', (context) => nn.conv(context).map((out) => ({ ...out, datatype: 'INT32' }))],
  ['ConvTranspose', nn.convTranspose],
  ['MatMul', nn.matmul],
  ['MatMulInteger', nn.matmulInteger],
  ['Gemm', nn.gemm],
  ['MaxPool', nn.pool],
  ['AveragePool', nn.pool],
  ['LpPool', nn.pool],
  ['GlobalAveragePool', nn.globalPool],
  ['GlobalMaxPool', nn.globalPool],
  ['GlobalLpPool', nn.globalPool],
  ['BatchNormalization', nn.batchNorm],
  ['LayerNormalization', nn.layerNorm],
  ['Dropout', nn.dropout],
  ['DynamicQuantizeLinear', nn.dynamicQuantize],
  ['QuantizeLinear', nn.quantize],
  ['DequantizeLinear', nn.dequantize],
  ['Identity', tensor.identity],
  ['Constant', tensor.constant],
  ['ConstantOfShape', tensor.constantOfShape],
  ['Shape', tensor.shape],
  ['Size', tensor.size],
  ['Cast', tensor.cast],
  ['Reshape', tensor.reshape],
  ['Flatten', tensor.flatten],
  ['Transpose', tensor.transpose],
  ['Concat', tensor.concat],
  ['Squeeze', tensor.squeeze],
  ['Unsqueeze', tensor.unsqueeze],
  ['Gather', tensor.gather],
  ['Slice', tensor.slice],
  ['Split', tensor.split],
  ['Pad', tensor.pad],
  ['ArgMax', tensor.argReduce],
  ['ArgMin', tensor.argReduce],
  ['Expand', tensor.expand],
  ['Tile', tensor.tile],
  ['Where', tensor.where],
  ['Resize', tensor.resize],
  ['Upsample', tensor.resize],
]);
