/**
 * @module
 * Parameter counts and bytes of a model's initializers, by datatype. Sparse initializers are
 * counted by the values they store, not their dense size.
 */
import { dataTypeFromOnnx, dataTypeInfo } from '../../core/index.js';
import { describeElementType, type GraphProto, type TensorProto } from '../onnx/index.js';
import { product } from './shape-math.js';

export interface DatatypeParameters {
  /** Wharf's datatype name (FP32, INT8...), or the ONNX element type's name for the others (FLOAT8E4M3FN...). */
  readonly datatype: string;
  readonly tensors: number;
  /** Elements. */
  readonly count: number;
  readonly bytes: number;
}

export interface ParameterStats {
  readonly count: number;
  readonly bytes: number;
  /** Largest share of bytes first. */
  readonly byDatatype: readonly DatatypeParameters[];
  readonly sparseTensors: number;
}

/** An initializer's datatype name, element count and stored bytes. */
export function tensorSize(tensor: TensorProto): { datatype: string; count: number; bytes: number } {
  const count = product((tensor.dims ?? []).map(Number));
  const known = dataTypeFromOnnx(tensor.dataType ?? 0);
  const datatype = known ?? /\((\w+)\)/.exec(describeElementType(tensor.dataType))?.[1] ?? `type ${tensor.dataType ?? '?'}`;
  const byteSize = known === undefined ? undefined : dataTypeInfo(known).array === undefined ? undefined : dataTypeInfo(known).byteSize;
  // Types Wharf has no byte size for (strings, 4-bit and 8-bit floats) are counted as stored.
  const stored = tensor.rawData?.byteLength ?? (tensor.stringData ?? []).reduce((total, item) => total + item.byteLength, 0);
  return { datatype, count, bytes: byteSize === undefined ? stored : count * byteSize };
}

export function parameterStats(graph: GraphProto): ParameterStats {
  const rows = new Map<string, { tensors: number; count: number; bytes: number }>();
  const add = (tensor: TensorProto | undefined, countOverride?: number): void => {
    if (tensor === undefined) return;
    const size = tensorSize(tensor);
    const row = rows.get(size.datatype) ?? { tensors: 0, count: 0, bytes: 0 };
    rows.set(size.datatype, { tensors: row.tensors + 1, count: row.count + (countOverride ?? size.count), bytes: row.bytes + size.bytes });
  };
  for (const tensor of graph.initializer ?? []) add(tensor);
  for (const sparse of graph.sparseInitializer ?? []) {
    add(sparse.values);
    // Indices are bookkeeping, not parameters: their bytes count, their elements do not.
    add(sparse.indices, 0);
  }
  const byDatatype = [...rows].map(([datatype, row]) => ({ datatype, ...row })).sort((a, b) => b.bytes - a.bytes || a.datatype.localeCompare(b.datatype));
  return {
    count: byDatatype.reduce((total, row) => total + row.count, 0),
    bytes: byDatatype.reduce((total, row) => total + row.bytes, 0),
    byDatatype,
    sparseTensors: graph.sparseInitializer?.length ?? 0,
  };
}
