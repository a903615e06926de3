/**
 * @module
 * Graph input/output declarations (ValueInfoProto) from a datatype and a readable shape.
 */
import { dataTypeInfo, type DataType } from '../../core/index.js';
import type { TensorShapeDimension, ValueInfoProto } from './onnx-types.js';

/**
 * One dimension of a declared shape: a size (>= 0), -1 for an unknown dim with no name, or a
 * name (`'batch'`) for a symbolic dim; dims sharing a name must be equal at run time.
 */
export type Dim = number | string;

export function makeDimension(dim: Dim): TensorShapeDimension {
  if (typeof dim === 'string') return { dimParam: dim };
  if (dim === -1) return {};
  if (!Number.isSafeInteger(dim) || dim < 0) throw new RangeError(`dim ${dim} must be a name, -1 or a non-negative integer`);
  return { dimValue: BigInt(dim) };
}

/** A tensor-typed ValueInfoProto with the datatype's ONNX element type and a known rank. */
export function makeValueInfo(name: string, datatype: DataType, shape: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: dataTypeInfo(datatype).onnxElementType, shape: { dim: shape.map(makeDimension) } } },
  };
}
