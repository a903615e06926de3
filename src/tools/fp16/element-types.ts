/**
 * @module
 * The element type of every value in a graph, as far as it can be told without full shape
 * inference: declared types (inputs, outputs, value_info, initializers) first, then a rule per
 * operator for node outputs. The FP16 converter needs it to know which values are float.
 */
import type { AttributeProto, GraphProto, NodeProto } from '../onnx/index.js';

/** TensorProto.DataType numbers this module names. */
export const ELEMENT = Object.freeze({ FLOAT: 1, UINT8: 2, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, FLOAT16: 10 });

const BOOL_OPS = new Set(['Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);
const INT64_OPS = new Set(['Shape', 'Size', 'NonZero', 'NonMaxSuppression', 'ArgMax', 'ArgMin']);

/** Ops whose first output has the type of another input than the first. */
const TYPE_FROM_INPUT: Readonly<Record<string, number>> = { Where: 1, OneHot: 2, CastLike: 1, DequantizeLinear: 1 };

/**
 * Element types by value name. A value absent from the map has a type this module cannot tell
 * (an output of an operator outside the default domain without a value_info, or a sequence).
 */
export function inferElementTypes(graph: GraphProto): Map<string, number> {
  const types = new Map<string, number>();
  const declare = (name: string | undefined, type: number | undefined): void => {
    if (name !== undefined && name !== '' && type !== undefined && type !== 0) types.set(name, type);
  };
  for (const info of [...(graph.input ?? []), ...(graph.output ?? []), ...(graph.valueInfo ?? [])]) declare(info.name, info.type?.tensorType?.elemType);
  for (const tensor of graph.initializer ?? []) declare(tensor.name, tensor.dataType);
  for (const node of graph.node ?? []) {
    (node.output ?? []).forEach((output, index) => {
      if (output === '' || types.has(output)) return;
      declare(output, outputType(node, index, (name) => (name === undefined ? undefined : types.get(name))));
    });
  }
  return types;
}

function outputType(node: NodeProto, index: number, typeOf: (name: string | undefined) => number | undefined): number | undefined {
  const op = node.opType ?? '';
  const inputs = node.input ?? [];
  if (!isDefaultDomain(node.domain)) return undefined;
  const dtype = intAttribute(node, 'dtype');
  switch (op) {
    case 'Cast':
      return intAttribute(node, 'to');
    case 'Constant':
      return constantType(node.attribute ?? []);
    case 'ConstantOfShape':
      return attribute(node, 'value')?.t?.dataType ?? ELEMENT.FLOAT;
    case 'RandomNormal':
    case 'RandomUniform':
      return dtype ?? ELEMENT.FLOAT;
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'EyeLike':
    case 'Bernoulli':
      return dtype ?? typeOf(inputs[0]);
    case 'Multinomial':
      return dtype ?? ELEMENT.INT32;
    case 'QuantizeLinear':
      return typeOf(inputs[2]) ?? ELEMENT.UINT8;
    case 'DynamicQuantizeLinear':
      return index === 1 ? ELEMENT.FLOAT : ELEMENT.UINT8;
    case 'MatMulInteger':
    case 'ConvInteger':
      return ELEMENT.INT32;
    case 'QLinearMatMul':
    case 'QLinearConv':
      return typeOf(inputs[7]);
    case 'TopK':
    case 'MaxPool':
    case 'Unique':
      return index === 0 ? typeOf(inputs[0]) : ELEMENT.INT64;
    case 'Dropout':
      return index === 0 ? typeOf(inputs[0]) : ELEMENT.BOOL;
    default:
      if (BOOL_OPS.has(op)) return ELEMENT.BOOL;
      if (INT64_OPS.has(op)) return ELEMENT.INT64;
      return typeOf(inputs[TYPE_FROM_INPUT[op] ?? 0]);
  }
}

function constantType(attributes: readonly AttributeProto[]): number | undefined {
  const [first] = attributes;
  switch (first?.name) {
    case 'value':
      return first.t?.dataType;
    case 'sparse_value':
      return first.sparseTensor?.values?.dataType;
    case 'value_float':
    case 'value_floats':
      return ELEMENT.FLOAT;
    case 'value_int':
    case 'value_ints':
      return ELEMENT.INT64;
    case 'value_string':
    case 'value_strings':
      return ELEMENT.STRING;
    default:
      return undefined;
  }
}

export function isDefaultDomain(domain: string | undefined): boolean {
  return domain === undefined || domain === '' || domain === 'ai.onnx';
}

export function attribute(node: NodeProto, name: string): AttributeProto | undefined {
  return node.attribute?.find((a) => a.name === name);
}

function intAttribute(node: NodeProto, name: string): number | undefined {
  const found = attribute(node, name);
  return found?.i === undefined ? undefined : Number(found.i);
}
