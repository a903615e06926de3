/**
 * @module
 * Tensors probing each datatype's edges, for round trips through the gRPC converters.
 */
import { DATA_TYPES, allocateData, elementCount, type DataType, type Tensor } from '../../../src/core/index.js';

const utf8 = new TextEncoder();

/** Three values per datatype: minimum, maximum and an ordinary one (bit patterns for FP16/BF16). */
export const EDGE_VALUES: Readonly<Record<DataType, readonly unknown[]>> = {
  BOOL: [1, 0, 1],
  UINT8: [0, 255, 7],
  UINT16: [0, 65535, 300],
  UINT32: [0, 4294967295, 70000],
  UINT64: [0n, 18446744073709551615n, 9007199254740993n],
  INT8: [-128, 127, 0],
  INT16: [-32768, 32767, -1],
  INT32: [-2147483648, 2147483647, 42],
  INT64: [-9223372036854775808n, 9223372036854775807n, -9007199254740993n],
  FP16: [0x3800, 0xfbff, 0x7e00],
  BF16: [0x3f00, 0xff7f, 0x0001],
  FP32: [-0, 3.4028234663852886e38, NaN],
  FP64: [0.1, -1e300, 5e-324],
  BYTES: [utf8.encode('hello'), new Uint8Array(0), new Uint8Array([0xff, 0x00, 0xfe])],
};

/** A tensor of `datatype` with `shape`, filled by cycling through the edge values. */
export function edgeTensor(name: string, datatype: DataType, shape: number[]): Tensor {
  const count = elementCount(shape);
  const values = EDGE_VALUES[datatype];
  if (datatype === 'BYTES') return { name, datatype, shape, data: Array.from({ length: count }, (_, i) => values[i % values.length] as Uint8Array) };
  const data = allocateData(datatype, count) as unknown as unknown[];
  for (let i = 0; i < count; i++) data[i] = values[i % values.length];
  return { name, datatype, shape, data } as unknown as Tensor;
}

/** Shapes every datatype is tried with: ordinary, scalar and zero-size dims. */
export const SHAPES: readonly number[][] = [[1, 3], [2, 3], [], [0, 3], [2, 0]];

export { DATA_TYPES };
