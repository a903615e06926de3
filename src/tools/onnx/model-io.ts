/**
 * @module
 * ONNX model bytes <-> the typed view in onnx-types.ts.
 *
 * protobufjs represents 64-bit integers as Long objects; the view uses bigint (see onnx-types.ts),
 * so values are converted at this boundary and nowhere else.
 */
import type { Message } from 'protobufjs';
import { InferenceError } from '../../errors/index.js';
import { onnxSchema } from './onnx-proto.js';
import type { OnnxModel } from './onnx-types.js';

/**
 * Parses an ONNX model file. Fields keep their presence, so encodeModel(decodeModel(b)) equals b
 * for files written in field-number order (ours, and the official protobuf serializers').
 * bytes fields (rawData...) are views into `bytes`: copy them before changing `bytes`.
 * @throws InferenceError ERR_MODEL_LOAD_FAILED when the bytes are not a ModelProto.
 */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const { modelType } = onnxSchema();
  // A plain Uint8Array view makes protobufjs return Uint8Array (not Buffer) for bytes fields,
  // so decoded models compare equal to built ones in deepStrictEqual.
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let message: Message;
  try {
    message = modelType.decode(view);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InferenceError('ERR_MODEL_LOAD_FAILED', `not a valid ONNX model file (${bytes.byteLength} bytes): ${reason}`, { cause: error });
  }
  // toObject is untyped; the schema guarantees the shape, which onnx-types.ts mirrors field for field.
  const model: OnnxModel = modelType.toObject(message, { longs: BigInt });
  return model;
}

/**
 * Serializes a model. Fields are written in field-number order, so equal models give equal bytes.
 * @throws TypeError when a field holds a value of the wrong kind (the message names the field),
 * RangeError when a bigint does not fit in 64 bits.
 */
export function encodeModel(model: OnnxModel): Uint8Array {
  const { modelType } = onnxSchema();
  const wire = toWire(model);
  const problem = modelType.verify(wire as Record<string, unknown>);
  if (problem !== null) throw new TypeError(`invalid ONNX model: ${problem}`);
  const bytes = modelType.encode(wire as Record<string, unknown>).finish();
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const TWO_32 = 0x1_0000_0000n;
const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** The two 32-bit halves protobufjs' writer reads from a Long; the sign is in the bit pattern. */
function longBits(value: bigint): { low: number; high: number } {
  // Accepts the union of int64 and uint64 ranges: the field type is not known here.
  if (value < INT64_MIN || value > UINT64_MAX) throw new RangeError(`${value} does not fit in 64 bits`);
  const bits = BigInt.asUintN(64, value);
  return { low: Number(bits % TWO_32) | 0, high: Number(bits / TWO_32) | 0 };
}

/** Copies the view with every bigint replaced by Long bits; arrays without bigints are kept as they are. */
function toWire(value: unknown): unknown {
  if (typeof value === 'bigint') return longBits(value);
  if (ArrayBuffer.isView(value) || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items: unknown[] = value;
    return items.some((item) => typeof item === 'bigint' || (typeof item === 'object' && !ArrayBuffer.isView(item))) ? items.map(toWire) : items;
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) out[key] = toWire(field);
  return out;
}
