import { InferenceError } from '../errors/index.js';
import { dataTypeInfo, type DataType, type DataTypeArrays } from './data-type.js';

/**
 * A tensor as it moves through Wharf: row-major data in the array its datatype uses
 * (see DataTypeArrays), with the full shape including any batch dimension.
 */
export type Tensor = { [T in DataType]: { name: string; datatype: T; shape: number[]; data: DataTypeArrays[T] } }[DataType];

/** What library users may pass: BYTES also as JavaScript strings (encoded as UTF-8). */
export type TensorInput = Tensor | { name: string; datatype: 'BYTES'; shape: number[]; data: string[] };

/** Product of the dims; 1 for a scalar (empty shape). */
export function elementCount(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

/** Bytes the tensor's data occupies on the wire (BYTES: each element's length plus its 4-byte prefix). */
export function tensorByteSize(tensor: Tensor): number {
  if (tensor.datatype === 'BYTES') {
    let total = 0;
    for (const element of tensor.data) total += 4 + element.byteLength;
    return total;
  }
  return tensor.data.byteLength;
}

export function formatShape(shape: readonly (number | string)[]): string {
  return `[${shape.join(',')}]`;
}

/** JSON for messages; a lossless parser's bigints (clients read 64-bit values exactly) print as digits. */
function showJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item)) ?? String(value);
}

/** Throws ERR_INPUT_SHAPE unless every dim is a non-negative integer. */
export function assertValidShape(shape: readonly unknown[], where: string): asserts shape is number[] {
  for (const [index, dim] of shape.entries()) {
    if (typeof dim !== 'number' || !Number.isSafeInteger(dim) || dim < 0) {
      throw new InferenceError('ERR_INPUT_SHAPE', `${where}: shape ${showJson(shape)} has ${showJson(dim)} at position ${index}; dims must be non-negative integers`);
    }
  }
}

/** Throws ERR_INPUT_SHAPE when the data's element count differs from the shape's. */
export function assertDataMatchesShape(tensor: Tensor, where: string): void {
  const expected = elementCount(tensor.shape);
  if (tensor.data.length !== expected) {
    throw new InferenceError('ERR_INPUT_SHAPE', `${where}: shape ${formatShape(tensor.shape)} needs ${expected} elements but ${tensor.data.length} were given`);
  }
}

const utf8 = new TextEncoder();

/** Turns a library user's tensor into the internal form (BYTES as Uint8Array elements). */
export function normalizeTensorInput(input: TensorInput): Tensor {
  if (input.datatype === 'BYTES') {
    const data = (input.data as (string | Uint8Array)[]).map((element) => (typeof element === 'string' ? utf8.encode(element) : element));
    return { name: input.name, datatype: 'BYTES', shape: input.shape, data };
  }
  return input;
}

/** True when the data is an array of the kind its datatype requires. */
export function hasExpectedArray(tensor: { datatype: DataType; data: unknown }): boolean {
  const info = dataTypeInfo(tensor.datatype);
  if (info.array === undefined) return Array.isArray(tensor.data) && tensor.data.every((e) => e instanceof Uint8Array || typeof e === 'string');
  return tensor.data instanceof info.array;
}

/** `dims` with its -1 (at most one) replaced by whatever holds `count` elements: reshape semantics. */
export function resolveWildcardDims(dims: readonly number[], count: number): number[] {
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return dims.map((d) => (d === -1 ? (known === 0 ? 0 : count / known) : d));
}

/** Re-shapes a (possibly batched) shape to `dims`, keeping the leading batch dim when there is one. */
export function reshapeKeepingBatch(shape: readonly number[], dims: readonly number[], batched: boolean): number[] {
  const batch = batched ? shape.slice(0, 1) : [];
  return [...batch, ...resolveWildcardDims(dims, elementCount(shape.slice(batch.length)))];
}
