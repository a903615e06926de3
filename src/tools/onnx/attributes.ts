/**
 * @module
 * Node attributes from plain values. Most values say their own type; the exception is a whole
 * number meant as a float (Gemm's alpha: 1), which JavaScript cannot tell from an int: use attr.float(1).
 */
import { ATTRIBUTE_TYPE, type AttributeProto, type GraphProto, type TensorProto } from './onnx-types.js';

const utf8 = new TextEncoder();

/** An attribute whose type was chosen explicitly with one of the `attr` helpers. */
export class TypedAttribute {
  constructor(readonly proto: Readonly<Omit<AttributeProto, 'name'>>) {}
}

/**
 * What a node attribute may be given as:
 * - integer number or bigint -> INT; other number -> FLOAT; string -> STRING (UTF-8);
 * - arrays of those -> INTS (all integers), FLOATS, STRINGS; an empty array is ambiguous, use `attr`;
 * - a TensorProto (see makeTensor) -> TENSOR;
 * - `attr.*(...)` for anything else (floats that are whole numbers, graphs).
 */
export type AttributeValue =
  | number | bigint | string
  | readonly number[] | readonly bigint[] | readonly string[]
  | TensorProto | TypedAttribute;

export type Attributes = Readonly<Record<string, AttributeValue>>;

/** Explicitly typed attribute values. */
export const attr = Object.freeze({
  float: (value: number) => new TypedAttribute({ type: ATTRIBUTE_TYPE.FLOAT, f: value }),
  floats: (values: readonly number[]) => new TypedAttribute({ type: ATTRIBUTE_TYPE.FLOATS, floats: [...values] }),
  int: (value: number | bigint) => new TypedAttribute({ type: ATTRIBUTE_TYPE.INT, i: BigInt(value) }),
  ints: (values: readonly (number | bigint)[]) => new TypedAttribute({ type: ATTRIBUTE_TYPE.INTS, ints: values.map((v) => BigInt(v)) }),
  string: (value: string) => new TypedAttribute({ type: ATTRIBUTE_TYPE.STRING, s: utf8.encode(value) }),
  strings: (values: readonly string[]) => new TypedAttribute({ type: ATTRIBUTE_TYPE.STRINGS, strings: values.map((v) => utf8.encode(v)) }),
  tensor: (value: TensorProto) => new TypedAttribute({ type: ATTRIBUTE_TYPE.TENSOR, t: value }),
  graph: (value: GraphProto) => new TypedAttribute({ type: ATTRIBUTE_TYPE.GRAPH, g: value }),
});

/** Builds one AttributeProto; throws TypeError naming the attribute when its type cannot be told. */
export function makeAttribute(name: string, value: AttributeValue): AttributeProto {
  return { name, ...typedAttribute(name, value).proto };
}

function typedAttribute(name: string, value: AttributeValue): TypedAttribute {
  if (value instanceof TypedAttribute) return value;
  if (typeof value === 'bigint') return attr.int(value);
  if (typeof value === 'number') return Number.isInteger(value) ? attr.int(value) : attr.float(value);
  if (typeof value === 'string') return attr.string(value);
  if (!Array.isArray(value)) return attr.tensor(value as TensorProto);
  const items: readonly unknown[] = value;
  if (items.length === 0) throw new TypeError(`attribute '${name}': an empty array has no type; use attr.ints([]), attr.floats([]) or attr.strings([])`);
  if (items.every((item) => typeof item === 'string')) return attr.strings(items);
  if (items.every((item) => typeof item === 'bigint' || Number.isInteger(item))) return attr.ints(items as (number | bigint)[]);
  if (items.every((item) => typeof item === 'number')) return attr.floats(items);
  throw new TypeError(`attribute '${name}': arrays must hold only strings, only integers or only numbers`);
}
