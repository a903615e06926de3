/**
 * @module
 * One table of inference cases that every transport must answer identically: the in-process
 * API, HTTP with JSON tensors, HTTP with binary tensors, and gRPC with typed and raw contents.
 */
import type { DataType, ErrorCode, InferInput, TensorInput } from '../../src/index.js';

export interface SuccessCase {
  readonly title: string;
  readonly request: InferInput;
  /** Transports that cannot carry this case (e.g. invalid UTF-8 has no JSON form). */
  readonly skip?: readonly string[];
}

export interface FailureCase {
  readonly title: string;
  readonly request: InferInput;
  readonly code: ErrorCode;
  readonly message: RegExp;
  readonly skip?: readonly string[];
}

const utf8 = new TextEncoder();

/** Two rows of three values per datatype, at the edges of each type's range. */
const SAMPLES: Record<Exclude<DataType, 'BF16'>, TensorInput['data']> = {
  BOOL: new Uint8Array([1, 0, 1, 0, 0, 1]),
  UINT8: new Uint8Array([0, 255, 7, 128, 1, 254]),
  UINT16: new Uint16Array([0, 65535, 300, 1, 2, 3]),
  UINT32: new Uint32Array([0, 4294967295, 70000, 1, 2, 3]),
  UINT64: new BigUint64Array([0n, 18446744073709551615n, 9007199254740993n, 1n, 2n, 3n]),
  INT8: new Int8Array([-128, 127, 0, -1, 1, 5]),
  INT16: new Int16Array([-32768, 32767, 0, -1, 1, 5]),
  INT32: new Int32Array([-2147483648, 2147483647, 0, -1, 1, 5]),
  INT64: new BigInt64Array([-9223372036854775808n, 9223372036854775807n, -9007199254740993n, -1n, 0n, 1n]),
  FP16: new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00]),
  FP32: new Float32Array([0.5, -1.25, 3.4028234663852886e38, 1.401298464324817e-45, -0, 0.1]),
  FP64: new Float64Array([0.1, -1e300, 5e-324, Number.MAX_VALUE, -0, 1 / 3]),
  BYTES: [utf8.encode(''), new Uint8Array([0, 1, 0x7f]), utf8.encode('héllo ✓ 你好'), utf8.encode('a'), utf8.encode('"quoted"\\'), utf8.encode('\n')],
};

const identity = (datatype: DataType, shape: number[], data: TensorInput['data']): InferInput => ({
  modelName: `identity_${datatype.toLowerCase()}`,
  inputs: [{ name: 'INPUT0', datatype, shape, data } as TensorInput],
});

const addSub = (shape: number[], fill: (i: number) => number): InferInput => {
  const count = shape.reduce((a, b) => a * b, 1);
  return {
    modelName: 'add_sub',
    inputs: [
      { name: 'INPUT0', datatype: 'FP32', shape, data: Float32Array.from({ length: count }, (_, i) => fill(i)) },
      { name: 'INPUT1', datatype: 'FP32', shape, data: Float32Array.from({ length: count }, (_, i) => fill(i) / 2) },
    ],
  };
};

export const SUCCESS_CASES: readonly SuccessCase[] = [
  ...Object.entries(SAMPLES).map(([datatype, data]) => ({ title: `${datatype} round trip`, request: identity(datatype as DataType, [2, 3], data) })),
  { title: 'zero-sized dimension', request: identity('FP32', [1, 0], new Float32Array(0)) },
  { title: 'zero-sized BYTES', request: identity('BYTES', [2, 0], []) },
  { title: 'all dims dynamic, empty batch', request: { modelName: 'dynamic_shape', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [0, 3], data: new Float32Array(0) }] } },
  { title: 'scalar input', request: { modelName: 'scalar', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1], data: new Int32Array([42]) }] } },
  { title: 'two outputs in model order', request: addSub([2, 4], (i) => i) },
  { title: 'an output subset in reverse order', request: { ...addSub([1, 4], (i) => i + 1), outputs: ['OUTPUT1', 'OUTPUT0'] } },
  { title: 'a single requested output', request: { ...addSub([3, 4], (i) => i * 0.25), outputs: ['OUTPUT1'] } },
  { title: 'request id echoed', request: { ...identity('INT32', [1, 1], new Int32Array([9])), id: 'conformance-1' } },
  { title: 'BYTES given as strings', request: identity('BYTES', [1, 2], ['x', 'ÿ'] as string[]) },
];

export const FAILURE_CASES: readonly FailureCase[] = [
  { title: 'unknown model', request: { modelName: 'missing_model', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1], data: new Float32Array(1) }] }, code: 'ERR_MODEL_NOT_FOUND', message: /unknown model 'missing_model'/ },
  { title: 'unknown version', request: { ...identity('FP32', [1, 1], new Float32Array(1)), modelVersion: '7' }, code: 'ERR_MODEL_VERSION_NOT_FOUND', message: /no version "7"/ },
  { title: 'model that failed to load', request: identity('BF16', [1, 1], new Uint16Array(1)), code: 'ERR_MODEL_NOT_READY', message: /identity_bf16.*BF16/ },
  { title: 'wrong datatype', request: { modelName: 'identity_fp32', inputs: [{ name: 'INPUT0', datatype: 'INT32', shape: [1, 1], data: new Int32Array(1) }] }, code: 'ERR_INPUT_DATATYPE', message: /input 'INPUT0': datatype INT32 but model 'identity_fp32' expects FP32/ },
  { title: 'missing input', request: { modelName: 'add_sub', inputs: [addSub([1, 4], (i) => i).inputs[0]!] }, code: 'ERR_INPUT_MISSING', message: /needs input 'INPUT1'/ },
  { title: 'unknown input', request: { modelName: 'identity_fp32', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [1, 1], data: new Float32Array(1) }, { name: 'EXTRA', datatype: 'FP32', shape: [1], data: new Float32Array(1) }] }, code: 'ERR_INPUT_UNKNOWN', message: /input 'EXTRA' is not an input/ },
  { title: 'missing batch dimension', request: { modelName: 'add_sub', inputs: [{ name: 'INPUT0', datatype: 'FP32', shape: [4], data: new Float32Array(4) }, { name: 'INPUT1', datatype: 'FP32', shape: [4], data: new Float32Array(4) }] }, code: 'ERR_INPUT_SHAPE', message: /shape \[4\] has rank 1 .*leading batch dimension/ },
  { title: 'unknown output', request: { ...addSub([1, 4], (i) => i), outputs: ['NOPE'] }, code: 'ERR_OUTPUT_UNKNOWN', message: /requested output 'NOPE'/ },
  { title: 'BYTES that are not UTF-8', request: identity('BYTES', [1, 1], [new Uint8Array([0xff, 0xfe])]), code: 'ERR_INPUT_DATA', message: /element 0 is not valid UTF-8/, skip: ['http-json'] },
];

/** A tensor of 64 MiB (16 Mi FP32 values), through every transport. */
export function largeTensorCase(): SuccessCase {
  const count = 16 * 1024 * 1024;
  const data = new Float32Array(count);
  // Small integers keep the JSON form of the same tensor near 80 MB rather than 200.
  for (let i = 0; i < count; i += 1) data[i] = i % 1000;
  return { title: '64 MiB FP32 tensor', request: identity('FP32', [1, count], data) };
}
